//! Login throttling by increasing delay: after a few failures for one user name or one
//! client address, the next attempt on that key must wait, twice as long after each
//! further failure, up to a cap. A hard lock-out would let a stranger keep `admin` out
//! for good; a capped delay keeps guessing slow while the rightful user, with the right
//! password, gets in after at most [`MAX_DELAY`].
//!
//! An attempt is counted as a failure the moment it starts and forgiven only when it
//! succeeds, so a burst of parallel guesses cannot all slip past the check while the
//! (slow, on purpose) password verification runs. IPv6 clients are keyed by their /64,
//! the block one subscriber usually holds. Memory is bounded: keys are forgotten after
//! [`FORGET_AFTER`] without a failure, and past [`MAX_KEYS`] the stalest are dropped.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// Failures a key may have before its attempts are delayed.
pub const FREE_FAILURES: u32 = 5;
/// The delay after the first failure past the free ones; it doubles with each further one.
pub const FIRST_DELAY: Duration = Duration::from_secs(2);
/// The longest delay: the longest the rightful user ever waits.
pub const MAX_DELAY: Duration = Duration::from_secs(60);
/// A key without a failure for this long starts again from zero.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Most keys kept; past it the stalest tenth is dropped.
pub const MAX_KEYS: usize = 50_000;

/// Failures of one key.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// When the next attempt may start.
    fn allowed_from(&self) -> Instant {
        self.last + delay_after(self.count)
    }
}

/// The wait after `count` failures.
#[must_use]
pub fn delay_after(count: u32) -> Duration {
    if count < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (count - FREE_FAILURES).min(16);
    FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
}

/// In-memory failure counts per user name and per client address. Kept in memory on
/// purpose: a restart forgets them, which costs an attacker a restart they cannot cause.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

/// A started sign-in attempt, already counted as a failure until [`LoginThrottle::succeeded`].
#[derive(Debug, Clone, Copy)]
#[must_use = "an attempt that succeeds must be reported, or it stays counted as a failure"]
pub struct Attempt {
    /// The address key's failures before this attempt, restored on success.
    address_before: Option<Failures>,
}

fn user_key(username: &str) -> String {
    format!("user:{}", username.trim().to_ascii_lowercase())
}

/// The key of a client address: IPv4 (or IPv4-mapped IPv6) as is, IPv6 by its /64.
#[must_use]
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("ip:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("ip:{v4}"),
            None => {
                let s = v6.segments();
                format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl LoginThrottle {
    /// Refuses the attempt while either key must still wait, saying how long; otherwise
    /// counts it (pessimistically) and lets it go on to the password check.
    pub fn begin(&self, username: &str, client: Option<IpAddr>) -> Result<Attempt> {
        self.begin_at(username, client, Instant::now())
    }

    fn begin_at(&self, username: &str, client: Option<IpAddr>, now: Instant) -> Result<Attempt> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let user = user_key(username);
        let address = client.map(address_key);
        let keys: Vec<&String> = std::iter::once(&user).chain(address.as_ref()).collect();
        let mut wait = Duration::ZERO;
        for key in &keys {
            if let Some(f) = failures.get(*key) {
                if now.duration_since(f.last) >= FORGET_AFTER {
                    failures.remove(*key);
                    continue;
                }
                wait = wait.max(f.allowed_from().saturating_duration_since(now));
            }
        }
        if wait > Duration::ZERO {
            // Whole seconds, rounded up: a client that waits as told is let in.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(Error::TooManyAttempts {
                retry_after: Duration::from_secs(seconds.max(1)),
            });
        }
        make_room(&mut failures, now, keys.len());
        let address_before = address.as_ref().and_then(|k| failures.get(k).copied());
        for key in keys {
            let f = failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                last: now,
            });
            f.count += 1;
            f.last = now;
        }
        Ok(Attempt { address_before })
    }

    /// A successful sign-in clears the user name's failures and takes back this attempt
    /// from the address (not the address's other failures: one good account must not
    /// unlock guessing at others from the same place).
    pub fn succeeded(&self, username: &str, client: Option<IpAddr>, attempt: Attempt) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&user_key(username));
        let Some(key) = client.map(address_key) else {
            return;
        };
        let Some(f) = failures.get_mut(&key) else {
            return;
        };
        f.count = f.count.saturating_sub(1);
        if let Some(before) = attempt.address_before
            && f.count <= before.count
        {
            // No other failure came in meanwhile: the address is as it was before.
            f.last = before.last;
        }
        if f.count == 0 {
            failures.remove(&key);
        }
    }

    /// How many keys are remembered (for tests of the memory bound).
    #[must_use]
    pub fn remembered(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }
}

