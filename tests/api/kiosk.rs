//! Kiosk tablets at the counter: the page, presses without scripts, the "why?" after a low
//! rating, the minimum interval between presses, and ratings sent late from the tablet's queue.

use chrono::{Duration, SecondsFormat, Timelike, Utc};
use serde_json::{Value, json};
use services::state::Settings;
use ydan_tests::{TestApp, serde_urlencoded_pairs};

/// The cookie of a tablet enrolled for `counter` (enrolled on first use; an unknown counter
/// gets the first counter's tablet, which may not press there either).
async fn tablet(app: &TestApp, counter: &str) -> String {
    use std::{collections::HashMap, sync::Mutex};
    static TABLETS: Mutex<Option<HashMap<(String, String), String>>> = Mutex::new(None);
    let known = [&app.fixture.c1, &app.fixture.c2, &app.fixture.d1, &app.fixture.x1].iter().any(|c| *c == counter);
    let counter = if known { counter.to_owned() } else { app.fixture.c1.clone() };
    let slot = (app.base.clone(), counter.clone());
    if let Some(cookie) = TABLETS.lock().unwrap().get_or_insert_with(HashMap::new).get(&slot) {
        return cookie.clone();
    }
    let cookie = app.enrol_tablet(&counter).await;
    TABLETS.lock().unwrap().get_or_insert_with(HashMap::new).insert(slot, cookie.clone());
    cookie
}

async fn press(app: &TestApp, counter: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let cookie = tablet(app, counter).await;
    app.client
        .post(app.url(&format!("/k/{counter}")))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded_pairs(fields))
        .send()
        .await
        .unwrap()
}

