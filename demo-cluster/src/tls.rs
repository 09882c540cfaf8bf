//! Plain HTTP and HTTPS on one port: each connection's first byte says which (a TLS
//! handshake starts with 0x16, an HTTP request with a letter).
//!
//! kubectl (client-go) sends a kubeconfig's bearer token only over TLS, so the kubeconfigs
//! point at `https://` while raw-HTTP callers keep using `DemoCluster::url` (`http://`).
//! Each cluster generates its own CA and a certificate for `127.0.0.1`, `::1` and
//! `localhost` when it starts; the CA goes into its kubeconfigs, and no key is ever
//! written anywhere.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;

use crate::error::{Error, Result};

/// First byte of a TLS record carrying a handshake.
const TLS_HANDSHAKE: u8 = 0x16;
/// A connection that has not said which protocol it speaks, or not finished its TLS
/// handshake, by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A cluster's TLS identity: the CA its kubeconfigs trust and the server configuration.
pub struct Pki {
    /// The CA certificate in PEM, for kubeconfigs' `certificate-authority-data`.
    pub ca_pem: String,
    config: Arc<ServerConfig>,
}

impl Pki {
    /// A fresh CA and a loopback server certificate signed by it.
    pub fn generate() -> Result<Self> {
        let bad = |what: &str, e: rcgen::Error| Error::Tls {
            message: format!("{what}: {e}"),
        };
        let ca_key = KeyPair::generate().map_err(|e| bad("CA key", e))?;
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| bad("CA", e))?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "bosun demo cluster CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = ca_params.self_signed(&ca_key).map_err(|e| bad("CA", e))?;
        let key = KeyPair::generate().map_err(|e| bad("server key", e))?;
        let names = vec![
            "127.0.0.1".to_string(),
            "::1".to_string(),
            "localhost".to_string(),
        ];
        let mut params = CertificateParams::new(names).map_err(|e| bad("server certificate", e))?;
        params
            .distinguished_name
            .push(DnType::CommonName, "bosun demo cluster");
        let cert = params
            .signed_by(&key, &ca, &ca_key)
            .map_err(|e| bad("server certificate", e))?;
        let chain = vec![
            CertificateDer::from(cert.der().to_vec()),
            CertificateDer::from(ca.der().to_vec()),
        ];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls_error = |e: rustls::Error| Error::Tls {
            message: e.to_string(),
        };
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(tls_error)?;
        // The router speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            ca_pem: ca.pem(),
            config: Arc::new(config),
        })
    }
}

/// A self-signed certificate and key in PEM for `hosts` (the first is the common name),
/// valid from a day ago for `days`: the demo world's TLS Secret, whose expiry the console
/// shows.
///
/// # Errors
/// Key or certificate generation failing.
pub fn site_certificate(hosts: &[&str], days: i64) -> Result<(String, String)> {
    let bad = |e: rcgen::Error| Error::Tls {
        message: format!("site certificate: {e}"),
    };
    let key = KeyPair::generate().map_err(bad)?;
    let names: Vec<String> = hosts.iter().map(|h| (*h).to_string()).collect();
    let mut params = CertificateParams::new(names).map_err(bad)?;
    params
        .distinguished_name
        .push(DnType::CommonName, hosts.first().copied().unwrap_or("demo"));
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Bosun demo shop");
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
    let cert = params.self_signed(&key).map_err(bad)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// A connection, with or without TLS.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// Accepts connections in the background and hands them over once their protocol is
/// known (and a TLS handshake done), so a slow handshake never holds up the others.
pub struct DualListener {
    ready: mpsc::Receiver<(Conn, SocketAddr)>,
    local: SocketAddr,
    acceptor: tokio::task::AbortHandle,
}

impl DualListener {
    /// Serves `tcp`, bound to `local`.
    pub fn new(tcp: TcpListener, local: SocketAddr, pki: &Pki) -> Result<Self> {
        let tls = TlsAcceptor::from(pki.config.clone());
        let (tx, ready) = mpsc::channel(128);
        let acceptor = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::debug!("demo cluster accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (tls, tx) = (tls.clone(), tx.clone());
                tokio::spawn(async move {
                    let sorted = tokio::time::timeout(HANDSHAKE_TIMEOUT, sort(stream, &tls)).await;
                    if let Ok(Ok(conn)) = sorted {
                        let _ = tx.send((conn, peer)).await;
                    }
                });
            }
        })
        .abort_handle();
        Ok(Self {
            ready,
            local,
            acceptor,
        })
    }
}

/// Peeks at the first byte and completes a TLS handshake if that is what it starts.
async fn sort(stream: TcpStream, tls: &TlsAcceptor) -> io::Result<Conn> {
    let mut first = [0u8; 1];
    stream.peek(&mut first).await?;
    if first[0] == TLS_HANDSHAKE {
        Ok(Conn::Tls(Box::new(tls.accept(stream).await?)))
    } else {
        Ok(Conn::Plain(stream))
    }
}

impl Drop for DualListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl axum::serve::Listener for DualListener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Conn, SocketAddr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The acceptor is gone only when the listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Conn::Tls(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Conn::Plain(s) => s.is_write_vectored(),
            Conn::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_ca_and_certificate_form_a_tls_config() {
        let pki = Pki::generate().expect("generated");
        assert!(pki.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let other = Pki::generate().expect("generated");
        assert_ne!(pki.ca_pem, other.ca_pem, "every cluster has its own CA");
    }
}
