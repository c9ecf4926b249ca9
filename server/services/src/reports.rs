//! The public scoreboard and the printable quarterly report, both built on a [`Lens`] over the
//! pre-aggregated counts, with the feedback figures of the cases.

use crate::{
    access, agencies,
    analytics::{self, Lens},
    cases,
    clock::now,
    current_user::CurrentUser,
    indices, scorecards,
};
use crate::{entity::agency, state::AppState};
use chrono::{Datelike, Months, NaiveDate};
use domain::{
    buckets::Step,
    dto::analytics::{FeedbackFigures, QuarterReport, ScoreRow, Scoreboard},
    error::{AppError, ErrorCode, FieldError},
    integrity::Basis,
    period::{Period, vn_date},
    sipas::Rollup,
    stats,
};
use std::collections::{HashMap, HashSet};

/// Quarters a scoreboard trend shows.
const TREND_QUARTERS: u32 = 4;
/// Quarters the report page offers.
const REPORT_QUARTERS: u32 = 8;

/// Feedback figures per node: each case counted at the nearest node above its unit.
async fn feedback_by_node(
    state: &AppState,
    lens: &Lens<'_>,
    nodes: &[i64],
    period: &Period,
) -> Result<HashMap<i64, FeedbackFigures>, AppError> {
    let node_set: HashSet<i64> = nodes.iter().copied().collect();
    let per_unit =
        cases::case_counts(&state.db, None, period.start_utc(), period.end_utc(), cases::CaseBasis::Submitted).await?;
    let mut acc: HashMap<i64, cases::CaseCounts> = HashMap::new();
    for (unit, counts) in per_unit {
        if let Some(node) = lens.nearest(unit, &node_set) {
            acc.entry(node).or_default().add(&counts);
        }
    }
    Ok(acc.into_iter().map(|(k, c)| (k, c.figures())).collect())
}

/// The public scoreboard: the top units of the tree, or the children of `code`, each with its
/// index over the last twelve months, the last four quarters, the ranks its interval allows and
/// its feedback figures. Only public figures: the overall index, never comments or breakdowns.
pub async fn scoreboard(state: &AppState, code: Option<&str>) -> Result<Scoreboard, AppError> {
    let units = agencies::all(&state.db).await?;
    let today = vn_date(now());
    let period = Period::last_twelve_months(today);
    let unit = match code {
        Some(code) => Some(units.iter().find(|u| u.code == code).ok_or(ErrorCode::AgencyNotFound)?.clone()),
        None => None,
    };
    let lens = Lens::new(state, &units, None, Basis::default(), Rollup::default()).await?;
    let children = agencies::children_map(&units, today);
    let listed: Vec<&agency::Model> = children.get(&unit.as_ref().map(|u| u.id)).cloned().unwrap_or_default();
    let mut nodes: Vec<i64> = listed.iter().map(|a| a.id).collect();
    if let Some(u) = &unit {
        nodes.push(u.id);
    }
    let quarters = Step::Quarter.periods(today, TREND_QUARTERS);
    let trend_period = Period { from: quarters.first().map_or(period.from, |q| q.from), to: today };
    let now_reports = lens.reports_for(&nodes, &period).await?;
    let by_quarter = lens.reports(&nodes, &trend_period, Some(Step::Quarter)).await?;
    // Feedback figures need the children keyed apart from the unit itself.
    let feedback_kids =
        feedback_by_node(state, &lens, &listed.iter().map(|a| a.id).collect::<Vec<_>>(), &period).await?;
    let empty = lens.empty();
    let row_of = |a: &agency::Model, rank: Option<(usize, usize)>, feedback: FeedbackFigures| ScoreRow {
        code: a.code.clone(),
        name: agencies::name_of(a),
        kind: agencies::kind_of(a),
        figure: indices::figure(&now_reports.get(&a.id).unwrap_or(&empty).overall),
        trend: by_quarter
            .iter()
            .map(|(part, reports)| domain::dto::analytics::TrendPoint {
                label: Step::Quarter.label(Step::Quarter.start(part.from)),
                period: *part,
                figure: indices::figure(&reports.get(&a.id).unwrap_or(&empty).overall),
            })
            .collect(),
        rank,
        feedback,
    };
    let ranks = stats::rank_ranges(
        &listed.iter().map(|a| now_reports.get(&a.id).and_then(|r| r.overall.ci95)).collect::<Vec<_>>(),
    );
    let mut rows: Vec<ScoreRow> = listed
        .iter()
        .zip(ranks)
        .map(|(a, rank)| row_of(a, rank, feedback_kids.get(&a.id).cloned().unwrap_or_default()))
        .collect();
    rows.sort_by(|a, b| analytics::best_first(&a.figure, &b.figure));
    let own = match &unit {
        Some(u) => {
            let fb = feedback_by_node(state, &lens, &[u.id], &period).await?;
            Some(row_of(u, None, fb.get(&u.id).cloned().unwrap_or_default()))
        }
        None => None,
    };
    let parent = unit
        .as_ref()
        .and_then(|u| u.parent_id)
        .and_then(|p| units.iter().find(|a| a.id == p))
        .map(|p| (p.code.clone(), agencies::name_of(p)));
    let targets = match &unit {
        Some(u) => analytics::targets(&state.db, &units, u.id).await?,
        None => Default::default(),
    };
    Ok(Scoreboard { unit: own, parent, targets, period, rows, low_sample_below: lens.low_sample_below })
}

