//! The integrity gate, attacked from outside: one script, every door, rotating browsers and
//! addresses inside one IPv6 /64, parallel sends. What it may move is bounded by the daily cap
//! per source and counter (docs/SECURITY.md).

use serde_json::{Value, json};
use services::state::Settings;
use ydan_tests::{TestApp, serde_urlencoded_pairs};

const BROWSERS: [&str; 6] = [
    "Mozilla/5.0 (Linux; Android 10; K) Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15",
    "curl/8.5.0",
    "Zalo/23.09 (Android)",
];

/// A server behind one proxy of its own, so the test can speak from any address it likes.
async fn behind_a_proxy(cap: u64) -> TestApp {
    TestApp::spawn_with(Settings { trusted_proxies: 1, source_daily_cap: cap, ..Default::default() }).await
}

/// Unflagged ratings of a unit (what its default index counts).
async fn counted(app: &TestApp, unit: &str) -> u64 {
    let viewer = app.province_viewer().await;
    let v: Value = app.get_as(&viewer.cookie, &format!("/api/v1/agencies/{unit}/sipas")).await.json().await.unwrap();
    v["n"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_moves_no_index_beyond_the_daily_cap_whatever_doors_it_uses() {
    const CAP: u64 = 3;
    let app = behind_a_proxy(CAP).await;
    let c1 = app.fixture.c1.clone();
    // Receipts the attacker collected: each is a real door too, and counts under the same cap.
    let mut receipts = Vec::new();
    for i in 0..3 {
        let res = app
            .client
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&app.system_key)
            .json(&json!({"counter": c1, "dossier_code": format!("H15.50-261008-{i:04}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let url = res.json::<Value>().await.unwrap()["survey_url"].as_str().unwrap().to_owned();
        receipts.push(url.rsplit('/').next().unwrap().to_owned());
    }
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for i in 0..60usize {
        // A new address inside the same /64 and a new browser every time.
        let from = format!("2001:db8:77:1:{:x}::{:x}", i * 7919 % 65536, i + 1);
        let ua = BROWSERS[i % BROWSERS.len()];
        let perfect = json!({"II.A1": 5, "II.A2": 5, "II.B1": 5, "II.C1": 5});
        let req = match i % 7 {
            // The survey page's own form.
            0 => app
                .client
                .post(app.url(&format!("/s/{c1}")))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded_pairs(&[("II.A1", "5"), ("II.B1", "5"), ("form_token", &format!("t{i}"))])),
            // The JSON API with no credential, as a phone's app would.
            1 => app.client.post(app.url("/api/v1/responses")).json(&json!({"counter": c1, "answers": perfect})),
            // Claiming the channels that skipped the checks before.
            2 => {
                let claimed = ["api", "kiosk", "paper"][i % 3];
                app.client
                    .post(app.url("/api/v1/responses"))
                    .json(&json!({"counter": c1, "channel": claimed, "answers": perfect}))
            }
            // The tablet's API and its form, without an enrolled tablet.
            3 => app.client.post(app.url(&format!("/api/v1/kiosk/{c1}"))).json(&json!({"rating": 3})),
            4 => app
                .client
                .post(app.url(&format!("/k/{c1}")))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("rating=3"),
            // A receipt's link, while there are receipts left.
            5 if !receipts.is_empty() => {
                let token = receipts.pop().unwrap();
                app.client.post(app.url("/api/v1/responses")).json(&json!({"ticket": token, "answers": perfect}))
            }
            _ => app.client.post(app.url("/api/v1/responses")).json(&json!({"counter": c1, "answers": perfect})),
        };
        let res = req.header("x-forwarded-for", from).header("user-agent", ua).send().await.unwrap();
        *statuses.entry(res.status().as_u16()).or_default() += 1;
    }
    // Some got in (the doors are open to citizens), the rest were refused with a reason.
    let stored = app.count("response").await as u64;
    assert!(stored >= CAP, "{statuses:?}");
    assert!(statuses.keys().all(|s| [201, 303, 401, 429].contains(s)), "{statuses:?}");
    // The bound: whatever was stored, what the default index counts from this /64 is the cap.
    assert_eq!(counted(&app, "P.C").await, CAP, "{statuses:?}");
    let over: i64 = app.count("response WHERE flags <> ''").await;
    assert_eq!(over as u64, stored - CAP, "every rating past the cap is kept, flagged");
    // Someone else at the counter is not affected.
    let neighbour = app
        .client
        .post(app.url("/api/v1/responses"))
        .header("x-forwarded-for", "2001:db8:78:1::1")
        .json(&json!({"counter": c1, "answers": {"II.A1": 4}}))
        .send()
        .await
        .unwrap();
    assert_eq!(neighbour.status(), 201);
    assert_eq!(counted(&app, "P.C").await, CAP + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_sends_from_one_phone_are_checked_one_after_another() {
    let app = behind_a_proxy(10).await;
    let c2 = app.fixture.c2.clone();
    // Twenty at once, as a script would send them; the phone is the last hop our proxy saw.
    let handles: Vec<_> = (0..20)
        .map(|i| {
            let req = app
                .client
                .post(app.url("/api/v1/responses"))
                .header("x-forwarded-for", "203.0.113.50, 198.51.100.7")
                .header("user-agent", BROWSERS[i % BROWSERS.len()])
                .json(&json!({"counter": c2, "answers": {"II.A1": 5}}));
            tokio::spawn(req.send())
        })
        .collect();
    let mut answers = Vec::new();
    for h in handles {
        answers.push(h.await.unwrap().unwrap().status().as_u16());
    }
    let created = answers.iter().filter(|s| **s == 201).count();
    let refused = answers.iter().filter(|s| **s == 429).count();
    // The checks and the insert see the same ratings: exactly the limit is stored, and only
    // the first four are counted (the fifth within ten minutes is a burst).
    assert_eq!((created, refused), (10, 10), "{answers:?}");
    assert_eq!(app.count("response WHERE flags = ''").await, 4);
    assert_eq!(app.count("response WHERE flags LIKE 'burst%'").await, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_counted_low_rating_opens_a_call_back_case() {
    // A cap of one: the second rating from this phone today is kept but flagged.
    let app = behind_a_proxy(1).await;
    let x1 = app.fixture.x1.clone();
    let low = |token: &'static str| {
        let req = app
            .client
            .post(app.url(&format!("/s/{x1}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", "2001:db8:55:1::9")
            .body(serde_urlencoded_pairs(&[
                ("II.A1", "1"),
                ("contact_email", "nan.nhan@example.vn"),
                ("contact_consent", "1"),
                ("form_token", token),
            ]));
        req.send()
    };
    assert_eq!(low("t1").await.unwrap().status(), 303);
    assert_eq!(app.count("feedback_case").await, 1);
    // Flagged (past the cap): stored, but it files no case and sends no mail.
    assert_eq!(low("t2").await.unwrap().status(), 303);
    assert_eq!(app.count("response WHERE flags = 'source_cap'").await, 1);
    assert_eq!(app.count("feedback_case").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_bytes_in_an_address_or_a_login_never_reach_the_database() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/agencies/P/sipas?questionnaire=%00", "/open311/v2/requests/%00.json", "/dashboard/P?from=%00"]
    {
        let res = app.get(path).await;
        assert_eq!(res.status(), 400, "{path}");
    }
    let res = app.post_sign_in("a\u{0}b", "một mật khẩu bất kỳ").await;
    assert!(res.status().is_client_error(), "{}", res.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pages_are_never_cached() {
    let app = TestApp::spawn().await;
    let viewer = app.province_viewer().await;
    for path in ["/quan-tri", "/tai-khoan", "/dang-nhap"] {
        let res = app.get_as(&viewer.cookie, path).await;
        assert_eq!(res.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
    }
    // Public pages may be cached as before.
    let res = app.get("/dashboard").await;
    assert_ne!(res.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
}
