//! Administration by agency administrators, and the walls between sibling agencies: for every
//! route that takes a unit, counter or user, an administrator of one unit can neither read nor
//! change what belongs to a sibling.

use domain::accounts::Role;
use ydan_tests::{Browser, TestApp};

const PW: &str = "một mật khẩu đủ dài";

/// An administrator of the provincial centre (P.C), whose sibling is the department (P.D).
async fn centre_admin(app: &TestApp) -> Browser {
    app.create_user("admin.c", PW, Role::AgencyAdmin, Some("P.C")).await;
    app.sign_in("admin.c", PW).await
}

async fn post(app: &TestApp, b: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut all = vec![("csrf", b.csrf.as_str())];
    all.extend_from_slice(fields);
    app.post_as(&b.cookie, path, &all).await
}

async fn audit_count(app: &TestApp) -> i64 {
    app.row("SELECT COUNT(*) AS n FROM audit_log").await.try_get("", "n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_administrator_runs_their_own_unit_and_every_change_is_logged() {
    let app = TestApp::spawn().await;
    let b = centre_admin(&app).await;
    let before = audit_count(&app).await;

    let res =
        post(&app, &b, "/quan-tri/quay", &[("action", "create"), ("unit", "P.C"), ("name", "Quầy 3 – Chứng thực")])
            .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/quan-tri/quay?ok=1");
    let page = app.get_as(&b.cookie, "/quan-tri/quay?ok=1").await.text().await.unwrap();
    assert!(page.contains("Đã lưu thay đổi.") && page.contains("Quầy 3 – Chứng thực"));

    let res = post(
        &app,
        &b,
        "/quan-tri/don-vi",
        &[
            ("action", "create"),
            ("code", "P.C.1"),
            ("kind", "other"),
            ("name_vi", "Tổ một cửa lưu động"),
            ("name_en", ""),
            ("parent", "P.C"),
            ("valid_from", "2026-01-01"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post(
        &app,
        &b,
        "/quan-tri/don-vi",
        &[("action", "rename"), ("code", "P.C.1"), ("name_vi", "Tổ lưu động"), ("name_en", "Mobile team")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post(
        &app,
        &b,
        "/quan-tri/thu-tuc",
        &[("action", "create"), ("unit", "P.C"), ("code", "P.C.TT1"), ("name_vi", "Cấp bản sao"), ("name_en", "")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post(
        &app,
        &b,
        "/quan-tri/nguoi-dung",
        &[
            ("action", "create"),
            ("login", "xem.c"),
            ("display_name", "Người xem"),
            ("role", "viewer"),
            ("unit", "P.C.1"),
            ("password", PW),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.post_sign_in("xem.c", PW).await.status(), 303, "the new user can sign in");

    assert_eq!(audit_count(&app).await, before + 5);
    let rename = app.row("SELECT actor_label, before, after FROM audit_log WHERE action = 'unit.rename'").await;
    assert_eq!(rename.try_get::<String>("", "actor_label").unwrap(), "admin.c");
    assert!(rename.try_get::<String>("", "before").unwrap().contains("Tổ một cửa lưu động"));
    assert!(rename.try_get::<String>("", "after").unwrap().contains("Mobile team"));
    let log = app.get_as(&b.cookie, "/quan-tri/nhat-ky").await.text().await.unwrap();
    assert!(log.contains("unit.rename") && log.contains("admin.c"));
    let user_entry: String = app
        .row("SELECT after FROM audit_log WHERE action = 'user.create' AND entity_id <> '1' ORDER BY id DESC")
        .await
        .try_get("", "after")
        .unwrap();
    assert!(!user_entry.contains("argon2"), "no password hash in the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_of_a_sibling_agency_can_be_read_or_changed() {
    let app = TestApp::spawn().await;
    let b = centre_admin(&app).await;
    app.create_user("xem.d", PW, Role::Viewer, Some("P.D")).await;
    let d1 = app.fixture.d1.clone();
    let before_audit = audit_count(&app).await;
    let before_units: i64 = app.row("SELECT COUNT(*) AS n FROM agency").await.try_get("", "n").unwrap();

    let attempts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/quan-tri/quay", vec![("action", "create"), ("unit", "P.D"), ("name", "Quầy lạ")]),
        ("/quan-tri/quay", vec![("action", "close"), ("code", &d1)]),
        (
            "/quan-tri/don-vi",
            vec![
                ("action", "create"),
                ("code", "P.D.9"),
                ("kind", "other"),
                ("name_vi", "x"),
                ("parent", "P.D"),
                ("valid_from", "2026-01-01"),
            ],
        ),
        ("/quan-tri/don-vi", vec![("action", "rename"), ("code", "P.D"), ("name_vi", "Đổi tên trộm")]),
        ("/quan-tri/don-vi", vec![("action", "move"), ("code", "P.D"), ("parent", "P.C")]),
        ("/quan-tri/don-vi", vec![("action", "move"), ("code", "P.C"), ("parent", "P.D")]),
        ("/quan-tri/don-vi", vec![("action", "close"), ("code", "P.D"), ("valid_to", "2026-06-01")]),
        ("/quan-tri/don-vi", vec![("action", "merge"), ("units", "P.D"), ("into", "P.C"), ("on", "2026-06-01")]),
        ("/quan-tri/thu-tuc", vec![("action", "create"), ("unit", "P.D"), ("code", "X1"), ("name_vi", "x")]),
        (
            "/quan-tri/nguoi-dung",
            vec![
                ("action", "create"),
                ("login", "ke.gian"),
                ("display_name", "x"),
                ("role", "viewer"),
                ("unit", "P.D"),
                ("password", PW),
            ],
        ),
        (
            "/quan-tri/nguoi-dung",
            vec![
                ("action", "create"),
                ("login", "sieu.quyen"),
                ("display_name", "x"),
                ("role", "system_admin"),
                ("unit", "P.C"),
                ("password", PW),
            ],
        ),
        ("/quan-tri/nguoi-dung", vec![("action", "deactivate"), ("login", "xem.d")]),
        ("/quan-tri/nguoi-dung", vec![("action", "reset"), ("login", "xem.d"), ("password", "mật khẩu mới rất dài")]),
    ];
    for (path, fields) in &attempts {
        let res = post(&app, &b, path, fields).await;
        assert_eq!(res.status(), 403, "{path} {fields:?}");
        assert!(res.text().await.unwrap().contains("không có quyền"), "{path} {fields:?}");
    }
    assert_eq!(audit_count(&app).await, before_audit, "nothing changed, nothing logged");
    let units: i64 = app.row("SELECT COUNT(*) AS n FROM agency").await.try_get("", "n").unwrap();
    assert_eq!(units, before_units);
    let d: String = app.row("SELECT name_vi FROM agency WHERE code = 'P.D'").await.try_get("", "name_vi").unwrap();
    assert_eq!(d, "Sở Tư pháp");
    assert_eq!(app.post_sign_in("xem.d", PW).await.status(), 303, "the sibling's user still works");
    assert_eq!(app.get(&format!("/s/{d1}")).await.status(), 200, "the sibling's counter still takes ratings");

    // Reading: the sibling's breakdown, posters and log entries stay out of sight.
    let dashboard = app.get_as(&b.cookie, "/dashboard/P.D").await.text().await.unwrap();
    assert!(!dashboard.contains("<svg"), "no breakdown of a sibling");
    assert_eq!(app.get_as(&b.cookie, "/quan-tri/quay/ap-phich?don-vi=P.D").await.status(), 403);
    let counters = app.get_as(&b.cookie, "/quan-tri/quay").await.text().await.unwrap();
    assert!(!counters.contains(&d1), "the sibling's counters are not listed");
    let users = app.get_as(&b.cookie, "/quan-tri/nguoi-dung").await.text().await.unwrap();
    assert!(!users.contains("xem.d"), "the sibling's users are not listed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_cannot_administer_and_forms_need_their_token() {
    let app = TestApp::spawn().await;
    app.create_user("xem.c", PW, Role::Viewer, Some("P.C")).await;
    let viewer = app.sign_in("xem.c", PW).await;
    assert_eq!(app.get_as(&viewer.cookie, "/quan-tri/don-vi").await.status(), 403);
    assert!(app.get_as(&viewer.cookie, "/quan-tri").await.text().await.unwrap().contains("dùng để xem báo cáo"));
    let res = post(&app, &viewer, "/quan-tri/quay", &[("action", "create"), ("unit", "P.C"), ("name", "x")]).await;
    assert_eq!(res.status(), 403);

    let admin = centre_admin(&app).await;
    let res = app
        .post_as(
            &admin.cookie,
            "/quan-tri/quay",
            &[("csrf", "đoán"), ("action", "create"), ("unit", "P.C"), ("name", "x")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = app.post_as("", "/quan-tri/quay", &[("action", "create")]).await;
    assert_eq!(res.status(), 303, "strangers are sent to sign in");
    assert_eq!(app.count("counter").await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_counter_takes_no_ratings_and_says_so() {
    let app = TestApp::spawn().await;
    let b = centre_admin(&app).await;
    let c1 = app.fixture.c1.clone();
    assert_eq!(post(&app, &b, "/quan-tri/quay", &[("action", "close"), ("code", &c1)]).await.status(), 303);
    let page = app.get(&format!("/s/{c1}")).await;
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("ngừng nhận đánh giá"));
    assert_eq!(app.post_form(&c1, &[("II.A1", "5")]).await.status(), 410);
    let api = app
        .post_json_as_system("/api/v1/responses", &serde_json::json!({"counter": c1, "answers": {"II.A1": 5}}))
        .await;
    assert_eq!(api.status(), 410);
    assert_eq!(api.json::<serde_json::Value>().await.unwrap()["code"], "counter_closed");
    assert_eq!(app.count("response").await, 0);
    assert_eq!(post(&app, &b, "/quan-tri/quay", &[("action", "reopen"), ("code", &c1)]).await.status(), 303);
    assert_eq!(app.get(&format!("/s/{c1}")).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_units_close_and_their_history_rolls_up_into_the_new_unit() {
    let app = TestApp::spawn().await;
    // One rating at the commune's centre before the merge.
    let res = app
        .post_json_as_system(
            "/api/v1/responses",
            &serde_json::json!({"counter": app.fixture.x1, "answers": {"II.A1": 1}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    app.create_user("tinh", PW, Role::AgencyAdmin, Some("P")).await;
    let b = app.sign_in("tinh", PW).await;
    let today = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    let res = post(
        &app,
        &b,
        "/quan-tri/don-vi",
        &[("action", "merge"), ("units", "P.X"), ("units", "P.D"), ("into", "P.C"), ("on", &today.to_string())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let merged: i64 =
        app.row("SELECT COUNT(*) AS n FROM agency WHERE merged_into_id IS NOT NULL").await.try_get("", "n").unwrap();
    assert_eq!(merged, 2);
    // The receiving unit now counts the commune's earlier rating.
    let v: serde_json::Value = app.get_as(&b.cookie, "/api/v1/agencies/P.C/sipas").await.json().await.unwrap();
    assert_eq!(v["n"], 1);
    // A unit cannot be merged into itself or into one of its own descendants.
    let res = post(
        &app,
        &b,
        "/quan-tri/don-vi",
        &[("action", "merge"), ("units", "P.C"), ("into", "P.C"), ("on", "2030-01-01")],
    )
    .await;
    assert_eq!(res.status(), 422);
    // Their administrator cannot close the root of their own scope.
    let res =
        post(&app, &b, "/quan-tri/don-vi", &[("action", "close"), ("code", "P"), ("valid_to", "2030-01-01")]).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_is_signed_out_everywhere_at_once() {
    let app = TestApp::spawn().await;
    let admin = centre_admin(&app).await;
    app.create_user("xem.c", PW, Role::Viewer, Some("P.C")).await;
    let viewer = app.sign_in("xem.c", PW).await;
    assert_eq!(
        post(&app, &admin, "/quan-tri/nguoi-dung", &[("action", "deactivate"), ("login", "xem.c")]).await.status(),
        303
    );
    assert_eq!(app.get_as(&viewer.cookie, "/tai-khoan").await.status(), 302);
    assert_eq!(app.post_sign_in("xem.c", PW).await.status(), 401);
    // Administrators cannot lock themselves out by mistake.
    assert_eq!(
        post(&app, &admin, "/quan-tri/nguoi-dung", &[("action", "deactivate"), ("login", "admin.c")]).await.status(),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_admin_input_is_shown_again_with_the_values_kept() {
    let app = TestApp::spawn().await;
    let b = centre_admin(&app).await;
    let res = post(
        &app,
        &b,
        "/quan-tri/don-vi",
        &[
            ("action", "create"),
            ("code", "có dấu/x"),
            ("kind", "other"),
            ("name_vi", "Tên giữ lại"),
            ("parent", "P.C"),
            ("valid_from", "2026-01-01"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Mã chỉ gồm chữ không dấu"));
    assert!(html.contains(r#"value="Tên giữ lại""#));
    let res = post(
        &app,
        &b,
        "/quan-tri/don-vi",
        &[
            ("action", "create"),
            ("code", "P.C"),
            ("kind", "other"),
            ("name_vi", "Trùng"),
            ("parent", "P.C"),
            ("valid_from", "2026-01-01"),
        ],
    )
    .await;
    assert_eq!(res.status(), 409);
    let res = post(
        &app,
        &b,
        "/quan-tri/nguoi-dung",
        &[
            ("action", "create"),
            ("login", "yeu"),
            ("display_name", "x"),
            ("role", "viewer"),
            ("unit", "P.C"),
            ("password", "123"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(!res.text().await.unwrap().contains(r#"value="123""#), "passwords are never shown back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_that_miss_the_unit_tree_together_all_end_up_sharing_one_copy() {
    // The server's own background work reads the tree at start, at the same moment as pages do:
    // whichever reader loads it first, every reader afterwards gets that same copy.
    use services::agencies;
    use std::sync::Arc;
    let app = TestApp::spawn().await;
    for round in 0..5 {
        app.exec(&format!("UPDATE agency SET name_vi = 'Sở Tư pháp {round}' WHERE code = 'P.D'")).await;
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let db = app.db.clone();
                tokio::spawn(async move { agencies::all(&db).await.unwrap() })
            })
            .collect();
        let mut read = Vec::new();
        for r in readers {
            read.push(r.await.unwrap());
        }
        let settled = agencies::all(&app.db).await.unwrap();
        for units in &read {
            assert!(Arc::ptr_eq(units, &settled), "round {round}: a reader kept a copy nobody else shares");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_tree_kept_in_memory_follows_every_change_and_no_rolled_back_one() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    use services::agencies;
    use std::sync::Arc;
    let app = TestApp::spawn().await;
    let first = agencies::all(&app.db).await.unwrap();
    let again = agencies::all(&app.db).await.unwrap();
    assert!(Arc::ptr_eq(&first, &again), "read once while nothing changes");
    // A change made outside the server (here by hand, in SQL) is seen at once.
    app.exec("UPDATE agency SET name_vi = 'Trung tâm Phục vụ hành chính công mới' WHERE code = 'P.C'").await;
    let after = agencies::all(&app.db).await.unwrap();
    assert!(!Arc::ptr_eq(&first, &after));
    assert!(after.iter().any(|a| a.name_vi == "Trung tâm Phục vụ hành chính công mới"));
    let html = app.get("/dashboard/P.C").await.text().await.unwrap();
    assert!(html.contains("Trung tâm Phục vụ hành chính công mới"), "the page shows the new name");
    // A change seen inside its transaction and then rolled back is not kept.
    let txn = app.db.begin().await.unwrap();
    txn.execute_unprepared("UPDATE agency SET name_vi = 'Không được lưu' WHERE code = 'P.D'").await.unwrap();
    assert!(agencies::all(&txn).await.unwrap().iter().any(|a| a.name_vi == "Không được lưu"));
    txn.rollback().await.unwrap();
    let now = agencies::all(&app.db).await.unwrap();
    assert!(!now.iter().any(|a| a.name_vi == "Không được lưu"));
    assert_eq!(after.as_slice(), now.as_slice(), "the tree as committed");
    // Changes through the administration pages are seen too.
    app.create_user("tinh", PW, Role::AgencyAdmin, Some("P")).await;
    let b = app.sign_in("tinh", PW).await;
    let res = post(&app, &b, "/quan-tri/don-vi", &[("action", "move"), ("code", "P.X"), ("parent", "P.D")]).await;
    assert_eq!(res.status(), 303);
    let moved = agencies::all(&app.db).await.unwrap();
    let id_of = |code: &str| moved.iter().find(|a| a.code == code).unwrap().id;
    assert_eq!(moved.iter().find(|a| a.code == "P.X").unwrap().parent_id, Some(id_of("P.D")));
}
