//! Dashboards from the pre-aggregated counts: a unit's index with its breakdown, trend, change,
//! targets and sibling ranking, the overview of the tree, and what staff see besides.
//!
//! Everything goes through a [`Lens`]: one questionnaire, basis and roll-up mode over the
//! current tree. Pooled, it reads each *node* (a unit whose figure is shown) as its own counts
//! plus the counts kept below it (`tree_rollup`), so a province's figure, or a ranking of the
//! 34 provinces, reads a few hundred rows per node however many units and responses lie
//! beneath.

use crate::{access, agencies, current_user::CurrentUser, indices, instruments::InstrumentDef, rollups};
use crate::{
    entity::{agency, comment_moderation, counter, index_alert, index_target},
    state::AppState,
};
use chrono::{Days, NaiveDate};
use domain::{
    buckets::{self, Grain, Step},
    dto::{
        CodedFigure, Localized, Overview, ReportQuery, TreeRow,
        analytics::{
            ActivitySummary, AgencyReport, AlertView, Change, ChannelCount, CommentView, Heatmap, OwnTargets, RankRow,
            Ranking, SampleTarget, StaffAnalytics, Targets, Trend, TrendPoint,
        },
    },
    error::{AppError, ErrorCode},
    integrity::Basis,
    period::{Period, vn_date},
    sipas::{self, Report, Rollup, Structure, Tally},
    stats::{self, Z95},
    survey::Channel,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Statement, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Most points a trend shows; a longer period is shown by the next coarser step.
pub const MAX_TREND_POINTS: usize = 120;

/// Rows the overview lists at most before it stops going a level deeper.
const OVERVIEW_ROWS: usize = 250;

/// One way of looking at the counts: questionnaire, basis and roll-up mode, over the tree as it
/// stands.
pub struct Lens<'a> {
    db: &'a DatabaseConnection,
    pub units: &'a [agency::Model],
    /// Where each unit's history rolls up: the unit it was merged into, else its parent.
    up: HashMap<i64, i64>,
    pub instrument: Arc<InstrumentDef>,
    pub structure: Structure,
    maps: indices::CodeMaps,
    family: Vec<i64>,
    pub basis: Basis,
    pub rollup: Rollup,
    pub low_sample_below: u64,
    pub today: NaiveDate,
}

