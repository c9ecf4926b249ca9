use sea_orm::entity::prelude::*;

/// A day that differs from the usual week: a weekday off, or a weekend day worked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "holiday")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub off: bool,
    pub name_vi: String,
    pub name_en: String,
    /// The official notice the day comes from; `None`: the Labour Code's rule, pending the
    /// year's notice.
    pub notice: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
