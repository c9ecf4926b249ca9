use sea_orm::entity::prelude::*;

/// One criterion of one response; `value` is 1–5, or `None` for "no answer". Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "response_answer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub response_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub criterion_id: i64,
    pub value: Option<i16>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
