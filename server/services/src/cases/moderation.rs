//! Hiding a case from public view (never deleting it), and the canned replies officers insert.

use super::common::*;

/// Moderation: hides (never deletes) a case or one photo from every public view, with a
/// reason; or shows it again. Recorded in the case history and the audit log.
pub async fn moderate(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    photo_id: Option<i64>,
    hide: bool,
    reason: &str,
) -> Result<(), AppError> {
    let db = &state.db;
    let scope = handling_scope(db, user).await?;
    let case = by_code(db, code).await?;
    if !scope.contains(case.agency_id) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    let reason = note_field(reason, "reason", hide)?;
    let status = status_of(&case);
    let _writer = state.write_guard().await;
    let txn = db.begin().await?;
    let (entity, entity_id, action) = match photo_id {
        Some(pid) => {
            let p = case_photo::Entity::find_by_id(pid)
                .one(&txn)
                .await?
                .filter(|p| p.case_id == case.id)
                .ok_or(ErrorCode::NotFound)?;
            let mut row: case_photo::ActiveModel = p.into();
            row.hidden = Set(hide);
            row.hidden_reason = Set(reason.clone());
            row.update(&txn).await?;
            ("case_photo", pid.to_string(), if hide { "hide_photo" } else { "show_photo" })
        }
        None => {
            let mut row: feedback_case::ActiveModel = case.clone().into();
            row.hidden = Set(hide);
            row.hidden_reason = Set(reason.clone());
            row.updated_at = Set(now());
            row.update(&txn).await?;
            ("feedback_case", case.tracking_code.clone(), if hide { "hide" } else { "show" })
        }
    };
    event(&txn, case.id, Some(user.id), "officer", action, Some(status), status, None, reason.clone(), None).await?;
    crate::audit::record(
        &txn,
        &crate::audit::Actor::user(user),
        action,
        entity,
        &entity_id,
        Some(case.agency_id),
        Some(serde_json::json!({ "hidden": !hide })),
        Some(serde_json::json!({ "hidden": hide, "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A canned reply for a unit's officers (agency administrators manage them).
pub async fn add_canned_reply(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    unit: &str,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = agencies::by_code(db, unit).await?;
    access::ensure(&scope, unit.id)?;
    let title = note_field(title, "title", true)?.unwrap_or_default();
    let body = note_field(body, "body", true)?.unwrap_or_default();
    canned_reply::ActiveModel {
        agency_id: Set(unit.id),
        title: Set(title.chars().take(200).collect()),
        body: Set(body),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn remove_canned_reply(db: &impl ConnectionTrait, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let r = canned_reply::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    access::ensure(&scope, r.agency_id)?;
    canned_reply::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
