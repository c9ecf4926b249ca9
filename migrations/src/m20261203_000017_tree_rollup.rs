//! Index counts of everything *below* a unit: for each unit that has units under it (following
//! the roll-up link: the unit a closed one was merged into, else its parent), the sum of the
//! `index_rollup` rows of all those units. A province's figure is then read as its own rows
//! plus its `tree_rollup` rows, a few hundred rows instead of a hundred units' worth, and a
//! ranking of the 34 provinces reads 34 units' rows instead of the whole country's.
//!
//! Kept in the same transaction as each response (`services::rollups`), moved
//! with a unit when it is moved or merged, filled from `index_rollup` on first start after this
//! migration, and checked by `ydan verify-rollups`.

use crate::m20261126_000014_rollups::INDEX_ROLLUP;
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DatabaseBackend::Sqlite;
        let suffix = if sqlite { " WITHOUT ROWID" } else { "" };
        // The columns and key of `index_rollup`; `agency_id` is the unit the counts lie below.
        let table = INDEX_ROLLUP.replacen("index_rollup", "tree_rollup", 1);
        manager.get_connection().execute_unprepared(&format!("{table}{suffix}")).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP TABLE tree_rollup").await?;
        Ok(())
    }
}
