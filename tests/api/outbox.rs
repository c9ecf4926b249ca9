//! The outbox when several servers share one database: every message is claimed before it is
//! sent, so it is sent once, and a claim left by a server that stopped expires after its lease.

use services::{contact_key::ContactKey, mail::SmtpConfig, outbox, state::Settings};
use std::collections::HashMap;
use ydan_tests::{fresh_database, smtp_sink::SmtpSink};

fn settings(sink: &SmtpSink) -> Settings {
    Settings { smtp: Some(SmtpConfig::parse(&sink.url()).unwrap()), ..Default::default() }
}

/// A contact key (these messages are to staff: none is opened).
fn key() -> ContactKey {
    ContactKey::from_bytes([1; 32])
}

/// How many times each subject reached the sink.
fn subjects(sink: &SmtpSink) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for m in sink.received() {
        *seen.entry(m.subject()).or_insert(0) += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_delivering_at_once_send_each_message_once() {
    let sink = SmtpSink::start().await;
    let settings = settings(&sink);
    let (db, dir) = fresh_database().await;
    const N: usize = 40;
    for i in 0..N {
        outbox::to_staff(
            &db,
            &settings,
            &format!("dan{i}@example.vn"),
            &format!("Thư số {i}"),
            "Nội dung.",
            None,
            "test",
        )
        .await
        .unwrap();
    }
    // Two servers' mail workers looking at the same moment (two tasks on the one pool).
    let (a, b) = (db.clone(), db.clone());
    let (sa, sb) = (settings.clone(), settings.clone());
    let one = tokio::spawn(async move { outbox::deliver_due(&a, &sa, &key()).await.unwrap() });
    let two = tokio::spawn(async move { outbox::deliver_due(&b, &sb, &key()).await.unwrap() });
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    // Whatever is left (a claim that lost the race takes nothing) is sent by a later look.
    let later = outbox::deliver_due(&db, &settings, &key()).await.unwrap();
    let seen = subjects(&sink);
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(seen.len(), N, "every message arrived");
    assert_eq!(one + two + later, N, "each message counted once: {one} + {two} + {later}");
    let sent: i64 =
        db_count(&db, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent' AND claim_token IS NULL").await;
    assert_eq!(sent, N as i64, "all marked sent and released");
    if let Some(dir) = dir {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_left_by_a_stopped_server_expires_after_its_lease() {
    let sink = SmtpSink::start().await;
    let settings = settings(&sink);
    let (db, dir) = fresh_database().await;
    for subject in ["Bị bỏ dở", "Đang gửi"] {
        outbox::to_staff(&db, &settings, "dan@example.vn", subject, "Nội dung.", None, "test").await.unwrap();
    }
    // A server claimed both and stopped: one claim's lease has run out, the other's has not.
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    let future = chrono::Utc::now() + outbox::CLAIM_LEASE - chrono::Duration::seconds(30);
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    use services::entity::outbox as row;
    for (subject, until) in [("Bị bỏ dở", past), ("Đang gửi", future)] {
        row::Entity::update_many()
            .set(row::ActiveModel {
                claim_token: Set(Some("may-chu-da-dung".into())),
                claimed_until: Set(Some(until)),
                ..Default::default()
            })
            .filter(row::Column::Subject.eq(subject))
            .exec(&db)
            .await
            .unwrap();
    }
    assert_eq!(outbox::deliver_due(&db, &settings, &key()).await.unwrap(), 1, "only the expired claim is taken over");
    let seen = subjects(&sink);
    assert_eq!(seen.get("Bị bỏ dở"), Some(&1), "{seen:?}");
    assert_eq!(seen.get("Đang gửi"), None, "a live claim is left to its server: {seen:?}");
    let pending: i64 = db_count(&db, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").await;
    assert_eq!(pending, 1);
    // Sending again changes nothing while the lease runs.
    assert_eq!(outbox::deliver_due(&db, &settings, &key()).await.unwrap(), 0);
    if let Some(dir) = dir {
        let _ = std::fs::remove_dir_all(dir);
    }
}

async fn db_count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}
