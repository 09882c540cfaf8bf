//! Pod logs: deterministic lines that grow with simulated time, one log per container run.
//! The current run starts at `state.running.startedAt`; `previous=true` reads the run
//! before the last restart (`lastState.terminated`), whose last line says why it died.
//! Which run may be read, and the refusals, follow the kubelet's
//! `validateContainerLogStatus`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde_json::Value;
use time::OffsetDateTime;

use super::Req;
use super::resource::get_obj;
use crate::clock::{format_time, parse_time};
use crate::kinds::{KINDS, res};
use crate::status::{ApiError, ApiResult};
use crate::{Shared, meta};

/// Simulated seconds between two log lines.
const LINE_EVERY_SIM_SECS: f64 = 2.0;
/// Lines a container has printed by the time it is Running.
const STARTUP_LINES: u64 = 5;
/// Most lines a log request renders: older lines are "rotated away", as with the
/// kubelet's log rotation.
const RETAINED_LINES: u64 = 10_000;
/// The last line of a run that exited with an error.
const CRASH_LINE: &str = "panic: connection reset by peer";

fn line(pod: &str, container: &str, run: i64, n: u64) -> String {
    // splitmix64 finaliser: consecutive lines should not look alike.
    let mut h = meta::fnv(format!("{pod}/{container}/{run}/{n}").as_bytes());
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

/// How a run ended.
#[derive(Clone, Copy)]
struct Exit {
    at: OffsetDateTime,
    failed: bool,
}

/// One run of a container, as far as its log goes.
struct Run {
    /// 0 for the first run, `restartCount` for the current one.
    number: i64,
    start: OffsetDateTime,
    exit: Option<Exit>,
}

struct LogSource {
    pod: String,
    container: String,
    run: Run,
    interval_real: f64,
}

impl LogSource {
    /// Ordinary lines printed by now (or by the exit).
    fn printed(&self) -> u64 {
        let until = self.run.exit.map_or_else(OffsetDateTime::now_utc, |e| e.at);
        let elapsed = (until - self.run.start).as_seconds_f64().max(0.0);
        STARTUP_LINES + (elapsed / self.interval_real) as u64
    }

    /// All lines, including a failed run's crash line.
    fn total(&self) -> u64 {
        self.printed() + u64::from(self.run.exit.is_some_and(|e| e.failed))
    }

    fn is_crash_line(&self, n: u64) -> bool {
        self.run.exit.is_some_and(|e| e.failed) && n == self.printed()
    }

    fn time_of(&self, n: u64) -> OffsetDateTime {
        match self.run.exit {
            Some(e) if self.is_crash_line(n) => e.at,
            _ => {
                let after = n.saturating_sub(STARTUP_LINES - 1) as f64 * self.interval_real;
                self.run.start + time::Duration::seconds_f64(after)
            }
        }
    }

    fn render(&self, n: u64, timestamps: bool) -> String {
        let text = if self.is_crash_line(n) {
            format!("[{}] {CRASH_LINE}", self.container)
        } else {
            line(&self.pod, &self.container, self.run.number, n)
        };
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

fn time_at(v: &Value, pointer: &str) -> Option<OffsetDateTime> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(parse_time)
}

fn exit_of(terminated: &Value) -> Option<Exit> {
    Some(Exit {
        at: time_at(terminated, "/finishedAt")?,
        failed: terminated["exitCode"].as_i64().unwrap_or(0) != 0,
    })
}

/// The run a request reads: the previous one, or the current one, or why there is none.
fn run_to_read(
    status: Option<&Value>,
    previous: bool,
    container: &str,
    pod: &str,
) -> ApiResult<Run> {
    let restarts = status.and_then(|c| c["restartCount"].as_i64()).unwrap_or(0);
    let state = |p: &str| status.and_then(|c| c.pointer(p)).filter(|v| v.is_object());
    if previous {
        let last = state("/lastState/terminated");
        return match last.and_then(|t| Some((time_at(t, "/startedAt")?, exit_of(t)?))) {
            Some((start, exit)) => Ok(Run {
                number: (restarts - 1).max(0),
                start,
                exit: Some(exit),
            }),
            None => Err(ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{pod}\" not found"
            ))),
        };
    }
    if let Some(start) = state("/state/running").and_then(|r| time_at(r, "/startedAt")) {
        return Ok(Run {
            number: restarts,
            start,
            exit: None,
        });
    }
    if let Some(t) = state("/state/terminated")
        && let Some(start) = time_at(t, "/startedAt")
    {
        return Ok(Run {
            number: restarts,
            start,
            exit: exit_of(t),
        });
    }
    let why = match state("/state/waiting").map(|w| meta::s(w, &["reason"])) {
        Some("ErrImagePull") => "image can't be pulled",
        Some("ImagePullBackOff") => "trying and failing to pull image",
        Some(reason) if !reason.is_empty() => reason,
        _ => "ContainerCreating",
    };
    Err(ApiError::bad_request(format!(
        "container \"{container}\" in pod \"{pod}\" is waiting to start: {why}"
    )))
}

/// The container a request names, or the only one.
fn container_of(pod: &Value, name: &str, req: &Req) -> ApiResult<String> {
    let containers: Vec<String> = meta::get(pod, &["spec", "containers"])
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
    Ok(container)
}

