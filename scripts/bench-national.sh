#!/usr/bin/env bash
# Dashboards at national scale (issue #5): fills a database with `ydan seed-demo --scale
# national` (34 provinces, 3,400 units, 10 million responses; kept between runs), then times the
# province dashboards, the national overview and the same figures computed naively from the raw
# responses. On SQLite, then on a PostgreSQL server started here (installed with apt if missing).
#
#   scripts/bench-national.sh [--responses N] [--pg-responses N] [--sqlite-only | --postgres-only] [--runs N]
#
# PostgreSQL is seeded with a tenth of the data by default: the seed writes about 1,300
# responses/s into it on 2 cores, so ten million would take over two hours.
#
# Prints Markdown tables for docs/BENCHMARKS.md. The SQLite file is data/bench-national.db
# (several GB; delete it afterwards). The PostgreSQL cluster lives in a temporary folder and is
# removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
RESPONSES=10000000
PG_RESPONSES=1000000
RUNS=40
DO_SQLITE=1
DO_PG=1
while [ $# -gt 0 ]; do
  case "$1" in
    --responses) RESPONSES=$2; shift 2 ;;
    --pg-responses) PG_RESPONSES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --sqlite-only) DO_PG=0; shift ;;
    --postgres-only) DO_SQLITE=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export LEPTOS_OUTPUT_NAME=ydan
cargo build --release -p ydan-server --bin ydan -p ydan-tests --bin bench-national >&2
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr), $(date -u +%Y-%m-%d)"

if [ "$DO_SQLITE" = 1 ]; then
  mkdir -p data
  DB=data/bench-national.db
  if [ ! -f "$DB" ]; then
    ./target/release/ydan seed-demo --database "sqlite://$DB" --scale national --responses "$RESPONSES" >&2
  fi
  echo; echo "### SQLite ($(du -h "$DB" | cut -f1) file)"
  ./target/release/bench-national --database "sqlite://$DB" --runs "$RUNS" --naive-runs 1
fi

if [ "$DO_PG" = 1 ]; then
  pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
  if [ -z "$(pg_bin)" ]; then
    [ "$(id -u)" = 0 ] || { echo "ydan: install the postgresql package (as root)" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  PG_BIN=$(pg_bin)
  PGTMP=$(mktemp -d /tmp/ydan-pgbench.XXXXXX)
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres "$PGTMP"
  fi
  PORT=56432
  cleanup() { as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGTMP"; }
  trap cleanup EXIT
  as_pg "$PG_BIN/initdb" -D "$PGTMP/data" -U ydan --auth=trust -E UTF8 --locale=C >/dev/null
  # Memory sized for the machine; commits not waited for (only the seed writes).
  as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
    -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c shared_buffers=2GB -c work_mem=64MB -c max_wal_size=8GB -c synchronous_commit=off" start >/dev/null
  URL="postgres://ydan@127.0.0.1:$PORT/postgres"
  ./target/release/ydan seed-demo --database "$URL" --scale national --responses "$PG_RESPONSES" >&2
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U ydan -d postgres -qc "VACUUM ANALYZE" >/dev/null
  echo; echo "### PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
  ./target/release/bench-national --database "$URL" --runs "$RUNS" --naive-runs 2
fi
