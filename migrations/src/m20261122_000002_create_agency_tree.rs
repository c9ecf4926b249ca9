//! Administrative units (a tree that can change over time), their service counters, and the
//! catalogue of administrative procedures (thủ tục hành chính).

use crate::m20261122_000001_create_instrument::Instrument;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Agency {
    Table,
    Id,
    Code,
    Kind,
    NameVi,
    NameEn,
    ParentId,
    ValidFrom,
    ValidTo,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Counter {
    Table,
    Id,
    AgencyId,
    Code,
    Name,
    InstrumentId,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Procedure {
    Table,
    Id,
    Code,
    NameVi,
    NameEn,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agency::Table)
                    .col(big_pk_auto(Agency::Id))
                    .col(string_len_uniq(Agency::Code, 40))
                    .col(string_len(Agency::Kind, 20).check(Expr::col(Agency::Kind).is_in([
                        "province",
                        "department",
                        "commune",
                        "service_centre",
                        "other",
                    ])))
                    .col(string_len(Agency::NameVi, 200))
                    .col(string_len(Agency::NameEn, 200))
                    .col(big_integer_null(Agency::ParentId))
                    .col(date(Agency::ValidFrom))
                    .col(date_null(Agency::ValidTo))
                    .col(timestamp_with_time_zone(Agency::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agency_parent")
                            .from(Agency::Table, Agency::ParentId)
                            .to(Agency::Table, Agency::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_agency_parent").table(Agency::Table).col(Agency::ParentId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Counter::Table)
                    .col(big_pk_auto(Counter::Id))
                    .col(big_integer(Counter::AgencyId))
                    .col(string_len_uniq(Counter::Code, 32))
                    .col(string_len(Counter::Name, 200))
                    // The questionnaire this counter asks; none means the default one.
                    .col(big_integer_null(Counter::InstrumentId))
                    .col(timestamp_with_time_zone(Counter::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_counter_agency")
                            .from(Counter::Table, Counter::AgencyId)
                            .to(Agency::Table, Agency::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_counter_instrument")
                            .from(Counter::Table, Counter::InstrumentId)
                            .to(Instrument::Table, Instrument::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_counter_agency").table(Counter::Table).col(Counter::AgencyId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Procedure::Table)
                    .col(big_pk_auto(Procedure::Id))
                    .col(string_len_uniq(Procedure::Code, 40))
                    .col(string_len(Procedure::NameVi, 400))
                    .col(string_len(Procedure::NameEn, 400))
                    .col(timestamp_with_time_zone(Procedure::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Procedure::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Counter::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Agency::Table).to_owned()).await
    }
}
