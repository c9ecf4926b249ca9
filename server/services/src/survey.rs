//! Taking a citizen's answers at a counter: finding the counter and its questionnaire, checking
//! the answers, and storing them once, in one transaction.

use crate::{
    agencies,
    doors::{CounterContext, Door, counter_context, source_hash},
    entity::{procedure, response, response_answer, response_text},
    integrity, meta,
    state::AppState,
};
use chrono::{DateTime, Utc};
use domain::{
    dto::{CounterInfo, Localized, ProcedureView, SurveyForm},
    error::{AppError, ErrorCode, FieldError},
    survey::{self, RawAnswer},
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait,
};
use std::collections::BTreeMap;

pub fn survey_url(state: &AppState, counter_code: &str) -> String {
    format!("{}/s/{}", state.settings.public_url.trim_end_matches('/'), counter_code)
}

pub async fn counter_info(state: &AppState, code: &str) -> Result<CounterInfo, AppError> {
    let ctx = counter_context(state, code).await?;
    Ok(CounterInfo {
        survey_url: survey_url(state, &ctx.counter.code),
        counter_code: ctx.counter.code,
        counter_name: ctx.counter.name,
        agency_code: ctx.agency.code.clone(),
        agency_name: agencies::name_of(&ctx.agency),
    })
}

/// What the survey page of a counter shows.
pub async fn survey_form(state: &AppState, code: &str) -> Result<SurveyForm, AppError> {
    let ctx = counter_context(state, code).await?;
    let action = format!("/s/{}", ctx.counter.code);
    form_for(state, ctx, action, None).await
}

/// The survey behind a receipt's ticket: the same questions, bound to the dossier.
pub async fn ticket_form(state: &AppState, token: &str) -> Result<SurveyForm, AppError> {
    let open = crate::tickets::open(state, token).await?;
    form_for(state, open.counter, format!("/t/{token}"), Some(open.ticket.dossier_code)).await
}

async fn form_for(
    state: &AppState,
    ctx: CounterContext,
    action: String,
    dossier_code: Option<String>,
) -> Result<SurveyForm, AppError> {
    let procedures = agencies::procedures_for(&state.db, ctx.agency.id)
        .await?
        .into_iter()
        .map(|p| ProcedureView { code: p.code, name: Localized::new(p.name_vi, p.name_en) })
        .collect();
    Ok(SurveyForm {
        public_url: survey_url(state, &ctx.counter.code),
        counter_code: ctx.counter.code,
        counter_name: ctx.counter.name,
        agency_code: ctx.agency.code.clone(),
        agency_name: agencies::name_of(&ctx.agency),
        instrument_name: ctx.instrument.name.clone(),
        min_answers: ctx.instrument.min_answers,
        scales: ctx.instrument.scales.clone(),
        elements: ctx.instrument.element_views(),
        procedures,
        form_token: new_form_token()?,
        action,
        dossier_code,
    })
}

/// 128 random bits, hex-encoded.
pub fn new_form_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(meta::to_hex(&bytes))
}

/// A submission as it arrived, from the HTML form or the JSON API.
#[derive(Clone, Debug, Default)]
pub struct Submission {
    /// Decided by the server from the route and credential.
    pub door: Door,
    pub answers: BTreeMap<String, RawAnswer>,
    pub comment: Option<String>,
    pub procedure: Option<String>,
    /// Fields the client sent that we do not know (reported, never silently dropped).
    pub unknown_fields: Vec<String>,
    /// Problems the edge already found in the request, reported with the answers' own.
    pub problems: Vec<FieldError>,
    /// Makes resubmitting the same form a no-op.
    pub submission_key: Option<String>,
    /// Client address and `User-Agent`, for the integrity checks; never stored raw.
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Contact details left to be called back about a low rating (never stored with the
    /// response: they go into a feedback case, with the consent).
    pub contact: Option<SurveyContact>,
}

/// What a respondent leaves to be contacted again.
#[derive(Clone, Debug, Default)]
pub struct SurveyContact {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub consent: bool,
}

/// Whether the answers are low enough to call the respondent back: an answer at the bottom of
/// its scale, or fewer than half of the answers satisfied.
pub fn is_low(answers: &[(domain::scale::Scale, u8)]) -> bool {
    let rated: Vec<_> = answers.iter().filter(|(scale, _)| scale.is_rating()).collect();
    let satisfied = rated.iter().filter(|(scale, v)| *v >= scale.satisfied_from()).count();
    rated.iter().any(|(_, v)| *v == 1) || (!rated.is_empty() && satisfied * 2 < rated.len())
}

/// The result of storing a submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    pub response_id: i64,
    /// The same form had already been stored; nothing new was written.
    pub duplicate: bool,
    /// Stored without a flag: it counts in the default index.
    pub counted: bool,
}

