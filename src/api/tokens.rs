//! API tokens over the API: a person lists, makes and revokes their own; an admin lists
//! and revokes anyone's. A secret is in the answer that made it, and nowhere else.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::accounts;
use bosun_core::tokens::TokenOptions;
use bosun_model::{IssuedToken, NewToken, TokenInfo};
use http::StatusCode;
use serde::Deserialize;

use super::{Api, ApiError, ApiJson, ApiPath, Data, data};
use crate::server::AppState;

/// `/me/tokens/{id}`, `/tokens/{id}`
#[derive(Debug, Deserialize)]
pub struct TokenPath {
    id: i64,
}

/// `GET /me/tokens`: the caller's tokens, newest first (never a secret).
pub async fn list_own(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Vec<TokenInfo>>, ApiError> {
    Ok(data(accounts::list_own_tokens(&state.ctx, &inv).await?))
}

/// `POST /me/tokens` `{"label","scope","expires_days"}`: 201 with the secret, shown once.
pub async fn create_own(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(wanted): ApiJson<NewToken>,
) -> Result<Response, ApiError> {
    let options = TokenOptions {
        label: Some(wanted.label),
        scope: wanted.scope,
        expires_days: wanted.expires_days,
    };
    let made = accounts::create_own_token(&state.ctx, &inv, &options).await?;
    let issued = IssuedToken {
        id: made.id,
        token: made.secret,
        scope: made.scope,
        expires_at: made.expires_at,
    };
    Ok((StatusCode::CREATED, data(issued)).into_response())
}

/// `DELETE /me/tokens/{id}`: revokes one of the caller's tokens.
pub async fn revoke_own(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<TokenPath>,
) -> Result<Data<serde_json::Value>, ApiError> {
    accounts::revoke_own_token(&state.ctx, &inv, path.id).await?;
    Ok(data(serde_json::json!({ "revoked": path.id })))
}

/// `GET /tokens`: every account's tokens (admins).
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Vec<TokenInfo>>, ApiError> {
    Ok(data(accounts::list_tokens(&state.ctx, &inv).await?))
}

/// `DELETE /tokens/{id}`: revokes anyone's token (admins).
pub async fn revoke(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<TokenPath>,
) -> Result<Data<serde_json::Value>, ApiError> {
    accounts::revoke_token(&state.ctx, &inv, path.id).await?;
    Ok(data(serde_json::json!({ "revoked": path.id })))
}
