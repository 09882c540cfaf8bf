#!/usr/bin/env bash
# Installs what is missing, builds Bosun in release mode and starts the console with the
# built-in demo cluster. Extra arguments go to `bosun serve` (see README for settings).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-front.sh --release
cargo build --release -p bosun
exec target/release/bosun serve --site-root target/site "$@"