impl<'a> Lens<'a> {
    pub async fn new(
        state: &'a AppState,
        units: &'a [agency::Model],
        questionnaire: Option<&str>,
        basis: Basis,
        rollup: Rollup,
    ) -> Result<Lens<'a>, AppError> {
        let db = &state.db;
        let instrument = indices::instrument_for(state, questionnaire).await?;
        let up = units
            .iter()
            .filter_map(|a| rollups::roll_up_link(a.id, a.parent_id, a.merged_into_id).map(|p| (a.id, p)))
            .collect();
        Ok(Lens {
            db,
            units,
            up,
            structure: instrument.structure(),
            family: indices::family_ids(db, &instrument.code).await?,
            maps: indices::code_maps(db).await?,
            instrument,
            basis,
            rollup,
            low_sample_below: state.settings.low_sample_below,
            today: vn_date(crate::clock::now()),
        })
    }

    /// Every unit whose history rolls up into one of `nodes` (the nodes included).
    fn subtrees(&self, nodes: &[i64]) -> HashSet<i64> {
        let mut all = HashSet::new();
        for n in nodes {
            all.extend(access::subtree(self.units, *n));
        }
        all
    }

    /// The nearest of `nodes` at or above `unit`, following the roll-up links.
    pub fn nearest(&self, unit: i64, nodes: &HashSet<i64>) -> Option<i64> {
        let mut at = unit;
        for _ in 0..64 {
            if nodes.contains(&at) {
                return Some(at);
            }
            at = *self.up.get(&at)?;
        }
        None
    }

    /// An empty report: what a unit without responses shows ("no data", never 0%).
    pub fn empty(&self) -> Report {
        sipas::pooled(&self.structure, &Tally::default(), self.low_sample_below)
    }

    /// The reports of `nodes` (each over its whole subtree) for `period`, or for each step of
    /// `period` when `step` is given, in time order.
    pub async fn reports(
        &self,
        nodes: &[i64],
        period: &Period,
        step: Option<Step>,
    ) -> Result<Vec<(Period, HashMap<i64, Report>)>, AppError> {
        let parts = step.map(|s| s.split(period)).unwrap_or_else(|| vec![*period]);
        let coarsest = step.map(Step::grain).unwrap_or(Grain::Quarter);
        let runs = buckets::runs_up_to(period, self.today, coarsest);
        let node_set: HashSet<i64> = nodes.iter().copied().collect();
        // Pooled, a node's counts are its own plus those kept below it (`tree_rollup`): the
        // database returns one summed row set per node. The mean of children needs every
        // unit's own report.
        let (agencies, with_below): (Vec<i64>, bool) = match self.rollup {
            Rollup::Pooled => (node_set.iter().copied().collect(), true),
            Rollup::MeanOfChildren => (self.subtrees(nodes).into_iter().collect(), false),
        };
        let mut agencies = agencies;
        agencies.sort_unstable();
        let grouping = rollups::Grouping { by: rollups::By::Agency, per_bucket: step.is_some(), with_below };
        let counts = rollups::index_counts(self.db, &runs, &self.family, &agencies, self.basis, grouping).await?;
        // Which part of the period each bucket falls in.
        let part_of = |bucket: i32| -> usize {
            match step {
                None => 0,
                Some(s) => Grain::of_bucket(bucket)
                    .and_then(|(_, day)| parts.iter().position(|p| s.start(p.from) == s.start(day)))
                    .unwrap_or(usize::MAX),
            }
        };
        let tallies = indices::fold_tallies(&self.maps, counts.iter().map(|c| ((part_of(c.bucket), c.agency), c)));
        let mut own: Vec<HashMap<i64, Tally>> = vec![HashMap::new(); parts.len()];
        for ((part, unit), tally) in tallies {
            if let Some(slot) = own.get_mut(part) {
                slot.insert(unit, tally);
            }
        }
        // The forest the reports are rolled up over: the nodes on their own when pooled (each
        // already holds its whole subtree), every unit of the subtrees otherwise.
        let pairs: Vec<(i64, Option<i64>)> = match self.rollup {
            Rollup::Pooled => agencies.iter().map(|n| (*n, None)).collect(),
            Rollup::MeanOfChildren => agencies.iter().map(|a| (*a, self.up.get(a).copied())).collect(),
        };
        Ok(parts
            .into_iter()
            .zip(own)
            .map(|(part, own)| {
                let mut reports = sipas::rollup_all(&self.structure, &pairs, &own, self.rollup, self.low_sample_below);
                reports.retain(|k, _| node_set.contains(k));
                (part, reports)
            })
            .collect())
    }

    /// The report of each of `nodes` for `period`.
    pub async fn reports_for(&self, nodes: &[i64], period: &Period) -> Result<HashMap<i64, Report>, AppError> {
        Ok(self.reports(nodes, period, None).await?.pop().map(|(_, r)| r).unwrap_or_default())
    }

    /// A trend of `unit` over `period` by `step`, or by the next coarser step when `step`
    /// would give more than [`MAX_TREND_POINTS`].
    pub async fn trend(&self, unit: i64, period: &Period, step: Step) -> Result<Trend, AppError> {
        let shown = [Step::Month, Step::Quarter, Step::Year]
            .into_iter()
            .filter(|s| s.months() >= step.months())
            .find(|s| s.split(period).len() <= MAX_TREND_POINTS)
            .unwrap_or(Step::Year);
        let empty = self.empty();
        let points = self
            .reports(&[unit], period, Some(shown))
            .await?
            .into_iter()
            .map(|(part, reports)| TrendPoint {
                label: shown.label(shown.start(part.from)),
                period: part,
                figure: indices::figure(&reports.get(&unit).unwrap_or(&empty).overall),
            })
            .collect();
        Ok(Trend { step: shown, asked: (shown != step).then_some(step), points })
    }

    /// `unit`'s index against the period of the same length just before.
    pub async fn change(&self, unit: i64, period: &Period, current: &Report) -> Result<Option<Change>, AppError> {
        Ok(self.previous(unit, period).await?.map(|(previous, before)| change_between(previous, &before, current)))
    }

    /// The period of the same length just before `period`, and `unit`'s report for it.
    pub async fn previous(&self, unit: i64, period: &Period) -> Result<Option<(Period, Report)>, AppError> {
        let days = (period.to - period.from).num_days() + 1;
        let Some(to) = period.from.pred_opt() else { return Ok(None) };
        let Some(from) = to.checked_sub_days(Days::new(u64::try_from(days - 1).unwrap_or(0))) else {
            return Ok(None);
        };
        let previous = Period { from, to };
        let report = self.reports_for(&[unit], &previous).await?.remove(&unit).unwrap_or_else(|| self.empty());
        Ok(Some((previous, report)))
    }

    /// `unit` among the units that share its parent on the period's last day, best first,
    /// with the ranks their intervals allow.
    pub async fn ranking(&self, unit: &agency::Model, period: &Period) -> Result<Ranking, AppError> {
        let children = agencies::children_map(self.units, period.to);
        let parent = unit.parent_id.filter(|p| children.contains_key(&Some(*p)));
        let siblings: Vec<&agency::Model> = children.get(&parent).cloned().unwrap_or_default();
        let ids: Vec<i64> = siblings.iter().map(|a| a.id).collect();
        let reports = self.reports_for(&ids, period).await?;
        let empty = self.empty();
        let figures: Vec<_> = siblings.iter().map(|a| reports.get(&a.id).unwrap_or(&empty).overall.clone()).collect();
        let ranks = stats::rank_ranges(&figures.iter().map(|e| e.ci95).collect::<Vec<_>>());
        let mut rows: Vec<RankRow> = siblings
            .iter()
            .zip(figures.iter().zip(ranks))
            .map(|(a, (e, rank))| RankRow {
                code: a.code.clone(),
                name: agencies::name_of(a),
                figure: indices::figure(e),
                rank,
                me: a.id == unit.id,
            })
            .collect();
        rows.sort_by(|a, b| best_first(&a.figure, &b.figure));
        let parent =
            parent.and_then(|p| self.units.iter().find(|a| a.id == p)).map(|p| (p.code.clone(), agencies::name_of(p)));
        Ok(Ranking { parent, rows })
    }

    /// Elements or criteria of a report with their names.
    pub fn coded(&self, list: &[sipas::Scored]) -> Vec<CodedFigure> {
        list.iter()
            .map(|s| CodedFigure {
                code: s.code.clone(),
                name: self.instrument.name_of(&s.code),
                figure: indices::figure(&s.estimate),
            })
            .collect()
    }

    /// Table rows for `units` from their reports.
    pub fn rows(&self, units: &[(&agency::Model, usize)], reports: &HashMap<i64, Report>) -> Vec<TreeRow> {
        let empty = self.empty();
        units
            .iter()
            .map(|(a, depth)| TreeRow {
                code: a.code.clone(),
                name: agencies::name_of(a),
                kind: agencies::kind_of(a),
                depth: *depth,
                figure: indices::figure(&reports.get(&a.id).unwrap_or(&empty).overall),
            })
            .collect()
    }
}

