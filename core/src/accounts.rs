//! Account administration as audited actions: what the admin page, the REST API and the
//! `bosun user` / `bosun token` commands all call.

use bosun_model::{Action, DEFAULT_TOKEN_DAYS, Role, TokenInfo, TokenScope, UserSummary};
use serde_json::json;

use crate::actions::perform;
use crate::authz::Target;
use crate::request::Invocation;
use crate::tokens::{self, CreatedToken, TokenOptions};
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

/// Creates a token for any account (admins; `bosun token create`).
pub async fn create_token(
    ctx: &Context,
    inv: &Invocation,
    username: &str,
    options: &TokenOptions,
) -> Result<CreatedToken> {
    let params = token_parameters(options);
    perform(
        ctx,
        inv,
        Action::TokenCreate,
        &Target::user(username),
        params,
        |_| tokens::create(&ctx.db, username, options),
    )
    .await
}

/// What the audit log keeps of a new token: never its secret.
fn token_parameters(options: &TokenOptions) -> serde_json::Value {
    json!({
        "label": options.label.as_deref().unwrap_or(""),
        "scope": options.scope.unwrap_or(TokenScope::Role).as_str(),
        "expires_days": options.expires_days.unwrap_or(DEFAULT_TOKEN_DAYS),
    })
}

/// A person makes a token for themselves, signed in: a token cannot make another (a
/// leaked token must not outlive its expiry by making a longer-lived one), and a read
/// token can make nothing at all.
pub async fn create_own_token(
    ctx: &Context,
    inv: &Invocation,
    options: &TokenOptions,
) -> Result<CreatedToken> {
    if inv
        .caller
        .as_ref()
        .is_some_and(|c| c.via == crate::auth::AuthMethod::Token)
    {
        return Err(crate::Error::Forbidden(
            "an API token cannot make tokens: sign in to make one".into(),
        ));
    }
    let name = own_name(inv);
    perform(
        ctx,
        inv,
        Action::OwnTokenCreate,
        &Target::user(&name),
        token_parameters(options),
        |_| tokens::create(&ctx.db, &name, options),
    )
    .await
}

/// The caller's own tokens, newest first.
pub async fn list_own_tokens(ctx: &Context, inv: &Invocation) -> Result<Vec<TokenInfo>> {
    let user_id = inv.caller.as_ref().map_or(-1, |c| c.user_id);
    crate::actions::read(ctx, inv, Target::user(&own_name(inv)), async {
        tokens::list(&ctx.db, Some(user_id)).await
    })
    .await
}

/// Every account's tokens (admins).
pub async fn list_tokens(ctx: &Context, inv: &Invocation) -> Result<Vec<TokenInfo>> {
    perform(
        ctx,
        inv,
        Action::TokenList,
        &Target::default(),
        json!(null),
        |_| tokens::list(&ctx.db, None),
    )
    .await
}

/// A person revokes one of their own tokens; someone else's is "not found" to them.
pub async fn revoke_own_token(ctx: &Context, inv: &Invocation, id: i64) -> Result<()> {
    let user_id = inv.caller.as_ref().map(|c| c.user_id);
    perform(
        ctx,
        inv,
        Action::OwnTokenRevoke,
        &Target::token(id),
        json!(null),
        |_| async move {
            if tokens::owner(&ctx.db, id).await? != user_id || user_id.is_none() {
                return Err(crate::Error::NotFound(format!(
                    "you have no active token with id {id}"
                )));
            }
            tokens::revoke(&ctx.db, id).await
        },
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
            // A generated password is replaced by one of the person's own, not kept.
            if user.must_change_password && new == current {
                return Err(crate::Error::BadRequest(
                    "the new password is the generated one: choose your own".into(),
                ));
            }
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

/// Writes a token's first use of the day to the audit log (later uses that day are not:
/// a script calling every second would drown the log).
pub async fn note_token_use(ctx: &Context, inv: &Invocation, grant: &tokens::TokenGrant) {
    if grant.first_use_today {
        crate::actions::log(
            ctx,
            inv,
            Action::TokenUse,
            &Target::token(grant.id),
            &json!({ "scope": grant.scope.as_str() }),
            Ok(()),
        )
        .await;
    }
}

/// Refuses, and audits the refusal of, a change asked with a read token.
pub async fn refuse_read_token(
    ctx: &Context,
    inv: &Invocation,
    grant: &tokens::TokenGrant,
    what: &str,
) -> crate::Error {
    let error =
        crate::Error::Forbidden(format!("token {} is read-only: it cannot {what}", grant.id));
    crate::actions::log(
        ctx,
        inv,
        Action::TokenUse,
        &Target::token(grant.id),
        &json!({ "scope": grant.scope.as_str(), "refused": what }),
        Err(&error),
    )
    .await;
    error
}
