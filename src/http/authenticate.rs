//! Works out who is calling, from a bearer token or the session cookie, and records it
//! in the request for the handlers (which each re-check the role they need).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bosun_core::RequestCaller;
use bosun_core::auth::AuthMethod;
use bosun_core::{Caller, tokens, users};
use http::header;
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

/// Resolves the caller. An invalid bearer token is refused at once with 401, so a
/// script with a revoked token fails loudly instead of acting as nobody.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let resolved = if let Some(token) = bearer_token(&req) {
        match tokens::authenticate(&state.ctx.db, &token).await {
            Ok(Some(user)) => Ok(Some(Caller::from_user(&user, AuthMethod::Token))),
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
