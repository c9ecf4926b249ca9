//! What the resident sees and does through the private tracking link: the case's public
//! history, replying, rating the answer, reopening once.

use super::common::*;
use crate::audit;

/// The case behind a private link; a wrong key looks exactly like an unknown code.
pub async fn by_private_link(
    db: &impl ConnectionTrait,
    code: &str,
    key: &str,
) -> Result<feedback_case::Model, AppError> {
    let case = by_code(db, code).await?;
    if key.is_empty() || !secrets_match(&case.access_hash, &sha256_hex(key)) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    Ok(case)
}

/// The case as its resident sees it.
pub(super) async fn citizen_view(db: &impl ConnectionTrait, c: &feedback_case::Model) -> Result<CitizenCase, AppError> {
    let units = unit_names(db).await?;
    let category = feedback_category::Entity::find_by_id(c.category_id).one(db).await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(c.id))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?;
    let photos = case_photo::Entity::find()
        .select_only()
        .column(case_photo::Column::Id)
        .column(case_photo::Column::Hidden)
        .column(case_photo::Column::HiddenReason)
        .filter(case_photo::Column::CaseId.eq(c.id))
        .order_by_asc(case_photo::Column::Position)
        .into_tuple::<(i64, bool, Option<String>)>()
        .all(db)
        .await?;
    let status = status_of(c);
    let question = (status == Status::NeedsInfo)
        .then(|| {
            events.iter().rev().find(|e| e.action == Action::RequestInfo.code()).and_then(|e| e.public_note.clone())
        })
        .flatten();
    let cal = calendar::calendar(db).await?;
    Ok(CitizenCase {
        tracking_code: c.tracking_code.clone(),
        kind: c.kind.clone(),
        category: category.map(|c| Localized::new(c.name_vi, c.name_en)).unwrap_or_else(|| Localized::new("", "")),
        agency: units.get(&c.agency_id).map(name).unwrap_or_else(|| Localized::new("", "")),
        status: c.status.clone(),
        submitted_at: c.submitted_at,
        due_at: c.step_due_at.filter(|_| status.step().is_some()),
        days_left: countdown(&cal, c, now()),
        description: c.description.clone(),
        address: c.address.clone(),
        answer: c.answer_text.clone().filter(|_| c.published_at.is_some()),
        rating: c.rating.clone(),
        question,
        can_reply: status == Status::NeedsInfo,
        can_rate: status == Status::Published,
        can_reopen: matches!(status, Status::Published | Status::Rated) && c.reopened_count < 1,
        history: events
            .iter()
            .map(|e| PublicEvent {
                at: e.at,
                action: e.action.clone(),
                status: e.to_status.clone(),
                note: e.public_note.clone(),
                agency: e.target_agency_id.and_then(|id| units.get(&id)).map(name),
            })
            .collect(),
        photos: photos.into_iter().map(|(id, hidden, hidden_reason)| PhotoRef { id, hidden, hidden_reason }).collect(),
        hidden: c.hidden,
        contact: None,
    })
}

/// `/gop-y/theo-doi/{code}?k=…`
/// The resident also sees the contact details they left (decrypted, only to the link holder).
pub async fn for_citizen(
    db: &impl ConnectionTrait,
    contact_key: &ContactKey,
    code: &str,
    key: &str,
) -> Result<CitizenCase, AppError> {
    let case = by_private_link(db, code, key).await?;
    let mut view = citizen_view(db, &case).await?;
    view.contact =
        contacts::reveal(contact_key, &case)?.filter(|c| c.name.is_some() || c.phone.is_some() || c.email.is_some());
    Ok(view)
}

/// What a resident does through the private link.
#[derive(Clone, Debug)]
pub enum CitizenAction {
    /// Answers the officer's request for more information.
    Reply(String),
    Rate(String),
    Reopen(String),
}

pub async fn citizen_act(state: &AppState, code: &str, key: &str, action: CitizenAction) -> Result<(), AppError> {
    let db = &state.db;
    let case = by_private_link(db, code, key).await?;
    let status = status_of(&case);
    let note = |text: &str, field: &str| -> Result<String, AppError> {
        let t = clean_text(text);
        if t.is_empty() {
            return Err(AppError::invalid(vec![FieldError::new(field, ErrorCode::Required)]));
        }
        if t.chars().count() > MAX_NOTE {
            return Err(AppError::invalid(vec![too_long(field, MAX_NOTE)]));
        }
        Ok(t)
    };
    let at = now();
    let _writer = state.write_guard().await;
    let txn = db.begin().await?;
    let mut row: feedback_case::ActiveModel = case.clone().into();
    row.updated_at = Set(at);
    let (to, action_code, public) = match action {
        CitizenAction::Reply(text) => {
            if status != Status::NeedsInfo {
                return Err(ErrorCode::TransitionNotAllowed.into());
            }
            let text = note(&text, "reply")?;
            row.status = Set(Status::Received.code().into());
            row.step_due_at = Set(Some(case.answer_due_at));
            (Status::Received, "citizen_reply", Some(text))
        }
        CitizenAction::Rate(value) => {
            let rating = Rating::parse(&value)
                .ok_or_else(|| AppError::invalid(vec![FieldError::new("rating", ErrorCode::Required)]))?;
            if status != Status::Published {
                return Err(ErrorCode::TransitionNotAllowed.into());
            }
            row.status = Set(Status::Rated.code().into());
            row.rating = Set(Some(rating.code().into()));
            row.rated_at = Set(Some(at));
            (Status::Rated, "rate", None)
        }
        CitizenAction::Reopen(reason) => {
            if !matches!(status, Status::Published | Status::Rated) {
                return Err(ErrorCode::TransitionNotAllowed.into());
            }
            if case.reopened_count >= 1 {
                return Err(ErrorCode::ReopenUsed.into());
            }
            let reason = note(&reason, "reason")?;
            let cal = calendar::calendar(&txn).await?;
            let deadlines = calendar::deadlines_for(&txn, case.agency_id).await?;
            let due = cal.add_working_days(at, deadlines.days(kind_of(&case), Step::Answer));
            row.status = Set(Status::Reopened.code().into());
            row.reopened_count = Set(case.reopened_count + 1);
            row.reopen_reason = Set(Some(reason.clone()));
            row.clock_from = Set(at);
            row.answer_due_at = Set(due);
            row.step_due_at = Set(Some(due));
            row.overdue_step = Set(None);
            (Status::Reopened, "reopen", Some(reason))
        }
    };
    update_unchanged(&txn, &case, row).await?;
    event(&txn, case.id, None, "citizen", action_code, Some(status), to, public, None, None).await?;
    txn.commit().await?;
    Ok(())
}

/// The resident erases their contact details through their private link (`Xoá thông tin liên
/// hệ`). Nothing to erase is not an error.
pub async fn erase_contact_by_resident(state: &AppState, code: &str, key: &str) -> Result<(), AppError> {
    let case = by_private_link(&state.db, code, key).await?;
    if contacts::stored_fields(&case).is_empty() && !case.consent {
        return Ok(());
    }
    let _writer = state.write_guard().await;
    let txn = state.db.begin().await?;
    contacts::erase(&txn, &case, &audit::Actor { user_id: None, label: "citizen".into() }, "contact_erased").await?;
    txn.commit().await?;
    Ok(())
}
