//! Pre-aggregated counts: what dashboards read instead of raw responses.
//!
//! Every response adds to three tables in the transaction that stores it (`record`):
//! `index_rollup` (respondents and satisfied/valid answers per unit, questionnaire, group,
//! element and criterion, and answers per option of single-choice questions),
//! `activity_rollup` (responses per counter, channel and integrity flags, and tickets issued)
//! and `hour_rollup` (responses per weekday and hour). Each count is kept per Vietnam day,
//! month and quarter (`domain::buckets`), so a period is read as a few rows per unit however
//! many responses it holds. The index counts are also added to every unit above the
//! response's (`tree_rollup`), so a province's figure is read from the province's rows alone;
//! moving or merging a unit moves its counts along (`reattach`).
//!
//! The same `Accumulator` adds up one live response, a whole demo data set, or every raw row
//! when `verify` recomputes the tables to compare them with what is stored.

use crate::instruments::InstrumentCache;
use crate::instruments::{self, InstrumentDef};
use chrono::{DateTime, Datelike, Timelike, Utc};
use domain::{
    buckets::{Grain, Run},
    error::AppError,
    integrity::Basis,
    period::vn_offset,
    scale::Scale,
};
use sea_orm::{ConnectionTrait, QueryResult, Statement, TransactionTrait};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What the counts need to know about one stored response.
pub struct ResponseFacts<'a> {
    pub agency_id: i64,
    pub counter_id: i64,
    pub instrument: &'a InstrumentDef,
    pub at: DateTime<Utc>,
    pub channel: &'a str,
    pub verified: bool,
    pub flags: &'a str,
    /// Criterion id and value (`None` = no answer), as stored in `response_answer`.
    pub answers: &'a [(i64, Option<i16>)],
}

