//! Questionnaires per sector: the shared templates, question types, new versions by copying,
//! drafts edited and published, and which questionnaire a counter's QR code opens.

use domain::accounts::Role;
use serde_json::{Value, json};
use ydan_tests::{Browser, TestApp};

const PW: &str = "một mật khẩu đủ dài";

async fn admin_of(app: &TestApp, unit: &str) -> Browser {
    let login = format!("qt.{}", unit.to_lowercase().replace('.', "-"));
    app.create_user(&login, PW, Role::AgencyAdmin, Some(unit)).await;
    app.sign_in(&login, PW).await
}

async fn id_of(app: &TestApp, code: &str, version: i32) -> i64 {
    app.row(&format!("SELECT id FROM instrument WHERE code = '{code}' AND version = {version}"))
        .await
        .try_get("", "id")
        .unwrap()
}

async fn use_questionnaire(app: &TestApp, b: &Browser, counter: &str, id: &str) -> reqwest::Response {
    app.post_as(
        &b.cookie,
        "/quan-tri/quay",
        &[("csrf", &b.csrf), ("action", "questionnaire"), ("code", counter), ("questionnaire", id)],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sector_templates_are_published_with_every_question_type_in_both_languages() {
    let app = TestApp::spawn().await;
    for (code, sector) in
        [("hospital-outpatient", "health"), ("school-parents", "education"), ("public-utilities", "utilities")]
    {
        let row =
            app.row(&format!("SELECT id, status, sector, is_default FROM instrument WHERE code = '{code}'")).await;
        assert_eq!(row.try_get::<String>("", "status").unwrap(), "published", "{code}");
        assert_eq!(row.try_get::<String>("", "sector").unwrap(), sector);
        assert!(!row.try_get::<bool>("", "is_default").unwrap());
        let id: i64 = row.try_get("", "id").unwrap();
        for scale in ["likert5", "smiley3", "yes_no", "choice", "text"] {
            let n = app.count(&format!("instrument_criterion WHERE instrument_id = {id} AND scale = '{scale}'")).await;
            assert!(n >= 1, "{code} has a {scale} question");
        }
        let untranslated =
            app.count(&format!("instrument_criterion WHERE instrument_id = {id} AND (text_vi = '' OR text_en = '' OR text_vi = text_en)")).await;
        assert_eq!(untranslated, 0, "{code}: every question in Vietnamese and English");
        // Each single choice has its own options.
        let choices =
            app.count(&format!("instrument_scale_point WHERE instrument_id = {id} AND scale LIKE 'choice:%'")).await;
        assert!(choices >= 3, "{code}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hospital_counter_asks_the_hospital_questions_and_keeps_choices_and_texts() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app, "P.C").await;
    let hospital = id_of(&app, "hospital-outpatient", 1).await.to_string();
    let res = use_questionnaire(&app, &admin, &app.fixture.c1, &hospital).await;
    assert_eq!(res.status(), 303);

    let html = app.get(&format!("/s/{}", app.fixture.c1)).await.text().await.unwrap();
    assert!(html.contains("Bác sĩ giải thích rõ về tình trạng bệnh"), "the hospital questions");
    assert!(html.contains("Không có bảo hiểm y tế"), "the single choice's options");
    assert!(html.contains(r#"name="BV.F2""#) && html.contains(r#"type="text""#), "the short text field");
    assert!(!html.contains("II.A1"), "not the SIPAS questions");

    // Bad answers: an option that does not exist, a text too long, a rating out of its scale.
    let long = "ữ".repeat(201);
    let res = app.post_form(&app.fixture.c1, &[("BV.F1", "4"), ("BV.F2", &long), ("BV.E1", "4"), ("BV.A1", "5")]).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("từ 1 đến 3"), "the choice's own range");
    assert!(page.contains("dài quá 200 ký tự"), "the text's limit");
    assert_eq!(app.count("response").await, 0, "nothing stored");

    let res = app
        .post_form(
            &app.fixture.c1,
            &[("BV.F1", "2"), ("BV.F2", "  Thêm ghế chờ  "), ("BV.E1", "3"), ("BV.E2", "2"), ("BV.A1", "5")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let row =
        app.row("SELECT r.id AS id, i.code AS code FROM response r JOIN instrument i ON i.id = r.instrument_id").await;
    assert_eq!(row.try_get::<String>("", "code").unwrap(), "hospital-outpatient");
    let text = app.row("SELECT t.text AS text, c.code AS code FROM response_text t JOIN instrument_criterion c ON c.id = t.criterion_id").await;
    assert_eq!(text.try_get::<String>("", "text").unwrap(), "Thêm ghế chờ");
    assert_eq!(text.try_get::<String>("", "code").unwrap(), "BV.F2");
    let choice = app
        .row("SELECT a.value AS v FROM response_answer a JOIN instrument_criterion c ON c.id = a.criterion_id WHERE c.code = 'BV.F1'")
        .await;
    assert_eq!(choice.try_get::<Option<i16>>("", "v").unwrap(), Some(2));
    // Short texts are answers like any other: never changed afterwards.
    {
        use sea_orm::ConnectionTrait;
        assert!(app.db.execute_unprepared("UPDATE response_text SET text = 'x'").await.is_err());
    }

    // The same through the JSON API, with a text as a JSON string.
    let res = app
        .post_json_as_system(
            "/api/v1/responses",
            &json!({"counter": app.fixture.c1, "channel": "api", "answers": {"BV.F2": "Nhanh hơn", "BV.F1": 9}}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["fields"][0]["code"], "rating_out_of_range");
    let res = app
        .post_json_as_system(
            "/api/v1/responses",
            &json!({"counter": app.fixture.c1, "channel": "api", "answers": {"BV.F2": "Nhanh hơn"}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(app.count("response_text").await, 2);

    // The unit's index for this questionnaire counts the one response with ratings (5, a
    // "very satisfied" smiley and a good "yes"); the SIPAS index has nothing, and says so.
    let v: Value = app.get("/api/v1/agencies/P.C/sipas?questionnaire=hospital-outpatient").await.json().await.unwrap();
    assert_eq!(v["n"], 1, "{v}");
    assert!((v["index"].as_f64().unwrap() - 100.0).abs() < 1e-9, "{v}");
    let v: Value = app.get("/api/v1/agencies/P.C/sipas").await.json().await.unwrap();
    assert_eq!(v["n"], 0, "{v}");
    assert!(v["index"].is_null());
    let res = app.get("/api/v1/agencies/P.C/sipas?questionnaire=khong-co").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "questionnaire_not_found");
    let res = app.get("/api/v1/agencies/P.C/sipas?questionnaire=quick-smiley3").await;
    assert_eq!(res.status(), 404, "kiosk presses are not an index");
    let page = app.get("/dashboard/P.C?questionnaire=hospital-outpatient").await.text().await.unwrap();
    assert!(page.contains(r#"<option value="hospital-outpatient" selected"#), "the dashboard offers the choice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_copies_a_template_edits_the_draft_publishes_it_and_uses_it() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app, "P.C").await;
    let school = id_of(&app, "school-parents", 1).await.to_string();
    let res = app
        .post_as(
            &admin.cookie,
            "/quan-tri/bang-hoi",
            &[("csrf", &admin.csrf), ("action", "copy"), ("id", &school), ("unit", "P.C")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let draft = id_of(&app, "P.C:school-parents", 1).await;
    assert_eq!(location, format!("/quan-tri/bang-hoi/{draft}?ok=1"));
    assert_eq!(app.count(&format!("instrument_criterion WHERE instrument_id = {draft}")).await, 11);
    let page = app.get_as(&admin.cookie, &format!("/quan-tri/bang-hoi/{draft}")).await.text().await.unwrap();
    assert!(page.contains(r#"name="vi.GD.A1""#), "the draft's questions are editable");

    // A draft cannot be given to a counter.
    let res = use_questionnaire(&app, &admin, &app.fixture.c1, &draft.to_string()).await;
    assert_eq!(res.status(), 422);

    // Editing: an empty text is refused and nothing changes; then a real edit.
    let path = format!("/quan-tri/bang-hoi/{draft}");
    let mut fields = vec![
        ("csrf", admin.csrf.as_str()),
        ("action", "save"),
        ("name_vi", "Phiếu của trường Tiểu học Hòa Bình"),
        ("name_en", "Hoa Binh Primary School survey"),
        ("min_answers", "1"),
        ("q", "GD.A1"),
        ("vi.GD.A1", ""),
        ("en.GD.A1", "Admission news came in time"),
    ];
    let res = app.post_as(&admin.cookie, &path, &fields).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.count("instrument WHERE name_en = 'Hoa Binh Primary School survey'").await, 0);
    fields[6] = ("vi.GD.A1", "Thông tin tuyển sinh đến kịp thời");
    let res = app.post_as(&admin.cookie, &path, &fields).await;
    assert_eq!(res.status(), 303);
    let res = app.post_as(&admin.cookie, &path, &[("csrf", &admin.csrf), ("action", "publish")]).await;
    assert_eq!(res.status(), 303);
    // Published: frozen.
    let res = app.post_as(&admin.cookie, &path, &fields).await;
    assert_eq!(res.status(), 409);

    let res = use_questionnaire(&app, &admin, &app.fixture.c1, &draft.to_string()).await;
    assert_eq!(res.status(), 303);
    let html = app.get(&format!("/s/{}", app.fixture.c1)).await.text().await.unwrap();
    assert!(html.contains("Thông tin tuyển sinh đến kịp thời"));
    // Back to the default questionnaire.
    assert_eq!(use_questionnaire(&app, &admin, &app.fixture.c1, "").await.status(), 303);
    let html = app.get(&format!("/s/{}", app.fixture.c1)).await.text().await.unwrap();
    assert!(html.contains("II.A1") || html.contains(r#"name="II.A1""#));
    assert!(app.count("audit_log WHERE action = 'questionnaire.publish'").await == 1);
    assert!(app.count("audit_log WHERE action = 'counter.questionnaire'").await == 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sibling_agency_can_neither_see_nor_use_nor_change_another_agencys_questionnaire() {
    let app = TestApp::spawn().await;
    let centre = admin_of(&app, "P.C").await;
    let dept = admin_of(&app, "P.D").await;
    let utilities = id_of(&app, "public-utilities", 1).await.to_string();
    let res = app
        .post_as(
            &centre.cookie,
            "/quan-tri/bang-hoi",
            &[("csrf", &centre.csrf), ("action", "copy"), ("id", &utilities), ("unit", "P.C")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let theirs = id_of(&app, "P.C:public-utilities", 1).await.to_string();

    let list = app.get_as(&dept.cookie, "/quan-tri/bang-hoi").await.text().await.unwrap();
    assert!(list.contains("public-utilities") && !list.contains("P.C:public-utilities"));
    assert_eq!(app.get_as(&dept.cookie, &format!("/quan-tri/bang-hoi/{theirs}")).await.status(), 404);
    let before = app.count("instrument").await;
    for action in ["save", "publish"] {
        let res = app
            .post_as(
                &dept.cookie,
                &format!("/quan-tri/bang-hoi/{theirs}"),
                &[("csrf", &dept.csrf), ("action", action), ("name_vi", "x"), ("name_en", "y"), ("min_answers", "1")],
            )
            .await;
        assert_eq!(res.status(), 404, "{action}");
    }
    // Copying it, or copying into the sibling's unit, is refused too.
    let res = app
        .post_as(
            &dept.cookie,
            "/quan-tri/bang-hoi",
            &[("csrf", &dept.csrf), ("action", "copy"), ("id", &theirs), ("unit", "P.D")],
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .post_as(
            &dept.cookie,
            "/quan-tri/bang-hoi",
            &[("csrf", &dept.csrf), ("action", "copy"), ("id", &utilities), ("unit", "P.C")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("instrument").await, before, "nothing created");
    // Their counter cannot be pointed at the other agency's questionnaire, nor at a shared
    // draft, nor can a shared template's draft be edited by an agency.
    assert_eq!(use_questionnaire(&app, &dept, &app.fixture.d1, &theirs).await.status(), 404);
    assert_eq!(use_questionnaire(&app, &dept, &app.fixture.c1, &utilities).await.status(), 403);
    let res = app
        .post_as(
            &dept.cookie,
            &format!("/quan-tri/bang-hoi/{utilities}"),
            &[("csrf", &dept.csrf), ("action", "publish")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("counter WHERE instrument_id IS NOT NULL").await, 0);
}
