//! Where a unit's counts roll up to: its merged-into unit, else its parent, and the chain of
//! units above it.

use super::sql::*;
use domain::error::AppError;
use sea_orm::{ConnectionTrait, Statement};
use std::collections::HashMap;

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