/// Levels of `index_rollup.level`.
pub const LEVEL_RESPONSE: i16 = 0;
pub const LEVEL_GROUP: i16 = 1;
pub const LEVEL_ELEMENT: i16 = 2;
pub const LEVEL_CRITERION: i16 = 3;
/// `LEVEL_CHOICE + k`: answers choosing option `k` of a single-choice criterion.
pub const LEVEL_CHOICE: i16 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexKey {
    pub agency: i64,
    pub grain: i16,
    pub bucket: i32,
    pub instrument: i64,
    pub level: i16,
    pub item: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityKey {
    pub agency: i64,
    pub grain: i16,
    pub bucket: i32,
    pub counter: i64,
    pub instrument: i64,
    pub source: String,
    pub flags: String,
    pub verified: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HourKey {
    pub agency: i64,
    pub grain: i16,
    pub bucket: i32,
    /// 1 = Monday … 7 = Sunday, in Vietnam.
    pub weekday: i16,
    pub hour: i16,
}

/// Counts added up in memory, written with `write` (adding to what is stored).
#[derive(Debug, Default, PartialEq)]
pub struct Accumulator {
    /// n_all, s_all, n_clean, s_clean, n_verified, s_verified
    pub index: BTreeMap<IndexKey, [i64; 6]>,
    /// n, satisfied, dissatisfied
    pub activity: BTreeMap<ActivityKey, [i64; 3]>,
    /// n, flagged
    pub hours: BTreeMap<HourKey, [i64; 2]>,
}

/// The source recorded for tickets issued.
pub const TICKET_SOURCE: &str = "ticket";

impl Accumulator {
    pub fn is_empty(&self) -> bool {
        self.index.is_empty() && self.activity.is_empty() && self.hours.is_empty()
    }

    pub fn add_response(&mut self, f: &ResponseFacts<'_>) {
        let local = f.at.with_timezone(&vn_offset());
        let day = local.date_naive();
        let clean = f.flags.is_empty();
        let value_of: HashMap<i64, i16> = f.answers.iter().filter_map(|(c, v)| v.map(|v| (*c, v))).collect();
        // (level, item, satisfied)
        let mut parts: Vec<(i16, i64, bool)> = Vec::new();
        let (mut any, mut all_satisfied, mut some_dissatisfied) = (false, true, false);
        for group in &f.instrument.groups {
            let mut group_answered = false;
            for element in &group.elements {
                let mut element_answered = false;
                for c in &element.criteria {
                    let Some(&v) = value_of.get(&c.id) else { continue };
                    if c.scale.is_rating() {
                        let satisfied = v >= i16::from(c.scale.satisfied_from());
                        parts.push((LEVEL_CRITERION, c.id, satisfied));
                        element_answered = true;
                        all_satisfied &= satisfied;
                        some_dissatisfied |= v <= i16::from(c.scale.dissatisfied_to());
                    } else if c.scale == Scale::Choice && (1..=i16::from(Scale::Choice.max())).contains(&v) {
                        parts.push((LEVEL_CHOICE + v, c.id, false));
                    }
                }
                if element_answered {
                    parts.push((LEVEL_ELEMENT, element.id, false));
                    group_answered = true;
                }
            }
            if group_answered {
                parts.push((LEVEL_GROUP, group.id, false));
                any = true;
            }
        }
        if any {
            parts.push((LEVEL_RESPONSE, 0, false));
        }
        let weekday = local.weekday().number_from_monday() as i16;
        let hour = local.hour() as i16;
        for grain in Grain::ALL {
            let bucket = grain.bucket(day);
            for &(level, item, satisfied) in &parts {
                let key = IndexKey {
                    agency: f.agency_id,
                    grain: grain.id(),
                    bucket,
                    instrument: f.instrument.id,
                    level,
                    item,
                };
                let c = self.index.entry(key).or_default();
                let s = i64::from(satisfied);
                c[0] += 1;
                c[1] += s;
                if clean {
                    c[2] += 1;
                    c[3] += s;
                }
                if f.verified {
                    c[4] += 1;
                    c[5] += s;
                }
            }
            let a = self
                .activity
                .entry(ActivityKey {
                    agency: f.agency_id,
                    grain: grain.id(),
                    bucket,
                    counter: f.counter_id,
                    instrument: f.instrument.id,
                    source: f.channel.to_owned(),
                    flags: f.flags.to_owned(),
                    verified: f.verified,
                })
                .or_default();
            a[0] += 1;
            a[1] += i64::from(any && all_satisfied);
            a[2] += i64::from(some_dissatisfied);
            let h = self
                .hours
                .entry(HourKey { agency: f.agency_id, grain: grain.id(), bucket, weekday, hour })
                .or_default();
            h[0] += 1;
            h[1] += i64::from(!clean);
        }
    }

    pub fn add_ticket(&mut self, agency_id: i64, counter_id: i64, at: DateTime<Utc>) {
        let day = at.with_timezone(&vn_offset()).date_naive();
        for grain in Grain::ALL {
            let key = ActivityKey {
                agency: agency_id,
                grain: grain.id(),
                bucket: grain.bucket(day),
                counter: counter_id,
                instrument: 0,
                source: TICKET_SOURCE.into(),
                flags: String::new(),
                verified: false,
            };
            self.activity.entry(key).or_default()[0] += 1;
        }
    }

    /// Adds the counts to the stored ones, and the index counts to every unit above theirs,
    /// in key order (concurrent writers on PostgreSQL then lock shared rows in the same order
    /// and never deadlock).
    pub async fn write(&self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        let chains = ancestors(db, &self.index_agencies()).await?;
        self.write_own(db).await?;
        let mut tree = BTreeMap::new();
        self.add_below(&chains, &mut tree);
        write_tree(db, &tree).await
    }

    /// The units the index counts belong to.
    fn index_agencies(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.index.keys().map(|k| k.agency).collect();
        ids.dedup();
        ids
    }

    /// Adds the index counts to `tree` under every unit above their own (`chains`: each
    /// unit's ancestors, as `ancestors` gives them).
    pub fn add_below(&self, chains: &HashMap<i64, Vec<i64>>, tree: &mut BTreeMap<IndexKey, [i64; 6]>) {
        for (k, c) in &self.index {
            for above in chains.get(&k.agency).into_iter().flatten() {
                let slot = tree.entry(IndexKey { agency: *above, ..*k }).or_default();
                for (s, v) in slot.iter_mut().zip(c) {
                    *s += v;
                }
            }
        }
    }

    /// Adds the counts to the stored ones of their own units only (`write` also adds them
    /// above): for rewriting a unit's own rows, or a bulk load that writes `tree_rollup` once
    /// at the end.
    pub async fn write_own(&self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        upsert(db, &INDEX_TABLE, self.index.iter().map(|(k, c)| index_values(k, c))).await?;
        let activity = self.activity.iter().map(|(k, c)| {
            format!(
                "({},{},{},{},{},{},{},{},{},{},{})",
                k.agency,
                k.grain,
                k.bucket,
                k.counter,
                k.instrument,
                sql_text(&k.source),
                sql_text(&k.flags),
                if k.verified { "TRUE" } else { "FALSE" },
                c[0],
                c[1],
                c[2]
            )
        });
        upsert(db, &ACTIVITY_TABLE, activity).await?;
        let hours = self.hours.iter().map(|(k, c)| {
            format!("({},{},{},{},{},{},{})", k.agency, k.grain, k.bucket, k.weekday, k.hour, c[0], c[1])
        });
        upsert(db, &HOUR_TABLE, hours).await
    }
}

/// One counts table: its key columns and the counts added on conflict.
struct Table {
    name: &'static str,
    keys: &'static [&'static str],
    counts: &'static [&'static str],
}

