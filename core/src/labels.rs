//! Label keys and values, checked as the API server checks them, so a bad label is
//! refused with the rule it broke before any request reaches a cluster. Taint keys and
//! values follow the same rules.

use std::collections::BTreeMap;

use crate::{Error, Result};

fn name_part_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn prefix_ok(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.len() <= 253
        && prefix.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A label or taint key: `name` or `prefix/name`.
///
/// # Errors
/// `BadRequest` naming the key and the rule.
pub fn validate_key(what: &str, key: &str) -> Result<()> {
    let ok = match key.split_once('/') {
        Some((prefix, name)) => prefix_ok(prefix) && name_part_ok(name),
        None => name_part_ok(key),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "{what} key {key:?} is invalid: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        )))
    }
}

/// A label or taint value: empty, or like a key's name part.
///
/// # Errors
/// `BadRequest` naming the value and the rule.
pub fn validate_value(what: &str, key: &str, value: &str) -> Result<()> {
    if value.is_empty() || name_part_ok(value) {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "{what} {key:?} has an invalid value {value:?}: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        )))
    }
}

/// Labels to set and to remove: something to do, every key and value valid, no key both
/// set and removed.
///
/// # Errors
/// `BadRequest` naming the label and what is wrong with it.
pub fn validate_change(set: &BTreeMap<String, String>, remove: &[String]) -> Result<()> {
    if set.is_empty() && remove.is_empty() {
        return Err(Error::BadRequest(
            "nothing to change: give labels to set or to remove".into(),
        ));
    }
    for (key, value) in set {
        validate_key("label", key)?;
        validate_value("label", key, value)?;
    }
    for key in remove {
        validate_key("label", key)?;
        if set.contains_key(key) {
            return Err(Error::BadRequest(format!(
                "label {key:?} is both set and removed"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_follow_the_api_servers_rules() {
        assert!(validate_key("label", "app").is_ok());
        assert!(validate_key("label", "node-role.kubernetes.io/worker").is_ok());
        assert!(validate_key("label", "bosun.dev/pool").is_ok());
        assert!(validate_key("label", "").is_err());
        assert!(validate_key("label", "-app").is_err());
        assert!(validate_key("label", "Bad_Prefix/x").is_err());
        assert!(validate_key("label", "a/b/c").is_err());
        assert!(validate_value("label", "k", "").is_ok());
        assert!(validate_value("label", "k", "v1.2_x").is_ok());
        assert!(validate_value("label", "k", "has space").is_err());
        assert!(validate_value("label", "k", &"x".repeat(64)).is_err());
    }
}
