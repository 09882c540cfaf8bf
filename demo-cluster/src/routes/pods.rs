//! Pod logs (deterministic lines that grow with time) and eviction honouring
//! PodDisruptionBudgets.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Req;
use super::delete::{DeleteOpts, delete_object};
use super::resource::{get_obj, parse_body};
use crate::clock::{format_time, parse_time};
use crate::controllers::pdb::disruptions_allowed;
use crate::kinds::{KINDS, res};
use crate::status::{ApiError, ApiResult, json_response, success};
use crate::{Shared, meta, selectors};

/// Simulated seconds between two log lines.
const LINE_EVERY_SIM_SECS: f64 = 2.0;
/// Lines a container has printed by the time it is Running.
const STARTUP_LINES: u64 = 5;
/// Most lines a log request renders: older lines are "rotated away", as with the
/// kubelet's log rotation.
const RETAINED_LINES: u64 = 10_000;

fn line(pod: &str, container: &str, n: u64) -> String {
    // splitmix64 finaliser: consecutive lines should not look alike.
    let mut h = meta::fnv(format!("{pod}/{container}/{n}").as_bytes());
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    match n {
        0 => format!("[{container}] starting {pod}"),
        1 => format!("[{container}] loaded configuration (12 keys)"),
        2 => format!("[{container}] listening on :8080"),
        _ => format!(
            "[{container}] {} GET /api/items/{} status={} latency={}ms",
            if h.is_multiple_of(11) { "WARN" } else { "INFO" },
            h % 97,
            if h.is_multiple_of(23) { 500 } else { 200 },
            3 + h % 90
        ),
    }
}

struct LogSource {
    pod: String,
    container: String,
    start: OffsetDateTime,
    interval_real: f64,
}

impl LogSource {
    fn time_of(&self, n: u64) -> OffsetDateTime {
        let after = n.saturating_sub(STARTUP_LINES - 1) as f64 * self.interval_real;
        self.start + time::Duration::seconds_f64(after)
    }

    fn count_now(&self) -> u64 {
        let elapsed = (OffsetDateTime::now_utc() - self.start)
            .as_seconds_f64()
            .max(0.0);
        STARTUP_LINES + (elapsed / self.interval_real) as u64
    }

    fn render(&self, n: u64, timestamps: bool) -> String {
        let text = line(&self.pod, &self.container, n);
        if timestamps {
            format!(
                "{} {text}\n",
                format_time(self.time_of(n)).replace('Z', ".000000000Z")
            )
        } else {
            format!("{text}\n")
        }
    }
}

