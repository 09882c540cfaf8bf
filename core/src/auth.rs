//! Who is calling: the authenticated caller, sign-in checks with throttling, sign-out.

use std::net::IpAddr;

use bosun_model::{Action, Me, Role};

use crate::authz::Target;
use crate::request::Invocation;
use crate::users::{self, User};
use crate::{Context, Error, Result, actions, password};

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Session,
    Token,
    /// The command line on the server's own machine.
    Local,
}

/// An authenticated, enabled account making the current request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub via: AuthMethod,
    /// Only a password change, signing out and asking who one is are allowed.
    pub must_change_password: bool,
}

impl Caller {
    #[must_use]
    pub fn from_user(user: &User, via: AuthMethod) -> Self {
        Self {
            user_id: user.id,
            username: user.username.clone(),
            role: user.role,
            via,
            must_change_password: user.must_change_password,
        }
    }

    /// The command line: an administrator named `cli` (no account behind it).
    #[must_use]
    pub fn local() -> Self {
        Self {
            user_id: 0,
            username: "cli".to_string(),
            role: Role::Admin,
            via: AuthMethod::Local,
            must_change_password: false,
        }
    }

    /// What the app shell shows about the caller.
    #[must_use]
    pub fn me(&self) -> Me {
        Me {
            username: self.username.clone(),
            role: self.role,
            must_change_password: self.must_change_password,
        }
    }
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
    invocation: &Invocation,
    username: &str,
    plain_password: &str,
    client: Option<IpAddr>,
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
    let user = verified.as_ref().ok().map(|_| attempted.as_str());
    let target = Target::user(&attempted);
    let outcome = verified.as_ref().map(|_| ());
    actions::record(ctx, invocation, user, Action::SignIn, &target, outcome).await;
    verified
}

/// Signs out: the session is deleted from the store and the sign-out is audited for a
/// signed-in caller (a sign-out without a session changes nothing and is not recorded).
pub async fn sign_out(
    ctx: &Context,
    invocation: &Invocation,
    session: &tower_sessions::Session,
) -> Result<()> {
    let Some(caller) = invocation.caller.as_ref() else {
        return crate::session::end(session).await;
    };
    let target = Target::user(&caller.username);
    actions::perform(
        ctx,
        invocation,
        Action::SignOut,
        &target,
        serde_json::Value::Null,
        |_| crate::session::end(session),
    )
    .await
}