const INDEX_TABLE: Table = Table {
    name: "index_rollup",
    keys: &["agency_id", "grain", "bucket", "instrument_id", "level", "item_id"],
    counts: &["n_all", "s_all", "n_clean", "s_clean", "n_verified", "s_verified"],
};
const ACTIVITY_TABLE: Table = Table {
    name: "activity_rollup",
    keys: &["agency_id", "grain", "bucket", "counter_id", "instrument_id", "source", "flags", "verified"],
    counts: &["n", "satisfied", "dissatisfied"],
};
/// Index counts of everything below each unit: the key and counts of `index_rollup`.
const TREE_TABLE: Table = Table { name: "tree_rollup", keys: INDEX_TABLE.keys, counts: INDEX_TABLE.counts };
const HOUR_TABLE: Table = Table {
    name: "hour_rollup",
    keys: &["agency_id", "grain", "bucket", "weekday", "hour"],
    counts: &["n", "flagged"],
};

/// `INSERT … ON CONFLICT DO UPDATE` adding `rows` (SQL value tuples) to `table`, a few hundred
/// rows per statement.
async fn upsert(db: &impl ConnectionTrait, table: &Table, rows: impl Iterator<Item = String>) -> Result<(), AppError> {
    const CHUNK: usize = 400;
    let rows: Vec<String> = rows.collect();
    if rows.is_empty() {
        return Ok(());
    }
    let columns = [table.keys, table.counts].concat().join(", ");
    let add = table.counts.iter().map(|c| format!("{c} = {t}.{c} + excluded.{c}", t = table.name)).collect::<Vec<_>>();
    for chunk in rows.chunks(CHUNK) {
        db.execute_unprepared(&format!(
            "INSERT INTO {} ({columns}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
            table.name,
            chunk.join(","),
            table.keys.join(", "),
            add.join(", ")
        ))
        .await?;
    }
    Ok(())
}

/// Adds `tree` (counts of the units below each key's unit) to `tree_rollup`.
pub async fn write_tree(db: &impl ConnectionTrait, tree: &BTreeMap<IndexKey, [i64; 6]>) -> Result<(), AppError> {
    upsert(db, &TREE_TABLE, tree.iter().map(|(k, c)| index_values(k, c))).await
}

fn index_values(k: &IndexKey, c: &[i64; 6]) -> String {
    format!(
        "({},{},{},{},{},{},{},{},{},{},{},{})",
        k.agency, k.grain, k.bucket, k.instrument, k.level, k.item, c[0], c[1], c[2], c[3], c[4], c[5]
    )
}

/// Where a unit's history rolls up: the unit it was merged into, else its parent.
pub fn roll_up_link(id: i64, parent: Option<i64>, merged_into: Option<i64>) -> Option<i64> {
    merged_into.or(parent).filter(|p| *p != id)
}

/// The units above `id` following `up` (each unit's roll-up link), nearest first. A loop in
/// bad data ends the walk.
pub fn chain(up: &HashMap<i64, i64>, id: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut at = id;
    while let Some(next) = up.get(&at).copied() {
        if next == id || out.contains(&next) || out.len() >= 64 {
            break;
        }
        out.push(next);
        at = next;
    }
    out
}

/// The units above each of `ids`, nearest first, read level by level from the unit table.
/// On PostgreSQL the rows read stay locked against change (`FOR SHARE`) until the transaction
/// ends: a unit being moved waits for the counts added here, and moves them along.
pub async fn ancestors(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    let backend = db.get_database_backend();
    let lock = if backend == sea_orm::DatabaseBackend::Postgres { " FOR SHARE" } else { "" };
    let mut up: HashMap<i64, i64> = HashMap::new();
    let mut read: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let mut frontier: Vec<i64> = ids.to_vec();
    for _ in 0..64 {
        frontier.sort_unstable();
        frontier.dedup();
        frontier.retain(|id| !read.contains(id));
        if frontier.is_empty() {
            break;
        }
        let sql = format!(
            "SELECT id, parent_id, merged_into_id FROM agency WHERE id IN ({}) ORDER BY id{lock}",
            id_list(&frontier)
        );
        read.extend(frontier.iter().copied());
        let mut next = Vec::new();
        for row in db.query_all_raw(Statement::from_string(backend, sql)).await? {
            let id: i64 = row.try_get("", "id")?;
            if let Some(link) = roll_up_link(id, row.try_get("", "parent_id")?, row.try_get("", "merged_into_id")?) {
                up.insert(id, link);
                next.push(link);
            }
        }
        frontier = next;
    }
    Ok(ids.iter().map(|id| (*id, chain(&up, *id))).collect())
}

