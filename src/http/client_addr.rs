//! Who the client is, by address, behind reverse proxies: the peer is the client unless
//! it is one of the trusted proxies; then the client is the nearest address in
//! `X-Forwarded-For` (or `Forwarded`) that is not a trusted proxy, read right to left,
//! since each proxy appends the address it saw and only the trusted ones are believed.
//! Behind a TLS-terminating proxy without this, every client would be the proxy and share
//! one sign-in throttle.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bosun_core::request::ClientAddr;
use http::HeaderMap;

/// An address block: `10.0.0.0/8`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr/prefix` or a bare address.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (addr, prefix) = match raw.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (raw, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("{raw:?} is not an address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{raw:?}: the prefix must be 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }

    /// Whether `ip` is inside the block (IPv4-mapped IPv6 counts as IPv4).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose forwarding headers are believed (`--trusted-proxies`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<Cidr>>);

impl TrustedProxies {
    /// Parses a comma- or space-separated list of blocks.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let blocks = raw
            .split([',', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(Cidr::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(Arc::new(blocks)))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(ip))
    }

    /// The client of a request that came from `peer` with `headers`.
    #[must_use]
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops = forwarded_for(headers);
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) => {
                    client = canonical(*ip);
                    if !self.trusts(client) {
                        return client;
                    }
                }
                // An entry that is not an address (`unknown`, garbage): the proxy that
                // added it is the last thing known.
                None => return client,
            }
        }
        client
    }
}

/// The addresses of `X-Forwarded-For` (every header line, in order), or else of the
/// `for=` parameters of `Forwarded`; `None` for an entry that is not an address.
/// Once any `X-Forwarded-For` line is present, `Forwarded` is not read: a proxy appends
/// to the former, and a client-written `Forwarded` would otherwise choose the address.
/// An entry with bytes that are not text is `None`, not a reason to drop its whole line.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    if headers.contains_key("x-forwarded-for") {
        return headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|v| v.as_bytes().split(|b| *b == b','))
            .map(|entry| {
                std::str::from_utf8(entry)
                    .ok()
                    .and_then(|e| parse_hop(e.trim()))
            })
            .collect();
    }
    headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_hop(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    if let Ok(ip) = raw.parse() {
        return Some(ip);
    }
    if let Ok(addr) = raw.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    raw.strip_prefix('[')?.split(']').next()?.parse().ok()
}

/// Puts the request's [`ClientAddr`] into its extensions.
pub async fn client_addr(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = trusted.client(peer, req.headers());
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let block = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(block.contains(ip("10.200.1.1")));
        assert!(block.contains(ip("::ffff:10.1.1.1")));
        assert!(!block.contains(ip("11.0.0.1")));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("203.0.113.1"))
        );
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("proxy.internal").is_err());
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(trusted.client(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        // The client spoofs a first entry; the proxies append what they saw.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 192.168.1.1")]);
        assert_eq!(trusted.client(ip("10.0.0.5"), &h), ip("198.51.100.7"));
        let split = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(trusted.client(ip("10.0.0.5"), &split), ip("198.51.100.7"));
        let forwarded = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8::7]:4711\";proto=https, for=10.1.1.1",
        )]);
        assert_eq!(
            trusted.client(ip("10.0.0.5"), &forwarded),
            ip("2001:db8::7")
        );
        let garbage = headers(&[("x-forwarded-for", "unknown, 10.1.1.1")]);
        assert_eq!(trusted.client(ip("10.0.0.5"), &garbage), ip("10.1.1.1"));
        // Bytes that are not text in the client's part of the line do not hide the
        // address the proxy appended, and a client-written Forwarded is not read then.
        let mut binary = HeaderMap::new();
        binary.append(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"\xff, 198.51.100.7").unwrap(),
        );
        binary.append("forwarded", "for=1.2.3.4".parse().unwrap());
        assert_eq!(trusted.client(ip("10.0.0.5"), &binary), ip("198.51.100.7"));
        assert_eq!(
            trusted.client(ip("10.0.0.5"), &HeaderMap::new()),
            ip("10.0.0.5")
        );
    }
}
