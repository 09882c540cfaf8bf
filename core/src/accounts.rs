//! Account administration as audited actions: what the admin page, the REST API and the
//! `bosun user` / `bosun token` commands all call.

use bosun_model::{Action, Role, UserSummary};
use serde_json::json;

use crate::actions::perform;
use crate::authz::Target;
use crate::request::Invocation;
use crate::tokens::{self, CreatedToken};
use crate::users::{self, User};
use crate::{Context, Result};

/// Every account, oldest first.
pub async fn list(ctx: &Context, inv: &Invocation) -> Result<Vec<UserSummary>> {
    perform(
        ctx,
        inv,
        Action::UserList,
        &Target::default(),
        json!(null),
        |_| async {
            Ok(users::list(&ctx.db)
                .await?
                .iter()
                .map(User::summary)
                .collect())
        },
    )
    .await
}

/// Creates an account with a role.
pub async fn create_user(
    ctx: &Context,
    inv: &Invocation,
    username: &str,
    password: &str,
    role: Role,
) -> Result<User> {
    let params = json!({ "role": role });
    perform(
        ctx,
        inv,
        Action::UserCreate,
        &Target::user(username),
        params,
        |_| users::create(&ctx.db, username, password, role),
    )
    .await
}

/// Gives an account another role. An admin cannot take the admin role from themselves.
pub async fn set_role(ctx: &Context, inv: &Invocation, username: &str, role: Role) -> Result<User> {
    let params = json!({ "role": role });
    perform(
        ctx,
        inv,
        Action::UserSetRole,
        &Target::user(username),
        params,
        |caller| async move {
            if let Some(caller) = caller {
                users::refuse_self_demotion(&caller, username, role)?;
            }
            users::set_role(&ctx.db, username, role).await
        },
    )
    .await
}

/// Disables or re-enables an account. Nobody can disable their own account.
pub async fn set_disabled(
    ctx: &Context,
    inv: &Invocation,
    username: &str,
    disabled: bool,
) -> Result<User> {
    let action = if disabled {
        Action::UserDisable
    } else {
        Action::UserEnable
    };
    perform(
        ctx,
        inv,
        action,
        &Target::user(username),
        json!(null),
        |caller| async move {
            if let Some(caller) = caller {
                users::refuse_self_disable(&caller, username, disabled)?;
            }
            users::set_disabled(&ctx.db, username, disabled).await
        },
    )
    .await
}

/// Replaces an account's password.
pub async fn set_password(
    ctx: &Context,
    inv: &Invocation,
    username: &str,
    password: &str,
) -> Result<User> {
    perform(
        ctx,
        inv,
        Action::UserSetPassword,
        &Target::user(username),
        json!(null),
        |_| users::set_password(&ctx.db, username, password),
    )
    .await
}

/// Creates an API token for `username`; the secret is in the result only.
pub async fn create_token(
    ctx: &Context,
    inv: &Invocation,
    username: &str,
    label: Option<&str>,
) -> Result<CreatedToken> {
    let params = json!({ "label": label.unwrap_or("") });
    perform(
        ctx,
        inv,
        Action::TokenCreate,
        &Target::user(username),
        params,
        |_| tokens::create(&ctx.db, username, label),
    )
    .await
}

/// Revokes a token by id.
pub async fn revoke_token(ctx: &Context, inv: &Invocation, id: i64) -> Result<()> {
    perform(
        ctx,
        inv,
        Action::TokenRevoke,
        &Target::token(id),
        json!(null),
        |_| tokens::revoke(&ctx.db, id),
    )
    .await
}

/// The caller's own account name, for actions a person takes on themselves (anonymous
/// callers are refused by the authorization inside `perform`).
fn own_name(inv: &Invocation) -> String {
    inv.caller
        .as_ref()
        .map(|c| c.username.clone())
        .unwrap_or_default()
}

/// A person changes their own password, proving the current one (throttled like a
/// sign-in). Every other session and token of theirs ends; the caller re-establishes
/// the session this came from with the returned account.
pub async fn change_own_password(
    ctx: &Context,
    inv: &Invocation,
    current: &str,
    new: &str,
) -> Result<User> {
    let name = own_name(inv);
    perform(
        ctx,
        inv,
        Action::PasswordChange,
        &Target::user(&name),
        json!(null),
        |_| async {
            let user = users::find(&ctx.db, &name).await?;
            let attempt = ctx.throttle.begin(&name, None)?;
            if !crate::password::verify_async(current, &user.password_hash).await? {
                return Err(crate::Error::BadRequest(
                    "the current password is wrong".into(),
                ));
            }
            ctx.throttle.succeeded(&name, None, attempt);
            users::set_password(&ctx.db, &name, new).await
        },
    )
    .await
}

/// A person ends all their own sessions and API tokens, this one included.
pub async fn end_own_sessions(ctx: &Context, inv: &Invocation) -> Result<User> {
    let name = own_name(inv);
    perform(
        ctx,
        inv,
        Action::SessionsEnd,
        &Target::user(&name),
        json!(null),
        |_| users::end_sessions(&ctx.db, &name),
    )
    .await
}

/// An admin ends all sessions and API tokens of an account.
pub async fn end_sessions(ctx: &Context, inv: &Invocation, username: &str) -> Result<User> {
    perform(
        ctx,
        inv,
        Action::UserSessionsEnd,
        &Target::user(username),
        json!(null),
        |_| users::end_sessions(&ctx.db, username),
    )
    .await
}
