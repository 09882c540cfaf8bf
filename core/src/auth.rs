//! Who is calling, and whether they may: sign-in checks and the one-line role check that
//! every server function and REST handler starts with.

use std::net::IpAddr;

use bosun_model::{Me, Role};

use crate::users::{self, User};
use crate::{Context, Error, Result, password};

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Session,
    Token,
}

/// An authenticated, enabled account making the current request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub via: AuthMethod,
}

impl Caller {
    #[must_use]
    pub fn from_user(user: &User, via: AuthMethod) -> Self {
        Self {
            user_id: user.id,
            username: user.username.clone(),
            role: user.role,
            via,
        }
    }

    /// Fails with 403 unless this caller's role includes `required`.
    pub fn require(&self, required: Role) -> Result<&Self> {
        if self.role.allows(required) {
            Ok(self)
        } else {
            Err(Error::Forbidden(format!(
                "this needs the {required} role; {} is {}",
                self.username, self.role
            )))
        }
    }

    /// What the app shell shows about the caller.
    #[must_use]
    pub fn me(&self) -> Me {
        Me {
            username: self.username.clone(),
            role: self.role,
        }
    }
}

/// The one-line authorization check: 401 for nobody, 403 for too little, else the caller.
pub fn require(caller: Option<&Caller>, required: Role) -> Result<&Caller> {
    caller.ok_or(Error::Unauthorized)?.require(required)
}

/// Checks a user name and password, with throttling. Whether the account is missing,
/// disabled or the password is wrong, the answer and the time taken are the same.
pub async fn verify_login(
    ctx: &Context,
    username: &str,
    plain_password: &str,
    client: Option<IpAddr>,
) -> Result<User> {
    if username.trim().is_empty() || plain_password.is_empty() {
        return Err(Error::BadRequest(
            "user name and password are required".into(),
        ));
    }
    if username.len() > 256 || plain_password.len() > password::MAX_PASSWORD_LEN {
        return Err(Error::BadRequest(
            "user name or password is too long".into(),
        ));
    }
    ctx.throttle.check(username, client)?;
    let found = match users::find(&ctx.db, username).await {
        Ok(user) => Some(user),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let candidate = plain_password.to_owned();
    let verified = tokio::task::spawn_blocking(move || match found {
        Some(user) => {
            let ok = password::verify(&candidate, &user.password_hash) && !user.disabled;
            ok.then_some(user)
        }
        None => {
            password::verify_decoy(&candidate);
            None
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("password check task: {e}")))?;
    match verified {
        Some(user) => {
            ctx.throttle.record_success(username);
            Ok(user)
        }
        None => {
            ctx.throttle.record_failure(username, client);
            Err(Error::BadCredentials)
        }
    }
}
