//! Past runs of a seeded CronJob: two completed Jobs it owns, scheduled at its last two
//! schedule slots that lie at least two minutes back, and the status the real controller
//! would have written about them (`lastScheduleTime`, `lastSuccessfulTime`).

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::put;
use crate::clock::format_time;
use crate::controllers::cronjob::period_secs;
use crate::error::{Error, Result};
use crate::kinds::res;
use crate::meta;
use crate::store::Store;

/// Seconds from schedule to completion of each past run (oldest first).
const RUN_SECS: [i64; 2] = [38, 41];

fn at(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(format_time)
        .unwrap_or_default()
}

/// A completed Job of `cj` scheduled at `scheduled` (Unix seconds), named as the CronJob
/// controller names its Jobs: `{cronjob}-{scheduled minutes since the epoch}`.
fn completed_job(cj: &Value, scheduled: i64, run_secs: i64) -> Value {
    let done = json!({
        "status": "True", "reason": "CompletionsReached",
        "message": "Reached expected number of succeeded pods",
        "lastProbeTime": at(scheduled + run_secs), "lastTransitionTime": at(scheduled + run_secs),
    });
    let condition = |ty: &str| {
        let mut c = done.clone();
        c["type"] = json!(ty);
        c
    };
    json!({
        "metadata": {
            "name": format!("{}-{}", meta::name(cj), scheduled / 60),
            "namespace": meta::namespace(cj),
            "creationTimestamp": at(scheduled),
            "annotations": { "batch.kubernetes.io/cronjob-scheduled-timestamp": at(scheduled) },
            "ownerReferences": [meta::owner_ref(cj)],
        },
        "spec": cj.pointer("/spec/jobTemplate/spec").cloned().unwrap_or(json!({})),
        "status": {
            "startTime": at(scheduled + 1),
            "completionTime": at(scheduled + run_secs),
            "succeeded": 1,
            "ready": 0,
            "conditions": [condition("SuccessCriteriaMet"), condition("Complete")],
        },
    })
}

pub fn past_runs(store: &Store, cj: &Value) -> Result<()> {
    let period = period_secs(meta::s(cj, &["spec", "schedule"])) as i64;
    let latest = (OffsetDateTime::now_utc().unix_timestamp() - 120).div_euclid(period) * period;
    let slots = [latest - period, latest];
    for (scheduled, run_secs) in slots.into_iter().zip(RUN_SECS) {
        put(store, res::JOBS, completed_job(cj, scheduled, run_secs))?;
    }
    let last_success = at(latest + RUN_SECS[1]);
    store
        .modify(res::CRONJOBS, meta::namespace(cj), meta::name(cj), |o| {
            o["status"] =
                json!({ "lastScheduleTime": at(latest), "lastSuccessfulTime": last_success });
            Ok(())
        })
        .map_err(|e| Error::Seed {
            what: format!("cronjobs/{} status", meta::name(cj)),
            message: e.message,
        })?;
    Ok(())
}
