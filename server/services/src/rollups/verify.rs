//! Checking the counts against the raw rows (`ydan verify-rollups`), and rewriting them.
use super::{counts::*, sql::*, tree::*};

use crate::instruments::InstrumentCache;

use crate::instruments::{self, InstrumentDef};

use domain::error::AppError;

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

use std::collections::{BTreeMap, HashMap};

use std::sync::Arc;

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
pub(super) fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug + Default>(
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
pub(super) async fn units_below(db: &impl ConnectionTrait) -> Result<BTreeMap<i64, Vec<i64>>, AppError> {
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
pub(super) fn tree_sums_sql(node: i64, below: &[i64]) -> String {
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
pub(super) async fn rewrite_tree(db: &sea_orm::DatabaseConnection, node: i64, below: &[i64]) -> Result<(), AppError> {
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
pub(super) async fn verify_tree(
    db: &sea_orm::DatabaseConnection,
    repair: bool,
) -> Result<(usize, Vec<String>), AppError> {
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
