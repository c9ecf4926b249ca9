//! An index for the checks each open QR rating runs (rate limit and bursts look up recent
//! ratings of one device), so that they stay cheap however many ratings there are.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX ix_response_device_submitted ON response (device_hash, submitted_at)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX ix_response_device_submitted").await?;
        Ok(())
    }
}
