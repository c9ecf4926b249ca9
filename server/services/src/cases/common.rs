//! What the parts of the feedback service share: loading a case, writing its history, its
//! status and countdown, and the imports every part uses (each part starts with
//! `use super::common::*`).

pub(super) use crate::{
    access::{self, Scope},
    agencies,
    calendar::{self, Deadlines},
    clock::now,
    contact_key::{ContactKey, Field},
    contacts,
    current_user::CurrentUser,
    meta::{secrets_match, sha256_hex, tracking_link_key},
    outbox,
};
pub(super) use crate::{
    entity::{agency, app_user, canned_reply, case_event, case_photo, case_sequence, feedback_case, feedback_category},
    photos::{self, PhotoError},
    state::AppState,
};
pub(super) use chrono::{DateTime, Duration, Utc};
pub(super) use domain::{
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
pub(super) use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, OnConflict},
};
pub(super) use std::collections::HashMap;

/// The private link of a case.
pub fn private_path(code: &str, key: &str) -> String {
    format!("/gop-y/theo-doi/{code}?k={key}")
}

pub(super) fn name(a: &agency::Model) -> Localized {
    agencies::name_of(a)
}

pub(super) fn category_option(c: &feedback_category::Model) -> CategoryOption {
    CategoryOption { code: c.code.clone(), group: c.group_code.clone(), name: Localized::new(&c.name_vi, &c.name_en) }
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn event(
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
pub(super) async fn update_unchanged(
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

pub(super) async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<feedback_case::Model, AppError> {
    if !rules::is_tracking_code(code) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    feedback_case::Entity::find()
        .filter(feedback_case::Column::TrackingCode.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ErrorCode::CaseNotFound.into())
}

pub(super) fn status_of(c: &feedback_case::Model) -> Status {
    Status::parse(&c.status).unwrap_or(Status::Submitted)
}

pub(super) fn kind_of(c: &feedback_case::Model) -> Kind {
    Kind::parse(&c.kind).unwrap_or(Kind::Procedure)
}

/// Working days left for the step the case waits for.
pub(super) fn countdown(cal: &Calendar, c: &feedback_case::Model, at: DateTime<Utc>) -> Option<i64> {
    c.step_due_at.filter(|_| status_of(c).step().is_some()).map(|due| cal.working_days_left(at, due))
}

pub(super) async fn unit_names(db: &impl ConnectionTrait) -> Result<HashMap<i64, agency::Model>, AppError> {
    Ok(agencies::all(db).await?.iter().map(|a| (a.id, a.clone())).collect())
}

/// The public address of a case's tracking page (the citizen adds their key to see more).
pub fn public_path(code: &str) -> String {
    format!("/gop-y/theo-doi/{code}")
}

pub async fn categories(db: &impl ConnectionTrait) -> Result<Vec<feedback_category::Model>, AppError> {
    Ok(feedback_category::Entity::find()
        .filter(feedback_category::Column::Active.eq(true))
        .order_by_asc(feedback_category::Column::Sort)
        .all(db)
        .await?)
}

/// Current units as an indented list, in tree order.
pub fn unit_options(units: &[agency::Model], day: chrono::NaiveDate) -> Vec<UnitOption> {
    let children = agencies::children_map(units, day);
    let mut out = Vec::new();
    let mut stack: Vec<(&agency::Model, usize)> =
        children.get(&None).into_iter().flatten().rev().map(|a| (*a, 0)).collect();
    while let Some((a, depth)) = stack.pop() {
        out.push(UnitOption { code: a.code.clone(), name: name(a), depth });
        if depth < 64 {
            for kid in children.get(&Some(a.id)).into_iter().flatten().rev() {
                stack.push((kid, depth + 1));
            }
        }
    }
    out
}

pub(super) fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::new(field, ErrorCode::TextTooLong).with_arg("max", max)
}

/// Officers, agency administrators and system administrators handle cases; viewers do not
/// (cases carry personal data).
pub(super) async fn handling_scope(db: &impl ConnectionTrait, user: &CurrentUser) -> Result<Scope, AppError> {
    if user.role == Role::Viewer {
        return Err(ErrorCode::Forbidden.into());
    }
    access::scope_of(db, user).await
}

/// Whether the user may see the case (their unit handles it, or it was escalated to them).
pub(super) fn may_see(scope: &Scope, c: &feedback_case::Model) -> bool {
    scope.contains(c.agency_id) || c.escalated_to_id.is_some_and(|e| scope.contains(e))
}

pub(super) fn note_field(text: &str, field: &str, required: bool) -> Result<Option<String>, AppError> {
    let t = clean_text(text);
    if t.chars().count() > MAX_NOTE {
        return Err(AppError::invalid(vec![too_long(field, MAX_NOTE)]));
    }
    if t.is_empty() {
        return if required {
            Err(AppError::invalid(vec![FieldError::new(field, ErrorCode::Required)]))
        } else {
            Ok(None)
        };
    }
    Ok(Some(t))
}
