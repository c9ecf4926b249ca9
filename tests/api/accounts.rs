//! Staff accounts: sign-in, sessions, throttling, CSRF, password change.

use domain::accounts::Role;
use std::time::Instant;
use ydan_tests::TestApp;

const PW: &str = "hạ long mùa thu 2026";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_sets_a_protected_session_cookie_and_goes_to_the_requested_page() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P.C")).await;
    let res = app
        .client
        .post(app.url("/dang-nhap"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ydan_tests::serde_urlencoded_pairs(&[("login", " An.Nguyen "), ("password", PW), ("next", "/tai-khoan")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/tai-khoan");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    for part in ["ydan_session=", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP in tests: the cookie could not be Secure");
    let browser = app.sign_in("an.nguyen", PW).await;
    let page = app.get_as(&browser.cookie, "/tai-khoan").await.text().await.unwrap();
    assert!(page.contains("Cán bộ an.nguyen") && page.contains("Xem báo cáo"));
    assert!(page.contains("Trung tâm Phục vụ hành chính công tỉnh"));
    // The stored secret is an argon2id PHC string and appears on no page.
    let phc: String = app.row("SELECT password_hash FROM app_user").await.try_get("", "password_hash").unwrap();
    assert!(phc.starts_with("$argon2id$"));
    assert!(!page.contains(&phc));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_tls_the_session_cookie_is_secure() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let settings = services::state::Settings {
        public_url: "https://ydan.example.gov.vn".into(),
        contact_key: app.settings.contact_key.clone(),
        ..Default::default()
    };
    let state = server::build_state(app.db.clone(), &server::Config { settings, ..Default::default() }).await.unwrap();
    let cookie = server::session::session_cookie(&state, &"a".repeat(64));
    assert!(cookie.to_str().unwrap().ends_with("; Secure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_login_get_the_same_answer_in_the_same_time() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..3 {
        let t = Instant::now();
        let res = app.post_sign_in("an.nguyen", &format!("sai mật khẩu {i}")).await;
        wrong.push(t.elapsed());
        assert_eq!(res.status(), 401);
        let wrong_page = res.text().await.unwrap();
        let t = Instant::now();
        let res = app.post_sign_in(&format!("khong.co.{i}"), "sai mật khẩu").await;
        unknown.push(t.elapsed());
        assert_eq!(res.status(), 401);
        let unknown_page = res.text().await.unwrap();
        for page in [&wrong_page, &unknown_page] {
            assert!(page.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
        }
    }
    wrong.sort();
    unknown.sort();
    // Both verify one argon2id hash: the medians stay within a factor of two of each other.
    let (w, u) = (wrong[1].as_secs_f64(), unknown[1].as_secs_f64());
    assert!(w / u < 2.0 && u / w < 2.0, "wrong password {w:.3}s, unknown login {u:.3}s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_a_login_for_a_while_even_against_the_right_password() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    app.create_user("binh.tran", PW, Role::Viewer, Some("P")).await;
    for _ in 0..5 {
        assert_eq!(app.post_sign_in("an.nguyen", "đoán thử một lần").await.status(), 401);
    }
    let res = app.post_sign_in("an.nguyen", PW).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("Xin thử lại sau 15 phút"));
    assert!(res_has_no_cookie(&app.post_sign_in("an.nguyen", PW).await));
    // Someone else at the same office can still sign in.
    assert_eq!(app.post_sign_in("binh.tran", PW).await.status(), 303);
}

fn res_has_no_cookie(res: &reqwest::Response) -> bool {
    res.status() == 429 && res.headers().get("set-cookie").is_none()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pages_send_strangers_to_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let res = app.get("/tai-khoan").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/dang-nhap?next=/tai-khoan");
    let res =
        app.get_as("ydan_session=0000000000000000000000000000000000000000000000000000000000000000", "/tai-khoan").await;
    assert_eq!(res.status(), 302, "a forged session is no session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_needs_the_forms_token_and_ends_the_session() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let b = app.sign_in("an.nguyen", PW).await;
    let res = app.post_as(&b.cookie, "/dang-xuat", &[("csrf", "sai")]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Biểu mẫu đã hết hạn"));
    assert_eq!(app.get_as(&b.cookie, "/tai-khoan").await.status(), 200, "still signed in");
    let res = app.post_as(&b.cookie, "/dang-xuat", &[("csrf", &b.csrf)]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.get_as(&b.cookie, "/tai-khoan").await.status(), 302, "the old cookie no longer works");
    assert_eq!(app.count("user_session").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_checks_it_and_signs_out_other_devices() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let phone = app.sign_in("an.nguyen", PW).await;
    let desk = app.sign_in("an.nguyen", PW).await;
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let desk = desk.clone();
        let app = &app;
        async move {
            app.post_as(
                &desk.cookie,
                "/tai-khoan",
                &[("csrf", &desk.csrf), ("current", current), ("new", new), ("confirm", confirm)],
            )
            .await
        }
    };
    let res = change("sai", "một câu rất dài mới", "một câu rất dài mới").await;
    assert_eq!(res.status(), 401);
    let res = change(PW, "một câu rất dài mới", "một câu khác hẳn").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("không khớp"));
    let res = change(PW, "matkhau123", "matkhau123").await;
    assert_eq!(res.status(), 422);
    let res = change(PW, "một câu rất dài mới", "một câu rất dài mới").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/tai-khoan?doi=1");
    assert_eq!(app.get_as(&desk.cookie, "/tai-khoan").await.status(), 200, "this device stays signed in");
    assert_eq!(app.get_as(&phone.cookie, "/tai-khoan").await.status(), 302, "the other device is signed out");
    assert_eq!(app.post_sign_in("an.nguyen", PW).await.status(), 401);
    assert_eq!(app.post_sign_in("an.nguyen", "một câu rất dài mới").await.status(), 303);
    let audit: i64 = app
        .row("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'user.password_change'")
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(audit, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_users_session_stops_working_at_once() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let b = app.sign_in("an.nguyen", PW).await;
    let backend = app.db.get_database_backend();
    use sea_orm::ConnectionTrait;
    app.db
        .execute_raw(sea_orm::Statement::from_string(backend, "UPDATE app_user SET active = (1 = 0)".to_owned()))
        .await
        .unwrap();
    assert_eq!(app.get_as(&b.cookie, "/tai-khoan").await.status(), 302);
    assert_eq!(app.post_sign_in("an.nguyen", PW).await.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_posted_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    app.create_user("an.nguyen", PW, Role::Viewer, Some("P")).await;
    let b = app.sign_in("an.nguyen", PW).await;
    let res = app
        .client
        .post(app.url("/dang-xuat"))
        .header("cookie", &b.cookie)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}", b.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let survey = app
        .client
        .post(app.url(&format!("/s/{}", app.fixture.c1)))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("II.A1=5")
        .send()
        .await
        .unwrap();
    assert_eq!(survey.status(), 403);
    assert_eq!(app.count("response").await, 0);
    // The same site is welcome.
    let ok = app
        .client
        .post(app.url(&format!("/s/{}", app.fixture.c1)))
        .header("origin", app.base.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("II.A1=5")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
}