/// Moves the counts of `unit` and of everything below it from the units above `from` to the
/// units above `to` (its roll-up link before and after a move or a merge; units above both
/// keep them). Call inside the transaction that changes the link, after changing it.
pub async fn reattach(
    db: &impl ConnectionTrait,
    unit: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<(), AppError> {
    let ends: Vec<i64> = [from, to].into_iter().flatten().collect();
    let chains = ancestors(db, &ends).await?;
    let line = |end: Option<i64>| -> Vec<i64> {
        end.map(|e| std::iter::once(e).chain(chains.get(&e).into_iter().flatten().copied()).collect())
            .unwrap_or_default()
    };
    let (old, new) = (line(from), line(to));
    let leave: Vec<i64> = old.iter().filter(|a| !new.contains(a)).copied().collect();
    let join: Vec<i64> = new.iter().filter(|a| !old.contains(a)).copied().collect();
    if leave.is_empty() && join.is_empty() {
        return Ok(());
    }
    let cols = INDEX_TABLE.keys.join(", ");
    let group = INDEX_TABLE.keys[1..].join(", ");
    let sums = INDEX_TABLE.counts.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}")).collect::<Vec<_>>();
    let sql = format!(
        "SELECT 0 AS agency_id, {group}, {} FROM (SELECT {cols}, {counts} FROM index_rollup WHERE agency_id = {unit} \
         UNION ALL SELECT {cols}, {counts} FROM tree_rollup WHERE agency_id = {unit}) t GROUP BY {group}",
        sums.join(", "),
        counts = INDEX_TABLE.counts.join(", ")
    );
    let mut moved: BTreeMap<IndexKey, [i64; 6]> = BTreeMap::new();
    for row in db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await? {
        let key = index_key(&row)?;
        let c = counts_of_index(&row)?;
        for a in &leave {
            moved.insert(IndexKey { agency: *a, ..key }, c.map(|v| -v));
        }
        for a in &join {
            moved.insert(IndexKey { agency: *a, ..key }, c);
        }
    }
    write_tree(db, &moved).await
}

/// A string literal for SQL. The texts written here are channel names and flag codes the
/// server chose itself, but they are quoted properly all the same.
fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Adds one stored response to the counts; call inside the transaction that stores it.
pub async fn record(db: &impl ConnectionTrait, facts: &ResponseFacts<'_>) -> Result<(), AppError> {
    let mut acc = Accumulator::default();
    acc.add_response(facts);
    acc.write(db).await
}

/// Adds one issued ticket to the counts; call inside the transaction that stores it.
pub async fn record_ticket(
    db: &impl ConnectionTrait,
    agency_id: i64,
    counter_id: i64,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut acc = Accumulator::default();
    acc.add_ticket(agency_id, counter_id, at);
    acc.write(db).await
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The rows of `table` for `agencies` within `runs`, one `SELECT` per run joined by
/// `UNION ALL`: each part is a range of the primary key (unit, grain, bucket), so the
/// database seeks straight to it instead of scanning.
fn union_of_runs(columns: &str, table: &str, runs: &[Run], agencies: &[i64], extra: &str) -> Option<String> {
    if runs.is_empty() || agencies.is_empty() {
        return None;
    }
    let list = id_list(agencies);
    let parts: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "SELECT {columns} FROM {table} WHERE agency_id IN ({list}) AND grain = {} AND bucket BETWEEN {} AND {}{extra}",
                r.grain.id(),
                r.from,
                r.to
            )
        })
        .collect();
    Some(parts.join(" UNION ALL "))
}

fn basis_columns(basis: Basis) -> (&'static str, &'static str) {
    match basis {
        Basis::All => ("n_all", "s_all"),
        Basis::Unflagged => ("n_clean", "s_clean"),
        Basis::Verified => ("n_verified", "s_verified"),
    }
}

/// Which units' counts are added together.
#[derive(Clone, Copy, Debug)]
pub enum By {
    /// Each unit apart.
    Agency,
    /// All of them together, reported as key 0.
    All,
}

/// How summed counts are grouped besides level and item.
#[derive(Clone, Copy, Debug)]
pub struct Grouping {
    pub by: By,
    /// Per bucket (else the buckets are added together, reported as bucket 0).
    pub per_bucket: bool,
    /// Each unit's counts with everything below it (`tree_rollup`), else its own only.
    pub with_below: bool,
}

