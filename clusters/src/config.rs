//! Client configurations for a cluster: where it is and how to authenticate (a kubeconfig,
//! the pod's service account, or the built-in demo cluster), and the timeouts of the two
//! clients Bosun keeps per cluster.

use std::time::Duration;

use bosun_core::{Connection, Error, Result};
use bosun_model::SourceKind;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// Every action answers within this, or fails saying the cluster did not answer.
pub const ACTION_DEADLINE: Duration = Duration::from_secs(15);
/// A single request of an action; several may fit in the action deadline (a read and a
/// write, or retries after a conflict).
const ACTION_READ_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Watches are long polls the server ends after about 290 s; a connection silent for
/// longer than this is dead.
const WATCH_READ_TIMEOUT: Duration = Duration::from_secs(330);

/// The contexts a kubeconfig defines, after checking that it parses.
///
/// # Errors
/// A kubeconfig that is not YAML, or that defines no context, is a 400 saying so.
pub fn contexts(kubeconfig: &str) -> Result<Vec<String>> {
    let parsed = parse(kubeconfig)?;
    let names: Vec<String> = parsed.contexts.iter().map(|c| c.name.clone()).collect();
    if names.is_empty() {
        return Err(Error::BadRequest("kubeconfig defines no context".into()));
    }
    Ok(names)
}

/// Parses a kubeconfig. A parser's message can quote the document (a token where a map
/// was expected), and what it says ends up in answers and the audit log: so the error
/// says where, never what.
fn parse(kubeconfig: &str) -> Result<Kubeconfig> {
    if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(kubeconfig) {
        let place = e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        return Err(Error::BadRequest(format!(
            "kubeconfig does not parse: it is not YAML{place}"
        )));
    }
    Kubeconfig::from_yaml(kubeconfig).map_err(|_| {
        Error::BadRequest(
            "kubeconfig does not parse: it is YAML, but not a kubeconfig (apiVersion, and clusters, contexts and users each with a name)"
                .into(),
        )
    })
}

/// The base configuration of a connection.
///
/// # Errors
/// A kubeconfig without the chosen (or any current) context, in-cluster settings outside
/// a pod, or the demo cluster when it is not running: a message saying which.
pub async fn base_config(connection: &Connection, demo_kubeconfig: Option<&str>) -> Result<Config> {
    match connection.source {
        SourceKind::Kubeconfig => {
            let text = connection
                .kubeconfig
                .as_ref()
                .map(|k| k.0.as_str())
                .ok_or_else(|| Error::BadRequest("no kubeconfig stored for this cluster".into()))?;
            from_kubeconfig(text, connection.context.as_deref()).await
        }
        SourceKind::InCluster => Config::incluster().map_err(|e| {
            Error::Unavailable(format!(
                "in-cluster service account unavailable (is Bosun running in a pod?): {}",
                crate::error::causes(&e)
            ))
        }),
        SourceKind::Demo => match demo_kubeconfig {
            Some(text) => from_kubeconfig(text, None).await,
            None => Err(Error::Unavailable(
                "the built-in demo cluster is not running in this server (it was started with --no-demo)".into(),
            )),
        },
    }
}

async fn from_kubeconfig(text: &str, context: Option<&str>) -> Result<Config> {
    let kubeconfig = parse(text)?;
    if context.is_none()
        && kubeconfig
            .current_context
            .as_deref()
            .unwrap_or("")
            .is_empty()
    {
        let names: Vec<&str> = kubeconfig
            .contexts
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        return Err(Error::BadRequest(format!(
            "kubeconfig has no current-context; choose one of: {}",
            names.join(", ")
        )));
    }
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..KubeConfigOptions::default()
    };
    Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| Error::BadRequest(format!("kubeconfig: {}", crate::error::causes(&e))))
}

/// The client for actions and one-off reads: short timeouts, and no automatic retry of
/// 429 (the person should see the cluster's Retry-After, not a silent wait).
pub fn action_client(base: &Config) -> Result<Client> {
    let mut config = base.clone();
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.read_timeout = Some(ACTION_READ_TIMEOUT);
    config.write_timeout = Some(ACTION_READ_TIMEOUT);
    config.reset_reader_on_write = true;
    config.default_retry = false;
    build(config)
}

/// The client for watches: long reads, retries on transient failures.
pub fn watch_client(base: &Config) -> Result<Client> {
    let mut config = base.clone();
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.read_timeout = Some(WATCH_READ_TIMEOUT);
    config.reset_reader_on_write = true;
    build(config)
}

/// The client for followed logs: a followed log may be silent for any length of time.
pub fn stream_client(base: &Config) -> Result<Client> {
    let mut config = base.clone();
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.read_timeout = None;
    build(config)
}

fn build(config: Config) -> Result<Client> {
    Client::try_from(config).map_err(|e| {
        Error::BadRequest(format!(
            "cannot build a client: {}",
            crate::error::causes(&e)
        ))
    })
}
