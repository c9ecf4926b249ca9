use sea_orm::entity::prelude::*;

/// A unit's 30-day index below its floor (`below_floor`) or significantly lower than the 30
/// days before (`significant_drop`). Open while `closed_at` is empty; one open alert per unit
/// and kind.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "index_alert")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agency_id: i64,
    pub kind: String,
    pub opened_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The 30-day index when the alert was raised (or last checked).
    pub value: f64,
    /// The floor, or the previous 30 days' index.
    pub reference: f64,
    pub n: i64,
    pub checked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