pub fn log(app: &Arc<Shared>, ns: &str, name: &str, req: &Req) -> ApiResult<Response> {
    let def = KINDS
        .iter()
        .find(|d| d.res() == res::PODS)
        .ok_or_else(ApiError::path_not_found)?;
    let pod = get_obj(app, def, ns, name)?;
    let containers: Vec<String> = meta::get(&pod, &["spec", "containers"])
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let container = match req.query.get("container") {
        Some(c) if !c.is_empty() => c.to_string(),
        _ if containers.len() == 1 => containers[0].clone(),
        _ => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            )));
        }
    };
    if !containers.contains(&container) {
        return Err(ApiError::bad_request(format!(
            "container {container} is not valid for pod {name}"
        )));
    }
    let status = meta::get(&pod, &["status", "containerStatuses"])
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["name"] == container.as_str()).cloned());
    let started = status
        .as_ref()
        .and_then(|c| {
            c.pointer("/state/running/startedAt")
                .or_else(|| c.pointer("/state/terminated/startedAt"))
        })
        .and_then(Value::as_str)
        .and_then(parse_time);
    // A user-edited startedAt before the pod existed must not mean ages of logs.
    let created = meta::get(&pod, &["metadata", "creationTimestamp"])
        .and_then(Value::as_str)
        .and_then(parse_time);
    let started = match (started, created) {
        (Some(s), Some(c)) => Some(s.max(c)),
        (s, _) => s,
    };
    let Some(start) = started else {
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"
        )));
    };
    if req.query.flag("previous")
        && status
            .as_ref()
            .and_then(|c| c["restartCount"].as_i64())
            .unwrap_or(0)
            == 0
    {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{name}\" not found"
        )));
    }
    let src = LogSource {
        pod: name.to_string(),
        container,
        start,
        interval_real: app
            .clock
            .real(Duration::from_secs_f64(LINE_EVERY_SIM_SECS))
            .as_secs_f64()
            .max(0.001),
    };
    let timestamps = req.query.flag("timestamps");
    let since = match req.query.get("sinceSeconds") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(s) if s > 0 => Some(s),
            Ok(s) => {
                return Err(ApiError::invalid(
                    "",
                    "PodLogOptions",
                    name,
                    "sinceSeconds",
                    &format!("Invalid value: {s}: must be greater than 0"),
                ));
            }
            Err(_) => {
                return Err(ApiError::bad_request(format!(
                    "invalid value for sinceSeconds: {v:?}"
                )));
            }
        },
    };
    let total = src.count_now();
    let mut first = total.saturating_sub(RETAINED_LINES);
    // A cutoff before the Unix epoch or out of range means "everything".
    if let Some(cutoff) =
        since.and_then(|s| OffsetDateTime::now_utc().checked_sub(time::Duration::seconds(s)))
    {
        while first < total && src.time_of(first) < cutoff {
            first += 1;
        }
    }
    if let Some(tail) = req.query.int("tailLines").filter(|t| *t >= 0) {
        first = first.max(total.saturating_sub(tail as u64));
    }
    let limit = req
        .query
        .int("limitBytes")
        .filter(|l| *l >= 0)
        .map(|l| usize::try_from(l).unwrap_or(usize::MAX));
    let mut text = String::new();
    for n in first..total {
        text.push_str(&src.render(n, timestamps));
        if limit.is_some_and(|l| text.len() >= l) {
            break;
        }
    }
    if let Some(limit) = limit {
        let mut cut = limit.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    if !req.query.flag("follow") {
        let mut resp = text.into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        return Ok(resp);
    }
    let store = app.store.clone();
    let shared = app.clone();
    let (ns, pod_name) = (ns.to_string(), name.to_string());
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        if tx.send(Bytes::from(text)).await.is_err() {
            return;
        }
        let mut next = total;
        loop {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs_f64(src.interval_real.min(1.0))) => {}
                () = shared.shutting_down() => return,
            }
            if store.get(res::PODS, &ns, &pod_name).is_none() {
                return;
            }
            let now = src.count_now();
            while next < now {
                if tx
                    .send(Bytes::from(src.render(next, timestamps)))
                    .await
                    .is_err()
                {
                    return;
                }
                next += 1;
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(resp)
}

pub fn evict(app: &Arc<Shared>, ns: &str, name: &str, req: &Req) -> ApiResult<Response> {
    let body = parse_body(req)?;
    let def = KINDS
        .iter()
        .find(|d| d.res() == res::PODS)
        .ok_or_else(ApiError::path_not_found)?;
    // The budget check and the delete it allows are one step across evictions.
    let _guard = app
        .evictions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let pod = get_obj(app, def, ns, name)?;
    if !meta::is_terminating(&pod) && meta::pod_ready(&pod) {
        let pods = app.store.list(res::PODS, Some(ns)).0;
        for pdb in app.store.list(res::PDBS, Some(ns)).0 {
            let sel = pdb.pointer("/spec/selector").cloned().unwrap_or(json!({}));
            if !selectors::label_selector_object_matches(&sel, meta::labels(&pod)) {
                continue;
            }
            let (allowed, healthy, desired) = disruptions_allowed(&pdb, &pods);
            if allowed <= 0 {
                return Err(ApiError::too_many_requests(
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                    json!([{ "reason": "DisruptionBudget", "message": format!(
                        "The disruption budget {} needs {desired} healthy pods and has {healthy} currently", meta::name(&pdb)) }]),
                ));
            }
        }
    }
    let grace = body
        .pointer("/deleteOptions/gracePeriodSeconds")
        .and_then(Value::as_i64);
    let opts = DeleteOpts {
        grace,
        propagation: "Background".into(),
        precondition_uid: String::new(),
        precondition_rv: String::new(),
    };
    delete_object(app, def, ns, name, &opts)?;
    Ok(json_response(201, &success(201)))
}
