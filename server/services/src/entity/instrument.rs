use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instrument")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name_vi: String,
    pub name_en: String,
    pub status: String,
    pub is_default: bool,
    pub min_answers: i32,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The unit that made this version for itself; none for the shared templates.
    pub agency_id: Option<i64>,
    /// `administrative`, `health`, `education` or `utilities`.
    pub sector: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