/// One row of summed index counts.
#[derive(Clone, Copy, Debug)]
pub struct IndexCount {
    /// The unit, or the key it was grouped under.
    pub agency: i64,
    pub bucket: i32,
    pub level: i16,
    pub item: i64,
    pub n: u64,
    pub satisfied: u64,
}

/// Index counts of `agencies` summed over `runs` per level and item (and per unit, key and
/// bucket as `grouping` says), for the questionnaire versions `instruments`.
pub async fn index_counts(
    db: &impl ConnectionTrait,
    runs: &[Run],
    instruments: &[i64],
    agencies: &[i64],
    basis: Basis,
    grouping: Grouping,
) -> Result<Vec<IndexCount>, AppError> {
    if instruments.is_empty() {
        return Ok(Vec::new());
    }
    let (n, s) = basis_columns(basis);
    let bucket = if grouping.per_bucket { "bucket" } else { "0" };
    let extra = format!(" AND instrument_id IN ({})", id_list(instruments));
    let columns = format!("agency_id, {bucket} AS b, level, item_id, {n} AS n, {s} AS s");
    let Some(mut inner) = union_of_runs(&columns, INDEX_TABLE.name, runs, agencies, &extra) else {
        return Ok(Vec::new());
    };
    if grouping.with_below
        && let Some(below) = union_of_runs(&columns, TREE_TABLE.name, runs, agencies, &extra)
    {
        inner = format!("{inner} UNION ALL {below}");
    }
    let sums = "b, level, item_id, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(s) AS BIGINT) AS s";
    let sql = match grouping.by {
        By::Agency => format!("SELECT agency_id AS a, {sums} FROM ({inner}) t GROUP BY agency_id, b, level, item_id"),
        By::All => format!("SELECT 0 AS a, {sums} FROM ({inner}) t GROUP BY b, level, item_id"),
    };
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let n: i64 = row.try_get("", "n")?;
        if n == 0 {
            continue;
        }
        out.push(IndexCount {
            agency: int_col(&row, "a")?,
            bucket: bucket_col(&row, "b")?,
            level: small_col(&row, "level")?,
            item: row.try_get("", "item_id")?,
            n: u64::try_from(n).unwrap_or(0),
            satisfied: u64::try_from(row.try_get::<i64>("", "s")?).unwrap_or(0),
        });
    }
    Ok(out)
}

/// An integer column as i64, whatever width the database reports it in (SQLite gives every
/// integer as 64 bits; PostgreSQL keeps SMALLINT and INTEGER).
fn int_col(row: &QueryResult, col: &str) -> Result<i64, sea_orm::DbErr> {
    row.try_get::<i64>("", col)
        .or_else(|_| row.try_get::<i32>("", col).map(i64::from))
        .or_else(|_| row.try_get::<i16>("", col).map(i64::from))
}

fn small_col(row: &QueryResult, col: &str) -> Result<i16, sea_orm::DbErr> {
    Ok(i16::try_from(int_col(row, col)?).unwrap_or(-1))
}

fn bucket_col(row: &QueryResult, col: &str) -> Result<i32, sea_orm::DbErr> {
    Ok(i32::try_from(int_col(row, col)?).unwrap_or(0))
}

fn count_col(row: &QueryResult, col: &str) -> Result<u64, sea_orm::DbErr> {
    Ok(u64::try_from(int_col(row, col)?).unwrap_or(0))
}

/// One row of summed activity counts.
#[derive(Clone, Debug)]
pub struct ActivityCount {
    pub agency: i64,
    pub counter: i64,
    pub instrument: i64,
    pub source: String,
    pub flags: String,
    pub verified: bool,
    pub n: u64,
    pub satisfied: u64,
    pub dissatisfied: u64,
}

/// Activity counts of `agencies` summed over `runs` per unit, counter, questionnaire, source,
/// flags and verified.
pub async fn activity_counts(
    db: &impl ConnectionTrait,
    runs: &[Run],
    agencies: &[i64],
) -> Result<Vec<ActivityCount>, AppError> {
    let Some(inner) = union_of_runs(
        "agency_id, counter_id, instrument_id, source, flags, verified, n, satisfied, dissatisfied",
        "activity_rollup",
        runs,
        agencies,
        "",
    ) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT agency_id, counter_id, instrument_id, source, flags, verified, CAST(SUM(n) AS BIGINT) AS n, \
         CAST(SUM(satisfied) AS BIGINT) AS s, CAST(SUM(dissatisfied) AS BIGINT) AS d FROM ({inner}) t \
         GROUP BY agency_id, counter_id, instrument_id, source, flags, verified"
    );
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(ActivityCount {
            agency: row.try_get("", "agency_id")?,
            counter: row.try_get("", "counter_id")?,
            instrument: row.try_get("", "instrument_id")?,
            source: row.try_get("", "source")?,
            flags: row.try_get("", "flags")?,
            verified: row.try_get("", "verified")?,
            n: count_col(&row, "n")?,
            satisfied: count_col(&row, "s")?,
            dissatisfied: count_col(&row, "d")?,
        });
    }
    Ok(out)
}

