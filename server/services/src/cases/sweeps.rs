//! Missed deadlines, found by the background worker: flagged, escalated, apologised for.

use super::common::*;

/// Handles every missed deadline not handled yet: the case is flagged in its history,
/// escalated to the parent unit, and the citizen gets an apology. Returns how many.
pub async fn sweep_overdue(state: &AppState, at: DateTime<Utc>) -> Result<usize, AppError> {
    let (db, settings) = (&state.db, &*state.settings);
    let active: Vec<&str> = Status::ALL.into_iter().filter(|s| s.step().is_some()).map(Status::code).collect();
    let late = feedback_case::Entity::find()
        .filter(feedback_case::Column::StepDueAt.lt(at))
        .filter(feedback_case::Column::Status.is_in(active))
        .order_by_asc(feedback_case::Column::Id)
        .all(db)
        .await?;
    let units = unit_names(db).await?;
    let mut handled = 0;
    for case in late {
        let status = status_of(&case);
        let (Some(step), Some(due)) = (status.step(), case.step_due_at) else { continue };
        let mark = format!("{}:{}", step.code(), due.timestamp());
        if case.overdue_step.as_deref() == Some(mark.as_str()) {
            continue;
        }
        let parent = units.get(&case.agency_id).and_then(|a| a.parent_id);
        let txn = db.begin().await?;
        let mut row: feedback_case::ActiveModel = case.clone().into();
        row.overdue_step = Set(Some(mark));
        row.updated_at = Set(at);
        if parent.is_some() {
            row.escalated_to_id = Set(parent);
        }
        if update_unchanged(&txn, &case, row).await.is_err() {
            // Another server handled it, or an officer acted meanwhile.
            txn.rollback().await?;
            continue;
        }
        let apology = "Cơ quan xin lỗi ông/bà vì chưa xử lý phản ánh này đúng hạn. Phản ánh đã được báo lên cơ quan cấp trên để đôn đốc. / We apologise: this case was not handled in time. It has been reported to the higher authority.".to_owned();
        event(
            &txn,
            case.id,
            None,
            "system",
            "overdue",
            Some(status),
            status,
            Some(apology.clone()),
            Some(format!("step: {}", step.code())),
            parent,
        )
        .await?;
        if contacts::wants_mail(&case) {
            let body = format!(
                "{apology}\n\nMã theo dõi / Tracking code: {}\n{}{}\n",
                case.tracking_code,
                settings.public_url,
                public_path(&case.tracking_code)
            );
            outbox::to_resident(
                &txn,
                settings,
                case.id,
                &format!("Xin lỗi vì chậm xử lý phản ánh {}", case.tracking_code),
                &body,
                "overdue_apology",
            )
            .await?;
        }
        txn.commit().await?;
        handled += 1;
    }
    Ok(handled)
}
