//! Image pulls that fail: an image tagged `does-not-exist` is never found, so its container
//! never starts. Like the kubelet's image manager, each failed pull is reported as
//! `ErrImagePull`, then the container waits in `ImagePullBackOff` for an exponential
//! back-off (10 s doubling to 5 min, simulated) before the next attempt.

use serde_json::{Value, json};

use crate::controllers::{Ctx, events};

/// The tag that makes a pull fail.
const MISSING_TAG: &str = "does-not-exist";
pub const ERR_IMAGE_PULL: &str = "ErrImagePull";
const IMAGE_PULL_BACK_OFF: &str = "ImagePullBackOff";
/// Simulated seconds a failed pull shows as `ErrImagePull` before the back-off shows.
const FAILED_PULL_SHOWN_SECS: f64 = 2.0;
const INITIAL_BACK_OFF_SECS: f64 = 10.0;
const MAX_BACK_OFF_SECS: f64 = 300.0;

/// Whether pulling `image` fails (its tag, not a digest or a registry port, is the
/// missing one).
pub fn fails(image: &str) -> bool {
    let without_digest = image.split('@').next().unwrap_or("");
    let last_segment = without_digest.rsplit('/').next().unwrap_or("");
    last_segment
        .split_once(':')
        .is_some_and(|(_, tag)| tag == MISSING_TAG)
}

fn pull_error(image: &str) -> String {
    format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found"
    )
}

/// The `state.waiting` of a container in `reason`.
pub fn waiting(image: &str, reason: &str) -> Value {
    let message = if reason == ERR_IMAGE_PULL {
        pull_error(image)
    } else {
        format!("Back-off pulling image \"{image}\"")
    };
    json!({ "reason": reason, "message": message })
}

/// The waiting reason `elapsed` simulated seconds after the first failed pull.
fn reason_at(elapsed: f64) -> &'static str {
    let (mut attempt_at, mut back_off) = (0.0, INITIAL_BACK_OFF_SECS);
    // Once the back-off is at its cap the cycle repeats: skip whole cycles at once.
    loop {
        if back_off >= MAX_BACK_OFF_SECS {
            let cycle = FAILED_PULL_SHOWN_SECS + MAX_BACK_OFF_SECS;
            let into = (elapsed - attempt_at).max(0.0) % cycle;
            return if into < FAILED_PULL_SHOWN_SECS {
                ERR_IMAGE_PULL
            } else {
                IMAGE_PULL_BACK_OFF
            };
        }
        if elapsed < attempt_at + FAILED_PULL_SHOWN_SECS {
            return ERR_IMAGE_PULL;
        }
        let next_attempt = attempt_at + FAILED_PULL_SHOWN_SECS + back_off;
        if elapsed < next_attempt {
            return IMAGE_PULL_BACK_OFF;
        }
        attempt_at = next_attempt;
        back_off = (back_off * 2.0).min(MAX_BACK_OFF_SECS);
    }
}

/// Records what the kubelet says when a container enters `reason`.
pub fn record_events(ctx: &Ctx, pod: &Value, image: &str, reason: &str) {
    let rec = |ty: &str, why: &str, msg: String| {
        events::record(ctx.store, pod, ty, why, &msg, "kubelet");
    };
    if reason == ERR_IMAGE_PULL {
        rec("Normal", "Pulling", format!("Pulling image \"{image}\""));
        rec(
            "Warning",
            "Failed",
            format!("Failed to pull image \"{image}\": {}", pull_error(image)),
        );
    } else {
        rec(
            "Normal",
            "BackOff",
            format!("Back-off pulling image \"{image}\""),
        );
    }
    rec("Warning", "Failed", format!("Error: {reason}"));
}

/// Moves waiting containers whose image cannot be pulled along the back-off schedule,
/// `elapsed` simulated seconds after the first attempt. Returns whether `status` changed.
pub fn sync(ctx: &Ctx, pod: &Value, status: &mut Value, elapsed: f64) -> bool {
    let want = reason_at(elapsed);
    let mut changed = false;
    let Some(cs) = status
        .get_mut("containerStatuses")
        .and_then(Value::as_array_mut)
    else {
        return false;
    };
    for c in cs {
        let image = c["image"].as_str().unwrap_or("").to_string();
        let reason = c.pointer("/state/waiting/reason").and_then(Value::as_str);
        if !fails(&image) || reason.is_none() || reason == Some(want) {
            continue;
        }
        c["state"] = json!({ "waiting": waiting(&image, want) });
        record_events(ctx, pod, &image, want);
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_missing_tag_fails() {
        assert!(fails("ghcr.io/bosun/reports:does-not-exist"));
        assert!(fails("localhost:5000/reports:does-not-exist@sha256:abc"));
        assert!(!fails("does-not-exist.io:5000/reports:1.0"));
        assert!(!fails("nginx"));
    }

    #[test]
    fn failed_pulls_alternate_with_a_growing_back_off() {
        assert_eq!(reason_at(0.0), ERR_IMAGE_PULL);
        assert_eq!(reason_at(1.9), ERR_IMAGE_PULL);
        assert_eq!(reason_at(2.0), IMAGE_PULL_BACK_OFF);
        assert_eq!(reason_at(11.9), IMAGE_PULL_BACK_OFF);
        assert_eq!(reason_at(12.5), ERR_IMAGE_PULL, "second attempt after 10 s");
        assert_eq!(reason_at(14.5), IMAGE_PULL_BACK_OFF);
        assert_eq!(reason_at(34.5), ERR_IMAGE_PULL, "third attempt after 20 s");
        // Far out the cycle is 5 minutes of back-off and a failed pull.
        let late = 1_000_000.0;
        let kinds: std::collections::HashSet<&str> =
            (0..400).map(|s| reason_at(late + f64::from(s))).collect();
        assert_eq!(kinds.len(), 2);
    }
}