/// Responses (and flagged ones) of `agencies` over `runs` per Vietnam weekday (1 = Monday)
/// and hour.
pub async fn hour_counts(
    db: &impl ConnectionTrait,
    runs: &[Run],
    agencies: &[i64],
) -> Result<BTreeMap<(u8, u8), (u64, u64)>, AppError> {
    let mut out = BTreeMap::new();
    let Some(inner) = union_of_runs("weekday, hour, n, flagged", "hour_rollup", runs, agencies, "") else {
        return Ok(out);
    };
    let sql = format!(
        "SELECT weekday, hour, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(flagged) AS BIGINT) AS f FROM ({inner}) t \
         GROUP BY weekday, hour"
    );
    for row in db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await? {
        let (w, h) = (int_col(&row, "weekday")?, int_col(&row, "hour")?);
        if let (Ok(w), Ok(h)) = (u8::try_from(w), u8::try_from(h)) {
            out.insert((w, h), (count_col(&row, "n")?, count_col(&row, "f")?));
        }
    }
    Ok(out)
}

/// Recomputes the counts of `agencies` from the raw responses and tickets.
pub async fn recompute(db: &impl ConnectionTrait, agencies: &[i64]) -> Result<Accumulator, AppError> {
    let mut acc = Accumulator::default();
    if agencies.is_empty() {
        return Ok(acc);
    }
    let list = id_list(agencies);
    let backend = db.get_database_backend();
    let answers = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT a.response_id, a.criterion_id, a.value FROM response_answer a \
                 JOIN response r ON r.id = a.response_id WHERE r.agency_id IN ({list})"
            ),
        ))
        .await?;
    let mut by_response: HashMap<i64, Vec<(i64, Option<i16>)>> = HashMap::new();
    for row in answers {
        by_response
            .entry(row.try_get("", "response_id")?)
            .or_default()
            .push((row.try_get("", "criterion_id")?, row.try_get("", "value")?));
    }
    let cache = InstrumentCache::default();
    let mut defs: HashMap<i64, Arc<InstrumentDef>> = HashMap::new();
    let responses = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT id, agency_id, counter_id, instrument_id, channel, submitted_at, verified, flags \
                 FROM response WHERE agency_id IN ({list})"
            ),
        ))
        .await?;
    for row in responses {
        let id: i64 = row.try_get("", "id")?;
        let instrument_id: i64 = row.try_get("", "instrument_id")?;
        let def = match defs.get(&instrument_id) {
            Some(d) => d.clone(),
            None => {
                let d = instruments::load(db, &cache, instrument_id).await?;
                defs.insert(instrument_id, d.clone());
                d
            }
        };
        let channel: String = row.try_get("", "channel")?;
        let flags: String = row.try_get("", "flags")?;
        let answers = by_response.remove(&id).unwrap_or_default();
        acc.add_response(&ResponseFacts {
            agency_id: row.try_get("", "agency_id")?,
            counter_id: row.try_get("", "counter_id")?,
            instrument: &def,
            at: row.try_get("", "submitted_at")?,
            channel: &channel,
            verified: row.try_get("", "verified")?,
            flags: &flags,
            answers: &answers,
        });
    }
    let tickets = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT agency_id, counter_id, issued_at FROM ticket WHERE agency_id IN ({list})"),
        ))
        .await?;
    for row in tickets {
        acc.add_ticket(row.try_get("", "agency_id")?, row.try_get("", "counter_id")?, row.try_get("", "issued_at")?);
    }
    Ok(acc)
}

/// The values of `columns` in `row`, as the fixed-size count array of a table.
fn counts_of<const N: usize>(row: &QueryResult, columns: &[&str]) -> Result<[i64; N], sea_orm::DbErr> {
    let mut c = [0i64; N];
    for (slot, col) in c.iter_mut().zip(columns) {
        *slot = int_col(row, col)?;
    }
    Ok(c)
}

/// The key of an `index_rollup` or `tree_rollup` row.
fn index_key(row: &QueryResult) -> Result<IndexKey, sea_orm::DbErr> {
    Ok(IndexKey {
        // A literal unit id in the query is a 32-bit integer on PostgreSQL.
        agency: int_col(row, "agency_id")?,
        grain: small_col(row, "grain")?,
        bucket: bucket_col(row, "bucket")?,
        instrument: row.try_get("", "instrument_id")?,
        level: small_col(row, "level")?,
        item: row.try_get("", "item_id")?,
    })
}

