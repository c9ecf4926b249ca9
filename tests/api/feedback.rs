//! Feedback and complaints: the resident's form with photos, the private tracking page, the
//! officers' workflow with working-day deadlines, escalation and apology, notifications
//! (outbox, and a real SMTP server on loopback), public disclosure and moderation.

use domain::accounts::Role;
use services::state::Settings;
use std::time::Duration;
use ydan_tests::{TestApp, smtp_sink::SmtpSink};

pub(crate) const PW: &str = "một mật khẩu đủ dài";

/// A photo as a phone would send it: a JPEG with an EXIF block holding a GPS position and the
/// phone's name, which must never be stored.
fn phone_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let payload = b"Exif\0\0MM\0*\0\0\0\x08GPS 20.9500N 107.0800E SECRET-PHONE-MODEL";
    let len = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A PNG whose header claims 60,000 × 60,000 pixels: a decompression bomb.
fn bomb_png() -> Vec<u8> {
    let mut img = Vec::new();
    image::DynamicImage::ImageLuma8(image::GrayImage::new(8, 8))
        .write_to(&mut std::io::Cursor::new(&mut img), image::ImageFormat::Png)
        .unwrap();
    // IHDR starts at byte 16: width, height, then the chunk's CRC at 29..33.
    img[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    img[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&img[12..29]);
    img[29..33].copy_from_slice(&crc.to_be_bytes());
    img
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub(crate) fn jpeg(name: &str) -> (&'static str, String, &'static str, Vec<u8>) {
    ("photos", name.to_owned(), "image/jpeg", phone_photo())
}

/// The fields of a valid on-site report to the commune P.X.
pub(crate) fn on_site(description: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", "on_site".into()),
        ("category", "ha-tang-giao-thong".into()),
        ("agency", "P.X".into()),
        ("description", description.into()),
        ("address", "Ngã ba thôn Đông, xã Thử".into()),
        ("name", "Nguyễn Văn An".into()),
        ("phone", "0912 345 678".into()),
        ("email", "an.nguyen@example.vn".into()),
        ("consent", "1".into()),
    ]
}

pub(crate) async fn send(
    app: &TestApp,
    fields: &[(&'static str, String)],
    files: &[(&'static str, String, &'static str, Vec<u8>)],
) -> reqwest::Response {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let files: Vec<(&str, &str, &str, Vec<u8>)> =
        files.iter().map(|(n, f, m, b)| (*n, f.as_str(), *m, b.clone())).collect();
    app.post_multipart("/gop-y", &f, &files).await
}

/// Sends a valid report and returns (tracking code, private key).
pub(crate) async fn file_case(app: &TestApp, description: &str) -> (String, String) {
    let res = send(app, &on_site(description), &[jpeg("a.jpg")]).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let rest = location.strip_prefix("/gop-y/da-gui/").expect("the page after sending");
    let (code, key) = rest.split_once("?k=").unwrap();
    (code.to_owned(), key.to_owned())
}

pub(crate) async fn officer(app: &TestApp, login: &str, unit: &str) -> ydan_tests::Browser {
    app.create_user(login, PW, Role::Officer, Some(unit)).await;
    app.sign_in(login, PW).await
}

pub(crate) async fn act(
    app: &TestApp,
    b: &ydan_tests::Browser,
    code: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all = vec![("csrf", b.csrf.as_str())];
    all.extend_from_slice(fields);
    app.post_as(&b.cookie, &format!("/pakn/{code}"), &all).await
}

async fn status_of(app: &TestApp, code: &str) -> String {
    app.row(&format!("SELECT status FROM feedback_case WHERE tracking_code = '{code}'"))
        .await
        .try_get("", "status")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_files_a_report_with_a_photo_and_follows_it_privately() {
    let app = TestApp::spawn().await;
    let form = app.get("/gop-y").await;
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    for needle in [
        r#"enctype="multipart/form-data""#,
        r#"name="kind""#,
        r#"name="photos""#,
        r#"name="consent""#,
        "Tôi không biết",
    ] {
        assert!(html.contains(needle), "{needle}");
    }

    let (code, key) = file_case(&app, "Ổ gà lớn giữa đường, xe máy dễ ngã.").await;
    assert!(domain::cases::is_tracking_code(&code), "{code}");
    assert!(code.ends_with(".0001"), "the first case of the day: {code}");
    assert_eq!(app.count("feedback_case").await, 1);
    assert_eq!(app.count("case_photo").await, 1);

    // Metadata is gone from what was stored.
    let row = app.row("SELECT jpeg, thumb FROM case_photo").await;
    let stored: Vec<u8> = row.try_get("", "jpeg").unwrap();
    let text = String::from_utf8_lossy(&stored);
    assert!(!text.contains("SECRET-PHONE-MODEL") && !text.contains("GPS 20.95"), "EXIF must be stripped");
    assert_eq!(&stored[..2], &[0xFF, 0xD8]);

    // The page after sending and the private link.
    let sent = app.get(&format!("/gop-y/da-gui/{code}?k={key}")).await.text().await.unwrap();
    assert!(sent.contains(&code) && sent.contains(&format!("/gop-y/theo-doi/{code}?k={key}")));
    let page = app.get(&format!("/gop-y/theo-doi/{code}?k={key}")).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Chờ tiếp nhận") && page.contains("Ổ gà lớn"), "status and description");
    assert!(page.contains("ngày làm việc") || page.contains("đến hạn hôm nay"), "a working-day countdown");

    // The photo: to the resident with the key, to nobody else before publication.
    let photo_id: i64 = app.row("SELECT id FROM case_photo").await.try_get("", "id").unwrap();
    let mine = app.get(&format!("/gop-y/anh/{photo_id}/nho?k={key}")).await;
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.headers()["content-type"], "image/jpeg");
    assert_eq!(app.get(&format!("/gop-y/anh/{photo_id}")).await.status(), 404);

    // A forged key, an unknown code and a malformed one all look the same: 404.
    let last = if key.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &key[..key.len() - 1]);
    assert_eq!(app.get(&format!("/gop-y/theo-doi/{code}?k={forged}")).await.status(), 404);
    assert_eq!(app.get(&format!("/gop-y/theo-doi/PAKN.20200101.9999?k={key}")).await.status(), 404);
    assert_eq!(app.get(&format!("/gop-y/theo-doi/not-a-code?k={key}")).await.status(), 404);

    // No mail server configured: the receipt is kept in the outbox, not dropped.
    let mail = app.row("SELECT to_address, purpose, status, subject FROM outbox").await;
    assert_eq!(mail.try_get::<String>("", "to_address").unwrap(), "", "read from the case when sent");
    assert_eq!(mail.try_get::<String>("", "purpose").unwrap(), "receipt");
    assert_eq!(mail.try_get::<String>("", "status").unwrap(), "kept");
    assert!(mail.try_get::<String>("", "subject").unwrap().contains(&code));
}

/// The officer's action forms on a case page, in order: (action, open).
fn action_forms(page: &str) -> Vec<(&str, bool)> {
    page.split("<details")
        .skip(1)
        .filter_map(|form| {
            let head = &form[..form.find('>')?];
            if !head.contains(r#"class="action-form""#) {
                return None;
            }
            let at = form.find(r#"name="action" value=""#)? + r#"name="action" value=""#.len();
            Some((&form[at..at + form[at..].find('"')?], head.contains(" open")))
        })
        .collect()
}

fn open_action(page: &str) -> Option<&str> {
    action_forms(page).into_iter().find(|(_, open)| *open).map(|(a, _)| a)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejecting_or_closing_a_case_needs_a_ticked_confirmation() {
    let app = TestApp::spawn().await;
    let (code, _) = file_case(&app, "Nắp cống bị vỡ.").await;
    let x = officer(&app, "can.bo.xa", "P.X").await;
    let reject = [("action", "reject"), ("public_note", "Không thuộc thẩm quyền của xã.")];
    // Without the confirmation: refused with the reason, nothing changes.
    let res = act(&app, &x, &code, &reject).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("đánh dấu ô xác nhận"), "says what to do");
    assert_eq!(status_of(&app, &code).await, "submitted");
    // Ticked: rejected.
    let res = act(&app, &x, &code, &[reject[0], reject[1], ("confirm", "1")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &code).await, "rejected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_reports_get_clear_errors_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let with = |changes: &[(&'static str, &str)]| {
        let mut f = on_site("Đèn đường hỏng cả tuần nay.");
        for (k, v) in changes {
            f.retain(|(name, _)| name != k);
            f.push((*k, (*v).to_owned()));
        }
        f
    };
    let long = "x".repeat(4_001);
    type Fields = Vec<(&'static str, String)>;
    type Files = Vec<(&'static str, String, &'static str, Vec<u8>)>;
    let cases: Vec<(Fields, Files, &str)> = vec![
        (with(&[("description", "   ")]), vec![jpeg("a.jpg")], "description"),
        (with(&[("description", &long)]), vec![jpeg("a.jpg")], "4000"),
        (with(&[]), vec![], "ít nhất một ảnh"),
        (with(&[]), vec![jpeg("1.jpg"), jpeg("2.jpg"), jpeg("3.jpg"), jpeg("4.jpg")], "tối đa 3"),
        (with(&[]), vec![("photos", "a.txt".into(), "image/jpeg", b"not an image at all".to_vec())], "không phải ảnh"),
        (with(&[]), vec![("photos", "bomb.png".into(), "image/png", bomb_png())], "điểm ảnh quá lớn"),
        (with(&[("agency", "KHONG.CO")]), vec![jpeg("a.jpg")], "agency"),
        (with(&[("category", "khong-co")]), vec![jpeg("a.jpg")], "lĩnh vực"),
        (with(&[("kind", "complaint")]), vec![jpeg("a.jpg")], "loại phản ánh"),
        (with(&[("address", "")]), vec![jpeg("a.jpg")], "địa điểm"),
        (with(&[("lat", "95"), ("lon", "200")]), vec![jpeg("a.jpg")], "Vị trí không hợp lệ"),
        (with(&[("consent", "")]), vec![jpeg("a.jpg")], "đồng ý"),
        (with(&[("email", "an@@example")]), vec![jpeg("a.jpg")], "thư điện tử"),
        (with(&[("phone", "12ab")]), vec![jpeg("a.jpg")], "điện thoại"),
    ];
    for (fields, files, expect) in cases {
        let res = send(&app, &fields, &files).await;
        assert_eq!(res.status(), 422, "expected a refusal mentioning {expect}");
        let html = res.text().await.unwrap();
        assert!(html.contains("error-summary"), "{expect}: the problems are listed");
        if expect != "agency" && expect != "description" {
            assert!(html.contains(expect), "{expect} not explained in: {}", &html[..html.len().min(400)]);
        }
        if expect == "description" {
            // The list of problems names the field, not just "required".
            assert!(html.contains("Nội dung phản ánh: Trường này là bắt buộc."), "the field is named");
        }
        // Only a resident who attached photos is asked to choose them again.
        assert_eq!(html.contains("xin chọn lại ảnh"), !files.is_empty(), "{expect}: photo notice");
        // What was typed is kept.
        assert!(html.contains("Ngã ba thôn Đông") || expect == "địa điểm");
    }
    // An oversized photo is refused before it is even read in full.
    let huge = vec![0xFFu8; 5 * 1024 * 1024 + 10];
    let res = send(&app, &with(&[]), &[("photos", "big.jpg".into(), "image/jpeg", huge)]).await;
    assert!(matches!(res.status().as_u16(), 413 | 422), "{}", res.status());
    assert_eq!(app.count("feedback_case").await, 0);
    assert_eq!(app.count("case_photo").await, 0);
    assert_eq!(app.count("outbox").await, 0);

    // Anonymous: contact details are not kept even when typed, and no consent is needed.
    let res = send(&app, &with(&[("anonymous", "1"), ("consent", "")]), &[jpeg("a.jpg")]).await;
    assert_eq!(res.status(), 303);
    let row = app.row("SELECT contact_name, contact_email, contact_phone, anonymous FROM feedback_case").await;
    assert!(row.try_get::<Option<String>>("", "contact_name").unwrap().is_none());
    assert!(row.try_get::<Option<String>>("", "contact_email").unwrap().is_none());
    assert!(row.try_get::<Option<String>>("", "contact_phone").unwrap().is_none());
    assert_eq!(app.count("outbox").await, 0, "nobody to write to");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_handle_a_case_to_publication_and_the_resident_rates_it() {
    let app = TestApp::spawn().await;
    let (code, key) = file_case(&app, "Rác tồn đọng ở chợ xã, bốc mùi.").await;
    let x = officer(&app, "can.bo.xa", "P.X").await;
    let sibling = officer(&app, "can.bo.so", "P.D").await;

    // The inbox of the commune lists it with a countdown; the sibling's does not.
    let inbox = app.get_as(&x.cookie, "/pakn").await.text().await.unwrap();
    assert!(inbox.contains(&code));
    assert!(!app.get_as(&sibling.cookie, "/pakn").await.text().await.unwrap().contains(&code));
    assert_eq!(app.get_as(&sibling.cookie, &format!("/pakn/{code}")).await.status(), 404);
    let res = act(&app, &sibling, &code, &[("action", "receive")]).await;
    assert_eq!(res.status(), 404, "another agency's officer cannot act");
    assert_eq!(status_of(&app, &code).await, "submitted");

    // The officer sees the contact details the resident gave.
    let page = app.get_as(&x.cookie, &format!("/pakn/{code}")).await.text().await.unwrap();
    assert!(page.contains("an.nguyen@example.vn") && page.contains("Nguyễn Văn An"));
    // The history names who filed it in the page's language, not by an internal code.
    let history = &page[page.find("class=\"history\"").expect("the case's history")..];
    let history = &history[..history.find("</ol>").unwrap()];
    // ("Người dân gửi phản ánh" by "Người dân")
    assert!(history.matches("Người dân").count() == 2 && !history.contains("citizen"), "{history}");

    // A new case offers receiving as the step open on the page.
    assert_eq!(open_action(&page), Some("receive"), "receiving is not the step offered first");

    // Not allowed yet: 409 and nothing changes.
    let res = act(&app, &x, &code, &[("action", "publish")]).await;
    assert_eq!(res.status(), 409);
    // An answer needs text.
    assert_eq!(act(&app, &x, &code, &[("action", "receive")]).await.status(), 303);
    assert_eq!(act(&app, &x, &code, &[("action", "answer"), ("public_note", " ")]).await.status(), 422);
    // Once received, the form open is the answer's (an officer who types a reply presses
    // "Trả lời"); rejecting has its own form, last, closed, with a confirmation to tick.
    let page = app.get_as(&x.cookie, &format!("/pakn/{code}")).await.text().await.unwrap();
    assert_eq!(open_action(&page), Some("answer"));
    assert_eq!(action_forms(&page).last().map(|(a, _)| *a), Some("reject"), "reject is not last");
    assert!(action_forms(&page).iter().all(|(a, open)| !open || *a == "answer"), "only one form is open");
    let confirm = &page[page.find(r#"id="reject-confirm""#).expect("a confirmation for rejecting")..];
    let confirm = &confirm[..confirm.find('>').unwrap()];
    assert!(confirm.contains(r#"name="confirm""#) && confirm.contains("required"), "{confirm}");
    let me: i64 = app.row("SELECT id FROM app_user WHERE login = 'can.bo.xa'").await.try_get("", "id").unwrap();
    let me = me.to_string();
    assert_eq!(act(&app, &x, &code, &[("action", "assign"), ("handler", &me)]).await.status(), 303);
    assert_eq!(
        act(
            &app,
            &x,
            &code,
            &[
                ("action", "answer"),
                ("public_note", "Đã thu gom rác và bố trí lịch thu hằng ngày."),
                ("internal_note", "Đội vệ sinh xử lý sáng 22/11.")
            ]
        )
        .await
        .status(),
        303
    );
    // Not public before publication.
    assert!(!app.get("/cong-khai").await.text().await.unwrap().contains(&code));
    assert_eq!(act(&app, &x, &code, &[("action", "publish")]).await.status(), 303);
    assert_eq!(status_of(&app, &code).await, "published");

    // Published: no personal data, no internal note.
    let public = app.get("/cong-khai").await.text().await.unwrap();
    assert!(public.contains(&code) && public.contains("Đã thu gom rác"));
    for secret in ["an.nguyen@example.vn", "Nguyễn Văn An", "0912345678", "Đội vệ sinh"] {
        assert!(!public.contains(secret), "{secret} must not be public");
    }
    // The resident's page shows the answer and the history; internal notes stay internal.
    let track = app.get(&format!("/gop-y/theo-doi/{code}?k={key}")).await.text().await.unwrap();
    assert!(track.contains("Đã thu gom rác") && !track.contains("Đội vệ sinh"));
    let history: i64 = app.count("case_event").await;
    assert_eq!(history, 5, "submit, receive, assign, answer, publish");

    // The resident rates, then reopens once; a second reopening is refused.
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let code = code.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.client
                .post(app.url(&format!("/gop-y/theo-doi/{code}")))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(ydan_tests::serde_urlencoded_pairs(&f))
                .send()
                .await
                .unwrap()
        }
    };
    let res = post(vec![("k", "0".repeat(32)), ("action", "rate".into()), ("rating", "satisfied".into())]).await;
    assert_eq!(res.status(), 404, "a forged key acts on nothing");
    let res = post(vec![("k", key.clone()), ("action", "rate".into()), ("rating", "not_satisfied".into())]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &code).await, "rated");
    let res = post(vec![("k", key.clone()), ("action", "reopen".into()), ("text", "".into())]).await;
    assert_eq!(res.status(), 422, "a reason is needed");
    let res =
        post(vec![("k", key.clone()), ("action", "reopen".into()), ("text", "Rác lại đầy sau hai ngày.".into())]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &code).await, "reopened");
    assert_eq!(
        act(&app, &x, &code, &[("action", "answer"), ("public_note", "Tăng lên hai lần thu mỗi ngày.")]).await.status(),
        303
    );
    assert_eq!(act(&app, &x, &code, &[("action", "publish")]).await.status(), 303);
    let res = post(vec![("k", key.clone()), ("action", "reopen".into()), ("text", "Vẫn chưa ổn.".into())]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(status_of(&app, &code).await, "published");

    // The figures count it: received 1, answered 1, not satisfied → satisfaction 0%.
    let public = app.get("/cong-khai").await.text().await.unwrap();
    assert!(public.contains("Xã Thử"));
    assert!(public.contains("0,0%"), "rated not satisfied and reopened: 766 measure 5.3 is 0%");

    // Moderation: hide the photo, then the whole case, with reasons; never deleted.
    let photo: i64 = app.row("SELECT id FROM case_photo").await.try_get("", "id").unwrap();
    assert_eq!(app.get(&format!("/gop-y/anh/{photo}")).await.status(), 200, "public once published");
    let p = photo.to_string();
    assert_eq!(
        act(&app, &x, &code, &[("action", "hide_photo"), ("photo", &p), ("reason", "Có biển số xe")]).await.status(),
        303
    );
    assert_eq!(app.get(&format!("/gop-y/anh/{photo}")).await.status(), 404);
    assert_eq!(act(&app, &x, &code, &[("action", "hide"), ("reason", "")]).await.status(), 422);
    assert_eq!(act(&app, &x, &code, &[("action", "hide"), ("reason", "Lời lẽ xúc phạm")]).await.status(), 303);
    assert!(!app.get("/cong-khai").await.text().await.unwrap().contains(&code));
    assert_eq!(app.count("feedback_case").await, 1);
    assert_eq!(app.count("case_photo").await, 1);
    let audited: i64 = app
        .row("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('hide', 'hide_photo')")
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(audited, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conduct_complaints_go_to_the_parent_and_forwarding_restarts_the_clock() {
    let app = TestApp::spawn().await;
    // About an official of the commune's service centre P.X.C: handled by the commune P.X.
    let mut fields = on_site("Cán bộ quầy tổng hợp gây khó dễ, đòi thêm giấy tờ không cần thiết.");
    fields.retain(|(k, _)| *k != "kind" && *k != "agency");
    fields.push(("kind", "conduct".into()));
    fields.push(("agency", "P.X.C".into()));
    let res = send(&app, &fields, &[]).await;
    assert_eq!(res.status(), 303, "no photo needed for a conduct complaint");
    let code: String = app.row("SELECT tracking_code FROM feedback_case").await.try_get("", "tracking_code").unwrap();
    let centre = officer(&app, "can.bo.quay", "P.X.C").await;
    let commune = officer(&app, "can.bo.xa", "P.X").await;
    assert_eq!(app.get_as(&centre.cookie, &format!("/pakn/{code}")).await.status(), 404);
    assert_eq!(app.get_as(&commune.cookie, &format!("/pakn/{code}")).await.status(), 200);

    // Forwarding needs a reason and a real unit; then the receiving unit's clock starts.
    assert_eq!(act(&app, &commune, &code, &[("action", "forward"), ("target", "P.D")]).await.status(), 422);
    assert_eq!(
        act(&app, &commune, &code, &[("action", "forward"), ("target", "NOPE"), ("public_note", "x")]).await.status(),
        422
    );
    app.exec("UPDATE feedback_case SET clock_from = '2020-01-01 00:00:00+00:00'").await;
    let res = act(
        &app,
        &commune,
        &code,
        &[("action", "forward"), ("target", "P.D"), ("public_note", "Thuộc thẩm quyền Sở Tư pháp.")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let row = app.row("SELECT status, agency_id, clock_from FROM feedback_case").await;
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "forwarded");
    let clock: chrono::DateTime<chrono::Utc> = row.try_get("", "clock_from").unwrap();
    assert!(clock.timestamp() > 1_700_000_000, "the clock restarted at the forward");
    // Now the commune can no longer act on it.
    assert_eq!(act(&app, &commune, &code, &[("action", "receive")]).await.status(), 404);
    let department = officer(&app, "can.bo.so", "P.D").await;
    assert_eq!(act(&app, &department, &code, &[("action", "receive")]).await.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_deadline_is_flagged_escalated_and_apologised_for_once() {
    let app = TestApp::spawn().await;
    let (code, key) = file_case(&app, "Cống thoát nước bị tắc gây ngập.").await;
    // Two working days to receive it: pretend they have passed.
    app.exec("UPDATE feedback_case SET step_due_at = '2025-01-02 16:59:59+00:00'").await;
    let state = app.state().await;
    let n = services::cases::sweep_overdue(&state, chrono::Utc::now()).await.unwrap();
    assert_eq!(n, 1);
    let again = services::cases::sweep_overdue(&state, chrono::Utc::now()).await.unwrap();
    assert_eq!(again, 0, "handled once");
    let p: i64 = app.row("SELECT id FROM agency WHERE code = 'P'").await.try_get("", "id").unwrap();
    let escalated: Option<i64> =
        app.row("SELECT escalated_to_id FROM feedback_case").await.try_get("", "escalated_to_id").unwrap();
    assert_eq!(escalated, Some(p), "escalated to the parent unit");
    let apology = app.row("SELECT COUNT(*) AS n FROM outbox WHERE purpose = 'overdue_apology'").await;
    assert_eq!(apology.try_get::<i64>("", "n").unwrap(), 1);
    let track = app.get(&format!("/gop-y/theo-doi/{code}?k={key}")).await.text().await.unwrap();
    assert!(track.contains("xin lỗi"), "the apology is on the tracking page");
    // The province's officer sees it in the inbox, marked as escalated, and may act on it
    // (the province's subtree holds the commune).
    let province = officer(&app, "can.bo.tinh", "P").await;
    let inbox = app.get_as(&province.cookie, "/pakn?overdue=1").await.text().await.unwrap();
    assert!(inbox.contains(&code));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_a_real_smtp_server() {
    let sink = SmtpSink::start().await;
    let smtp = services::mail::SmtpConfig::parse(&sink.url()).unwrap();
    let app = TestApp::spawn_with(Settings { smtp: Some(smtp), ..Default::default() }).await;
    let (code, _key) = file_case(&app, "Đèn tín hiệu giao thông không hoạt động.").await;
    let mail =
        sink.wait_for("an.nguyen@example.vn", &code, Duration::from_secs(20)).await.expect("the receipt arrived");
    assert!(mail.body().contains(&code) && mail.body().contains("/gop-y/theo-doi/"));
    // The worker marks the message sent once the relay has taken it.
    let mut status = String::new();
    for _ in 0..100 {
        status = app.row("SELECT status FROM outbox").await.try_get("", "status").unwrap();
        if status == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "sent");

    // The answer, once published, is mailed too.
    let x = officer(&app, "can.bo.xa", "P.X").await;
    act(&app, &x, &code, &[("action", "receive")]).await;
    act(&app, &x, &code, &[("action", "answer"), ("public_note", "Đã sửa đèn tín hiệu.")]).await;
    act(&app, &x, &code, &[("action", "publish")]).await;
    let answer =
        sink.wait_for("an.nguyen@example.vn", "Đã có trả lời", Duration::from_secs(20)).await.expect("answer mailed");
    assert!(answer.body().contains("Đã sửa đèn tín hiệu"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agencies_set_their_own_deadlines_and_only_system_administrators_edit_holidays() {
    let app = TestApp::spawn().await;
    app.create_user("qt.xa", PW, Role::AgencyAdmin, Some("P.X")).await;
    let admin = app.sign_in("qt.xa", PW).await;
    let res = app
        .post_as(
            &admin.cookie,
            "/quan-tri/pakn",
            &[
                ("csrf", &admin.csrf),
                ("action", "set_deadline"),
                ("unit", "P.X"),
                ("kind", "on_site"),
                ("step", "answer"),
                ("days", "5"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // Another agency's unit: refused.
    let res = app
        .post_as(
            &admin.cookie,
            "/quan-tri/pakn",
            &[("csrf", &admin.csrf), ("action", "set_deadline"), ("unit", "P.D"), ("step", "answer"), ("days", "5")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let (code, _) = file_case(&app, "Biển báo bị đổ.").await;
    let row =
        app.row(&format!("SELECT submitted_at, answer_due_at FROM feedback_case WHERE tracking_code = '{code}'")).await;
    let submitted: chrono::DateTime<chrono::Utc> = row.try_get("", "submitted_at").unwrap();
    let due: chrono::DateTime<chrono::Utc> = row.try_get("", "answer_due_at").unwrap();
    let days = (due - submitted).num_days();
    assert!((5..=12).contains(&days), "5 working days, not 15: {days} calendar days");

    let holiday = [
        ("csrf", admin.csrf.as_str()),
        ("action", "put_holiday"),
        ("day", "2026-12-24"),
        ("name_vi", "Nghỉ thử"),
        ("off", "1"),
    ];
    assert_eq!(app.post_as(&admin.cookie, "/quan-tri/pakn", &holiday).await.status(), 403);
    app.create_user("qt.he.thong", PW, Role::SystemAdmin, None).await;
    let sys = app.sign_in("qt.he.thong", PW).await;
    let holiday = [
        ("csrf", sys.csrf.as_str()),
        ("action", "put_holiday"),
        ("day", "2026-12-24"),
        ("name_vi", "Nghỉ thử"),
        ("off", "1"),
    ];
    assert_eq!(app.post_as(&sys.cookie, "/quan-tri/pakn", &holiday).await.status(), 303);
    let seeded = app.row("SELECT COUNT(*) AS n FROM holiday").await.try_get::<i64>("", "n").unwrap();
    assert!(seeded > 30, "2025–2027 holidays are preloaded, plus the new day: {seeded}");
    let page = app.get_as(&sys.cookie, "/quan-tri/pakn").await.text().await.unwrap();
    assert!(page.contains("Nghỉ thử") && page.contains("Tết"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_rating_with_contact_details_opens_a_case_for_the_counters_unit() {
    let app = TestApp::spawn().await;
    let x1 = app.fixture.x1.clone();
    // Contact details without consent: refused, nothing stored.
    let res = app.post_form(&x1, &[("II.A1", "1"), ("contact_phone", "0912345678")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("đồng ý"));
    assert_eq!(app.count("response").await, 0);

    // Satisfied, with contact details: stored, no case.
    let res = app
        .post_form(
            &x1,
            &[("II.A1", "5"), ("II.B1", "4"), ("contact_email", "binh@example.vn"), ("contact_consent", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("feedback_case").await, 0);

    // Low, with contact details and consent: a case for the counter's unit, linked to the answer.
    let res = app
        .post_form(
            &x1,
            &[
                ("II.A1", "1"),
                ("II.B1", "2"),
                ("comment", "Chờ hai tiếng mà không ai hướng dẫn."),
                ("contact_name", "Trần Thị Bình"),
                ("contact_email", "binh@example.vn"),
                ("contact_consent", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("response").await, 2);
    let row = app
        .row("SELECT c.channel, c.source_response_id, c.contact_email, c.description, a.code FROM feedback_case c JOIN agency a ON a.id = c.agency_id")
        .await;
    assert_eq!(row.try_get::<String>("", "channel").unwrap(), "survey");
    assert_eq!(row.try_get::<String>("", "code").unwrap(), "P.X.C");
    // Kept, encrypted (services::contacts): the stored value is not the address.
    let sealed = row.try_get::<String>("", "contact_email").unwrap();
    assert!(sealed.starts_with("v1:") && !sealed.contains("binh@"), "{sealed}");
    assert!(row.try_get::<String>("", "description").unwrap().contains("Chờ hai tiếng"));
    let response: i64 = app.row("SELECT MAX(id) AS id FROM response").await.try_get("", "id").unwrap();
    assert_eq!(row.try_get::<Option<i64>>("", "source_response_id").unwrap(), Some(response));
    // The response itself keeps no contact details.
    let comment: Option<String> =
        app.row(&format!("SELECT comment FROM response WHERE id = {response}")).await.try_get("", "comment").unwrap();
    assert!(!comment.unwrap_or_default().contains("binh@"));
}
