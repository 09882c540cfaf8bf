//! A stand-in for API Priority and Fairness: users with a `mutations_per_minute` quota get
//! a one-minute window from their first mutation; mutations beyond the quota in that window
//! are turned away with 429 and how long until the window ends. Windows are wall-clock
//! time, like the real server's flow control (not `time_scale`d).
//!
//! A quota of 0 never renews, so its `Retry-After` is the minimum, 1 s: client-go (kubectl)
//! retries a 429 up to 10 times as long as the server says, and should give up in
//! seconds rather than wait out windows that change nothing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

struct Window {
    started: Instant,
    used: u32,
}

/// Mutation windows per user name.
#[derive(Default)]
pub struct Throttle {
    windows: Mutex<HashMap<String, Window>>,
}

impl Throttle {
    /// Counts one mutation by `user` against `quota`, or says after how many seconds
    /// (at least 1) to retry.
    pub fn admit(&self, user: &str, quota: u32) -> Result<(), u64> {
        self.admit_at(user, quota, Instant::now())
    }

    fn admit_at(&self, user: &str, quota: u32, now: Instant) -> Result<(), u64> {
        if quota == 0 {
            return Err(1);
        }
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = windows.entry(user.to_string()).or_insert(Window {
            started: now,
            used: 0,
        });
        let elapsed = now.saturating_duration_since(window.started);
        if elapsed >= WINDOW {
            *window = Window {
                started: now,
                used: 0,
            };
        }
        if window.used < quota {
            window.used += 1;
            return Ok(());
        }
        let left = WINDOW.saturating_sub(now.saturating_duration_since(window.started));
        Err(left.as_secs_f64().ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_holds_for_a_minute_then_renews() {
        let t = Throttle::default();
        let start = Instant::now();
        assert_eq!(t.admit_at("u", 2, start), Ok(()));
        assert_eq!(t.admit_at("u", 2, start + Duration::from_secs(1)), Ok(()));
        assert_eq!(
            t.admit_at("u", 2, start + Duration::from_millis(15_500)),
            Err(45)
        );
        assert_eq!(t.admit_at("other", 2, start), Ok(()), "per user");
        assert_eq!(t.admit_at("u", 2, start + WINDOW), Ok(()));
    }

    #[test]
    fn a_zero_quota_refuses_everything_with_the_shortest_retry() {
        let t = Throttle::default();
        let start = Instant::now();
        assert_eq!(t.admit_at("u", 0, start), Err(1));
        assert_eq!(t.admit_at("u", 0, start + WINDOW), Err(1));
    }
}
