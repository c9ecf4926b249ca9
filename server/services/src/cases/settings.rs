//! Feedback settings of a unit: its deadlines per step, and the holiday calendar.

use super::common::*;

/// The feedback settings page of an administrator's subtree.
pub async fn settings(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> Result<domain::dto::feedback::FeedbackSettings, AppError> {
    use crate::entity::deadline_rule;
    use domain::dto::feedback::{CannedAdminView, FeedbackSettings, HolidayView, RuleView};
    let scope = access::admin_scope(db, user).await?;
    let units = agencies::all(db).await?;
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|u| (u.id, u)).collect();
    let rules = deadline_rule::Entity::find().order_by_asc(deadline_rule::Column::Id).all(db).await?;
    let canned = canned_reply::Entity::find().order_by_asc(canned_reply::Column::Id).all(db).await?;
    let holidays = calendar::holidays(db).await?;
    Ok(FeedbackSettings {
        units: unit_options(&units, vn_date(now()))
            .into_iter()
            .filter(|u| units.iter().any(|a| a.code == u.code && scope.contains(a.id)))
            .collect(),
        rules: rules
            .into_iter()
            .filter(|r| scope.contains(r.agency_id))
            .filter_map(|r| {
                let unit = by_id.get(&r.agency_id)?;
                Some(RuleView {
                    unit: unit.code.clone(),
                    unit_name: name(unit),
                    kind: r.kind,
                    step: r.step,
                    days: r.days,
                })
            })
            .collect(),
        canned: canned
            .into_iter()
            .filter(|c| scope.contains(c.agency_id))
            .map(|c| CannedAdminView {
                id: c.id,
                unit: by_id.get(&c.agency_id).map(|u| u.code.clone()).unwrap_or_default(),
                title: c.title,
                body: c.body,
            })
            .collect(),
        year_bases: calendar::bases(&holidays),
        holidays: holidays
            .into_iter()
            .map(|h| HolidayView {
                day: h.day,
                off: h.off,
                name: Localized::new(h.name_vi, h.name_en),
                notice: h.notice,
            })
            .collect(),
        may_edit_holidays: scope.root().is_none(),
    })
}

/// Sets a unit's deadline rule (agency administrators, in their subtree).
pub async fn set_deadline(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    unit: &str,
    kind: &str,
    step: &str,
    days: &str,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = agencies::by_code(db, unit).await?;
    access::ensure(&scope, unit.id)?;
    let kind = match kind.trim() {
        "" => None,
        k => Some(
            Kind::parse(k).ok_or_else(|| AppError::invalid(vec![FieldError::new("kind", ErrorCode::UnknownKind)]))?,
        ),
    };
    let step =
        Step::parse(step).ok_or_else(|| AppError::invalid(vec![FieldError::new("step", ErrorCode::UnknownField)]))?;
    let days = match days.trim() {
        "" => None,
        d => {
            Some(d.parse::<u32>().map_err(|_| AppError::invalid(vec![FieldError::new("days", ErrorCode::WrongType)]))?)
        }
    };
    calendar::set_rule(db, unit.id, kind, step, days).await?;
    crate::audit::record(
        db,
        &crate::audit::Actor::user(user),
        "set_deadline",
        "deadline_rule",
        &format!("{}:{}:{}", unit.code, kind.map(Kind::code).unwrap_or("*"), step.code()),
        Some(unit.id),
        None,
        Some(serde_json::json!({ "days": days })),
    )
    .await
}

/// Adds or changes a day of the holiday calendar (`Some`), or removes the day `day`
/// (`None`); system administrators only: the calendar is national. Names are trimmed, an empty
/// English name takes the Vietnamese one, an empty notice means the Labour Code's rule.
pub async fn edit_holiday(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    day: chrono::NaiveDate,
    entry: Option<domain::workdays::SpecialDay>,
) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    if scope.root().is_some() {
        return Err(ErrorCode::Forbidden.into());
    }
    let after = entry
        .as_ref()
        .map(|e| serde_json::json!({ "off": e.off, "name_vi": e.name_vi, "name_en": e.name_en, "notice": e.notice }));
    match entry {
        Some(entry) => calendar::put_holiday(db, domain::workdays::SpecialDay { date: day, ..entry }).await?,
        None => calendar::remove_holiday(db, day).await?,
    }
    crate::audit::record(
        db,
        &crate::audit::Actor::user(user),
        if after.is_some() { "put_holiday" } else { "remove_holiday" },
        "holiday",
        &day.to_string(),
        None,
        None,
        after,
    )
    .await
}
