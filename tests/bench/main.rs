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
//! 4. Sign-in cost: one argon2id verification with the chosen parameters and with stronger
//!    alternatives (in this process, one thread), then sign-ins over HTTP: sequential latency,
//!    throughput with concurrent clients, and the timing of a wrong password against an unknown
//!    login name (they must not be told apart).
//! 5. Ticket issuing throughput: concurrent clients post `/api/v1/tickets` with an API key made
//!    through the administration page, each with a new dossier code.
//!
//! `--feedback CASES` runs only the feedback benchmarks instead (see `feedback.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};
use serde_json::json;
use services::{
    entity::response,
    instruments::{self, InstrumentCache},
    survey::insert_answers,
};
use std::{
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

mod feedback;

struct Args {
    seconds: u64,
    clients: usize,
    binary: String,
    /// Only the feedback benchmarks, with this many cases for the inbox.
    feedback: Option<u64>,
}

fn args() -> Args {
    let mut a = Args { seconds: 10, clients: 32, binary: "target/release/ydan".into(), feedback: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds N"),
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).expect("--clients N"),
            "--binary" => a.binary = it.next().expect("--binary PATH"),
            "--feedback" => a.feedback = Some(it.next().and_then(|v| v.parse().ok()).expect("--feedback CASES")),
            other => panic!("unknown argument {other}; use --seconds N --clients N --binary PATH [--feedback CASES]"),
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
    // The benchmark relays ratings as another system of the province would: with its API key.
    let key_out = Command::new(&a.binary)
        .args(["--database", &http_db, "create-api-key", "--unit", "QN", "--name", "bench"])
        .stderr(Stdio::null())
        .output()
        .expect("run ydan create-api-key");
    assert!(key_out.status.success(), "create-api-key failed");
    let api_key = String::from_utf8(key_out.stdout).unwrap().trim().to_owned();
    let port = 3200 + (std::process::id() % 500) as u16;
    let base = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new(&a.binary)
            // Behind one "proxy" (this benchmark), so residents' addresses can be told apart.
            .args(["--database", &http_db, "serve", "--listen", &format!("127.0.0.1:{port}"), "--trusted-proxies", "1"])
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
    if let Some(cases) = a.feedback {
        println!("{}", feedback::run(&base, &http_db, a.seconds, a.clients, cases).await);
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }

    // 1. Over HTTP.
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0u64));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for t in 0..a.clients {
        let (client, base, counters, api_key) = (client.clone(), base.clone(), counters.clone(), api_key.clone());
        let (latencies, errors) = (latencies.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut i = t as u64;
            while Instant::now() < deadline {
                let body =
                    json!({"counter": counters[i as usize % counters.len()], "channel": "api", "answers": answers(i)});
                let t0 = Instant::now();
                let res =
                    client.post(format!("{base}/api/v1/responses")).bearer_auth(&api_key).json(&body).send().await;
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

    // 4. Sign-in cost, then 5. tickets, against the same server.
    let signin = sign_in_bench(&base, &a).await;
    let tickets = ticket_bench(&base, &a, &tree, &counters).await;

    // 2. Straight through the driver.
    let db = server::db::connect(&direct_db).await.unwrap();
    server::db::migrate(&db).await.unwrap();
    server::seed::seed_demo(&db, &Default::default(), 0, 1, chrono::Utc::now().date_naive(), false).await.unwrap();
    let instrument =
        instruments::load(&db, &InstrumentCache::default(), instruments::default_id(&db).await.unwrap()).await.unwrap();
    let criteria: Vec<i64> = instrument.criteria().map(|c| c.id).collect();
    let counter_rows = services::entity::counter::Entity::find().all(&db).await.unwrap();
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
                    channel: Set("api".into()),
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
    println!();
    println!("{signin}");
    println!("{tickets}");
    println!("{}", argon2_table());
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A client that shows redirects instead of following them, as a form-posting browser sees.
fn form_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn post_sign_in(client: &reqwest::Client, base: &str, login: &str, password: &str) -> (u16, Duration) {
    let t0 = Instant::now();
    let res = client
        .post(format!("{base}/dang-nhap"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ydan_tests::serde_urlencoded_pairs(&[("login", login), ("password", password), ("next", "")]))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), t0.elapsed())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    percentile(&v, 0.5)
}

/// Sign-ins over HTTP with the demo administrator `quantri`.
async fn sign_in_bench(base: &str, a: &Args) -> String {
    let client = form_client();
    let mut sequential = Vec::new();
    for _ in 0..30 {
        let (status, took) = post_sign_in(&client, base, "quantri", server::seed::DEMO_PASSWORD).await;
        assert_eq!(status, 303, "demo sign-in");
        sequential.push(took);
    }
    sequential.sort();
    // Wrong passwords stay under the per-login lock (5) and unknown names under the
    // per-address one (30), so every attempt is a real verification.
    let mut wrong = Vec::new();
    for _ in 0..4 {
        let (status, took) = post_sign_in(&client, base, "halong.xem", "không đúng mật khẩu").await;
        assert_eq!(status, 401, "wrong password");
        wrong.push(took);
    }
    let mut unknown = Vec::new();
    for i in 0..10 {
        let (status, took) = post_sign_in(&client, base, &format!("khong.co.{i}"), "không đúng mật khẩu").await;
        assert_eq!(status, 401, "unknown login");
        unknown.push(took);
    }
    let clients = 8;
    let seconds = a.seconds.min(5);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, base) = (client.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while Instant::now() < deadline {
                let (status, took) = post_sign_in(&client, &base, "quantri", server::seed::DEMO_PASSWORD).await;
                assert_eq!(status, 303);
                mine.push(took);
            }
            mine
        }));
    }
    let mut concurrent = Vec::new();
    for t in tasks {
        concurrent.extend(t.await.unwrap());
    }
    let rate = concurrent.len() as f64 / start.elapsed().as_secs_f64();
    concurrent.sort();
    format!(
        "| sign-in over HTTP | result |\n|---|---|\n\
         | one at a time, p50 / p95 (30 sign-ins) | {:.1} ms / {:.1} ms |\n\
         | {clients} clients × {seconds} s: throughput | **{rate:.1} sign-ins/s** (p50 {:.0} ms, p95 {:.0} ms) |\n\
         | wrong password, median of 4 | {:.1} ms |\n\
         | unknown login name, median of 10 | {:.1} ms |\n",
        ms(percentile(&sequential, 0.5)),
        ms(percentile(&sequential, 0.95)),
        ms(percentile(&concurrent, 0.5)),
        ms(percentile(&concurrent, 0.95)),
        ms(median(wrong)),
        ms(median(unknown)),
    )
}

