//! Watch streams: newline-delimited `WatchEvent`s (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR),
//! resumable from a resourceVersion; too-old versions get an ERROR event with 410 Expired.
//! A watcher hears only its kind's events, and an event's object is serialised once for
//! every watcher that sends it as stored.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::{HeaderValue, header};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::Req;
use crate::kinds::KindDef;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::{ApiError, ApiResult};
use crate::store::{Event, EventType};
use crate::{Shared, meta, table};

struct Filter {
    def: &'static KindDef,
    ns: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    table: bool,
    include: String,
    /// Whether the watch asked for the version objects are stored in (no conversion).
    storage_version: bool,
}

impl Filter {
    fn matches(&self, obj: &Value) -> bool {
        self.ns
            .as_deref()
            .is_none_or(|ns| meta::namespace(obj) == ns)
            && self.labels.matches(meta::labels(obj))
            && self.fields.matches(obj)
    }

    /// The event type this watcher sees for `ev`, if any: a change that moves an object
    /// into or out of the selection is an ADDED or DELETED, as on the real server.
    fn event_type(&self, ev: &Event) -> Option<&'static str> {
        let now = self.matches(&ev.obj);
        match (ev.kind, ev.prev.as_deref().map(|p| self.matches(p))) {
            (EventType::Modified, Some(false)) if now => Some("ADDED"),
            (EventType::Modified, Some(true)) if !now => Some("DELETED"),
            _ if now => Some(ev.kind.as_str()),
            _ => None,
        }
    }

    /// An event's line, from the event's shared serialisation when no conversion applies.
    fn event_line(&self, kind: &str, ev: &Event) -> Bytes {
        if self.table || !self.storage_version {
            return self.line(kind, &ev.obj);
        }
        let object = ev.object_json();
        let mut b = Vec::with_capacity(object.len() + 32);
        b.extend_from_slice(b"{\"type\":\"");
        b.extend_from_slice(kind.as_bytes());
        b.extend_from_slice(b"\",\"object\":");
        b.extend_from_slice(&object);
        b.extend_from_slice(b"}\n");
        Bytes::from(b)
    }

    fn line(&self, kind: &str, obj: &Value) -> Bytes {
        let o = super::resource::versioned(self.def, obj);
        let object = if self.table {
            let rv = meta::s(&o, &["metadata", "resourceVersion"]).to_string();
            table::table(
                self.def,
                &[&o],
                json!({ "resourceVersion": rv }),
                &self.include,
                true,
            )
        } else {
            o
        };
        let mut b =
            serde_json::to_vec(&json!({ "type": kind, "object": object })).unwrap_or_default();
        b.push(b'\n');
        Bytes::from(b)
    }
}

/// Longest watch a client can ask for (`timeoutSeconds` is clamped to it).
const MAX_TIMEOUT_SECS: i64 = 3600;

fn bookmark(def: &KindDef, rv: u64) -> Bytes {
    let ev = json!({
        "type": "BOOKMARK",
        "object": { "kind": def.kind, "apiVersion": def.api_version(), "metadata": { "resourceVersion": rv.to_string() } },
    });
    let mut b = serde_json::to_vec(&ev).unwrap_or_default();
    b.push(b'\n');
    Bytes::from(b)
}

fn error_line(e: &ApiError) -> Bytes {
    let mut b = serde_json::to_vec(&json!({ "type": "ERROR", "object": e.to_status() }))
        .unwrap_or_default();
    b.push(b'\n');
    Bytes::from(b)
}

/// Sends `ev` if the watcher sees it and it is newer than what was handled; `false` once
/// the client is gone.
async fn forward(filter: &Filter, tx: &mpsc::Sender<Bytes>, ev: &Event, last_rv: &mut u64) -> bool {
    if ev.rv <= *last_rv {
        return true;
    }
    *last_rv = ev.rv;
    match filter.event_type(ev) {
        Some(kind) => tx.send(filter.event_line(kind, ev)).await.is_ok(),
        None => true,
    }
}

