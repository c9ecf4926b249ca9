//! SIPAS-style indices for units and periods: counts come from the database, the arithmetic
//! from `domain::sipas`.

use super::{access, agencies, auth::CurrentUser, instruments, kiosk::KIOSK_INSTRUMENT};
use crate::{
    domain::{
        integrity::{Basis, Flag, Flags},
        period::Period,
        scale::Scale,
        sipas::{self, Estimate, Report, Share, Tally},
        survey::Channel,
    },
    dto::{
        AgencyReport, CodedFigure, CounterActivity, FlagCount, IndexFigure, Localized, Overview, QuestionnaireChoice,
        ReportQuery, TreeRow,
    },
    error::{AppError, ErrorCode},
    server::{
        entity::{
            agency, instrument, instrument_criterion, instrument_element, instrument_group, response, response_answer,
        },
        state::AppState,
    },
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};
use std::collections::HashMap;

/// Where each criterion, element and group id of every questionnaire version belongs, by code.
struct CodeMaps {
    criterion: HashMap<i64, String>,
    /// Lowest satisfied answer per criterion id, from its scale.
    satisfied_from: HashMap<i64, i16>,
    element: HashMap<i64, String>,
    group: HashMap<i64, String>,
}

async fn code_maps(db: &impl ConnectionTrait) -> Result<CodeMaps, AppError> {
    let criteria = instrument_criterion::Entity::find().all(db).await?;
    Ok(CodeMaps {
        satisfied_from: criteria
            .iter()
            .map(|c| (c.id, i16::from(Scale::parse(&c.scale).unwrap_or_default().satisfied_from())))
            .collect(),
        criterion: criteria.into_iter().map(|c| (c.id, c.code)).collect(),
        element: instrument_element::Entity::find().all(db).await?.into_iter().map(|e| (e.id, e.code)).collect(),
        group: instrument_group::Entity::find().all(db).await?.into_iter().map(|g| (g.id, g.code)).collect(),
    })
}

/// `response ⨝ response_answer` for valid answers in the period, to any version of the
/// questionnaire `family` (other questionnaires, such as the kiosks' quick question, have
/// indices of their own).
fn answers_in(period: &Period, basis: Basis, family: &str) -> SelectStatement {
    let mut q = Query::select()
        .from(response::Entity)
        .inner_join(
            response_answer::Entity,
            Expr::col((response_answer::Entity, response_answer::Column::ResponseId))
                .equals((response::Entity, response::Column::Id)),
        )
        .inner_join(
            instrument::Entity,
            Expr::col((instrument::Entity, instrument::Column::Id))
                .equals((response::Entity, response::Column::InstrumentId)),
        )
        .and_where(Expr::col((instrument::Entity, instrument::Column::Code)).eq(family))
        .and_where(Expr::col((response::Entity, response::Column::SubmittedAt)).gte(period.start_utc()))
        .and_where(Expr::col((response::Entity, response::Column::SubmittedAt)).lt(period.end_utc()))
        .and_where(Expr::col((response_answer::Entity, response_answer::Column::Value)).is_not_null())
        .to_owned();
    match basis {
        Basis::All => {}
        Basis::Unflagged => {
            q.and_where(Expr::col((response::Entity, response::Column::Flags)).eq(""));
        }
        Basis::Verified => {
            q.and_where(Expr::col((response::Entity, response::Column::Verified)).eq(true));
        }
    }
    q
}

fn distinct_responses() -> Expr {
    Expr::col((response::Entity, response::Column::Id)).count_distinct()
}

