//! Privacy by default (issue 12): public output shows only what `/cong-khai` publishes, with
//! positions rounded, no words of the resident's own beyond the published description, and
//! personal numbers masked; the private tracking key is never stored readable; pages carrying
//! it are never cached.

use crate::feedback::{PW, act, file_case, jpeg, officer, on_site, send};
use crate::open311::{get, json, post, request};
use crate::tickets::api_key_for;
use domain::accounts::Role;
use services::state::Settings;
use std::time::Duration;
use ydan_tests::{TestApp, smtp_sink::SmtpSink};

const CITIZEN_ID: &str = "001203004567";
const PHONE: &str = "0912.345.678";
const REPLY: &str = "Nhà số 12 ngõ 3, gọi 0987 654 321";

/// A case from the web form at a precise position, with personal numbers in the description;
/// returns (tracking code, private key).
async fn precise_case(app: &TestApp) -> (String, String) {
    let mut fields = on_site(&format!("Ổ gà trước nhà, CCCD {CITIZEN_ID}, gọi {PHONE} khi cần; năm 2025 đã báo."));
    fields.push(("lat", "20.951234".into()));
    fields.push(("lon", "107.081987".into()));
    let res = send(app, &fields, &[jpeg("a.jpg")]).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let rest = location.strip_prefix("/gop-y/da-gui/").unwrap();
    let (code, key) = rest.split_once("?k=").unwrap();
    (code.to_owned(), key.to_owned())
}

