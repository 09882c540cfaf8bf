#!/usr/bin/env bash
# Installs what building, running and testing Bosun needs, skipping whatever is already
# there. Safe to run again. Usage: scripts/setup.sh [--for-tests]
#   always:       wasm toolchain (rustup's wasm32 target, or Debian's rustc-web + lld),
#                 wasm-bindgen-cli at the exact version in Cargo.lock, binaryen (wasm-opt)
#   --for-tests:  also Chromium (Debian package) and Playwright (npm, no browser download)
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=false
[[ "${1:-}" == "--for-tests" ]] && for_tests=true

log() { printf 'setup: %s\n' "$*"; }
sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_updated=false
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ "$apt_updated" == false ]]; then
    log "apt-get update"
    sudo_if_needed apt-get update -qq
    apt_updated=true
  fi
  log "apt-get install ${missing[*]}"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 1. A Rust toolchain that can target wasm32.
if [[ "${BOSUN_WASM_TOOLCHAIN:-auto}" == debian ]]; then
  log "BOSUN_WASM_TOOLCHAIN=debian: using Debian's rustc-web"
  apt_install rustc-web cargo-web rust-web-src lld
  rustup toolchain list | grep -q '^debian-web' || rustup toolchain link debian-web /usr
elif rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "rustup has wasm32-unknown-unknown"
elif timeout 180 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  log "added rustup target wasm32-unknown-unknown"
else
  log "rustup cannot add wasm32; using Debian's rustc-web (std built from source)"
  apt_install rustc-web cargo-web rust-web-src lld
  rustup toolchain list | grep -q '^debian-web' || rustup toolchain link debian-web /usr
fi

# 2. wasm-bindgen-cli, which must match the wasm-bindgen crate exactly.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]]; then
  log "cargo install wasm-bindgen-cli $wb_version (takes a few minutes)"
  # --locked fails for some versions here (a locked dependency is not served).
  cargo install wasm-bindgen-cli --version "=$wb_version" --quiet
else
  log "wasm-bindgen $wb_version present"
fi

# Node.js and npm run the build tools and the browser tests.
command -v npm >/dev/null 2>&1 || apt_install nodejs npm

# 3. wasm-opt from npm's binaryen (Debian's is too old for current wasm features).
if [[ ! -x tools/node_modules/.bin/wasm-opt ]]; then
  log "npm install binaryen"
  (cd tools && npm ci --no-audit --no-fund --silent)
fi

if [[ "$for_tests" == true ]]; then
  # 4. The browser for end-to-end tests, and Playwright without its own browser download.
  apt_install chromium
  if [[ ! -d end2end/node_modules/@playwright/test ]]; then
    log "npm install Playwright"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
  # 5. kubectl, the independent client the demo cluster's tests drive.
  if ! command -v kubectl >/dev/null 2>&1; then
    apt_install kubectl || { log "kubectl is missing and could not be installed"; exit 1; }
  fi
fi
log "done"
