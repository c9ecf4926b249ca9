use sea_orm::entity::prelude::*;

/// A unit's index targets in percent: the goal it aims for and the floor below which its
/// administrators are alerted. Units without a row take their nearest ancestor's.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "index_target")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agency_id: i64,
    pub goal: Option<f64>,
    pub floor: Option<f64>,
    /// E-mail addresses alerts are sent to, separated by commas.
    pub alert_to: String,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
