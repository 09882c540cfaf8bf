#!/usr/bin/env bash
# Installs what is missing and runs every test: formatting and lints, the Rust unit and
# integration tests (server, domain, demo cluster with kubectl), then the Playwright
# suite in Chromium against the real server and hydrated front end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
# CI builds once from scratch: incremental caches would only cost disk and time.
[[ "${CI:-}" == "true" ]] && export CARGO_INCREMENTAL=0
# Each step also says how much disk is left: a CI machine once ran out while linking.
step() {
  printf '\n==> %s (%ds elapsed, %s free)\n' "$*" $((SECONDS - started)) \
    "$(df -h --output=avail . 2>/dev/null | tail -1 | tr -d ' ')"
}

step "setup"
scripts/setup.sh --for-tests

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo test (unit and integration)"
cargo test --no-fail-fast

step "cargo clippy"
cargo clippy --all-targets -- -D warnings

step "front end (wasm, debug profile)"
scripts/build-front.sh

step "Playwright in Chromium"
(cd end2end && npx playwright test)

# The benchmark at a small size on the test build, so it cannot rot; its figures come
# from scripts/bench.sh on an optimised build.
step "scale benchmark (small, unoptimised)"
BENCH_PROFILE=test scripts/bench.sh --pods 500 --requests 20 --changes 5 --kubectl-runs 1

step "all tests passed in $((SECONDS - started)) s"
