//! Residents' contact details on feedback cases (name, phone, e-mail), as Decree 13/2023/NĐ-CP
//! asks of personal data: encrypted at rest with a key from the server's configuration, read
//! only by the officers and administrators who handle the case (each read in the audit log),
//! erased by the resident from their private link, and erased by the server 24 months (by
//! default) after the case ended. Every read of a stored contact goes through [`reveal`].
//!
//! Values are sealed with the key of `contact_key`. Values without the prefix are the plain values of a database older than this module; the server encrypts
//! them at start ([`encrypt_plain_rows`]). No query searches by phone or e-mail, so no keyed
//! hash of them is stored.

use crate::{
    audit::{self, Actor},
    contact_key::{ContactKey, Field, PREFIX},
    current_user::CurrentUser,
    entity::{feedback_case, outbox},
    state::AppState,
};
use chrono::{DateTime, Months, Utc};
use domain::{cases::Status, dto::feedback::Contact, error::AppError};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Expr,
};
use serde_json::json;

/// The one way to read a case's stored contact details (decrypted). `None` for an anonymous
/// case. Callers that show them to staff use [`read_for_handler`], which audits the read.
pub fn reveal(key: &ContactKey, case: &feedback_case::Model) -> Result<Option<Contact>, AppError> {
    if case.anonymous {
        return Ok(None);
    }
    let open = |field, v: &Option<String>| v.as_deref().map(|s| key.open(&case.tracking_code, field, s)).transpose();
    Ok(Some(Contact {
        name: open(Field::Name, &case.contact_name)?,
        phone: open(Field::Phone, &case.contact_phone)?,
        email: open(Field::Email, &case.contact_email)?,
    }))
}

/// Whether the resident is to be told of changes by e-mail: they gave an address with consent and
/// have not erased it. Nothing is opened; the outbox reads the address when it sends.
pub fn wants_mail(case: &feedback_case::Model) -> bool {
    case.consent && case.contact_email.is_some()
}

/// The address to send a message about the case to (see [`wants_mail`]), opened for sending
/// only: no person reads it, so it is not audited.
pub fn email_to_notify(key: &ContactKey, case: &feedback_case::Model) -> Result<Option<String>, AppError> {
    if !case.consent {
        return Ok(None);
    }
    Ok(reveal(key, case)?.and_then(|c| c.email))
}

pub(crate) fn stored_fields(case: &feedback_case::Model) -> Vec<&'static str> {
    [(Field::Name, &case.contact_name), (Field::Phone, &case.contact_phone), (Field::Email, &case.contact_email)]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(f, _)| f.code())
        .collect()
}

/// The contact details for an officer or administrator who handles the case (the caller checked
/// that), with an audit entry naming who read which fields (never the values).
pub async fn read_for_handler(
    db: &impl ConnectionTrait,
    key: &ContactKey,
    user: &CurrentUser,
    case: &feedback_case::Model,
) -> Result<Option<Contact>, AppError> {
    let contact = reveal(key, case)?;
    let fields = stored_fields(case);
    if contact.is_some() && !fields.is_empty() {
        audit::record(
            db,
            &Actor::user(user),
            "contact_read",
            "feedback_case",
            &case.tracking_code,
            Some(case.agency_id),
            None,
            Some(json!({ "fields": fields })),
        )
        .await?;
    }
    Ok(contact)
}

/// Erases a case's contact details and the addresses of its messages in the outbox (messages not
/// sent yet are cancelled), with an audit entry, inside the caller's transaction.
pub(crate) async fn erase(
    db: &impl ConnectionTrait,
    case: &feedback_case::Model,
    actor: &Actor,
    action: &str,
) -> Result<(), AppError> {
    let fields = stored_fields(case);
    feedback_case::Entity::update_many()
        .col_expr(feedback_case::Column::ContactName, Expr::value(Option::<String>::None))
        .col_expr(feedback_case::Column::ContactPhone, Expr::value(Option::<String>::None))
        .col_expr(feedback_case::Column::ContactEmail, Expr::value(Option::<String>::None))
        .col_expr(feedback_case::Column::Consent, Expr::value(false))
        .filter(feedback_case::Column::Id.eq(case.id))
        .exec(db)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value("cancelled"))
        .filter(outbox::Column::CaseId.eq(case.id))
        .filter(outbox::Column::Status.is_in(["pending", "kept"]))
        .exec(db)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ToAddress, Expr::value(""))
        .filter(outbox::Column::CaseId.eq(case.id))
        .exec(db)
        .await?;
    audit::record(
        db,
        actor,
        action,
        "feedback_case",
        &case.tracking_code,
        Some(case.agency_id),
        Some(json!({ "fields": fields })),
        None,
    )
    .await
}