/// Tallies of the responses taken directly at each unit during the period, to any version of
/// the questionnaire `family`. Answers are matched by criterion code, so responses to earlier
/// versions that share codes are counted too.
pub async fn tallies_by_agency(
    db: &impl ConnectionTrait,
    period: &Period,
    basis: Basis,
    family: &str,
) -> Result<HashMap<i64, Tally>, AppError> {
    let maps = code_maps(db).await?;
    let mut tallies: HashMap<i64, Tally> = HashMap::new();
    let agency_col = (response::Entity, response::Column::AgencyId);

    // Satisfied and valid answers per unit and criterion.
    let stmt = answers_in(period, basis, family)
        .column(agency_col)
        .column((response_answer::Entity, response_answer::Column::CriterionId))
        .column((response_answer::Entity, response_answer::Column::Value))
        .expr_as(Expr::cust("COUNT(*)"), "n")
        .group_by_col(agency_col)
        .group_by_col((response_answer::Entity, response_answer::Column::CriterionId))
        .group_by_col((response_answer::Entity, response_answer::Column::Value))
        .to_owned();
    for row in db.query_all(&stmt).await? {
        let agency: i64 = row.try_get("", "agency_id")?;
        let criterion: i64 = row.try_get("", "criterion_id")?;
        let value: i16 = row.try_get("", "value")?;
        let n: i64 = row.try_get("", "n")?;
        let Some(code) = maps.criterion.get(&criterion) else { continue };
        let share: &mut Share = tallies.entry(agency).or_default().criteria.entry(code.clone()).or_default();
        let n = u64::try_from(n).unwrap_or(0);
        share.valid += n;
        if value >= maps.satisfied_from.get(&criterion).copied().unwrap_or(4) {
            share.satisfied += n;
        }
    }

    // Respondents per unit and element: people who answered at least one of its criteria.
    let element_col = (instrument_criterion::Entity, instrument_criterion::Column::ElementId);
    let stmt = answers_in(period, basis, family)
        .inner_join(
            instrument_criterion::Entity,
            Expr::col((instrument_criterion::Entity, instrument_criterion::Column::Id))
                .equals((response_answer::Entity, response_answer::Column::CriterionId)),
        )
        .column(agency_col)
        .column(element_col)
        .expr_as(distinct_responses(), "n")
        .group_by_col(agency_col)
        .group_by_col(element_col)
        .to_owned();
    for row in db.query_all(&stmt).await? {
        let agency: i64 = row.try_get("", "agency_id")?;
        let element: i64 = row.try_get("", "element_id")?;
        let n: i64 = row.try_get("", "n")?;
        let Some(code) = maps.element.get(&element) else { continue };
        *tallies.entry(agency).or_default().element_respondents.entry(code.clone()).or_default() +=
            u64::try_from(n).unwrap_or(0);
    }

    // Respondents per unit and group.
    let group_col = (instrument_element::Entity, instrument_element::Column::GroupId);
    let stmt = answers_in(period, basis, family)
        .inner_join(
            instrument_criterion::Entity,
            Expr::col((instrument_criterion::Entity, instrument_criterion::Column::Id))
                .equals((response_answer::Entity, response_answer::Column::CriterionId)),
        )
        .inner_join(
            instrument_element::Entity,
            Expr::col((instrument_element::Entity, instrument_element::Column::Id))
                .equals((instrument_criterion::Entity, instrument_criterion::Column::ElementId)),
        )
        .column(agency_col)
        .column(group_col)
        .expr_as(distinct_responses(), "n")
        .group_by_col(agency_col)
        .group_by_col(group_col)
        .to_owned();
    for row in db.query_all(&stmt).await? {
        let agency: i64 = row.try_get("", "agency_id")?;
        let group: i64 = row.try_get("", "group_id")?;
        let n: i64 = row.try_get("", "n")?;
        let Some(code) = maps.group.get(&group) else { continue };
        *tallies.entry(agency).or_default().group_respondents.entry(code.clone()).or_default() +=
            u64::try_from(n).unwrap_or(0);
    }

    // Respondents per unit.
    let stmt = answers_in(period, basis, family)
        .column(agency_col)
        .expr_as(distinct_responses(), "n")
        .group_by_col(agency_col)
        .to_owned();
    for row in db.query_all(&stmt).await? {
        let agency: i64 = row.try_get("", "agency_id")?;
        let n: i64 = row.try_get("", "n")?;
        tallies.entry(agency).or_default().respondents += u64::try_from(n).unwrap_or(0);
    }
    Ok(tallies)
}

pub fn figure(e: &Estimate) -> IndexFigure {
    IndexFigure { index: e.index, n: e.n, ci95: e.ci95.map(|(lo, hi)| [lo, hi]), low_sample: e.low_sample }
}

