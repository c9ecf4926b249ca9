#!/usr/bin/env bash
# `make test`: every test of Ý Dân, on a fresh machine as on a developer's.
#   1. installs what is missing: build tools (scripts/tools.sh), Debian's chromium, a PostgreSQL
#      server (apt, when running as root), the npm packages of end2end/ (never a browser download);
#   2. builds once, in release mode (server + browser bundle);
#   3. checks the JSON API against its OpenAPI document with Schemathesis (scripts/api-check.sh,
#      on the release binary just built; Schemathesis is pip-installed into target/ once);
#   4. runs unit tests and the integration tests on SQLite, then the integration tests again on
#      a PostgreSQL server started here, then the browser tests in headless Chromium against the
#      real server, with and without JavaScript.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
T0=$(date +%s)
step() { echo; echo "=== [$(( $(date +%s) - T0 ))s] $*"; }

export CARGO_TERM_COLOR=never NO_COLOR=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# cargo-leptos sets this when it builds; setting it for cargo test too lets both share one build.
export LEPTOS_OUTPUT_NAME=ydan

is_root() { [ "$(id -u)" = 0 ]; }
# The first port from $1 up that nothing listens on.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
apt_install() {
  if is_root; then
    if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "ydan: please install these Debian packages (as root): $*" >&2
    exit 1
  fi
}

step "build tools"
source scripts/tools.sh

step "system packages: chromium, PostgreSQL, Node.js, Python venv"
command -v chromium >/dev/null 2>&1 || apt_install chromium
# Schemathesis goes into a venv: Debian keeps venv's pip apart, in python3-venv.
if ! python3 -c 'import ensurepip' >/dev/null 2>&1 ||
  { command -v dpkg >/dev/null 2>&1 && ! dpkg -s python3-venv >/dev/null 2>&1; }; then
  apt_install python3 python3-venv
fi
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
[ -n "$(pg_bin)" ] || apt_install postgresql
PG_BIN=$(pg_bin)

step "end2end npm packages (no browser download)"
(cd end2end && npm ci --no-audit --no-fund >/dev/null)

step "build (release): server and browser bundle"
cargo leptos build --release

step "API against its OpenAPI document (Schemathesis)"
scripts/api-check.sh

step "unit and integration tests (SQLite)"
cargo test --release --workspace --exclude ydan-frontend

step "integration tests (PostgreSQL)"
PGTMP=$(mktemp -d /tmp/ydan-pg.XXXXXX)
PGPORT=$(free_port "${YDAN_TEST_PG_PORT:-55432}")
as_pg() { if is_root; then runuser -u "$PGUSER_OS" -- "$@"; else "$@"; fi; }
if is_root; then
  PGUSER_OS=postgres
  id -u "$PGUSER_OS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
  chown "$PGUSER_OS" "$PGTMP"
fi
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -d "$PGTMP/data" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT
as_pg "$PG_BIN/initdb" -D "$PGTMP/data" -U ydan --auth=trust -E UTF8 --locale=C >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
  -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null ||
  { echo "ydan: PostgreSQL did not start:" >&2; cat "$PGTMP/log" >&2; exit 1; }
# Same package selection as above, so cargo reuses that build instead of making another.
YDAN_TEST_POSTGRES_URL="postgres://ydan@127.0.0.1:$PGPORT/postgres" \
  cargo test --release --workspace --exclude ydan-frontend --test api

step "browser tests (headless Chromium, with and without JavaScript)"
E2E_DIR=$(mktemp -d /tmp/ydan-e2e.XXXXXX)
E2E_PORT=$(free_port "${YDAN_E2E_PORT:-3100}")
E2E_DB="sqlite://$E2E_DIR/e2e.db"
./target/release/ydan --database "$E2E_DB" seed-demo --responses 400 2>/dev/null
YDAN_LOG=warn ./target/release/ydan --database "$E2E_DB" serve --listen "127.0.0.1:$E2E_PORT" --export-dir "$E2E_DIR/exports" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$E2E_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
(cd end2end && BASE_URL="http://127.0.0.1:$E2E_PORT" CI=true npx playwright test)
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
rm -rf "$E2E_DIR"

step "all tests passed"
