//! Index targets and alerts. A unit's targets (goal and alert floor) are set by its
//! administrators and inherited down the tree. The sweep, which every server runs every hour,
//! computes each unit's index over the last 30 days and the 30 before, opens an alert when
//! the index is below the floor or has dropped beyond chance, writes the notification to the
//! outbox in the same transaction, and closes alerts whose condition has cleared. The same
//! sweep checks counters for a day of suspiciously perfect ratings (`anomalies`).

use crate::{
    access, agencies, alert_targets::Targets, analytics::Lens, anomalies, audit, clock::now, current_user::CurrentUser,
    outbox,
};
use crate::{
    entity::{agency, index_alert, index_target},
    state::AppState,
};
use chrono::{Days, NaiveDate};
use domain::{
    error::{AppError, ErrorCode, FieldError},
    integrity::Basis,
    period::{Period, vn_date},
    sipas::{Estimate, Rollup},
    stats::{self, Z95},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr,
    TransactionTrait,
};
use std::collections::HashMap;

/// Days in an alert window.
pub const WINDOW_DAYS: u64 = 30;

pub const BELOW_FLOOR: &str = "below_floor";
pub const SIGNIFICANT_DROP: &str = "significant_drop";

/// A target value as typed in a form: empty for none, else a percentage 0–100 (a comma is
/// taken as the decimal separator, as Vietnamese writes it).
pub fn parse_target(raw: &str) -> Result<Option<f64>, ErrorCode> {
    let raw = raw.trim().trim_end_matches('%').trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.replace(',', ".").parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(Some(v)),
        _ => Err(ErrorCode::InvalidTarget),
    }
}

/// Sets a unit's own targets and alert addresses (all empty: inherit again). Administrators
/// whose scope holds the unit may.
pub async fn set_targets(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    code: &str,
    goal: &str,
    floor: &str,
    alert_to: &str,
) -> Result<(), AppError> {
    let unit = agencies::by_code(db, code).await?;
    access::ensure(&access::admin_scope(db, user).await?, unit.id)?;
    let mut fields = Vec::new();
    let goal = parse_target(goal).unwrap_or_else(|code| {
        fields.push(FieldError::new("goal", code));
        None
    });
    let floor = parse_target(floor).unwrap_or_else(|code| {
        fields.push(FieldError::new("floor", code));
        None
    });
    if let (Some(g), Some(f)) = (goal, floor)
        && f > g
    {
        fields.push(FieldError::new("floor", ErrorCode::InvalidTarget));
    }
    let addresses: Vec<String> =
        alert_to.split([',', ';', ' ', '\n']).map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
    if addresses.iter().any(|a| !domain::contact::is_valid_email(a)) || addresses.join(", ").len() > 400 {
        fields.push(FieldError::new("alert_to", ErrorCode::InvalidEmail));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    let before = index_target::Entity::find_by_id(unit.id).one(db).await?;
    let json = |g: Option<f64>, f: Option<f64>, to: &str| serde_json::json!({ "goal": g, "floor": f, "alert_to": to });
    let alert_to = addresses.join(", ");
    let row = index_target::ActiveModel {
        agency_id: Set(unit.id),
        goal: Set(goal),
        floor: Set(floor),
        alert_to: Set(alert_to.clone()),
        updated_at: Set(now()),
        updated_by: Set(Some(user.id)),
    };
    if before.is_some() {
        row.update(db).await?
    } else {
        row.insert(db).await?
    };
    audit::record(
        db,
        &audit::Actor::user(user),
        "targets.set",
        "agency",
        &unit.code,
        Some(unit.id),
        before.map(|b| json(b.goal, b.floor, &b.alert_to)),
        Some(json(goal, floor, &alert_to)),
    )
    .await
}

/// The 30 days ending `today` and the 30 days before them.
pub fn windows(today: NaiveDate) -> (Period, Period) {
    let from = today.checked_sub_days(Days::new(WINDOW_DAYS - 1)).unwrap_or(today);
    let to_prev = from.pred_opt().unwrap_or(from);
    let from_prev = to_prev.checked_sub_days(Days::new(WINDOW_DAYS - 1)).unwrap_or(to_prev);
    (Period { from, to: today }, Period { from: from_prev, to: to_prev })
}

/// Which alerts a unit's figures call for: below the floor (with enough respondents to say
/// so), and a drop from the 30 days before beyond chance (both windows with enough
/// respondents). Returns `(kind, value, reference)`.
pub fn conditions(
    current: &Estimate,
    previous: &Estimate,
    floor: Option<f64>,
    low_sample_below: u64,
) -> Vec<(&'static str, f64, f64)> {
    let mut out = Vec::new();
    let Some(now) = current.index.filter(|_| current.n >= low_sample_below) else { return out };
    if let Some(f) = floor
        && now < f
    {
        out.push((BELOW_FLOOR, now, f));
    }
    if let Some(before) = previous.index.filter(|_| previous.n >= low_sample_below)
        && let Some((_, z)) = stats::difference(now / 100.0, current.n_eff, before / 100.0, previous.n_eff)
        && z < -Z95
    {
        out.push((SIGNIFICANT_DROP, now, before));
    }
    out
}

/// What a sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub units: usize,
    /// Counters with enough ratings today to be checked for an anomaly.
    pub counters: usize,
    /// Alerts opened and closed, of every kind.
    pub opened: usize,
    pub closed: usize,
}

