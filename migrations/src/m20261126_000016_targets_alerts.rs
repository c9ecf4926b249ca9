//! What leadership steers by: index targets per unit (inherited down the tree), the alerts
//! raised when a unit's 30-day index falls below its floor or drops significantly, survey
//! comments hidden by moderators (responses themselves never change), and export jobs.

use crate::{
    m20261122_000002_create_agency_tree::Agency, m20261122_000003_create_response::Response,
    m20261122_000006_create_accounts::AppUser,
};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `goal` (mục tiêu, e.g. 95) and `floor` (ngưỡng cảnh báo, e.g. 90), in percent; `alert_to`
/// lists e-mail addresses alerts are sent to.
#[derive(DeriveIden)]
enum IndexTarget {
    Table,
    AgencyId,
    Goal,
    Floor,
    AlertTo,
    UpdatedAt,
    UpdatedBy,
}

/// `kind`: `below_floor` or `significant_drop`. One open alert per unit and kind (closed when
/// the condition clears), so an alert is raised and sent once.
#[derive(DeriveIden)]
enum IndexAlert {
    Table,
    Id,
    AgencyId,
    Kind,
    OpenedAt,
    ClosedAt,
    Value,
    Reference,
    N,
    CheckedAt,
}

/// A survey comment hidden from dashboards, with who did it and why.
#[derive(DeriveIden)]
enum CommentModeration {
    Table,
    ResponseId,
    Hidden,
    Reason,
    ByUser,
    At,
}

/// A large export made in the background: its page shows `rows_done` of `rows_total` and
/// offers the file once `status` is `done`.
#[derive(DeriveIden)]
enum ExportJob {
    Table,
    Id,
    UserId,
    AgencyId,
    Kind,
    Format,
    Params,
    Status,
    RowsTotal,
    RowsDone,
    FileName,
    Bytes,
    Error,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndexTarget::Table)
                    .col(big_integer(IndexTarget::AgencyId).primary_key())
                    .col(double_null(IndexTarget::Goal))
                    .col(double_null(IndexTarget::Floor))
                    .col(string_len(IndexTarget::AlertTo, 400).default(""))
                    .col(timestamp_with_time_zone(IndexTarget::UpdatedAt))
                    .col(big_integer_null(IndexTarget::UpdatedBy))
                    .foreign_key(&mut fk(
                        "fk_target_agency",
                        (IndexTarget::Table, IndexTarget::AgencyId),
                        (Agency::Table, Agency::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_target_user",
                        (IndexTarget::Table, IndexTarget::UpdatedBy),
                        (AppUser::Table, AppUser::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndexAlert::Table)
                    .col(big_pk_auto(IndexAlert::Id))
                    .col(big_integer(IndexAlert::AgencyId))
                    .col(string_len(IndexAlert::Kind, 20))
                    .col(timestamp_with_time_zone(IndexAlert::OpenedAt))
                    .col(timestamp_with_time_zone_null(IndexAlert::ClosedAt))
                    .col(double(IndexAlert::Value))
                    .col(double(IndexAlert::Reference))
                    .col(big_integer(IndexAlert::N))
                    .col(timestamp_with_time_zone(IndexAlert::CheckedAt))
                    .foreign_key(&mut fk(
                        "fk_alert_agency",
                        (IndexAlert::Table, IndexAlert::AgencyId),
                        (Agency::Table, Agency::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommentModeration::Table)
                    .col(big_integer(CommentModeration::ResponseId).primary_key())
                    .col(boolean(CommentModeration::Hidden))
                    .col(string_len(CommentModeration::Reason, 300))
                    .col(big_integer_null(CommentModeration::ByUser))
                    .col(timestamp_with_time_zone(CommentModeration::At))
                    .foreign_key(&mut fk(
                        "fk_moderation_response",
                        (CommentModeration::Table, CommentModeration::ResponseId),
                        (Response::Table, Response::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_moderation_user",
                        (CommentModeration::Table, CommentModeration::ByUser),
                        (AppUser::Table, AppUser::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExportJob::Table)
                    .col(big_pk_auto(ExportJob::Id))
                    .col(big_integer(ExportJob::UserId))
                    .col(big_integer(ExportJob::AgencyId))
                    .col(string_len(ExportJob::Kind, 20))
                    .col(string_len(ExportJob::Format, 10))
                    .col(text(ExportJob::Params))
                    .col(string_len(ExportJob::Status, 10))
                    .col(big_integer(ExportJob::RowsTotal))
                    .col(big_integer(ExportJob::RowsDone))
                    .col(string_len(ExportJob::FileName, 200).default(""))
                    .col(big_integer(ExportJob::Bytes).default(0))
                    .col(string_len(ExportJob::Error, 300).default(""))
                    .col(timestamp_with_time_zone(ExportJob::CreatedAt))
                    .col(timestamp_with_time_zone_null(ExportJob::StartedAt))
                    .col(timestamp_with_time_zone_null(ExportJob::FinishedAt))
                    .foreign_key(&mut fk(
                        "fk_export_user",
                        (ExportJob::Table, ExportJob::UserId),
                        (AppUser::Table, AppUser::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_export_agency",
                        (ExportJob::Table, ExportJob::AgencyId),
                        (Agency::Table, Agency::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in [
            // Messages about a unit rather than a case (alerts), shown to that unit's administrators.
            "ALTER TABLE outbox ADD COLUMN agency_id BIGINT REFERENCES agency (id)",
            "CREATE UNIQUE INDEX ux_index_alert_open ON index_alert (agency_id, kind) WHERE closed_at IS NULL",
            "CREATE INDEX ix_index_alert_agency ON index_alert (agency_id, opened_at)",
            // The latest comments of a unit, found without reading its other responses.
            "CREATE INDEX ix_response_comment ON response (agency_id, submitted_at) WHERE comment IS NOT NULL",
            "CREATE INDEX ix_export_job_status ON export_job (status, created_at)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ix_response_comment").await?;
        db.execute_unprepared("ALTER TABLE outbox DROP COLUMN agency_id").await?;
        for table in ["export_job", "comment_moderation", "index_alert", "index_target"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
