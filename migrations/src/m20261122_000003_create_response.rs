//! Survey responses: append-only. One row per response and one row per criterion of its
//! questionnaire (value 1–5, or NULL for "no answer"). Database triggers refuse updates and
//! deletes, so a stored rating can never be quietly changed.

use crate::{
    m20261122_000001_create_instrument::{Instrument, InstrumentCriterion},
    m20261122_000002_create_agency_tree::{Agency, Counter, Procedure},
    triggers,
};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Response {
    Table,
    Id,
    InstrumentId,
    CounterId,
    AgencyId,
    ProcedureId,
    Channel,
    SubmittedAt,
    Comment,
    DeviceHash,
    UaClass,
    SubmissionKey,
}

#[derive(DeriveIden)]
pub enum ResponseAnswer {
    Table,
    ResponseId,
    CriterionId,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Response::Table)
                    .col(big_pk_auto(Response::Id))
                    .col(big_integer(Response::InstrumentId))
                    .col(big_integer(Response::CounterId))
                    // The counter's unit when the response was given; kept even if the counter
                    // later moves, so history stays with the unit that served the citizen.
                    .col(big_integer(Response::AgencyId))
                    .col(big_integer_null(Response::ProcedureId))
                    .col(
                        string_len(Response::Channel, 10)
                            .check(Expr::col(Response::Channel).is_in(["qr", "kiosk", "api", "paper"])),
                    )
                    .col(timestamp_with_time_zone(Response::SubmittedAt))
                    .col(text_null(Response::Comment))
                    // Integrity fields for fraud checks: a keyed hash, never the raw IP address.
                    .col(string_len_null(Response::DeviceHash, 64))
                    .col(string_len_null(Response::UaClass, 16))
                    // Makes a resubmitted form (double tap, back button) a no-op, not a duplicate.
                    .col(string_len_null(Response::SubmissionKey, 64).unique_key())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_response_instrument")
                            .from(Response::Table, Response::InstrumentId)
                            .to(Instrument::Table, Instrument::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_response_counter")
                            .from(Response::Table, Response::CounterId)
                            .to(Counter::Table, Counter::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_response_agency")
                            .from(Response::Table, Response::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_response_procedure")
                            .from(Response::Table, Response::ProcedureId)
                            .to(Procedure::Table, Procedure::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_response_submitted", vec![Response::SubmittedAt]),
            ("ix_response_agency_submitted", vec![Response::AgencyId, Response::SubmittedAt]),
            ("ix_response_counter_submitted", vec![Response::CounterId, Response::SubmittedAt]),
        ] {
            let mut index = Index::create().name(name).table(Response::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ResponseAnswer::Table)
                    .col(big_integer(ResponseAnswer::ResponseId))
                    .col(big_integer(ResponseAnswer::CriterionId))
                    .col(
                        small_integer_null(ResponseAnswer::Value).check(Expr::col(ResponseAnswer::Value).between(1, 5)),
                    )
                    .primary_key(Index::create().col(ResponseAnswer::ResponseId).col(ResponseAnswer::CriterionId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_answer_response")
                            .from(ResponseAnswer::Table, ResponseAnswer::ResponseId)
                            .to(Response::Table, Response::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_answer_criterion")
                            .from(ResponseAnswer::Table, ResponseAnswer::CriterionId)
                            .to(InstrumentCriterion::Table, InstrumentCriterion::Id),
                    )
                    .to_owned(),
            )
            .await?;

        triggers::make_append_only(manager, "response").await?;
        triggers::make_append_only(manager, "response_answer").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        triggers::drop_append_only(manager, "response_answer").await?;
        triggers::drop_append_only(manager, "response").await?;
        manager.drop_table(Table::drop().table(ResponseAnswer::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Response::Table).to_owned()).await
    }
}
