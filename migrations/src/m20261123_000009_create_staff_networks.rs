//! What integrity checks need: networks registered as the staff's own (ratings from them are
//! flagged), and each counter's opening hours (ratings outside them are flagged).

use crate::m20261122_000002_create_agency_tree::Agency;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum StaffNetwork {
    Table,
    Id,
    AgencyId,
    Cidr,
    Note,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StaffNetwork::Table)
                    .col(big_pk_auto(StaffNetwork::Id))
                    .col(big_integer(StaffNetwork::AgencyId))
                    .col(string_len(StaffNetwork::Cidr, 64))
                    .col(string_len(StaffNetwork::Note, 200))
                    .col(timestamp_with_time_zone(StaffNetwork::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_network_agency")
                            .from(StaffNetwork::Table, StaffNetwork::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // e.g. "Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30"; none means the usual hours.
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE counter ADD COLUMN opening_hours VARCHAR(200) NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("ALTER TABLE counter DROP COLUMN opening_hours").await?;
        manager.drop_table(Table::drop().table(StaffNetwork::Table).to_owned()).await
    }
}
