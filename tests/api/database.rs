//! Promises the database itself keeps, on SQLite and PostgreSQL alike.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use ydan_tests::{TestApp, backend_name, fresh_database};

async fn exec(app: &TestApp, sql: &str) -> Result<(), sea_orm::DbErr> {
    app.db.execute_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_can_be_neither_changed_nor_deleted() {
    let app = TestApp::spawn().await;
    let res = app
        .post_json_as_system("/api/v1/responses", &json!({"counter": app.fixture.c1, "answers": {"II.A1": 2}}))
        .await;
    assert_eq!(res.status(), 201);
    for sql in [
        "UPDATE response SET channel = 'paper'",
        "DELETE FROM response",
        "UPDATE response_answer SET value = 5",
        "DELETE FROM response_answer",
    ] {
        let err = exec(&app, sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err} ({})", backend_name());
    }
    assert_eq!(app.count("response").await, 1);
    assert_eq!(app.count("response_answer").await, 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_questionnaire_is_frozen() {
    let app = TestApp::spawn().await;
    for sql in [
        "UPDATE instrument SET name_vi = 'Khác'",
        "UPDATE instrument SET min_answers = 0",
        "UPDATE instrument SET status = 'draft'",
        "DELETE FROM instrument_scale_point",
        "UPDATE instrument_criterion SET text_vi = 'Khác' WHERE code = 'II.A1'",
        "UPDATE instrument_element SET weight = 2",
        "INSERT INTO instrument_group (instrument_id, code, name_vi, name_en, weight, position) \
         SELECT id, 'III', 'x', 'x', 1, 2 FROM instrument",
    ] {
        let err = exec(&app, sql).await.expect_err(sql);
        assert!(err.to_string().contains("published instrument cannot change"), "{sql}: {err}");
    }
    // Which questionnaire is the default stays a deployment choice.
    exec(&app, "UPDATE instrument SET is_default = (1 = 1)").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_questionnaire_is_the_sipas_service_part() {
    let app = TestApp::spawn().await;
    let default = "SELECT id FROM instrument WHERE is_default = TRUE AND status = 'published'";
    assert_eq!(app.count(&format!("({default}) AS d")).await, 1);
    let row = app.row(&format!("SELECT code FROM instrument WHERE id = ({default})")).await;
    assert_eq!(row.try_get::<String>("", "code").unwrap(), "sipas-2023-service");
    for (table, n) in [
        ("instrument_group", 1),
        ("instrument_element", 5),
        ("instrument_criterion", 16),
        ("instrument_scale_point", 5),
    ] {
        assert_eq!(app.count(&format!("{table} WHERE instrument_id = ({default})")).await, n, "{table}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_migration_can_be_rolled_back_and_applied_again() {
    let (db, dir) = fresh_database().await;
    Migrator::down(&db, None).await.expect("down");
    let backend = db.get_database_backend();
    let tables = match backend {
        sea_orm::DbBackend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'response'"
        }
        _ => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'response'",
    };
    let n = |sql: &'static str| {
        let db = db.clone();
        async move {
            db.query_one_raw(Statement::from_string(backend, sql.to_owned()))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
        }
    };
    assert_eq!(n(tables).await, 0);
    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(n(tables).await, 1);
    // The SIPAS service part, the kiosks' quick question, the three sector templates
    // (hospital 12, school 11, utilities 11 questions) and the TT 01/2018 form (4 choices and
    // a smiley) are seeded again.
    assert_eq!(n("SELECT COUNT(*) AS n FROM instrument_criterion").await, 16 + 1 + 12 + 11 + 11 + 5);
    if let Some(dir) = dir {
        let _ = std::fs::remove_dir_all(dir);
    }
}