fn counts_of_index(row: &QueryResult) -> Result<[i64; 6], sea_orm::DbErr> {
    counts_of(row, INDEX_TABLE.counts)
}

/// What is stored for `agencies`, in the same shape as `recompute` gives.
pub async fn stored(db: &impl ConnectionTrait, agencies: &[i64]) -> Result<Accumulator, AppError> {
    let mut acc = Accumulator::default();
    if agencies.is_empty() {
        return Ok(acc);
    }
    let list = id_list(agencies);
    let backend = db.get_database_backend();
    let rows_of =
        |table: &str| Statement::from_string(backend, format!("SELECT * FROM {table} WHERE agency_id IN ({list})"));
    for row in db.query_all_raw(rows_of(INDEX_TABLE.name)).await? {
        acc.index.insert(index_key(&row)?, counts_of_index(&row)?);
    }
    for row in db.query_all_raw(rows_of(ACTIVITY_TABLE.name)).await? {
        let key = ActivityKey {
            agency: row.try_get("", "agency_id")?,
            grain: small_col(&row, "grain")?,
            bucket: bucket_col(&row, "bucket")?,
            counter: row.try_get("", "counter_id")?,
            instrument: row.try_get("", "instrument_id")?,
            source: row.try_get("", "source")?,
            flags: row.try_get("", "flags")?,
            verified: row.try_get("", "verified")?,
        };
        acc.activity.insert(key, counts_of(&row, ACTIVITY_TABLE.counts)?);
    }
    for row in db.query_all_raw(rows_of(HOUR_TABLE.name)).await? {
        let key = HourKey {
            agency: row.try_get("", "agency_id")?,
            grain: small_col(&row, "grain")?,
            bucket: bucket_col(&row, "bucket")?,
            weekday: small_col(&row, "weekday")?,
            hour: small_col(&row, "hour")?,
        };
        acc.hours.insert(key, counts_of(&row, HOUR_TABLE.counts)?);
    }
    Ok(acc)
}

/// Differences between stored and recomputed counts, as readable lines.
pub fn differences(stored: &Accumulator, expected: &Accumulator) -> Vec<String> {
    let mut out = Vec::new();
    diff(INDEX_TABLE.name, &stored.index, &expected.index, &mut out);
    diff(ACTIVITY_TABLE.name, &stored.activity, &expected.activity, &mut out);
    diff(HOUR_TABLE.name, &stored.hours, &expected.hours, &mut out);
    out
}

/// Adds a line to `out` for each key whose stored counts differ from the expected ones (a
/// stored row of zeros counts as no row).
fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug + Default>(
    table: &str,
    stored: &BTreeMap<K, V>,
    expected: &BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    let zero = V::default();
    for (k, v) in expected {
        let s = stored.get(k).unwrap_or(&zero);
        if s != v {
            out.push(format!("{table} {k:?}: stored {s:?}, raw rows give {v:?}"));
        }
    }
    for (k, s) in stored {
        if !expected.contains_key(k) && *s != zero {
            out.push(format!("{table} {k:?}: stored {s:?}, raw rows give nothing"));
        }
    }
}

/// Result of a consistency check.
#[derive(Debug, Default)]
pub struct Verification {
    pub units: usize,
    pub rows: usize,
    pub differences: Vec<String>,
}

/// Recomputes the counts of every unit from raw rows, `chunk` units at a time, and compares
/// them with what is stored. With `repair`, a unit whose counts differ gets them rewritten.
pub async fn verify(
    db: &sea_orm::DatabaseConnection,
    chunk: usize,
    repair: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<Verification, AppError> {
    let ids: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM agency ORDER BY id".to_owned(),
        ))
        .await?
        .into_iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    let chunk = chunk.max(1);
    let mut out = Verification { units: ids.len(), ..Default::default() };
    for (i, part) in ids.chunks(chunk).enumerate() {
        let expected = recompute(db, part).await?;
        let stored = stored(db, part).await?;
        out.rows += stored.index.len() + stored.activity.len() + stored.hours.len();
        let diffs = differences(&stored, &expected);
        if repair && !diffs.is_empty() {
            rewrite(db, part).await?;
        }
        out.differences.extend(diffs);
        progress((i * chunk + part.len()).min(ids.len()), ids.len());
    }
    let (rows, diffs) = verify_tree(db, repair).await?;
    out.rows += rows;
    out.differences.extend(diffs);
    Ok(out)
}

