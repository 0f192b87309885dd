#!/usr/bin/env bash
# Installs what building and testing Chatout needs, skipping whatever is already present.
# Works on a fresh Debian machine with only Rust, Node and apt (see shared/TOOLCHAIN.md).
# `scripts/setup.sh --trunk` also installs Trunk, for `trunk serve` while developing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI: must equal the wasm-bindgen crate in Cargo.lock, exactly.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (about 6 minutes)"
  # Not --locked: the locked build asks for a webpki-roots release the registry lacks.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# 3. Trunk 0.21.14 (0.22 needs a newer rustc than this machine kind has), with --trunk only:
# `cargo xtask` builds dist/ without it; Trunk serves the demo page while developing
# (`trunk serve`).
if [ "${1:-}" = "--trunk" ] && [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "0.21.14" ]; then
  say "installing trunk 0.21.14 (about 8 minutes)"
  cargo install trunk --version 0.21.14 --locked
fi

# 4. Chromium and its driver from Debian, for browser and end-to-end tests.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

# 5. npm tools: binaryen 132 (wasm-opt; NOT Debian's 108) and playwright-core (no browser download).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm tools (binaryen, terser, csso, playwright-core, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 6. Crates, so builds (and Trunk, which runs offline) need no network afterwards.
cargo fetch --quiet
say "ready"
