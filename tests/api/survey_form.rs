//! The citizen's survey through the HTML form, as a phone without JavaScript sends it.

use crate::CRITERIA;
use ydan_tests::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survey_page_shows_the_unit_the_counter_and_all_sixteen_criteria_in_vietnamese() {
    let app = TestApp::spawn().await;
    let res = app.get(&format!("/s/{}", app.fixture.c1)).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="vi""#));
    assert!(html.contains("Trung tâm Phục vụ hành chính công tỉnh"));
    assert!(html.contains("Quầy 1 – Hộ tịch"));
    assert!(html.contains("Đánh giá mức độ hài lòng"));
    for code in CRITERIA {
        assert!(html.contains(&format!(r#"id="q-{code}""#)), "{code} missing");
        // Every radio button has a label tied to it.
        for v in 1..=5 {
            assert!(html.contains(&format!(r#"for="{code}-{v}""#)) && html.contains(&format!(r#"id="{code}-{v}""#)));
        }
    }
    assert_eq!(html.matches(r#"type="radio""#).count(), 16 * 6);
    assert!(html.contains("Rất không hài lòng") && html.contains("Rất hài lòng"));
    assert!(html.contains(r#"<form method="post" action="/s/"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_sets_a_lasting_cookie_and_the_page_turns_english() {
    let app = TestApp::spawn().await;
    let page = format!("/s/{}", app.fixture.c1);
    let res = app.get(&format!("/lang/en?next={page}")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], page.as_str());
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("ydan_lang=en;") && cookie.contains("Max-Age=31536000"), "{cookie}");

    let html =
        app.client.get(app.url(&page)).header("cookie", "ydan_lang=en").send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("How satisfied are you?"));
    assert!(html.contains("Very satisfied"));
    assert!(html.contains("Provincial Service Centre"));
    assert!(html.contains("Tiếng Việt"), "a way back to Vietnamese");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_never_redirects_to_another_site() {
    let app = TestApp::spawn().await;
    for next in ["//evil.example/x", "https://evil.example"] {
        let res = app.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(res.headers()["location"], "/");
    }
    assert_eq!(app.get("/lang/fr").await.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_counter_gets_a_friendly_404_page() {
    let app = TestApp::spawn().await;
    for code in ["zzzzzzzzzz", "Không-có", "a"] {
        let res = app.get(&format!("/s/{code}")).await;
        assert_eq!(res.status(), 404, "{code}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Không tìm thấy"), "{code}");
        assert!(html.contains(r#"href="/""#));
    }
    let res = app.post_form("zzzzzzzzzz", &[("II.A1", "5")]).await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submitted_form_is_stored_once_and_leads_to_the_thank_you_page() {
    let app = TestApp::spawn().await;
    let c1 = app.fixture.c1.clone();
    let res = app
        .post_form(
            &c1,
            &[
                ("form_token", "0123456789abcdef"),
                ("II.A1", "5"),
                ("II.A2", "4"),
                ("II.B1", "2"),
                ("II.C1", ""),
                ("procedure", "T.001"),
                ("comment", "  Cán bộ hướng dẫn tận tình.  "),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/s/{c1}/cam-on").as_str());
    assert_eq!(app.count("response").await, 1);
    assert_eq!(app.count("response_answer").await, 16, "one row per criterion, answered or not");

    let row = app.row("SELECT channel, comment, device_hash, ua_class, procedure_id FROM response").await;
    assert_eq!(row.try_get::<String>("", "channel").unwrap(), "qr");
    assert_eq!(row.try_get::<String>("", "comment").unwrap(), "Cán bộ hướng dẫn tận tình.");
    assert_eq!(row.try_get::<String>("", "ua_class").unwrap(), "mobile");
    let hash = row.try_get::<String>("", "device_hash").unwrap();
    assert_eq!(hash.len(), 32);
    assert!(!hash.contains("127.0.0.1"), "the address itself is never stored");
    assert!(row.try_get::<Option<i64>>("", "procedure_id").unwrap().is_some());

    let answered = app.row("SELECT COUNT(*) AS n, SUM(value) AS s FROM response_answer WHERE value IS NOT NULL").await;
    assert_eq!(answered.try_get::<i64>("", "n").unwrap(), 3);
    assert_eq!(answered.try_get::<i64>("", "s").unwrap(), 11);

    let thanks = app.get(&format!("/s/{c1}/cam-on")).await;
    assert_eq!(thanks.status(), 200);
    assert!(thanks.text().await.unwrap().contains("Cảm ơn ông/bà!"));

    // The same form again (double tap, or back and send): nothing new is stored.
    let again = app.post_form(&c1, &[("form_token", "0123456789abcdef"), ("II.A1", "5")]).await;
    assert_eq!(again.status(), 303);
    assert_eq!(app.count("response").await, 1);
    assert_eq!(app.count("response_answer").await, 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_answers_come_back_marked_with_every_answer_kept_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let long = "ô".repeat(2001);
    let res = app
        .post_form(
            &app.fixture.c1,
            &[
                ("form_token", "feedfacefeedface"),
                ("II.A1", "9"),
                ("II.A2", "4"),
                ("II.B3", "năm"),
                ("procedure", "KHONG.CO"),
                ("comment", &long),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Phiếu chưa gửi được"));
    assert!(html.contains("Câu trả lời phải từ 1 đến 5."));
    assert!(html.contains("Câu trả lời phải là số thứ tự của một lựa chọn (1, 2, 3…)."));
    assert!(html.contains("Không có thủ tục hành chính với mã này."));
    assert!(html.contains("Góp ý dài quá 2000 ký tự"));
    // The valid answer and the comment are still there, and the form keeps its token.
    assert!(html.contains(r#"id="II.A2-4" name="II.A2" value="4" checked"#), "answer kept");
    assert!(html.contains(&long), "comment kept");
    assert!(html.contains(r#"value="feedfacefeedface""#));
    assert!(html.contains(r#"aria-describedby="err-II.A1""#));
    assert_eq!(app.count("response").await, 0);
    assert_eq!(app.count("response_answer").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_any_answer_asks_for_one() {
    let app = TestApp::spawn().await;
    let res = app.post_form(&app.fixture.c1, &[("form_token", "t1"), ("II.A1", ""), ("comment", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Xin trả lời ít nhất 1 câu."));
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_with_the_wrong_content_type_or_too_big_is_refused() {
    let app = TestApp::spawn().await;
    let url = app.url(&format!("/s/{}", app.fixture.c1));
    let res = app.client.post(&url).header("content-type", "text/plain").body("II.A1=5").send().await.unwrap();
    assert_eq!(res.status(), 415);
    let huge = format!("II.A1=5&comment={}", "a".repeat(100_000));
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // The citizen sees the survey again, told in Vietnamese what went wrong.
    let html = res.text().await.unwrap();
    assert!(html.contains("Nội dung gửi lên quá lớn"), "explained");
    assert!(html.contains("Đánh giá mức độ hài lòng"), "the survey is shown again");
    assert_eq!(app.count("response").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_shown_in_english_to_english_readers() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url(&format!("/s/{}", app.fixture.c1)))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", "ydan_lang=en")
        .body("II.A1=0")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("The answer must be between 1 and 5."));
    assert!(html.contains("Your rating was not sent yet."));
}
