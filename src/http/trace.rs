//! Gives every request a trace id and writes one log line for it when it completes. The
//! id is the task-local of `bosun_core::request`, the one mechanism every layer reads
//! (error bodies, audit records, server functions).

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bosun_core::request::with_trace_id;

/// Put on a response by the authentication middleware so the log line names the user.
#[derive(Clone, Debug)]
pub struct LoggedUser(pub String);

/// Logs `trace_id method path status latency user` for each request.
pub async fn trace_requests(req: Request, next: Next) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let mut response = with_trace_id(trace_id.clone(), next.run(req)).await;
    let user = response
        .extensions()
        .get::<LoggedUser>()
        .map_or_else(|| "-".to_string(), |u| u.0.clone());
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "bosun::request",
        trace_id = %trace_id,
        method = %method,
        path = %path,
        status,
        latency_ms = format!("{latency_ms:.1}"),
        user = %user,
        "request"
    );
    if let Ok(value) = http::HeaderValue::from_str(&trace_id) {
        response.headers_mut().insert("x-trace-id", value);
    }
    response
}
