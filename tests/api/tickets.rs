//! Receipt-bound survey links: API keys, tickets, one use each, verified responses.

use domain::accounts::Role;
use serde_json::{Value, json};
use ydan_tests::TestApp;

const PW: &str = "một mật khẩu đủ dài";

/// Creates an API key for `unit` through the administration page, as an administrator would,
/// and returns it (it is shown only on that one page).
pub(crate) async fn api_key_for(app: &TestApp, unit: &str) -> String {
    let login = format!("admin.{}", unit.to_lowercase().replace('.', "-"));
    app.create_user(&login, PW, Role::AgencyAdmin, Some(unit)).await;
    let b = app.sign_in(&login, PW).await;
    let res = app
        .post_as(
            &b.cookie,
            "/quan-tri/khoa-api",
            &[("csrf", &b.csrf), ("action", "create"), ("unit", unit), ("name", "Một cửa điện tử")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let start = html.find("ydan_").expect("the new key on the page");
    let key = html[start..start + 53].to_owned();
    assert!(key[5..].bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    // Afterwards the list shows a prefix only.
    let list = app.get_as(&b.cookie, "/quan-tri/khoa-api").await.text().await.unwrap();
    assert!(list.contains(&key[..13]) && !list.contains(&key));
    key
}

async fn issue(app: &TestApp, key: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = app.client.post(app.url("/api/v1/tickets")).json(&body);
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    req.send().await.unwrap()
}

async fn ticket_path(app: &TestApp, key: &str, counter: &str, dossier: &str) -> String {
    let res = issue(app, Some(key), json!({"counter": counter, "dossier_code": dossier, "procedure": "T.001"})).await;
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert!(v["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(v["expires_at"].is_string());
    let url = v["survey_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/t/", app.base)));
    url.trim_start_matches(&app.base).to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipts_link_takes_one_verified_answer_for_its_dossier() {
    let app = TestApp::spawn().await;
    let key = api_key_for(&app, "P.C").await;
    let path = ticket_path(&app, &key, &app.fixture.c1, "H15.50.05.13-261008-0975").await;
    let page = app.get(&path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("H15.50.05.13-261008-0975") && html.contains(&format!(r#"action="{path}""#)));

    let res = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("II.A1=5&II.C1=4")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let row = app.row("SELECT verified, dossier_code, ticket_id, procedure_id FROM response").await;
    assert!(row.try_get::<bool>("", "verified").unwrap());
    assert_eq!(row.try_get::<String>("", "dossier_code").unwrap(), "H15.50.05.13-261008-0975");
    assert!(row.try_get::<Option<i64>>("", "ticket_id").unwrap().is_some());
    assert!(row.try_get::<Option<i64>>("", "procedure_id").unwrap().is_some(), "the ticket's procedure");

    // A second use: clear message, 409, nothing stored.
    let again = app.get(&path).await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("đã được trả lời"));
    let res = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("II.A1=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let token = path.trim_start_matches("/t/");
    let api = app.post_json("/api/v1/responses", &json!({"ticket": token, "answers": {"II.A1": 1}})).await;
    assert_eq!(api.status(), 409);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "ticket_used");
    assert_eq!(app.count("response").await, 1);
    // Open QR answers stay unverified.
    app.post_form(&app.fixture.c1, &[("II.A1", "4")]).await;
    let open: bool =
        app.row("SELECT verified FROM response WHERE ticket_id IS NULL").await.try_get("", "verified").unwrap();
    assert!(!open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_answers_racing_on_one_ticket_store_exactly_one() {
    let app = TestApp::spawn().await;
    let key = api_key_for(&app, "P.C").await;
    let path = ticket_path(&app, &key, &app.fixture.c1, "H15.50-261008-0001").await;
    let token = path.trim_start_matches("/t/").to_owned();
    let body = json!({"ticket": token, "answers": {"II.A1": 5}});
    let (a, b) = tokio::join!(app.post_json("/api/v1/responses", &body), app.post_json("/api/v1/responses", &body));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(app.count("response").await, 1);
    assert_eq!(app.count("response_answer").await, 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_unknown_and_expired_links_are_refused() {
    let app = TestApp::spawn().await;
    let key = api_key_for(&app, "P.C").await;
    let path = ticket_path(&app, &key, &app.fixture.c1, "H15.50-261008-0002").await;
    let mut forged = path.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    for p in [forged.as_str(), "/t/0123456789abcdef0123456789abcdef0123456789abcdef", "/t/x"] {
        let res = app.get(p).await;
        assert_eq!(res.status(), 404, "{p}");
        assert!(res.text().await.unwrap().contains("Không tìm thấy phiếu đánh giá"));
    }
    use sea_orm::ConnectionTrait;
    let backend = app.db.get_database_backend();
    let past = match backend {
        sea_orm::DbBackend::Sqlite => "UPDATE ticket SET expires_at = '2020-01-01 00:00:00+00:00'",
        _ => "UPDATE ticket SET expires_at = TIMESTAMPTZ '2020-01-01 00:00:00+00'",
    };
    app.db.execute_raw(sea_orm::Statement::from_string(backend, past.to_owned())).await.unwrap();
    let res = app.get(&path).await;
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("hết hạn"));
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuing_checks_the_key_the_counter_and_the_dossier_code() {
    let app = TestApp::spawn().await;
    let centre = api_key_for(&app, "P.C").await;
    let department = api_key_for(&app, "P.D").await;
    let province = api_key_for(&app, "P").await;
    let body = |counter: &str, dossier: &str| json!({"counter": counter, "dossier_code": dossier});
    let c1 = app.fixture.c1.clone();

    let code = |res: reqwest::Response| async move { (res.status().as_u16(), res.json::<Value>().await.unwrap()) };
    let (s, v) = code(issue(&app, None, body(&c1, "H15.50-261008-0003")).await).await;
    assert_eq!((s, v["code"].as_str().unwrap()), (401, "not_signed_in"));
    let (s, _) = code(
        issue(&app, Some("ydan_0000000000000000000000000000000000000000000000"), body(&c1, "H15.50-261008-0003")).await,
    )
    .await;
    assert_eq!(s, 401);
    let (s, v) = code(issue(&app, Some(&department), body(&c1, "H15.50-261008-0003")).await).await;
    assert_eq!((s, v["code"].as_str().unwrap()), (403, "forbidden"), "a sibling's key");
    let (s, _) = code(issue(&app, Some(&province), body(&c1, "H15.50-261008-0003")).await).await;
    assert_eq!(s, 201, "the parent's key covers its units");
    let (s, v) = code(issue(&app, Some(&centre), body(&c1, "H15-2610080003")).await).await;
    assert_eq!((s, v["fields"][0]["code"].as_str().unwrap()), (422, "invalid_dossier_code"));
    let (s, v) = code(
        issue(
            &app,
            Some(&centre),
            json!({"counter": c1, "dossier_code": "H15.50-261008-0004", "procedure": "KHONG.CO"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["fields"][0]["code"].as_str().unwrap()), (422, "unknown_procedure"));
    let (s, v) = code(issue(&app, Some(&centre), json!({"counter": c1})).await).await;
    assert_eq!((s, v["fields"][0]["field"].as_str().unwrap()), (422, "dossier_code"));
    let (s, _) = code(issue(&app, Some(&centre), body("khongtontai", "H15.50-261008-0005")).await).await;
    assert_eq!(s, 404);
    let tickets: i64 = app.row("SELECT COUNT(*) AS n FROM ticket").await.try_get("", "n").unwrap();
    assert_eq!(tickets, 1, "only the valid request made a ticket");

    // A revoked key stops working at once.
    let b = app.sign_in("admin.p-c", PW).await;
    let id: i64 = app
        .row("SELECT MIN(k.id) AS id FROM api_key k JOIN agency a ON a.id = k.agency_id WHERE a.code = 'P.C'")
        .await
        .try_get("", "id")
        .unwrap();
    let res = app
        .post_as(&b.cookie, "/quan-tri/khoa-api", &[("csrf", &b.csrf), ("action", "revoke"), ("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), 303);
    let (s, _) = code(issue(&app, Some(&centre), body(&c1, "H15.50-261008-0006")).await).await;
    assert_eq!(s, 401);
    // …and an administrator of a sibling cannot revoke someone else's key.
    let d = app.sign_in("admin.p-d", PW).await;
    let other: i64 = app.row("SELECT MAX(id) AS id FROM api_key").await.try_get("", "id").unwrap();
    let res = app
        .post_as(
            &d.cookie,
            "/quan-tri/khoa-api",
            &[("csrf", &d.csrf), ("action", "revoke"), ("id", &other.to_string())],
        )
        .await;
    assert_eq!(res.status(), 403);
}
