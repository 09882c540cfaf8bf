//! Turning kube-rs failures into the console's errors, in one place: an answer from the
//! API server keeps its status, reason and message; a request that never got an answer
//! means the cluster is unreachable; a 401 means the cluster refuses Bosun's credentials.

use std::time::Duration;

use bosun_core::Error;

/// The chain of causes of an error as one line (`connection refused` is usually three
/// levels down inside hyper's error).
pub fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// Classifies a kube-rs error from a call to `cluster`.
#[must_use]
pub fn from_kube(cluster: &str, err: kube::Error) -> Error {
    match err {
        kube::Error::Api(status) => {
            if status.code == 401 {
                return Error::Unavailable(format!(
                    "cluster {cluster} rejected Bosun's credentials (401 Unauthorized: {}); update the cluster's kubeconfig",
                    if status.message.is_empty() {
                        "no message"
                    } else {
                        &status.message
                    }
                ));
            }
            let retry_after = status
                .details
                .as_ref()
                .map(|d| d.retry_after_seconds)
                .filter(|s| *s > 0)
                .map(|s| Duration::from_secs(u64::from(s)))
                .or_else(|| (status.code == 429).then(|| Duration::from_secs(1)));
            Error::Cluster {
                cluster: cluster.to_string(),
                status: status.code,
                reason: status.reason.clone(),
                message: if status.message.is_empty() {
                    format!(
                        "cluster {cluster} answered {} {}",
                        status.code, status.reason
                    )
                } else {
                    status.message.clone()
                },
                retry_after,
            }
        }
        other => Error::Unavailable(format!(
            "cluster {cluster} is unreachable: {}",
            causes(&other)
        )),
    }
}

/// The error for an action that did not finish within the deadline.
#[must_use]
pub fn timed_out(cluster: &str, deadline: Duration) -> Error {
    Error::Unavailable(format!(
        "cluster {cluster} did not answer within {} s",
        deadline.as_secs()
    ))
}

/// Runs a call to a cluster with a deadline, so a hung API server costs a request at
/// most `deadline`, and maps its error.
pub async fn with_deadline<T, F>(
    cluster: &str,
    deadline: Duration,
    call: F,
) -> bosun_core::Result<T>
where
    F: std::future::Future<Output = bosun_core::Result<T>>,
{
    match tokio::time::timeout(deadline, call).await {
        Ok(result) => result,
        Err(_) => Err(timed_out(cluster, deadline)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    #[test]
    fn a_401_is_the_consoles_credentials_not_the_users_rights() {
        let status = Status::failure("Unauthorized", "Unauthorized").with_code(401);
        let err = from_kube("prod", kube::Error::Api(status.boxed()));
        assert_eq!(err.code(), bosun_core::ErrorCode::Unavailable);
        assert!(
            err.to_string().contains("rejected Bosun's credentials"),
            "{err}"
        );
    }

    #[test]
    fn an_api_status_keeps_its_reason_and_message() {
        let status = Status::failure(
            "deployments.apps \"x\" is forbidden: User \"bosun\" cannot patch",
            "Forbidden",
        )
        .with_code(403);
        let err = from_kube("prod", kube::Error::Api(status.boxed()));
        assert_eq!(err.code(), bosun_core::ErrorCode::Forbidden);
        assert_eq!(err.reason(), Some("Forbidden"));
        assert!(
            err.to_string()
                .starts_with("deployments.apps \"x\" is forbidden")
        );
        assert!(!err.is_denial());
    }
}
