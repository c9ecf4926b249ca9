//! Writing the counts: the keys of each table, the `Accumulator` that adds responses up in
//! memory, and the upserts that add them to what is stored, in the transaction that stores a
//! response or a ticket (or moves a unit).
use super::{sql::*, tree::*};

use crate::instruments::InstrumentDef;

use chrono::{DateTime, Datelike, Timelike, Utc};

use domain::{buckets::Grain, error::AppError, period::vn_offset, scale::Scale};

use sea_orm::{ConnectionTrait, QueryResult, Statement};

use std::collections::{BTreeMap, HashMap};

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
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) keys: &'static [&'static str],
    pub(super) counts: &'static [&'static str],
}

pub(super) const INDEX_TABLE: Table = Table {
    name: "index_rollup",
    keys: &["agency_id", "grain", "bucket", "instrument_id", "level", "item_id"],
    counts: &["n_all", "s_all", "n_clean", "s_clean", "n_verified", "s_verified"],
};

pub(super) const ACTIVITY_TABLE: Table = Table {
    name: "activity_rollup",
    keys: &["agency_id", "grain", "bucket", "counter_id", "instrument_id", "source", "flags", "verified"],
    counts: &["n", "satisfied", "dissatisfied"],
};

/// Index counts of everything below each unit: the key and counts of `index_rollup`.
pub(super) const TREE_TABLE: Table = Table { name: "tree_rollup", keys: INDEX_TABLE.keys, counts: INDEX_TABLE.counts };

pub(super) const HOUR_TABLE: Table = Table {
    name: "hour_rollup",
    keys: &["agency_id", "grain", "bucket", "weekday", "hour"],
    counts: &["n", "flagged"],
};

/// `INSERT … ON CONFLICT DO UPDATE` adding `rows` (SQL value tuples) to `table`, a few hundred
/// rows per statement.
pub(super) async fn upsert(
    db: &impl ConnectionTrait,
    table: &Table,
    rows: impl Iterator<Item = String>,
) -> Result<(), AppError> {
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

pub(super) fn index_values(k: &IndexKey, c: &[i64; 6]) -> String {
    format!(
        "({},{},{},{},{},{},{},{},{},{},{},{})",
        k.agency, k.grain, k.bucket, k.instrument, k.level, k.item, c[0], c[1], c[2], c[3], c[4], c[5]
    )
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

/// The values of `columns` in `row`, as the fixed-size count array of a table.
pub(super) fn counts_of<const N: usize>(row: &QueryResult, columns: &[&str]) -> Result<[i64; N], sea_orm::DbErr> {
    let mut c = [0i64; N];
    for (slot, col) in c.iter_mut().zip(columns) {
        *slot = int_col(row, col)?;
    }
    Ok(c)
}

/// The key of an `index_rollup` or `tree_rollup` row.
pub(super) fn index_key(row: &QueryResult) -> Result<IndexKey, sea_orm::DbErr> {
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

pub(super) fn counts_of_index(row: &QueryResult) -> Result<[i64; 6], sea_orm::DbErr> {
    counts_of(row, INDEX_TABLE.counts)
}
