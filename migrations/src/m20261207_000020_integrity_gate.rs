//! One integrity gate for every rating: kiosk tablets enrolled by an administrator (a tablet
//! holds a revocable secret, stored here only as a hash), and each response marked with the
//! credential that let it in (the agency API key of another system, or the enrolled tablet).
//! `response.device_hash` now holds the keyed hash of the client's *source*: an IPv4 address or
//! an IPv6 /64, without the browser, so one phone is one source whatever it claims to be.

use crate::m20261122_000002_create_agency_tree::Counter;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum KioskDevice {
    Table,
    Id,
    CounterId,
    Name,
    EnrolCodeHash,
    EnrolCodeExpiresAt,
    SecretHash,
    CreatedAt,
    CreatedBy,
    EnrolledAt,
    RevokedAt,
    LastSeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KioskDevice::Table)
                    .col(big_pk_auto(KioskDevice::Id))
                    .col(big_integer(KioskDevice::CounterId))
                    .col(string_len(KioskDevice::Name, 120))
                    .col(string_len_null(KioskDevice::EnrolCodeHash, 64))
                    .col(timestamp_with_time_zone_null(KioskDevice::EnrolCodeExpiresAt))
                    .col(string_len_null(KioskDevice::SecretHash, 64).unique_key())
                    .col(timestamp_with_time_zone(KioskDevice::CreatedAt))
                    .col(big_integer_null(KioskDevice::CreatedBy))
                    .col(timestamp_with_time_zone_null(KioskDevice::EnrolledAt))
                    .col(timestamp_with_time_zone_null(KioskDevice::RevokedAt))
                    .col(timestamp_with_time_zone_null(KioskDevice::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_kiosk_device_counter")
                            .from(KioskDevice::Table, KioskDevice::CounterId)
                            .to(Counter::Table, Counter::Id),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("CREATE INDEX ix_kiosk_device_counter ON kiosk_device (counter_id)").await?;
        db.execute_unprepared("ALTER TABLE response ADD COLUMN api_key_id BIGINT NULL").await?;
        db.execute_unprepared("ALTER TABLE response ADD COLUMN kiosk_device_id BIGINT NULL").await?;
        // The gate's per-source checks look up one source's recent ratings at one counter.
        db.execute_unprepared(
            "CREATE INDEX ix_response_counter_source ON response (counter_id, device_hash, submitted_at)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ix_response_counter_source").await?;
        db.execute_unprepared("ALTER TABLE response DROP COLUMN kiosk_device_id").await?;
        db.execute_unprepared("ALTER TABLE response DROP COLUMN api_key_id").await?;
        manager.drop_table(Table::drop().table(KioskDevice::Table).to_owned()).await
    }
}
