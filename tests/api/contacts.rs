//! Residents' contact details (Decree 13/2023/NĐ-CP, docs/PRIVACY.md): encrypted at rest, read
//! only by those who handle the case (each read audited), erased after the retention period,
//! and seen and erased by the resident from the private tracking link.

use crate::feedback::{act, file_case, officer};
use chrono::{Months, Utc};
use ydan_tests::TestApp;

/// As typed `0912 345 678`, stored without the spaces.
const PHONE: &str = "0912345678";
const EMAIL: &str = "an.nguyen@example.vn";
const NAME: &str = "Nguyễn Văn An";

async fn contact_columns(app: &TestApp, code: &str) -> [Option<String>; 3] {
    let row = app
        .row(&format!(
            "SELECT contact_name, contact_phone, contact_email FROM feedback_case WHERE tracking_code = '{code}'"
        ))
        .await;
    ["contact_name", "contact_phone", "contact_email"].map(|c| row.try_get::<Option<String>>("", c).unwrap())
}

async fn audit_count(app: &TestApp, action: &str, code: &str) -> i64 {
    app.row(&format!(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = '{action}' AND entity = 'feedback_case' AND entity_id = '{code}'"
    ))
    .await
    .try_get("", "n")
    .unwrap()
}

fn sql_time(at: chrono::DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S+00:00").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_details_are_stored_encrypted_and_old_plain_rows_are_encrypted_at_start() {
    let app = TestApp::spawn().await;
    let (code, _) = file_case(&app, "Đèn đường hỏng cả tuần nay.").await;
    let stored = contact_columns(&app, &code).await;
    for (value, typed) in stored.iter().zip([NAME, PHONE, EMAIL]) {
        let typed = typed.to_owned();
        let value = value.as_deref().expect("kept with consent");
        assert!(value.starts_with("v1:"), "sealed: {value}");
        assert!(!value.contains(&typed) && !value.contains("0912") && !value.contains("example.vn"), "{value}");
    }

    // A database written before encryption: plain values, encrypted when a server starts.
    app.exec(&format!(
        "UPDATE feedback_case SET contact_phone = '0987654321', contact_email = 'cu@example.vn' WHERE tracking_code = '{code}'"
    ))
    .await;
    let _restarted = app.state().await;
    let [_, phone, email] = contact_columns(&app, &code).await;
    let (phone, email) = (phone.unwrap(), email.unwrap());
    assert!(phone.starts_with("v1:") && !phone.contains("0987654321"), "{phone}");
    assert!(email.starts_with("v1:") && !email.contains("cu@example.vn"), "{email}");
    // Once more changes nothing (idempotent).
    let _again = app.state().await;
    assert_eq!(contact_columns(&app, &code).await[1].as_deref(), Some(phone.as_str()));
    let x = officer(&app, "can.bo.xa", "P.X").await;
    let html = app.get_as(&x.cookie, &format!("/pakn/{code}")).await.text().await.unwrap();
    assert!(html.contains("0987654321") && html.contains("cu@example.vn"), "decrypted for the officer");

    // Another key than the one the data was sealed with: the server refuses to start.
    let mut settings = app.settings.clone();
    settings.contact_key = services::contact_key::ContactKeySource::Hex("11".repeat(32));
    let refused = server::build_state(app.db.clone(), &server::Config { settings, ..Default::default() }).await;
    assert!(refused.is_err(), "a wrong contact key is refused at start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_officers_of_the_handling_unit_read_contact_details_and_each_read_is_audited() {
    let app = TestApp::spawn().await;
    let (code, _) = file_case(&app, "Nắp cống bị vỡ trước cổng trường.").await;
    assert_eq!(audit_count(&app, "contact_read", &code).await, 0);

    let x = officer(&app, "can.bo.xa", "P.X").await;
    let res = app.get_as(&x.cookie, &format!("/pakn/{code}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(PHONE) && html.contains(EMAIL) && html.contains(NAME), "the handling officer sees them");
    assert_eq!(audit_count(&app, "contact_read", &code).await, 1, "the read is in the audit log");
    let who: String = app
        .row(&format!("SELECT actor_label FROM audit_log WHERE action = 'contact_read' AND entity_id = '{code}'"))
        .await
        .try_get("", "actor_label")
        .unwrap();
    assert_eq!(who, "can.bo.xa");
    let after: String = app
        .row(&format!("SELECT after FROM audit_log WHERE action = 'contact_read' AND entity_id = '{code}'"))
        .await
        .try_get("", "after")
        .unwrap();
    assert!(!after.contains("0912") && !after.contains("example.vn"), "the log names fields, never values: {after}");

    // Another unit's officer and a viewer of the whole province: nothing, and no read logged.
    let sibling = officer(&app, "can.bo.so", "P.D").await;
    let res = app.get_as(&sibling.cookie, &format!("/pakn/{code}")).await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("0912"));
    let viewer = app.province_viewer().await;
    let res = app.get_as(&viewer.cookie, &format!("/pakn/{code}")).await;
    assert_ne!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(!body.contains("0912") && !body.contains(EMAIL));
    // The public page and the disclosure never carry them either.
    let public = app.get(&format!("/gop-y/theo-doi/{code}")).await.text().await.unwrap();
    assert!(!public.contains("0912") && !public.contains(EMAIL));
    assert_eq!(audit_count(&app, "contact_read", &code).await, 1, "only the handling officer's read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_details_are_erased_once_the_retention_period_after_closing_has_passed() {
    let app = TestApp::spawn().await;
    let (old, _) = file_case(&app, "Cây đổ chắn ngang đường.").await;
    let (recent, _) = file_case(&app, "Rác thải đổ trộm ven sông.").await;
    let (open, _) = file_case(&app, "Ống nước vỡ.").await;
    let now = Utc::now();
    for (code, months) in [(&old, 25), (&recent, 23)] {
        let closed = sql_time(now.checked_sub_months(Months::new(months)).unwrap());
        app.exec(&format!(
            "UPDATE feedback_case SET status = 'closed', closed_at = '{closed}' WHERE tracking_code = '{code}'"
        ))
        .await;
    }
    let state = app.state().await;
    let n = services::contacts::sweep_retention(&state, now).await.unwrap();
    assert_eq!(n, 1, "only the case closed 25 months ago");
    assert_eq!(contact_columns(&app, &old).await, [None, None, None], "erased");
    assert!(contact_columns(&app, &recent).await.iter().all(Option::is_some), "23 months: kept");
    assert!(contact_columns(&app, &open).await.iter().all(Option::is_some), "still open: kept");
    assert_eq!(audit_count(&app, "contact_expired", &old).await, 1);
    let addressed: i64 = app
        .row(&format!(
            "SELECT COUNT(*) AS n FROM outbox o JOIN feedback_case c ON c.id = o.case_id \
             WHERE c.tracking_code = '{old}' AND o.to_address <> ''"
        ))
        .await
        .try_get("", "n")
        .unwrap();
    assert_eq!(addressed, 0, "the outbox keeps no address of an erased case");
    assert_eq!(services::contacts::sweep_retention(&state, now).await.unwrap(), 0, "once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_sees_and_erases_their_contact_details_from_the_private_link() {
    let app = TestApp::spawn().await;
    let (code, key) = file_case(&app, "Vỉa hè bị lấn chiếm.").await;
    let page = format!("/gop-y/theo-doi/{code}?k={key}");
    let res = app.get(&page).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains(PHONE) && html.contains(EMAIL) && html.contains(NAME), "shown to the link holder");
    assert!(html.contains("Xoá thông tin liên hệ") && html.contains(r#"value="erase_contact""#));
    // Without the key: nothing.
    let public = app.get(&format!("/gop-y/theo-doi/{code}")).await.text().await.unwrap();
    assert!(!public.contains(PHONE) && !public.contains(EMAIL));

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
    // Not confirmed, or a wrong key: nothing is erased.
    let res = post(vec![("k", key.clone()), ("action", "erase_contact".into())]).await;
    assert_eq!(res.status(), 422);
    let res = post(vec![("k", "0".repeat(32)), ("action", "erase_contact".into()), ("confirm", "1".into())]).await;
    assert_eq!(res.status(), 404);
    assert!(contact_columns(&app, &code).await.iter().all(Option::is_some));

    let res = post(vec![("k", key.clone()), ("action", "erase_contact".into()), ("confirm", "1".into())]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(contact_columns(&app, &code).await, [None, None, None]);
    assert_eq!(audit_count(&app, "contact_erased", &code).await, 1, "the erasure is audited");
    let html = app.get(&page).await.text().await.unwrap();
    assert!(!html.contains(PHONE) && !html.contains(EMAIL));
    assert!(html.contains("Không có thông tin liên hệ nào"), "says nothing is stored");

    // The receipt queued before is not sent to the erased address, and no new message is queued.
    let row = app
        .row(&format!(
            "SELECT COUNT(*) AS n FROM outbox o JOIN feedback_case c ON c.id = o.case_id \
             WHERE c.tracking_code = '{code}' AND (o.to_address <> '' OR o.status IN ('pending', 'kept'))"
        ))
        .await;
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0);
    let before = app.count("outbox").await;
    let x = officer(&app, "can.bo.xa", "P.X").await;
    let res = act(&app, &x, &code, &[("action", "request_info"), ("public_note", "Xin cho biết số nhà cụ thể.")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("outbox").await, before, "notifications stopped");
    let officer_page = app.get_as(&x.cookie, &format!("/pakn/{code}")).await.text().await.unwrap();
    assert!(!officer_page.contains("0912"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_queued_before_an_erasure_is_not_sent() {
    let sink = ydan_tests::smtp_sink::SmtpSink::start().await;
    let smtp = services::mail::SmtpConfig::parse(&sink.url()).unwrap();
    let app = TestApp::spawn_with(services::state::Settings { smtp: Some(smtp), ..Default::default() }).await;
    let (code, key) = file_case(&app, "Đường ngập sau mưa.").await;
    sink.wait_for(EMAIL, &code, std::time::Duration::from_secs(20)).await.expect("the receipt arrived");
    // Erased while a message about the case waits (queued by hand, as if by a slower server).
    let state = app.state().await;
    services::cases::erase_contact_by_resident(&state, &code, &key).await.unwrap();
    let id: i64 = app
        .row(&format!("SELECT id FROM feedback_case WHERE tracking_code = '{code}'"))
        .await
        .try_get("", "id")
        .unwrap();
    services::outbox::to_resident(&app.db, &app.settings, id, &format!("Late {code}"), "late", "x").await.unwrap();
    services::outbox::deliver_due(&app.db, &state.settings, &state.contact_key).await.unwrap();
    let status: String = app.row("SELECT status FROM outbox WHERE body = 'late'").await.try_get("", "status").unwrap();
    assert_eq!(status, "cancelled");
    assert!(sink.wait_for(EMAIL, &format!("Late {code}"), std::time::Duration::from_secs(3)).await.is_none());
}
