//! Integrity: flags on suspicious ratings, the rate limit on open QR codes, the honeypot, and
//! indices over unflagged, all or verified ratings.

use chrono::{Duration, Timelike};
use domain::accounts::Role;
use serde_json::{Value, json};
use ydan_tests::TestApp;

async fn flags_of_last(app: &TestApp) -> String {
    app.row("SELECT flags FROM response ORDER BY id DESC").await.try_get("", "flags").unwrap()
}

async fn n(app: &TestApp, query: &str) -> u64 {
    let viewer = app.province_viewer().await;
    let v: Value = app.get_as(&viewer.cookie, &format!("/api/v1/agencies/P/sipas{query}")).await.json().await.unwrap();
    v["n"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robot_filling_the_honeypot_is_thanked_and_ignored() {
    let app = TestApp::spawn().await;
    let res = app.post_form(&app.fixture.c1, &[("II.A1", "5"), ("website", "http://spam.example")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("response").await, 0);
    // People never see the field, but it is on the form.
    let html = app.get(&format!("/s/{}", app.fixture.c1)).await.text().await.unwrap();
    assert!(html.contains(r#"name="website""#) && html.contains(r#"class="hp""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_are_flagged_and_a_flood_from_one_phone_is_refused() {
    let app = TestApp::spawn().await;
    for i in 1..=4 {
        assert_eq!(app.post_form(&app.fixture.c1, &[("II.A1", "5")]).await.status(), 303, "rating {i}");
        assert_eq!(flags_of_last(&app).await, "", "rating {i}");
    }
    assert_eq!(app.post_form(&app.fixture.c1, &[("II.A1", "5")]).await.status(), 303);
    assert_eq!(flags_of_last(&app).await, "burst");
    for _ in 6..=10 {
        app.post_form(&app.fixture.c1, &[("II.A1", "4")]).await;
    }
    // The limit is per counter: the eleventh rating from this phone at this counter within
    // ten minutes is refused, with the time to wait.
    let refused = app.post_form(&app.fixture.c1, &[("II.A1", "5")]).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().get("retry-after").is_some());
    assert!(refused.text().await.unwrap().contains("quá nhiều phiếu"));
    assert_eq!(app.count("response").await, 10);
    // At another counter the same phone is a new visitor.
    assert_eq!(app.post_form(&app.fixture.c2, &[("II.A1", "4")]).await.status(), 303);
    assert_eq!(flags_of_last(&app).await, "");
    // Six flagged ratings in all, which the index leaves out unless asked to count everything.
    let flagged: i64 =
        app.row("SELECT COUNT(*) AS n FROM response WHERE flags = 'burst'").await.try_get("", "n").unwrap();
    assert_eq!(flagged, 6);
    assert_eq!(n(&app, "").await, 5);
    assert_eq!(n(&app, "?basis=all").await, 11);
    assert_eq!(n(&app, "?basis=verified").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratings_from_a_staff_network_are_flagged() {
    let app = TestApp::spawn().await;
    app.create_user("admin.c", "một mật khẩu đủ dài", Role::AgencyAdmin, Some("P.C")).await;
    let b = app.sign_in("admin.c", "một mật khẩu đủ dài").await;
    let res = app
        .post_as(
            &b.cookie,
            "/quan-tri/quay",
            &[
                ("csrf", &b.csrf),
                ("action", "network_add"),
                ("unit", "P.C"),
                ("cidr", "127.0.0.0/8"),
                ("note", "Mạng nội bộ"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let bad = app
        .post_as(
            &b.cookie,
            "/quan-tri/quay",
            &[("csrf", &b.csrf), ("action", "network_add"), ("unit", "P.C"), ("cidr", "mạng"), ("note", "")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    app.post_form(&app.fixture.c1, &[("II.A1", "5")]).await;
    assert_eq!(flags_of_last(&app).await, "staff_network");
    // Another unit's counters are not affected by this unit's network.
    app.post_form(&app.fixture.d1, &[("II.A1", "5")]).await;
    assert_eq!(flags_of_last(&app).await, "");
    let page = app.get_as(&b.cookie, "/dashboard/P.C?basis=all").await.text().await.unwrap();
    assert!(page.contains("staff_network") && page.contains("Phiếu bị đánh dấu"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratings_outside_opening_hours_are_flagged_at_the_counter_only() {
    let app = TestApp::spawn().await;
    // A one-minute window twelve hours away from now, every day.
    let later = chrono::Utc::now().with_timezone(&domain::period::vn_offset()) + Duration::hours(12);
    let (h, m) = (later.hour(), later.minute().min(58));
    app.exec(&format!("UPDATE counter SET opening_hours = 'Mon-Sun {h:02}:{m:02}-{h:02}:{:02}'", m + 1)).await;
    app.post_form(&app.fixture.c1, &[("II.A1", "5")]).await;
    assert_eq!(flags_of_last(&app).await, "outside_hours");
    let api = app
        .post_json_as_system(
            "/api/v1/responses",
            &json!({"counter": app.fixture.c1, "channel": "api", "answers": {"II.A1": 5}}),
        )
        .await;
    assert_eq!(api.status(), 201);
    assert_eq!(flags_of_last(&app).await, "", "systems relaying ratings are not at the counter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_streak_of_identical_ratings_is_flagged() {
    let app = TestApp::spawn().await;
    let same = json!({"counter": app.fixture.c2, "channel": "api", "answers": {"II.A1": 5, "II.C1": 5}});
    for i in 1..=9 {
        app.post_json_as_system("/api/v1/responses", &same).await;
        assert_eq!(flags_of_last(&app).await, "", "rating {i}");
    }
    app.post_json_as_system("/api/v1/responses", &same).await;
    assert_eq!(flags_of_last(&app).await, "identical_streak");
    app.post_json_as_system(
        "/api/v1/responses",
        &json!({"counter": app.fixture.c2, "channel": "api", "answers": {"II.A1": 4}}),
    )
    .await;
    assert_eq!(flags_of_last(&app).await, "");
}