async fn citizen_reply(app: &TestApp, code: &str, key: &str, text: &str) {
    let res = app
        .client
        .post(app.url(&format!("/gop-y/theo-doi/{code}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ydan_tests::serde_urlencoded_pairs(&[("k", key), ("action", "reply"), ("text", text)]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open311_lists_only_published_cases_rounded_masked_and_without_the_residents_words() {
    let app = TestApp::spawn().await;
    let api_key = api_key_for(&app, "P").await;
    let (code, key) = precise_case(&app).await;
    // Another case, through Open311, rejected: never published.
    let (_, body) = post(&app, "json", &request(&api_key, &[("description", "Đèn hỏng, CMND 123456789.")])).await;
    let rejected = json(&body)[0]["service_request_id"].as_str().unwrap().to_owned();
    let x = officer(&app, "can.bo.xa", "P.X").await;
    assert_eq!(
        act(&app, &x, &rejected, &[("action", "reject"), ("public_note", "Không thuộc thẩm quyền."), ("confirm", "1")])
            .await
            .status(),
        303
    );

    // The resident is asked for more and answers on the private page.
    assert_eq!(act(&app, &x, &code, &[("action", "receive")]).await.status(), 303);
    let q = [("action", "request_info"), ("public_note", "Xin cho biết số nhà cụ thể.")];
    assert_eq!(act(&app, &x, &code, &q).await.status(), 303);
    citizen_reply(&app, &code, &key, REPLY).await;
    let answer = [("action", "answer"), ("public_note", "Đã vá ổ gà; cần thêm gọi 0912345678.")];
    assert_eq!(act(&app, &x, &code, &answer).await.status(), 303);

    // Nothing is public yet: neither listed nor found by id.
    for path in ["requests.json?extensions=true", "requests.xml?extensions=true"] {
        let (status, _, body) = get(&app, path).await;
        assert_eq!(status, 200);
        assert!(!body.contains(&code) && !body.contains(&rejected), "unpublished cases listed: {body}");
    }
    for id in [&code, &rejected] {
        assert_eq!(get(&app, &format!("requests/{id}.json?extensions=true")).await.0, 404, "{id}");
        assert_eq!(get(&app, &format!("requests/{id}.xml")).await.0, 404, "{id}");
        let (_, _, body) = get(&app, &format!("requests.json?service_request_id={id}")).await;
        assert_eq!(json(&body).as_array().unwrap().len(), 0, "{body}");
    }

    // Published: listed, rounded, masked, without the resident's reply.
    assert_eq!(act(&app, &x, &code, &[("action", "publish")]).await.status(), 303);
    let (_, _, list) = get(&app, "requests.json?extensions=true").await;
    let items = json(&list);
    assert_eq!(items.as_array().unwrap().len(), 1, "{list}");
    let r = &items[0];
    assert_eq!(r["service_request_id"], code.as_str());
    assert_eq!(r["lat"].as_f64(), Some(20.951));
    assert_eq!(r["long"].as_f64(), Some(107.082));
    assert!(r.get("address").is_none(), "no typed address, as on /cong-khai: {r}");
    let description = r["description"].as_str().unwrap();
    assert!(description.contains("CCCD ••••••••••••") && description.contains("••••.•••.•••"), "{description}");
    assert!(description.contains("năm 2025"), "ordinary numbers stay: {description}");
    let (_, _, one) = get(&app, &format!("requests/{code}.json?extensions=true")).await;
    let (_, _, xml) = get(&app, &format!("requests/{code}.xml?extensions=true")).await;
    assert!(xml.contains("<lat>20.951</lat><long>107.082</long>"), "{xml}");
    for text in [&list, &one, &xml] {
        for secret in [CITIZEN_ID, PHONE, "0912345678", "Nhà số 12", "0987 654 321", "20.951234", "107.081987"] {
            assert!(!text.contains(secret), "{secret} shown publicly: {text}");
        }
    }
    // The keyed update feed leaves out the resident's words too (and still has the officer's).
    let (status, _, updates) = get(&app, &format!("servicerequestupdates.json?api_key={api_key}")).await;
    assert_eq!(status, 200);
    assert!(updates.contains("Xin cho biết số nhà cụ thể."), "{updates}");
    assert!(!updates.contains("Nhà số 12") && !updates.contains("0987 654 321"), "{updates}");

    // The public disclosure page masks the same numbers; the officer still sees them in full.
    let public = app.get("/cong-khai").await.text().await.unwrap();
    assert!(public.contains(&code) && public.contains("Đã vá ổ gà"));
    for secret in [CITIZEN_ID, PHONE, "0912345678"] {
        assert!(!public.contains(secret), "{secret} on /cong-khai");
    }
    assert!(public.contains("••••••••••••"));
    let page = app.get_as(&x.cookie, &format!("/pakn/{code}")).await.text().await.unwrap();
    assert!(page.contains(CITIZEN_ID) && page.contains(PHONE) && page.contains("Nhà số 12"));
    // So does the resident on their own page.
    let mine = app.get(&format!("/gop-y/theo-doi/{code}?k={key}")).await.text().await.unwrap();
    assert!(mine.contains(CITIZEN_ID));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_private_key_is_never_stored_and_the_mail_carries_a_working_link() {
    let sink = SmtpSink::start().await;
    let smtp = services::mail::SmtpConfig::parse(&sink.url()).unwrap();
    let app = TestApp::spawn_with(Settings { smtp: Some(smtp), ..Default::default() }).await;
    let (code, key) = file_case(&app, "Cống thoát nước bị tắc.").await;
    assert_eq!(key.len(), 32, "the key keeps its length");
    let mail =
        sink.wait_for("an.nguyen@example.vn", &code, Duration::from_secs(20)).await.expect("the receipt arrived");
    let link = format!("/gop-y/theo-doi/{code}?k={key}");
    assert!(mail.body().contains(&format!("{}{link}", app.base)), "{}", mail.body());
    assert_eq!(app.get(&link).await.status(), 200, "the mailed link works");

    // No row of the outbox holds the key, before or after sending.
    let rows: i64 = app
        .row(&format!(
            "SELECT COUNT(*) AS n FROM outbox WHERE body LIKE '%{key}%' OR subject LIKE '%{key}%' \
             OR to_address LIKE '%{key}%' OR COALESCE(last_error, '') LIKE '%{key}%'"
        ))
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(rows, 0, "the key is stored in the outbox");
    assert!(app.count("outbox").await >= 1);
    assert_eq!(readable_addresses(&app, "an.nguyen@example.vn").await, 0, "the address is stored in the outbox");

    // The administrators' outbox page shows the link without the key.
    app.create_user("qt.xa", PW, Role::AgencyAdmin, Some("P.X")).await;
    let admin = app.sign_in("qt.xa", PW).await;
    let page = app.get_as(&admin.cookie, "/quan-tri/thu-di").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(&code), "the receipt is listed");
    assert!(!page.contains(&key), "the outbox page shows the key");
    assert!(page.contains(&format!("/gop-y/theo-doi/{code}?k=…")), "the link without its key");
}

/// Rows of the outbox in which a resident's e-mail address can be read.
async fn readable_addresses(app: &TestApp, address: &str) -> i64 {
    app.row(&format!(
        "SELECT COUNT(*) AS n FROM outbox WHERE to_address LIKE '%{address}%' OR body LIKE '%{address}%' \
         OR subject LIKE '%{address}%' OR COALESCE(last_error, '') LIKE '%{address}%'"
    ))
    .await
    .try_get("", "n")
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_residents_address_is_never_stored_readable_in_the_outbox() {
    const EMAIL: &str = "an.nguyen@example.vn";
    // No mail server: the receipt is kept for the administrators.
    let app = TestApp::spawn().await;
    let (code, _) = file_case(&app, "Rác thải đổ trộm ven sông.").await;
    let kept: i64 = app
        .row(&format!(
            "SELECT COUNT(*) AS n FROM outbox o JOIN feedback_case c ON c.id = o.case_id \
             WHERE c.tracking_code = '{code}' AND o.status = 'kept' AND o.purpose = 'receipt'"
        ))
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(kept, 1, "the receipt is kept, not dropped");
    assert_eq!(readable_addresses(&app, EMAIL).await, 0, "the address is stored readable in the outbox");

    // The administrators' page lists the message as going to the case's resident, without the
    // address: whoever passes it on reads the address on the case page, where the read is audited.
    app.create_user("qt.xa", PW, Role::AgencyAdmin, Some("P.X")).await;
    let admin = app.sign_in("qt.xa", PW).await;
    let page = app.get_as(&admin.cookie, "/quan-tri/thu-di").await.text().await.unwrap();
    assert!(page.contains(&code), "the receipt is listed");
    assert!(!page.contains(EMAIL), "the outbox page shows the resident's address");
    assert!(page.contains("Người gửi phản ánh"), "names who it goes to");

    // A database written before this: a queued message with the address in it, forgotten when a
    // server starts (the message itself stays and still goes to the resident).
    app.exec(&format!("UPDATE outbox SET to_address = '{EMAIL}' WHERE case_id IS NOT NULL")).await;
    let _restarted = app.state().await;
    assert_eq!(readable_addresses(&app, EMAIL).await, 0, "old addresses are forgotten at start");
    assert_eq!(app.count("outbox").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relays_refusal_never_stores_the_residents_address() {
    use services::{contact_key::Field, outbox};
    let sink = SmtpSink::start().await;
    let smtp = services::mail::SmtpConfig::parse(&sink.url()).unwrap();
    let app = TestApp::spawn_with(Settings { smtp: Some(smtp), ..Default::default() }).await;
    let (code, _) = file_case(&app, "Cột điện bị nghiêng.").await;
    sink.wait_for("an.nguyen@example.vn", &code, Duration::from_secs(20)).await.expect("the receipt arrived");
    // An address that an older, looser intake rule let through, then a message about the case:
    // the mailer refuses the address and says which one.
    let state = app.state().await;
    let sealed = state.contact_key.seal(&code, Field::Email, "a:b@cu.example.vn").unwrap();
    app.exec(&format!("UPDATE feedback_case SET contact_email = '{sealed}' WHERE tracking_code = '{code}'")).await;
    let id: i64 = app
        .row(&format!("SELECT id FROM feedback_case WHERE tracking_code = '{code}'"))
        .await
        .try_get("", "id")
        .unwrap();
    outbox::to_resident(&app.db, &app.settings, id, "Thông báo thử", "Nội dung.", "test").await.unwrap();
    outbox::deliver_due(&app.db, &state.settings, &state.contact_key).await.unwrap();
    // (The server's own mail worker may have taken it first: wait until it is handled.)
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (status, error) = loop {
        let row = app.row("SELECT status, last_error FROM outbox WHERE purpose = 'test'").await;
        let status: String = row.try_get("", "status").unwrap();
        if status != "pending" || std::time::Instant::now() > deadline {
            break (status, row.try_get::<Option<String>>("", "last_error").unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, "failed");
    let error = error.expect("the reason is kept");
    assert!(!error.contains("cu.example.vn"), "the resident's address in the stored error: {error}");
    assert_eq!(readable_addresses(&app, "cu.example.vn").await, 0);

    // An error stored by an older server, address and all, is forgotten at the next start.
    app.exec("UPDATE outbox SET last_error = 'refused <a:b@cu.example.vn>' WHERE purpose = 'test'").await;
    let _restarted = app.state().await;
    assert_eq!(readable_addresses(&app, "cu.example.vn").await, 0, "old errors are cleared at start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carrying_the_private_key_are_never_cached() {
    let app = TestApp::spawn().await;
    let (code, key) = file_case(&app, "Cây đổ chắn lối đi.").await;
    for path in [format!("/gop-y/da-gui/{code}?k={key}"), format!("/gop-y/theo-doi/{code}?k={key}")] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
        let cc = res.headers().get("cache-control").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(cc.contains("no-store"), "{path}: cache-control {cc:?}");
    }
}
