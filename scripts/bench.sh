#!/usr/bin/env bash
# `make bench`: builds the release server and browser bundle, then measures survey submissions
# over HTTP against SQLite (with the driver-only reference) and the survey page's weight.
# Prints a Markdown table to paste into docs/BENCHMARKS.md, with the machine it ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
export LEPTOS_OUTPUT_NAME=ydan
cargo leptos build --release >&2
cargo build --release -p ydan-tests --bin bench >&2
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr), $(date -u +%Y-%m-%d)"
./target/release/bench "$@"
