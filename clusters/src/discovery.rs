//! Which kinds of the table a cluster serves, and at which version. Built-in kinds are
//! always there; optional families (OpenKruise) are asked for, and a kind that is absent is
//! neither watched nor offered.

use bosun_model::KindId;
use bosun_model::kinds::{ApiFamily, KINDS, KindInfo};
use kube::Client;
use kube::api::ApiResource;
use kube::discovery::ApiGroup;

/// The API resource of a table row at a given version.
#[must_use]
pub fn api_resource(info: &KindInfo, version: &str) -> ApiResource {
    let api_version = if info.group.is_empty() {
        version.to_string()
    } else {
        format!("{}/{version}", info.group)
    };
    ApiResource {
        group: info.group.to_string(),
        version: version.to_string(),
        api_version,
        kind: info.kind.to_string(),
        plural: info.plural.to_string(),
    }
}

/// The built-in kinds, at their (only) version.
pub fn builtin() -> Vec<(KindId, ApiResource)> {
    KINDS
        .iter()
        .filter(|k| k.family == ApiFamily::Kubernetes)
        .map(|k| (k.id, api_resource(k, k.versions[0])))
        .collect()
}

/// The optional kinds the cluster serves, each at the first of the table's versions the
/// cluster serves. A group the cluster does not know is simply absent.
///
/// # Errors
/// Failures other than "no such group" (the cluster is unreachable, say), so the caller
/// can try again later instead of concluding the kinds are absent.
pub async fn optional(client: &Client) -> Result<Vec<(KindId, ApiResource)>, kube::Error> {
    let mut groups: Vec<&str> = KINDS
        .iter()
        .filter(|k| k.family != ApiFamily::Kubernetes)
        .map(|k| k.group)
        .collect();
    groups.dedup();
    let mut found = Vec::new();
    for group in groups {
        let api_group = match kube::discovery::group(client, group).await {
            Ok(g) => g,
            Err(kube::Error::Api(status)) if status.code == 404 => continue,
            Err(kube::Error::Discovery(_)) => continue,
            Err(e) => return Err(e),
        };
        found.extend(served_in(&api_group));
    }
    Ok(found)
}

fn served_in(group: &ApiGroup) -> Vec<(KindId, ApiResource)> {
    KINDS
        .iter()
        .filter(|k| k.group == group.name())
        .filter_map(|k| {
            k.versions.iter().find_map(|version| {
                group
                    .versioned_resources(version)
                    .into_iter()
                    .find(|(ar, _)| ar.plural == k.plural && ar.kind == k.kind)
                    .map(|_| (k.id, api_resource(k, version)))
            })
        })
        .collect()
}
