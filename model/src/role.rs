use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a person may do in Bosun. Roles are ordered: each one includes the ones before it,
/// so an authorization check is a single comparison (`caller.role >= Role::Operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything the console shows; changes nothing.
    Viewer,
    /// Acts on workloads, rollouts and virtual machines.
    Operator,
    /// Manages clusters, users and everything else.
    Admin,
}

impl Role {
    /// Every role, lowest first, for pickers and for tests that walk the whole matrix.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    /// The name stored in the database and shown to people.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// Whether this role grants at least what `required` grants.
    #[must_use]
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of `viewer`, `operator`, `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected viewer, operator or admin")]
pub struct ParseRoleError(pub String);

impl FromStr for Role {
    type Err = ParseRoleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            _ => Err(ParseRoleError(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Admin.allows(Role::Operator));
        assert!(Role::Operator.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Operator));
        assert!(!Role::Operator.allows(Role::Admin));
    }

    #[test]
    fn parse_rejects_unknown_role_with_its_name() {
        assert_eq!("Operator".parse::<Role>(), Ok(Role::Operator));
        let err = "root".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("\"root\""));
    }
}