/// Replaces the stored counts of `agencies` by counts recomputed from the raw rows, in one
/// transaction that first shuts out other writers (SQLite: the delete takes the write lock;
/// PostgreSQL: an explicit lock), so a response stored meanwhile is neither lost nor counted
/// twice.
pub async fn rewrite(db: &sea_orm::DatabaseConnection, agencies: &[i64]) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let tables = [INDEX_TABLE.name, ACTIVITY_TABLE.name, HOUR_TABLE.name];
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", tables.join(", "))).await?;
    }
    let list = id_list(agencies);
    for table in tables {
        txn.execute_unprepared(&format!("DELETE FROM {table} WHERE agency_id IN ({list})")).await?;
    }
    // Their own rows only: `verify` checks the rows kept above them afterwards.
    recompute(&txn, agencies).await?.write_own(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Each unit with units below it (following the roll-up links) and those units.
async fn units_below(db: &impl ConnectionTrait) -> Result<BTreeMap<i64, Vec<i64>>, AppError> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, parent_id, merged_into_id FROM agency".to_owned(),
        ))
        .await?;
    let mut up = HashMap::new();
    let mut ids = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        ids.push(id);
        if let Some(link) = roll_up_link(id, row.try_get("", "parent_id")?, row.try_get("", "merged_into_id")?) {
            up.insert(id, link);
        }
    }
    let mut below: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for id in ids {
        for above in chain(&up, id) {
            below.entry(above).or_default().push(id);
        }
    }
    Ok(below)
}

/// What `tree_rollup` should hold for `node`: the sums of the stored own counts of `below`.
fn tree_sums_sql(node: i64, below: &[i64]) -> String {
    let group = INDEX_TABLE.keys[1..].join(", ");
    let sums = INDEX_TABLE.counts.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}")).collect::<Vec<_>>();
    format!(
        "SELECT {node} AS agency_id, {group}, {} FROM index_rollup WHERE agency_id IN ({}) GROUP BY {group}",
        sums.join(", "),
        id_list(below)
    )
}

/// Replaces the `tree_rollup` rows of `node` by the sums of the own counts of the units
/// `below` it, in one transaction that shuts out other writers first.
async fn rewrite_tree(db: &sea_orm::DatabaseConnection, node: i64, below: &[i64]) -> Result<(), AppError> {
    let txn = db.begin().await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE index_rollup, tree_rollup IN EXCLUSIVE MODE").await?;
    }
    txn.execute_unprepared(&format!("DELETE FROM tree_rollup WHERE agency_id = {node}")).await?;
    if !below.is_empty() {
        txn.execute_unprepared(&format!(
            "INSERT INTO tree_rollup ({}, {}) {}",
            INDEX_TABLE.keys.join(", "),
            INDEX_TABLE.counts.join(", "),
            tree_sums_sql(node, below)
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Fills `tree_rollup` from the stored own counts, unit by unit: once, when a database that
/// already held counts gets the table.
pub async fn rebuild_tree(db: &sea_orm::DatabaseConnection) -> Result<(), AppError> {
    for (node, below) in units_below(db).await? {
        rewrite_tree(db, node, &below).await?;
    }
    Ok(())
}

/// Compares `tree_rollup` with the sums of the stored own counts below each unit; with
/// `repair`, a unit whose rows differ gets them rewritten. Returns the rows checked and the
/// differences.
async fn verify_tree(db: &sea_orm::DatabaseConnection, repair: bool) -> Result<(usize, Vec<String>), AppError> {
    let backend = db.get_database_backend();
    let mut nodes = units_below(db).await?;
    // Units that hold rows but have nothing below them any more.
    let holders = db
        .query_all_raw(Statement::from_string(backend, "SELECT DISTINCT agency_id FROM tree_rollup".to_owned()))
        .await?;
    for row in holders {
        nodes.entry(row.try_get("", "agency_id")?).or_default();
    }
    let read = |sql: String| async move {
        let mut out: BTreeMap<IndexKey, [i64; 6]> = BTreeMap::new();
        for row in db.query_all_raw(Statement::from_string(backend, sql)).await? {
            out.insert(index_key(&row)?, counts_of_index(&row)?);
        }
        Ok::<_, AppError>(out)
    };
    let (mut rows, mut out) = (0, Vec::new());
    for (node, below) in &nodes {
        let expected = if below.is_empty() { BTreeMap::new() } else { read(tree_sums_sql(*node, below)).await? };
        let stored = read(format!("SELECT * FROM tree_rollup WHERE agency_id = {node}")).await?;
        rows += stored.len();
        let before = out.len();
        diff(TREE_TABLE.name, &stored, &expected, &mut out);
        if repair && out.len() > before {
            rewrite_tree(db, *node, below).await?;
        }
    }
    Ok((rows, out))
}
