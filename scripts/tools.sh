#!/usr/bin/env bash
# Installs what building Ý Dân needs, only when missing (safe to run again):
#   the wasm32 target, cargo-leptos (pinned), wasm-bindgen-cli (= the version in Cargo.lock),
#   and wasm-opt from npm's binaryen 123 (Debian's binaryen silently breaks the browser bundle).
# Source it: it puts the tools on PATH.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs a newer rustc than this toolchain
BINARYEN_VERSION=123.0.0      # what cargo-leptos 0.3.10 expects
YDAN_TOOLS_DIR="${YDAN_TOOLS_DIR:-$HOME/.cache/ydan-tools}"
export PATH="$HOME/.cargo/bin:$YDAN_TOOLS_DIR/node_modules/.bin:$PATH"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "==> $*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "ydan: '$1' is required but not installed. $2" >&2; exit 1; }
}

need cargo "Install the Rust toolchain from https://rustup.rs."
need rustup "Install the Rust toolchain from https://rustup.rs."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 11 minutes on 2 cores, once)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (must equal the library in Cargo.lock)"
  # Not --locked: its lock file names a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

if [ "$(wasm-opt --version 2>/dev/null || true)" != "wasm-opt version ${BINARYEN_VERSION%%.*} (version_${BINARYEN_VERSION%%.*})" ]; then
  need npm "Install Node.js and npm (Debian: apt-get install nodejs npm)."
  say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  mkdir -p "$YDAN_TOOLS_DIR"
  npm install --prefix "$YDAN_TOOLS_DIR" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION" >&2
fi
