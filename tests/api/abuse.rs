//! Abuse resistance (issue 12): sign-in throttling that parallel guesses cannot outrun and that
//! nobody can use to lock a colleague out, redirect targets, server functions' statuses, text
//! that would break the database, idempotency keys, staff lists and questionnaire namespaces.

use app::{
    domain::accounts::Role,
    error::ErrorCode,
    server::services::{
        agencies::{self, NewAgency},
        auth,
    },
};
use serde_json::{Value, json};
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
