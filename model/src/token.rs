//! API tokens as their owners and admins see them: never the secret, which is shown once.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How long a token lives when its maker does not say.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
/// The longest life a token may be given.
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// What a token may do: `read` can never change anything whatever its user's role;
/// `role` acts with the user's full role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    Read,
    Role,
}

impl TokenScope {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Role => "role",
        }
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenScope {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "read" => Ok(TokenScope::Read),
            "role" => Ok(TokenScope::Role),
            other => Err(format!(
                "token scope {other:?} is unknown: it is `read` or `role`"
            )),
        }
    }
}

/// What a new token is to be: `POST /me/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    #[serde(default)]
    pub label: String,
    /// `role` when not given.
    #[serde(default)]
    pub scope: Option<TokenScope>,
    /// Days until it expires; [`DEFAULT_TOKEN_DAYS`] when not given.
    #[serde(default)]
    pub expires_days: Option<u32>,
}

/// A token just made: the only time its secret is shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub id: i64,
    pub token: String,
    pub scope: TokenScope,
    /// RFC 3339.
    pub expires_at: String,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("id", &self.id)
            .field("scope", &self.scope)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A token in a list (its own user's, or every one for an admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub username: String,
    pub label: String,
    pub scope: TokenScope,
    /// RFC 3339, as every time below.
    pub created_at: String,
    /// `None` for a token made before tokens expired.
    pub expires_at: Option<String>,
    /// To the minute.
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Not revoked, not expired, and made in its user's current session epoch.
    pub active: bool,
}