/// Checks every current unit (SIPAS questionnaire, unflagged ratings, pooled subtree), then
/// every counter busy enough today for an anomaly.
pub async fn sweep(state: &AppState) -> Result<Swept, AppError> {
    let db = &state.db;
    let units = agencies::all(db).await?;
    let today = vn_date(now());
    let current: Vec<&agency::Model> = units.iter().filter(|a| agencies::is_current(a, today)).collect();
    let nodes: Vec<i64> = current.iter().map(|a| a.id).collect();
    let lens = Lens::new(state, &units, None, Basis::Unflagged, Rollup::Pooled).await?;
    let (window, before) = windows(today);
    let now_reports = lens.reports_for(&nodes, &window).await?;
    let before_reports = lens.reports_for(&nodes, &before).await?;
    let targets = Targets::load(db, &units).await?;
    let open: HashMap<(i64, String), index_alert::Model> = index_alert::Entity::find()
        .filter(index_alert::Column::ClosedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|a| ((a.agency_id, a.kind.clone()), a))
        .collect();
    let empty = lens.empty();
    let mut swept = Swept { units: current.len(), ..Default::default() };
    for unit in current {
        let (floor, alert_to) = targets.of(unit.id);
        let e = &now_reports.get(&unit.id).unwrap_or(&empty).overall;
        let p = &before_reports.get(&unit.id).unwrap_or(&empty).overall;
        let found = conditions(e, p, floor, lens.low_sample_below);
        for kind in [BELOW_FLOOR, SIGNIFICANT_DROP] {
            let hit = found.iter().find(|(k, ..)| *k == kind);
            let existing = open.get(&(unit.id, kind.to_owned()));
            match (hit, existing) {
                (Some(&(_, value, reference)), None) => {
                    if open_alert(state, unit, kind, value, reference, e, &alert_to).await? {
                        swept.opened += 1;
                    }
                }
                (Some(&(_, value, reference)), Some(a)) => {
                    let mut row: index_alert::ActiveModel = a.clone().into();
                    row.value = Set(value);
                    row.reference = Set(reference);
                    row.n = Set(i64::try_from(e.n).unwrap_or(i64::MAX));
                    row.checked_at = Set(now());
                    row.update(db).await?;
                }
                (None, Some(a)) => {
                    // Closed once, whichever server gets there first.
                    let closed = index_alert::Entity::update_many()
                        .col_expr(index_alert::Column::ClosedAt, sea_orm::sea_query::Expr::value(now()))
                        .filter(index_alert::Column::Id.eq(a.id))
                        .filter(index_alert::Column::ClosedAt.is_null())
                        .exec(db)
                        .await?;
                    swept.closed += usize::try_from(closed.rows_affected).unwrap_or(0);
                }
                (None, None) => {}
            }
        }
    }
    let counters = anomalies::sweep(state, &units, &targets).await?;
    swept.counters = counters.counters;
    swept.opened += counters.opened;
    swept.closed += counters.closed;
    Ok(swept)
}