/// The change from `before` (the report of the period `previous`) to `current`, and whether it
/// is larger than chance would explain.
fn change_between(previous: Period, before: &Report, current: &Report) -> Change {
    let (now, before) = (&current.overall, &before.overall);
    let (delta, significant) = match (now.index, before.index) {
        (Some(a), Some(b)) => {
            let z = stats::difference(a / 100.0, now.n_eff, b / 100.0, before.n_eff).map_or(0.0, |(_, z)| z);
            (Some(a - b), z.abs() > Z95)
        }
        _ => (None, false),
    };
    Change { previous, previous_figure: indices::figure(before), delta, significant }
}

/// Order of a ranking: highest index first, units without data last.
pub(crate) fn best_first(a: &domain::dto::IndexFigure, b: &domain::dto::IndexFigure) -> std::cmp::Ordering {
    b.index.is_some().cmp(&a.index.is_some()).then(b.index.unwrap_or(0.0).total_cmp(&a.index.unwrap_or(0.0)))
}

/// The targets of `unit`: its own, else its nearest ancestor's.
pub async fn targets(db: &impl ConnectionTrait, units: &[agency::Model], unit: i64) -> Result<Targets, AppError> {
    let all: HashMap<i64, index_target::Model> =
        index_target::Entity::find().all(db).await?.into_iter().map(|t| (t.agency_id, t)).collect();
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|a| (a.id, a)).collect();
    let mut at = Some(unit);
    for _ in 0..64 {
        let Some(id) = at else { break };
        if let Some(t) = all.get(&id).filter(|t| t.goal.is_some() || t.floor.is_some()) {
            let from = (id != unit).then(|| by_id.get(&id).map(|a| (a.code.clone(), agencies::name_of(a)))).flatten();
            return Ok(Targets { goal: t.goal, floor: t.floor, from });
        }
        at = by_id.get(&id).and_then(|a| a.parent_id);
    }
    Ok(Targets::default())
}

