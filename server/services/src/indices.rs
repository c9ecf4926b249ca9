//! SIPAS-style indices for units and periods: counts come from the database, the arithmetic
//! from `domain::sipas`.

use crate::{access, current_user::CurrentUser, instruments, kiosk::KIOSK_INSTRUMENT, rollups};
use crate::{
    entity::{instrument, instrument_criterion, instrument_element, instrument_group, response, response_answer},
    state::AppState,
};
use domain::{
    buckets,
    dto::{CounterActivity, FlagCount, IndexFigure, Localized, QuestionnaireChoice},
    error::{AppError, ErrorCode},
    integrity::{Basis, Flag, Flags},
    period::{Period, vn_date},
    scale::Scale,
    sipas::{Estimate, Share, Tally},
    survey::Channel,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};
use std::collections::HashMap;

/// Where each criterion, element and group id of every questionnaire version belongs, by code.
pub(crate) struct CodeMaps {
    pub(crate) criterion: HashMap<i64, String>,
    /// Lowest satisfied answer per criterion id, from its scale.
    satisfied_from: HashMap<i64, i16>,
    element: HashMap<i64, String>,
    group: HashMap<i64, String>,
}

pub(crate) async fn code_maps(db: &impl ConnectionTrait) -> Result<CodeMaps, AppError> {
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

/// `response ⨝ response_answer ⨝ instrument_criterion` for answers to rating questions in the
/// period, to any version of the questionnaire `family` (other questionnaires, such as the
/// kiosks' quick question, have indices of their own).
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
        .inner_join(
            instrument_criterion::Entity,
            Expr::col((instrument_criterion::Entity, instrument_criterion::Column::Id))
                .equals((response_answer::Entity, response_answer::Column::CriterionId)),
        )
        .and_where(Expr::col((instrument::Entity, instrument::Column::Code)).eq(family))
        .and_where(
            Expr::col((instrument_criterion::Entity, instrument_criterion::Column::Scale))
                .is_in(Scale::ALL.into_iter().filter(|s| s.is_rating()).map(Scale::as_str)),
        )
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

/// Tallies computed the slow way, from raw responses (of the units `only`, else of all):
/// what the pre-aggregated counts must equal (tests and the benchmark compare the two).
pub async fn tallies_from_raw(
    db: &impl ConnectionTrait,
    period: &Period,
    basis: Basis,
    family: &str,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, Tally>, AppError> {
    let maps = code_maps(db).await?;
    let mut tallies: HashMap<i64, Tally> = HashMap::new();
    let agency_col = (response::Entity, response::Column::AgencyId);
    let answers_in = |period: &Period, basis: Basis, family: &str| {
        let mut q = answers_in(period, basis, family);
        if let Some(ids) = only {
            q.and_where(Expr::col(agency_col).is_in(ids.iter().copied()));
        }
        q
    };

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

/// Versions of the questionnaire `family`.
pub(crate) async fn family_ids(db: &impl ConnectionTrait, family: &str) -> Result<Vec<i64>, AppError> {
    use sea_orm::QuerySelect;
    Ok(instrument::Entity::find()
        .select_only()
        .column(instrument::Column::Id)
        .filter(instrument::Column::Code.eq(family))
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Tallies of the responses taken directly at each unit during the period, to any version of
/// the questionnaire `family`, from the pre-aggregated counts (`rollups`). Answers are matched
/// by criterion code, so responses to earlier versions that share codes are counted too.
/// Only the units `agencies` are read.
pub async fn tallies_by_agency(
    db: &impl ConnectionTrait,
    period: &Period,
    basis: Basis,
    family: &str,
    agencies: &[i64],
) -> Result<HashMap<i64, Tally>, AppError> {
    let maps = code_maps(db).await?;
    let runs = buckets::runs(period, vn_date(crate::clock::now()));
    let grouping = rollups::Grouping { by: rollups::By::Agency, per_bucket: false, with_below: false };
    let counts = rollups::index_counts(db, &runs, &family_ids(db, family).await?, agencies, basis, grouping).await?;
    Ok(fold_tallies(&maps, counts.iter().map(|c| (c.agency, c))))
}

/// Adds index counts up into tallies, keyed by `key` of each count.
pub(crate) fn fold_tallies<'a, K: Eq + std::hash::Hash>(
    maps: &CodeMaps,
    counts: impl Iterator<Item = (K, &'a rollups::IndexCount)>,
) -> HashMap<K, Tally> {
    let mut tallies: HashMap<K, Tally> = HashMap::new();
    for (key, c) in counts {
        let t = tallies.entry(key).or_default();
        match c.level {
            rollups::LEVEL_CRITERION => {
                if let Some(code) = maps.criterion.get(&c.item) {
                    let share = t.criteria.entry(code.clone()).or_default();
                    share.valid += c.n;
                    share.satisfied += c.satisfied;
                }
            }
            rollups::LEVEL_ELEMENT => {
                if let Some(code) = maps.element.get(&c.item) {
                    *t.element_respondents.entry(code.clone()).or_default() += c.n;
                }
            }
            rollups::LEVEL_GROUP => {
                if let Some(code) = maps.group.get(&c.item) {
                    *t.group_respondents.entry(code.clone()).or_default() += c.n;
                }
            }
            rollups::LEVEL_RESPONSE => t.respondents += c.n,
            _ => {} // answers to single choices describe the visit; they are not satisfaction
        }
    }
    tallies
}

pub fn figure(e: &Estimate) -> IndexFigure {
    IndexFigure { index: e.index, n: e.n, ci95: e.ci95.map(|(lo, hi)| [lo, hi]), low_sample: e.low_sample }
}

/// The questionnaires an index can be shown for: the newest published version of each (the
/// kiosks' quick question aside), the default one first.
/// The shared questionnaires and those owned by one of `owners` (a unit's own questionnaire is
/// listed only on the dashboards of its line, never in other agencies' or the public lists).
pub async fn questionnaire_choices(
    db: &impl ConnectionTrait,
    owners: &[i64],
) -> Result<Vec<QuestionnaireChoice>, AppError> {
    let rows = instrument::Entity::find()
        .filter(instrument::Column::Status.eq("published"))
        .filter(
            sea_orm::Condition::any()
                .add(instrument::Column::AgencyId.is_null())
                .add(instrument::Column::AgencyId.is_in(owners.iter().copied())),
        )
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

/// The newest published version of the questionnaire `code`, or the default one.
pub(crate) async fn instrument_for(
    state: &AppState,
    code: Option<&str>,
) -> Result<std::sync::Arc<instruments::InstrumentDef>, AppError> {
    let db = &state.db;
    let id = match code {
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
    instruments::load(db, &state.instruments, id).await
}

/// Flags raised and each counter's activity in a set of units over a period, from the
/// pre-aggregated counts.
pub(crate) async fn integrity_summary(
    db: &impl ConnectionTrait,
    units: &[i64],
    period: &Period,
) -> Result<(Vec<FlagCount>, Vec<CounterActivity>), AppError> {
    use crate::entity::counter;
    use sea_orm::{ColumnTrait, QueryFilter};
    let runs = buckets::runs(period, vn_date(crate::clock::now()));
    let rows = rollups::activity_counts(db, &runs, units).await?;
    let kiosk_question = family_ids(db, KIOSK_INSTRUMENT).await?;
    let mut counts: HashMap<Flag, u64> = HashMap::new();
    for r in rows.iter().filter(|r| r.source != rollups::TICKET_SOURCE) {
        for flag in Flags::from_db(&r.flags).0 {
            *counts.entry(flag).or_default() += r.n;
        }
    }
    let flags =
        Flag::ALL.into_iter().map(|flag| FlagCount { flag, count: counts.get(&flag).copied().unwrap_or(0) }).collect();
    let mut activity = Vec::new();
    for c in counter::Entity::find().filter(counter::Column::AgencyId.is_in(units.iter().copied())).all(db).await? {
        let (mut responses, mut presses, mut verified, mut flagged, mut tickets) = (0, 0, 0, 0, 0);
        let (mut kiosk_clean, mut kiosk_satisfied) = (0u64, 0u64);
        for r in rows.iter().filter(|r| r.counter == c.id) {
            if r.source == rollups::TICKET_SOURCE {
                tickets += r.n;
                continue;
            }
            if r.source == Channel::Kiosk.as_str() {
                presses += r.n;
                if r.flags.is_empty() && kiosk_question.contains(&r.instrument) {
                    kiosk_clean += r.n;
                    kiosk_satisfied += r.satisfied;
                }
            } else {
                responses += r.n;
            }
            if r.verified {
                verified += r.n;
            }
            if !r.flags.is_empty() {
                flagged += r.n;
            }
        }
        activity.push(CounterActivity {
            code: c.code,
            name: c.name,
            responses,
            verified,
            flagged,
            tickets,
            response_rate: (tickets > 0).then(|| responses as f64 / tickets as f64),
            kiosk_presses: presses,
            kiosk_satisfied: (kiosk_clean > 0).then(|| kiosk_satisfied as f64 / kiosk_clean as f64),
        });
    }
    activity.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((flags, activity))
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
