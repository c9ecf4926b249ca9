//! Citizens' feedback and complaints (phản ánh, kiến nghị): categories, cases with their
//! history and photos, the daily sequence behind tracking codes, the holiday calendar,
//! per-agency deadline rules, canned replies, and the outbox of notifications.

use crate::{
    m20261122_000002_create_agency_tree::Agency, m20261122_000003_create_response::Response,
    m20261122_000006_create_accounts::AppUser, m20261123_000008_create_tickets::ApiKey,
};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FeedbackCategory {
    Table,
    Id,
    Code,
    GroupCode,
    NameVi,
    NameEn,
    DescriptionVi,
    DescriptionEn,
    Keywords,
    Active,
    Sort,
}

#[derive(DeriveIden)]
enum FeedbackCase {
    Table,
    Id,
    TrackingCode,
    AccessHash,
    Kind,
    CategoryId,
    AgencyId,
    PickedAgencyId,
    Triage,
    Description,
    Address,
    Lat,
    Lon,
    ContactName,
    ContactPhone,
    ContactEmail,
    Anonymous,
    Consent,
    Channel,
    Status,
    HandlerId,
    SubmittedAt,
    ReceivedAt,
    ClockFrom,
    StepDueAt,
    AnswerDueAt,
    InfoRequestedAt,
    AnsweredAt,
    AnswerText,
    PublishedAt,
    ClosedAt,
    Rating,
    RatedAt,
    ReopenedCount,
    ReopenReason,
    Hidden,
    HiddenReason,
    EscalatedToId,
    OverdueStep,
    SourceResponseId,
    ApiKeyId,
    DeviceId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaseEvent {
    Table,
    Id,
    CaseId,
    At,
    ActorId,
    Actor,
    Action,
    FromStatus,
    ToStatus,
    PublicNote,
    InternalNote,
    TargetAgencyId,
}

#[derive(DeriveIden)]
enum CasePhoto {
    Table,
    Id,
    CaseId,
    Position,
    Width,
    Height,
    Jpeg,
    Thumb,
    Hidden,
    HiddenReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseSequence {
    Table,
    Day,
    Last,
}

#[derive(DeriveIden)]
enum Holiday {
    Table,
    Day,
    Off,
    NameVi,
    NameEn,
}

#[derive(DeriveIden)]
enum DeadlineRule {
    Table,
    Id,
    AgencyId,
    Kind,
    Step,
    Days,
}

#[derive(DeriveIden)]
enum CannedReply {
    Table,
    Id,
    AgencyId,
    Title,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    CreatedAt,
    ToAddress,
    Subject,
    Body,
    CaseId,
    Purpose,
    Status,
    Attempts,
    LastError,
    SentAt,
    NextAttemptAt,
}

/// The categories residents choose from (also the Open311 service list): code, group,
/// Vietnamese and English name, keywords.
const CATEGORIES: [(&str, &str, &str, &str, &str); 11] = [
    (
        "ha-tang-giao-thong",
        "giao-thong",
        "Đường sá, cầu cống, giao thông",
        "Roads, bridges and traffic",
        "ổ gà,đèn tín hiệu,pothole",
    ),
    ("chieu-sang", "giao-thong", "Chiếu sáng công cộng", "Street lighting", "đèn đường,street light"),
    ("moi-truong-rac", "moi-truong", "Rác thải, vệ sinh môi trường", "Waste and sanitation", "rác,ô nhiễm,waste"),
    (
        "cap-thoat-nuoc",
        "moi-truong",
        "Cấp nước, thoát nước, ngập úng",
        "Water supply, drainage and flooding",
        "nước sạch,ngập,flood",
    ),
    (
        "trat-tu-do-thi",
        "do-thi",
        "Trật tự đô thị, lấn chiếm vỉa hè",
        "Public order, pavement encroachment",
        "vỉa hè,xây dựng trái phép",
    ),
    ("dat-dai-xay-dung", "hanh-chinh", "Đất đai, xây dựng", "Land and construction", "sổ đỏ,giấy phép xây dựng"),
    (
        "ho-tich-cu-tru",
        "hanh-chinh",
        "Hộ tịch, cư trú, giấy tờ",
        "Civil status, residence, papers",
        "khai sinh,tạm trú",
    ),
    ("y-te-giao-duc", "dich-vu-cong", "Y tế, giáo dục", "Health and education", "bệnh viện,trường học"),
    (
        "phuc-vu-mot-cua",
        "hanh-chinh",
        "Chất lượng phục vụ tại bộ phận một cửa",
        "Service at one-stop counters",
        "quầy,tiếp nhận hồ sơ,một cửa",
    ),
    ("thai-do-can-bo", "can-bo", "Thái độ, tác phong cán bộ", "Conduct of officials", "nhũng nhiễu,thái độ"),
    ("khac", "khac", "Vấn đề khác", "Other", ""),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FeedbackCategory::Table)
                    .col(big_pk_auto(FeedbackCategory::Id))
                    .col(string_len_uniq(FeedbackCategory::Code, 40))
                    .col(string_len(FeedbackCategory::GroupCode, 40))
                    .col(string_len(FeedbackCategory::NameVi, 200))
                    .col(string_len(FeedbackCategory::NameEn, 200))
                    .col(text(FeedbackCategory::DescriptionVi).default(""))
                    .col(text(FeedbackCategory::DescriptionEn).default(""))
                    .col(string_len(FeedbackCategory::Keywords, 300).default(""))
                    .col(boolean(FeedbackCategory::Active).default(true))
                    .col(integer(FeedbackCategory::Sort).default(0))
                    .to_owned(),
            )
            .await?;
        let fk = |name: &str, col: FeedbackCase, to: TableRef, to_col: DynIden| {
            ForeignKey::create().name(name).from(FeedbackCase::Table, col).to(to, to_col).to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(FeedbackCase::Table)
                    .col(big_pk_auto(FeedbackCase::Id))
                    .col(string_len_uniq(FeedbackCase::TrackingCode, 24))
                    // SHA-256 of the secret in the citizen's private link.
                    .col(string_len(FeedbackCase::AccessHash, 64))
                    .col(string_len(FeedbackCase::Kind, 20))
                    .col(big_integer(FeedbackCase::CategoryId))
                    .col(big_integer(FeedbackCase::AgencyId))
                    .col(big_integer_null(FeedbackCase::PickedAgencyId))
                    .col(boolean(FeedbackCase::Triage).default(false))
                    .col(text(FeedbackCase::Description))
                    .col(string_len_null(FeedbackCase::Address, 300))
                    .col(double_null(FeedbackCase::Lat))
                    .col(double_null(FeedbackCase::Lon))
                    .col(string_len_null(FeedbackCase::ContactName, 100))
                    .col(string_len_null(FeedbackCase::ContactPhone, 30))
                    .col(string_len_null(FeedbackCase::ContactEmail, 200))
                    .col(boolean(FeedbackCase::Anonymous).default(false))
                    .col(boolean(FeedbackCase::Consent).default(false))
                    .col(string_len(FeedbackCase::Channel, 20))
                    .col(string_len(FeedbackCase::Status, 20))
                    .col(big_integer_null(FeedbackCase::HandlerId))
                    .col(timestamp_with_time_zone(FeedbackCase::SubmittedAt))
                    .col(timestamp_with_time_zone_null(FeedbackCase::ReceivedAt))
                    // Where the answer deadline counts from: submission, the latest forward, a reopening.
                    .col(timestamp_with_time_zone(FeedbackCase::ClockFrom))
                    // The deadline of the step the case waits for (none while the citizen is asked).
                    .col(timestamp_with_time_zone_null(FeedbackCase::StepDueAt))
                    .col(timestamp_with_time_zone(FeedbackCase::AnswerDueAt))
                    .col(timestamp_with_time_zone_null(FeedbackCase::InfoRequestedAt))
                    .col(timestamp_with_time_zone_null(FeedbackCase::AnsweredAt))
                    .col(text_null(FeedbackCase::AnswerText))
                    .col(timestamp_with_time_zone_null(FeedbackCase::PublishedAt))
                    .col(timestamp_with_time_zone_null(FeedbackCase::ClosedAt))
                    .col(string_len_null(FeedbackCase::Rating, 20))
                    .col(timestamp_with_time_zone_null(FeedbackCase::RatedAt))
                    .col(integer(FeedbackCase::ReopenedCount).default(0))
                    .col(text_null(FeedbackCase::ReopenReason))
                    .col(boolean(FeedbackCase::Hidden).default(false))
                    .col(text_null(FeedbackCase::HiddenReason))
                    .col(big_integer_null(FeedbackCase::EscalatedToId))
                    // The step whose missed deadline was already handled (apology, escalation).
                    .col(string_len_null(FeedbackCase::OverdueStep, 40))
                    .col(big_integer_null(FeedbackCase::SourceResponseId))
                    .col(big_integer_null(FeedbackCase::ApiKeyId))
                    .col(string_len_null(FeedbackCase::DeviceId, 100))
                    .col(timestamp_with_time_zone(FeedbackCase::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_case_category",
                        FeedbackCase::CategoryId,
                        FeedbackCategory::Table.into_table_ref(),
                        FeedbackCategory::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_agency",
                        FeedbackCase::AgencyId,
                        Agency::Table.into_table_ref(),
                        Agency::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_picked",
                        FeedbackCase::PickedAgencyId,
                        Agency::Table.into_table_ref(),
                        Agency::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_escalated",
                        FeedbackCase::EscalatedToId,
                        Agency::Table.into_table_ref(),
                        Agency::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_handler",
                        FeedbackCase::HandlerId,
                        AppUser::Table.into_table_ref(),
                        AppUser::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_response",
                        FeedbackCase::SourceResponseId,
                        Response::Table.into_table_ref(),
                        Response::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_api_key",
                        FeedbackCase::ApiKeyId,
                        ApiKey::Table.into_table_ref(),
                        ApiKey::Id.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_case_agency_status", vec![FeedbackCase::AgencyId, FeedbackCase::Status]),
            ("ix_case_escalated", vec![FeedbackCase::EscalatedToId]),
            ("ix_case_submitted", vec![FeedbackCase::SubmittedAt]),
            ("ix_case_published", vec![FeedbackCase::PublishedAt]),
            ("ix_case_step_due", vec![FeedbackCase::StepDueAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(FeedbackCase::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ux_case_source_response")
                    .table(FeedbackCase::Table)
                    .col(FeedbackCase::SourceResponseId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseEvent::Table)
                    .col(big_pk_auto(CaseEvent::Id))
                    .col(big_integer(CaseEvent::CaseId))
                    .col(timestamp_with_time_zone(CaseEvent::At))
                    .col(big_integer_null(CaseEvent::ActorId))
                    // citizen, officer or system
                    .col(string_len(CaseEvent::Actor, 20))
                    .col(string_len(CaseEvent::Action, 30))
                    .col(string_len_null(CaseEvent::FromStatus, 20))
                    .col(string_len(CaseEvent::ToStatus, 20))
                    .col(text_null(CaseEvent::PublicNote))
                    .col(text_null(CaseEvent::InternalNote))
                    .col(big_integer_null(CaseEvent::TargetAgencyId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_case_event_case")
                            .from(CaseEvent::Table, CaseEvent::CaseId)
                            .to(FeedbackCase::Table, FeedbackCase::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_case_event_actor")
                            .from(CaseEvent::Table, CaseEvent::ActorId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_case_event_agency")
                            .from(CaseEvent::Table, CaseEvent::TargetAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_case_event_case").table(CaseEvent::Table).col(CaseEvent::CaseId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CasePhoto::Table)
                    .col(big_pk_auto(CasePhoto::Id))
                    .col(big_integer(CasePhoto::CaseId))
                    .col(integer(CasePhoto::Position))
                    .col(integer(CasePhoto::Width))
                    .col(integer(CasePhoto::Height))
                    // Re-encoded JPEG without any metadata, and its thumbnail.
                    .col(blob(CasePhoto::Jpeg))
                    .col(blob(CasePhoto::Thumb))
                    .col(boolean(CasePhoto::Hidden).default(false))
                    .col(text_null(CasePhoto::HiddenReason))
                    .col(timestamp_with_time_zone(CasePhoto::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_case_photo_case")
                            .from(CasePhoto::Table, CasePhoto::CaseId)
                            .to(FeedbackCase::Table, FeedbackCase::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_case_photo_case").table(CasePhoto::Table).col(CasePhoto::CaseId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CaseSequence::Table)
                    .col(string_len(CaseSequence::Day, 8).primary_key())
                    .col(integer(CaseSequence::Last))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Holiday::Table)
                    .col(date(Holiday::Day).primary_key())
                    // TRUE: a weekday off; FALSE: a weekend day worked (làm bù).
                    .col(boolean(Holiday::Off))
                    .col(string_len(Holiday::NameVi, 200))
                    .col(string_len(Holiday::NameEn, 200))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeadlineRule::Table)
                    .col(big_pk_auto(DeadlineRule::Id))
                    .col(big_integer(DeadlineRule::AgencyId))
                    // NULL: every kind.
                    .col(string_len_null(DeadlineRule::Kind, 20))
                    .col(string_len(DeadlineRule::Step, 20))
                    .col(integer(DeadlineRule::Days))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deadline_rule_agency")
                            .from(DeadlineRule::Table, DeadlineRule::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CannedReply::Table)
                    .col(big_pk_auto(CannedReply::Id))
                    .col(big_integer(CannedReply::AgencyId))
                    .col(string_len(CannedReply::Title, 200))
                    .col(text(CannedReply::Body))
                    .col(timestamp_with_time_zone(CannedReply::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_canned_reply_agency")
                            .from(CannedReply::Table, CannedReply::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(big_pk_auto(Outbox::Id))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(string_len(Outbox::ToAddress, 200))
                    .col(string_len(Outbox::Subject, 300))
                    .col(text(Outbox::Body))
                    .col(big_integer_null(Outbox::CaseId))
                    .col(string_len(Outbox::Purpose, 30))
                    // pending (to send), sent, failed (gave up), kept (no mail server configured)
                    .col(string_len(Outbox::Status, 20))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(timestamp_with_time_zone_null(Outbox::NextAttemptAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_case")
                            .from(Outbox::Table, Outbox::CaseId)
                            .to(FeedbackCase::Table, FeedbackCase::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_outbox_status").table(Outbox::Table).col(Outbox::Status).to_owned())
            .await?;

        for (i, (code, group, vi, en, keywords)) in CATEGORIES.iter().enumerate() {
            let db = manager.get_connection();
            db.execute(
                &Query::insert()
                    .into_table(FeedbackCategory::Table)
                    .columns([
                        FeedbackCategory::Code,
                        FeedbackCategory::GroupCode,
                        FeedbackCategory::NameVi,
                        FeedbackCategory::NameEn,
                        FeedbackCategory::Keywords,
                        FeedbackCategory::Sort,
                    ])
                    .values([
                        (*code).into(),
                        (*group).into(),
                        (*vi).into(),
                        (*en).into(),
                        (*keywords).into(),
                        (i as i32).into(),
                    ])
                    .map_err(|e| DbErr::Custom(e.to_string()))?
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Outbox::Table.into_iden(),
            CannedReply::Table.into_iden(),
            DeadlineRule::Table.into_iden(),
            Holiday::Table.into_iden(),
            CaseSequence::Table.into_iden(),
            CasePhoto::Table.into_iden(),
            CaseEvent::Table.into_iden(),
            FeedbackCase::Table.into_iden(),
            FeedbackCategory::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