/// One unit's dashboard. The index, trend, change, targets and ranking are public (they come
/// from public figures); the breakdown and the staff section are for staff whose scope holds
/// the unit.
pub async fn agency_report(
    state: &AppState,
    viewer: Option<&CurrentUser>,
    code: &str,
    q: ReportQuery,
) -> Result<AgencyReport, AppError> {
    let db = &state.db;
    let units = agencies::all(db).await?;
    let unit = units.iter().find(|u| u.code == code).ok_or(ErrorCode::AgencyNotFound)?.clone();
    let scope = match viewer {
        Some(user) => Some(access::scope_of(db, user).await?),
        None => None,
    };
    let detailed = scope.as_ref().is_some_and(|s| s.contains(unit.id));
    let lens = Lens::new(state, &units, q.questionnaire.as_deref(), q.basis, q.rollup).await?;
    let period = q.period;
    let children = agencies::children_map(&units, period.to);
    let kids: Vec<&agency::Model> = children.get(&Some(unit.id)).cloned().unwrap_or_default();
    let mut nodes = vec![unit.id];
    nodes.extend(kids.iter().map(|a| a.id));
    let subtree: Vec<i64> = access::subtree(&units, unit.id).into_iter().collect();
    // The parts of the page are independent: asked for together, the database works on them
    // at once (SQLite and PostgreSQL each answer on their own connections).
    let integrity = async {
        if detailed { indices::integrity_summary(db, &subtree, &period).await } else { Ok((Vec::new(), Vec::new())) }
    };
    let (reports, trend, previous, ranking, targets, (flags, activity), counters) = tokio::try_join!(
        lens.reports_for(&nodes, &period),
        lens.trend(unit.id, &period, q.step),
        lens.previous(unit.id, &period),
        lens.ranking(&unit, &period),
        targets(db, &units, unit.id),
        integrity,
        agencies::counters_of(db, unit.id),
    )?;
    let empty = lens.empty();
    let report = reports.get(&unit.id).unwrap_or(&empty);
    let change = previous.map(|(p, before)| change_between(p, &before, report));
    let coded = |list: &[sipas::Scored]| lens.coded(list);
    let parent =
        unit.parent_id.and_then(|p| units.iter().find(|a| a.id == p)).map(|p| (p.code.clone(), agencies::name_of(p)));
    let staff = match (viewer, detailed) {
        (Some(user), true) => Some(staff_analytics(state, &lens, user, &unit, &subtree, &period, report).await?),
        _ => None,
    };
    Ok(AgencyReport {
        code: unit.code.clone(),
        name: agencies::name_of(&unit),
        kind: agencies::kind_of(&unit),
        parent,
        period,
        rollup: q.rollup,
        basis: q.basis,
        questionnaire: lens.instrument.code.clone(),
        // Shared questionnaires, and those of the unit's own line: itself, the units above it
        // (whose questionnaires its counters may use) and the units below it.
        questionnaires: indices::questionnaire_choices(
            db,
            &crate::calendar::ancestors(&units, unit.id).into_iter().chain(subtree.iter().copied()).collect::<Vec<_>>(),
        )
        .await?,
        low_sample_below: lens.low_sample_below,
        overall: indices::figure(&report.overall),
        elements: if detailed { coded(&report.elements) } else { Vec::new() },
        criteria: if detailed { coded(&report.criteria) } else { Vec::new() },
        detailed,
        total_responses: if detailed { activity.iter().map(|a| a.responses).sum() } else { 0 },
        flags,
        activity,
        children: lens.rows(&kids.iter().map(|a| (*a, 0)).collect::<Vec<_>>(), &reports),
        counters,
        trend,
        targets,
        change,
        ranking,
        staff,
    })
}

