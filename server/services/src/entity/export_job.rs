use sea_orm::entity::prelude::*;

/// An export made in the background for one staff member: responses or indices of a unit's
/// subtree, as CSV or XLSX.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_job")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub agency_id: i64,
    /// `responses` or `indices`.
    pub kind: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// The query as JSON (period, basis, questionnaire, step).
    pub params: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub rows_total: i64,
    pub rows_done: i64,
    pub file_name: String,
    pub bytes: i64,
    pub error: String,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
