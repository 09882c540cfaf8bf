//! CronJob controller with a small cron parser: `*/N * * * *` runs every N minutes,
//! a fixed minute runs hourly (in simulated time). Each run creates a Job from
//! `spec.jobTemplate` and sets `status.lastScheduleTime`; old finished Jobs are pruned.
//! `status.active` lists the unfinished Jobs and `status.lastSuccessfulTime` follows the
//! latest completion, as the real controller reports them.

use serde_json::{Value, json};

use super::{Ctx, write_status};
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

/// Period of a schedule in simulated seconds.
pub fn period_secs(schedule: &str) -> f64 {
    let minute = schedule.split_whitespace().next().unwrap_or("0");
    if let Some(n) = minute
        .strip_prefix("*/")
        .and_then(|n| n.parse::<f64>().ok())
    {
        return n.max(1.0) * 60.0;
    }
    if minute == "*" {
        return 60.0;
    }
    3600.0
}

pub fn reconcile(ctx: &mut Ctx) {
    for cj in ctx.store.all(res::CRONJOBS) {
        if meta::is_terminating(&cj) {
            continue;
        }
        if !meta::b(&cj, &["spec", "suspend"]) {
            schedule(ctx, &cj);
        }
        sync_status(ctx, meta::namespace(&cj), meta::name(&cj));
    }
}

/// Starts a Job when the schedule says so.
fn schedule(ctx: &mut Ctx, cj: &Value) {
    let period = period_secs(meta::s(cj, &["spec", "schedule"]));
    let key = format!("cronjob/{}", meta::uid(cj));
    if !ctx.after(&key, period) {
        return;
    }
    ctx.state.forget(&key);
    ctx.state.since(&key);
    let tmpl = cj
        .pointer("/spec/jobTemplate")
        .cloned()
        .unwrap_or(json!({}));
    // Simulated minutes since the epoch: unique per run even when runs come faster
    // than real minutes.
    let stamp =
        (time::OffsetDateTime::now_utc().unix_timestamp() as f64 * ctx.clock.scale() / 60.0) as i64;
    let name = format!("{}-{stamp}", meta::name(cj));
    let mut job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": meta::namespace(cj),
            "labels": tmpl.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
            "annotations": { "batch.kubernetes.io/cronjob-scheduled-timestamp": now_rfc3339() },
            "ownerReferences": [meta::owner_ref(cj)],
        },
        "spec": tmpl.get("spec").cloned().unwrap_or(json!({})),
    });
    if let Some(def) = crate::kinds::storage_def(res::JOBS) {
        crate::defaults::apply(def, &mut job);
    }
    if ctx.store.create(res::JOBS, job).is_ok() {
        let msg = format!("Created job {name}");
        super::events::record(
            ctx.store,
            cj,
            "Normal",
            "SuccessfulCreate",
            &msg,
            "cronjob-controller",
        );
        let mut status = cj
            .get("status")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or(json!({}));
        status["lastScheduleTime"] = json!(now_rfc3339());
        write_status(ctx.store, res::CRONJOBS, cj, status);
    }
    prune(ctx, cj);
}

fn finished(job: &Value) -> bool {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True"
            })
        })
}

/// `status.active` and `status.lastSuccessfulTime` from the CronJob's Jobs.
fn sync_status(ctx: &Ctx, ns: &str, name: &str) {
    let Some(cj) = ctx.store.get(res::CRONJOBS, ns, name) else {
        return;
    };
    let jobs: Vec<_> = ctx
        .store
        .list(res::JOBS, Some(ns))
        .0
        .into_iter()
        .filter(|j| meta::controller_uid(j) == Some(meta::uid(&cj)))
        .collect();
    let active: Vec<Value> = jobs
        .iter()
        .filter(|j| !finished(j))
        .map(|j| {
            json!({ "apiVersion": "batch/v1", "kind": "Job", "namespace": ns, "name": meta::name(j), "uid": meta::uid(j) })
        })
        .collect();
    // RFC 3339 UTC timestamps order as strings; a successful time never moves back.
    let last_success = jobs
        .iter()
        .filter(|j| finished(j) && meta::i(j, &["status", "succeeded"]) > 0)
        .map(|j| meta::s(j, &["status", "completionTime"]))
        .chain([meta::s(&cj, &["status", "lastSuccessfulTime"])])
        .max()
        .unwrap_or("")
        .to_string();
    let mut status = cj
        .get("status")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or(json!({}));
    if let Some(m) = status.as_object_mut() {
        m.remove("active");
    }
    if !active.is_empty() {
        status["active"] = json!(active);
    }
    if !last_success.is_empty() {
        status["lastSuccessfulTime"] = json!(last_success);
    }
    write_status(ctx.store, res::CRONJOBS, &cj, status);
}

fn prune(ctx: &Ctx, cj: &Value) {
    let keep = meta::get(cj, &["spec", "successfulJobsHistoryLimit"])
        .and_then(Value::as_i64)
        .unwrap_or(3)
        .max(0) as usize;
    let mut jobs: Vec<_> = ctx
        .store
        .list(res::JOBS, Some(meta::namespace(cj)))
        .0
        .into_iter()
        .filter(|j| meta::controller_uid(j) == Some(meta::uid(cj)))
        .filter(|j| j.pointer("/status/completionTime").is_some())
        .collect();
    jobs.sort_by(|a, b| {
        meta::s(a, &["metadata", "creationTimestamp"])
            .cmp(meta::s(b, &["metadata", "creationTimestamp"]))
    });
    if jobs.len() > keep {
        for j in &jobs[..jobs.len() - keep] {
            ctx.store
                .remove(res::JOBS, meta::namespace(j), meta::name(j));
        }
    }
}
