#!/usr/bin/env bash
# `make run`: build in release mode, create ./data/ydan.db with demo data on first start,
# and serve http://127.0.0.1:3000 until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

export LEPTOS_OUTPUT_NAME=ydan
echo "==> building (release)" >&2
cargo leptos build --release

DATABASE_URL="${DATABASE_URL:-sqlite://data/ydan.db}"
export DATABASE_URL
./target/release/ydan seed-demo --if-empty
echo "==> open http://${YDAN_LISTEN:-127.0.0.1:3000} (Ctrl+C stops)" >&2
exec ./target/release/ydan serve
