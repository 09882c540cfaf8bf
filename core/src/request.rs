//! Who is asking, from where, under which trace id: what every domain call receives from
//! its transport (a page's server function, the REST API or the command line).

use bosun_model::Source;

use crate::auth::Caller;

tokio::task_local! {
    /// The trace id of the request this task serves. Set once per request by the server's
    /// outermost middleware; read by error bodies, the audit log and log lines.
    static TRACE_ID: String;
}

/// Runs `fut` with `trace_id` as the current trace id.
pub async fn with_trace_id<F: std::future::Future>(trace_id: String, fut: F) -> F::Output {
    TRACE_ID.scope(trace_id, fut).await
}

/// The trace id of the current request, or empty outside one.
#[must_use]
pub fn current_trace_id() -> String {
    TRACE_ID.try_with(Clone::clone).unwrap_or_default()
}

/// The client's address as the console trusts it: the peer, or behind a trusted proxy the
/// address the proxy forwarded. Put in the request's extensions by the server; the
/// sign-in throttle keys on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The authenticated caller of the current HTTP request, put in the request's extensions
/// by the server's authentication middleware (`None` for anonymous requests).
#[derive(Clone, Debug, Default)]
pub struct RequestCaller(pub Option<Caller>);

/// One request to the domain: the caller (if any), the transport it came through, and
/// the trace id that ties its log lines and audit record together.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub caller: Option<Caller>,
    pub source: Source,
    pub trace_id: String,
}

impl Invocation {
    /// An invocation from an HTTP request, with the current trace id.
    #[must_use]
    pub fn http(caller: Option<Caller>, source: Source) -> Self {
        Self {
            caller,
            source,
            trace_id: current_trace_id(),
        }
    }

    /// An invocation from the command line: whoever can run `bosun` on the data directory
    /// already holds the database, so the CLI acts as an administrator named `cli`.
    #[must_use]
    pub fn cli() -> Self {
        Self {
            caller: Some(Caller::local()),
            source: Source::Cli,
            trace_id: uuid::Uuid::new_v4().to_string(),
        }
    }

    /// The caller's name for the audit log.
    #[must_use]
    pub fn actor(&self) -> &str {
        self.caller
            .as_ref()
            .map_or("anonymous", |c| c.username.as_str())
    }
}
