//! Checking what an admin gives for a cluster: names, environment, namespace,
//! description and kubeconfig, each refused with what is wrong.

use bosun_model::{ClusterInput, Environment, SourceKind};

use crate::{Context, Error, Result};

use super::MAX_KUBECONFIG_BYTES;

/// Checks a cluster name: a DNS label (it appears in URLs and kubeconfig-like places).
pub fn validate_cluster_name(name: &str) -> Result<()> {
    dns_label(name)
        .map_err(|why| Error::BadRequest(format!("cluster name {name:?} is invalid: {why}")))
}

/// Checks a namespace name (a DNS label, as the API server requires).
pub fn validate_namespace(name: &str) -> Result<()> {
    dns_label(name)
        .map_err(|why| Error::BadRequest(format!("namespace {name:?} is invalid: {why}")))
}

fn dns_label(name: &str) -> std::result::Result<(), &'static str> {
    if name.is_empty() || name.len() > 63 {
        return Err("use 1 to 63 characters");
    }
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_ends = !name.starts_with('-') && !name.ends_with('-');
    if ok_chars && ok_ends {
        Ok(())
    } else {
        Err("use lower-case letters, digits and '-', starting and ending with a letter or digit")
    }
}

/// The input's fields, checked, with the kubeconfig validated by the backend.
pub(super) struct Checked {
    pub(super) source: SourceKind,
    pub(super) environment: Environment,
    pub(super) description: String,
    pub(super) default_namespace: String,
    pub(super) context: Option<String>,
    pub(super) kubeconfig: Option<String>,
}

pub(super) fn check_input(ctx: &Context, input: &ClusterInput) -> Result<Checked> {
    validate_cluster_name(&input.name)?;
    let source = match (input.source.as_deref(), &input.kubeconfig) {
        (Some(raw), _) => raw.parse().map_err(Error::BadRequest)?,
        (None, Some(_)) => SourceKind::Kubeconfig,
        (None, None) => {
            return Err(Error::BadRequest(
                "give a kubeconfig, or \"source\": \"in-cluster\" or \"demo\"".into(),
            ));
        }
    };
    let environment = parse_environment(input.environment.as_deref())?;
    let description = check_description(input.description.as_deref())?;
    let default_namespace = check_default_namespace(input.default_namespace.as_deref())?;
    let (kubeconfig, context) = match source {
        SourceKind::Kubeconfig => {
            let text = input.kubeconfig.as_deref().unwrap_or("");
            let context = check_kubeconfig(ctx, text, input.context.as_deref())?;
            (Some(text.to_string()), context)
        }
        _ if input.kubeconfig.is_some() => {
            return Err(Error::BadRequest(format!(
                "a kubeconfig is only used with the kubeconfig source, not {}",
                source.as_str()
            )));
        }
        _ => (None, None),
    };
    Ok(Checked {
        source,
        environment,
        description,
        default_namespace,
        context,
        kubeconfig,
    })
}

pub(super) fn parse_environment(raw: Option<&str>) -> Result<Environment> {
    match raw.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(Environment::default()),
        Some(raw) => raw.parse().map_err(Error::BadRequest),
    }
}

pub(super) fn check_description(raw: Option<&str>) -> Result<String> {
    let description = raw.unwrap_or("").trim().to_string();
    if description.chars().count() > 500 {
        return Err(Error::BadRequest(
            "description is too long: at most 500 characters".into(),
        ));
    }
    Ok(description)
}

pub(super) fn check_default_namespace(raw: Option<&str>) -> Result<String> {
    let ns = raw
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    validate_namespace(ns)?;
    Ok(ns.to_string())
}

/// Parses the kubeconfig and picks the context: the given one must exist; without one the
/// kubeconfig's current context is used (recorded as `None`).
pub(super) fn check_kubeconfig(
    ctx: &Context,
    text: &str,
    context: Option<&str>,
) -> Result<Option<String>> {
    if text.trim().is_empty() {
        return Err(Error::BadRequest("kubeconfig is empty".into()));
    }
    if text.len() > MAX_KUBECONFIG_BYTES {
        return Err(Error::BadRequest(format!(
            "kubeconfig is too large: at most {} KiB",
            MAX_KUBECONFIG_BYTES / 1024
        )));
    }
    let contexts = ctx.clusters.contexts(text)?;
    match context.map(str::trim).filter(|c| !c.is_empty()) {
        Some(chosen) if contexts.iter().any(|c| c == chosen) => Ok(Some(chosen.to_string())),
        Some(chosen) => Err(Error::BadRequest(format!(
            "kubeconfig has no context {chosen:?}; it has: {}",
            contexts.join(", ")
        ))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_are_dns_labels() {
        assert!(validate_cluster_name("prod-eu-1").is_ok());
        assert!(validate_cluster_name("Prod").is_err());
        assert!(validate_cluster_name("-x").is_err());
        assert!(validate_cluster_name("").is_err());
        assert!(validate_cluster_name(&"a".repeat(64)).is_err());
        assert!(validate_cluster_name("_all").is_err());
    }
}
