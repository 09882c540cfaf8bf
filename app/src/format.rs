//! Small text formats the pages share: ages like `kubectl get` prints them.

/// Seconds since the epoch of an RFC 3339 UTC time (`2026-11-22T10:00:00Z`, optionally
/// with fractions); `None` for anything else.
#[must_use]
pub fn unix_seconds(rfc3339: &str) -> Option<i64> {
    let s = rfc3339.trim();
    if s.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<i64>().ok());
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
}

/// `45s`, `12m`, `5h`, `3d`: how long ago `rfc3339` was.
#[must_use]
pub fn age(rfc3339: &str) -> String {
    let Some(then) = unix_seconds(rfc3339) else {
        return "—".to_string();
    };
    let secs = (crate::browser::now_unix() - then).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// Percent-encodes a query value.
#[must_use]
pub fn url_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A query string from pairs, leaving out empty values.
#[must_use]
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_to_unix() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2026-11-22T10:00:00Z"), Some(1_795_341_600));
        assert_eq!(
            unix_seconds("2024-02-29T12:00:00.123Z"),
            Some(1_709_208_000)
        );
        assert_eq!(unix_seconds("yesterday"), None);
    }
}
