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
    let attempt = ctx.throttle.begin(username, client)?;
    let found = match users::find(&ctx.db, username).await {
        Ok(user) => Some(user),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    // The decoy path verifies against a fixed hash, so a missing account costs the same
    // time as a wrong password; a disabled account is checked only after verifying.
    let verified = match found {
        Some(user) => (password::verify_async(plain_password, &user.password_hash).await?
            && !user.disabled)
            .then_some(user),
        None => {
            password::verify_async(plain_password, password::decoy_hash()).await?;
            None
        }
    };
    match verified {
        Some(user) => {
            ctx.throttle.succeeded(username, client, attempt);
            Ok(user)
        }
        None => Err(Error::BadCredentials),
    }
}

/// Signs in: [`verify_login`], then one audit record of how it went. Both the REST API and
/// the sign-in page call this, so both audit the same way. Refusals before any password
/// check (throttled, malformed) are not attempts on an account and are not audited (an
/// anonymous client must not be able to fill the audit log); the request log has them.
pub async fn sign_in(
    ctx: &Context,
    username: &str,
    plain_password: &str,
    client: Option<IpAddr>,
    trace_id: &str,
) -> Result<User> {
    let verified = verify_login(ctx, username, plain_password, client).await;
    if matches!(
        &verified,
        Err(Error::TooManyAttempts { .. } | Error::BadRequest(_))
    ) {
        return verified;
    }
    let attempted = username.trim().to_ascii_lowercase();
    // Until the password is verified, the caller is nobody in particular.
    let actor = if verified.is_ok() {
        attempted.as_str()
    } else {
        "anonymous"
    };
    let target = crate::users::audit_target(&attempted);
    let outcome = verified.as_ref().map(|_| ());
    crate::audit::record_result(&ctx.db, actor, "session.login", &target, trace_id, outcome).await;
    verified
}
