//! Every HTML form is read by one reader: a body that cannot be read as a form (too large, or
//! not a form at all) is answered as the error it is, never handled as an empty form.

use domain::accounts::Role;
use ydan_tests::{TestApp, serde_urlencoded_pairs};

const PW: &str = "một mật khẩu đủ dài";

async fn counters(app: &TestApp) -> i64 {
    app.row("SELECT COUNT(*) AS n FROM counter").await.try_get("", "n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_body_that_cannot_be_read_is_an_error_never_an_empty_form() {
    let app = TestApp::spawn().await;
    app.create_user("admin.c", PW, Role::AgencyAdmin, Some("P.C")).await;
    let b = app.sign_in("admin.c", PW).await;
    let before = counters(&app).await;

    // Too large: 413 with the reason, not a form with its CSRF token missing (403).
    let long = "x".repeat(70 * 1024);
    let fields = [("csrf", b.csrf.as_str()), ("action", "create"), ("unit", "P.C"), ("name", long.as_str())];
    let res = app.post_as(&b.cookie, "/quan-tri/quay", &fields).await;
    assert_eq!(res.status(), 413);
    let page = res.text().await.unwrap();
    assert!(page.contains("quá lớn"), "the page says why, in Vietnamese");

    // Not a form: 415, whatever the fields inside would have said.
    let body =
        serde_urlencoded_pairs(&[("csrf", b.csrf.as_str()), ("action", "create"), ("unit", "P.C"), ("name", "Quầy 9")]);
    for path in ["/quan-tri/quay", "/tai-khoan", "/dang-nhap", &format!("/s/{}", app.fixture.c1)] {
        let res = app
            .client
            .post(app.url(path))
            .header("cookie", &b.cookie)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415, "{path}");
    }
    assert_eq!(counters(&app).await, before, "nothing was created");

    // The same form, read as a form, works.
    let res = app
        .post_as(
            &b.cookie,
            "/quan-tri/quay",
            &[("csrf", b.csrf.as_str()), ("action", "create"), ("unit", "P.C"), ("name", "Quầy 9")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(counters(&app).await, before + 1);
}
