//! Login throttling: more than a handful of failures for one user name or one client
//! address within a minute locks that key out until the oldest failure ages out.
//!
//! An attempt is counted as a failure the moment it starts and forgiven only when it
//! succeeds, so a burst of parallel guesses cannot all slip past the check while the
//! (slow, on purpose) password verification runs.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// Failures allowed per key within [`WINDOW`]; the next attempt is refused.
pub const MAX_FAILURES: usize = 5;
/// How far back failures count.
pub const WINDOW: Duration = Duration::from_secs(60);

/// In-memory failure counts per user name and per client address. Kept in memory on
/// purpose: a restart forgets them, which costs an attacker a restart they cannot cause.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// A started sign-in attempt, already counted as a failure until [`LoginThrottle::succeeded`].
#[derive(Debug, Clone, Copy)]
#[must_use = "an attempt that succeeds must be reported, or it stays counted as a failure"]
pub struct Attempt {
    at: Instant,
}

fn user_key(username: &str) -> String {
    format!("user:{}", username.trim().to_ascii_lowercase())
}

fn keys(username: &str, client: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![user_key(username)];
    if let Some(ip) = client {
        keys.push(format!("ip:{ip}"));
    }
    keys
}

impl LoginThrottle {
    /// Refuses the attempt if either key has used up its failures; otherwise counts it
    /// (pessimistically) and lets it go on to the password check.
    pub fn begin(&self, username: &str, client: Option<IpAddr>) -> Result<Attempt> {
        self.begin_at(username, client, Instant::now())
    }

    fn begin_at(&self, username: &str, client: Option<IpAddr>, now: Instant) -> Result<Attempt> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Forget keys whose failures have all aged out, so the map cannot grow without bound.
        failures.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < WINDOW)
        });
        let keys = keys(username, client);
        let mut wait = Duration::ZERO;
        for key in &keys {
            if let Some(times) = failures.get_mut(key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    times.pop_front();
                }
                if times.len() >= MAX_FAILURES {
                    let oldest = times[times.len() - MAX_FAILURES];
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(oldest)));
                }
            }
        }
        if wait > Duration::ZERO {
            return Err(Error::TooManyAttempts {
                retry_after: wait.max(Duration::from_secs(1)),
            });
        }
        for key in keys {
            failures.entry(key).or_default().push_back(now);
        }
        Ok(Attempt { at: now })
    }

    /// A successful sign-in clears the user name's failures and takes back this attempt
    /// from the address (not the address's other failures: one good account must not
    /// unlock guessing at others from the same place).
    pub fn succeeded(&self, username: &str, client: Option<IpAddr>, attempt: Attempt) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&user_key(username));
        let ip_times = client.and_then(|ip| failures.get_mut(&format!("ip:{ip}")));
        if let Some(times) = ip_times
            && let Some(pos) = times.iter().position(|t| *t == attempt.at)
        {
            times.remove(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn sixth_attempt_within_a_minute_is_refused_with_retry_after() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for i in 0..MAX_FAILURES {
            let _ = throttle
                .begin_at("alice", IP, start + Duration::from_secs(i as u64))
                .unwrap();
        }
        let err = throttle
            .begin_at("alice", IP, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_secs(50)));
        // After the window the key is free again.
        let _ = throttle
            .begin_at("alice", IP, start + Duration::from_secs(65))
            .unwrap();
    }

    #[test]
    fn one_address_guessing_many_names_is_throttled() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_FAILURES {
            let _ = throttle.begin_at(&format!("user{i}"), IP, now).unwrap();
        }
        assert!(throttle.begin_at("someone-else", IP, now).is_err());
        assert!(throttle.begin_at("someone-else", None, now).is_ok());
    }

    #[test]
    fn success_clears_the_name_and_its_own_attempt_but_not_other_failures() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            let _ = throttle.begin_at("bob", IP, now).unwrap();
        }
        let later = now + Duration::from_secs(1);
        let good = throttle.begin_at("bob", IP, later).unwrap();
        throttle.succeeded("bob", IP, good);
        // The address still carries the four failures, so one more fills it up.
        let _ = throttle.begin_at("carol", IP, later).unwrap();
        assert!(throttle.begin_at("bob", None, later).is_ok());
        assert!(throttle.begin_at("dave", IP, later).is_err());
    }
}