/// Reports for every unit current at the end of the period.
struct Computed {
    units: Vec<agency::Model>,
    reports: HashMap<i64, Report>,
    instrument: std::sync::Arc<instruments::InstrumentDef>,
}

/// The questionnaires an index can be shown for: the newest published version of each (the
/// kiosks' quick question aside), the default one first.
pub async fn questionnaire_choices(db: &impl ConnectionTrait) -> Result<Vec<QuestionnaireChoice>, AppError> {
    let rows = instrument::Entity::find()
        .filter(instrument::Column::Status.eq("published"))
        .filter(instrument::Column::Code.ne(KIOSK_INSTRUMENT))
        .order_by_desc(instrument::Column::IsDefault)
        .order_by_asc(instrument::Column::Code)
        .order_by_desc(instrument::Column::Version)
        .all(db)
        .await?;
    let mut out: Vec<QuestionnaireChoice> = Vec::new();
    for i in rows {
        if !out.iter().any(|c| c.code == i.code) {
            out.push(QuestionnaireChoice { code: i.code, name: Localized::new(i.name_vi, i.name_en) });
        }
    }
    Ok(out)
}

async fn compute(state: &AppState, q: &ReportQuery) -> Result<Computed, AppError> {
    let db = &state.db;
    let id = match q.questionnaire.as_deref() {
        None => instruments::cached_default_id(db, &state.instruments).await?,
        Some(code) => {
            instrument::Entity::find()
                .filter(instrument::Column::Code.eq(code))
                .filter(instrument::Column::Code.ne(KIOSK_INSTRUMENT))
                .filter(instrument::Column::Status.eq("published"))
                .order_by_desc(instrument::Column::Version)
                .one(db)
                .await?
                .ok_or(ErrorCode::QuestionnaireNotFound)?
                .id
        }
    };
    let instrument = instruments::load(db, &state.instruments, id).await?;
    let units = agencies::all(db).await?;
    let tallies = tallies_by_agency(db, &q.period, q.basis, &instrument.code).await?;
    // Closed units still count: their history rolls up to the unit they were merged into, or
    // else to their parent.
    let pairs: Vec<(i64, Option<i64>)> = units.iter().map(|a| (a.id, a.merged_into_id.or(a.parent_id))).collect();
    let reports =
        sipas::rollup_all(&instrument.structure(), &pairs, &tallies, q.rollup, state.settings.low_sample_below);
    Ok(Computed { units, reports, instrument })
}

