//! Simulated time: wall-clock timestamps stay real (so kubectl's AGE is right), while every
//! control-plane delay is divided by `time_scale` so tests can run a rollout in seconds.

use std::time::{Duration, Instant};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Converts simulated durations into real ones.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    scale: f64,
}

impl Clock {
    pub fn new(scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        Self { scale }
    }

    /// Simulated seconds per real second.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Simulated time elapsed since `since`.
    pub fn sim_elapsed(&self, since: Instant) -> Duration {
        since.elapsed().mul_f64(self.scale)
    }

    /// Whether `sim_secs` of simulated time have passed since `since`.
    pub fn passed(&self, since: Instant, sim_secs: f64) -> bool {
        self.sim_elapsed(since).as_secs_f64() >= sim_secs
    }

    /// Real duration corresponding to a simulated one.
    pub fn real(&self, sim: Duration) -> Duration {
        sim.div_f64(self.scale)
    }
}

/// Current time as a Kubernetes timestamp (RFC 3339, seconds precision).
pub fn now_rfc3339() -> String {
    format_time(OffsetDateTime::now_utc())
}

/// Formats a time the way Kubernetes serialises `metav1.Time`.
pub fn format_time(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Parses a Kubernetes timestamp.
pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Seconds since a Kubernetes timestamp (0 when unparsable).
pub fn age_secs(ts: &str) -> i64 {
    parse_time(ts).map_or(0, |t| (OffsetDateTime::now_utc() - t).whole_seconds())
}

/// kubectl-style human duration (`5s`, `3m20s`, `2d`).
pub fn human_duration(secs: i64) -> String {
    if secs < 0 {
        return "<invalid>".into();
    }
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    if secs < 120 {
        format!("{secs}s")
    } else if m < 10 {
        let s = secs % 60;
        if s == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{s}s")
        }
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        let mm = m % 60;
        if mm == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{mm}m")
        }
    } else if h < 48 {
        format!("{h}h")
    } else if d < 8 {
        let hh = h % 24;
        if hh == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{hh}h")
        }
    } else if d < 365 * 2 {
        format!("{d}d")
    } else {
        format!("{}y", d / 365)
    }
}
