//! Seeded OpenKruise workloads (the CloneSets under Rollouts are in `rollouts.rs`):
//! Advanced StatefulSet `shop/redis`; Advanced DaemonSet `kube-system/log-agent`; and,
//! with no controller behind them, BroadcastJob `data/warm-cache` (completed) and
//! AdvancedCronJob `data/nightly-report`, whose seeded status stays as seeded.

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{container, put, template};
use crate::clock::format_time;
use crate::controllers::revisions::revision_object;
use crate::error::Result;
use crate::kinds::res;
use crate::store::Store;

pub fn kruise(store: &Store) -> Result<()> {
    // An Advanced StatefulSet, restarted with a merge patch as Kruise workloads are.
    put(
        store,
        res::KRUISE_STATEFULSETS,
        json!({
            "metadata": { "name": "redis", "namespace": "shop", "labels": { "app": "redis" } },
            "spec": {
                "replicas": 2,
                "serviceName": "redis",
                "selector": { "matchLabels": { "app": "redis" } },
                "template": template("redis", json!([container("redis", "redis:7.4", 6379)])),
            },
        }),
    )?;
    advanced_daemonset(store)?;
    batch(store)?;
    Ok(())
}

/// `kube-system/log-agent` on every node, with the ControllerRevision of its template.
fn advanced_daemonset(store: &Store) -> Result<()> {
    let ds = put(
        store,
        res::KRUISE_DAEMONSETS,
        json!({
            "metadata": { "name": "log-agent", "namespace": "kube-system", "labels": { "app": "log-agent" } },
            "spec": {
                "selector": { "matchLabels": { "app": "log-agent" } },
                "template": {
                    "metadata": { "labels": { "app": "log-agent" } },
                    "spec": {
                        "containers": [container("fluent-bit", "fluent/fluent-bit:3.1", 2020)],
                        "tolerations": [{ "operator": "Exists" }],
                    },
                },
                "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "rollingUpdateType": "Standard", "maxUnavailable": 1 } },
            },
        }),
    )?;
    put(
        store,
        res::CONTROLLER_REVISIONS,
        revision_object(&ds, &ds["spec"]["template"], 1),
    )?;
    Ok(())
}

/// A pod template of one container running `args` once.
fn run_once(app: &str, image: &str, args: &[&str]) -> Value {
    json!({
        "metadata": { "labels": { "app": app } },
        "spec": {
            "containers": [{ "name": app, "image": image, "args": args }],
            "restartPolicy": "Never",
        },
    })
}

/// Whole minutes since the epoch, `back` seconds ago, as Unix seconds.
fn minute_ago(now: i64, back: i64) -> i64 {
    (now - back).div_euclid(60) * 60
}

fn at(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(format_time)
        .unwrap_or_default()
}

/// BroadcastJob `data/warm-cache`, completed an hour ago on all three nodes, and
/// AdvancedCronJob `data/nightly-report`, last scheduled at 02:00 UTC.
fn batch(store: &Store) -> Result<()> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let started = minute_ago(now, 3600);
    let finished = started + 95;
    put(
        store,
        res::BROADCAST_JOBS,
        json!({
            "metadata": { "name": "warm-cache", "namespace": "data", "labels": { "app": "warm-cache" } },
            "spec": {
                "parallelism": 3,
                "template": run_once("warm-cache", "ghcr.io/bosun/cache-warmer:1.0.0", &["warm", "--all"]),
                "completionPolicy": { "type": "Always" },
                "failurePolicy": { "type": "FailFast" },
            },
            "status": {
                "desired": 3, "active": 0, "succeeded": 3, "failed": 0,
                "phase": "completed",
                "startTime": at(started),
                "completionTime": at(finished),
                "conditions": [{
                    "type": "Complete", "status": "True",
                    "lastProbeTime": at(finished), "lastTransitionTime": at(finished),
                }],
            },
        }),
    )?;
    let last_two_am = (now - 2 * 3600).div_euclid(86_400) * 86_400 + 2 * 3600;
    put(
        store,
        res::ADVANCED_CRON_JOBS,
        json!({
            "metadata": { "name": "nightly-report", "namespace": "data", "labels": { "app": "nightly-report" } },
            "spec": {
                "schedule": "0 2 * * *",
                "paused": false,
                "concurrencyPolicy": "Allow",
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 1,
                "template": { "broadcastJobTemplate": {
                    "metadata": { "labels": { "app": "nightly-report" } },
                    "spec": {
                        "template": run_once("nightly-report", "ghcr.io/bosun/reports:2.0.1", &["report", "--yesterday"]),
                        "completionPolicy": { "type": "Always" },
                    },
                } },
            },
            "status": { "type": "BroadcastJob", "lastScheduleTime": at(last_two_am) },
        }),
    )?;
    Ok(())
}
