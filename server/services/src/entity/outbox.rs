use sea_orm::entity::prelude::*;

/// A message to a citizen, written in the same transaction as the change it reports, then
/// sent by the mail worker (or kept for administrators when no mail server is configured).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub case_id: Option<i64>,
    /// The unit a message is about when it is not about a case (index alerts).
    pub agency_id: Option<i64>,
    pub purpose: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The token of the server sending the message now, if any (see `services::outbox`).
    pub claim_token: Option<String>,
    /// Until when that claim holds; after it, another server may send the message.
    pub claimed_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