/// Tickets over HTTP with an API key of the province, made as its administrator would.
async fn ticket_bench(base: &str, a: &Args, tree: &serde_json::Value, counters: &[String]) -> String {
    let client = form_client();
    let signed = client
        .post(format!("{base}/dang-nhap"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ydan_tests::serde_urlencoded_pairs(&[
            ("login", "qn.quantri"),
            ("password", server::seed::DEMO_PASSWORD),
            ("next", ""),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let page = client.get(format!("{base}/quan-tri/khoa-api")).header("cookie", &cookie).send().await.unwrap();
    let html = page.text().await.unwrap();
    let marker = r#"name="csrf" value=""#;
    let at = html.find(marker).expect("CSRF token") + marker.len();
    let csrf = html[at..at + 64].to_owned();
    let province = tree["agencies"][0]["code"].as_str().unwrap();
    let made = client
        .post(format!("{base}/quan-tri/khoa-api"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ydan_tests::serde_urlencoded_pairs(&[
            ("csrf", &csrf),
            ("action", "create"),
            ("unit", province),
            ("name", "Đo tải"),
        ]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = made.find("ydan_").expect("the new key on the page");
    let key = made[at..at + 53].to_owned();

    let clients = a.clients;
    let start = Instant::now();
    let deadline = start + Duration::from_secs(a.seconds);
    let failures = Arc::new(Mutex::new(0u64));
    let mut tasks = Vec::new();
    for t in 0..clients {
        let (client, base, key, counters, failures) =
            (client.clone(), base.to_owned(), key.clone(), counters.to_vec(), failures.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut i = t;
            while Instant::now() < deadline {
                let body = json!({
                    "counter": counters[i % counters.len()],
                    "dossier_code": format!("G01.QN-261122-{i:07}"),
                });
                let t0 = Instant::now();
                let res = client.post(format!("{base}/api/v1/tickets")).bearer_auth(&key).json(&body).send().await;
                match res {
                    Ok(r) if r.status() == 201 => {
                        let _ = r.bytes().await;
                        mine.push(t0.elapsed());
                    }
                    _ => *failures.lock().unwrap() += 1,
                }
                i += clients;
            }
            mine
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let rate = lat.len() as f64 / start.elapsed().as_secs_f64();
    lat.sort();
    format!(
        "| tickets over HTTP | result |\n|---|---|\n\
         | clients × seconds | {clients} × {} |\n\
         | tickets issued | {} ({} failed) |\n\
         | throughput | **{rate:.0} tickets/s** |\n\
         | latency p50 / p99 | {:.1} ms / {:.1} ms |\n",
        a.seconds,
        lat.len(),
        failures.lock().unwrap(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
    )
}

/// One verification per parameter set, on one thread: the chosen set and stronger ones.
fn argon2_table() -> String {
    use argon2::{
        Algorithm, Argon2, Params, Version,
        password_hash::{PasswordHasher, PasswordVerifier},
    };
    let mut out = String::from("| argon2id parameters | verify, median of 15 (one thread) |\n|---|---|\n");
    for (label, m, t) in [
        ("m=19 MiB, t=2, p=1 (chosen; OWASP minimum)", 19 * 1024, 2),
        ("m=46 MiB, t=1, p=1 (OWASP alternative)", 46 * 1024, 1),
        ("m=64 MiB, t=3, p=1 (RFC 9106 second choice)", 64 * 1024, 3),
    ] {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(m, t, 1, None).unwrap());
        let phc = argon.hash_password(b"mot mat khau du dai").unwrap().to_string();
        let times: Vec<Duration> = (0..15)
            .map(|_| {
                let t0 = Instant::now();
                argon.verify_password(b"mot mat khau du dai", phc.as_str()).unwrap();
                t0.elapsed()
            })
            .collect();
        out.push_str(&format!("| {label} | {:.1} ms |\n", ms(median(times))));
    }
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
