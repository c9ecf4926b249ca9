//! Outbox messages are claimed before they are sent: a server marks a batch with its own token
//! and a lease (`claimed_until`), sends it, and marks each message only while it still holds the
//! claim. Several servers on one database then never send a message twice, and the claim of a
//! server that stopped mid-batch expires so that another sends the message.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    ClaimToken,
    ClaimedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one change per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(ColumnDef::new(Outbox::ClaimToken).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(ColumnDef::new(Outbox::ClaimedUntil).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_outbox_claim_token").table(Outbox::Table).col(Outbox::ClaimToken).to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_outbox_claim_token").table(Outbox::Table).to_owned()).await?;
        for col in [Outbox::ClaimedUntil, Outbox::ClaimToken] {
            manager.alter_table(Table::alter().table(Outbox::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
