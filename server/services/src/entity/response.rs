use sea_orm::entity::prelude::*;

/// Append-only: the database refuses updates and deletes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "response")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub instrument_id: i64,
    pub counter_id: i64,
    pub agency_id: i64,
    pub procedure_id: Option<i64>,
    pub channel: String,
    pub submitted_at: DateTimeUtc,
    pub comment: Option<String>,
    /// Keyed hash of the client's source (an IPv4 address or an IPv6 /64), never the address.
    pub device_hash: Option<String>,
    pub ua_class: Option<String>,
    pub submission_key: Option<String>,
    /// From a receipt-bound ticket (the dossier really exists), not an open QR code.
    pub verified: bool,
    pub dossier_code: Option<String>,
    pub ticket_id: Option<i64>,
    /// Integrity flags, comma-separated (see `domain::integrity`); empty when none.
    pub flags: String,
    /// The agency API key of the system that sent it (`channel` api or paper).
    pub api_key_id: Option<i64>,
    /// The enrolled tablet it was pressed on (`channel` kiosk).
    pub kiosk_device_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
