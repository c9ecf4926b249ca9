//! Abuse resistance (issue 12): sign-in throttling that parallel guesses cannot outrun and that
//! nobody can use to lock a colleague out, redirect targets, server functions' statuses, text
//! that would break the database, idempotency keys, staff lists and questionnaire namespaces.

use domain::{accounts::Role, error::ErrorCode};
use serde_json::{Value, json};
use services::{
    agencies::{self, NewAgency},
    auth,
};
use ydan_tests::{TestApp, serde_urlencoded_pairs};

const PW: &str = "hạ long mùa thu 2026";

async fn body(res: reqwest::Response) -> Value {
    res.json().await.unwrap()
}

fn field_codes(v: &Value) -> Vec<(String, String)> {
    v["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["field"].as_str().unwrap_or("").to_owned(), f["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// A small photo, since an on-site report needs one.
fn photo() -> (&'static str, &'static str, &'static str, Vec<u8>) {
    let img = image::RgbImage::from_fn(16, 16, |x, y| image::Rgb([(x * 16) as u8, (y * 16) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    ("photos", "a.png", "image/png", out.into_inner())
}

// ---- 1. Sign-in throttling ------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parallel_wrong_sign_ins_never_get_more_than_five_verifications() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (client, url) = (app.client.clone(), app.url("/dang-nhap"));
        guesses.spawn(async move {
            client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded_pairs(&[("login", "an.nguyen"), ("password", &format!("đoán song song {i}"))]))
                .send()
                .await
                .unwrap()
        });
    }
    let answers = guesses.join_all().await;
    let verified = answers.iter().filter(|r| r.status() == 401).count();
    let throttled: Vec<&reqwest::Response> = answers.iter().filter(|r| r.status() == 429).collect();
    assert!(verified <= 5, "{verified} guesses reached the password check");
    assert_eq!(verified + throttled.len(), 20, "every other guess gets the throttle answer");
    assert!(throttled.iter().all(|r| r.headers().get("retry-after").is_some_and(|v| v == "900")));
    // Refused guesses were not counted as failures; once five are, the right password from
    // there is refused too until the window passes.
    for i in verified..5 {
        assert_eq!(app.post_sign_in("an.nguyen", &format!("đoán tiếp {i}")).await.status(), 401);
    }
    let res = app.post_sign_in("an.nguyen", PW).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "900");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_at_a_colleagues_login_from_elsewhere_does_not_lock_them_out() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    for _ in 0..5 {
        let e = auth::sign_in(&app.db, "an.nguyen", "đoán thử", "dia-chi-A").await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
    }
    let e = auth::sign_in(&app.db, "an.nguyen", PW, "dia-chi-A").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts, "the guessing address is locked for that login");
    // The colleague at their own desk signs in.
    assert!(auth::sign_in(&app.db, "an.nguyen", PW, "dia-chi-B").await.is_ok());
    // Still locked for the guesser after the colleague's success.
    let e = auth::sign_in(&app.db, "an.nguyen", PW, "dia-chi-A").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_guessing_at_many_logins_is_stopped_after_thirty() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    for i in 0..30 {
        let e = auth::sign_in(&app.db, &format!("nguoi.{i}"), "đoán thử", "dia-chi-A").await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCredentials, "guess {i}");
    }
    let e = auth::sign_in(&app.db, "an.nguyen", PW, "dia-chi-A").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts);
    assert!(auth::sign_in(&app.db, "an.nguyen", PW, "dia-chi-B").await.is_ok());
}

