//! Works out who is calling, from a bearer token or the session cookie, and records it
//! in the request for the handlers (which each re-check the role they need).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bosun_core::RequestCaller;
use bosun_core::auth::AuthMethod;
use bosun_core::{Caller, accounts, tokens, users};
use bosun_model::{Role, TokenScope};
use http::{Method, header};
use tower_sessions::Session;

use crate::api::ApiError;
use crate::http::trace::LoggedUser;
use crate::server::AppState;

fn bearer_token(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

async fn caller_from_session(
    state: &AppState,
    session: &Session,
) -> bosun_core::Result<Option<Caller>> {
    let Some(signed_in) = bosun_core::session::signed_in(session, state.session_max).await? else {
        return Ok(None);
    };
    match users::find_by_id(&state.ctx.db, signed_in.user_id).await? {
        Some(user) if !user.disabled && user.session_epoch == signed_in.epoch => {
            Ok(Some(Caller::from_user(&user, AuthMethod::Session)))
        }
        // The account was disabled, deleted, or its sessions ended (password, role,
        // "sign out everywhere") since sign-in: end this one now.
        _ => {
            bosun_core::session::end(session).await?;
            Ok(None)
        }
    }
}

/// The caller a valid token makes: its user, held to viewer when the token may only
/// read, and no request but a read at all (a read token can never change anything, not
/// even its own user's password or tokens). The token's first use of the day is audited.
async fn token_caller(
    state: &AppState,
    method: &Method,
    path: &str,
    grant: &tokens::TokenGrant,
) -> Result<Caller, bosun_core::Error> {
    let mut caller = Caller::from_user(&grant.user, AuthMethod::Token);
    let inv = bosun_core::Invocation::http(Some(caller.clone()), bosun_model::Source::Api);
    if grant.scope == TokenScope::Read {
        if method != Method::GET && method != Method::HEAD {
            let what = format!("{method} {path}");
            return Err(accounts::refuse_read_token(&state.ctx, &inv, grant, &what).await);
        }
        caller.role = caller.role.min(Role::Viewer);
    }
    accounts::note_token_use(&state.ctx, &inv, grant).await;
    Ok(caller)
}

/// Resolves the caller. An invalid bearer token is refused at once with 401, so a
/// script with a revoked token fails loudly instead of acting as nobody.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let resolved = if let Some(token) = bearer_token(&req) {
        match tokens::authenticate(&state.ctx.db, &token).await {
            Ok(Some(grant)) => {
                match token_caller(&state, req.method(), req.uri().path(), &grant).await {
                    Ok(caller) => Ok(Some(caller)),
                    Err(refused) => return ApiError(refused).into_response(),
                }
            }
            Ok(None) => {
                return ApiError(bosun_core::Error::Unauthorized).into_response();
            }
            Err(e) => Err(e),
        }
    } else if let Some(session) = req.extensions().get::<Session>().cloned() {
        caller_from_session(&state, &session).await
    } else {
        Ok(None)
    };
    let caller = match resolved {
        Ok(caller) => caller,
        Err(e) => return ApiError(e).into_response(),
    };
    let user = caller.as_ref().map(|c| c.username.clone());
    req.extensions_mut().insert(RequestCaller(caller));
    let mut response = next.run(req).await;
    if let Some(user) = user {
        response.extensions_mut().insert(LoggedUser(user));
    }
    response
}
