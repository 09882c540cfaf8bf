//! Encryption of cluster credentials at rest: XChaCha20-Poly1305 with a 256-bit key from
//! `BOSUN_SECRET_KEY`, or generated once into the data directory (mode 0600).
//!
//! A known value encrypted with the key is kept in the database, so starting with another
//! key is a clear error at start-up instead of garbage at the first connection.

use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use sqlx::SqlitePool;

use crate::{Error, Result};

/// The environment variable that holds the key.
pub const KEY_VARIABLE: &str = "BOSUN_SECRET_KEY";
/// The file a generated key is kept in, inside the data directory.
pub const KEY_FILE: &str = "secret.key";
const NONCE_LEN: usize = 24;
const CHECK_SETTING: &str = "secret_key_check";
const CHECK_PLAINTEXT: &[u8] = b"bosun secret key check";

/// Seals and opens secrets with the console's key. Not `Debug`: it holds the key.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    /// Where the key came from, for error messages.
    origin: String,
}

impl SecretBox {
    /// A box for a raw 32-byte key.
    #[must_use]
    pub fn from_key(key: &[u8; 32], origin: &str) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
            origin: origin.to_string(),
        }
    }

    /// The key from `BOSUN_SECRET_KEY` (64 hex digits or base64 of 32 bytes) if given,
    /// else from `<data dir>/secret.key`, generated there with mode 0600 on first start.
    ///
    /// # Errors
    /// A malformed key names the variable or file; an unreadable file says why.
    pub fn load(data_dir: &Path, given: Option<&str>) -> Result<Self> {
        if let Some(raw) = given.map(str::trim).filter(|k| !k.is_empty()) {
            let key =
                parse_key(raw).map_err(|e| Error::BadRequest(format!("{KEY_VARIABLE}: {e}")))?;
            return Ok(Self::from_key(&key, KEY_VARIABLE));
        }
        let path = data_dir.join(KEY_FILE);
        let origin = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let key = parse_key(text.trim())
                    .map_err(|e| Error::BadRequest(format!("{origin}: {e}")))?;
                Ok(Self::from_key(&key, &origin))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                OsRng.fill_bytes(&mut key);
                write_private(&path, &hex::encode(key))?;
                tracing::info!(
                    "generated the key that encrypts cluster credentials: {origin} (keep it with the database)"
                );
                Ok(Self::from_key(&key, &origin))
            }
            Err(e) => Err(Error::BadRequest(format!("{origin} cannot be read: {e}"))),
        }
    }

    /// Encrypts `plaintext`, bound to `context` (the cluster name) so a sealed value
    /// cannot be moved to another row.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal("encryption failed".into()))?;
        Ok([nonce.as_slice(), sealed.as_slice()].concat())
    }

    /// Decrypts what [`SecretBox::seal`] made with the same `context`.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return Err(self.wrong_key());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| self.wrong_key())
    }

    fn wrong_key(&self) -> Error {
        Error::BadRequest(format!(
            "the key from {} does not decrypt the stored cluster credentials: it is not the key they were encrypted with (set {KEY_VARIABLE} to that key, or restore {KEY_FILE})",
            self.origin
        ))
    }

    /// Checks that this key is the one the database's secrets were sealed with, and
    /// records it as such on first use.
    ///
    /// # Errors
    /// A different key is refused with a message naming where the key came from.
    pub async fn verify(&self, db: &SqlitePool) -> Result<()> {
        let stored: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(CHECK_SETTING)
                .fetch_optional(db)
                .await?;
        match stored {
            Some(sealed) => {
                let plain = self.open(&sealed, CHECK_SETTING)?;
                if plain == CHECK_PLAINTEXT {
                    Ok(())
                } else {
                    Err(self.wrong_key())
                }
            }
            None => {
                let sealed = self.seal(CHECK_PLAINTEXT, CHECK_SETTING)?;
                sqlx::query("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)")
                    .bind(CHECK_SETTING)
                    .bind(sealed)
                    .execute(db)
                    .await?;
                Ok(())
            }
        }
    }
}

fn parse_key(raw: &str) -> std::result::Result<[u8; 32], String> {
    let bytes = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(raw).map_err(|e| e.to_string())?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(raw)
            .map_err(|_| "must be 64 hex digits or the base64 of 32 bytes".to_string())?
    };
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("must be 32 bytes (256 bits), got {}", b.len()))
}

/// Writes a file readable by its owner only (the key must not be world-readable even for
/// a moment, so the mode is set at creation).
pub(crate) fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| Error::BadRequest(format!("{} cannot be created: {e}", path.display())))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::BadRequest(format!("{} cannot be written: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let a = SecretBox::from_key(&[7u8; 32], "test");
        let b = SecretBox::from_key(&[8u8; 32], "other key");
        let sealed = a.seal(b"token: abc", "prod").unwrap();
        assert_eq!(a.open(&sealed, "prod").unwrap(), b"token: abc");
        assert!(a.open(&sealed, "stage").is_err());
        let err = b.open(&sealed, "prod").unwrap_err().to_string();
        assert!(err.contains("other key"), "{err}");
        assert!(!String::from_utf8_lossy(&sealed).contains("token"));
    }

    #[test]
    fn keys_are_hex_or_base64_of_32_bytes() {
        assert!(parse_key(&"ab".repeat(32)).is_ok());
        let b64 = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        assert!(parse_key(&b64).is_ok());
        assert!(parse_key("short").is_err());
        assert!(parse_key(&base64::engine::general_purpose::STANDARD.encode([1u8; 16])).is_err());
    }

    #[test]
    fn a_generated_key_file_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = SecretBox::load(dir.path(), None).unwrap();
        let sealed = first.seal(b"x", "c").unwrap();
        let again = SecretBox::load(dir.path(), None).unwrap();
        assert_eq!(again.open(&sealed, "c").unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
