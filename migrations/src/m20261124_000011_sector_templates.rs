//! Questionnaires per sector. Adds who owns a questionnaire (`instrument.agency_id`: a unit
//! that made its own version, or none for the shared templates) and its sector; a table for
//! short-text answers (append-only, like every answer); and three published templates beside
//! the SIPAS one: public hospitals (after the Ministry of Health's outpatient survey sections),
//! public schools (the parents' view, after the elements of the education satisfaction
//! survey), and public utilities (water, electricity, waste collection, buses). Each mixes the
//! question types: 5-point scale, three smileys, yes/no, one single choice and one short text.

use crate::{
    m20261122_000001_create_instrument::{
        Instrument, InstrumentCriterion, InstrumentElement, InstrumentGroup, InstrumentScalePoint,
    },
    triggers,
};
use sea_orm_migration::{prelude::*, schema::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ResponseText {
    Table,
    ResponseId,
    CriterionId,
    Text,
}

/// `(code, Vietnamese, English, type)`; for a single choice, its options follow in `CHOICES`.
pub(crate) type Criterion = (&'static str, &'static str, &'static str, &'static str);
pub(crate) type Element = (&'static str, &'static str, &'static str, &'static [Criterion]);

pub(crate) struct Template {
    pub code: &'static str,
    pub sector: &'static str,
    pub name: (&'static str, &'static str),
    pub group: (&'static str, &'static str, &'static str),
    pub elements: &'static [Element],
    /// Options of each single-choice criterion, by criterion code.
    pub choices: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

const LIKERT5: [(i16, &str, &str); 5] = [
    (1, "Rất không hài lòng", "Very dissatisfied"),
    (2, "Không hài lòng", "Dissatisfied"),
    (3, "Bình thường", "Neither satisfied nor dissatisfied"),
    (4, "Hài lòng", "Satisfied"),
    (5, "Rất hài lòng", "Very satisfied"),
];
const SMILEY3: [(i16, &str, &str); 3] =
    [(1, "Không hài lòng", "Not satisfied"), (2, "Hài lòng", "Satisfied"), (3, "Rất hài lòng", "Very satisfied")];
const YES_NO: [(i16, &str, &str); 2] = [(1, "Không", "No"), (2, "Có", "Yes")];

const ABOUT: (&str, &str) = ("Thông tin thêm (không tính vào chỉ số)", "About your visit (not part of the index)");

const TEMPLATES: [Template; 3] = [
    Template {
        code: "hospital-outpatient",
        sector: "health",
        name: (
            "Phiếu khảo sát sự hài lòng người bệnh ngoại trú (bệnh viện công)",
            "Outpatient satisfaction (public hospitals)",
        ),
        group: ("BV", "Khám bệnh ngoại trú", "Outpatient care"),
        elements: &[
            (
                "BV.A",
                "Khả năng tiếp cận",
                "Access",
                &[
                    (
                        "BV.A1",
                        "Biển báo, chỉ dẫn đường đến các khoa, phòng rõ ràng, dễ hiểu, dễ tìm",
                        "Signs and directions to departments are clear and easy to follow",
                        "likert5",
                    ),
                    (
                        "BV.A2",
                        "Thời gian chờ đến lượt khám là hợp lý",
                        "The wait for my turn was reasonable",
                        "likert5",
                    ),
                ],
            ),
            (
                "BV.B",
                "Minh bạch thông tin và thủ tục khám bệnh",
                "Clear information and procedures",
                &[
                    (
                        "BV.B1",
                        "Quy trình, thủ tục khám bệnh được niêm yết công khai, dễ hiểu",
                        "The steps of an examination are posted and easy to understand",
                        "likert5",
                    ),
                    (
                        "BV.B2",
                        "Giá dịch vụ y tế được niêm yết rõ ràng, công khai",
                        "Prices of medical services are posted clearly",
                        "likert5",
                    ),
                ],
            ),
            (
                "BV.C",
                "Cơ sở vật chất và phương tiện phục vụ người bệnh",
                "Facilities for patients",
                &[
                    (
                        "BV.C1",
                        "Khu chờ khám có đủ ghế ngồi, sạch sẽ, thoáng mát",
                        "The waiting area has enough seats and is clean and airy",
                        "likert5",
                    ),
                    (
                        "BV.C2",
                        "Nhà vệ sinh sạch sẽ, đủ nước, dễ sử dụng",
                        "Toilets are clean, have water and are easy to use",
                        "likert5",
                    ),
                ],
            ),
            (
                "BV.D",
                "Thái độ ứng xử, năng lực chuyên môn của nhân viên y tế",
                "Conduct and competence of health workers",
                &[
                    (
                        "BV.D1",
                        "Nhân viên y tế có lời nói, thái độ giao tiếp đúng mực",
                        "Health workers spoke and behaved properly",
                        "likert5",
                    ),
                    (
                        "BV.D2",
                        "Bác sĩ giải thích rõ về tình trạng bệnh và cách điều trị",
                        "The doctor explained my condition and treatment clearly",
                        "likert5",
                    ),
                ],
            ),
            (
                "BV.E",
                "Kết quả cung cấp dịch vụ",
                "Results of the care",
                &[
                    (
                        "BV.E1",
                        "Nhìn chung, ông/bà hài lòng với lần khám bệnh này?",
                        "Overall, how satisfied are you with this visit?",
                        "smiley3",
                    ),
                    (
                        "BV.E2",
                        "Ông/bà chỉ phải trả các khoản tiền theo quy định, không bị gợi ý chi thêm?",
                        "Did you pay only the charges set by the rules, with no hint to pay more?",
                        "yes_no",
                    ),
                ],
            ),
            (
                "BV.F",
                ABOUT.0,
                ABOUT.1,
                &[
                    ("BV.F1", "Ông/bà khám theo hình thức nào?", "How was the visit paid for?", "choice"),
                    (
                        "BV.F2",
                        "Bệnh viện cần cải thiện điều gì nhất?",
                        "What should the hospital improve most?",
                        "text",
                    ),
                ],
            ),
        ],
        choices: &[(
            "BV.F1",
            &[
                ("Có bảo hiểm y tế", "With health insurance"),
                ("Không có bảo hiểm y tế (tự chi trả)", "Without health insurance (paid myself)"),
                ("Khám theo yêu cầu", "On-demand service"),
            ],
        )],
    },
    Template {
        code: "school-parents",
        sector: "education",
        name: (
            "Phiếu khảo sát sự hài lòng của cha mẹ học sinh (trường công lập)",
            "Parents' satisfaction (public schools)",
        ),
        group: ("GD", "Dịch vụ giáo dục công", "Public education"),
        elements: &[
            (
                "GD.A",
                "Tiếp cận dịch vụ giáo dục",
                "Access to education",
                &[
                    (
                        "GD.A1",
                        "Thông tin tuyển sinh được công khai đầy đủ, kịp thời",
                        "Admission information was published fully and on time",
                        "likert5",
                    ),
                    (
                        "GD.A2",
                        "Các khoản thu được công khai và đúng quy định",
                        "Fees and contributions are published and as the rules set them",
                        "likert5",
                    ),
                ],
            ),
            (
                "GD.B",
                "Cơ sở vật chất, trang thiết bị",
                "Buildings and equipment",
                &[
                    (
                        "GD.B1",
                        "Phòng học đủ ánh sáng, thoáng mát, an toàn",
                        "Classrooms are bright, airy and safe",
                        "likert5",
                    ),
                    (
                        "GD.B2",
                        "Nhà vệ sinh và nước uống sạch đủ cho học sinh",
                        "There are enough toilets and clean drinking water for pupils",
                        "likert5",
                    ),
                ],
            ),
            (
                "GD.C",
                "Môi trường giáo dục",
                "School environment",
                &[
                    (
                        "GD.C1",
                        "Con ông/bà được đối xử công bằng, tôn trọng và an toàn ở trường",
                        "Your child is treated fairly and respectfully and is safe at school",
                        "likert5",
                    ),
                    (
                        "GD.C2",
                        "Nhà trường trao đổi với gia đình kịp thời",
                        "The school keeps the family informed in good time",
                        "likert5",
                    ),
                ],
            ),
            (
                "GD.D",
                "Hoạt động giáo dục",
                "Teaching",
                &[
                    (
                        "GD.D1",
                        "Giáo viên giảng dạy nhiệt tình, dễ hiểu",
                        "Teachers teach with care and are easy to follow",
                        "likert5",
                    ),
                    (
                        "GD.D2",
                        "Việc học thêm (nếu có) hoàn toàn do gia đình tự nguyện?",
                        "Are extra classes (if any) entirely the family's own choice?",
                        "yes_no",
                    ),
                ],
            ),
            (
                "GD.E",
                "Kết quả giáo dục",
                "Results",
                &[(
                    "GD.E1",
                    "Nhìn chung, ông/bà hài lòng với sự tiến bộ của con?",
                    "Overall, how satisfied are you with your child's progress?",
                    "smiley3",
                )],
            ),
            (
                "GD.F",
                ABOUT.0,
                ABOUT.1,
                &[
                    ("GD.F1", "Con ông/bà đang học cấp nào?", "Which level is your child at?", "choice"),
                    ("GD.F2", "Nhà trường cần cải thiện điều gì nhất?", "What should the school improve most?", "text"),
                ],
            ),
        ],
        choices: &[(
            "GD.F1",
            &[
                ("Mầm non", "Preschool"),
                ("Tiểu học", "Primary"),
                ("Trung học cơ sở", "Lower secondary"),
                ("Trung học phổ thông", "Upper secondary"),
            ],
        )],
    },
    Template {
        code: "public-utilities",
        sector: "utilities",
        name: (
            "Phiếu khảo sát sự hài lòng về dịch vụ công ích (nước, điện, thu gom rác, xe buýt)",
            "Satisfaction with public utilities (water, electricity, waste collection, buses)",
        ),
        group: ("CI", "Dịch vụ công ích", "Public utilities"),
        elements: &[
            (
                "CI.A",
                "Tiếp cận và đăng ký dịch vụ",
                "Access and sign-up",
                &[
                    (
                        "CI.A1",
                        "Thủ tục đăng ký, thay đổi dịch vụ đơn giản, nhanh chóng",
                        "Signing up for or changing the service is simple and quick",
                        "likert5",
                    ),
                    (
                        "CI.A2",
                        "Có nhiều cách liên hệ và thanh toán thuận tiện",
                        "There are convenient ways to get in touch and to pay",
                        "likert5",
                    ),
                ],
            ),
            (
                "CI.B",
                "Chất lượng dịch vụ",
                "Quality of service",
                &[
                    (
                        "CI.B1",
                        "Dịch vụ ổn định, ít bị gián đoạn",
                        "The service is steady, with few interruptions",
                        "likert5",
                    ),
                    (
                        "CI.B2",
                        "Chất lượng đạt yêu cầu (nước sạch, điện ổn định, đường phố sạch, xe đúng giờ)",
                        "The quality is as it should be (clean water, steady power, clean streets, buses on time)",
                        "likert5",
                    ),
                ],
            ),
            (
                "CI.C",
                "Giá và hóa đơn",
                "Prices and bills",
                &[(
                    "CI.C1",
                    "Giá, phí được công khai; hóa đơn rõ ràng, chính xác",
                    "Prices are published; bills are clear and correct",
                    "likert5",
                )],
            ),
            (
                "CI.D",
                "Nhân viên và xử lý sự cố",
                "Staff and handling of faults",
                &[
                    ("CI.D1", "Nhân viên lịch sự, hướng dẫn tận tình", "Staff are polite and helpful", "likert5"),
                    (
                        "CI.D2",
                        "Sự cố, phản ánh được xử lý kịp thời",
                        "Faults and complaints are dealt with promptly",
                        "likert5",
                    ),
                    (
                        "CI.D3",
                        "Sự cố gần nhất được khắc phục đúng thời gian đã hẹn?",
                        "Was the last fault fixed within the time promised?",
                        "yes_no",
                    ),
                ],
            ),
            (
                "CI.E",
                "Đánh giá chung",
                "Overall",
                &[(
                    "CI.E1",
                    "Nhìn chung, ông/bà hài lòng với dịch vụ này?",
                    "Overall, how satisfied are you with this service?",
                    "smiley3",
                )],
            ),
            (
                "CI.F",
                ABOUT.0,
                ABOUT.1,
                &[
                    ("CI.F1", "Ông/bà đánh giá dịch vụ nào?", "Which service are you rating?", "choice"),
                    ("CI.F2", "Điều gì cần cải thiện nhất?", "What most needs improving?", "text"),
                ],
            ),
        ],
        choices: &[(
            "CI.F1",
            &[
                ("Cấp nước sạch", "Water supply"),
                ("Điện", "Electricity"),
                ("Thu gom rác thải", "Waste collection"),
                ("Xe buýt", "Buses"),
            ],
        )],
    },
];

/// Plain SQL both databases accept (SQLite adds a column with a foreign key only this way).
const ADD_COLUMNS: [&str; 3] = [
    "ALTER TABLE instrument ADD COLUMN agency_id BIGINT NULL REFERENCES agency (id)",
    "ALTER TABLE instrument ADD COLUMN sector VARCHAR(40) NOT NULL DEFAULT 'administrative'",
    "CREATE INDEX ix_instrument_agency ON instrument (agency_id)",
];

fn err(e: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(e.to_string())
}

async fn insert_id<C: ConnectionTrait>(db: &C, stmt: InsertStatement) -> Result<i64, DbErr> {
    db.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?.try_get::<i64>("", "id")
}

async fn scale_points<C: ConnectionTrait>(
    db: &C,
    instrument: i64,
    scale: &str,
    points: &[(i16, &str, &str)],
) -> Result<(), DbErr> {
    for (value, vi, en) in points {
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
                .values([instrument.into(), scale.into(), (*value).into(), (*vi).into(), (*en).into()])
                .map_err(err)?,
        )
        .await?;
    }
    Ok(())
}

/// Inserts a template as a published shared questionnaire (version 1).
pub(crate) async fn seed<C: ConnectionTrait>(db: &C, t: &Template) -> Result<(), DbErr> {
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
                t.code.into(),
                1.into(),
                t.name.0.into(),
                t.name.1.into(),
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
    db.execute(
        Query::update()
            .table(Instrument::Table)
            .value(Alias::new("sector"), t.sector)
            .and_where(Expr::col(Instrument::Id).eq(instrument)),
    )
    .await?;
    scale_points(db, instrument, "likert5", &LIKERT5).await?;
    scale_points(db, instrument, "smiley3", &SMILEY3).await?;
    scale_points(db, instrument, "yes_no", &YES_NO).await?;
    for (criterion, options) in t.choices {
        let points: Vec<(i16, &str, &str)> =
            options.iter().enumerate().map(|(i, (vi, en))| (i as i16 + 1, *vi, *en)).collect();
        scale_points(db, instrument, &format!("choice:{criterion}"), &points).await?;
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
            .values([instrument.into(), t.group.0.into(), t.group.1.into(), t.group.2.into(), 1.0f64.into(), 1.into()])
            .map_err(err)?
            .returning_col(InstrumentGroup::Id)
            .to_owned(),
    )
    .await?;
    let mut position = 0;
    for (index, (code, vi, en, criteria)) in t.elements.iter().enumerate() {
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
                    (*code).into(),
                    (*vi).into(),
                    (*en).into(),
                    1.0f64.into(),
                    (index as i32 + 1).into(),
                ])
                .map_err(err)?
                .returning_col(InstrumentElement::Id)
                .to_owned(),
        )
        .await?;
        for (code, vi, en, kind) in criteria.iter() {
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
                        instrument.into(),
                        element.into(),
                        (*code).into(),
                        (*vi).into(),
                        (*en).into(),
                        (*kind).into(),
                        1.0f64.into(),
                        position.into(),
                    ])
                    .map_err(err)?,
            )
            .await?;
        }
    }
    db.execute(
        Query::update()
            .table(Instrument::Table)
            .values([(Instrument::Status, "published".into()), (Instrument::PublishedAt, now)])
            .and_where(Expr::col(Instrument::Id).eq(instrument)),
    )
    .await?;
    Ok(())
}

