//! `GET /api/v1/agencies/{code}/sipas`: indices recomputed by hand from the answers sent.

use crate::CRITERIA;
use domain::sipas::{CriterionDef, ElementDef, GroupDef, Structure, Tally, pooled};
use serde_json::{Value, json};
use ydan_tests::TestApp;

async fn submit(app: &TestApp, counter: &str, answers: Value) {
    let res = app.post_json_as_system("/api/v1/responses", &json!({"counter": counter, "answers": answers})).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
}

/// The index as staff of the province see it (with the breakdown).
async fn sipas(app: &TestApp, code: &str, query: &str) -> (u16, Value) {
    let viewer = app.province_viewer().await;
    sipas_as(app, Some(&viewer.cookie), code, query).await
}

async fn sipas_as(app: &TestApp, cookie: Option<&str>, code: &str, query: &str) -> (u16, Value) {
    let mut req = app.client.get(app.url(&format!("/api/v1/agencies/{code}/sipas{query}")));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-6)
}

fn by_code<'a>(list: &'a Value, code: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|e| e["code"] == code).unwrap()
}

/// Wilson 95% interval, written out independently of the product's code.
fn wilson(satisfied: f64, n: f64) -> (f64, f64) {
    let z: f64 = 1.959_963_984_540_054;
    let p = satisfied / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z / d * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (100.0 * (c - h), 100.0 * (c + h))
}

