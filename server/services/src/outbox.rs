//! Notifications to citizens. Every message is written to the `outbox` table in the same
//! transaction as the change it reports, so none is lost if the server stops; the mail worker
//! then sends it through SMTP. Without a mail server the message is kept (status `kept`) for
//! administrators to read and pass on: nothing is silently dropped.
//!
//! A message about a case goes to the resident who filed it, and their address is never stored
//! with it: the worker reads it from the case's sealed contact details when it sends (see
//! [`crate::contacts`]), so an erased or expired address is never used, and the outbox page
//! names "the resident" rather than showing an address. Only messages to staff (alerts about a
//! unit) keep their address in the row.
//!
//! Several servers may share one database: each claims a batch of due messages (a token and a
//! lease of [`CLAIM_LEASE`]) before sending it, so that no message is sent by two of them.

use crate::{clock::now, contact_key::ContactKey, contacts, meta};
use crate::{
    entity::{feedback_case, outbox},
    mail::{self, Mail},
    state::Settings,
};
use chrono::Duration;
use domain::{dto::feedback::OutboxRow, error::AppError};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{self, Set},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType, Order, Query},
};
use std::collections::HashMap;

/// Stands for the key of the case's private tracking link in a stored message: the key is never
/// stored readable; it is derived again when the message is sent (see [`fill_in`]), and the
/// administrators' outbox page shows `…` in its place.
pub const KEY_PLACEHOLDER: &str = "{tracking_key}";

/// Attempts before a message that keeps failing temporarily is given up (status `failed`).
pub const MAX_ATTEMPTS: i32 = 8;

/// Queues one message about a case to the resident who filed it (the caller checked that they
/// gave an e-mail address and agreed to be told). The address is read when it is sent.
pub async fn to_resident(
    db: &impl ConnectionTrait,
    settings: &Settings,
    case_id: i64,
    subject: &str,
    body: &str,
    purpose: &str,
) -> Result<(), AppError> {
    insert(db, settings, Recipient::Resident(case_id), subject, body, purpose).await
}

/// Queues one message to a member of staff at `to` about a unit (not a case), shown to that
/// unit's administrators (`None`: to the system administrators). Without an address it is kept
/// for them to read at `/quan-tri/thu-di`.
pub async fn to_staff(
    db: &impl ConnectionTrait,
    settings: &Settings,
    to: &str,
    subject: &str,
    body: &str,
    agency_id: Option<i64>,
    purpose: &str,
) -> Result<(), AppError> {
    insert(db, settings, Recipient::Staff { to, agency_id }, subject, body, purpose).await
}

/// Who a message goes to.
enum Recipient<'a> {
    /// The resident who filed the case, at the address sealed in it.
    Resident(i64),
    /// A member of staff at an address kept in the row (may be empty: kept to be read).
    Staff { to: &'a str, agency_id: Option<i64> },
}