/// The overview: the top of the tree, going as many levels deep as fit in a readable page
/// (the whole tree of one province; the provinces of a country).
pub async fn overview(state: &AppState, q: ReportQuery) -> Result<Overview, AppError> {
    let units = agencies::all(&state.db).await?;
    let lens = Lens::new(state, &units, q.questionnaire.as_deref(), q.basis, q.rollup).await?;
    let children = agencies::children_map(&units, q.period.to);
    // Depth-first listing, one level at a time while it stays short.
    let mut depth_limit = 0;
    loop {
        let next = listing(&children, depth_limit + 1).len();
        if next > OVERVIEW_ROWS || next == listing(&children, depth_limit).len() {
            break;
        }
        depth_limit += 1;
    }
    let shown = listing(&children, depth_limit);
    let nodes: Vec<i64> = shown.iter().map(|(a, _)| a.id).collect();
    let reports = lens.reports_for(&nodes, &q.period).await?;
    Ok(Overview {
        questionnaire: lens.instrument.code.clone(),
        // The public overview lists the shared questionnaires only.
        questionnaires: indices::questionnaire_choices(&state.db, &[]).await?,
        rows: lens.rows(&shown, &reports),
        period: q.period,
        rollup: q.rollup,
        basis: q.basis,
        low_sample_below: lens.low_sample_below,
    })
}

