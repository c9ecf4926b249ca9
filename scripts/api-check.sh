#!/usr/bin/env bash
# Checks the JSON API against its OpenAPI document (server/src/openapi.json, served at
# /api/v1/openapi.json) with Schemathesis, a maintained property-based OpenAPI tester: it
# generates valid and invalid requests from the document (every parameter, header and body
# schema) and checks that the server never answers 5xx, answers only the statuses, content
# types, headers and bodies the document lists, and refuses what the document says is invalid.
#
#   1. installs Schemathesis (pinned) into a venv under target/ when missing (quietly, once);
#   2. starts the release server already built (target/release/ydan; it does not build) on a
#      free loopback port with a fresh SQLite database holding the demo province, and an API
#      key of the province (QN) so the authenticated operations are exercised;
#   3. runs `schemathesis run` with a fixed seed and a bounded number of examples.
# Exits non-zero on any failure; the server and its temporary folder are removed on exit.
#
# Environment: YDAN_API_CHECK_SCHEMA (a file to check instead of the served document),
# YDAN_BIN (default target/release/ydan), YDAN_API_CHECK_EXAMPLES (default 100),
# YDAN_API_CHECK_SEED (default 20261207), YDAN_API_CHECK_PORT (first port tried, 3200).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCHEMATHESIS_VERSION=4.32.5
VENV="${YDAN_API_CHECK_VENV:-$ROOT/target/schemathesis-venv}"
BIN="${YDAN_BIN:-$ROOT/target/release/ydan}"
EXAMPLES="${YDAN_API_CHECK_EXAMPLES:-100}"
SEED="${YDAN_API_CHECK_SEED:-20261207}"

say() { echo "==> $*" >&2; }

[ -x "$BIN" ] || { echo "ydan: $BIN is missing; build first (cargo leptos build --release)" >&2; exit 1; }

# 1. Schemathesis, pinned, in its own venv (re-made when the version differs).
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}' || true)" != "$SCHEMATHESIS_VERSION" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "ydan: python3 is required (Debian: apt-get install python3-venv)" >&2; exit 1; }
  say "installing Schemathesis $SCHEMATHESIS_VERSION into ${VENV#"$ROOT"/}"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# 2. A fresh database with the demo province, an API key, and the server.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
WORK=$(mktemp -d /tmp/ydan-api-check.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port "${YDAN_API_CHECK_PORT:-3200}")
DB="sqlite://$WORK/api.db"
"$BIN" --database "$DB" seed-demo --responses 200 >/dev/null 2>&1
KEY=$("$BIN" --database "$DB" create-api-key --unit QN --name "Schemathesis" 2>/dev/null | grep -o 'ydan_[A-Za-z0-9_-]*' | head -n 1)
[ -n "$KEY" ] || { echo "ydan: could not create an API key" >&2; exit 1; }
YDAN_LOG=warn "$BIN" --database "$DB" serve --listen "127.0.0.1:$PORT" --export-dir "$WORK/exports" \
  --site-root "$ROOT/target/site" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "ydan: the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }

# 3. The run, on the document the server serves (built into the binary, so it must be the one
# in server/src/openapi.json); YDAN_API_CHECK_SCHEMA=server/src/openapi.json checks an edited
# document without rebuilding.
SCHEMA="${YDAN_API_CHECK_SCHEMA:-http://127.0.0.1:$PORT/api/v1/openapi.json}"
if [ -z "${YDAN_API_CHECK_SCHEMA:-}" ] &&
  ! curl -fs "$SCHEMA" | cmp -s - "$ROOT/server/src/openapi.json"; then
  echo "ydan: $BIN serves another OpenAPI document than server/src/openapi.json: rebuild it" >&2
  exit 1
fi
say "Schemathesis $SCHEMATHESIS_VERSION: $SCHEMA against http://127.0.0.1:$PORT/api/v1 (seed $SEED, $EXAMPLES examples per operation)"
# The demo's real unit and counter codes are offered often (not always) for `code`, `counter`
# and the body's `counter`, so requests get past "not found" into validation and storage.
curl -fs "http://127.0.0.1:$PORT/api/v1/agencies" >"$WORK/agencies.json"
DICTS=$(python3 - "$WORK/agencies.json" <<'PY'
import json, sys
units, counters = [], []
def walk(node):
    units.append(node["code"])
    counters.extend(c["code"] for c in node["counters"])
    for child in node["children"]:
        walk(child)
for root in json.load(open(sys.argv[1]))["agencies"]:
    walk(root)
print("[dictionaries.units]\nvalues = %s\n\n[dictionaries.counters]\nvalues = %s" % (json.dumps(units), json.dumps(counters)))
PY
)
TODAY=$(TZ=Asia/Ho_Chi_Minh date +%y%m%d)
# A few receipt tickets, so answers through a ticket (201, then 409 once used) are tried too.
FIRST_COUNTER=$(printf '%s\n' "$DICTS" | sed -n 's/^values = \["\([^"]*\)".*/\1/p' | sed -n 2p)
TICKETS=""
for i in 1 2 3 4 5; do
  url=$(curl -fs -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"counter\":\"$FIRST_COUNTER\",\"dossier_code\":\"QN.50.05.13-$TODAY-000$i\"}" \
    "http://127.0.0.1:$PORT/api/v1/tickets" | python3 -c 'import json,sys; print(json.load(sys.stdin)["survey_url"])')
  TICKETS="$TICKETS${TICKETS:+, }\"${url##*/}\""
done
# The key is given per security scheme of the document, so each operation sends it the way its
# security requirement says (Bearer or X-Api-Key); the tablet's scheme gets no secret.
cat >"$WORK/schemathesis.toml" <<TOML
$DICTS

[dictionaries.tickets]
values = [$TICKETS]

[dictionaries.dossiers]
values = ["QN.50.05.13-$TODAY-0975", "H15.50.05.13-$TODAY-123456"]

[parameters]
"path.code" = { dictionary = "units", probability = 0.7 }
"path.counter" = { dictionary = "counters", probability = 0.7 }
"body.counter" = { dictionary = "counters", probability = 0.7 }
"body.dossier_code" = { dictionary = "dossiers", probability = 0.5 }
"body.ticket" = { dictionary = "tickets", probability = 0.5 }

[auth.openapi.ApiKey]
bearer = "$KEY"

[auth.openapi.ApiKeyHeader]
api_key = "$KEY"
TOML
# Checks: no 5xx; only documented statuses, content types, headers and bodies; and what the
# document calls invalid (negative data) refused with a 4xx. One worker, so a seed replays.
status=0
(cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" --no-color run \
  "$SCHEMA" --url "http://127.0.0.1:$PORT/api/v1" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --request-timeout 10 \
  --suppress-health-check too_slow,filter_too_much \
  --warnings off ${YDAN_API_CHECK_ARGS:-}) || status=$?
if [ "$status" != 0 ]; then
  echo "ydan: the API does not match its OpenAPI document (see above); server log:" >&2
  tail -n 40 "$WORK/server.log" >&2
  exit "$status"
fi
say "the API matches its OpenAPI document"