/// Three responses at the provincial centre, one at the commune centre.
async fn known_answers(app: &TestApp) {
    let f = app.fixture.clone();
    submit(app, &f.c1, json!({"II.A1": 5, "II.A2": 4, "II.B1": 2})).await;
    submit(app, &f.c2, json!({"II.A1": 3, "II.A2": 5})).await;
    submit(app, &f.c1, json!({"II.A1": 4, "II.B1": 5, "II.C1": 1})).await;
    submit(app, &f.x1, json!({"II.A1": 1, "II.A2": 1})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_units_index_matches_the_hand_worked_figures() {
    let app = TestApp::spawn().await;
    known_answers(&app).await;
    let (status, v) = sipas(&app, "P.C", "").await;
    assert_eq!(status, 200);
    assert_eq!(v["agency"], "P.C");
    assert_eq!(v["rollup"], "pooled");
    // II.A1: 5, 3, 4 → 2 of 3. II.A2: 4, 5 → 2 of 2. II.B1: 2, 5 → 1 of 2. II.C1: 1 → 0 of 1.
    let a1 = by_code(&v["criteria"], "II.A1");
    assert!(close(&a1["index"], 200.0 / 3.0));
    assert_eq!(a1["n"], 3);
    let (lo, hi) = wilson(2.0, 3.0);
    assert!(close(&a1["ci95"][0], lo) && close(&a1["ci95"][1], hi), "{a1}");
    assert!(close(&by_code(&v["criteria"], "II.A2")["index"], 100.0));
    assert!(close(&by_code(&v["criteria"], "II.B1")["index"], 50.0));
    assert!(close(&by_code(&v["criteria"], "II.C1")["index"], 0.0));
    assert!(by_code(&v["criteria"], "II.A3")["index"].is_null(), "no data is null, not 0");
    // Elements: A = (66.67 + 100) / 2; B = 50; C = 0; D and E have no data.
    let a = by_code(&v["elements"], "II.A");
    assert!(close(&a["index"], 250.0 / 3.0));
    assert_eq!(a["n"], 3);
    assert_eq!(by_code(&v["elements"], "II.B")["n"], 2);
    assert!(by_code(&v["elements"], "II.D")["index"].is_null());
    assert_eq!(by_code(&v["elements"], "II.D")["n"], 0);
    // Overall = mean of the three elements with data.
    assert!(close(&v["index"], (250.0 / 3.0 + 50.0 + 0.0) / 3.0));
    assert_eq!(v["n"], 3);
    assert_eq!(v["low_sample"], true);
    let (lo, hi) = (v["ci95"][0].as_f64().unwrap(), v["ci95"][1].as_f64().unwrap());
    assert!(lo < v["index"].as_f64().unwrap() && v["index"].as_f64().unwrap() < hi);
    assert_eq!(v["elements"].as_array().unwrap().len(), 5);
    assert_eq!(v["criteria"].as_array().unwrap().len(), 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_rolls_up_pooled_or_as_the_mean_of_its_units() {
    let app = TestApp::spawn().await;
    known_answers(&app).await;
    // Pooled: II.A1 2 of 4 = 50; II.A2 2 of 3; A = 58.33; B = 50; C = 0.
    let (_, v) = sipas(&app, "P", "?rollup=pooled").await;
    assert!(close(&v["index"], (175.0 / 3.0 + 50.0 + 0.0) / 3.0), "{}", v["index"]);
    assert_eq!(v["n"], 4);
    // Mean of children: P.C = 44.44, P.X = 0 (its centre's two answers are 1), P.D has no data.
    let (_, v) = sipas(&app, "P", "?rollup=mean_of_children").await;
    assert_eq!(v["rollup"], "mean_of_children");
    assert!(close(&v["index"], (250.0 / 3.0 + 50.0) / 3.0 / 2.0), "{}", v["index"]);
    assert_eq!(v["n"], 4);
    assert!(close(&by_code(&v["elements"], "II.A")["index"], 250.0 / 3.0 / 2.0));
    // A unit without responses has no index.
    let (_, v) = sipas(&app, "P.D", "").await;
    assert!(v["index"].is_null() && v["ci95"].is_null());
    assert_eq!(v["n"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_gets_the_summary_and_staff_of_other_units_no_breakdown() {
    let app = TestApp::spawn().await;
    known_answers(&app).await;
    let (status, public) = sipas_as(&app, None, "P.C", "").await;
    assert_eq!(status, 200);
    assert!(close(&public["index"], (250.0 / 3.0 + 50.0 + 0.0) / 3.0));
    assert_eq!(public["n"], 3);
    assert!(public["ci95"].is_array());
    assert_eq!(public["breakdown"], "staff_only");
    assert_eq!(public["elements"], json!([]));
    assert_eq!(public["criteria"], json!([]));
    // A viewer of the sibling department sees no more than the public.
    app.create_user("so.tu.phap", "một mật khẩu đủ dài", domain::accounts::Role::Viewer, Some("P.D")).await;
    let sibling = app.sign_in("so.tu.phap", "một mật khẩu đủ dài").await;
    let (_, v) = sipas_as(&app, Some(&sibling.cookie), "P.C", "").await;
    assert_eq!(v["breakdown"], "staff_only");
    assert_eq!(v["criteria"], json!([]));
    let (_, own) = sipas_as(&app, Some(&sibling.cookie), "P.D", "").await;
    assert_eq!(own["breakdown"], "included");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_without_data_says_so() {
    let app = TestApp::spawn().await;
    known_answers(&app).await;
    let (status, v) = sipas(&app, "P", "?from=2020-01-01&to=2020-12-31").await;
    assert_eq!(status, 200);
    assert!(v["index"].is_null());
    assert_eq!(v["n"], 0);
    assert_eq!(v["from"], "2020-01-01");
    assert_eq!(v["to"], "2020-12-31");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queries_are_400_and_unknown_units_404() {
    let app = TestApp::spawn().await;
    for (query, code) in [
        ("?from=2026-05-02&to=2026-05-01", "invalid_period"),
        ("?from=2026-13-01", "invalid_date"),
        ("?to=yesterday", "invalid_date"),
        ("?rollup=median", "invalid_rollup"),
    ] {
        let (status, v) = sipas(&app, "P", query).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(v["code"], code, "{query}");
    }
    let (status, v) = sipas(&app, "NOPE", "").await;
    assert_eq!(status, 404);
    assert_eq!(v["code"], "agency_not_found");
}

/// Answers drawn from a fixed-seed generator: the index the database computes must equal the one
/// the engine computes from the same answers in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indices_from_the_database_equal_the_engine_on_the_raw_answers() {
    let app = TestApp::spawn().await;
    let structure = Structure {
        groups: vec![GroupDef {
            code: "II".into(),
            weight: 1.0,
            elements: ["II.A", "II.B", "II.C", "II.D", "II.E"]
                .iter()
                .map(|e| ElementDef {
                    code: (*e).into(),
                    weight: 1.0,
                    criteria: CRITERIA
                        .iter()
                        .filter(|c| c.starts_with(e))
                        .map(|c| CriterionDef { code: (*c).into(), weight: 1.0, scale: Default::default() })
                        .collect(),
                })
                .collect(),
        }],
    };
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut expected = Tally::default();
    let counters = [app.fixture.c1.clone(), app.fixture.c2.clone(), app.fixture.d1.clone(), app.fixture.x1.clone()];
    for _ in 0..60 {
        let mut answers = serde_json::Map::new();
        let mut given = std::collections::HashMap::new();
        for code in CRITERIA {
            if next() % 4 != 0 {
                let v = (next() % 5 + 1) as u8;
                answers.insert(code.into(), json!(v));
                given.insert(code, v);
            }
        }
        if given.is_empty() {
            answers.insert("II.A1".into(), json!(3));
            given.insert("II.A1", 3);
        }
        submit(&app, &counters[(next() % 4) as usize], Value::Object(answers)).await;
        expected.add_response(&structure, |c| given.get(c).copied());
    }
    let report = pooled(&structure, &expected, 30);
    let (_, v) = sipas(&app, "P", "").await;
    assert!(close(&v["index"], report.overall.index.unwrap()));
    assert_eq!(v["n"], report.overall.n);
    for s in &report.criteria {
        let got = by_code(&v["criteria"], &s.code);
        assert_eq!(got["n"], s.estimate.n, "{}", s.code);
        match s.estimate.index {
            Some(i) => assert!(close(&got["index"], i), "{}", s.code),
            None => assert!(got["index"].is_null()),
        }
    }
    for s in &report.elements {
        assert_eq!(by_code(&v["elements"], &s.code)["n"], s.estimate.n, "{}", s.code);
    }
}