fn container_status(pod: &Value, container: &str) -> Option<Value> {
    meta::get(pod, &["status", "containerStatuses"])
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["name"] == container).cloned())
}

/// `sinceSeconds`: positive, or a 422/400 as on the real server.
fn since_seconds(req: &Req, name: &str) -> ApiResult<Option<i64>> {
    let Some(v) = req.query.get("sinceSeconds") else {
        return Ok(None);
    };
    match v.parse::<i64>() {
        Ok(s) if s > 0 => Ok(Some(s)),
        Ok(s) => Err(ApiError::invalid(
            "",
            "PodLogOptions",
            name,
            "sinceSeconds",
            &format!("Invalid value: {s}: must be greater than 0"),
        )),
        Err(_) => Err(ApiError::bad_request(format!(
            "invalid value for sinceSeconds: {v:?}"
        ))),
    }
}

fn text_response(body: Body) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}

pub fn serve(app: &Arc<Shared>, ns: &str, name: &str, req: &Req) -> ApiResult<Response> {
    let def = KINDS
        .iter()
        .find(|d| d.res() == res::PODS)
        .ok_or_else(ApiError::path_not_found)?;
    let pod = get_obj(app, def, ns, name)?;
    let container = container_of(&pod, name, req)?;
    let status = container_status(&pod, &container);
    let mut run = run_to_read(
        status.as_ref(),
        req.query.flag("previous"),
        &container,
        name,
    )?;
    // A user-edited startedAt before the pod existed must not mean ages of logs.
    if let Some(created) = time_at(&pod, "/metadata/creationTimestamp") {
        run.start = run.start.max(created);
        if let Some(exit) = &mut run.exit {
            exit.at = exit.at.max(run.start);
        }
    }
    let running_since = status
        .as_ref()
        .and_then(|c| c.pointer("/state/running/startedAt"))
        .cloned();
    let src = LogSource {
        pod: name.to_string(),
        container: container.clone(),
        run,
        interval_real: app
            .clock
            .real(Duration::from_secs_f64(LINE_EVERY_SIM_SECS))
            .as_secs_f64()
            .max(0.001),
    };
    let timestamps = req.query.flag("timestamps");
    let since = since_seconds(req, name)?;
    let total = src.total();
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
    // A finished run has nothing more to follow.
    if !req.query.flag("follow") || src.run.exit.is_some() {
        return Ok(text_response(Body::from(text)));
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
            // The stream ends with the run: the pod went away or the container restarted.
            let same_run = store.get(res::PODS, &ns, &pod_name).is_some_and(|p| {
                container_status(&p, &src.container)
                    .and_then(|c| c.pointer("/state/running/startedAt").cloned())
                    == running_since
            });
            if !same_run {
                return;
            }
            let now = src.total();
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
    Ok(text_response(Body::from_stream(stream)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn source(run: Run) -> LogSource {
        LogSource {
            pod: "worker-1".into(),
            container: "worker".into(),
            run,
            interval_real: 1.0,
        }
    }

    #[test]
    fn a_failed_run_ends_with_its_crash_line_at_the_exit() {
        let start = OffsetDateTime::now_utc() - time::Duration::seconds(100);
        let src = source(Run {
            number: 0,
            start,
            exit: Some(Exit {
                at: start + time::Duration::seconds(10),
                failed: true,
            }),
        });
        assert_eq!(
            src.total(),
            STARTUP_LINES + 10 + 1,
            "stops growing at the exit"
        );
        let last = src.total() - 1;
        assert_eq!(
            src.render(last, false),
            "[worker] panic: connection reset by peer\n"
        );
        assert_eq!(src.time_of(last), start + time::Duration::seconds(10));
        assert!(src.render(0, false).contains("starting worker-1"));
    }

    #[test]
    fn previous_needs_a_terminated_last_state_and_waiting_says_why() {
        let running = json!({ "restartCount": 2, "state": { "running": { "startedAt": "2026-01-01T00:01:00Z" } },
            "lastState": { "terminated": { "exitCode": 1, "startedAt": "2026-01-01T00:00:10Z", "finishedAt": "2026-01-01T00:01:00Z" } } });
        let prev = run_to_read(Some(&running), true, "worker", "p").expect("previous run");
        assert_eq!(prev.number, 1);
        assert!(prev.exit.is_some_and(|e| e.failed));
        assert_eq!(
            run_to_read(Some(&running), false, "worker", "p")
                .expect("current")
                .number,
            2
        );
        let fresh = json!({ "restartCount": 0, "state": { "running": { "startedAt": "2026-01-01T00:01:00Z" } } });
        let err = run_to_read(Some(&fresh), true, "web", "p")
            .err()
            .expect("no previous");
        assert_eq!(
            err.message,
            "previous terminated container \"web\" in pod \"p\" not found"
        );
        let pulling = json!({ "state": { "waiting": { "reason": "ImagePullBackOff" } } });
        let err = run_to_read(Some(&pulling), false, "reports", "p")
            .err()
            .expect("waiting");
        assert_eq!(
            err.message,
            "container \"reports\" in pod \"p\" is waiting to start: trying and failing to pull image"
        );
    }
}
