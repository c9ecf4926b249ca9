//! The kiosk's quick question: one criterion on the three-level smiley scale of one-stop rating
//! devices (Rất hài lòng / Hài lòng / Không hài lòng), and notes: the "why?" a citizen gives
//! after a low rating on a tablet without scripts, kept beside the rating (which never changes).

use crate::{
    m20261122_000001_create_instrument::{
        Instrument, InstrumentCriterion, InstrumentElement, InstrumentGroup, InstrumentScalePoint,
    },
    m20261122_000003_create_response::Response,
    triggers,
};
use sea_orm_migration::{prelude::*, schema::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const CODE: &str = "quick-smiley3";

#[derive(DeriveIden)]
pub enum ResponseNote {
    Table,
    ResponseId,
    Reason,
    CreatedAt,
}

async fn insert_id<C: ConnectionTrait>(db: &C, stmt: InsertStatement) -> Result<i64, DbErr> {
    db.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?.try_get::<i64>("", "id")
}

fn err(e: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(e.to_string())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let now = Expr::current_timestamp();
        let instrument = insert_id(
            db,
            Query::insert()
                .into_table(Instrument::Table)
                .columns([
                    Instrument::Code,
                    Instrument::Version,
                    Instrument::NameVi,
                    Instrument::NameEn,
                    Instrument::Status,
                    Instrument::IsDefault,
                    Instrument::MinAnswers,
                    Instrument::CreatedAt,
                ])
                .values([
                    CODE.into(),
                    1.into(),
                    "Đánh giá nhanh tại quầy (máy tính bảng)".into(),
                    "Quick rating at the counter (tablet)".into(),
                    "draft".into(),
                    false.into(),
                    1.into(),
                    now.clone(),
                ])
                .map_err(err)?
                .returning_col(Instrument::Id)
                .to_owned(),
        )
        .await?;
        for (value, vi, en) in [
            (1i16, "Không hài lòng", "Not satisfied"),
            (2, "Hài lòng", "Satisfied"),
            (3, "Rất hài lòng", "Very satisfied"),
        ] {
            db.execute(
                Query::insert()
                    .into_table(InstrumentScalePoint::Table)
                    .columns([
                        InstrumentScalePoint::InstrumentId,
                        InstrumentScalePoint::Scale,
                        InstrumentScalePoint::Value,
                        InstrumentScalePoint::LabelVi,
                        InstrumentScalePoint::LabelEn,
                    ])
                    .values([instrument.into(), "smiley3".into(), value.into(), vi.into(), en.into()])
                    .map_err(err)?,
            )
            .await?;
        }
        let group = insert_id(
            db,
            Query::insert()
                .into_table(InstrumentGroup::Table)
                .columns([
                    InstrumentGroup::InstrumentId,
                    InstrumentGroup::Code,
                    InstrumentGroup::NameVi,
                    InstrumentGroup::NameEn,
                    InstrumentGroup::Weight,
                    InstrumentGroup::Position,
                ])
                .values([
                    instrument.into(),
                    "Q".into(),
                    "Đánh giá nhanh".into(),
                    "Quick rating".into(),
                    1.0f64.into(),
                    1.into(),
                ])
                .map_err(err)?
                .returning_col(InstrumentGroup::Id)
                .to_owned(),
        )
        .await?;
        let element = insert_id(
            db,
            Query::insert()
                .into_table(InstrumentElement::Table)
                .columns([
                    InstrumentElement::InstrumentId,
                    InstrumentElement::GroupId,
                    InstrumentElement::Code,
                    InstrumentElement::NameVi,
                    InstrumentElement::NameEn,
                    InstrumentElement::Weight,
                    InstrumentElement::Position,
                ])
                .values([
                    instrument.into(),
                    group.into(),
                    "Q.A".into(),
                    "Mức độ hài lòng chung".into(),
                    "Overall satisfaction".into(),
                    1.0f64.into(),
                    1.into(),
                ])
                .map_err(err)?
                .returning_col(InstrumentElement::Id)
                .to_owned(),
        )
        .await?;
        db.execute(
            Query::insert()
                .into_table(InstrumentCriterion::Table)
                .columns([
                    InstrumentCriterion::InstrumentId,
                    InstrumentCriterion::ElementId,
                    InstrumentCriterion::Code,
                    InstrumentCriterion::TextVi,
                    InstrumentCriterion::TextEn,
                    InstrumentCriterion::Scale,
                    InstrumentCriterion::Weight,
                    InstrumentCriterion::Position,
                ])
                .values([
                    instrument.into(),
                    element.into(),
                    "Q.A1".into(),
                    "Ông/bà có hài lòng với sự phục vụ tại quầy này không?".into(),
                    "Are you satisfied with the service at this counter?".into(),
                    "smiley3".into(),
                    1.0f64.into(),
                    1.into(),
                ])
                .map_err(err)?,
        )
        .await?;
        db.execute(
            Query::update()
                .table(Instrument::Table)
                .values([(Instrument::Status, "published".into()), (Instrument::PublishedAt, now)])
                .and_where(Expr::col(Instrument::Id).eq(instrument)),
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ResponseNote::Table)
                    .col(big_integer(ResponseNote::ResponseId).primary_key())
                    .col(string_len(ResponseNote::Reason, 500))
                    .col(timestamp_with_time_zone(ResponseNote::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_note_response")
                            .from(ResponseNote::Table, ResponseNote::ResponseId)
                            .to(Response::Table, Response::Id),
                    )
                    .to_owned(),
            )
            .await?;
        triggers::make_append_only(manager, "response_note").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        triggers::drop_append_only(manager, "response_note").await?;
        manager.drop_table(Table::drop().table(ResponseNote::Table).to_owned()).await?;
        // The questionnaire is frozen: lift the guard, remove it, put the guard back.
        let db = manager.get_connection();
        triggers::drop_instrument_guards(manager).await?;
        let ids = Query::select()
            .column(Instrument::Id)
            .from(Instrument::Table)
            .and_where(Expr::col(Instrument::Code).eq(CODE))
            .to_owned();
        for table in triggers::INSTRUMENT_CONTENT_TABLES.iter().rev() {
            db.execute(
                Query::delete()
                    .from_table(Alias::new(*table))
                    .and_where(Expr::col(Alias::new("instrument_id")).in_subquery(ids.clone())),
            )
            .await?;
        }
        db.execute(Query::delete().from_table(Instrument::Table).and_where(Expr::col(Instrument::Code).eq(CODE)))
            .await?;
        triggers::guard_published_instruments(manager).await
    }
}
