//! Feedback benchmarks (`bench --feedback`): residents' cases with one phone photo posted to
//! `/gop-y` by concurrent clients (throughput, p50, p99), then the officers' inbox with
//! 100,000 cases in the database (p50, p95 of whole page requests, for a province-wide
//! administrator and for a ward's officer).

use super::{form_client, percentile};
use sea_orm::{ActiveValue::Set, EntityTrait};
use services::entity::{agency, feedback_case, feedback_category};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A phone-like photo: 1600 × 1200 with texture, so that it compresses like a real one.
fn photo() -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    let img = image::RgbImage::from_fn(1600, 1200, |px, py| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let n = (x % 48) as u8;
        image::Rgb([((px / 7) % 200) as u8 + n, ((py / 5) % 200) as u8 + n / 2, 90 + n])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

fn multipart(boundary: &str, fields: &[(&str, &str)], jpeg: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"anh.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(jpeg);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

pub async fn run(base: &str, database: &str, seconds: u64, clients: usize, cases: u64) -> String {
    let jpeg = Arc::new(photo());
    let boundary = "----ydan-bench";
    let client = form_client();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::new(Mutex::new(0u64));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for t in 0..clients {
        let (client, base, jpeg, latencies, failed) =
            (client.clone(), base.to_owned(), jpeg.clone(), latencies.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = t;
            while Instant::now() < deadline {
                let description = format!("Ổ gà trên đường số {i}, xe máy dễ ngã.");
                let body = multipart(
                    boundary,
                    &[
                        ("kind", "on_site"),
                        ("category", "ha-tang-giao-thong"),
                        ("agency", "QN.HL"),
                        ("description", &description),
                        ("address", "Phường Hạ Long"),
                        ("anonymous", "1"),
                    ],
                    &jpeg,
                );
                let t0 = Instant::now();
                let res = client
                    .post(format!("{base}/gop-y"))
                    .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                    // Each case from another resident's phone (a documentation prefix).
                    .header("x-forwarded-for", format!("2001:db8:{:x}:{:x}::1", i / 65536, i % 65536))
                    .body(body)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 303 => latencies.lock().unwrap().push(t0.elapsed()),
                    _ => *failed.lock().unwrap() += 1,
                }
                i += clients;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort();
    let rate = lat.len() as f64 / elapsed;

    // 100,000 cases, written straight into the server's database (as years of use would).
    let db = server::db::connect(database).await.unwrap();
    let units = agency::Entity::find().all(&db).await.unwrap();
    let category = feedback_category::Entity::find().all(&db).await.unwrap();
    let existing = feedback_case::Entity::find().all(&db).await.unwrap().len() as u64;
    let statuses = ["submitted", "received", "assigned", "answered", "published", "closed", "needs_info"];
    let now = chrono::Utc::now();
    let fill = Instant::now();
    let mut n = existing;
    while n < cases {
        let batch: Vec<feedback_case::ActiveModel> = (n..(n + 500).min(cases))
            .map(|i| {
                let unit = &units[i as usize % units.len()];
                let at = now - chrono::Duration::minutes((i % 500_000) as i64);
                feedback_case::ActiveModel {
                    tracking_code: Set(format!("PAKN.20250101.{i:06}")),
                    access_hash: Set(format!("{i:064}")),
                    kind: Set(["on_site", "procedure", "conduct", "proposal"][i as usize % 4].into()),
                    category_id: Set(category[i as usize % category.len()].id),
                    agency_id: Set(unit.id),
                    triage: Set(false),
                    description: Set(format!("Phản ánh số {i}")),
                    anonymous: Set(true),
                    consent: Set(false),
                    channel: Set("web".into()),
                    status: Set(statuses[i as usize % statuses.len()].into()),
                    submitted_at: Set(at),
                    clock_from: Set(at),
                    step_due_at: Set(Some(at + chrono::Duration::days(3))),
                    answer_due_at: Set(at + chrono::Duration::days(21)),
                    reopened_count: Set(0),
                    hidden: Set(false),
                    updated_at: Set(at),
                    ..Default::default()
                }
            })
            .collect();
        n += batch.len() as u64;
        feedback_case::Entity::insert_many(batch).exec_without_returning(&db).await.unwrap();
    }
    let fill_secs = fill.elapsed().as_secs_f64();

    let mut inbox = Vec::new();
    for login in ["qn.quantri", "halong.canbo"] {
        let browser = form_client();
        // Signs in and keeps the session cookie, as a browser would.
        let res = browser
            .post(format!("{base}/dang-nhap"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(ydan_tests::serde_urlencoded_pairs(&[
                ("login", login),
                ("password", server::seed::DEMO_PASSWORD),
                ("next", ""),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "sign-in of {login}");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let mut times = Vec::new();
        let mut listed = 0;
        for i in 0..60 {
            let path = if i % 2 == 0 { "/pakn" } else { "/pakn?overdue=1" };
            let t0 = Instant::now();
            let page = browser.get(format!("{base}{path}")).header("cookie", &cookie).send().await.unwrap();
            assert_eq!(page.status(), 200);
            let html = page.text().await.unwrap();
            times.push(t0.elapsed());
            listed = html.matches("href=\"/pakn/PAKN.").count();
        }
        times.sort();
        inbox.push((login, percentile(&times, 0.5), percentile(&times, 0.95), listed));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut out = String::new();
    out.push_str("| feedback measure | result |\n|---|---|\n");
    out.push_str(&format!("| case submissions with one 1600×1200 photo ({} KB), {clients} clients × {seconds} s | {} stored, {} failed |\n", jpeg.len() / 1024, lat.len(), failed.lock().unwrap()));
    out.push_str(&format!("| submission throughput | **{rate:.1} cases/s** |\n"));
    out.push_str(&format!(
        "| submission latency p50 / p99 | {:.0} ms / **{:.0} ms** |\n",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    ));
    out.push_str(&format!("| cases in the database for the inbox | {n} (filled in {fill_secs:.0} s) |\n"));
    for (login, p50, p95, listed) in inbox {
        out.push_str(&format!("| inbox `/pakn` as `{login}` (60 requests, half with `?overdue=1`; {listed} rows on the last page) p50 / p95 | {:.0} ms / **{:.0} ms** |\n", ms(p50), ms(p95)));
    }
    out
}
