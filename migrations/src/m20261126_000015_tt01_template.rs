//! The TT 01/2018/TT-VPCP evaluation form as a shared questionnaire: the four indicators that
//! Art. 14 has citizens rate per dossier (1 total time, 3 contacts needed, 4 agencies dealt
//! with, 7 conduct of officials) as single choices listed best first (2, 1, 0 points), and one
//! overall rating so that the form has an index of its own. The scorecard reads the answers by
//! question code (`TT01.1` …), so copies an agency makes keep counting.

use crate::m20261124_000011_sector_templates::{Template, remove, seed};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TT01: Template = Template {
    code: "tt01-2018",
    sector: "administrative",
    name: (
        "Phiếu đánh giá việc giải quyết thủ tục hành chính (Thông tư 01/2018/TT-VPCP)",
        "Evaluation of how a dossier was handled (Circular 01/2018/TT-VPCP)",
    ),
    group: ("TT01", "Đánh giá việc giải quyết thủ tục hành chính", "Evaluation of dossier handling"),
    elements: &[
        (
            "TT01.A",
            "Các chỉ số đánh giá theo từng hồ sơ",
            "Indicators rated per dossier",
            &[
                (
                    "TT01.1",
                    "So với ngày hẹn trên giấy tiếp nhận, hồ sơ của ông/bà được giải quyết",
                    "Compared with the date on your receipt, your dossier was handled",
                    "choice",
                ),
                (
                    "TT01.3",
                    "Ông/bà phải liên hệ nơi tiếp nhận mấy lần để hoàn thiện hồ sơ (kể cả trực tuyến)?",
                    "How many times did you have to contact the office to complete your dossier (online included)?",
                    "choice",
                ),
                (
                    "TT01.4",
                    "Ông/bà phải đến bao nhiêu cơ quan, đơn vị để giải quyết hồ sơ?",
                    "How many agencies did you have to go to for this dossier?",
                    "choice",
                ),
                (
                    "TT01.7",
                    "Công chức tiếp nhận, giải quyết hồ sơ của ông/bà",
                    "The officials who received and handled your dossier",
                    "choice",
                ),
            ],
        ),
        (
            "TT01.B",
            "Mức độ hài lòng chung",
            "Overall satisfaction",
            &[(
                "TT01.B1",
                "Nhìn chung, ông/bà hài lòng với việc giải quyết hồ sơ này?",
                "Overall, how satisfied are you with how this dossier was handled?",
                "smiley3",
            )],
        ),
    ],
    choices: &[
        (
            "TT01.1",
            &[
                ("Sớm hơn hẹn", "Earlier than promised"),
                ("Đúng hẹn", "On the promised date"),
                ("Trễ hẹn", "Later than promised"),
            ],
        ),
        ("TT01.3", &[("Không lần nào", "Not once"), ("Một lần", "Once"), ("Nhiều hơn một lần", "More than once")]),
        (
            "TT01.4",
            &[
                ("Không phải đến cơ quan nào (nộp trực tuyến, qua bưu chính)", "None in person (online or by post)"),
                ("Chỉ Bộ phận Một cửa", "Only the one-stop office"),
                ("Nhiều hơn một cơ quan", "More than one agency"),
            ],
        ),
        (
            "TT01.7",
            &[
                ("Giải quyết sớm, tận tình, không gây phiền hà", "Handled it early and helpfully, no trouble"),
                ("Đúng hẹn, đúng quy định, không gây phiền hà", "On time and by the rules, no trouble"),
                ("Có gây phiền hà, sách nhiễu", "Caused trouble or asked for favours"),
            ],
        ),
    ],
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        seed(manager.get_connection(), &TT01).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remove(manager, vec![TT01.code]).await
    }
}
