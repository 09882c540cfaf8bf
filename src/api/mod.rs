//! The `/api/v1` JSON API for automation. Handlers share the domain calls with the
//! server functions; only the envelope differs (`{"data": ...}` or an error body).

mod audit;
mod auth;
mod clusters;
mod envelope;
mod users;

use axum::Router;
use axum::routing::{get, patch, post};

pub use envelope::{ApiError, ApiJson, Data};

use crate::server::AppState;

/// Every REST route, with the least role each needs (`None`: anyone). Kept beside
/// [`router`] by hand; the authorization matrix test walks this list, so a route added
/// to the router must be added here to be covered.
pub const ROUTES: &[(&str, &str, Option<bosun_core::Role>)] = &[
    ("POST", "/api/v1/login", None),
    ("POST", "/api/v1/logout", None),
    ("GET", "/api/v1/me", Some(bosun_core::Role::Viewer)),
    ("GET", "/api/v1/users", Some(bosun_core::Role::Admin)),
    ("POST", "/api/v1/users", Some(bosun_core::Role::Admin)),
    (
        "PATCH",
        "/api/v1/users/{name}",
        Some(bosun_core::Role::Admin),
    ),
    ("GET", "/api/v1/audit", Some(bosun_core::Role::Viewer)),
    ("GET", "/api/v1/clusters", Some(bosun_core::Role::Viewer)),
];

/// The `/api/v1` router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{name}", patch(users::update))
        .route("/audit", get(audit::recent))
        .route("/clusters", get(clusters::list))
        .fallback(|| async { ApiError(bosun_core::Error::NotFound("no such API endpoint".into())) })
}
