//! `kubectl create secret docker-registry`: a Secret of type
//! `kubernetes.io/dockerconfigjson` made from a server, user name and password, sent
//! through the one apply path (dry run first if asked). The password is never written to
//! the audit log or a log line; only the object's name is.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bosun_model::{ApplyOptions, ApplyReport, RegistrySecret};
use serde_json::json;

use crate::request::Invocation;
use crate::{Context, Error, Result};

/// The `.dockerconfigjson` kubectl writes: `{"auths":{server:{username,password,email?,auth}}}`.
#[must_use]
pub fn docker_config(input: &RegistrySecret) -> String {
    let auth = STANDARD.encode(format!("{}:{}", input.username, input.password));
    let mut entry = json!({
        "username": input.username,
        "password": input.password,
        "auth": auth,
    });
    if !input.email.is_empty() {
        entry["email"] = json!(input.email);
    }
    json!({ "auths": { input.server.clone(): entry } }).to_string()
}

fn validate(input: &RegistrySecret) -> Result<()> {
    for (field, value) in [
        ("server", &input.server),
        ("username", &input.username),
        ("password", &input.password),
    ] {
        if value.trim().is_empty() {
            return Err(Error::BadRequest(format!(
                "{field} is required for a registry secret"
            )));
        }
    }
    if input.server.chars().any(char::is_whitespace) {
        return Err(Error::BadRequest(format!(
            "server {:?} cannot hold spaces: give the registry's host (ghcr.io) or URL",
            input.server
        )));
    }
    crate::workloads::validate_object_name(&input.name)
}

/// Creates (or updates) the registry secret `namespace/name` in `cluster`.
///
/// # Errors
/// 400 for a missing field or an invalid name; otherwise the apply's own errors, and
/// per-document failures in the report.
pub async fn create(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    namespace: &str,
    input: &RegistrySecret,
) -> Result<ApplyReport> {
    validate(input)?;
    crate::clusters::validate_namespace(namespace)?;
    let secret = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/dockerconfigjson",
        "metadata": { "name": input.name, "namespace": namespace },
        "data": { ".dockerconfigjson": STANDARD.encode(docker_config(input)) },
    });
    let yaml = serde_yaml::to_string(&secret)
        .map_err(|e| Error::Internal(format!("cannot write the secret as YAML: {e}")))?;
    let options = ApplyOptions {
        dry_run: input.dry_run,
        force: false,
        namespace: Some(namespace.to_string()),
        ..ApplyOptions::default()
    };
    crate::apply::apply(ctx, inv, cluster, &yaml, &options, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_is_what_kubectl_writes() {
        let input = RegistrySecret {
            name: "regcred".into(),
            server: "ghcr.io".into(),
            username: "bot".into(),
            password: "s3cret".into(),
            ..Default::default()
        };
        assert_eq!(
            docker_config(&input),
            r#"{"auths":{"ghcr.io":{"auth":"Ym90OnMzY3JldA==","password":"s3cret","username":"bot"}}}"#
        );
        assert!(!format!("{input:?}").contains("s3cret"));
        assert!(
            validate(&RegistrySecret {
                password: String::new(),
                ..input
            })
            .is_err()
        );
    }
}
