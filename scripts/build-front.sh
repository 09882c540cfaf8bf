#!/usr/bin/env bash
# Builds the browser side into target/site: the hydrate wasm module (via wasm-bindgen),
# the stylesheet and public assets. Picks the toolchain by itself:
#   - rustup with the wasm32-unknown-unknown target installed: used as is;
#   - otherwise Debian's rustc-web (see shared TOOLCHAIN notes): std is built from source
#     with -Zbuild-std and linked with wasm-ld.
# BOSUN_WASM_TOOLCHAIN=debian forces the second path (to test it where both exist).
# Usage: scripts/build-front.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."

profile=dev
profile_dir=debug
if [[ "${1:-}" == "--release" ]]; then
  profile=wasm-release
  profile_dir=wasm-release
fi

site=target/site
pkg="$site/pkg"
front_target=target/front
mkdir -p "$pkg"

build_args=(build -p bosun-frontend --lib --target wasm32-unknown-unknown --target-dir "$front_target" --profile "$profile")

if [[ "${BOSUN_WASM_TOOLCHAIN:-auto}" != debian ]] \
  && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "build-front: using rustup's wasm32-unknown-unknown target"
  cargo "${build_args[@]}"
else
  echo "build-front: using Debian's rustc-web with -Zbuild-std (no rustup wasm32 target, or BOSUN_WASM_TOOLCHAIN=debian)"
  if ! rustup toolchain list 2>/dev/null | grep -q '^debian-web'; then
    rustup toolchain link debian-web /usr
  fi
  RUSTUP_TOOLCHAIN=debian-web \
  RUSTC_BOOTSTRAP=1 \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
  RUSTFLAGS="--cfg getrandom_backend=\"wasm_js\" --cfg erase_components" \
    cargo "${build_args[@]}" -Zbuild-std=std,panic_abort
fi

wasm="$front_target/wasm32-unknown-unknown/$profile_dir/bosun_frontend.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name bosun "$wasm"

if [[ "$profile" == "wasm-release" ]]; then
  wasm_opt="tools/node_modules/.bin/wasm-opt"
  if [[ -x "$wasm_opt" ]]; then
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types -o "$pkg/bosun_bg.wasm" "$pkg/bosun_bg.wasm"
  else
    echo "build-front: wasm-opt not found at $wasm_opt; keeping the unoptimised wasm" >&2
  fi
fi

cp style/main.css "$pkg/bosun.css"
cp -r public/. "$site/"
echo "build-front: $(du -h "$pkg/bosun_bg.wasm" | cut -f1) wasm written to $pkg"

# Precompressed copies, served to browsers that accept them (the wasm is ~4x smaller as
# brotli). Node's zlib does both; node is already needed for wasm-opt and Playwright.
# Best compression for release; a quick one for the (much larger) debug build.
quality=4
[[ "$profile" == "wasm-release" ]] && quality=11
BROTLI_QUALITY=$quality node tools/precompress.js "$pkg/bosun_bg.wasm" "$pkg/bosun.js" "$pkg/bosun.css"

# The content hash the server serves the bundle under (/pkg/v-<hash>/, kept forever).
echo "v-$(cat "$pkg/bosun.js" "$pkg/bosun_bg.wasm" "$pkg/bosun.css" | sha256sum | cut -c1-16)" > "$pkg/VERSION"
echo "build-front: bundle version $(cat "$pkg/VERSION")"
