#!/usr/bin/env bash
# The scale benchmark: the demo cluster with N generated pods (default 10,000), Bosun
# against it, and a table of figures (see benches/scale.rs).
# Usage: scripts/bench.sh [--pods N] [--requests N] [--changes N] [--kubectl-runs N]
#   BENCH_PROFILE=test runs it unoptimised on the test build (what CI does, small, so the
#   benchmark cannot rot); the default is an optimised build, as the figures need.
set -euo pipefail
cd "$(dirname "$0")/.."

# The server serves the built front end; the figures include the wasm's size, so an
# optimised run always builds the release bundle (a debug one left by the tests would be
# measured otherwise). The small CI run takes whatever bundle is there.
if [[ "${BENCH_PROFILE:-bench}" == test ]]; then
  [[ -f target/site/pkg/bosun_bg.wasm ]] || scripts/build-front.sh
else
  scripts/build-front.sh --release
fi

if [[ "${BENCH_PROFILE:-bench}" == test ]]; then
  exec cargo test --bench scale -- "$@"
fi
exec cargo bench --bench scale -- "$@"
