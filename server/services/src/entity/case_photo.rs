use sea_orm::entity::prelude::*;

/// A photo attached to a case, re-encoded without metadata, with its thumbnail.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_photo")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub position: i32,
    pub width: i32,
    pub height: i32,
    pub jpeg: Vec<u8>,
    pub thumb: Vec<u8>,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
