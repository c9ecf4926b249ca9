use sea_orm::entity::prelude::*;

/// A tablet enrolled for a counter's kiosk. An administrator creates it with a one-time
/// enrolment code; the tablet trades the code for a secret it keeps in a cookie. Only hashes of
/// the code and the secret are stored; revoking the tablet refuses its presses from then on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kiosk_device")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub counter_id: i64,
    pub name: String,
    pub enrol_code_hash: Option<String>,
    pub enrol_code_expires_at: Option<DateTimeUtc>,
    #[sea_orm(unique)]
    pub secret_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: Option<i64>,
    pub enrolled_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_seen_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
