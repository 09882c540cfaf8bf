//! The browser bundle (wasm, its JS glue and the stylesheet) under a folder named after
//! its content hash: `/pkg/v-<hash>/bosun_bg.wasm`. A new build is a new URL, so browsers
//! keep the bundle forever (`immutable`) and never run a stale one after an upgrade. The
//! files are served precompressed (brotli, gzip fallback) when `scripts/build-front.sh`
//! wrote the `.br` and `.gz` copies beside them.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

/// The files whose content names the folder.
const FILES: [&str; 3] = ["bosun.js", "bosun_bg.wasm", "bosun.css"];
const PREFIX: &str = "v-";
const HASH_CHARS: usize = 16;

/// The built bundle in `target/site/pkg` and the version it is served under.
#[derive(Debug, Clone)]
pub struct Bundle {
    dir: PathBuf,
    version: String,
}

impl Bundle {
    /// Hashes the bundle in `dir` (missing files hash as empty: a server without a built
    /// front end still starts).
    #[must_use]
    pub fn of(dir: &Path) -> Self {
        let mut hasher = Sha256::new();
        for file in FILES {
            hasher.update(file.as_bytes());
            hasher.update(std::fs::read(dir.join(file)).unwrap_or_default());
        }
        let hex: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            dir: dir.to_path_buf(),
            version: format!("{PREFIX}{}", &hex[..HASH_CHARS]),
        }
    }

    /// What Leptos links to: `pkg/v-<hash>`.
    #[must_use]
    pub fn site_pkg_dir(&self) -> String {
        format!("pkg/{}", self.version)
    }

    /// Where the router serves it: `/pkg/v-<hash>`.
    #[must_use]
    pub fn url_prefix(&self) -> String {
        format!("/{}", self.site_pkg_dir())
    }

    /// The files, preferring the precompressed copies the browser accepts.
    #[must_use]
    pub fn service(&self) -> ServeDir {
        ServeDir::new(&self.dir)
            .precompressed_br()
            .precompressed_gzip()
    }
}

/// Whether a path segment names a bundle version (so its answers may be kept forever).
#[must_use]
pub fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix(PREFIX)
        .is_some_and(|h| h.len() == HASH_CHARS && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_the_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bosun.js"), "one").unwrap();
        let first = Bundle::of(dir.path());
        assert!(is_version(&first.version), "{}", first.version);
        assert_eq!(Bundle::of(dir.path()).version, first.version);
        std::fs::write(dir.path().join("bosun.js"), "two").unwrap();
        assert_ne!(Bundle::of(dir.path()).version, first.version);
        assert!(!is_version("pkg") && !is_version("v-xyz"));
    }
}
