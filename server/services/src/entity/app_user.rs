use sea_orm::entity::prelude::*;

/// A staff account. `password_hash` is an argon2id PHC string and never leaves the server: this
/// row type is not serializable, and pages get `CurrentUser`/wire types instead.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub agency_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub password_changed_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