async fn rate(app: &TestApp, counter: &str, key: Option<&str>, body: Value) -> reqwest::Response {
    let cookie = tablet(app, counter).await;
    let mut req = app.client.post(app.url(&format!("/api/v1/kiosk/{counter}"))).header("cookie", cookie).json(&body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.unwrap()
}

async fn kiosk_presses(app: &TestApp) -> i64 {
    app.count("response WHERE channel = 'kiosk'").await
}

/// A test app whose kiosks accept presses one right after another.
async fn without_interval() -> TestApp {
    TestApp::spawn_with(Settings { kiosk_interval_seconds: 0, ..Default::default() }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_page_shows_three_faces_and_nothing_about_the_staff() {
    let app = TestApp::spawn().await;
    let cookie = tablet(&app, &app.fixture.c1).await;
    let res = app.get_as(&cookie, &format!("/k/{}", app.fixture.c1)).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for value in ["3", "2", "1"] {
        assert!(html.contains(&format!(r#"name="rating" value="{value}""#)), "face {value}");
    }
    assert!(html.contains("Rất hài lòng") && html.contains("Không hài lòng"));
    assert!(html.contains("Quầy 1 – Hộ tịch"));
    // Full screen: no site header, menu or footer.
    assert!(!html.contains(r#"href="/dashboard""#) && !html.contains("<footer"));
    // The island that queues presses is on the page; the form still works without it.
    assert!(html.contains("<leptos-island") && html.contains(&format!(r#"action="/k/{}""#, app.fixture.c1)));
    assert_eq!(app.get("/k/zzzzzzzzzz").await.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_without_scripts_is_stored_and_a_repeated_press_is_discarded() {
    let app = TestApp::spawn().await;
    let res = press(&app, &app.fixture.c1, &[("rating", "3")]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Cảm ơn ông/bà đã đánh giá") && html.contains(r#"http-equiv="refresh""#), "{html}");
    assert_eq!(kiosk_presses(&app).await, 1);
    let row = app
        .row("SELECT r.channel, r.verified, a.value FROM response r JOIN response_answer a ON a.response_id = r.id")
        .await;
    assert_eq!(row.try_get::<String>("", "channel").unwrap(), "kiosk");
    assert!(!row.try_get::<bool>("", "verified").unwrap());
    assert_eq!(row.try_get::<i16>("", "value").unwrap(), 3);

    // Pressed again at once (the default minimum interval is 5 s): thanked, not stored.
    let again = press(&app, &app.fixture.c1, &[("rating", "2")]).await;
    assert_eq!(again.status(), 200);
    assert!(again.text().await.unwrap().contains("Cảm ơn"));
    assert_eq!(kiosk_presses(&app).await, 1);
    // Another counter's tablet is not affected.
    assert_eq!(press(&app, &app.fixture.c2, &[("rating", "2")]).await.status(), 200);
    assert_eq!(kiosk_presses(&app).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_rating_asks_why_and_keeps_the_reason() {
    let app = without_interval().await;
    let html = press(&app, &app.fixture.c1, &[("rating", "1")]).await.text().await.unwrap();
    assert!(html.contains("chưa hài lòng về điều gì"), "{html}");
    assert!(html.contains(r#"name="reason" value="wait""#));
    let id: i64 = app.row("SELECT id FROM response").await.try_get("", "id").unwrap();
    let token = html.split(r#"name="token" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(html.contains(&format!(r#"name="response_id" value="{id}""#)));

    // A forged token, or an id that is not the one just rated, adds nothing.
    let why = |id: i64, token: String, reason: &'static str| {
        let app = &app;
        async move {
            let id = id.to_string();
            press(app, &app.fixture.c1, &[("response_id", &id), ("token", &token), ("reason", reason)]).await
        }
    };
    assert_eq!(why(id, "00".into(), "wait").await.status(), 403);
    assert_eq!(why(id + 1, token.clone(), "wait").await.status(), 403);
    assert_eq!(why(id, token.clone(), "x").await.status(), 422);
    assert_eq!(app.count("response_note").await, 0);

    let res = why(id, token.clone(), "attitude").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Cảm ơn"));
    let note = app.row("SELECT response_id, reason FROM response_note").await;
    assert_eq!(note.try_get::<i64>("", "response_id").unwrap(), id);
    assert_eq!(note.try_get::<String>("", "reason").unwrap(), "attitude");
    // Sent twice (back button): still one note, still one rating.
    assert_eq!(why(id, token, "wait").await.status(), 200);
    assert_eq!(app.count("response_note").await, 1);
    assert_eq!(kiosk_presses(&app).await, 1);
    // A happy press goes straight to thanks.
    let happy = press(&app, &app.fixture.c1, &[("rating", "2")]).await.text().await.unwrap();
    assert!(happy.contains("Cảm ơn") && !happy.contains("chưa hài lòng về điều gì"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_presses_are_refused_and_store_nothing() {
    let app = without_interval().await;
    assert_eq!(press(&app, &app.fixture.c1, &[("rating", "4")]).await.status(), 422);
    assert_eq!(press(&app, &app.fixture.c1, &[("rating", "0")]).await.status(), 422);
    assert_eq!(press(&app, &app.fixture.c1, &[("rating", "rất tốt")]).await.status(), 422);
    assert_eq!(press(&app, &app.fixture.c1, &[]).await.status(), 422);
    assert_eq!(press(&app, "zzzzzzzzzz", &[("rating", "3")]).await.status(), 404);
    app.exec(&format!("UPDATE counter SET disabled_at = CURRENT_TIMESTAMP WHERE code = '{}'", app.fixture.c2)).await;
    assert_eq!(press(&app, &app.fixture.c2, &[("rating", "3")]).await.status(), 410);
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_api_stores_each_press_once_and_discards_repeats() {
    let app = TestApp::spawn().await;
    let c1 = app.fixture.c1.clone();
    let first = rate(&app, &c1, Some("tablet-1"), json!({"rating": 3})).await;
    assert_eq!(first.status(), 201);
    let id = first.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The answer was lost and the tablet sends the same press again: same id, stored once.
    let resent = rate(&app, &c1, Some("tablet-1"), json!({"rating": 3})).await;
    assert_eq!(resent.status(), 200);
    assert_eq!(resent.json::<Value>().await.unwrap(), json!({"id": id, "duplicate": true}));
    // A second press within the interval: accepted for the record, not stored.
    let repeat = rate(&app, &c1, Some("tablet-2"), json!({"rating": 1})).await;
    assert_eq!(repeat.status(), 202);
    assert_eq!(repeat.json::<Value>().await.unwrap(), json!({"discarded": true}));
    assert_eq!(kiosk_presses(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presses_queued_while_offline_keep_the_time_they_were_given() {
    let app = TestApp::spawn().await;
    let c1 = app.fixture.c1.clone();
    // A tablet enrolled ten days ago.
    tablet(&app, &c1).await;
    {
        use sea_orm::{EntityTrait, sea_query::Expr};
        use services::entity::kiosk_device;
        kiosk_device::Entity::update_many()
            .col_expr(kiosk_device::Column::EnrolledAt, Expr::value(Utc::now() - Duration::days(10)))
            .exec(&app.db)
            .await
            .unwrap();
    }
    let two_hours_ago = Utc::now() - Duration::hours(2);
    let at = two_hours_ago.to_rfc3339_opts(SecondsFormat::Millis, true);
    let res = rate(&app, &c1, Some("q-1"), json!({"rating": 1, "rated_at": at, "reason": "wait"})).await;
    assert_eq!(res.status(), 201);
    // Pressed 6 seconds later, sent in the same batch: both kept, in their own order.
    let later = (two_hours_ago + Duration::seconds(6)).to_rfc3339_opts(SecondsFormat::Millis, true);
    assert_eq!(rate(&app, &c1, Some("q-2"), json!({"rating": 3, "rated_at": later})).await.status(), 201);
    // A press now is far from both.
    assert_eq!(rate(&app, &c1, Some("q-3"), json!({"rating": 2})).await.status(), 201);
    assert_eq!(kiosk_presses(&app).await, 3);
    let first = app.row("SELECT id, submitted_at FROM response ORDER BY submitted_at").await;
    let stored: chrono::DateTime<Utc> = first.try_get("", "submitted_at").unwrap();
    assert!((stored - two_hours_ago).num_milliseconds().abs() < 1000, "{stored} vs {two_hours_ago}");
    let note = app.row("SELECT reason FROM response_note").await;
    assert_eq!(note.try_get::<String>("", "reason").unwrap(), "wait");

    // Too old to be believed, in the future, or not a time at all.
    let old = (Utc::now() - Duration::days(8)).to_rfc3339();
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339();
    for bad in [old.as_str(), future.as_str(), "hôm qua"] {
        let res = rate(&app, &c1, Some(bad), json!({"rating": 3, "rated_at": bad})).await;
        assert_eq!(res.status(), 422, "{bad}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "rated_at", "{bad}");
    }
    assert_eq!(kiosk_presses(&app).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_api_explains_bad_input() {
    let app = without_interval().await;
    let c1 = app.fixture.c1.clone();
    let cases = [
        (json!({"rating": 4}), "rating", "rating_out_of_range"),
        (json!({"rating": "3"}), "rating", "not_a_rating"),
        (json!({}), "rating", "required"),
        (json!({"rating": 1, "reason": "mệt"}), "reason", "unknown_reason"),
        (json!({"rating": 3, "staff": "Nguyễn Văn A"}), "staff", "unknown_field"),
    ];
    for (body, field, code) in cases {
        let res = rate(&app, &c1, None, body.clone()).await;
        assert_eq!(res.status(), 422, "{body}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["fields"][0]["field"], field, "{body}");
        assert_eq!(v["fields"][0]["code"], code, "{body}");
    }
    let cookie = tablet(&app, &c1).await;
    let not_json = app
        .client
        .post(app.url(&format!("/api/v1/kiosk/{c1}")))
        .header("cookie", cookie)
        .body("rating=3")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);
    assert_eq!(rate(&app, "zzzzzzzzzz", None, json!({"rating": 3})).await.status(), 404);
    assert_eq!(app.count("response").await, 0);
    assert_eq!(app.count("response_note").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_presses_have_their_own_figures_and_stay_out_of_the_sipas_index() {
    let app = without_interval().await;
    let c1 = app.fixture.c1.clone();
    for (i, rating) in [3, 3, 2, 1].into_iter().enumerate() {
        let res = rate(&app, &c1, Some(&format!("k{i}")), json!({"rating": rating})).await;
        assert_eq!(res.status(), 201);
    }
    let viewer = app.province_viewer().await;
    let sipas: Value = app.get_as(&viewer.cookie, "/api/v1/agencies/P/sipas").await.json().await.unwrap();
    assert_eq!(sipas["n"], 0, "{sipas}");
    let html = app.get_as(&viewer.cookie, "/dashboard/P.C").await.text().await.unwrap();
    let row = html.split(r#"<th scope="row">Quầy 1 – Hộ tịch</th>"#).nth(1).expect("the counter's activity row");
    let cells: Vec<&str> =
        row.split("<td class=\"num\">").skip(1).take(7).map(|c| c.split('<').next().unwrap()).collect();
    // Ratings, tied to a dossier, flagged, links, response rate, kiosk presses, satisfied.
    assert_eq!(cells, ["0", "0", "0", "0", "–", "4", "75,0%"], "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_ratings_are_not_flagged_for_the_office_network_but_are_outside_opening_hours() {
    let app = without_interval().await;
    app.exec("INSERT INTO staff_network (agency_id, cidr, note, created_at) SELECT id, '127.0.0.0/8', 'Văn phòng', CURRENT_TIMESTAMP FROM agency WHERE code = 'P'").await;
    let c1 = app.fixture.c1.clone();
    assert_eq!(rate(&app, &c1, None, json!({"rating": 3})).await.status(), 201);
    let flags: String = app.row("SELECT flags FROM response").await.try_get("", "flags").unwrap();
    assert_eq!(flags, "");
    // The same network on the open QR survey is flagged.
    assert_eq!(app.post_form(&c1, &[("II.A1", "5")]).await.status(), 303);
    let flags: String = app.row("SELECT flags FROM response WHERE channel = 'qr'").await.try_get("", "flags").unwrap();
    assert_eq!(flags, "staff_network");
    // A tablet pressed while the counter is closed: open one minute a day, twelve hours away.
    let later = Utc::now().with_timezone(&domain::period::vn_offset()) + Duration::hours(12);
    let (h, m) = (later.hour(), later.minute().min(58));
    app.exec(&format!("UPDATE counter SET opening_hours = 'Mon-Sun {h:02}:{m:02}-{h:02}:{:02}'", m + 1)).await;
    assert_eq!(rate(&app, &c1, None, json!({"rating": 3})).await.status(), 201);
    let flags: String = app
        .row("SELECT flags FROM response WHERE channel = 'kiosk' ORDER BY id DESC")
        .await
        .try_get("", "flags")
        .unwrap();
    assert_eq!(flags, "outside_hours");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_identical_presses_in_a_row_are_flagged_but_ten_are_not() {
    let app = without_interval().await;
    let c1 = app.fixture.c1.clone();
    for i in 1..=29 {
        assert_eq!(rate(&app, &c1, None, json!({"rating": 3})).await.status(), 201);
        let flags: String = app.row("SELECT flags FROM response ORDER BY id DESC").await.try_get("", "flags").unwrap();
        assert_eq!(flags, "", "press {i}");
    }
    assert_eq!(rate(&app, &c1, None, json!({"rating": 3})).await.status(), 201);
    let flags: String = app.row("SELECT flags FROM response ORDER BY id DESC").await.try_get("", "flags").unwrap();
    assert_eq!(flags, "identical_streak");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_enrolled_tablet_counts_and_a_revoked_one_is_refused() {
    let app = without_interval().await;
    let (c1, c2) = (app.fixture.c1.clone(), app.fixture.c2.clone());
    // No tablet: the page asks for an enrolment code instead of showing the faces, and
    // presses by form or API are refused with the reason, storing nothing.
    let page = app.get(&format!("/k/{c1}")).await.text().await.unwrap();
    assert!(page.contains("chưa được đăng ký") && page.contains(&format!(r#"action="/k/{c1}/ghi-danh""#)));
    assert!(!page.contains(r#"name="rating""#));
    let anonymous = app.client.post(app.url(&format!("/api/v1/kiosk/{c1}"))).json(&json!({"rating": 3})).send();
    let anonymous = anonymous.await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.json::<Value>().await.unwrap()["code"], "kiosk_not_enrolled");
    let form = app
        .client
        .post(app.url(&format!("/k/{c1}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("rating=3")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 401);
    let forged = app
        .client
        .post(app.url(&format!("/api/v1/kiosk/{c1}")))
        .header("cookie", format!("ydan_tablet=ydant_{}", "0".repeat(48)))
        .json(&json!({"rating": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(kiosk_presses(&app).await, 0);

    // A wrong code enrols nothing; the right one works once.
    let wrong = app
        .client
        .post(app.url(&format!("/k/{c1}/ghi-danh")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("code=AAAAA-BBBBB")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let cookie = tablet(&app, &c1).await;
    assert!(cookie.starts_with("ydan_tablet=ydant_"));
    assert_eq!(rate(&app, &c1, None, json!({"rating": 3})).await.status(), 201);
    let marked: Option<i64> =
        app.row("SELECT kiosk_device_id FROM response").await.try_get("", "kiosk_device_id").unwrap();
    assert!(marked.is_some(), "each press is marked with its tablet");
    // The tablet of one counter cannot press for another.
    let elsewhere = app
        .client
        .post(app.url(&format!("/api/v1/kiosk/{c2}")))
        .header("cookie", &cookie)
        .json(&json!({"rating": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 401);
    // Presses dated before the tablet was enrolled are refused.
    let before = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let res = rate(&app, &c1, None, json!({"rating": 3, "rated_at": before})).await;
    assert_eq!(res.status(), 422);

    // Revoked at the administration page: refused from then on.
    let admin = app.sign_in("quan.tri.may", "một mật khẩu đủ dài").await;
    let id: i64 = app.row("SELECT id FROM kiosk_device").await.try_get("", "id").unwrap();
    let res = app
        .post_as(
            &admin.cookie,
            "/quan-tri/may-tinh-bang",
            &[("csrf", &admin.csrf), ("action", "revoke"), ("id", &id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(rate(&app, &c1, None, json!({"rating": 2})).await.status(), 401);
    assert_eq!(kiosk_presses(&app).await, 1);
    let audit = app.count("audit_log WHERE action IN ('tablet.create', 'tablet.revoke')").await;
    assert_eq!(audit, 2);
}
