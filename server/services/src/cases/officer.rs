//! Officers' work on cases: the inbox of the units they handle, a case's full view, and the
//! actions (receive, reject, classify, assign, forward, answer, publish, close).

use super::{citizen::citizen_view, common::*};

/// The people who may be given a case of a unit: officers and administrators of the unit and
/// the units above it, limited to those the viewer's scope covers (a commune's officer is not
/// shown the province's staff, nor may hand them a case).
async fn handlers_for(db: &impl ConnectionTrait, agency_id: i64, viewer: &Scope) -> Result<Vec<Person>, AppError> {
    let units = agencies::all(db).await?;
    let chain: Vec<i64> =
        calendar::ancestors(&units, agency_id).into_iter().filter(|id| viewer.contains(*id)).collect();
    Ok(app_user::Entity::find()
        .filter(app_user::Column::AgencyId.is_in(chain))
        .filter(app_user::Column::Role.is_in([Role::Officer.as_str(), Role::AgencyAdmin.as_str()]))
        .filter(app_user::Column::Active.eq(true))
        .order_by_asc(app_user::Column::Login)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Person { id: u.id, name: format!("{} ({})", u.display_name, u.login) })
        .collect())
}

/// The officers' inbox: cases of their subtree (and those escalated to it), filtered.
pub async fn inbox(db: &impl ConnectionTrait, user: &CurrentUser, filter: InboxFilter) -> Result<Inbox, AppError> {
    let scope = handling_scope(db, user).await?;
    let mut q = feedback_case::Entity::find();
    if let Scope::Subtree { members, .. } = &scope {
        let ids: Vec<i64> = members.iter().copied().collect();
        q = q.filter(
            Condition::any()
                .add(feedback_case::Column::AgencyId.is_in(ids.clone()))
                .add(feedback_case::Column::EscalatedToId.is_in(ids)),
        );
    }
    if let Some(s) = Status::parse(&filter.status) {
        q = q.filter(feedback_case::Column::Status.eq(s.code()));
    } else if filter.status.is_empty() {
        // By default: what still needs something from the agency.
        q = q.filter(feedback_case::Column::Status.is_not_in([
            Status::Rejected.code(),
            Status::Closed.code(),
            Status::Published.code(),
            Status::Rated.code(),
        ]));
    }
    if let Some(k) = Kind::parse(&filter.kind) {
        q = q.filter(feedback_case::Column::Kind.eq(k.code()));
    }
    let cats = categories(db).await?;
    if let Some(c) = cats.iter().find(|c| c.code == filter.category) {
        q = q.filter(feedback_case::Column::CategoryId.eq(c.id));
    }
    if filter.overdue {
        q = q.filter(feedback_case::Column::StepDueAt.lt(now())).filter(feedback_case::Column::Status.is_in([
            Status::Submitted.code(),
            Status::Forwarded.code(),
            Status::Received.code(),
            Status::Classified.code(),
            Status::Assigned.code(),
            Status::Reopened.code(),
            Status::Answered.code(),
        ]));
    }
    match filter.assignee.as_str() {
        "" => {}
        "me" => q = q.filter(feedback_case::Column::HandlerId.eq(user.id)),
        "none" => q = q.filter(feedback_case::Column::HandlerId.is_null()),
        login => {
            let id = app_user::Entity::find()
                .filter(app_user::Column::Login.eq(login))
                .one(db)
                .await?
                .map(|u| u.id)
                .unwrap_or(-1);
            q = q.filter(feedback_case::Column::HandlerId.eq(id));
        }
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_asc(feedback_case::Column::StepDueAt)
        .order_by_asc(feedback_case::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let units = unit_names(db).await?;
    let handler_ids: Vec<i64> = rows.iter().filter_map(|r| r.handler_id).collect();
    let logins: HashMap<i64, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(handler_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect();
    let cal = calendar::calendar(db).await?;
    let at = now();
    let cat_names: HashMap<i64, Localized> =
        cats.iter().map(|c| (c.id, Localized::new(&c.name_vi, &c.name_en))).collect();
    let handlers = match scope.root() {
        Some(root) => handlers_for(db, root, &scope).await?,
        None => Vec::new(),
    };
    Ok(Inbox {
        rows: rows
            .iter()
            .map(|c| InboxRow {
                tracking_code: c.tracking_code.clone(),
                kind: c.kind.clone(),
                category: cat_names.get(&c.category_id).cloned().unwrap_or_else(|| Localized::new("", "")),
                agency: units.get(&c.agency_id).map(name).unwrap_or_else(|| Localized::new("", "")),
                status: c.status.clone(),
                submitted_at: c.submitted_at,
                due_at: c.step_due_at.filter(|_| status_of(c).step().is_some()),
                days_left: countdown(&cal, c, at),
                handler: c.handler_id.and_then(|id| logins.get(&id).cloned()),
                escalated: !scope.contains(c.agency_id),
            })
            .collect(),
        total,
        filter,
        categories: cats.iter().map(category_option).collect(),
        handlers,
    })
}

/// A case for an officer who may see it.
pub async fn for_officer(
    db: &impl ConnectionTrait,
    contact_key: &ContactKey,
    user: &CurrentUser,
    code: &str,
) -> Result<domain::dto::feedback::OfficerCase, AppError> {
    let scope = handling_scope(db, user).await?;
    let c = by_code(db, code).await?;
    if !may_see(&scope, &c) {
        // The same answer as for an unknown code: another unit's cases are not revealed.
        return Err(ErrorCode::CaseNotFound.into());
    }
    let view = citizen_view(db, &c).await?;
    let units = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|u| (u.id, u)).collect();
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(c.id))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?;
    let actor_ids: Vec<i64> = events.iter().filter_map(|e| e.actor_id).chain(c.handler_id).collect();
    let logins: HashMap<i64, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(actor_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect();
    let category = feedback_category::Entity::find_by_id(c.category_id).one(db).await?;
    let canned = canned_reply::Entity::find()
        .filter(canned_reply::Column::AgencyId.is_in(calendar::ancestors(&units, c.agency_id)))
        .order_by_asc(canned_reply::Column::Title)
        .all(db)
        .await?;
    let may_act = scope.contains(c.agency_id);
    // Only those who handle the case (its unit and the units above) read the contact details,
    // each read in the audit log; an anonymous case has none.
    let contact = if may_act { contacts::read_for_handler(db, contact_key, user, &c).await? } else { None };
    Ok(domain::dto::feedback::OfficerCase {
        category_code: category.map(|c| c.code).unwrap_or_default(),
        agency_code: by_id.get(&c.agency_id).map(|a| a.code.clone()).unwrap_or_default(),
        triage: c.triage,
        escalated_to: c.escalated_to_id.and_then(|id| by_id.get(&id)).map(|a| name(a)),
        answer_due_at: c.answer_due_at,
        contact,
        channel: c.channel.clone(),
        location: c.lat.zip(c.lon),
        handler: c.handler_id.and_then(|id| logins.get(&id).cloned()),
        hidden_reason: c.hidden_reason.clone(),
        events: events
            .iter()
            .map(|e| InternalEvent {
                at: e.at,
                actor: match e.actor_id.and_then(|id| logins.get(&id)) {
                    Some(login) => login.clone(),
                    None => e.actor.clone(),
                },
                action: e.action.clone(),
                from_status: e.from_status.clone(),
                status: e.to_status.clone(),
                public_note: e.public_note.clone(),
                internal_note: e.internal_note.clone(),
                agency: e.target_agency_id.and_then(|id| by_id.get(&id)).map(|a| name(a)),
            })
            .collect(),
        actions: if may_act {
            rules::allowed_actions(status_of(&c)).into_iter().map(|a| a.code().to_owned()).collect()
        } else {
            Vec::new()
        },
        suggested: rules::suggested_action(status_of(&c)).filter(|_| may_act).map(|a| a.code().to_owned()),
        handlers: handlers_for(db, c.agency_id, &scope).await?,
        units: unit_options(&units, vn_date(now())),
        categories: categories(db).await?.iter().map(category_option).collect(),
        canned: canned.into_iter().map(|r| CannedReplyView { id: r.id, title: r.title, body: r.body }).collect(),
        may_act,
        case: view,
    })
}

/// What an officer sends with an action.
#[derive(Clone, Debug, Default)]
pub struct OfficerInput {
    pub action: String,
    pub public_note: String,
    pub internal_note: String,
    /// Assign: the handler's user id.
    pub handler: String,
    /// Forward: the unit code.
    pub target: String,
    /// Classify: a new category and kind (optional).
    pub category: String,
    pub kind: String,
    /// The officer ticked the confirmation (needed to reject or close).
    pub confirmed: bool,
}

/// An officer's action on a case (or `note`: an internal note only). Checks the officer's
/// unit, the workflow and the input; writes the change, its history entry and any message
/// to the citizen in one transaction.
pub async fn act(state: &AppState, user: &CurrentUser, code: &str, input: OfficerInput) -> Result<(), AppError> {
    let db = &state.db;
    let scope = handling_scope(db, user).await?;
    let case = by_code(db, code).await?;
    if !may_see(&scope, &case) {
        return Err(ErrorCode::CaseNotFound.into());
    }
    let status = status_of(&case);
    let at = now();
    if input.action == "note" {
        let internal = note_field(&input.internal_note, "internal_note", true)?;
        let _writer = state.write_guard().await;
        let txn = db.begin().await?;
        event(&txn, case.id, Some(user.id), "officer", "note", Some(status), status, None, internal, None).await?;
        txn.commit().await?;
        return Ok(());
    }
    if !scope.contains(case.agency_id) {
        return Err(ErrorCode::Forbidden.into());
    }
    let action = Action::parse(&input.action)
        .ok_or_else(|| AppError::invalid(vec![FieldError::new("action", ErrorCode::UnknownField)]))?;
    if !rules::allowed(status, action) {
        return Err(ErrorCode::TransitionNotAllowed.into());
    }
    let public = note_field(&input.public_note, "public_note", action.needs_public_note())?;
    if action.needs_confirmation() && !input.confirmed {
        return Err(AppError::invalid(vec![FieldError::new("confirm", ErrorCode::ConfirmationRequired)]));
    }
    let internal = note_field(&input.internal_note, "internal_note", false)?;
    let cal = calendar::calendar(db).await?;
    let mut kind = kind_of(&case);
    let mut row: feedback_case::ActiveModel = case.clone().into();
    row.updated_at = Set(at);
    row.status = Set(action.target().code().into());
    let mut target = None;
    let mut deadlines: Deadlines = calendar::deadlines_for(db, case.agency_id).await?;
    let mut notify: Option<(&str, String, String)> = None;
    match action {
        Action::Receive => {
            if case.received_at.is_none() {
                row.received_at = Set(Some(at));
            }
            row.triage = Set(false);
            row.step_due_at = Set(Some(case.answer_due_at));
        }
        Action::Reject => {
            row.step_due_at = Set(None);
            row.closed_at = Set(Some(at));
            notify = Some((
                "rejected",
                format!("Phản ánh {} không được tiếp nhận", case.tracking_code),
                format!("Lý do / Reason:\n{}", public.clone().unwrap_or_default()),
            ));
        }
        Action::RequestInfo => {
            if case.info_requested_at.is_none() {
                row.info_requested_at = Set(Some(at));
            }
            row.step_due_at = Set(None);
            notify = Some((
                "info_request",
                format!("Cần bổ sung thông tin cho phản ánh {}", case.tracking_code),
                format!(
                    "Cơ quan cần ông/bà bổ sung thông tin / The agency needs more information:\n\n{}",
                    public.clone().unwrap_or_default()
                ),
            ));
        }
        Action::Classify => {
            if !input.category.trim().is_empty() {
                let c = feedback_category::Entity::find()
                    .filter(feedback_category::Column::Code.eq(input.category.trim()))
                    .one(db)
                    .await?
                    .ok_or_else(|| AppError::invalid(vec![FieldError::new("category", ErrorCode::UnknownCategory)]))?;
                row.category_id = Set(c.id);
            }
            if !input.kind.trim().is_empty() {
                kind = Kind::parse(&input.kind)
                    .ok_or_else(|| AppError::invalid(vec![FieldError::new("kind", ErrorCode::UnknownKind)]))?;
                row.kind = Set(kind.code().into());
            }
            if case.received_at.is_none() {
                row.received_at = Set(Some(at));
            }
            row.step_due_at = Set(Some(case.answer_due_at));
        }
        Action::Assign => {
            let id: i64 = input
                .handler
                .trim()
                .parse()
                .map_err(|_| AppError::invalid(vec![FieldError::new("handler", ErrorCode::Required)]))?;
            if !handlers_for(db, case.agency_id, &scope).await?.iter().any(|p| p.id == id) {
                return Err(AppError::invalid(vec![FieldError::new("handler", ErrorCode::UnknownField)]));
            }
            row.handler_id = Set(Some(id));
            if case.received_at.is_none() {
                row.received_at = Set(Some(at));
            }
            row.step_due_at = Set(Some(case.answer_due_at));
        }
        Action::Forward => {
            let to = agencies::by_code(db, input.target.trim())
                .await
                .map_err(|_| AppError::invalid(vec![FieldError::new("target", ErrorCode::AgencyNotFound)]))?;
            if to.id == case.agency_id || !agencies::is_current(&to, vn_date(at)) {
                return Err(AppError::invalid(vec![FieldError::new("target", ErrorCode::AgencyNotFound)]));
            }
            // The clock restarts at the unit that receives it.
            deadlines = calendar::deadlines_for(db, to.id).await?;
            let answer_due = cal.add_working_days(at, deadlines.days(kind, Step::Answer));
            row.agency_id = Set(to.id);
            row.clock_from = Set(at);
            row.answer_due_at = Set(answer_due);
            row.step_due_at = Set(Some(cal.add_working_days(at, deadlines.days(kind, Step::Receive))));
            row.handler_id = Set(None);
            row.escalated_to_id = Set(None);
            row.overdue_step = Set(None);
            row.triage = Set(false);
            target = Some(to.id);
        }
        Action::Answer => {
            row.answer_text = Set(public.clone());
            row.answered_at = Set(Some(at));
            row.step_due_at = Set(Some(cal.add_working_days(at, deadlines.days(kind, Step::Publish))));
        }
        Action::Publish => {
            row.published_at = Set(Some(at));
            row.step_due_at = Set(None);
            notify = Some((
                "answer_published",
                format!("Đã có trả lời cho phản ánh {}", case.tracking_code),
                format!(
                    "Trả lời của cơ quan / The agency's answer:\n\n{}",
                    case.answer_text.clone().unwrap_or_default()
                ),
            ));
        }
        Action::Close => {
            row.closed_at = Set(Some(at));
            row.step_due_at = Set(None);
        }
    }
    let _writer = state.write_guard().await;
    let txn = db.begin().await?;
    update_unchanged(&txn, &case, row).await?;
    // The answer itself is on the case; the history only says that it was given.
    let event_note = if action == Action::Answer { None } else { public };
    event(
        &txn,
        case.id,
        Some(user.id),
        "officer",
        action.code(),
        Some(status),
        action.target(),
        event_note,
        internal,
        target,
    )
    .await?;
    if let Some((purpose, subject, text)) = notify
        && contacts::wants_mail(&case)
    {
        let body = format!("{text}\n\n{}{}\n", state.settings.public_url, public_path(&case.tracking_code));
        outbox::to_resident(&txn, &state.settings, case.id, &subject, &body, purpose).await?;
    }
    txn.commit().await?;
    Ok(())
}
