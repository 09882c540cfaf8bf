//! What a TLS Secret's certificate says (subject, issuer, validity, names), read from its
//! PEM with a small DER reader: the fields a person checks before a certificate expires,
//! without a certificate library. The private key is never read.

use base64::Engine;
use bosun_model::Section;

/// The parts of an X.509 certificate the Secret page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    pub not_after: String,
    pub names: Vec<String>,
}

/// One DER element: its tag and contents, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count]
            .iter()
            .fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (len, &rest[count..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The elements inside a constructed element's contents.
fn children(mut contents: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while let Some((tag, inner, rest)) = element(contents) {
        out.push((tag, inner));
        contents = rest;
    }
    out
}

const SEQUENCE: u8 = 0x30;

/// `CN=shop.example.com, O=Bosun demo shop`.
fn name(contents: &[u8]) -> String {
    let mut parts = Vec::new();
    for (_, set) in children(contents) {
        for (_, pair) in children(set) {
            let fields = children(pair);
            let (Some((0x06, oid)), Some((_, value))) = (fields.first(), fields.get(1)) else {
                continue;
            };
            let label = match *oid {
                [0x55, 0x04, 0x03] => "CN",
                [0x55, 0x04, 0x0a] => "O",
                [0x55, 0x04, 0x0b] => "OU",
                [0x55, 0x04, 0x06] => "C",
                [0x55, 0x04, 0x07] => "L",
                [0x55, 0x04, 0x08] => "ST",
                _ => continue,
            };
            parts.push(format!("{label}={}", String::from_utf8_lossy(value)));
        }
    }
    parts.join(", ")
}

/// UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) as RFC 3339.
fn time(tag: u8, contents: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(contents).ok()?.strip_suffix('Z')?;
    // Digits only before any slicing: a crafted time must not split a character.
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = match tag {
        0x17 if text.len() == 12 => {
            let yy: u32 = text[..2].parse().ok()?;
            format!("{}{text}", if yy < 50 { "20" } else { "19" })
        }
        0x18 if text.len() == 14 => text.to_string(),
        _ => return None,
    };
    if !full.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}:{}:{}Z",
        &full[..4],
        &full[4..6],
        &full[6..8],
        &full[8..10],
        &full[10..12],
        &full[12..14]
    ))
}

/// DNS names and IP addresses of the subjectAltName extension.
fn alt_names(extensions: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let Some((SEQUENCE, list, _)) = element(extensions) else {
        return names;
    };
    for (_, extension) in children(list) {
        let fields = children(extension);
        if fields.first() != Some(&(0x06, &[0x55, 0x1d, 0x11][..])) {
            continue;
        }
        let Some((_, value)) = fields.iter().rev().find(|(tag, _)| *tag == 0x04) else {
            continue;
        };
        let Some((SEQUENCE, general, _)) = element(value) else {
            continue;
        };
        for (tag, v) in children(general) {
            match (tag, v.len()) {
                (0x82, _) => names.push(String::from_utf8_lossy(v).into_owned()),
                (0x87, 4) => names.push(format!("{}.{}.{}.{}", v[0], v[1], v[2], v[3])),
                _ => {}
            }
        }
    }
    names
}

/// Reads the first certificate of a PEM bundle.
#[must_use]
pub fn parse_pem(pem: &str) -> Option<CertificateInfo> {
    let start = pem.find("-----BEGIN CERTIFICATE-----")? + "-----BEGIN CERTIFICATE-----".len();
    let end = start + pem[start..].find("-----END CERTIFICATE-----")?;
    let b64: String = pem[start..end].split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let (SEQUENCE, certificate, _) = element(&der)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = element(certificate)? else {
        return None;
    };
    let mut fields = children(tbs);
    if fields.first().is_some_and(|(tag, _)| *tag == 0xa0) {
        fields.remove(0);
    }
    // serial, signature algorithm, issuer, validity, subject, key, then optional parts.
    let issuer = name(fields.get(2)?.1);
    let validity = children(fields.get(3)?.1);
    let subject = name(fields.get(4)?.1);
    let names = fields
        .iter()
        .find(|(tag, _)| *tag == 0xa3)
        .map(|(_, ext)| alt_names(ext))
        .unwrap_or_default();
    Some(CertificateInfo {
        subject,
        issuer,
        not_before: time(validity.first()?.0, validity.first()?.1)?,
        not_after: time(validity.get(1)?.0, validity.get(1)?.1)?,
        names,
    })
}

/// Days from `now` to an RFC 3339 instant (negative when past), by the calendar date.
fn days_until(now: &str, then: &str) -> Option<i64> {
    let day = |s: &str| -> Option<i64> {
        let y: i64 = s.get(..4)?.parse().ok()?;
        let m: i64 = s.get(5..7)?.parse().ok()?;
        let d: i64 = s.get(8..10)?.parse().ok()?;
        // Days from civil (Howard Hinnant's algorithm).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(era * 146_097 + doe)
    };
    Some(day(then)? - day(now)?)
}

/// The Secret page's "Certificate" section; `now` is RFC 3339.
#[must_use]
pub fn section(info: &CertificateInfo, now: &str) -> Section {
    let expiry = match days_until(now, &info.not_after) {
        Some(d) if d < 0 => format!("{} (EXPIRED {} days ago)", info.not_after, -d),
        Some(d) if d <= 30 => format!("{} (expires in {d} days: renew it)", info.not_after),
        Some(d) => format!("{} (in {d} days)", info.not_after),
        None => info.not_after.clone(),
    };
    Section::fields(
        "Certificate",
        vec![
            ("Subject", info.subject.clone()),
            ("Issuer", info.issuer.clone()),
            ("Valid from", info.not_before.clone()),
            ("Expires", expiry),
            ("Names", info.names.join(", ")),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `openssl req -x509 -newkey ec … -subj "/CN=shop.example.com/O=Bosun Demo"
    /// -addext "subjectAltName=DNS:shop.example.com,DNS:www.shop.example.com"`.
    const PEM: &str = include_str!("../tests/fixtures/shop.example.com.pem");

    #[test]
    fn a_certificate_tells_its_subject_issuer_validity_and_names() {
        let info = parse_pem(PEM).unwrap();
        assert_eq!(info.subject, "CN=shop.example.com, O=Bosun Demo");
        assert_eq!(info.issuer, info.subject);
        assert_eq!(info.not_before, "2026-11-23T01:32:44Z");
        assert_eq!(info.not_after, "2027-12-28T01:32:44Z");
        assert_eq!(info.names, ["shop.example.com", "www.shop.example.com"]);
        assert!(
            parse_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----").is_none()
        );
        assert!(parse_pem("not a certificate").is_none());
        assert_eq!(time(0x17, "€€€€Z".as_bytes()), None);
    }

    #[test]
    fn expiry_is_counted_in_days() {
        assert_eq!(
            days_until("2026-11-23T00:00:00Z", "2027-12-28T01:32:44Z"),
            Some(400)
        );
        assert_eq!(
            days_until("2026-03-01T00:00:00Z", "2026-02-28T00:00:00Z"),
            Some(-1)
        );
        let info = parse_pem(PEM).unwrap();
        let soon = section(&info, "2027-12-20T00:00:00Z");
        assert!(
            soon.rows
                .iter()
                .any(|r| r.cells[1].contains("expires in 8 days"))
        );
        let late = section(&info, "2028-01-01T00:00:00Z");
        assert!(
            late.rows
                .iter()
                .any(|r| r.cells[1].contains("EXPIRED 4 days ago"))
        );
    }
}
