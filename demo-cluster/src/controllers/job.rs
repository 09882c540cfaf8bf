//! Job controller: runs up to `parallelism` pods until `completions` succeeded, then marks
//! the Job Complete with a completionTime.

use serde_json::{Value, json};

use super::{Ctx, pod_from_template, set_condition, write_status};
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

fn complete(job: &Value) -> bool {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|x| x["type"] == "Complete" && x["status"] == "True")
        })
}

pub fn reconcile(ctx: &mut Ctx) {
    for job in ctx.store.all(res::JOBS) {
        if meta::is_terminating(&job) || complete(&job) {
            continue;
        }
        let pods = ctx.owned_pods(&job);
        let succeeded = pods
            .iter()
            .filter(|p| meta::s(p, &["status", "phase"]) == "Succeeded")
            .count() as i64;
        let active: Vec<_> = pods.iter().filter(|p| !meta::pod_finished(p)).collect();
        let completions = meta::get(&job, &["spec", "completions"])
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let parallelism = meta::get(&job, &["spec", "parallelism"])
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let suspended = meta::b(&job, &["spec", "suspend"]);
        let mut status = job
            .get("status")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or(json!({}));
        if status.get("startTime").is_none() && !suspended {
            status["startTime"] = json!(now_rfc3339());
        }
        if succeeded >= completions {
            let mut conds: Vec<Value> =
                status["conditions"].as_array().cloned().unwrap_or_default();
            set_condition(
                &mut conds,
                "SuccessCriteriaMet",
                "True",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
            );
            set_condition(
                &mut conds,
                "Complete",
                "True",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
            );
            status["conditions"] = json!(conds);
            status["completionTime"] = json!(now_rfc3339());
            status["succeeded"] = json!(succeeded);
            status["ready"] = json!(0);
            if let Some(m) = status.as_object_mut() {
                m.remove("active");
            }
            write_status(ctx.store, res::JOBS, &job, status);
            continue;
        }
        let want = if suspended {
            0
        } else {
            parallelism.min(completions.saturating_sub(succeeded))
        };
        let template = job.pointer("/spec/template").cloned().unwrap_or(json!({}));
        let uid = meta::uid(&job).to_string();
        let name = meta::name(&job).to_string();
        for _ in active.len() as i64..want {
            if !ctx.take_burst() {
                break;
            }
            let pod_name = format!("{name}-{}", ctx.state.suffix());
            let pod = pod_from_template(
                &job,
                &template,
                &pod_name,
                &[
                    ("batch.kubernetes.io/controller-uid", uid.clone()),
                    ("batch.kubernetes.io/job-name", name.clone()),
                    ("job-name", name.clone()),
                ],
            );
            super::create_pod(ctx.store, &job, pod, "job-controller");
        }
        status["active"] = json!(active.len());
        status["ready"] = json!(active.iter().filter(|p| meta::pod_ready(p)).count());
        if succeeded > 0 {
            status["succeeded"] = json!(succeeded);
        }
        write_status(ctx.store, res::JOBS, &job, status);
    }
}