// ---- 2. Redirect targets ----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_language_switch_target_leaves_the_site_or_answers_500() {
    let app = TestApp::spawn().await;
    let nasty = [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d/x",
        "/%0D%0ASet-Cookie:%20x=1",
        "/%00",
        "%09//evil.example",
        "/%5Cevil.example",
        "/%2F/evil.example",
        "//evil.example",
        "%2F%2Fevil.example",
        "/%2509/evil.example",
        "/%250d/x",
        "https://evil.example",
        "javascript:alert(1)",
        "/%7F",
        "/%C2%85/x",
        "/%E2%80%AE/x",
        "/%FF%FE",
        "/%20/evil.example",
        "/ %09/evil.example",
    ];
    for lang in ["vi", "en"] {
        for n in nasty {
            let res = app.get(&format!("/lang/{lang}?next={n}")).await;
            if n.contains("%00") {
                // A NUL anywhere in an address is refused before any handler (SECURITY.md).
                assert_eq!(res.status(), 400, "next={n}");
                continue;
            }
            assert_eq!(res.status(), 303, "next={n}");
            let location = res.headers()["location"].to_str().expect("an ASCII location").to_owned();
            let squeezed: String = location.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
            assert!(location.starts_with('/') && !squeezed.starts_with("//"), "next={n} → {location}");
            assert!(!location.contains('\\') && !location.chars().any(char::is_control), "next={n} → {location}");
            assert!(!location.to_ascii_lowercase().contains("%09/"), "next={n} → {location}");
        }
        // An ordinary page, with its query, still comes back.
        let res = app.get(&format!("/lang/{lang}?next=/dashboard%3Ffrom%3D2026-01-01")).await;
        assert_eq!(res.headers()["location"], "/dashboard?from=2026-01-01");
        let res = app.get(&format!("/lang/{lang}?next=/s/abc%C3%A9")).await;
        assert_eq!(res.headers()["location"], "/s/abc%C3%A9");
    }
    // The sign-in form's target is read the same way.
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let res = app
        .client
        .post(app.url("/dang-nhap"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded_pairs(&[("login", "an.nguyen"), ("password", PW), ("next", "/\t/evil.example")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
}

// ---- 3. Server functions answer with the error's own status -------------------------------------

async fn call_fn(app: &TestApp, cookie: Option<&str>, name: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(&format!("/fn/{name}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded_pairs(fields));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_answer_not_found_and_forbidden_with_their_own_status() {
    let app = TestApp::spawn().await;
    let res = call_fn(&app, None, "counter_info", &[("code", "khongtontai")]).await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("counter_not_found"));
    let res = call_fn(&app, None, "exports", &[]).await;
    assert_eq!(res.status(), 401);
    let res = call_fn(&app, None, "officer_case", &[("code", "PA-000000")]).await;
    assert_eq!(res.status(), 401);
    // A commune's viewer asking for the provincial centre's quarter report.
    app.create_user("xa.xem", PW, Role::Viewer, Some("P.X")).await;
    let b = app.sign_in("xa.xem", PW).await;
    let res = call_fn(&app, Some(&b.cookie), "quarter_report", &[("code", "P.C")]).await;
    assert_eq!(res.status(), 403);
    // A success is still a 200.
    let res = call_fn(&app, None, "counter_info", &[("code", &app.fixture.c1)]).await;
    assert_eq!(res.status(), 200);
}

// ---- 4. NUL and non-characters -------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_bytes_and_non_characters_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let c1 = app.fixture.c1.clone();
    // The survey form.
    let res = app.post_form(&c1, &[("II.A1", "5"), ("comment", "tốt\u{0}lắm")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("ký tự không được phép"), "the reason, in Vietnamese");
    assert_eq!(app.count("response").await, 0);
    // The JSON API.
    for bad in ["tốt\u{0}lắm", "x\u{FFFE}", "x\u{FFFF}"] {
        let res =
            app.post_json("/api/v1/responses", &json!({"counter": c1, "answers": {"II.A1": 5}, "comment": bad})).await;
        assert_eq!(res.status(), 422);
        let v = body(res).await;
        assert_eq!(field_codes(&v), [("comment".to_owned(), "invalid_characters".to_owned())]);
    }
    let res = app.post_json("/api/v1/responses", &json!({"counter": c1, "answers": {"II.A1": "5\u{0}"}})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(field_codes(&body(res).await), [("answers.II.A1".to_owned(), "invalid_characters".to_owned())]);
    assert_eq!(app.count("response").await, 0);
    // Tabs and line breaks are ordinary text.
    let res = app
        .post_json("/api/v1/responses", &json!({"counter": c1, "answers": {"II.A1": 5}, "comment": "dòng 1\n\tdòng 2"}))
        .await;
    assert_eq!(res.status(), 201);
    // The feedback form: refused with the NUL, taken without it.
    let report = |description: &'static str| {
        let app = &app;
        async move {
            app.post_multipart(
                "/gop-y",
                &[
                    ("kind", "on_site"),
                    ("category", "ha-tang-giao-thong"),
                    ("agency", "P.X"),
                    ("description", description),
                    ("address", "Thôn Đông"),
                    ("anonymous", "1"),
                    ("consent", "1"),
                ],
                &[photo()],
            )
            .await
        }
    };
    let res = report("Đèn\u{0} hỏng cả tuần").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("ký tự không được phép"));
    assert_eq!(app.count("feedback_case").await, 0);
    assert_eq!(report("Đèn hỏng cả tuần").await.status(), 303);
    // Open311: refused with the NUL, taken without it.
    let key = crate::tickets::api_key_for(&app, "P").await;
    let open311 = |description: &'static str| {
        let (app, key) = (&app, key.clone());
        async move {
            app.client
                .post(app.url("/open311/v2/requests.json"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded_pairs(&[
                    ("api_key", &key),
                    ("service_code", "chieu-sang"),
                    ("attribute[kind]", "procedure"),
                    ("attribute[agency_code]", "P.X"),
                    ("address_string", "Thôn Đông, xã Thử"),
                    ("description", description),
                    ("email", "chu.ho@example.vn"),
                    ("first_name", "Lê"),
                    ("last_name", "Văn Cường"),
                    ("phone", "0987654321"),
                ]))
                .send()
                .await
                .unwrap()
        }
    };
    let res = open311("Đèn đường\u{0} tắt cả tuần.").await;
    assert_eq!(res.status(), 400);
    let text = res.text().await.unwrap();
    assert!(text.contains("description: ") && text.contains("ký tự không được phép"), "{text}");
    assert_eq!(app.count("feedback_case").await, 1, "nothing more stored");
    assert_eq!(open311("Đèn đường tắt cả tuần.").await.status(), 200);
}

// ---- 5. Idempotency keys -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_idempotency_key_is_refused_not_ignored() {
    let app = TestApp::spawn().await;
    let long = "k".repeat(101);
    let res = app
        .client
        .post(app.url("/api/v1/responses"))
        .header("idempotency-key", &long)
        .json(&json!({"counter": app.fixture.c1, "answers": {"II.A1": 5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(body(res).await["code"], "invalid_idempotency_key");
    let tablet = app.enrol_tablet(&app.fixture.c1).await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/kiosk/{}", app.fixture.c1)))
        .header("cookie", tablet)
        .header("idempotency-key", &long)
        .json(&json!({"rating": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(body(res).await["code"], "invalid_idempotency_key");
    assert_eq!(app.count("response").await, 0);
    // One of 100 characters is fine.
    let res = app
        .client
        .post(app.url("/api/v1/responses"))
        .header("idempotency-key", "k".repeat(100))
        .json(&json!({"counter": app.fixture.c1, "answers": {"II.A1": 5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

// ---- 6. Staff lists within the viewer's subtree -----------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_officer_is_not_shown_the_provinces_administrators() {
    let app = TestApp::spawn().await;
    app.create_user("tinh.quan.tri", PW, Role::AgencyAdmin, Some("P")).await;
    app.create_user("xa.can.bo", PW, Role::Officer, Some("P.X")).await;
    let x = app.sign_in("xa.can.bo", PW).await;
    let res = app
        .post_multipart(
            "/gop-y",
            &[
                ("kind", "on_site"),
                ("category", "ha-tang-giao-thong"),
                ("agency", "P.X"),
                ("description", "Đèn đường tắt cả tuần ở thôn Đông."),
                ("address", "Thôn Đông"),
                ("anonymous", "1"),
                ("consent", "1"),
            ],
            &[photo()],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let code: String = app.row("SELECT tracking_code FROM feedback_case").await.try_get("", "tracking_code").unwrap();
    let page = app.get_as(&x.cookie, &format!("/pakn/{code}")).await.text().await.unwrap();
    assert!(page.contains("xa.can.bo"), "the officer can hand the case to themselves");
    assert!(!page.contains("tinh.quan.tri"), "the province's administrator is not listed");
    let inbox = app.get_as(&x.cookie, "/pakn").await.text().await.unwrap();
    assert!(!inbox.contains("tinh.quan.tri"));
    // Nor can the case be handed to them by id.
    let res = app.post_as(&x.cookie, &format!("/pakn/{code}"), &[("csrf", &x.csrf), ("action", "receive")]).await;
    assert_eq!(res.status(), 303);
    let admin: i64 = app.row("SELECT id FROM app_user WHERE login = 'tinh.quan.tri'").await.try_get("", "id").unwrap();
    let res = app
        .post_as(
            &x.cookie,
            &format!("/pakn/{code}"),
            &[("csrf", &x.csrf), ("action", "assign"), ("handler", &admin.to_string())],
        )
        .await;
    assert_eq!(res.status(), 422);
}

// ---- 7. Unit-owned questionnaires in their own namespace ----------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_named_like_a_shared_questionnaire_gets_its_own_line() {
    let app = TestApp::spawn().await;
    agencies::create(
        &app.db,
        NewAgency {
            code: "HOSPITAL".into(),
            kind: domain::codes::AgencyKind::Department,
            name_vi: "Bệnh viện tỉnh".into(),
            name_en: "Provincial hospital".into(),
            parent_code: Some("P".into()),
            valid_from: chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        },
    )
    .await
    .unwrap();
    app.create_user("qt.tinh", PW, Role::AgencyAdmin, Some("P")).await;
    let admin = app.sign_in("qt.tinh", PW).await;
    let shared: i64 = app
        .row("SELECT id FROM instrument WHERE code = 'hospital-outpatient' AND version = 1")
        .await
        .try_get("", "id")
        .unwrap();
    let res = app
        .post_as(
            &admin.cookie,
            "/quan-tri/bang-hoi",
            &[("csrf", &admin.csrf), ("action", "copy"), ("id", &shared.to_string()), ("unit", "HOSPITAL")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("instrument WHERE code = 'hospital-outpatient'").await, 1, "the shared line is untouched");
    let copy: i64 = app.row("SELECT MAX(id) AS id FROM instrument").await.try_get("", "id").unwrap();
    let row = app.row(&format!("SELECT code, version FROM instrument WHERE id = {copy}")).await;
    let code: String = row.try_get("", "code").unwrap();
    assert_eq!(row.try_get::<i32>("", "version").unwrap(), 1);
    assert_ne!(code, "hospital-outpatient");
    // Published and renamed, it still appears only to its own agency.
    let path = format!("/quan-tri/bang-hoi/{copy}");
    let res = app
        .post_as(
            &admin.cookie,
            &path,
            &[
                ("csrf", &admin.csrf),
                ("action", "save"),
                ("name_vi", "Phiếu riêng của bệnh viện"),
                ("name_en", "Our own hospital survey"),
                ("min_answers", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app.post_as(&admin.cookie, &path, &[("csrf", &admin.csrf), ("action", "publish")]).await;
    assert_eq!(res.status(), 303);
    let public = app.get("/dashboard").await.text().await.unwrap();
    assert!(!public.contains("Phiếu riêng của bệnh viện"), "not in the public dashboard's list");
    let other = app.get("/dashboard/P.D").await.text().await.unwrap();
    assert!(!other.contains("Phiếu riêng của bệnh viện"), "not in another unit's dashboard's list");
    let own = app.get("/dashboard/HOSPITAL").await.text().await.unwrap();
    assert!(own.contains("Phiếu riêng của bệnh viện"), "in its own unit's dashboard's list");
}

// ---- Filing limits under parallel sends -----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twelve_reports_sent_at_once_from_one_address_store_at_most_the_hourly_five() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..12 {
        let app = app.clone();
        sends.spawn(async move {
            crate::feedback::send(
                &app,
                &crate::feedback::on_site(&format!("Ổ gà số {i} trước cổng chợ")),
                &[crate::feedback::jpeg("a.jpg")],
            )
            .await
            .status()
            .as_u16()
        });
    }
    let answers = sends.join_all().await;
    let stored: i64 = app.row("SELECT COUNT(*) AS n FROM feedback_case").await.try_get("", "n").unwrap();
    assert_eq!(stored, services::cases::WEB_CASES_PER_HOUR as i64, "{answers:?}");
    assert_eq!(answers.iter().filter(|s| **s == 303).count(), 5, "{answers:?}");
    assert!(answers.iter().all(|s| [303, 429].contains(s)), "{answers:?}");
}

// ---- Upload memory shared fairly ------------------------------------------------------------

/// Starts a report from `address` whose one photo never finishes: the request head (which
/// promises a 15 MB body), the text fields and `sent` bytes of the photo, then nothing.
async fn stalled_upload(server: &str, address: String, sent: usize) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let boundary = "stalled-upload-boundary";
    let mut start = String::new();
    for (name, value) in [("kind", "on_site"), ("category", "chieu-sang"), ("agency", "P.X"), ("consent", "1")] {
        start.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    start.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    ));
    let head = format!(
        "POST /gop-y HTTP/1.1\r\nhost: {server}\r\nx-forwarded-for: {address}\r\ncontent-type: multipart/form-data; boundary={boundary}\r\ncontent-length: 15000000\r\n\r\n"
    );
    let mut s = tokio::net::TcpStream::connect(server).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(start.as_bytes()).await.unwrap();
    let piece = vec![0x5a_u8; 64 * 1024];
    let mut left = sent;
    while left > 0 {
        let n = left.min(piece.len());
        if s.write_all(&piece[..n]).await.is_err() {
            break;
        }
        left -= n;
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_with_many_slow_photo_uploads_leaves_room_for_other_residents() {
    let app = TestApp::spawn_with(services::state::Settings { trusted_proxies: 1, ..Default::default() }).await;
    let server = app.base.trim_start_matches("http://").to_owned();
    // 64 uploads of 4.5 MB from one /64 (288 MB: more than the server's whole budget), each
    // from another address of it, none ever finishing.
    let mut held = tokio::task::JoinSet::new();
    for i in 0..64 {
        let server = server.clone();
        held.spawn(async move {
            let _open = stalled_upload(&server, format!("2001:db8:7:7::{i:x}"), 4_500_000).await;
            std::future::pending::<()>().await;
        });
    }
    // Time for the server to read what it will of them.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    // A resident elsewhere sends a report with a photo: stored at once, not kept waiting.
    let description = "Cột đèn trước nhà văn hoá thôn bị đổ";
    let fields = [
        ("kind", "on_site"),
        ("category", "chieu-sang"),
        ("agency", "P.X"),
        ("description", description),
        ("address", "Nhà văn hoá thôn Đông"),
        ("anonymous", "1"),
        ("consent", "1"),
    ];
    let (content_type, body) = ydan_tests::multipart_body(&fields, &[photo()]);
    let started = std::time::Instant::now();
    let res = app
        .client
        .post(app.url("/gop-y"))
        .header("content-type", content_type)
        .header("x-forwarded-for", "198.51.100.7")
        .body(body)
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    assert!(waited < std::time::Duration::from_secs(10), "the resident waited {waited:?} for room");
    held.abort_all();
}