/// Units current on the day of `children`, depth-first, down to `max_depth`.
fn listing<'a>(
    children: &HashMap<Option<i64>, Vec<&'a agency::Model>>,
    max_depth: usize,
) -> Vec<(&'a agency::Model, usize)> {
    let mut rows = Vec::new();
    let mut stack: Vec<(&agency::Model, usize)> =
        children.get(&None).map(|l| l.iter().rev().map(|a| (*a, 0)).collect()).unwrap_or_default();
    while let Some((a, depth)) = stack.pop() {
        rows.push((a, depth));
        if depth < max_depth.min(64)
            && let Some(kids) = children.get(&Some(a.id))
        {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    rows
}

/// The JSON API's report of one unit.
pub async fn unit_report(state: &AppState, code: &str, q: &ReportQuery) -> Result<(agency::Model, Report), AppError> {
    let units = agencies::all(&state.db).await?;
    let unit = units.iter().find(|u| u.code == code).ok_or(ErrorCode::AgencyNotFound)?.clone();
    let lens = Lens::new(state, &units, q.questionnaire.as_deref(), q.basis, q.rollup).await?;
    let report = lens.reports_for(&[unit.id], &q.period).await?.remove(&unit.id).unwrap_or_else(|| lens.empty());
    Ok((unit, report))
}

/// Responses of a subtree in a period from the activity counts: volume, channels, verified and
/// flagged shares, tickets and the MoHA sample target.
pub async fn activity_summary(
    db: &impl ConnectionTrait,
    subtree: &[i64],
    period: &Period,
    respondents: u64,
) -> Result<ActivitySummary, AppError> {
    let runs = buckets::runs(period, vn_date(crate::clock::now()));
    let rows = rollups::activity_counts(db, &runs, subtree).await?;
    let mut channels: BTreeMap<String, u64> = Channel::ALL.iter().map(|c| (c.as_str().to_owned(), 0)).collect();
    let (mut responses, mut presses, mut tickets, mut verified, mut flagged) = (0, 0, 0, 0, 0);
    for r in &rows {
        if r.source == rollups::TICKET_SOURCE {
            tickets += r.n;
            continue;
        }
        *channels.entry(r.source.clone()).or_default() += r.n;
        if r.source == Channel::Kiosk.as_str() {
            presses += r.n;
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
    let target = (tickets > 0).then(|| stats::moha_sample_target(tickets));
    Ok(ActivitySummary {
        responses,
        kiosk_presses: presses,
        tickets,
        response_rate: (tickets > 0).then(|| responses as f64 / tickets as f64),
        channels: channels.into_iter().map(|(channel, n)| ChannelCount { channel, n }).collect(),
        verified,
        flagged,
        sample: SampleTarget { tickets, target, respondents, reached: target.map(|t| respondents >= t) },
    })
}

/// Responses per weekday and hour, Monday first.
pub async fn heatmap(db: &impl ConnectionTrait, subtree: &[i64], period: &Period) -> Result<Heatmap, AppError> {
    let runs = buckets::runs(period, vn_date(crate::clock::now()));
    let counts = rollups::hour_counts(db, &runs, subtree).await?;
    let mut cells = vec![vec![0u64; 24]; 7];
    let mut flagged = vec![vec![0u64; 24]; 7];
    for ((w, h), (n, f)) in counts {
        if let (Some(row), Some(frow)) =
            (cells.get_mut(usize::from(w).wrapping_sub(1)), flagged.get_mut(usize::from(w).wrapping_sub(1)))
            && usize::from(h) < 24
        {
            row[usize::from(h)] = n;
            frow[usize::from(h)] = f;
        }
    }
    let max = cells.iter().flatten().copied().max().unwrap_or(0);
    Ok(Heatmap { cells, flagged, max })
}

/// How many of the latest comments a dashboard shows.
const COMMENTS: u64 = 10;

/// The latest comments left in a subtree during a period, hidden ones left out. Read through
/// the index of commented responses (`ix_response_comment`), never by scanning responses.
pub async fn latest_comments(
    db: &impl ConnectionTrait,
    units: &[agency::Model],
    subtree: &[i64],
    period: &Period,
) -> Result<Vec<CommentView>, AppError> {
    if subtree.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let list = subtree.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let (p1, p2) = if backend == sea_orm::DatabaseBackend::Postgres { ("$1", "$2") } else { ("?", "?") };
    let sql = format!(
        "SELECT r.id, r.submitted_at, r.agency_id, c.name AS counter, r.comment FROM response r \
         JOIN counter c ON c.id = r.counter_id \
         WHERE r.agency_id IN ({list}) AND r.comment IS NOT NULL AND r.submitted_at >= {p1} AND r.submitted_at < {p2} \
         AND NOT EXISTS (SELECT 1 FROM comment_moderation m WHERE m.response_id = r.id AND m.hidden) \
         ORDER BY r.submitted_at DESC LIMIT {COMMENTS}"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(period.start_utc()), Value::from(period.end_utc())],
        ))
        .await?;
    let names: HashMap<i64, Localized> = units.iter().map(|a| (a.id, agencies::name_of(a))).collect();
    let mut out = Vec::new();
    for row in rows {
        let text: String = row.try_get("", "comment")?;
        if text.trim().is_empty() {
            continue;
        }
        let agency: i64 = row.try_get("", "agency_id")?;
        out.push(CommentView {
            response_id: row.try_get("", "id")?,
            at: row.try_get("", "submitted_at")?,
            unit: names.get(&agency).cloned().unwrap_or_else(|| Localized::new("", "")),
            counter: row.try_get("", "counter")?,
            text,
        });
    }
    Ok(out)
}

/// Open alerts of a subtree, newest first.
pub async fn open_alerts(
    db: &impl ConnectionTrait,
    units: &[agency::Model],
    subtree: &[i64],
) -> Result<Vec<AlertView>, AppError> {
    let by_id: HashMap<i64, &agency::Model> = units.iter().map(|a| (a.id, a)).collect();
    let mut rows = index_alert::Entity::find()
        .filter(index_alert::Column::ClosedAt.is_null())
        .filter(index_alert::Column::AgencyId.is_in(subtree.iter().copied()))
        .all(db)
        .await?;
    rows.sort_by_key(|a| std::cmp::Reverse(a.opened_at));
    let counter_ids: Vec<i64> = rows.iter().filter_map(|r| crate::anomalies::counter_of(&r.kind)).collect();
    let counters: HashMap<i64, String> = if counter_ids.is_empty() {
        HashMap::new()
    } else {
        counter::Entity::find()
            .filter(counter::Column::Id.is_in(counter_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, format!("{} ({})", c.name, c.code)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let a = by_id.get(&r.agency_id)?;
            let counter = crate::anomalies::counter_of(&r.kind).and_then(|id| counters.get(&id).cloned());
            Some(AlertView {
                code: a.code.clone(),
                unit: agencies::name_of(a),
                kind: r.kind,
                opened_at: r.opened_at,
                value: r.value,
                reference: r.reference,
                n: u64::try_from(r.n).unwrap_or(0),
                counter,
            })
        })
        .collect())
}

async fn staff_analytics(
    state: &AppState,
    lens: &Lens<'_>,
    user: &CurrentUser,
    unit: &agency::Model,
    subtree: &[i64],
    period: &Period,
    report: &Report,
) -> Result<StaffAnalytics, AppError> {
    let db = &state.db;
    let admin = access::admin_scope(db, user).await.ok().is_some_and(|s| s.contains(unit.id));
    let own = async {
        if !admin {
            return Ok::<_, AppError>(None);
        }
        let t = index_target::Entity::find_by_id(unit.id).one(db).await?;
        Ok(Some(OwnTargets {
            goal: t.as_ref().and_then(|t| t.goal),
            floor: t.as_ref().and_then(|t| t.floor),
            alert_to: t.map(|t| t.alert_to).unwrap_or_default(),
        }))
    };
    let (own, activity, heatmap, comments, alerts) = tokio::try_join!(
        own,
        activity_summary(db, subtree, period, report.overall.n),
        heatmap(db, subtree, period),
        latest_comments(db, lens.units, subtree, period),
        open_alerts(db, lens.units, subtree),
    )?;
    let scorecards =
        crate::scorecards::compute(db, &state.settings.rules_766, subtree, period, lens.basis, activity.sample.clone())
            .await?;
    Ok(StaffAnalytics {
        activity,
        scorecards,
        heatmap,
        comments,
        alerts,
        may_moderate: user.role != domain::accounts::Role::Viewer,
        may_set_targets: admin,
        own_targets: own,
    })
}

/// Hides a survey comment from the dashboards, with the reason (kept, with who and when, in
/// the audit log). Officers and administrators whose scope holds the comment's unit may.
pub async fn hide_comment(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    response_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    use crate::audit;
    use crate::entity::response;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    if user.role == domain::accounts::Role::Viewer {
        return Err(ErrorCode::Forbidden.into());
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(AppError::invalid(vec![domain::error::FieldError::new("reason", ErrorCode::ReasonRequired)]));
    }
    let row = response::Entity::find_by_id(response_id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    access::ensure(&access::scope_of(db, user).await?, row.agency_id)?;
    if comment_moderation::Entity::find_by_id(response_id).one(db).await?.is_some() {
        return Ok(()); // already hidden: hiding twice changes nothing
    }
    comment_moderation::ActiveModel {
        response_id: Set(response_id),
        hidden: Set(true),
        reason: Set(reason.to_owned()),
        by_user: Set(Some(user.id)),
        at: Set(crate::clock::now()),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        &audit::Actor::user(user),
        "comment.hide",
        "response",
        &response_id.to_string(),
        Some(row.agency_id),
        None,
        Some(serde_json::json!({ "reason": reason })),
    )
    .await
}
