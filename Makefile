# The two commands a newcomer needs (see README.md).
.PHONY: run test bench fmt lint

## Build in release mode and serve http://127.0.0.1:3000 with demo data (first start seeds ./data/ydan.db).
run:
	./scripts/run.sh

## Run every test: the API against its OpenAPI document, unit, integration on SQLite and PostgreSQL, browser (Chromium).
test:
	./scripts/test.sh

## Measure survey submission throughput and page weight; see docs/BENCHMARKS.md.
bench:
	./scripts/bench.sh

fmt:
	cargo fmt --all

## Clippy on every crate, and no module importing one that imports it back.
lint:
	cargo clippy --workspace --exclude ydan-frontend --all-targets -- -D warnings
	cargo run --release -q -p ydan-tests --bin module-cycles
	cargo clippy -p ydan-frontend --target wasm32-unknown-unknown -- -D warnings