/// Rows of the tree of units current at the end of the period, depth-first.
fn tree_rows(c: &Computed, day: chrono::NaiveDate, root: Option<i64>, max_depth: usize) -> Vec<TreeRow> {
    let children = agencies::children_map(&c.units, day);
    let mut rows = Vec::new();
    let mut stack: Vec<(&agency::Model, usize)> =
        children.get(&root).map(|l| l.iter().rev().map(|a| (*a, 0)).collect()).unwrap_or_default();
    while let Some((a, depth)) = stack.pop() {
        let empty = sipas::pooled(&c.instrument.structure(), &Tally::default(), 0);
        let report = c.reports.get(&a.id).unwrap_or(&empty);
        rows.push(TreeRow {
            code: a.code.clone(),
            name: agencies::name_of(a),
            kind: agencies::kind_of(a),
            depth,
            figure: figure(&report.overall),
        });
        if depth < max_depth.min(64)
            && let Some(kids) = children.get(&Some(a.id))
        {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    rows
}

/// The dashboard overview: every current unit with its index.
pub async fn overview(state: &AppState, q: ReportQuery) -> Result<Overview, AppError> {
    let c = compute(state, &q).await?;
    Ok(Overview {
        questionnaire: c.instrument.code.clone(),
        questionnaires: questionnaire_choices(&state.db).await?,
        rows: tree_rows(&c, q.period.to, None, usize::MAX),
        period: q.period,
        rollup: q.rollup,
        basis: q.basis,
        low_sample_below: state.settings.low_sample_below,
    })
}

/// One unit's index with its element and criterion breakdown.
/// `viewer` is the signed-in staff member, if any: the breakdown by element and criterion is
/// for staff whose scope holds the unit; everyone else sees the public summary (index, n,
/// interval).
pub async fn agency_report(
    state: &AppState,
    viewer: Option<&CurrentUser>,
    code: &str,
    q: ReportQuery,
) -> Result<AgencyReport, AppError> {
    let unit = agencies::by_code(&state.db, code).await?;
    let detailed = may_see_breakdown(state, viewer, unit.id).await?;
    let c = compute(state, &q).await?;
    let (period, rollup, basis) = (q.period, q.rollup, q.basis);
    let empty = sipas::pooled(&c.instrument.structure(), &Tally::default(), state.settings.low_sample_below);
    let report = c.reports.get(&unit.id).unwrap_or(&empty);
    let coded = |list: &[sipas::Scored]| -> Vec<CodedFigure> {
        list.iter()
            .map(|s| CodedFigure {
                code: s.code.clone(),
                name: c.instrument.name_of(&s.code),
                figure: figure(&s.estimate),
            })
            .collect()
    };
    let parent =
        unit.parent_id.and_then(|p| c.units.iter().find(|a| a.id == p)).map(|p| (p.code.clone(), agencies::name_of(p)));
    let mut counters = agencies::counters_by_agency(&state.db).await?;
    let (flags, activity) = if detailed {
        let subtree: Vec<i64> = access::subtree(&c.units, unit.id).into_iter().collect();
        integrity_summary(&state.db, &subtree, &period).await?
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(AgencyReport {
        code: unit.code.clone(),
        name: agencies::name_of(&unit),
        kind: agencies::kind_of(&unit),
        parent,
        period,
        rollup,
        basis,
        questionnaire: c.instrument.code.clone(),
        questionnaires: questionnaire_choices(&state.db).await?,
        low_sample_below: state.settings.low_sample_below,
        overall: figure(&report.overall),
        elements: if detailed { coded(&report.elements) } else { Vec::new() },
        criteria: if detailed { coded(&report.criteria) } else { Vec::new() },
        detailed,
        total_responses: if detailed { activity.iter().map(|a| a.responses).sum() } else { 0 },
        flags: if detailed { flags } else { Vec::new() },
        activity: if detailed { activity } else { Vec::new() },
        children: tree_rows(&c, period.to, Some(unit.id), 0),
        counters: counters.remove(&unit.id).unwrap_or_default(),
    })
}

/// Flags raised and each counter's activity in a set of units over a period.
async fn integrity_summary(
    db: &impl ConnectionTrait,
    units: &[i64],
    period: &Period,
) -> Result<(Vec<FlagCount>, Vec<CounterActivity>), AppError> {
    use crate::server::entity::{counter, ticket};
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let in_period = |q: sea_orm::Select<response::Entity>| {
        q.filter(response::Column::AgencyId.is_in(units.iter().copied()))
            .filter(response::Column::SubmittedAt.gte(period.start_utc()))
            .filter(response::Column::SubmittedAt.lt(period.end_utc()))
    };
    let by_flags: Vec<(String, i64)> = in_period(response::Entity::find())
        .select_only()
        .column(response::Column::Flags)
        .column_as(response::Column::Id.count(), "n")
        .group_by(response::Column::Flags)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: HashMap<Flag, u64> = HashMap::new();
    for (raw, n) in &by_flags {
        for flag in Flags::from_db(raw).0 {
            *counts.entry(flag).or_default() += u64::try_from(*n).unwrap_or(0);
        }
    }
    let flags =
        Flag::ALL.into_iter().map(|flag| FlagCount { flag, count: counts.get(&flag).copied().unwrap_or(0) }).collect();

    let per_counter: Vec<(i64, String, bool, String, i64)> = in_period(response::Entity::find())
        .select_only()
        .column(response::Column::CounterId)
        .column(response::Column::Channel)
        .column(response::Column::Verified)
        .column(response::Column::Flags)
        .column_as(response::Column::Id.count(), "n")
        .group_by(response::Column::CounterId)
        .group_by(response::Column::Channel)
        .group_by(response::Column::Verified)
        .group_by(response::Column::Flags)
        .into_tuple()
        .all(db)
        .await?;
    let tickets: Vec<(i64, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::CounterId)
        .column_as(ticket::Column::Id.count(), "n")
        .filter(ticket::Column::AgencyId.is_in(units.iter().copied()))
        .filter(ticket::Column::IssuedAt.gte(period.start_utc()))
        .filter(ticket::Column::IssuedAt.lt(period.end_utc()))
        .group_by(ticket::Column::CounterId)
        .into_tuple()
        .all(db)
        .await?;
    let tickets: HashMap<i64, u64> = tickets.into_iter().map(|(c, n)| (c, u64::try_from(n).unwrap_or(0))).collect();
    let kiosk = kiosk_tallies(db, units, period).await?;
    let mut activity = Vec::new();
    for c in counter::Entity::find().filter(counter::Column::AgencyId.is_in(units.iter().copied())).all(db).await? {
        let rows = per_counter.iter().filter(|r| r.0 == c.id);
        let (mut responses, mut presses, mut verified, mut flagged) = (0, 0, 0, 0);
        for (_, channel, is_verified, flags, n) in rows {
            let n = u64::try_from(*n).unwrap_or(0);
            if channel == Channel::Kiosk.as_str() {
                presses += n;
            } else {
                responses += n;
            }
            if *is_verified {
                verified += n;
            }
            if !flags.is_empty() {
                flagged += n;
            }
        }
        let issued = tickets.get(&c.id).copied().unwrap_or(0);
        let kiosk_satisfied = kiosk.get(&c.id).filter(|(n, _)| *n > 0).map(|(n, sat)| *sat as f64 / *n as f64);
        activity.push(CounterActivity {
            code: c.code,
            name: c.name,
            responses,
            verified,
            flagged,
            tickets: issued,
            response_rate: (issued > 0).then(|| responses as f64 / issued as f64),
            kiosk_presses: presses,
            kiosk_satisfied,
        });
    }
    activity.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((flags, activity))
}

/// Unflagged kiosk presses per counter, and how many of them were satisfied.
async fn kiosk_tallies(
    db: &impl ConnectionTrait,
    units: &[i64],
    period: &Period,
) -> Result<HashMap<i64, (u64, u64)>, AppError> {
    let satisfied_from = Scale::Smiley3.satisfied_from();
    let counter_col = (response::Entity, response::Column::CounterId);
    let stmt = answers_in(period, Basis::Unflagged, KIOSK_INSTRUMENT)
        .column(counter_col)
        .expr_as(Expr::cust("COUNT(*)"), "n")
        .expr_as(
            Expr::cust(format!("SUM(CASE WHEN response_answer.value >= {satisfied_from} THEN 1 ELSE 0 END)")),
            "satisfied",
        )
        .and_where(Expr::col((response::Entity, response::Column::AgencyId)).is_in(units.iter().copied()))
        .group_by_col(counter_col)
        .to_owned();
    let mut out = HashMap::new();
    for row in db.query_all(&stmt).await? {
        let counter: i64 = row.try_get("", "counter_id")?;
        let n: i64 = row.try_get("", "n")?;
        let satisfied: i64 = row.try_get("", "satisfied")?;
        out.insert(counter, (u64::try_from(n).unwrap_or(0), u64::try_from(satisfied).unwrap_or(0)));
    }
    Ok(out)
}

/// Whether `viewer` may see the element and criterion breakdown of a unit.
pub async fn may_see_breakdown(
    state: &AppState,
    viewer: Option<&CurrentUser>,
    agency_id: i64,
) -> Result<bool, AppError> {
    match viewer {
        Some(user) => Ok(access::scope_of(&state.db, user).await?.contains(agency_id)),
        None => Ok(false),
    }
}

/// The raw report of a unit, for the JSON API.
pub async fn unit_report(state: &AppState, code: &str, q: &ReportQuery) -> Result<(agency::Model, Report), AppError> {
    let unit = agencies::by_code(&state.db, code).await?;
    let c = compute(state, q).await?;
    let report = c.reports.get(&unit.id).cloned().unwrap_or_else(|| {
        sipas::pooled(&c.instrument.structure(), &Tally::default(), state.settings.low_sample_below)
    });
    Ok((unit, report))
}
