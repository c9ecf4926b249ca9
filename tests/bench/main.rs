//! `make bench`: measures what issue-level targets are set on, on this machine, and prints a
//! Markdown table for docs/BENCHMARKS.md.
//!
//! 1. Survey submissions over HTTP: the release `ydan` binary serves a fresh SQLite database;
//!    concurrent clients post complete responses to `/api/v1/responses` for a fixed time.
//!    Throughput, p50 and p99 latency.
//! 2. The reference limit: the same rows (one response + 16 answers per transaction) written
//!    straight through the database driver by one writer in a loop (SQLite takes one writer at
//!    a time), with no HTTP and no validation.
//! 3. Page weight of the survey page: compressed bytes of HTML + CSS (inlined) before the form
//!    can be submitted, and everything else the page loads (the islands' JS and wasm).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::server::{
    entity::response,
    services::{instruments, survey::insert_answers},
    state::InstrumentCache,
};
use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};
use serde_json::json;
use std::{
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

struct Args {
    seconds: u64,
    clients: usize,
    binary: String,
}

fn args() -> Args {
    let mut a = Args { seconds: 10, clients: 32, binary: "target/release/ydan".into() };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds N"),
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).expect("--clients N"),
            "--binary" => a.binary = it.next().expect("--binary PATH"),
            other => panic!("unknown argument {other}; use --seconds N --clients N --binary PATH"),
        }
    }
    a
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn answers(i: u64) -> serde_json::Value {
    let codes = [
        "II.A1", "II.A2", "II.A3", "II.B1", "II.B2", "II.B3", "II.B4", "II.C1", "II.C2", "II.C3", "II.D1", "II.D2",
        "II.D3", "II.E1", "II.E2", "II.E3",
    ];
    let mut m = serde_json::Map::new();
    for (k, code) in codes.iter().enumerate() {
        m.insert((*code).into(), json!(((i + k as u64) % 5) + 1));
    }
    serde_json::Value::Object(m)
}

fn gzip_len(bytes: &[u8]) -> usize {
    // `gzip -9` as an external tool keeps the benchmark free of a compression crate.
    let mut child = Command::new("gzip").arg("-9c").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("gzip");
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap().stdout.len()
}