/// Opens one alert and queues its notification in one transaction. Another server opening the
/// same alert at the same moment hits the unique index, and this one then does nothing.
async fn open_alert(
    state: &AppState,
    unit: &agency::Model,
    kind: &str,
    value: f64,
    reference: f64,
    e: &Estimate,
    alert_to: &str,
) -> Result<bool, AppError> {
    let _writer = state.write_guard().await;
    let txn = state.db.begin().await?;
    let inserted = index_alert::ActiveModel {
        agency_id: Set(unit.id),
        kind: Set(kind.to_owned()),
        opened_at: Set(now()),
        closed_at: Set(None),
        value: Set(value),
        reference: Set(reference),
        n: Set(i64::try_from(e.n).unwrap_or(i64::MAX)),
        checked_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Ok(false),
        Err(err) => return Err(err.into()),
    }
    let (subject, body) = message(state, unit, kind, value, reference, e);
    let recipients: Vec<&str> = alert_to.split(',').map(str::trim).filter(|a| !a.is_empty()).collect();
    if recipients.is_empty() {
        outbox::to_staff(&txn, &state.settings, "", &subject, &body, Some(unit.id), "index_alert").await?;
    }
    for to in recipients {
        outbox::to_staff(&txn, &state.settings, to, &subject, &body, Some(unit.id), "index_alert").await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// The notification's subject and body, Vietnamese first, then English.
fn message(
    state: &AppState,
    unit: &agency::Model,
    kind: &str,
    value: f64,
    reference: f64,
    e: &Estimate,
) -> (String, String) {
    let pct = |v: f64| format!("{v:.1}").replace('.', ",");
    let interval = e.ci95.map(|(lo, hi)| format!("{}–{}%", pct(lo), pct(hi))).unwrap_or_default();
    let link = format!("{}/dashboard/{}", state.settings.public_url.trim_end_matches('/'), unit.code);
    let (vi, en) = if kind == BELOW_FLOOR {
        (
            format!("Chỉ số hài lòng 30 ngày qua là {}%, thấp hơn ngưỡng cảnh báo {}%.", pct(value), pct(reference)),
            format!(
                "The satisfaction index of the last 30 days is {value:.1}%, below the alert floor of {reference:.1}%."
            ),
        )
    } else {
        (
            format!(
                "Chỉ số hài lòng 30 ngày qua là {}%, giảm so với {}% của 30 ngày trước đó; mức giảm này vượt quá sai số ngẫu nhiên.",
                pct(value),
                pct(reference)
            ),
            format!(
                "The satisfaction index of the last 30 days is {value:.1}%, down from {reference:.1}% in the 30 days before, beyond chance."
            ),
        )
    };
    let subject = format!("[Ý Dân] Cảnh báo chỉ số hài lòng: {}", unit.name_vi);
    let body = format!(
        "{name}\n\n{vi}\nSố người trả lời: {n}. Khoảng tin cậy 95%: {interval}.\nXem chi tiết: {link}\n\n---\n{name_en}\n\n{en}\nRespondents: {n}. 95% interval: {interval}.\nDetails: {link}\n",
        name = unit.name_vi,
        name_en = unit.name_en,
        n = e.n,
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(index: f64, n: u64) -> Estimate {
        Estimate { index: Some(index), n, ci95: None, low_sample: false, n_eff: n as f64 }
    }

    #[test]
    fn targets_are_percentages_written_either_way() {
        assert_eq!(parse_target(""), Ok(None));
        assert_eq!(parse_target(" 95 "), Ok(Some(95.0)));
        assert_eq!(parse_target("92,5%"), Ok(Some(92.5)));
        assert_eq!(parse_target("101"), Err(ErrorCode::InvalidTarget));
        assert_eq!(parse_target("chín mươi"), Err(ErrorCode::InvalidTarget));
    }

    #[test]
    fn alerts_need_enough_respondents_and_a_real_drop() {
        // Below the floor with 200 respondents: an alert; with 10: not enough to say.
        assert_eq!(conditions(&est(85.0, 200), &est(86.0, 200), Some(90.0), 30), vec![(BELOW_FLOOR, 85.0, 90.0)]);
        assert!(conditions(&est(85.0, 10), &est(86.0, 200), Some(90.0), 30).is_empty());
        // 95% → 85% on 400 people each is beyond chance; 95% → 93% is not.
        assert_eq!(conditions(&est(85.0, 400), &est(95.0, 400), None, 30), vec![(SIGNIFICANT_DROP, 85.0, 95.0)]);
        assert!(conditions(&est(93.0, 400), &est(95.0, 400), None, 30).is_empty());
        // A rise is never an alert.
        assert!(conditions(&est(95.0, 400), &est(85.0, 400), Some(90.0), 30).is_empty());
    }

    #[test]
    fn the_windows_are_two_runs_of_30_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (now, before) = windows(d("2026-12-02"));
        assert_eq!((now.from, now.to), (d("2026-11-03"), d("2026-12-02")));
        assert_eq!((before.from, before.to), (d("2026-10-04"), d("2026-11-02")));
    }
}