async fn insert(
    db: &impl ConnectionTrait,
    settings: &Settings,
    recipient: Recipient<'_>,
    subject: &str,
    body: &str,
    purpose: &str,
) -> Result<(), AppError> {
    let (to, case_id, agency_id) = match recipient {
        Recipient::Resident(case) => (String::new(), Some(case), None),
        Recipient::Staff { to, agency_id } => (to.trim().chars().take(200).collect(), None, agency_id),
    };
    let addressed = case_id.is_some() || !to.is_empty();
    let status = if settings.smtp.is_some() && addressed { "pending" } else { "kept" };
    outbox::ActiveModel {
        created_at: Set(now()),
        to_address: Set(to),
        subject: Set(subject.chars().take(300).collect()),
        body: Set(body.to_owned()),
        case_id: Set(case_id),
        agency_id: Set(agency_id),
        purpose: Set(purpose.to_owned()),
        status: Set(status.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(Some(now())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// How long a server's claim on a batch of messages lasts. A server that stops mid-batch leaves
/// its claim behind; once the lease has run out another server sends the message. Longer than
/// any batch takes (50 messages, each bounded by the SMTP client's timeouts).
pub const CLAIM_LEASE: Duration = Duration::minutes(5);

/// Messages claimed at a time.
const BATCH: u64 = 50;

/// Claims up to [`BATCH`] due messages for this call alone and returns them. One UPDATE marks
/// them with a fresh token and a lease; it repeats the "due and unclaimed" test on the rows it
/// changes, so when two servers race for the same rows the second finds them taken (PostgreSQL
/// checks the condition again on the newest row version; on PostgreSQL the candidates are also
/// locked with `SKIP LOCKED`, so two servers take different rows rather than waiting; SQLite has
/// one writer at a time). Only the rows carrying this token are then read back.
async fn claim(db: &impl ConnectionTrait) -> Result<(String, Vec<outbox::Model>), AppError> {
    let token = meta::random_hex(16)?;
    let at = now();
    let due = || {
        Condition::all()
            .add(outbox::Column::Status.eq("pending"))
            .add(outbox::Column::NextAttemptAt.lte(at))
            .add(Condition::any().add(outbox::Column::ClaimedUntil.is_null()).add(outbox::Column::ClaimedUntil.lt(at)))
    };
    let mut candidates = Query::select();
    candidates
        .column(outbox::Column::Id)
        .from(outbox::Entity)
        .cond_where(due())
        .order_by(outbox::Column::Id, Order::Asc)
        .limit(BATCH);
    if db.get_database_backend() == DbBackend::Postgres {
        candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ClaimToken, Expr::value(token.clone()))
        .col_expr(outbox::Column::ClaimedUntil, Expr::value(at + CLAIM_LEASE))
        .filter(outbox::Column::Id.in_subquery(candidates))
        .filter(due())
        .exec(db)
        .await?;
    let claimed = outbox::Entity::find()
        .filter(outbox::Column::ClaimToken.eq(token.as_str()))
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?;
    Ok((token, claimed))
}

/// Sends what is due; returns how many were sent. Called by the mail worker every few seconds,
/// on every server: each call sends only the messages it has claimed (see [`claim`]), and marks
/// a message sent, failed, cancelled or due again only while its claim is still its own.
pub async fn deliver_due(db: &impl ConnectionTrait, settings: &Settings, key: &ContactKey) -> Result<usize, AppError> {
    let Some(smtp) = settings.smtp.as_ref() else {
        return Ok(0);
    };
    let (token, due) = claim(db).await?;
    let mut sent = 0;
    for m in due {
        let mut row = outbox::ActiveModel {
            attempts: Set(m.attempts),
            claim_token: Set(None),
            claimed_until: Set(None),
            ..Default::default()
        };
        match prepare(db, key, &m).await? {
            Prepared::Cancel => {
                row.status = Set("cancelled".into());
                row.to_address = Set(String::new());
            }
            Prepared::Fail(why) => {
                tracing::warn!(id = m.id, "{why}");
                row.status = Set("failed".into());
                row.last_error = Set(Some(why.into()));
            }
            Prepared::Send { to, body } => {
                let attempts = m.attempts + 1;
                row.attempts = Set(attempts);
                match mail::send(smtp, &Mail { to, subject: m.subject.clone(), body }).await {
                    Ok(()) => {
                        row.status = Set("sent".into());
                        row.sent_at = Set(Some(now()));
                        row.last_error = Set(None);
                    }
                    Err(e) => {
                        // A relay's answer usually repeats the recipient's address: a
                        // resident's is never stored or logged with it.
                        let why = match m.case_id {
                            Some(_) => domain::contact::mask_email_addresses(&e.to_string()),
                            None => e.to_string(),
                        };
                        tracing::warn!(error = %why, "a notification could not be sent");
                        row.last_error = Set(Some(why));
                        if e.is_permanent() || attempts >= MAX_ATTEMPTS {
                            row.status = Set("failed".into());
                        } else {
                            // 1, 2, 4 … minutes.
                            row.next_attempt_at = Set(Some(now() + Duration::minutes(1 << (attempts - 1).min(10))));
                        }
                    }
                }
            }
        }
        let is_sent = matches!(&row.status, ActiveValue::Set(s) if s == "sent");
        let done = outbox::Entity::update_many()
            .set(row)
            .filter(outbox::Column::Id.eq(m.id))
            .filter(outbox::Column::ClaimToken.eq(token.as_str()))
            .exec(db)
            .await?;
        if done.rows_affected == 0 {
            // The lease ran out while sending and another server took the message over.
            tracing::warn!(id = m.id, "an outbox message's claim expired while it was being sent");
        } else if is_sent {
            sent += 1;
        }
    }
    Ok(sent)
}

/// What to do with a claimed message.
enum Prepared {
    Send {
        to: String,
        body: String,
    },
    /// The resident erased their contact details (or the retention period did), withdrew
    /// their consent, or the case is gone, after this was queued: it is not sent.
    Cancel,
    /// The resident's address cannot be opened with this server's contact key.
    Fail(&'static str),
}

/// The address and body of a message. A message about a case goes to the address sealed in the
/// case (opened here, for sending only: no person reads it), and its body gets the private
/// link's key, derived from the case's tracking code, in place of [`KEY_PLACEHOLDER`]. Other
/// messages go to the address in their row.
async fn prepare(db: &impl ConnectionTrait, key: &ContactKey, m: &outbox::Model) -> Result<Prepared, AppError> {
    let Some(case_id) = m.case_id else {
        return Ok(Prepared::Send { to: m.to_address.clone(), body: m.body.replace(KEY_PLACEHOLDER, "…") });
    };
    let Some(case) = feedback_case::Entity::find_by_id(case_id).one(db).await? else {
        return Ok(Prepared::Cancel);
    };
    let to = match contacts::email_to_notify(key, &case) {
        Ok(Some(to)) => to,
        Ok(None) => return Ok(Prepared::Cancel),
        Err(_) => {
            return Ok(Prepared::Fail("the resident's address could not be opened with this server's contact key"));
        }
    };
    let body = if m.body.contains(KEY_PLACEHOLDER) {
        let link_key = meta::tracking_link_key(&meta::tracking_key(db).await?, &case.tracking_code);
        m.body.replace(KEY_PLACEHOLDER, &link_key)
    } else {
        m.body.clone()
    };
    Ok(Prepared::Send { to, body })
}

/// Forgets the residents' addresses that messages queued by an older version of the server
/// kept in their rows, and the relays' answers that may repeat them (their messages still go
/// out, to the address sealed in the case). Run at start; changes nothing the second time.
pub async fn forget_resident_addresses(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    let done = outbox::Entity::update_many()
        .col_expr(outbox::Column::ToAddress, Expr::value(""))
        .filter(outbox::Column::CaseId.is_not_null())
        .filter(outbox::Column::ToAddress.ne(""))
        .exec(db)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::LastError, Expr::value(Option::<String>::None))
        .filter(outbox::Column::CaseId.is_not_null())
        .filter(outbox::Column::LastError.contains("@"))
        .exec(db)
        .await?;
    if done.rows_affected > 0 {
        tracing::info!(messages = done.rows_affected, "residents' addresses removed from queued messages");
    }
    Ok(done.rows_affected)
}

/// The latest messages, for administrators (system administrators see all; others see the
/// messages of cases their unit handles and those about units of their subtree).
pub async fn latest(
    db: &impl ConnectionTrait,
    scope: &crate::access::Scope,
    limit: u64,
) -> Result<Vec<OutboxRow>, AppError> {
    let rows = outbox::Entity::find().order_by_desc(outbox::Column::Id).limit(limit * 4).all(db).await?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.case_id).collect();
    let cases: HashMap<i64, (String, i64)> = feedback_case::Entity::find()
        .select_only()
        .column(feedback_case::Column::Id)
        .column(feedback_case::Column::TrackingCode)
        .column(feedback_case::Column::AgencyId)
        .filter(feedback_case::Column::Id.is_in(ids))
        .into_tuple::<(i64, String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, code, agency)| (id, (code, agency)))
        .collect();
    Ok(rows
        .into_iter()
        .filter(|r| match (r.case_id.and_then(|id| cases.get(&id)), r.agency_id) {
            (Some((_, agency)), _) => scope.contains(*agency),
            (None, Some(agency)) => scope.contains(agency),
            (None, None) => scope.root().is_none(),
        })
        .take(limit as usize)
        .map(|r| OutboxRow {
            id: r.id,
            created_at: r.created_at,
            case_code: r.case_id.and_then(|id| cases.get(&id)).map(|(code, _)| code.clone()),
            // A case's resident: their address is on the case, read there (audited).
            to: r.case_id.is_none().then_some(r.to_address),
            subject: r.subject,
            // The private link is shown without its key.
            body: r.body.replace(KEY_PLACEHOLDER, "…"),
            purpose: r.purpose,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
        })
        .collect())
}
