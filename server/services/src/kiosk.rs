//! Kiosk mode: a tablet at the counter asking one quick question on three smileys. Repeated
//! presses within the minimum interval are discarded; the tablet may queue ratings while the
//! network is down and send them later with the time they were given.

use crate::{
    clock::now,
    doors::{self, CounterContext, Door},
    instruments, meta,
    survey::{self, Admitted, Submission},
};
use crate::{
    entity::{instrument, kiosk_device, response_note},
    state::AppState,
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    dto::{KioskView, Localized},
    error::{AppError, ErrorCode, FieldError},
    kiosk::REASONS,
    survey::RawAnswer,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

/// The questionnaire of kiosks (seeded by a migration).
pub const KIOSK_INSTRUMENT: &str = "quick-smiley3";
/// Its one criterion.
pub const KIOSK_CRITERION: &str = "Q.A1";
/// How far back a queued rating may be dated when it finally reaches the server.
pub const MAX_QUEUE_AGE: Duration = Duration::days(7);

/// The counter with the kiosk questionnaire.
pub async fn context(state: &AppState, code: &str) -> Result<CounterContext, AppError> {
    let mut ctx = doors::counter_context(state, code).await?;
    let id = instrument::Entity::find()
        .filter(instrument::Column::Code.eq(KIOSK_INSTRUMENT))
        .filter(instrument::Column::Status.eq("published"))
        .order_by_desc(instrument::Column::Version)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("the kiosk questionnaire is missing: run the migrations"))?
        .id;
    ctx.instrument = instruments::load(&state.db, &state.instruments, id).await?;
    Ok(ctx)
}

/// What the kiosk page shows: the unit, the counter's public name, the question and the three
/// answers, best first. Never the staff member's identity.
pub async fn view(state: &AppState, code: &str) -> Result<KioskView, AppError> {
    let ctx = context(state, code).await?;
    let question = ctx.instrument.criteria().next().map(|c| c.text.clone()).unwrap_or_else(|| Localized::new("", ""));
    let mut options = ctx.instrument.scale_of(KIOSK_CRITERION);
    options.reverse();
    Ok(KioskView {
        counter_code: ctx.counter.code.clone(),
        counter_name: ctx.counter.name.clone(),
        agency_name: crate::agencies::name_of(&ctx.agency),
        question,
        options,
        interval_seconds: state.settings.kiosk_interval_seconds,
        enrolled: false,
        counter_id: ctx.counter.id,
    })
}

/// What became of a kiosk rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Stored {
        response_id: i64,
        duplicate: bool,
    },
    /// Pressed again within the minimum interval: not stored.
    Discarded,
}

/// One press on a kiosk.
#[derive(Clone, Debug, Default)]
pub struct KioskRating {
    pub rating: i64,
    /// When the citizen pressed (a queued rating arrives later): within the last week, not in
    /// the future, and not before the tablet was enrolled.
    pub rated_at: Option<DateTime<Utc>>,
    /// The "why?" chosen after a low rating (one of [`REASONS`]), sent together with it.
    pub reason: Option<String>,
    /// Chosen by the tablet per rating, so a resent rating is stored once.
    pub idempotency_key: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Stores one press of an enrolled tablet, unless another came within the minimum interval.
pub async fn rate(
    state: &AppState,
    code: &str,
    tablet: kiosk_device::Model,
    r: KioskRating,
) -> Result<Outcome, AppError> {
    let KioskRating { rating, rated_at, reason, idempotency_key, client_ip, user_agent } = r;
    let ctx = context(state, code).await?;
    if tablet.counter_id != ctx.counter.id {
        return Err(ErrorCode::KioskNotEnrolled.into());
    }
    let received = now();
    // A queued press is dated when it was pressed, but never before the tablet could press.
    let earliest = (received - MAX_QUEUE_AGE).max(tablet.enrolled_at.unwrap_or(received));
    let at = match rated_at {
        None => received,
        Some(t) if t <= received + Duration::minutes(5) && t >= earliest => t.min(received),
        Some(_) => return Err(AppError::invalid(vec![FieldError::new("rated_at", ErrorCode::InvalidDate)])),
    };
    if let Some(r) = &reason
        && !REASONS.contains(&r.as_str())
    {
        return Err(AppError::invalid(vec![FieldError::new("reason", ErrorCode::UnknownReason)]));
    }
    let key = idempotency_key.map(|k| meta::scoped_key(ctx.counter.id, &format!("kiosk:{k}")));
    let answers = BTreeMap::from([(KIOSK_CRITERION.to_owned(), RawAnswer::Integer(rating))]);
    let admitted = survey::admit(
        state,
        &ctx,
        Submission {
            door: Door::Kiosk(tablet),
            answers,
            submission_key: key,
            client_ip,
            user_agent,
            submitted_at: Some(at),
            ..Default::default()
        },
    )
    .await
    .map_err(|mut e| {
        // The tablet sent a rating, not a questionnaire: name the field it knows.
        for f in &mut e.fields {
            f.field = "rating".into();
        }
        e
    })?;
    let stored = match admitted {
        Admitted::Stored(stored) => stored,
        Admitted::Discarded => return Ok(Outcome::Discarded),
    };
    if let Some(reason) = reason
        && !stored.duplicate
    {
        store_note(state, stored.response_id, &reason).await?;
    }
    Ok(Outcome::Stored { response_id: stored.response_id, duplicate: stored.duplicate })
}

/// A token that lets the page that just stored a low rating add its "why?", and nothing else.
pub fn note_token(state: &AppState, response_id: i64) -> String {
    meta::to_hex(&meta::hmac_sha256(&state.ticket_key, format!("note:{response_id}").as_bytes())[..16])
}

/// Keeps the reason a citizen gave after a low rating (once per rating).
pub async fn add_note(state: &AppState, response_id: i64, token: &str, reason: &str) -> Result<(), AppError> {
    if !meta::secrets_match(&note_token(state, response_id), token) {
        return Err(ErrorCode::Forbidden.into());
    }
    if !REASONS.contains(&reason) {
        return Err(AppError::invalid(vec![FieldError::new("reason", ErrorCode::UnknownReason)]));
    }
    store_note(state, response_id, reason).await
}

async fn store_note(state: &AppState, response_id: i64, reason: &str) -> Result<(), AppError> {
    let exists = response_note::Entity::find_by_id(response_id).one(&state.db).await?.is_some();
    if !exists {
        response_note::ActiveModel {
            response_id: Set(response_id),
            reason: Set(reason.to_owned()),
            created_at: Set(now()),
        }
        .insert(&state.db)
        .await?;
    }
    Ok(())
}
