//! Taking a citizen's answers at a counter: finding the counter and its questionnaire, checking
//! the answers, and storing them once, in one transaction.

use super::{agencies, instruments, instruments::InstrumentDef, integrity, meta};
use crate::{
    domain::{
        codes::CounterCode,
        survey::{self, Channel, RawAnswer},
    },
    dto::{CounterInfo, Localized, ProcedureView, SurveyForm},
    error::{AppError, ErrorCode, FieldError},
    server::{
        entity::{agency, counter, procedure, response, response_answer, response_text, ticket},
        state::AppState,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr, TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, sync::Arc};

/// A counter with its unit and the questionnaire it asks.
#[derive(Clone, Debug)]
pub struct CounterContext {
    pub counter: counter::Model,
    pub agency: agency::Model,
    pub instrument: Arc<InstrumentDef>,
}

/// Finds the counter behind a QR code; unknown or malformed codes are "counter not found".
pub async fn counter_context(state: &AppState, code: &str) -> Result<CounterContext, AppError> {
    let code = CounterCode::parse(code).ok_or(ErrorCode::CounterNotFound)?;
    // One round trip for the counter and its unit: this runs on every survey submission.
    let (counter, agency) = counter::Entity::find()
        .filter(counter::Column::Code.eq(code.as_str()))
        .find_also_related(agency::Entity)
        .one(&state.db)
        .await?
        .ok_or(ErrorCode::CounterNotFound)?;
    let agency = agency.ok_or_else(|| AppError::internal(format!("counter {} has no unit", counter.id)))?;
    if counter.disabled_at.is_some()
        || agency.valid_to.is_some_and(|end| end <= crate::domain::period::vn_date(super::now()))
    {
        return Err(ErrorCode::CounterClosed.into());
    }
    let instrument_id = match counter.instrument_id {
        Some(id) => id,
        None => instruments::cached_default_id(&state.db, &state.instruments).await?,
    };
    let instrument = instruments::load(&state.db, &state.instruments, instrument_id).await?;
    Ok(CounterContext { counter, agency, instrument })
}

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
    let open = super::tickets::open(state, token).await?;
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
    pub channel: Option<String>,
    pub answers: BTreeMap<String, RawAnswer>,
    pub comment: Option<String>,
    pub procedure: Option<String>,
    /// Fields the client sent that we do not know (reported, never silently dropped).
    pub unknown_fields: Vec<String>,
    /// Makes resubmitting the same form a no-op.
    pub submission_key: Option<String>,
    /// Client address and `User-Agent`, for the integrity fields; never stored raw.
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The receipt-bound ticket this answers, if any: the response is then verified.
    pub ticket: Option<ticket::Model>,
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
pub fn is_low(answers: &[(crate::domain::scale::Scale, u8)]) -> bool {
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
}

/// Keyed hash of the client's address and browser class: enough to spot many ratings from one
/// device, not enough to recover the address.
pub fn device_hash(key: &[u8; 32], ip: &str, ua_class: &str) -> String {
    let mut h = Sha256::new();
    h.update(key);
    h.update(ip.as_bytes());
    h.update([0]);
    h.update(ua_class.as_bytes());
    meta::to_hex(&h.finalize()[..16])
}

/// Checks a submission against the counter's questionnaire and stores it. Every invalid field
/// is reported at once; nothing is stored unless all are valid.
pub async fn submit(state: &AppState, ctx: &CounterContext, sub: Submission) -> Result<Stored, AppError> {
    let mut errors: Vec<FieldError> =
        sub.unknown_fields.iter().map(|f| FieldError::new(f.clone(), ErrorCode::UnknownField)).collect();
    let channel = match sub.channel.as_deref() {
        None => Channel::Qr,
        Some(c) => Channel::parse(c).unwrap_or_else(|| {
            errors.push(FieldError::new("channel", ErrorCode::UnknownChannel));
            Channel::Qr
        }),
    };
    let instrument = &ctx.instrument;
    let answers = survey::check_answers(&instrument.criterion_scales(), instrument.min_answers, &sub.answers)
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    let comment = survey::check_comment(sub.comment.as_deref()).map_err(|e| errors.push(e)).ok().flatten();
    let procedure_id = match sub.procedure.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => sub.ticket.as_ref().and_then(|t| t.procedure_id),
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
            let (clean, mut problems) = super::cases::check_contact(&c.name, &c.phone, &c.email, c.consent);
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
    let device = sub.client_ip.as_deref().map(|ip| device_hash(&state.device_hash_key, ip, ua_class));
    let key = sub.submission_key.filter(|k| !k.is_empty() && k.len() <= 64);
    let at = sub.submitted_at.unwrap_or_else(super::now);
    let criteria: Vec<(i64, Option<i16>)> = instrument
        .criteria()
        .map(|c| (c.id, answers.ratings.get(&c.code).copied().flatten().map(|r| i16::from(r.get()))))
        .collect();
    let texts: Vec<(i64, String)> =
        instrument.criteria().filter_map(|c| answers.texts.get(&c.code).map(|t| (c.id, t.clone()))).collect();
    // Open QR codes can be scanned by anyone, any number of times: a device that sends too many
    // ratings in a few minutes is refused, not just flagged.
    if let (Channel::Qr, None, Some(d)) = (channel, &sub.ticket, &device)
        && integrity::rate_limited(&state.db, d, at).await?
    {
        return Err(ErrorCode::TooManySubmissions.into());
    }
    let dossier = sub.ticket.as_ref().map(|t| t.dossier_code.clone());
    let flags = integrity::check(
        &state.db,
        &state.staff_networks,
        &integrity::Candidate {
            ctx,
            channel,
            device_hash: device.as_deref(),
            client_ip: sub.client_ip.as_deref(),
            answers: &criteria,
            dossier_code: dossier.as_deref(),
            at,
        },
    )
    .await?;
    let flags = flags.to_db();
    let row = response::ActiveModel {
        id: NotSet,
        instrument_id: Set(instrument.id),
        counter_id: Set(ctx.counter.id),
        agency_id: Set(ctx.agency.id),
        procedure_id: Set(procedure_id),
        channel: Set(channel.as_str().to_owned()),
        submitted_at: Set(at),
        comment: Set(comment),
        device_hash: Set(device),
        ua_class: Set(Some(ua_class.to_owned())),
        submission_key: Set(key.clone()),
        verified: Set(sub.ticket.is_some()),
        dossier_code: Set(dossier),
        ticket_id: Set(sub.ticket.as_ref().map(|t| t.id)),
        flags: Set(flags.clone()),
    };
    let _writer = state.write_guard().await;
    let txn = state.db.begin().await?;
    let inserted = response::Entity::insert(row).exec(&txn).await;
    let response_id = match inserted {
        Ok(r) => r.last_insert_id,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) && key.is_some() => {
            // The same form arrived twice (double tap, or the back button and send again).
            txn.rollback().await?;
            let existing = response::Entity::find()
                .filter(response::Column::SubmissionKey.eq(key))
                .one(&state.db)
                .await?
                .ok_or_else(|| AppError::internal(e))?;
            return Ok(Stored { response_id: existing.id, duplicate: true });
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(t) = &sub.ticket {
        // Fails (and rolls everything back) if another submission used the ticket first.
        super::tickets::redeem(&txn, t.id, response_id).await?;
    }
    insert_answers(&txn, response_id, &criteria).await?;
    super::rollups::record(
        &txn,
        &super::rollups::ResponseFacts {
            agency_id: ctx.agency.id,
            counter_id: ctx.counter.id,
            instrument,
            at,
            channel: channel.as_str(),
            verified: sub.ticket.is_some(),
            flags: &flags,
            answers: &criteria,
        },
    )
    .await?;
    if !texts.is_empty() {
        let rows = texts.into_iter().map(|(criterion_id, text)| response_text::ActiveModel {
            response_id: Set(response_id),
            criterion_id: Set(criterion_id),
            text: Set(text),
        });
        response_text::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    drop(_writer);
    let rated: Vec<(crate::domain::scale::Scale, u8)> = instrument
        .criteria()
        .filter_map(|c| answers.ratings.get(&c.code).copied().flatten().map(|r| (c.scale, r.get())))
        .collect();
    if let Some(contact) = contact.filter(|_| is_low(&rated)) {
        // The rating is stored whatever happens here; a failure is logged for the agency.
        if let Err(e) = super::cases::open_from_survey(
            state,
            &ctx.agency.code,
            &ctx.counter.name,
            response_id,
            contact,
            sub.comment.clone(),
        )
        .await
        {
            tracing::error!(code = e.code.as_str(), detail = ?e.detail, response_id, "callback case not opened");
        }
    }
    Ok(Stored { response_id, duplicate: false })
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
        use crate::domain::scale::Scale::{Likert5, Smiley3, Text};
        assert!(is_low(&[(Likert5, 1), (Likert5, 5), (Likert5, 5)]), "one answer at the bottom");
        assert!(is_low(&[(Likert5, 3), (Likert5, 2), (Likert5, 4)]), "most not satisfied");
        assert!(!is_low(&[(Likert5, 3), (Likert5, 4), (Likert5, 5)]));
        assert!(!is_low(&[(Smiley3, 2), (Text, 1)]), "texts do not count");
        assert!(!is_low(&[]));
    }

    #[test]
    fn device_hashes_are_keyed_and_short() {
        let k1 = [1u8; 32];
        let k2 = [2u8; 32];
        let a = device_hash(&k1, "203.0.113.7", "mobile");
        assert_eq!(a.len(), 32);
        assert_eq!(a, device_hash(&k1, "203.0.113.7", "mobile"));
        assert_ne!(a, device_hash(&k2, "203.0.113.7", "mobile"));
        assert_ne!(a, device_hash(&k1, "203.0.113.8", "mobile"));
        assert!(!a.contains("203"));
    }
}
