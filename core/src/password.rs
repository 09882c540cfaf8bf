//! Password hashing with argon2id at OWASP's recommended cost.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;

use crate::{Error, Result};

/// Shortest new password accepted (OWASP ASVS 2.1.1 asks for 12).
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password accepted, so that hashing cannot be used to burn CPU.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Passwords of at least 12 characters that top the breached-password lists: the first
/// ones an attacker tries (ASVS 2.1.7 asks for such a check; a full list is not shipped).
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678910111213",
    "111111111111",
    "000000000000",
    "password1234",
    "password12345",
    "password123456",
    "password123!",
    "passwordpassword",
    "qwertyuiop12",
    "qwertyuiopasdf",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "qazwsxedcrfv",
    "administrator",
    "administrator1",
    "admin1234567",
    "adminadminadmin",
    "changeme1234",
    "changemechangeme",
    "letmein12345",
    "welcome12345",
    "iloveyou1234",
    "kubernetes123",
    "kubernetes1234",
    "bosunbosunbosun",
];

/// Checks a new password before it is hashed: long enough, not too long, not one of the
/// most common passwords.
pub fn validate(password: &str) -> Result<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(Error::BadRequest(format!(
            "password is too short: at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Err(Error::BadRequest(
            "password is one of the most common passwords; choose another".into(),
        ));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(Error::BadRequest(format!(
            "password is too long: at most {MAX_PASSWORD_LEN} bytes"
        )));
    }
    Ok(())
}

/// Hashes a password into a PHC string (algorithm, parameters and salt included).
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing password: {e}")))
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
#[must_use]
pub fn verify(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD_LEN {
        return false;
    }
    PasswordHash::new(phc)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a fixed password, verified against when a user name does not exist, so a
/// failed login costs the same time whether or not the account is there.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash("decoy password that matches nothing").expect("argon2id with constant parameters hashes")
});

/// The decoy hash. Call once at start-up so the first unknown-user login is not slower
/// (it would otherwise pay for building the decoy too).
pub fn decoy_hash() -> &'static str {
    &DECOY_HASH
}

/// At most this many argon2 computations run at once: each takes 19 MiB and a core for
/// tens of milliseconds, so a burst of sign-ins must queue instead of exhausting memory.
static HASHING_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

async fn on_hashing_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let _slot = HASHING_SLOTS
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("hashing slots closed: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("password hashing task: {e}")))
}

/// [`hash`] off the async runtime's threads, with bounded concurrency.
pub async fn hash_async(password: &str) -> Result<String> {
    let password = password.to_owned();
    on_hashing_slot(move || hash(&password)).await?
}

/// [`verify`] off the async runtime's threads, with bounded concurrency.
pub async fn verify_async(password: &str, phc: &str) -> Result<bool> {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    on_hashing_slot(move || verify(&password, &phc)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_with_owasp_parameters() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
    }

    #[test]
    fn validate_rejects_short_and_oversized_passwords() {
        assert!(validate("short").is_err());
        assert!(validate(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_err());
        assert!(validate("long enough!").is_ok());
        assert!(validate("elevenchars").is_err());
        assert!(
            validate("Password1234").is_err(),
            "common, whatever the case"
        );
    }

    #[test]
    fn malformed_hash_never_matches() {
        assert!(!verify("anything", "not a phc string"));
    }
}
