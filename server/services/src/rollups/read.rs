//! Reading the counts: sums over the runs of a period for a set of units, as dashboards,
//! reports and exports need them.
use super::{counts::*, sql::*};

use domain::{buckets::Run, error::AppError, integrity::Basis};

use sea_orm::{ConnectionTrait, Statement};

use std::collections::BTreeMap;

/// The rows of `table` for `agencies` within `runs`, one `SELECT` per run joined by
/// `UNION ALL`: each part is a range of the primary key (unit, grain, bucket), so the
/// database seeks straight to it instead of scanning.
pub(super) fn union_of_runs(columns: &str, table: &str, runs: &[Run], agencies: &[i64], extra: &str) -> Option<String> {
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

pub(super) fn basis_columns(basis: Basis) -> (&'static str, &'static str) {
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
