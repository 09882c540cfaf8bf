//! The browser bundle (wasm, its JS glue and the stylesheet) under a folder named after
//! its content hash: `/pkg/v-<hash>/bosun_bg.wasm`. A new build is a new URL, so browsers
//! keep the bundle forever (`immutable`) and never run a stale one after an upgrade.
//! `scripts/build-front.sh` hashes the files once, when it builds them, into
//! `pkg/VERSION` (the server does not read megabytes of wasm at every start), and writes
//! the `.br` and `.gz` copies served to browsers that accept them.

use std::path::{Path, PathBuf};

use tower_http::services::ServeDir;

/// The file `scripts/build-front.sh` writes the version into.
const VERSION_FILE: &str = "VERSION";
const PREFIX: &str = "v-";
const HASH_CHARS: usize = 16;
/// The version of a front end that was never built (nothing to keep forever anyway).
const UNBUILT: &str = "v-0000000000000000";

/// The built bundle in `target/site/pkg` and the version it is served under.
#[derive(Debug, Clone)]
pub struct Bundle {
    dir: PathBuf,
    version: String,
}

impl Bundle {
    /// The bundle in `dir`, under the version its build wrote there.
    #[must_use]
    pub fn of(dir: &Path) -> Self {
        let written = std::fs::read_to_string(dir.join(VERSION_FILE)).unwrap_or_default();
        let version = Some(written.trim())
            .filter(|v| is_version(v))
            .unwrap_or(UNBUILT)
            .to_string();
        Self {
            dir: dir.to_path_buf(),
            version,
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
    fn the_version_is_the_one_the_build_wrote() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Bundle::of(dir.path()).version, UNBUILT);
        std::fs::write(dir.path().join(VERSION_FILE), "v-0123456789abcdef\n").unwrap();
        assert_eq!(
            Bundle::of(dir.path()).url_prefix(),
            "/pkg/v-0123456789abcdef"
        );
        std::fs::write(dir.path().join(VERSION_FILE), "../../etc").unwrap();
        assert_eq!(Bundle::of(dir.path()).version, UNBUILT);
        assert!(is_version(UNBUILT));
        assert!(!is_version("pkg") && !is_version("v-xyz"));
    }
}