#[tokio::main]
async fn main() {
    let a = args();
    let dir = std::env::temp_dir().join(format!("ydan-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let http_db = format!("sqlite://{}/http.db", dir.display());
    let direct_db = format!("sqlite://{}/direct.db", dir.display());

    // One demo province, no responses: counters to post to.
    let status = Command::new(&a.binary)
        .args(["--database", &http_db, "seed-demo", "--responses", "0"])
        .stderr(Stdio::null())
        .status()
        .expect("run ydan seed-demo");
    assert!(status.success());
    let port = 3200 + (std::process::id() % 500) as u16;
    let base = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new(&a.binary)
            .args(["--database", &http_db, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("YDAN_LOG", "error")
            .spawn()
            .expect("run ydan serve"),
    );
    let client = reqwest::Client::builder().pool_max_idle_per_host(a.clients).build().unwrap();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tree: serde_json::Value =
        client.get(format!("{base}/api/v1/agencies")).send().await.unwrap().json().await.unwrap();
    let mut counters = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        for u in v.as_array().unwrap() {
            for c in u["counters"].as_array().unwrap() {
                out.push(c["code"].as_str().unwrap().to_owned());
            }
            walk(&u["children"], out);
        }
    }
    walk(&tree["agencies"], &mut counters);

    // 1. Over HTTP.
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0u64));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for t in 0..a.clients {
        let (client, base, counters) = (client.clone(), base.clone(), counters.clone());
        let (latencies, errors) = (latencies.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut i = t as u64;
            while Instant::now() < deadline {
                let body = json!({"counter": counters[i as usize % counters.len()], "channel": "kiosk", "answers": answers(i)});
                let t0 = Instant::now();
                let res = client.post(format!("{base}/api/v1/responses")).json(&body).send().await;
                match res {
                    Ok(r) if r.status() == 201 => mine.push(t0.elapsed()),
                    _ => *errors.lock().unwrap() += 1,
                }
                i += a.clients as u64;
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort();
    let http_rate = lat.len() as f64 / elapsed;

    // 2. Straight through the driver.
    let db = server::db::connect(&direct_db).await.unwrap();
    server::db::migrate(&db).await.unwrap();
    server::seed::seed_demo(&db, 0, 1, chrono::Utc::now().date_naive(), false).await.unwrap();
    let instrument =
        instruments::load(&db, &InstrumentCache::default(), instruments::default_id(&db).await.unwrap()).await.unwrap();
    let criteria: Vec<i64> = instrument.criteria().map(|c| c.id).collect();
    let counter_rows = app::server::entity::counter::Entity::find().all(&db).await.unwrap();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(a.seconds);
    let written = Arc::new(Mutex::new(0u64));
    let mut tasks = Vec::new();
    for t in 0..1 {
        let (db, criteria, counters, written) = (db.clone(), criteria.clone(), counter_rows.clone(), written.clone());
        let instrument_id = instrument.id;
        tasks.push(tokio::spawn(async move {
            let mut i = t as u64;
            let mut n = 0;
            while Instant::now() < deadline {
                let c = &counters[i as usize % counters.len()];
                let txn = db.begin().await.unwrap();
                let row = response::ActiveModel {
                    instrument_id: Set(instrument_id),
                    counter_id: Set(c.id),
                    agency_id: Set(c.agency_id),
                    procedure_id: Set(None),
                    channel: Set("kiosk".into()),
                    submitted_at: Set(chrono::Utc::now()),
                    comment: Set(None),
                    device_hash: Set(None),
                    ua_class: Set(None),
                    submission_key: Set(None),
                    verified: Set(false),
                    dossier_code: Set(None),
                    ticket_id: Set(None),
                    flags: Set(String::new()),
                    ..Default::default()
                };
                let id = response::Entity::insert(row).exec(&txn).await.unwrap().last_insert_id;
                let values: Vec<(i64, Option<i16>)> =
                    criteria.iter().enumerate().map(|(k, id)| (*id, Some(((i + k as u64) % 5 + 1) as i16))).collect();
                insert_answers(&txn, id, &values).await.unwrap();
                txn.commit().await.unwrap();
                n += 1;
                i += counters.len() as u64;
            }
            *written.lock().unwrap() += n;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let direct_rate = *written.lock().unwrap() as f64 / start.elapsed().as_secs_f64();

    // 3. Page weight.
    let page = client
        .get(format!("{base}/s/{}", counters[0]))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let gz = client.get(format!("{base}/s/{}", counters[0])).header("accept-encoding", "gzip").send().await.unwrap();
    let served_gzip = gz.headers().get("content-encoding").is_some_and(|v| v == "gzip");
    let page_gz = gz.bytes().await.unwrap().len();
    let pkg = |name: &str| std::fs::read(format!("target/site/pkg/{name}")).unwrap_or_default();
    let (js, wasm) = (pkg("ydan.js"), pkg("ydan.wasm"));

    println!("| measure | result |");
    println!("|---|---|");
    println!("| clients × seconds | {} × {} |", a.clients, a.seconds);
    println!("| HTTP submissions stored | {} ({} failed) |", lat.len(), errors.lock().unwrap());
    println!("| HTTP throughput | **{http_rate:.0} submissions/s** |");
    println!("| HTTP latency p50 / p99 | {:.1} ms / {:.1} ms |", ms(percentile(&lat, 0.5)), ms(percentile(&lat, 0.99)));
    println!("| driver-only reference (one writer) | {direct_rate:.0} responses/s |");
    println!("| HTTP ÷ reference | **{:.0}%** |", 100.0 * http_rate / direct_rate);
    println!(
        "| survey page, HTML + inlined CSS | {} B raw, **{} B gzip** (server sent gzip: {served_gzip}, {} B) |",
        page.len(),
        gzip_len(&page),
        page_gz
    );
    println!("| islands JS | {} B raw, {} B gzip |", js.len(), gzip_len(&js));
    println!("| islands wasm | {} B raw, {} B gzip |", wasm.len(), gzip_len(&wasm));
    println!("| everything the survey page loads | **{} B gzip** |", gzip_len(&page) + gzip_len(&js) + gzip_len(&wasm));
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
