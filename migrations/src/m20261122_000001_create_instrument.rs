//! Questionnaires (instruments), versioned: groups → elements (yếu tố) → criteria (tiêu chí),
//! each with a stable code, Vietnamese and English text, a scale and a weight. A published
//! version is frozen by database triggers; a change means a new version.

use crate::triggers;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Instrument {
    Table,
    Id,
    Code,
    Version,
    NameVi,
    NameEn,
    Status,
    IsDefault,
    MinAnswers,
    PublishedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum InstrumentScalePoint {
    Table,
    Id,
    InstrumentId,
    Scale,
    Value,
    LabelVi,
    LabelEn,
}

#[derive(DeriveIden)]
pub enum InstrumentGroup {
    Table,
    Id,
    InstrumentId,
    Code,
    NameVi,
    NameEn,
    Weight,
    Position,
}

#[derive(DeriveIden)]
pub enum InstrumentElement {
    Table,
    Id,
    InstrumentId,
    GroupId,
    Code,
    NameVi,
    NameEn,
    Weight,
    Position,
}

#[derive(DeriveIden)]
pub enum InstrumentCriterion {
    Table,
    Id,
    InstrumentId,
    ElementId,
    Code,
    TextVi,
    TextEn,
    Scale,
    Weight,
    Position,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Restrict).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Instrument::Table)
                    .col(big_pk_auto(Instrument::Id))
                    .col(string_len(Instrument::Code, 60))
                    .col(integer(Instrument::Version))
                    .col(string_len(Instrument::NameVi, 300))
                    .col(string_len(Instrument::NameEn, 300))
                    .col(
                        string_len(Instrument::Status, 12)
                            .check(Expr::col(Instrument::Status).is_in(["draft", "published"])),
                    )
                    .col(boolean(Instrument::IsDefault).default(false))
                    .col(integer(Instrument::MinAnswers).default(1).check(Expr::col(Instrument::MinAnswers).gte(0)))
                    .col(timestamp_with_time_zone_null(Instrument::PublishedAt))
                    .col(timestamp_with_time_zone(Instrument::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_instrument_code_version")
                    .table(Instrument::Table)
                    .col(Instrument::Code)
                    .col(Instrument::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InstrumentScalePoint::Table)
                    .col(big_pk_auto(InstrumentScalePoint::Id))
                    .col(big_integer(InstrumentScalePoint::InstrumentId))
                    .col(string_len(InstrumentScalePoint::Scale, 20))
                    .col(small_integer(InstrumentScalePoint::Value))
                    .col(string_len(InstrumentScalePoint::LabelVi, 100))
                    .col(string_len(InstrumentScalePoint::LabelEn, 100))
                    .foreign_key(&mut fk(
                        "fk_scale_point_instrument",
                        (InstrumentScalePoint::Table, InstrumentScalePoint::InstrumentId),
                        (Instrument::Table, Instrument::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_scale_point")
                    .table(InstrumentScalePoint::Table)
                    .col(InstrumentScalePoint::InstrumentId)
                    .col(InstrumentScalePoint::Scale)
                    .col(InstrumentScalePoint::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InstrumentGroup::Table)
                    .col(big_pk_auto(InstrumentGroup::Id))
                    .col(big_integer(InstrumentGroup::InstrumentId))
                    .col(string_len(InstrumentGroup::Code, 20))
                    .col(string_len(InstrumentGroup::NameVi, 300))
                    .col(string_len(InstrumentGroup::NameEn, 300))
                    .col(double(InstrumentGroup::Weight).default(1.0).check(Expr::col(InstrumentGroup::Weight).gte(0)))
                    .col(integer(InstrumentGroup::Position))
                    .foreign_key(&mut fk(
                        "fk_group_instrument",
                        (InstrumentGroup::Table, InstrumentGroup::InstrumentId),
                        (Instrument::Table, Instrument::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_group_code")
                    .table(InstrumentGroup::Table)
                    .col(InstrumentGroup::InstrumentId)
                    .col(InstrumentGroup::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InstrumentElement::Table)
                    .col(big_pk_auto(InstrumentElement::Id))
                    .col(big_integer(InstrumentElement::InstrumentId))
                    .col(big_integer(InstrumentElement::GroupId))
                    .col(string_len(InstrumentElement::Code, 20))
                    .col(string_len(InstrumentElement::NameVi, 300))
                    .col(string_len(InstrumentElement::NameEn, 300))
                    .col(
                        double(InstrumentElement::Weight)
                            .default(1.0)
                            .check(Expr::col(InstrumentElement::Weight).gte(0)),
                    )
                    .col(integer(InstrumentElement::Position))
                    .foreign_key(&mut fk(
                        "fk_element_instrument",
                        (InstrumentElement::Table, InstrumentElement::InstrumentId),
                        (Instrument::Table, Instrument::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_element_group",
                        (InstrumentElement::Table, InstrumentElement::GroupId),
                        (InstrumentGroup::Table, InstrumentGroup::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_element_code")
                    .table(InstrumentElement::Table)
                    .col(InstrumentElement::InstrumentId)
                    .col(InstrumentElement::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InstrumentCriterion::Table)
                    .col(big_pk_auto(InstrumentCriterion::Id))
                    .col(big_integer(InstrumentCriterion::InstrumentId))
                    .col(big_integer(InstrumentCriterion::ElementId))
                    .col(string_len(InstrumentCriterion::Code, 20))
                    .col(string_len(InstrumentCriterion::TextVi, 500))
                    .col(string_len(InstrumentCriterion::TextEn, 500))
                    .col(string_len(InstrumentCriterion::Scale, 20))
                    .col(
                        double(InstrumentCriterion::Weight)
                            .default(1.0)
                            .check(Expr::col(InstrumentCriterion::Weight).gte(0)),
                    )
                    .col(integer(InstrumentCriterion::Position))
                    .foreign_key(&mut fk(
                        "fk_criterion_instrument",
                        (InstrumentCriterion::Table, InstrumentCriterion::InstrumentId),
                        (Instrument::Table, Instrument::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_criterion_element",
                        (InstrumentCriterion::Table, InstrumentCriterion::ElementId),
                        (InstrumentElement::Table, InstrumentElement::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_criterion_code")
                    .table(InstrumentCriterion::Table)
                    .col(InstrumentCriterion::InstrumentId)
                    .col(InstrumentCriterion::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;

        triggers::guard_published_instruments(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        triggers::drop_instrument_guards(manager).await?;
        for table in [
            InstrumentCriterion::Table.into_iden(),
            InstrumentElement::Table.into_iden(),
            InstrumentGroup::Table.into_iden(),
            InstrumentScalePoint::Table.into_iden(),
            Instrument::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