/// Ends a watch that fell behind its kind's channel, as the API server does: 410.
async fn expire(tx: &mpsc::Sender<Bytes>, last_rv: u64) {
    let e = ApiError::gone(format!("too old resource version: {last_rv}"));
    let _ = tx.send(error_line(&e)).await;
}

pub fn serve(
    app: &Arc<Shared>,
    def: &'static KindDef,
    ns: Option<&str>,
    req: &Req,
) -> ApiResult<Response> {
    let filter = Filter {
        def,
        ns: ns.map(str::to_string),
        labels: LabelSelector::parse(req.query.get("labelSelector").unwrap_or(""))?,
        fields: FieldSelector::parse(req.query.get("fieldSelector").unwrap_or(""))?,
        table: table::wants_table(&req.accept),
        include: req
            .query
            .get("includeObject")
            .unwrap_or("Metadata")
            .to_string(),
        storage_version: crate::kinds::storage_def(def.res()).map(|d| d.version)
            == Some(def.version),
    };
    let rv_param = req.query.get("resourceVersion").unwrap_or("").to_string();
    let timeout = Duration::from_secs(
        req.query
            .int("timeoutSeconds")
            .filter(|t| *t > 0)
            .unwrap_or(1800)
            .min(MAX_TIMEOUT_SECS) as u64,
    );
    let bookmarks = req.query.flag("allowWatchBookmarks");
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let store = app.store.clone();
    let shared = app.clone();
    let res = def.res();

    // Initial state: "" or "0" means "start with synthetic ADDED events for what exists".
    let (initial, start_rv) = if rv_param.is_empty() || rv_param == "0" {
        let (items, rv) = store.list(res, None);
        (items, rv)
    } else {
        let rv: u64 = rv_param
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv_param}")))?;
        (Vec::new(), rv)
    };
    let subscription = store.watch_from(res, start_rv);

    tokio::spawn(async move {
        let (past, mut live) = match subscription {
            Ok(x) => x,
            Err(oldest) => {
                let e = ApiError::gone(format!("too old resource version: {start_rv} ({oldest})"));
                let _ = tx.send(error_line(&e)).await;
                return;
            }
        };
        for o in initial.iter().filter(|o| filter.matches(o)) {
            if tx.send(filter.line("ADDED", o)).await.is_err() {
                return;
            }
        }
        // The highest resourceVersion up to which every event of this watcher's kind has
        // been handled (delivered or filtered out): what a bookmark may promise.
        let mut last_rv = start_rv;
        for ev in &past {
            if !forward(&filter, &tx, ev, &mut last_rv).await {
                return;
            }
        }
        let now = tokio::time::Instant::now();
        let deadline = now
            .checked_add(timeout)
            .unwrap_or_else(|| now + Duration::from_secs(MAX_TIMEOUT_SECS as u64));
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = tx.closed() => return,
                () = shared.shutting_down() => return,
                _ = tick.tick() => {
                    if !bookmarks {
                        continue;
                    }
                    // Events are sent under the store's lock as their version is given:
                    // once the channel is drained, every event of this kind up to the
                    // version read before is handled.
                    let now = shared.store.current_rv();
                    loop {
                        match live.try_recv() {
                            Ok(ev) => {
                                if !forward(&filter, &tx, &ev, &mut last_rv).await {
                                    return;
                                }
                            }
                            Err(broadcast::error::TryRecvError::Empty) => break,
                            Err(broadcast::error::TryRecvError::Lagged(_)) => {
                                return expire(&tx, last_rv).await;
                            }
                            Err(broadcast::error::TryRecvError::Closed) => return,
                        }
                    }
                    last_rv = last_rv.max(now);
                    if tx.send(bookmark(filter.def, last_rv)).await.is_err() {
                        return;
                    }
                }
                ev = live.recv() => match ev {
                    Ok(ev) => {
                        if !forward(&filter, &tx, &ev, &mut last_rv).await {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return expire(&tx, last_rv).await;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        }
    });

    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    Ok(resp)
}
