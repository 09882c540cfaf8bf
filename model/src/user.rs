use serde::{Deserialize, Serialize};

use crate::Role;

/// The signed-in person, as the app shell shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub role: Role,
    /// The password was generated at first start and must be replaced before anything
    /// else is allowed: the console shows only the password form until it is.
    #[serde(default)]
    pub must_change_password: bool,
}

/// One account on the admin page. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    /// RFC 3339.
    pub created_at: String,
}
