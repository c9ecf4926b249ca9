//! Small SQL helpers of the counts: literals written into statements, and integer columns read
//! whatever width each database reports.

use sea_orm::QueryResult;

/// A string literal for SQL. The texts written here are channel names and flag codes the
/// server chose itself, but they are quoted properly all the same.
pub(super) fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(super) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// An integer column as i64, whatever width the database reports it in (SQLite gives every
/// integer as 64 bits; PostgreSQL keeps SMALLINT and INTEGER).
pub(super) fn int_col(row: &QueryResult, col: &str) -> Result<i64, sea_orm::DbErr> {
    row.try_get::<i64>("", col)
        .or_else(|_| row.try_get::<i32>("", col).map(i64::from))
        .or_else(|_| row.try_get::<i16>("", col).map(i64::from))
}

pub(super) fn small_col(row: &QueryResult, col: &str) -> Result<i16, sea_orm::DbErr> {
    Ok(i16::try_from(int_col(row, col)?).unwrap_or(-1))
}

pub(super) fn bucket_col(row: &QueryResult, col: &str) -> Result<i32, sea_orm::DbErr> {
    Ok(i32::try_from(int_col(row, col)?).unwrap_or(0))
}

pub(super) fn count_col(row: &QueryResult, col: &str) -> Result<u64, sea_orm::DbErr> {
    Ok(u64::try_from(int_col(row, col)?).unwrap_or(0))
}