/// Removes the questionnaires `codes` with every version and question. Questionnaires are
/// frozen: this lifts the guard, removes them and puts the guard back.
pub(crate) async fn remove(manager: &SchemaManager<'_>, codes: Vec<&str>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    triggers::drop_instrument_guards(manager).await?;
    let ids = Query::select()
        .column(Instrument::Id)
        .from(Instrument::Table)
        .and_where(Expr::col(Instrument::Code).is_in(codes.clone()))
        .to_owned();
    for table in triggers::INSTRUMENT_CONTENT_TABLES.iter().rev() {
        db.execute(
            Query::delete()
                .from_table(Alias::new(*table))
                .and_where(Expr::col(Alias::new("instrument_id")).in_subquery(ids.clone())),
        )
        .await?;
    }
    db.execute(Query::delete().from_table(Instrument::Table).and_where(Expr::col(Instrument::Code).is_in(codes)))
        .await?;
    triggers::guard_published_instruments(manager).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in ADD_COLUMNS {
            db.execute_unprepared(sql).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ResponseText::Table)
                    .col(big_integer(ResponseText::ResponseId))
                    .col(big_integer(ResponseText::CriterionId))
                    .col(string_len(ResponseText::Text, 800))
                    .primary_key(Index::create().col(ResponseText::ResponseId).col(ResponseText::CriterionId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_text_response")
                            .from(ResponseText::Table, ResponseText::ResponseId)
                            .to(Alias::new("response"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_text_criterion")
                            .from(ResponseText::Table, ResponseText::CriterionId)
                            .to(InstrumentCriterion::Table, InstrumentCriterion::Id),
                    )
                    .to_owned(),
            )
            .await?;
        triggers::make_append_only(manager, "response_text").await?;
        for t in &TEMPLATES {
            seed(db, t).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        triggers::drop_append_only(manager, "response_text").await?;
        manager.drop_table(Table::drop().table(ResponseText::Table).to_owned()).await?;
        remove(manager, TEMPLATES.iter().map(|t| t.code).collect()).await?;
        db.execute_unprepared("DROP INDEX ix_instrument_agency").await?;
        for column in ["sector", "agency_id"] {
            db.execute_unprepared(&format!("ALTER TABLE instrument DROP COLUMN {column}")).await?;
        }
        Ok(())
    }
}
