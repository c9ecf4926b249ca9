//! Receipt-bound survey links: per-agency API keys for one-stop systems, the one-time tickets
//! they issue for a dossier (mã hồ sơ), and the columns that mark a response as verified.

use crate::{
    m20261122_000002_create_agency_tree::{Agency, Counter, Procedure},
    m20261122_000006_create_accounts::AppUser,
};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ApiKey {
    Table,
    Id,
    AgencyId,
    Name,
    KeyHash,
    Prefix,
    CreatedAt,
    CreatedBy,
    RevokedAt,
}

#[derive(DeriveIden)]
pub enum Ticket {
    Table,
    Id,
    TokenHash,
    AgencyId,
    CounterId,
    ProcedureId,
    DossierCode,
    ApiKeyId,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    ResponseId,
}

/// Columns added to `response` (plain SQL: SQLite adds foreign-key columns only this way).
const RESPONSE_COLUMNS: [&str; 4] = [
    "ALTER TABLE response ADD COLUMN verified BOOLEAN NOT NULL DEFAULT FALSE",
    "ALTER TABLE response ADD COLUMN dossier_code VARCHAR(40) NULL",
    "ALTER TABLE response ADD COLUMN ticket_id BIGINT NULL REFERENCES ticket (id)",
    // Integrity flags, comma-separated codes; empty when nothing looked wrong.
    "ALTER TABLE response ADD COLUMN flags VARCHAR(200) NOT NULL DEFAULT ''",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(big_pk_auto(ApiKey::Id))
                    .col(big_integer(ApiKey::AgencyId))
                    .col(string_len(ApiKey::Name, 100))
                    // SHA-256 of the key; the key itself is shown once, when created.
                    .col(string_len_uniq(ApiKey::KeyHash, 64))
                    .col(string_len(ApiKey::Prefix, 16))
                    .col(timestamp_with_time_zone(ApiKey::CreatedAt))
                    .col(big_integer_null(ApiKey::CreatedBy))
                    .col(timestamp_with_time_zone_null(ApiKey::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_key_agency")
                            .from(ApiKey::Table, ApiKey::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_key_user")
                            .from(ApiKey::Table, ApiKey::CreatedBy)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Ticket::Table)
                    .col(big_pk_auto(Ticket::Id))
                    .col(string_len_uniq(Ticket::TokenHash, 64))
                    .col(big_integer(Ticket::AgencyId))
                    .col(big_integer(Ticket::CounterId))
                    .col(big_integer_null(Ticket::ProcedureId))
                    .col(string_len(Ticket::DossierCode, 40))
                    .col(big_integer(Ticket::ApiKeyId))
                    .col(timestamp_with_time_zone(Ticket::IssuedAt))
                    .col(timestamp_with_time_zone(Ticket::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Ticket::UsedAt))
                    .col(big_integer_null(Ticket::ResponseId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ticket_agency")
                            .from(Ticket::Table, Ticket::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ticket_counter")
                            .from(Ticket::Table, Ticket::CounterId)
                            .to(Counter::Table, Counter::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ticket_procedure")
                            .from(Ticket::Table, Ticket::ProcedureId)
                            .to(Procedure::Table, Procedure::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ticket_api_key")
                            .from(Ticket::Table, Ticket::ApiKeyId)
                            .to(ApiKey::Table, ApiKey::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [("ix_ticket_counter_issued", Ticket::CounterId), ("ix_ticket_dossier", Ticket::DossierCode)]
        {
            let mut index = Index::create().name(name).table(Ticket::Table).col(col).to_owned();
            if name == "ix_ticket_counter_issued" {
                index.col(Ticket::IssuedAt);
            }
            manager.create_index(index).await?;
        }
        let db = manager.get_connection();
        for sql in RESPONSE_COLUMNS {
            db.execute_unprepared(sql).await?;
        }
        db.execute_unprepared("CREATE INDEX ix_response_dossier ON response (dossier_code)").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ix_response_dossier").await?;
        for column in ["flags", "ticket_id", "dossier_code", "verified"] {
            db.execute_unprepared(&format!("ALTER TABLE response DROP COLUMN {column}")).await?;
        }
        manager.drop_table(Table::drop().table(Ticket::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ApiKey::Table).to_owned()).await
    }
}
