//! `POST /api/v1/responses` and the other JSON endpoints: the happy path and every bad input.

use serde_json::{Value, json};
use ydan_tests::TestApp;

async fn body(res: reqwest::Response) -> Value {
    res.json().await.unwrap()
}

fn field_codes(v: &Value) -> Vec<(String, String)> {
    v["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["field"].as_str().unwrap().to_owned(), f["code"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_response_is_stored_and_answered_with_201_and_its_id() {
    let app = TestApp::spawn().await;
    let res = app
        .post_json_as_system(
            "/api/v1/responses",
            &json!({"counter": app.fixture.c2, "channel": "paper", "answers": {"II.A1": 5, "II.C1": 3, "II.D1": null},
                    "comment": "Nhanh", "procedure": "T.001"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let v = body(res).await;
    assert!(v["id"].as_i64().unwrap() > 0);
    assert_eq!(v["duplicate"], false);
    assert_eq!(app.count("response").await, 1);
    assert_eq!(app.count("response_answer").await, 16);
    let row = app.row("SELECT channel, api_key_id FROM response").await;
    assert_eq!(row.try_get::<String>("", "channel").unwrap(), "paper");
    assert!(row.try_get::<Option<i64>>("", "api_key_id").unwrap().is_some(), "marked with the key that sent it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_channel_follows_the_credential_not_the_body() {
    let app = TestApp::spawn().await;
    let c1 = app.fixture.c1.clone();
    // No key: a citizen's phone.
    let res = app.post_json("/api/v1/responses", &json!({"counter": c1, "answers": {"II.E3": 1}})).await;
    assert_eq!(res.status(), 201);
    let row = app.row("SELECT channel FROM response ORDER BY id DESC").await;
    assert_eq!(row.try_get::<String>("", "channel").unwrap(), "qr");
    // With a key: another system relaying ratings.
    let res = app.post_json_as_system("/api/v1/responses", &json!({"counter": c1, "answers": {"II.E3": 2}})).await;
    assert_eq!(res.status(), 201);
    let row = app.row("SELECT channel FROM response ORDER BY id DESC").await;
    assert_eq!(row.try_get::<String>("", "channel").unwrap(), "api");
    // Claiming a channel that needs a credential, without one: refused, nothing stored.
    for claimed in ["kiosk", "api", "paper"] {
        let res = app
            .post_json("/api/v1/responses", &json!({"counter": c1, "channel": claimed, "answers": {"II.A1": 5}}))
            .await;
        assert_eq!(res.status(), 401, "{claimed}");
        assert!(res.headers().get("www-authenticate").is_some());
        assert_eq!(body(res).await["code"], "credential_required", "{claimed}");
    }
    // A system cannot pass its ratings off as a tablet's or a citizen's phone.
    for claimed in ["kiosk", "qr"] {
        let res = app
            .post_json_as_system(
                "/api/v1/responses",
                &json!({"counter": c1, "channel": claimed, "answers": {"II.A1": 5}}),
            )
            .await;
        assert_eq!(res.status(), 422, "{claimed}");
        assert_eq!(field_codes(&body(res).await), [("channel".to_owned(), "channel_not_allowed".to_owned())]);
    }
    // A wrong or revoked key is refused, not taken for a citizen.
    let forged = app
        .client
        .post(app.url("/api/v1/responses"))
        .bearer_auth(format!("ydan_{}", "0".repeat(48)))
        .json(&json!({"counter": c1, "answers": {"II.A1": 5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(app.count("response").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_counts_only_for_its_own_units() {
    let app = TestApp::spawn().await;
    let (key, _) = services::tickets::create_api_key_cli(&app.db, "P.D", "Sở").await.unwrap();
    let send = |counter: String| {
        app.client
            .post(app.url("/api/v1/responses"))
            .bearer_auth(&key)
            .json(&json!({"counter": counter, "answers": {"II.A1": 5}}))
            .send()
    };
    assert_eq!(send(app.fixture.d1.clone()).await.unwrap().status(), 201, "its own counter");
    let other = send(app.fixture.c1.clone()).await.unwrap();
    assert_eq!(other.status(), 403, "a sibling unit's counter");
    assert_eq!(body(other).await["code"], "forbidden");
    assert_eq!(app.count("response").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_makes_a_retry_store_nothing() {
    let app = TestApp::spawn().await;
    let send = || {
        app.client
            .post(app.url("/api/v1/responses"))
            .header("idempotency-key", "tablet-7-000123")
            .bearer_auth(&app.system_key)
            .json(&json!({"counter": app.fixture.c1, "answers": {"II.A1": 4}}))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first = body(first).await;
    let second = send().await.unwrap();
    assert_eq!(second.status(), 200);
    let second = body(second).await;
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["duplicate"], true);
    assert_eq!(app.count("response").await, 1);
    assert_eq!(app.count("response_answer").await, 16);

    // The same key at another counter is another response.
    let other = app
        .client
        .post(app.url("/api/v1/responses"))
        .header("idempotency-key", "tablet-7-000123")
        .json(&json!({"counter": app.fixture.c2, "answers": {"II.A1": 4}}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_counter_is_404() {
    let app = TestApp::spawn().await;
    let res = app.post_json("/api/v1/responses", &json!({"counter": "khongtontai", "answers": {"II.A1": 5}})).await;
    assert_eq!(res.status(), 404);
    let v = body(res).await;
    assert_eq!(v["code"], "counter_not_found");
    assert!(v["message"].as_str().unwrap().contains("Không tìm thấy quầy"));
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_answers_get_422_with_one_error_per_field() {
    let app = TestApp::spawn().await;
    let res = app
        .post_json(
            "/api/v1/responses",
            &json!({"counter": app.fixture.c1, "channel": "sms",
                    "answers": {"II.A1": 6, "II.A2": 0, "II.A3": "5", "II.B1": 4.5, "II.Z9": 3, "II.C1": 5},
                    "comment": "x".repeat(2001), "procedure": "KHONG.CO", "rating": 5}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let v = body(res).await;
    assert_eq!(v["code"], "validation_failed");
    let fields = field_codes(&v);
    for expected in [
        ("answers.II.A1", "rating_out_of_range"),
        ("answers.II.A2", "rating_out_of_range"),
        ("answers.II.A3", "not_a_rating"),
        ("answers.II.B1", "not_a_rating"),
        ("answers.II.Z9", "unknown_criterion"),
        ("channel", "unknown_channel"),
        ("comment", "comment_too_long"),
        ("procedure", "unknown_procedure"),
        ("rating", "unknown_field"),
    ] {
        assert!(fields.contains(&(expected.0.to_owned(), expected.1.to_owned())), "{expected:?} in {fields:?}");
    }
    assert_eq!(app.count("response").await, 0);
    assert_eq!(app.count("response_answer").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_few_answers_and_missing_fields_are_422() {
    let app = TestApp::spawn().await;
    let res = app.post_json("/api/v1/responses", &json!({"counter": app.fixture.c1, "answers": {"II.A1": null}})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(field_codes(&body(res).await), [("answers".to_owned(), "too_few_answers".to_owned())]);

    let res = app.post_json("/api/v1/responses", &json!({"answers": {"II.A1": 5}})).await;
    assert_eq!(res.status(), 422);
    assert!(field_codes(&body(res).await).contains(&("counter".to_owned(), "required".to_owned())));

    let res = app.post_json("/api/v1/responses", &json!({"counter": app.fixture.c1, "answers": [5, 4]})).await;
    assert_eq!(res.status(), 422);
    assert!(field_codes(&body(res).await).contains(&("answers".to_owned(), "wrong_type".to_owned())));
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_400_and_a_wrong_content_type_415() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/v1/responses");
    for bad in [r#"{"counter": "#, "[1, 2]", "null", ""] {
        let res = app.client.post(&url).header("content-type", "application/json").body(bad).send().await.unwrap();
        assert_eq!(res.status(), 400, "{bad:?}");
        assert_eq!(body(res).await["code"], "invalid_json");
    }
    let form = app.client.post(&url).header("content-type", "application/x-www-form-urlencoded").body("a=b");
    let res = form.send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(body(res).await["code"], "unsupported_media_type");
    let res = app.client.post(&url).body(r#"{"counter":"x"}"#).send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn().await;
    let big = json!({"counter": app.fixture.c1, "answers": {"II.A1": 5}, "comment": "a".repeat(70_000)});
    let res = app.post_json("/api/v1/responses", &big).await;
    assert_eq!(res.status(), 413);
    assert_eq!(body(res).await["code"], "payload_too_large");
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_follow_accept_language() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/responses"))
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({"counter": app.fixture.c1, "answers": {"II.A1": 7}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-language"], "en");
    let v = body(res).await;
    assert_eq!(v["message"], "Some fields are not valid.");
    assert_eq!(v["fields"][0]["message"], "The answer must be between 1 and 5.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_routes_and_methods_answer_in_json() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/nothing-here").await;
    assert_eq!(res.status(), 404);
    assert_eq!(body(res).await["code"], "not_found");
    let res = app.get("/api/v1/responses").await;
    assert_eq!(res.status(), 405);
    assert_eq!(body(res).await["code"], "method_not_allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agency_tree_lists_units_kinds_and_counters() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/agencies").await;
    assert_eq!(res.status(), 200);
    let v = body(res).await;
    let roots = v["agencies"].as_array().unwrap();
    assert_eq!(roots.len(), 1);
    let p = &roots[0];
    assert_eq!(p["code"], "P");
    assert_eq!(p["kind"], "province");
    assert_eq!(p["name_vi"], "Tỉnh Thử Nghiệm");
    assert_eq!(p["name_en"], "Test Province");
    let kids: Vec<&str> = p["children"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(kids, ["P.C", "P.D", "P.X"]);
    let centre = &p["children"][0];
    assert_eq!(centre["kind"], "service_centre");
    let counters: Vec<&str> =
        centre["counters"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(counters.contains(&app.fixture.c1.as_str()) && counters.contains(&app.fixture.c2.as_str()));
    assert_eq!(p["children"][2]["children"][0]["counters"][0]["code"], app.fixture.x1.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_check_reports_the_database() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(body(res).await, json!({"status": "ok", "database": "ok"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_gives_503_not_500_and_stores_nothing() {
    let app = TestApp::spawn().await;
    // Warm the questionnaire cache, then lose the database.
    assert_eq!(app.get(&format!("/s/{}", app.fixture.c1)).await.status(), 200);
    app.db.clone().close().await.unwrap();
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let res = app.post_json("/api/v1/responses", &json!({"counter": app.fixture.c1, "answers": {"II.A1": 5}})).await;
    assert_eq!(res.status(), 503);
    assert_eq!(body(res).await["code"], "database_unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_served() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), 200);
    let v = body(res).await;
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    assert!(v["paths"]["/responses"]["post"].is_object());
    assert!(v["paths"]["/agencies/{code}/sipas"]["get"].is_object());
    assert!(v["paths"]["/tickets"]["post"].is_object());
    assert!(v["paths"]["/kiosk/{counter}"]["post"].is_object());
}

/// Found by Schemathesis (scripts/api-check.sh): a NUL (`%00`) in an API address was refused
/// with a bilingual text/plain 400, not the JSON error body the OpenAPI document promises.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_in_an_api_address_is_refused_with_the_json_error_in_the_callers_language() {
    let app = TestApp::spawn().await;
    for (lang, path, word) in [
        ("en", "/api/v1/agencies/P/sipas?questionnaire=a%00b", "invalid character"),
        ("vi", "/api/v1/agencies/P%00/sipas", "không hợp lệ"),
        ("en", "/api/v1/responses?x=%00", "invalid character"),
    ] {
        let res = app.client.get(app.url(path)).header("accept-language", lang).send().await.unwrap();
        assert_eq!(res.status(), 400, "{path}");
        assert_eq!(res.headers()["content-type"], "application/json", "{path}");
        assert_eq!(res.headers()["content-language"], lang, "{path}");
        let v = body(res).await;
        assert_eq!(v["code"], "invalid_address", "{path}");
        assert!(v["message"].as_str().unwrap().contains(word), "{path}: {v}");
    }
    // Outside the API the refusal stays as it was (a 400 before any handler).
    assert_eq!(app.get("/lang/en?next=/%00").await.status(), 400);
}
