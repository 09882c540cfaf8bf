//! Login throttling: more than a handful of failures for one user name or one client
//! address within a minute locks that key out until the oldest failure ages out.

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

fn keys(username: &str, client: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("user:{}", username.trim().to_ascii_lowercase())];
    if let Some(ip) = client {
        keys.push(format!("ip:{ip}"));
    }
    keys
}

impl LoginThrottle {
    /// Refuses the attempt if either key has used up its failures; checked before the
    /// password is verified so a locked-out attacker learns nothing.
    pub fn check(&self, username: &str, client: Option<IpAddr>) -> Result<()> {
        self.check_at(username, client, Instant::now())
    }

    fn check_at(&self, username: &str, client: Option<IpAddr>, now: Instant) -> Result<()> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        for key in keys(username, client) {
            if let Some(times) = failures.get_mut(&key) {
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
        Ok(())
    }

    /// Counts a failed attempt against both the name and the address.
    pub fn record_failure(&self, username: &str, client: Option<IpAddr>) {
        self.record_failure_at(username, client, Instant::now());
    }

    fn record_failure_at(&self, username: &str, client: Option<IpAddr>, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Forget keys whose failures have all aged out, so the map cannot grow without bound.
        failures.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < WINDOW)
        });
        for key in keys(username, client) {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// A successful sign-in clears the user name's failures (not the address's: one good
    /// account must not unlock guessing at others from the same place).
    pub fn record_success(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("user:{}", username.trim().to_ascii_lowercase()));
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
            throttle.check_at("alice", IP, start).unwrap();
            throttle.record_failure_at("alice", IP, start + Duration::from_secs(i as u64));
        }
        let err = throttle
            .check_at("alice", IP, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_secs(50)));
        // After the window the key is free again.
        throttle
            .check_at("alice", IP, start + Duration::from_secs(65))
            .unwrap();
    }

    #[test]
    fn one_address_guessing_many_names_is_throttled() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_FAILURES {
            throttle.record_failure_at(&format!("user{i}"), IP, now);
        }
        assert!(throttle.check_at("someone-else", IP, now).is_err());
        assert!(throttle.check_at("someone-else", None, now).is_ok());
    }

    #[test]
    fn success_clears_the_name_but_not_the_address() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES {
            throttle.record_failure_at("bob", IP, now);
        }
        throttle.record_success("bob");
        assert!(throttle.check_at("bob", None, now).is_ok());
        assert!(throttle.check_at("bob", IP, now).is_err());
    }
}
