//! Feedback and complaints (phản ánh, kiến nghị): a resident files a case, gets a tracking code
//! and a private link; officers of the responsible unit receive, classify, assign, forward,
//! answer and publish it within working-day deadlines; the resident rates the answer or reopens
//! the case once. Every change writes its history entry (and any notification) in the same
//! transaction. Contact details never leave this module except to the officers of the case.
//!
//! One file per concern: `intake` (filing), `citizen` (the tracking link), `officer` (inbox and
//! actions), `sweeps` (missed deadlines), `disclosure` (what is published and counted),
//! `moderation` (hiding, canned replies), `settings` (deadlines, holidays). This file holds what
//! they share: loading a case, writing its history, its status and countdown.

use super::{
    access::{self, Scope},
    agencies,
    auth::CurrentUser,
    calendar::{self, Deadlines},
    contacts::{self, ContactKey, Field},
    meta::{secrets_match, sha256_hex, tracking_link_key},
    now, outbox,
};
use crate::{
    entity::{agency, app_user, canned_reply, case_event, case_photo, case_sequence, feedback_case, feedback_category},
    photos::{self, PhotoError},
    state::AppState,
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    accounts::Role,
    cases::{self as rules, Action, Kind, MAX_DESCRIPTION, MAX_NOTE, Rating, Status, Step, clean_text},
    dto::{
        Localized,
        feedback::{
            CannedReplyView, CategoryOption, CitizenCase, FeedbackForm, Inbox, InboxFilter, InboxRow, InternalEvent,
            Person, PhotoRef, PublicEvent, UnitOption,
        },
    },
    error::{AppError, ErrorCode, FieldError},
    period::vn_date,
    privacy::mask_personal_numbers,
    workdays::Calendar,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use std::collections::HashMap;

mod citizen;
mod disclosure;
mod intake;
mod moderation;
mod officer;
mod settings;
mod sweeps;

pub use citizen::*;
pub use disclosure::*;
pub use intake::*;
pub use moderation::*;
pub use officer::*;
pub use settings::*;
pub use sweeps::*;

/// The private link of a case.
pub fn private_path(code: &str, key: &str) -> String {
    format!("/gop-y/theo-doi/{code}?k={key}")
}

fn name(a: &agency::Model) -> Localized {
    agencies::name_of(a)
}

fn category_option(c: &feedback_category::Model) -> CategoryOption {
    CategoryOption { code: c.code.clone(), group: c.group_code.clone(), name: Localized::new(&c.name_vi, &c.name_en) }
}

#[allow(clippy::too_many_arguments)]
async fn event(
    db: &impl ConnectionTrait,
    case_id: i64,
    actor_id: Option<i64>,
    actor: &str,
    action: &str,
    from: Option<Status>,
    to: Status,
    public_note: Option<String>,
    internal_note: Option<String>,
    target: Option<i64>,
) -> Result<(), AppError> {
    case_event::ActiveModel {
        case_id: Set(case_id),
        at: Set(now()),
        actor_id: Set(actor_id),
        actor: Set(actor.into()),
        action: Set(action.into()),
        from_status: Set(from.map(|s| s.code().to_owned())),
        to_status: Set(to.code().into()),
        public_note: Set(public_note.filter(|n| !n.is_empty())),
        internal_note: Set(internal_note.filter(|n| !n.is_empty())),
        target_agency_id: Set(target),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Writes the changed columns of `case` only if nobody changed the case since it was read
/// (two officers acting at once, or two servers checking deadlines): the later one is told
/// the case moved on, instead of overwriting it.
async fn update_unchanged(
    db: &impl ConnectionTrait,
    case: &feedback_case::Model,
    row: feedback_case::ActiveModel,
) -> Result<(), AppError> {
    let done = feedback_case::Entity::update_many()
        .set(row)
        .filter(feedback_case::Column::Id.eq(case.id))
        .filter(feedback_case::Column::UpdatedAt.eq(case.updated_at))
        .exec(db)
        .await?;
    if done.rows_affected == 1 { Ok(()) } else { Err(ErrorCode::TransitionNotAllowed.into()) }
}

async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<feedback_case::Model, AppError> {
    if !rules::is_tracking_code(code) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    feedback_case::Entity::find()
        .filter(feedback_case::Column::TrackingCode.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ErrorCode::CaseNotFound.into())
}

fn status_of(c: &feedback_case::Model) -> Status {
    Status::parse(&c.status).unwrap_or(Status::Submitted)
}

fn kind_of(c: &feedback_case::Model) -> Kind {
    Kind::parse(&c.kind).unwrap_or(Kind::Procedure)
}

/// Working days left for the step the case waits for.
fn countdown(cal: &Calendar, c: &feedback_case::Model, at: DateTime<Utc>) -> Option<i64> {
    c.step_due_at.filter(|_| status_of(c).step().is_some()).map(|due| cal.working_days_left(at, due))
}

async fn unit_names(db: &impl ConnectionTrait) -> Result<HashMap<i64, agency::Model>, AppError> {
    Ok(agencies::all(db).await?.iter().map(|a| (a.id, a.clone())).collect())
}

/// The public address of a case's tracking page (the citizen adds their key to see more).
pub fn public_path(code: &str) -> String {
    format!("/gop-y/theo-doi/{code}")
}
