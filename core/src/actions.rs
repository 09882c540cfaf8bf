//! The one audited action call: authorize (a refusal is audited too) → the one call that
//! does the work → one audit record → the result. Every mutating action of Bosun, from a
//! page, the REST API, the command line or a batch, goes through [`perform`]; transports
//! only adapt their input and output.

use std::future::Future;

use bosun_model::{Action, Outcome};

use crate::audit::{self, Record};
use crate::auth::Caller;
use crate::authz::{self, Target};
use crate::request::Invocation;
use crate::{Context, Error, Result};

/// Authorizes `action` on `target` for the invocation's caller, runs `call`, and writes
/// the audit record of a mutating action (and of any refusal of a signed-in caller).
///
/// `parameters` is what the request asked for (`{"replicas": 3}`), recorded as given;
/// it must never hold secrets.
///
/// # Errors
/// `Unauthorized` without a caller when one is needed, `Forbidden` when the role is
/// too low, else whatever `call` returned.
pub async fn perform<T, F, Fut>(
    ctx: &Context,
    invocation: &Invocation,
    action: Action,
    target: &Target,
    parameters: serde_json::Value,
    call: F,
) -> Result<T>
where
    F: FnOnce(Option<Caller>) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let caller = permit(ctx, invocation, action, target, &parameters).await?;
    let result = call(caller).await;
    if action.mutates() {
        write(
            ctx,
            invocation,
            None,
            action,
            target,
            &parameters,
            result.as_ref().map(|_| ()),
        )
        .await;
    }
    result
}

/// A read of `target`: authorized like every call (a refusal is audited), nothing
/// recorded when it is allowed.
pub async fn read<T, F>(ctx: &Context, inv: &Invocation, target: Target, call: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    perform(
        ctx,
        inv,
        Action::Read,
        &target,
        serde_json::Value::Null,
        |_| call,
    )
    .await
}

/// Runs an action to its end in a task of its own. A request's future is dropped when its
/// client goes away (a closed tab, a curl timeout); an action whose request to a cluster
/// was already sent must still finish and be written to the audit log, so actions that
/// reach clusters run detached and the request only waits for them.
///
/// # Errors
/// The action's own error; a panic in it is an internal error.
pub async fn detached<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
{
    tokio::spawn(work)
        .await
        .map_err(|e| Error::Internal(format!("an action's task failed: {e}")))?
}

/// Authorizes `action` on `target`, writing the refusal to the audit log when a signed-in
/// caller is refused. Anonymous refusals are not written: a stranger must not be able to
/// fill the log (the request log has them).
///
/// # Errors
/// `Unauthorized` or `Forbidden`, as [`authz::authorize`] decides.
pub async fn permit(
    ctx: &Context,
    invocation: &Invocation,
    action: Action,
    target: &Target,
    parameters: &serde_json::Value,
) -> Result<Option<Caller>> {
    match authz::authorize(invocation.caller.as_ref(), action, target) {
        Ok(caller) => Ok(caller.cloned()),
        Err(refusal) => {
            if invocation.caller.is_some() {
                write(
                    ctx,
                    invocation,
                    None,
                    action,
                    target,
                    parameters,
                    Err(&refusal),
                )
                .await;
            }
            Err(refusal)
        }
    }
}

/// Writes the record of an action that cannot be authorized up front because who acts
/// is what it establishes (signing in). `user` names the account once it is known.
pub(crate) async fn record(
    ctx: &Context,
    invocation: &Invocation,
    user: Option<&str>,
    action: Action,
    target: &Target,
    result: Result<(), &Error>,
) {
    write(
        ctx,
        invocation,
        user,
        action,
        target,
        &serde_json::Value::Null,
        result,
    )
    .await;
}

/// Writes the record of a step the console takes on its own after the request that
/// caused it (a tracked operation's forced fallback, its end), in the name of the
/// invocation that started it.
pub(crate) async fn log(
    ctx: &Context,
    invocation: &Invocation,
    action: Action,
    target: &Target,
    parameters: &serde_json::Value,
    result: Result<(), &Error>,
) {
    write(ctx, invocation, None, action, target, parameters, result).await;
}

async fn write(
    ctx: &Context,
    invocation: &Invocation,
    user: Option<&str>,
    action: Action,
    target: &Target,
    parameters: &serde_json::Value,
    result: Result<(), &Error>,
) {
    let (outcome, error) = match result {
        Ok(()) => (Outcome::Succeeded, String::new()),
        Err(e) if e.is_denial() => (Outcome::Denied, e.to_string()),
        Err(e) => (Outcome::Failed, e.to_string()),
    };
    let internal = result.is_err_and(|e| e.code() == bosun_model::ErrorCode::InternalError);
    audit::insert(
        &ctx.db,
        Record {
            invocation,
            user,
            action,
            target,
            parameters,
            outcome,
            error: &error,
            internal,
        },
    )
    .await;
}

/// Reads the audit log: every column can be filtered. Viewers and up; only admins read
/// the names typed at failed sign-ins and the text of internal errors (see
/// [`audit::Readers`]).
pub async fn audit_log(
    ctx: &Context,
    invocation: &Invocation,
    query: &bosun_model::AuditQuery,
) -> Result<bosun_model::Page<bosun_model::AuditEntry>> {
    let target = Target::scope(
        query.cluster.as_deref().unwrap_or(""),
        query.namespace.as_deref().unwrap_or(""),
    );
    perform(
        ctx,
        invocation,
        Action::AuditRead,
        &target,
        serde_json::Value::Null,
        |caller| {
            let readers = if caller.is_some_and(|c| c.role.allows(bosun_model::Role::Admin)) {
                audit::Readers::Admins
            } else {
                audit::Readers::Everyone
            };
            audit::query(&ctx.db, query, readers)
        },
    )
    .await
}