/// What the gate made of a rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admitted {
    Stored(Stored),
    /// A tablet's repeated press within its minimum interval: not stored.
    Discarded,
}

/// Checks a submission against the counter's questionnaire and stores it. Every invalid field
/// is reported at once; nothing is stored unless all are valid.
pub async fn submit(state: &AppState, ctx: &CounterContext, sub: Submission) -> Result<Stored, AppError> {
    match admit(state, ctx, sub).await? {
        Admitted::Stored(stored) => Ok(stored),
        Admitted::Discarded => Err(AppError::internal("only a tablet's press can be discarded")),
    }
}

/// The one gate every rating passes, whatever its door: the credential is checked against the
/// counter, the answers against the questionnaire, then, inside the insert's transaction and
/// under the counter's lock, the integrity checks see every rating stored before it.
pub async fn admit(state: &AppState, ctx: &CounterContext, sub: Submission) -> Result<Admitted, AppError> {
    let mut errors: Vec<FieldError> =
        sub.unknown_fields.iter().map(|f| FieldError::new(f.clone(), ErrorCode::UnknownField)).collect();
    errors.extend(sub.problems.iter().cloned());
    // A key acts for its unit and the units below it, never for a sibling.
    if let Door::System { key, .. } = &sub.door
        && !crate::access::subtree(&agencies::all(&state.db).await?, key.agency_id).contains(&ctx.agency.id)
    {
        return Err(ErrorCode::Forbidden.into());
    }
    match &sub.door {
        Door::Kiosk(device) if device.counter_id != ctx.counter.id => {
            return Err(ErrorCode::KioskNotEnrolled.into());
        }
        Door::Receipt(t) if t.counter_id != ctx.counter.id => return Err(ErrorCode::TicketNotFound.into()),
        _ => {}
    }
    let instrument = &ctx.instrument;
    let answers = survey::check_answers(&instrument.criterion_scales(), instrument.min_answers, &sub.answers)
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    let comment = survey::check_comment(sub.comment.as_deref()).map_err(|e| errors.push(e)).ok().flatten();
    let procedure_id = match sub.procedure.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => sub.door.ticket().and_then(|t| t.procedure_id),
        Some(code) => match procedure::Entity::find().filter(procedure::Column::Code.eq(code)).one(&state.db).await? {
            Some(p) => Some(p.id),
            None => {
                errors.push(FieldError::new("procedure", ErrorCode::UnknownProcedure));
                None
            }
        },
    };
    let contact = match sub.contact.as_ref() {
        Some(c) if !(c.name.trim().is_empty() && c.phone.trim().is_empty() && c.email.trim().is_empty()) => {
            let (clean, mut problems) = domain::contact::check_contact(&c.name, &c.phone, &c.email, c.consent);
            for p in &mut problems {
                p.field = format!("contact_{}", p.field);
            }
            errors.append(&mut problems);
            Some(clean)
        }
        _ => None,
    };
    let (Some(answers), true) = (answers, errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };

    let ua_class = survey::user_agent_class(sub.user_agent.as_deref().unwrap_or(""));
    let criteria: Vec<(i64, Option<i16>)> = instrument
        .criteria()
        .map(|c| (c.id, answers.ratings.get(&c.code).copied().flatten().map(|r| i16::from(r.get()))))
        .collect();
    let texts: Vec<(i64, String)> =
        instrument.criteria().filter_map(|c| answers.texts.get(&c.code).map(|t| (c.id, t.clone()))).collect();
    let rated: Vec<(domain::scale::Scale, u8)> = instrument
        .criteria()
        .filter_map(|c| answers.ratings.get(&c.code).copied().flatten().map(|r| (c.scale, r.get())))
        .collect();
    let checked = Checked {
        source: sub.client_ip.as_deref().and_then(|ip| source_hash(&state.device_hash_key, ip)),
        client_ip: sub.client_ip,
        ua_class,
        key: sub.submission_key.filter(|k| !k.is_empty() && k.len() <= 64),
        at: sub.submitted_at.unwrap_or_else(crate::clock::now),
        door: sub.door,
        procedure_id,
        comment,
        criteria,
        texts,
    };

    let _writer = state.write_guard().await;
    let txn = state.db.begin().await?;
    let admitted = match store(&txn, state, ctx, &checked).await {
        Ok(admitted @ Admitted::Stored(Stored { duplicate: false, .. })) => {
            txn.commit().await?;
            admitted
        }
        // Nothing to keep: a resend, a discarded press, or a refusal.
        other => {
            txn.rollback().await?;
            other?
        }
    };
    drop(_writer);
    // A call-back case only for a rating that counts: a flagged one (a burst, past the daily
    // cap) could otherwise file cases and send mail without the form's limits.
    if let (Admitted::Stored(Stored { response_id, duplicate: false, counted: true }), Some(contact)) =
        (admitted, contact.filter(|_| is_low(&rated)))
    {
        // The rating is stored whatever happens here; a failure is logged for the agency.
        if let Err(e) = crate::cases::open_from_survey(
            state,
            &ctx.agency.code,
            &ctx.counter.name,
            response_id,
            contact,
            sub.comment.clone(),
            checked.client_ip.clone(),
        )
        .await
        {
            tracing::error!(code = e.code.as_str(), detail = ?e.detail, response_id, "callback case not opened");
        }
    }
    Ok(admitted)
}

