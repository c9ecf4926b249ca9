use sea_orm::entity::prelude::*;

/// One resident's feedback or complaint (phản ánh, kiến nghị) and where it stands.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_case")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub tracking_code: String,
    pub access_hash: String,
    pub kind: String,
    pub category_id: i64,
    pub agency_id: i64,
    pub picked_agency_id: Option<i64>,
    pub triage: bool,
    pub description: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub anonymous: bool,
    pub consent: bool,
    pub channel: String,
    pub status: String,
    pub handler_id: Option<i64>,
    pub submitted_at: DateTimeUtc,
    pub received_at: Option<DateTimeUtc>,
    pub clock_from: DateTimeUtc,
    pub step_due_at: Option<DateTimeUtc>,
    pub answer_due_at: DateTimeUtc,
    pub info_requested_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    pub answer_text: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub rating: Option<String>,
    pub rated_at: Option<DateTimeUtc>,
    pub reopened_count: i32,
    pub reopen_reason: Option<String>,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub escalated_to_id: Option<i64>,
    pub overdue_step: Option<String>,
    pub source_response_id: Option<i64>,
    pub api_key_id: Option<i64>,
    pub device_id: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
