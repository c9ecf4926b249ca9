//! Columns the administration needs: counters can be closed, procedures belong to a unit's
//! catalogue (or to the national one), and a unit merged into another points to it so that its
//! history rolls up into the new unit (the 2025 reorganisation).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Plain SQL that SQLite and PostgreSQL both accept: SQLite can add a column with a foreign
/// key only this way.
const UP: [&str; 4] = [
    "ALTER TABLE counter ADD COLUMN disabled_at TIMESTAMP WITH TIME ZONE NULL",
    "ALTER TABLE procedure ADD COLUMN agency_id BIGINT NULL REFERENCES agency (id)",
    "ALTER TABLE agency ADD COLUMN merged_into_id BIGINT NULL REFERENCES agency (id)",
    "CREATE INDEX ix_procedure_agency ON procedure (agency_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in UP {
            let sql = match manager.get_database_backend() {
                // The type name SeaORM gives such columns on SQLite (text affinity).
                sea_orm_migration::sea_orm::DbBackend::Sqlite => {
                    sql.replace("TIMESTAMP WITH TIME ZONE", "timestamp_with_timezone_text")
                }
                _ => sql.to_owned(),
            };
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ix_procedure_agency").await?;
        for (table, column) in [("agency", "merged_into_id"), ("procedure", "agency_id"), ("counter", "disabled_at")] {
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN {column}")).await?;
        }
        Ok(())
    }
}
