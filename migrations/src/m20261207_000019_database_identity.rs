//! A random number drawn once per database, read together with the unit-tree token, so that a
//! server process that serves several databases (the integration tests open hundreds) keeps one
//! unit tree per database and never lets one database's reads push out another's.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let random = match manager.get_database_backend() {
            DbBackend::Sqlite => "random()",
            _ => "(floor((random() - 0.5) * 9.2e18))::bigint",
        };
        db.execute_unprepared("ALTER TABLE unit_tree_version ADD COLUMN database_id BIGINT NOT NULL DEFAULT 0").await?;
        db.execute_unprepared(&format!("UPDATE unit_tree_version SET database_id = {random}")).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("ALTER TABLE unit_tree_version DROP COLUMN database_id").await?;
        Ok(())
    }
}
