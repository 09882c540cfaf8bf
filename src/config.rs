//! Server settings from flags and environment, checked before anything starts so a bad
//! value stops start-up with one line naming the setting.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A setting that could not be used: which one, and why.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct ConfigError {
    /// Both spellings, e.g. `--listen / BOSUN_LISTEN`.
    pub setting: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(setting: &'static str, problem: impl Into<String>) -> Self {
        Self {
            setting,
            problem: problem.into(),
        }
    }
}

pub const LISTEN: &str = "--listen / BOSUN_LISTEN";
pub const DATA_DIR: &str = "--data-dir / BOSUN_DATA_DIR";
pub const PUBLIC_URL: &str = "--public-url / BOSUN_PUBLIC_URL";
pub const SESSION_IDLE: &str = "--session-idle / BOSUN_SESSION_IDLE";
pub const SESSION_MAX: &str = "--session-max / BOSUN_SESSION_MAX";
pub const ADMIN_PASSWORD: &str = "BOSUN_ADMIN_PASSWORD";
pub const MAX_REPLICAS: &str = "--max-replicas / BOSUN_MAX_REPLICAS";
pub const TRUSTED_PROXIES: &str = "--trusted-proxies / BOSUN_TRUSTED_PROXIES";

/// Everything `bosun serve` needs, validated. Not `Debug`: it holds the admin password.
#[derive(Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Scheme, host and port browsers use to reach Bosun; decides the allowed `Origin`
    /// and whether cookies are `Secure`. `None`: same origin as the request's `Host`.
    pub public_url: Option<PublicUrl>,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub admin_password: Option<String>,
    /// Where the built front end (pkg/, favicon) lives.
    pub site_root: PathBuf,
    /// Run the built-in demo cluster in-process (added as cluster `demo` on first start).
    pub demo_cluster: bool,
    /// Speed of the demo cluster's simulated control plane (tests run it faster).
    pub demo_time_scale: f64,
    /// Keep every request the demo cluster receives, for tests that check the wire.
    pub demo_record_requests: bool,
    /// Generated pods added to the demo world (`--demo-pods`).
    pub demo_pods: usize,
    /// How often CPU and memory usage is sampled for the charts (`--metrics-every`).
    pub metrics_every: std::time::Duration,
    /// The key that encrypts cluster credentials (`BOSUN_SECRET_KEY`); `None`: the key
    /// file in the data directory, generated on first start.
    pub secret_key: Option<String>,
    /// Highest replica count a scale may ask for.
    pub max_replicas: i64,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` name the client.
    pub trusted_proxies: crate::http::client_addr::TrustedProxies,
}

impl ServerConfig {
    /// Settings for tests: loopback on a free port, short-lived data dir given by the caller.
    #[must_use]
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            public_url: None,
            session_idle: Duration::from_secs(12 * 3600),
            session_max: Duration::from_secs(7 * 24 * 3600),
            admin_password: Some("admin-password".into()),
            site_root: PathBuf::from("target/site"),
            demo_cluster: false,
            demo_time_scale: 20.0,
            demo_record_requests: true,
            demo_pods: 0,
            metrics_every: std::time::Duration::from_secs(30),
            secret_key: None,
            max_replicas: 1000,
            trusted_proxies: crate::http::client_addr::TrustedProxies::default(),
        }
    }
}

/// The origin part of `BOSUN_PUBLIC_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `https://console.example.com` (no trailing slash, no path).
    pub origin: String,
    pub https: bool,
}

/// Parses `127.0.0.1:3000`, `[::1]:3000` or `localhost:3000`.
pub fn parse_listen(raw: &str) -> Result<SocketAddr, ConfigError> {
    let raw = raw.trim();
    if let Ok(addr) = raw.parse() {
        return Ok(addr);
    }
    if let Some(Ok(port)) = raw.strip_prefix("localhost:").map(str::parse::<u16>) {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    Err(ConfigError::new(
        LISTEN,
        format!("{raw:?} is not an address like 127.0.0.1:3000"),
    ))
}

/// Parses `https://host[:port]` (a trailing slash is fine; a path is not).
pub fn parse_public_url(raw: &str) -> Result<PublicUrl, ConfigError> {
    let raw = raw.trim().trim_end_matches('/');
    let (https, rest) = if let Some(rest) = raw.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = raw.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(ConfigError::new(
            PUBLIC_URL,
            format!("{raw:?} must start with http:// or https://"),
        ));
    };
    if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
        return Err(ConfigError::new(
            PUBLIC_URL,
            format!("{raw:?} must be scheme://host[:port] with no path"),
        ));
    }
    // Browsers leave the default port out of `Origin`, so it must not be in ours either.
    let default_port = if https { ":443" } else { ":80" };
    let rest = rest.strip_suffix(default_port).unwrap_or(rest);
    let scheme = if https { "https" } else { "http" };
    Ok(PublicUrl {
        origin: format!("{scheme}://{}", rest.to_ascii_lowercase()),
        https,
    })
}

/// Longest session setting accepted: a year.
const MAX_DURATION_SECS: u64 = 365 * 86_400;

/// Parses a duration like `45s`, `30m`, `12h`, `7d` (a bare number is seconds).
pub fn parse_duration(setting: &'static str, raw: &str) -> Result<Duration, ConfigError> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let value: u64 = digits.parse().map_err(|_| {
        ConfigError::new(
            setting,
            format!("{raw:?} is not a duration like 30m, 12h or 7d"),
        )
    })?;
    let unit_seconds: u64 = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(ConfigError::new(
                setting,
                format!("{raw:?} has an unknown unit; use s, m, h or d"),
            ));
        }
    };
    let seconds = value
        .checked_mul(unit_seconds)
        .filter(|s| *s <= MAX_DURATION_SECS)
        .ok_or_else(|| ConfigError::new(setting, format!("{raw:?} is longer than 365d")))?;
    if seconds == 0 {
        return Err(ConfigError::new(setting, "must be longer than zero"));
    }
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_accepts_addresses_and_names_itself_on_error() {
        assert_eq!(parse_listen("127.0.0.1:3000").unwrap().port(), 3000);
        assert_eq!(parse_listen("localhost:8080").unwrap().port(), 8080);
        let err = parse_listen("not-an-address").unwrap_err();
        assert!(
            err.to_string().starts_with("--listen / BOSUN_LISTEN:"),
            "{err}"
        );
    }

    #[test]
    fn durations_have_units() {
        assert_eq!(
            parse_duration(SESSION_IDLE, "12h").unwrap(),
            Duration::from_secs(43_200)
        );
        assert_eq!(
            parse_duration(SESSION_IDLE, "90").unwrap(),
            Duration::from_secs(90)
        );
        assert!(parse_duration(SESSION_IDLE, "12 parsecs").is_err());
        assert!(parse_duration(SESSION_IDLE, "0s").is_err());
        assert!(parse_duration(SESSION_IDLE, "999999999999999999d").is_err());
        assert!(parse_duration(SESSION_IDLE, "366d").is_err());
    }

    #[test]
    fn public_url_is_an_origin() {
        let url = parse_public_url("https://Console.Example.com/").unwrap();
        assert_eq!(url.origin, "https://console.example.com");
        assert!(url.https);
        assert!(parse_public_url("console.example.com").is_err());
        assert_eq!(
            parse_public_url("https://x.example:443").unwrap().origin,
            "https://x.example"
        );
        assert_eq!(
            parse_public_url("http://x.example:8080").unwrap().origin,
            "http://x.example:8080"
        );
        assert!(parse_public_url("https://x.example/path").is_err());
    }
}
