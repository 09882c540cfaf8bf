//! An in-process Kubernetes API emulator with a simulated control plane.
//!
//! `DemoCluster::start` seeds a deterministic demo world (namespaces, nodes, workloads,
//! OpenKruise CloneSets under canary Rollouts, KubeVirt VMs), binds an API server on
//! loopback (plain HTTP and HTTPS on one port, `tls.rs`) and runs controllers (scheduler, kubelet, Deployment, ReplicaSet,
//! StatefulSet, DaemonSet, Job, CronJob, CloneSet, Rollout, KubeVirt, garbage collector)
//! as tokio tasks. The real `kubectl` and kube-rs clients work against it, which is why
//! the emphasis is on wire-level fidelity: discovery, OpenAPI, Tables, watch streams,
//! the four patch types and `metav1.Status` errors.
//!
//! The whole world is one table of kinds (`kinds.rs`) over one JSON object store
//! (`store.rs`); kinds differ in data, not in code paths.
//!
//! Requests authenticate with static bearer tokens (`DemoConfig::users`) and are
//! authorized by RBAC over the stored roles and bindings (`access/`); requests without
//! credentials act as an administrator while `DemoConfig::anonymous_admin` is on.
#![forbid(unsafe_code)]

mod access;
mod admission;
mod clock;
mod controllers;
mod defaults;
mod discovery;
mod error;
mod kinds;
mod meta;
mod openapi;
mod patch;
mod protobuf;
mod routes;
mod scale;
mod seed;
mod selectors;
mod status;
mod store;
mod table;
mod tls;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub use access::{ADMIN_TOKEN, DemoUser, THROTTLED_TOKEN, VIEWER_TOKEN};
pub use error::{Error, Result};

use clock::Clock;
use store::Store;

/// How to start a demo cluster.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Optional bulk world for load testing, created directly in steady state.
    pub scale: Option<ScaleSpec>,
    /// Speed of the simulated control plane: 1.0 is real time, tests use e.g. 20.0.
    pub time_scale: f64,
    /// Keep every request for assertions (`recorded_requests`), including the ones
    /// authentication, throttling or authorization refused.
    pub record_requests: bool,
    /// Who may call the API, by bearer token. Defaults to `DemoUser::defaults()`:
    /// `demo-token` (administrator), `demo-viewer-token` (read-only through the seeded
    /// ClusterRoleBinding `bosun-viewer`) and `demo-throttled-token` (an administrator
    /// whose every mutation gets 429).
    pub users: Vec<DemoUser>,
    /// Requests without an `Authorization: Bearer` header act as an administrator
    /// (`system:anonymous` in group `system:masters`); when off they get 401.
    pub anonymous_admin: bool,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            scale: None,
            time_scale: 1.0,
            record_requests: false,
            users: DemoUser::defaults(),
            anonymous_admin: true,
        }
    }
}

/// Size of the generated world for load tests and the benchmark: `pods` pods on top of
/// the demo world, over namespaces of up to 1,000 pods, nodes of up to 100 and workloads
/// of every kind.
#[derive(Debug, Clone, Copy)]
pub struct ScaleSpec {
    pub pods: usize,
}

/// One HTTP request as received, for wire-level assertions in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: String,
}

/// State shared by the HTTP handlers and the controllers.
pub(crate) struct Shared {
    pub store: Arc<Store>,
    pub clock: Clock,
    pub recorder: Option<Mutex<Vec<RecordedRequest>>>,
    /// Authentication, throttling and authorization of every request.
    pub access: access::Access,
    pub server_address: String,
    /// Becomes `true` on `DemoCluster::shutdown`; streaming responses end on it.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Serialises evictions so a PodDisruptionBudget check and the delete it allows
    /// are one step (two concurrent evictions must not both pass `maxUnavailable: 1`).
    pub evictions: Mutex<()>,
    /// API groups that answer 503, as an aggregated API whose backend is down does.
    pub unavailable_groups: Mutex<std::collections::BTreeSet<String>>,
}

impl Shared {
    /// Resolves once shutdown was requested (or the cluster handle is gone).
    pub async fn shutting_down(&self) {
        let mut rx = self.shutdown.clone();
        let _ = rx.wait_for(|v| *v).await;
    }
}