/// When the retention period of a case's contact details starts: when it was closed or
/// rejected, or else (published or rated: nothing more is asked of the agency) when its answer
/// was published.
fn ended_before(cutoff: DateTime<Utc>) -> Condition {
    Condition::any().add(feedback_case::Column::ClosedAt.lt(cutoff)).add(
        Condition::all()
            .add(feedback_case::Column::ClosedAt.is_null())
            .add(feedback_case::Column::Status.is_in([Status::Published.code(), Status::Rated.code()]))
            .add(feedback_case::Column::PublishedAt.lt(cutoff)),
    )
}

/// Erases the contact details of cases that ended more than the retention period before `at`.
/// Run by the deadline worker; safe on several servers at once (erasing twice erases nothing
/// more). Returns how many cases were erased.
pub async fn sweep_retention(state: &AppState, at: DateTime<Utc>) -> Result<usize, AppError> {
    let months = state.settings.contact_retention_months;
    let Some(cutoff) = at.checked_sub_months(Months::new(months)) else { return Ok(0) };
    let mut erased = 0;
    loop {
        let due = feedback_case::Entity::find()
            .filter(ended_before(cutoff))
            .filter(
                Condition::any()
                    .add(feedback_case::Column::ContactName.is_not_null())
                    .add(feedback_case::Column::ContactPhone.is_not_null())
                    .add(feedback_case::Column::ContactEmail.is_not_null()),
            )
            .order_by_asc(feedback_case::Column::Id)
            .limit(200)
            .all(&state.db)
            .await?;
        if due.is_empty() {
            return Ok(erased);
        }
        let actor = Actor { user_id: None, label: "system".into() };
        for case in due {
            let _writer = state.write_guard().await;
            let txn = state.db.begin().await?;
            erase(&txn, &case, &actor, "contact_expired").await?;
            txn.commit().await?;
            erased += 1;
        }
    }
}

/// Encrypts the plain contact details of a database written before encryption (a migration
/// cannot: it does not know the key). Run at every start; does nothing once none is left.
pub async fn encrypt_plain_rows(db: &impl ConnectionTrait, key: &ContactKey) -> Result<usize, AppError> {
    let plain = |c: feedback_case::Column| Condition::all().add(c.is_not_null()).add(c.not_like(format!("{PREFIX}%")));
    let rows = feedback_case::Entity::find()
        .filter(
            Condition::any()
                .add(plain(feedback_case::Column::ContactName))
                .add(plain(feedback_case::Column::ContactPhone))
                .add(plain(feedback_case::Column::ContactEmail)),
        )
        .all(db)
        .await?;
    let n = rows.len();
    for case in rows {
        let seal = |field, v: &Option<String>| -> Result<Option<String>, AppError> {
            match v.as_deref() {
                Some(s) if !s.starts_with(PREFIX) => key.seal(&case.tracking_code, field, s).map(Some),
                other => Ok(other.map(str::to_owned)),
            }
        };
        // Not through `updated_at`: an officer's page read before this still acts normally.
        feedback_case::Entity::update_many()
            .set(feedback_case::ActiveModel {
                contact_name: Set(seal(Field::Name, &case.contact_name)?),
                contact_phone: Set(seal(Field::Phone, &case.contact_phone)?),
                contact_email: Set(seal(Field::Email, &case.contact_email)?),
                ..Default::default()
            })
            .filter(feedback_case::Column::Id.eq(case.id))
            .exec(db)
            .await?;
    }
    if n > 0 {
        tracing::info!(cases = n, "plain contact details encrypted");
    }
    Ok(n)
}