/// `2026-Q3` → 1 July – 30 September 2026.
pub fn quarter_period(label: &str) -> Option<Period> {
    let (year, q) = label.split_once("-Q")?;
    let (year, q) = (year.parse::<i32>().ok()?, q.parse::<u32>().ok()?);
    if !(1..=4).contains(&q) || !(2000..=2100).contains(&year) {
        return None;
    }
    let from = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
    let to = from.checked_add_months(Months::new(3))?.pred_opt()?;
    Some(Period { from, to })
}

/// The quarterly report of a unit for the provincial Department of Home Affairs: staff whose
/// scope holds the unit. `quarter` defaults to the last finished quarter.
pub async fn quarter_report(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    quarter: Option<&str>,
) -> Result<QuarterReport, AppError> {
    let db = &state.db;
    let units = agencies::all(db).await?;
    let unit = units.iter().find(|u| u.code == code).ok_or(ErrorCode::AgencyNotFound)?.clone();
    let scope = access::scope_of(db, user).await?;
    access::ensure(&scope, unit.id)?;
    let today = vn_date(now());
    let current = Step::Quarter.start(today);
    // Newest first: the current quarter (so far) and the ones before it.
    let quarters: Vec<String> =
        Step::Quarter.periods(today, REPORT_QUARTERS).iter().rev().map(|p| Step::Quarter.label(p.from)).collect();
    let last_finished = current.checked_sub_months(Months::new(3)).unwrap_or(current);
    let label = match quarter.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => q.to_owned(),
        None => Step::Quarter.label(last_finished),
    };
    let mut period = quarter_period(&label).ok_or_else(|| AppError {
        code: ErrorCode::InvalidPeriod,
        fields: vec![FieldError::new("quarter", ErrorCode::InvalidPeriod)],
        detail: None,
    })?;
    if period.from > today {
        return Err(AppError {
            code: ErrorCode::InvalidPeriod,
            fields: vec![FieldError::new("quarter", ErrorCode::InvalidPeriod)],
            detail: None,
        });
    }
    period.to = period.to.min(today);
    let lens = Lens::new(state, &units, None, Basis::default(), Rollup::default()).await?;
    let children = agencies::children_map(&units, period.to);
    let kids: Vec<&agency::Model> = children.get(&Some(unit.id)).cloned().unwrap_or_default();
    let mut nodes = vec![unit.id];
    nodes.extend(kids.iter().map(|a| a.id));
    let reports = lens.reports_for(&nodes, &period).await?;
    let empty = lens.empty();
    let report = reports.get(&unit.id).unwrap_or(&empty);
    let subtree: Vec<i64> = access::subtree(&units, unit.id).into_iter().collect();
    let activity = analytics::activity_summary(db, &subtree, &period, report.overall.n).await?;
    let scorecards =
        scorecards::compute(db, &state.settings.rules_766, &subtree, &period, lens.basis, activity.sample.clone())
            .await?;
    let feedback = feedback_by_node(state, &lens, &[unit.id], &period).await?.remove(&unit.id).unwrap_or_default();
    // Compared with the quarter before.
    let before = Period {
        from: period.from.checked_sub_months(Months::new(3)).unwrap_or(period.from),
        to: period.from.pred_opt().unwrap_or(period.from),
    };
    let change = if before.to.year() >= 2000 { lens.change(unit.id, &period, report).await? } else { None };
    Ok(QuarterReport {
        code: unit.code.clone(),
        name: agencies::name_of(&unit),
        kind: agencies::kind_of(&unit),
        quarter: label,
        period,
        quarters,
        questionnaire: lens.instrument.name.clone(),
        overall: indices::figure(&report.overall),
        elements: lens.coded(&report.elements),
        criteria: lens.coded(&report.criteria),
        months: lens.trend(unit.id, &period, Step::Month).await?,
        change,
        targets: analytics::targets(db, &units, unit.id).await?,
        children: lens.rows(&kids.iter().map(|a| (*a, 0)).collect::<Vec<_>>(), &reports),
        activity,
        feedback,
        scorecards,
        made_at: now(),
        low_sample_below: lens.low_sample_below,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_are_read_from_their_labels() {
        let p = quarter_period("2026-Q3").unwrap();
        assert_eq!(p.from, NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(p.to, NaiveDate::from_ymd_opt(2026, 9, 30).unwrap());
        assert_eq!(quarter_period("2026-Q4").unwrap().to, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        for bad in ["2026-Q5", "2026-Q0", "2026", "Q3-2026", "abcd-Q1", "1900-Q1"] {
            assert!(quarter_period(bad).is_none(), "{bad}");
        }
    }
}
