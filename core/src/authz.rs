//! Authorization: may this caller perform this action on this target?
//!
//! This is the one place that decides. Today it compares the caller's role with the
//! action's required role; per-cluster and per-namespace team grants will extend this
//! function and nothing else, because every server function, REST handler, CLI command
//! and batch item reaches it with the target in hand.

use bosun_model::Action;

use crate::auth::Caller;
use crate::{Error, Result};

/// What an action is done to: any of the four may be empty (a user has no cluster; a
/// cluster-wide read has no namespace).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub cluster: String,
    pub namespace: String,
    pub kind: String,
    pub name: String,
}

impl Target {
    /// An object in a cluster.
    #[must_use]
    pub fn object(object: &bosun_model::ObjectRef) -> Self {
        Self {
            cluster: object.cluster.clone(),
            namespace: object.namespace.clone(),
            kind: object.kind.route().to_string(),
            name: object.name.clone(),
        }
    }

    /// A whole cluster (or every cluster, with an empty name).
    #[must_use]
    pub fn cluster(name: &str) -> Self {
        Self {
            cluster: name.to_string(),
            kind: "cluster".to_string(),
            ..Self::default()
        }
    }

    /// Objects of one cluster and namespace (either may be empty for "all").
    #[must_use]
    pub fn scope(cluster: &str, namespace: &str) -> Self {
        Self {
            cluster: cluster.to_string(),
            namespace: namespace.to_string(),
            ..Self::default()
        }
    }

    /// A Bosun account.
    #[must_use]
    pub fn user(username: &str) -> Self {
        Self {
            kind: "user".to_string(),
            name: username.trim().to_ascii_lowercase(),
            ..Self::default()
        }
    }

    /// Something Bosun itself keeps (a template, a task), by kind and name or id.
    #[must_use]
    pub fn stored(kind: &str, name: &str) -> Self {
        Self {
            kind: kind.to_string(),
            name: name.to_string(),
            ..Self::default()
        }
    }

    /// An API token.
    #[must_use]
    pub fn token(id: i64) -> Self {
        Self {
            kind: "token".to_string(),
            name: id.to_string(),
            ..Self::default()
        }
    }
}

/// 401 for nobody when the action needs a role, 403 (naming the role) for too little,
/// else the caller. `target` is where team grants will be checked.
pub fn authorize<'a>(
    caller: Option<&'a Caller>,
    action: Action,
    _target: &Target,
) -> Result<Option<&'a Caller>> {
    let Some(required) = action.required_role() else {
        return Ok(caller);
    };
    let caller = caller.ok_or(Error::Unauthorized)?;
    if caller.must_change_password && !action.allowed_before_password_change() {
        return Err(Error::Forbidden(format!(
            "{} must replace the generated first password before anything else: \
             change it on the account page or with POST /api/v1/me/password",
            caller.username
        )));
    }
    if caller.role.allows(required) {
        Ok(Some(caller))
    } else {
        Err(Error::Forbidden(format!(
            "{} needs the {required} role; {} is {}",
            action.label().to_lowercase(),
            caller.username,
            caller.role
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthMethod;
    use bosun_model::Role;

    fn caller(role: Role) -> Caller {
        Caller {
            user_id: 1,
            username: "bob".into(),
            role,
            via: AuthMethod::Session,
            must_change_password: false,
        }
    }

    #[test]
    fn viewer_cannot_restart_but_operator_can() {
        let target = Target::default();
        let viewer = caller(Role::Viewer);
        let err = authorize(Some(&viewer), Action::Restart, &target).unwrap_err();
        assert_eq!(
            err.to_string(),
            "restart needs the operator role; bob is viewer"
        );
        let operator = caller(Role::Operator);
        assert!(authorize(Some(&operator), Action::Restart, &target).is_ok());
        assert!(matches!(
            authorize(None, Action::Read, &target),
            Err(Error::Unauthorized)
        ));
        assert!(authorize(None, Action::SignIn, &target).unwrap().is_none());
    }
}