/// A submission whose answers passed every check, ready to be stored.
#[derive(Clone, Debug)]
pub struct Checked {
    pub door: Door,
    /// Keyed hash of the client's source (IPv4 address or IPv6 /64).
    pub source: Option<String>,
    pub client_ip: Option<String>,
    pub ua_class: &'static str,
    pub key: Option<String>,
    pub at: DateTime<Utc>,
    pub procedure_id: Option<i64>,
    pub comment: Option<String>,
    /// (criterion id, value) for every criterion of the questionnaire.
    pub criteria: Vec<(i64, Option<i16>)>,
    pub texts: Vec<(i64, String)>,
}

/// Stores one checked submission inside the caller's transaction: takes the counter's lock,
/// recognises a resend, runs the integrity gate, and writes the response, its answers, texts
/// and counts. Every check sees the ratings stored before it in the same transaction, so a
/// writer that stores a batch in one transaction (a savepoint per item) keeps them exact.
pub async fn store(
    txn: &impl ConnectionTrait,
    state: &AppState,
    ctx: &CounterContext,
    c: &Checked,
) -> Result<Admitted, AppError> {
    // Every check below and the insert see the same ratings: one rating at a time per counter,
    // on SQLite by the single writer, on PostgreSQL (several servers) by the counter's lock.
    integrity::lock_counter(txn, ctx.counter.id).await?;
    if let Some(k) = &c.key
        && let Some(existing) =
            response::Entity::find().filter(response::Column::SubmissionKey.eq(k.as_str())).one(txn).await?
    {
        // The same form arrived twice (double tap, the back button and send again, a tablet's
        // retry): answered as stored, whatever the checks would say now.
        let counted = existing.flags.is_empty();
        return Ok(Admitted::Stored(Stored { response_id: existing.id, duplicate: true, counted }));
    }
    let ticket = c.door.ticket();
    let dossier = ticket.map(|t| t.dossier_code.clone());
    let verdict = integrity::gate(
        txn,
        &state.staff_networks,
        &integrity::Candidate {
            ctx,
            door: &c.door,
            source: c.source.as_deref(),
            client_ip: c.client_ip.as_deref(),
            answers: &c.criteria,
            dossier_code: dossier.as_deref(),
            at: c.at,
        },
        &integrity::Limits {
            source_daily_cap: state.settings.source_daily_cap,
            kiosk_interval: chrono::Duration::seconds(state.settings.kiosk_interval_seconds),
        },
    )
    .await?;
    let flags = match verdict {
        integrity::Verdict::Store(flags) => flags.to_db(),
        integrity::Verdict::Discard => return Ok(Admitted::Discarded),
    };
    let (api_key_id, kiosk_device_id) = match &c.door {
        Door::System { key, .. } => (Some(key.id), None),
        Door::Kiosk(device) => (None, Some(device.id)),
        _ => (None, None),
    };
    let channel = c.door.channel();
    let row = response::ActiveModel {
        id: NotSet,
        instrument_id: Set(ctx.instrument.id),
        counter_id: Set(ctx.counter.id),
        agency_id: Set(ctx.agency.id),
        procedure_id: Set(c.procedure_id),
        channel: Set(channel.as_str().to_owned()),
        submitted_at: Set(c.at),
        comment: Set(c.comment.clone()),
        device_hash: Set(c.source.clone()),
        ua_class: Set(Some(c.ua_class.to_owned())),
        submission_key: Set(c.key.clone()),
        verified: Set(ticket.is_some()),
        dossier_code: Set(dossier),
        ticket_id: Set(ticket.map(|t| t.id)),
        flags: Set(flags.clone()),
        api_key_id: Set(api_key_id),
        kiosk_device_id: Set(kiosk_device_id),
    };
    let response_id = response::Entity::insert(row).exec(txn).await?.last_insert_id;
    if let Some(t) = ticket {
        // Fails (and rolls everything back) if another submission used the ticket first.
        crate::tickets::redeem(txn, t.id, response_id).await?;
    }
    insert_answers(txn, response_id, &c.criteria).await?;
    crate::rollups::record(
        txn,
        &crate::rollups::ResponseFacts {
            agency_id: ctx.agency.id,
            counter_id: ctx.counter.id,
            instrument: &ctx.instrument,
            at: c.at,
            channel: channel.as_str(),
            verified: ticket.is_some(),
            flags: &flags,
            answers: &c.criteria,
        },
    )
    .await?;
    if !c.texts.is_empty() {
        let rows = c.texts.iter().map(|(criterion_id, text)| response_text::ActiveModel {
            response_id: Set(response_id),
            criterion_id: Set(*criterion_id),
            text: Set(text.clone()),
        });
        response_text::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(Admitted::Stored(Stored { response_id, duplicate: false, counted: flags.is_empty() }))
}

/// Inserts the answer rows of one response in a single statement.
pub async fn insert_answers(
    db: &impl ConnectionTrait,
    response_id: i64,
    criteria: &[(i64, Option<i16>)],
) -> Result<(), AppError> {
    let rows = criteria.iter().map(|(criterion_id, value)| response_answer::ActiveModel {
        response_id: Set(response_id),
        criterion_id: Set(*criterion_id),
        value: Set(*value),
    });
    response_answer::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_ratings_are_recognised() {
        use domain::scale::Scale::{Likert5, Smiley3, Text};
        assert!(is_low(&[(Likert5, 1), (Likert5, 5), (Likert5, 5)]), "one answer at the bottom");
        assert!(is_low(&[(Likert5, 3), (Likert5, 2), (Likert5, 4)]), "most not satisfied");
        assert!(!is_low(&[(Likert5, 3), (Likert5, 4), (Likert5, 5)]));
        assert!(!is_low(&[(Smiley3, 2), (Text, 1)]), "texts do not count");
        assert!(!is_low(&[]));
    }
}