/// A running demo cluster. Dropping it without `shutdown` closes the shutdown channel,
/// so the server stops accepting connections, open watches and log streams end and the
/// controllers stop, but in the background: use `shutdown` to wait for that.
///
/// ```no_run
/// # async fn demo() -> bosun_demo_cluster::Result<()> {
/// use bosun_demo_cluster::{DemoCluster, DemoConfig};
///
/// let cluster = DemoCluster::start(DemoConfig { time_scale: 20.0, ..DemoConfig::default() }).await?;
/// cluster.write_kubeconfig(std::path::Path::new("demo.kubeconfig"), "bosun-demo")?;
/// // KUBECONFIG=demo.kubeconfig kubectl get pods -A
/// cluster.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct DemoCluster {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// The CA of this cluster's generated certificate, for its kubeconfigs.
    ca_pem: String,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DemoCluster {
    /// Seeds the world, binds the listener and spawns the server and controllers.
    pub async fn start(config: DemoConfig) -> Result<DemoCluster> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        // History covers the whole generated world, so a paged list of it taken while the
        // controllers bring up the last pods still resumes from its snapshot.
        let history = match config.scale {
            Some(s) => s.pods + s.pods / 5 + 10_000,
            None => 10_000,
        };
        let store = Arc::new(Store::new(history));
        let clock = Clock::new(config.time_scale);
        // Seconds of CPU at 50,000 pods: off the async workers.
        let seeding = store.clone();
        tokio::task::spawn_blocking(move || {
            seed::seed(&seeding)?;
            match config.scale {
                Some(spec) => scale::generate(&seeding, spec),
                None => Ok(()),
            }
        })
        .await
        .map_err(|e| Error::Seed {
            what: "the world".to_string(),
            message: e.to_string(),
        })??;
        let (tx, rx) = tokio::sync::watch::channel(false);
        let shared = Arc::new(Shared {
            store,
            clock,
            recorder: config.record_requests.then(|| Mutex::new(Vec::new())),
            access: access::Access::new(&config.users, config.anonymous_admin),
            server_address: addr.to_string(),
            shutdown: rx.clone(),
            evictions: Mutex::new(()),
            unavailable_groups: Mutex::new(std::collections::BTreeSet::new()),
        });
        let mut tasks = Vec::new();
        let app = routes::router(shared.clone());
        let pki = tls::Pki::generate()?;
        let listener = tls::DualListener::new(listener, addr, &pki)?;
        let mut srx = rx.clone();
        tasks.push(tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = srx.wait_for(|v| *v).await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("demo cluster server stopped: {e}");
            }
        }));
        tasks.push(controllers::spawn(shared.clone(), rx));
        Ok(DemoCluster {
            shared,
            addr,
            ca_pem: pki.ca_pem,
            shutdown: tx,
            tasks,
        })
    }

    /// Base URL of the API server over plain HTTP, e.g. `http://127.0.0.1:40123`. The
    /// same port serves HTTPS, which the kubeconfigs use (`https_url`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the API server over HTTPS (demo certificate, CA in the kubeconfigs).
    pub fn https_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// A kubeconfig pointing at this cluster as the administrator (`demo-token`, user
    /// entry `{context_name}-admin`), `context_name` as the current context.
    pub fn kubeconfig_yaml(&self, context_name: &str) -> String {
        self.kubeconfig(context_name, "admin", ADMIN_TOKEN)
    }

    /// A kubeconfig like `kubeconfig_yaml` that authenticates with `token` instead (user
    /// entry `{context_name}-user`), e.g. `VIEWER_TOKEN` or a token the cluster does not
    /// know, to see its 401.
    pub fn kubeconfig_yaml_for(&self, context_name: &str, token: &str) -> String {
        self.kubeconfig(context_name, "user", token)
    }

    fn kubeconfig(&self, ctx: &str, user_suffix: &str, token: &str) -> String {
        use base64::Engine as _;
        // JSON strings are YAML scalars, so odd tokens or names cannot break the document.
        let q = |s: &str| serde_json::Value::from(s).to_string();
        let user = format!("{ctx}-{user_suffix}");
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        // The certificate names loopback only; other addresses verify it as `localhost`.
        let server_name = if self.addr.ip().is_loopback() {
            String::new()
        } else {
            "    tls-server-name: localhost\n".to_string()
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {c}\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\n{server_name}contexts:\n- name: {c}\n  context:\n    cluster: {c}\n    user: {u}\n    namespace: default\ncurrent-context: {c}\npreferences: {{}}\nusers:\n- name: {u}\n  user:\n    token: {t}\n",
            c = q(ctx),
            u = q(&user),
            t = q(token),
            url = self.https_url()
        )
    }

    /// Writes `kubeconfig_yaml` to `path`.
    pub fn write_kubeconfig(&self, path: &Path, context_name: &str) -> Result<()> {
        std::fs::write(path, self.kubeconfig_yaml(context_name)).map_err(|source| {
            Error::WriteKubeconfig {
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// Requests received so far (empty unless `record_requests`).
    pub fn recorded_requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .recorder
            .as_ref()
            .map(|r| {
                r.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone()
            })
            .unwrap_or_default()
    }

    /// Makes an API group answer every request (its discovery too) with 503, as an
    /// aggregated API whose backend is down does (a metrics server that is not running),
    /// or serves it again. `/apis` keeps listing it, as the real server does.
    pub fn set_group_unavailable(&self, group: &str, unavailable: bool) {
        let mut groups = self
            .shared
            .unavailable_groups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if unavailable {
            groups.insert(group.to_string());
        } else {
            groups.remove(group);
        }
    }

    /// Forgets recorded requests.
    pub fn clear_recorded_requests(&self) {
        if let Some(r) = &self.shared.recorder {
            r.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clear();
        }
    }

    /// Stops the server (open watches and log streams end) and the controllers. The
    /// server gets a moment to finish in-flight requests before it is aborted.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let mut tasks = self.tasks.into_iter();
        if let Some(server) = tasks.next() {
            let abort = server.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(2), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        for t in tasks {
            t.abort();
            let _ = t.await;
        }
    }
}