/// Keeps the map under [`MAX_KEYS`] before `adding` keys are inserted: forgotten keys
/// first, then keys that are not making anyone wait (a flood of fresh names must not wash
/// out a delay that is protecting an account), then the stalest tenth.
fn make_room(failures: &mut HashMap<String, Failures>, now: Instant, adding: usize) {
    if failures.len() + adding <= MAX_KEYS {
        return;
    }
    failures.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
    if failures.len() + adding <= MAX_KEYS {
        return;
    }
    failures.retain(|_, f| f.allowed_from() > now);
    if failures.len() + adding <= MAX_KEYS {
        return;
    }
    let mut by_age: Vec<(Instant, String)> =
        failures.iter().map(|(k, f)| (f.last, k.clone())).collect();
    by_age.sort_unstable();
    let drop = (MAX_KEYS / 10).max(failures.len() + adding - MAX_KEYS);
    for (_, key) in by_age.into_iter().take(drop) {
        failures.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn after_the_free_failures_each_attempt_waits_longer_up_to_the_cap() {
        let throttle = LoginThrottle::default();
        let mut now = Instant::now();
        for _ in 0..FREE_FAILURES {
            let _ = throttle.begin_at("alice", None, now).unwrap();
        }
        let err = throttle.begin_at("alice", None, now).unwrap_err();
        assert_eq!(err.retry_after(), Some(FIRST_DELAY));
        let mut waits = Vec::new();
        for _ in 0..10 {
            let wait = throttle
                .begin_at("alice", None, now)
                .unwrap_err()
                .retry_after()
                .unwrap();
            waits.push(wait.as_secs());
            now += wait;
            let _ = throttle.begin_at("alice", None, now).unwrap();
        }
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
    }

    #[test]
    fn the_rightful_user_gets_in_after_at_most_the_cap_and_clears_the_name() {
        let throttle = LoginThrottle::default();
        let mut now = Instant::now();
        // Forty failures, each at the first moment it was allowed.
        for _ in 0..40 {
            match throttle.begin_at("admin", None, now) {
                Ok(_) => {}
                Err(e) => {
                    let wait = e.retry_after().unwrap();
                    assert!(wait <= MAX_DELAY, "{wait:?}");
                    now += wait;
                    let _ = throttle.begin_at("admin", None, now).unwrap();
                }
            }
        }
        let wait = throttle
            .begin_at("admin", IP, now)
            .unwrap_err()
            .retry_after()
            .unwrap();
        assert_eq!(wait, MAX_DELAY, "the delay stops growing at the cap");
        let later = now + wait;
        let good = throttle.begin_at("admin", IP, later).unwrap();
        throttle.succeeded("admin", IP, good);
        assert!(throttle.begin_at("admin", IP, later).is_ok());
    }

    #[test]
    fn one_address_guessing_many_names_is_throttled() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..FREE_FAILURES {
            let _ = throttle.begin_at(&format!("user{i}"), IP, now).unwrap();
        }
        assert!(throttle.begin_at("someone-else", IP, now).is_err());
        assert!(throttle.begin_at("someone-else", None, now).is_ok());
    }

    #[test]
    fn success_clears_the_name_and_its_own_attempt_but_not_other_failures() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
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

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "ip:192.0.2.7");
    }

    #[test]
    fn memory_stays_bounded_and_a_flood_does_not_wash_out_a_delay() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            let _ = throttle.begin_at("admin", None, now).unwrap();
        }
        for i in 0..MAX_KEYS + 5_000 {
            let _ = throttle.begin_at(&format!("name-{i}"), None, now);
        }
        assert!(throttle.remembered() <= MAX_KEYS);
        assert!(
            throttle.begin_at("admin", None, now).is_err(),
            "admin's delay survived the flood"
        );
        // A delayed key is forgotten once it has been quiet long enough: it starts
        // again with its free failures.
        let later = now + FORGET_AFTER;
        for _ in 0..FREE_FAILURES {
            let _ = throttle.begin_at("admin", None, later).unwrap();
        }
        assert!(throttle.begin_at("admin", None, later).is_err());
    }
}
