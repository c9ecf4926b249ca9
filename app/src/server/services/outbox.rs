//! Notifications to citizens. Every message is written to the `outbox` table in the same
//! transaction as the change it reports, so none is lost if the server stops; the mail worker
//! then sends it through SMTP. Without a mail server the message is kept (status `kept`) for
//! administrators to read and pass on: nothing is silently dropped.
//!
//! Several servers may share one database: each claims a batch of due messages (a token and a
//! lease of [`CLAIM_LEASE`]) before sending it, so that no message is sent by two of them.

use super::{meta, now};
use crate::{
    error::AppError,
    feedback::OutboxRow,
    server::{
        Settings,
        entity::{feedback_case, outbox},
        mail::{self, Mail},
    },
};
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
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

/// Queues one message.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    settings: &Settings,
    to: &str,
    subject: &str,
    body: &str,
    case_id: Option<i64>,
    purpose: &str,
) -> Result<(), AppError> {
    insert(db, settings, to, subject, body, (case_id, None), purpose).await
}

/// Queues one message about a unit (not a case), shown to that unit's administrators. Without
/// an address it is kept for them to read at `/quan-tri/thu-di`.
pub async fn enqueue_for_unit(
    db: &impl ConnectionTrait,
    settings: &Settings,
    to: &str,
    subject: &str,
    body: &str,
    agency_id: i64,
    purpose: &str,
) -> Result<(), AppError> {
    insert(db, settings, to, subject, body, (None, Some(agency_id)), purpose).await
}

async fn insert(
    db: &impl ConnectionTrait,
    settings: &Settings,
    to: &str,
    subject: &str,
    body: &str,
    (case_id, agency_id): (Option<i64>, Option<i64>),
    purpose: &str,
) -> Result<(), AppError> {
    let status = if settings.smtp.is_some() && !to.trim().is_empty() { "pending" } else { "kept" };
    outbox::ActiveModel {
        created_at: Set(now()),
        to_address: Set(to.chars().take(200).collect()),
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
/// a message sent, failed or due again only while its claim is still its own.
pub async fn deliver_due(db: &impl ConnectionTrait, settings: &Settings) -> Result<usize, AppError> {
    let Some(smtp) = settings.smtp.as_ref() else {
        return Ok(0);
    };
    let (token, due) = claim(db).await?;
    let mut sent = 0;
    for m in due {
        // The resident erased their contact details (or the retention period did) after this
        // was queued: it is not sent to the old address.
        if let Some(case_id) = m.case_id
            && !super::contacts::may_still_notify(db, case_id).await?
        {
            let mut row: outbox::ActiveModel = m.into();
            row.status = Set("cancelled".into());
            row.to_address = Set(String::new());
            row.update(db).await?;
            continue;
        }
        let body = fill_in(db, &m).await?;
        let result = mail::send(smtp, &Mail { to: m.to_address.clone(), subject: m.subject.clone(), body }).await;
        let attempts = m.attempts + 1;
        let mut row = outbox::ActiveModel {
            attempts: Set(attempts),
            claim_token: Set(None),
            claimed_until: Set(None),
            ..Default::default()
        };
        let ok = result.is_ok();
        match result {
            Ok(()) => {
                row.status = Set("sent".into());
                row.sent_at = Set(Some(now()));
                row.last_error = Set(None);
            }
            Err(e) => {
                tracing::warn!(error = %e, "a notification could not be sent");
                row.last_error = Set(Some(e.to_string()));
                if e.is_permanent() || attempts >= MAX_ATTEMPTS {
                    row.status = Set("failed".into());
                } else {
                    // 1, 2, 4 … minutes.
                    row.next_attempt_at = Set(Some(now() + Duration::minutes(1 << (attempts - 1).min(10))));
                }
            }
        }
        let done = outbox::Entity::update_many()
            .set(row)
            .filter(outbox::Column::Id.eq(m.id))
            .filter(outbox::Column::ClaimToken.eq(token.as_str()))
            .exec(db)
            .await?;
        if done.rows_affected == 0 {
            // The lease ran out while sending and another server took the message over.
            tracing::warn!(id = m.id, "an outbox message's claim expired while it was being sent");
        } else if ok {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The body to send: the private link's key, derived from the case's tracking code, in place of
/// [`KEY_PLACEHOLDER`] (only messages about a case carry one; they go to its resident).
async fn fill_in(db: &impl ConnectionTrait, m: &outbox::Model) -> Result<String, AppError> {
    if !m.body.contains(KEY_PLACEHOLDER) {
        return Ok(m.body.clone());
    }
    let code = match m.case_id {
        Some(id) => {
            feedback_case::Entity::find_by_id(id)
                .select_only()
                .column(feedback_case::Column::TrackingCode)
                .into_tuple::<String>()
                .one(db)
                .await?
        }
        None => None,
    };
    let key = match code {
        Some(code) => meta::tracking_link_key(&meta::tracking_key(db).await?, &code),
        None => "…".to_owned(),
    };
    Ok(m.body.replace(KEY_PLACEHOLDER, &key))
}

/// The latest messages, for administrators (system administrators see all; others see the
/// messages of cases their unit handles and those about units of their subtree).
pub async fn latest(
    db: &impl ConnectionTrait,
    scope: &super::access::Scope,
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
            to: r.to_address,
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
