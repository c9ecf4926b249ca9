//! Seeds the default questionnaire: the service-delivery part (group II) of the SIPAS
//! 2023–2026 survey (QĐ 1001/QĐ-BNV; domain notes §1.4): 16 criteria in 5 elements, on the
//! 5-point scale, equal weights, at least one answer required. It is seeded as a draft and then
//! published, after which the database keeps it frozen.

use crate::{
    m20261122_000001_create_instrument::{
        Instrument, InstrumentCriterion, InstrumentElement, InstrumentGroup, InstrumentScalePoint,
    },
    triggers,
};
use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const CODE: &str = "sipas-2023-service";
const SCALE: &str = "likert5";

const SCALE_POINTS: [(i16, &str, &str); 5] = [
    (1, "Rất không hài lòng", "Very dissatisfied"),
    (2, "Không hài lòng", "Dissatisfied"),
    (3, "Bình thường", "Neither satisfied nor dissatisfied"),
    (4, "Hài lòng", "Satisfied"),
    (5, "Rất hài lòng", "Very satisfied"),
];

type Criterion = (&'static str, &'static str, &'static str);
type Element = (&'static str, &'static str, &'static str, &'static [Criterion]);

const ELEMENTS: [Element; 5] = [
    (
        "II.A",
        "Tiếp cận dịch vụ hành chính công",
        "Access to the service",
        &[
            (
                "II.A1",
                "Nơi tiếp nhận (Điểm/Trung tâm phục vụ hành chính công) có biển hiệu, hướng dẫn rõ ràng, dễ tìm, dễ thấy",
                "The service point has clear signs and directions and is easy to find",
            ),
            ("II.A2", "Có đủ ghế ngồi chờ, bàn làm việc, bàn viết", "There are enough seats, desks and writing tables"),
            (
                "II.A3",
                "Trang thiết bị phục vụ đầy đủ, chất lượng tốt, giúp giải quyết công việc dễ dàng",
                "Equipment is adequate and in good order, making the visit easy",
            ),
        ],
    ),
    (
        "II.B",
        "Thủ tục hành chính",
        "Administrative procedure",
        &[
            (
                "II.B1",
                "Quy định thủ tục hành chính được niêm yết công khai, dễ thấy, dễ đọc, dễ hiểu",
                "The rules of the procedure are posted publicly and are easy to see, read and understand",
            ),
            (
                "II.B2",
                "Thành phần hồ sơ phải nộp là đúng quy định",
                "Only the documents required by law were asked for",
            ),
            ("II.B3", "Phí, lệ phí phải nộp là đúng quy định", "Only the fees set by law were charged"),
            (
                "II.B4",
                "Thời hạn giải quyết thủ tục hành chính là đúng quy định",
                "The processing time is the one set by law",
            ),
        ],
    ),
    (
        "II.C",
        "Công chức trực tiếp giải quyết công việc",
        "Civil servants who handled the case",
        &[
            ("II.C1", "Công chức có thái độ lịch sự, tôn trọng người dân", "Staff were polite and respectful"),
            (
                "II.C2",
                "Công chức hướng dẫn hồ sơ dễ hiểu, đầy đủ (hoàn thiện hồ sơ sau một lần hướng dẫn)",
                "Staff explained the dossier clearly and fully (one explanation was enough)",
            ),
            (
                "II.C3",
                "Công chức tuân thủ đúng quy định trong giải quyết thủ tục hành chính",
                "Staff followed the rules when handling the procedure",
            ),
        ],
    ),
    (
        "II.D",
        "Kết quả cung ứng dịch vụ hành chính công",
        "Result of the service",
        &[
            ("II.D1", "Kết quả giải quyết thủ tục hành chính được trả đúng hẹn", "The result was delivered on time"),
            ("II.D2", "Kết quả có thông tin đầy đủ, chính xác", "The result is complete and accurate"),
            ("II.D3", "Kết quả giải quyết bảo đảm tính công bằng", "The result is fair"),
        ],
    ),
    (
        "II.E",
        "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
        "Handling of feedback and complaints",
        &[
            (
                "II.E1",
                "Cơ quan bố trí hình thức tiếp nhận góp ý, phản ánh, kiến nghị dễ dàng",
                "It is easy to give feedback or make a complaint",
            ),
            (
                "II.E2",
                "Cơ quan tiếp nhận, xử lý góp ý, phản ánh, kiến nghị đúng quy định",
                "Feedback and complaints are handled according to the rules",
            ),
            (
                "II.E3",
                "Cơ quan thông báo kết quả xử lý góp ý, phản ánh, kiến nghị kịp thời",
                "The outcome of feedback and complaints is reported promptly",
            ),
        ],
    ),
];

async fn insert_returning_id<C: ConnectionTrait>(db: &C, stmt: InsertStatement) -> Result<i64, DbErr> {
    let row = db.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    row.try_get::<i64>("", "id")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let now = Expr::current_timestamp();
        let instrument_id = insert_returning_id(
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
                    "Phiếu khảo sát sự hài lòng về cung ứng dịch vụ hành chính công (theo SIPAS 2023–2026)".into(),
                    "Satisfaction with public administrative services (SIPAS 2023–2026 service part)".into(),
                    "draft".into(),
                    true.into(),
                    1.into(),
                    now.clone(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .returning_col(Instrument::Id)
                .to_owned(),
        )
        .await?;

        for (value, vi, en) in SCALE_POINTS {
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
                    .values([instrument_id.into(), SCALE.into(), value.into(), vi.into(), en.into()])
                    .map_err(|e| DbErr::Custom(e.to_string()))?,
            )
            .await?;
        }

        let group_id = insert_returning_id(
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
                    instrument_id.into(),
                    "II".into(),
                    "Cung ứng dịch vụ hành chính công".into(),
                    "Delivery of public administrative services".into(),
                    1.0f64.into(),
                    1.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .returning_col(InstrumentGroup::Id)
                .to_owned(),
        )
        .await?;

        let mut position = 0;
        for (element_position, (code, vi, en, criteria)) in ELEMENTS.iter().enumerate() {
            let element_id = insert_returning_id(
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
                        instrument_id.into(),
                        group_id.into(),
                        (*code).into(),
                        (*vi).into(),
                        (*en).into(),
                        1.0f64.into(),
                        (element_position as i32 + 1).into(),
                    ])
                    .map_err(|e| DbErr::Custom(e.to_string()))?
                    .returning_col(InstrumentElement::Id)
                    .to_owned(),
            )
            .await?;
            for (code, vi, en) in criteria.iter() {
                position += 1;
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
                            instrument_id.into(),
                            element_id.into(),
                            (*code).into(),
                            (*vi).into(),
                            (*en).into(),
                            SCALE.into(),
                            1.0f64.into(),
                            position.into(),
                        ])
                        .map_err(|e| DbErr::Custom(e.to_string()))?,
                )
                .await?;
            }
        }

        // Publishing freezes the questionnaire (see `triggers`).
        db.execute(
            Query::update()
                .table(Instrument::Table)
                .values([(Instrument::Status, "published".into()), (Instrument::PublishedAt, now)])
                .and_where(Expr::col(Instrument::Id).eq(instrument_id)),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The questionnaire is frozen, so lift the guard, remove it, and put the guard back.
        // If responses were given with it, their foreign keys make this fail, as they should.
        let db = manager.get_connection();
        triggers::drop_instrument_guards(manager).await?;
        let of_this = Query::select()
            .column(Instrument::Id)
            .from(Instrument::Table)
            .and_where(Expr::col(Instrument::Code).eq(CODE))
            .and_where(Expr::col(Instrument::Version).eq(1))
            .to_owned();
        for table in triggers::INSTRUMENT_CONTENT_TABLES.iter().rev() {
            db.execute(
                Query::delete()
                    .from_table(Alias::new(*table))
                    .and_where(Expr::col(Alias::new("instrument_id")).in_subquery(of_this.clone())),
            )
            .await?;
        }
        db.execute(
            Query::delete()
                .from_table(Instrument::Table)
                .and_where(Expr::col(Instrument::Code).eq(CODE))
                .and_where(Expr::col(Instrument::Version).eq(1)),
        )
        .await?;
        triggers::guard_published_instruments(manager).await
    }
}
