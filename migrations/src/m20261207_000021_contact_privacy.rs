//! Residents' contact details encrypted at rest (docs/PRIVACY.md). A migration cannot know the
//! key (it lives in the server's configuration), so the plain values of an older database are
//! encrypted by the server at start (`services::contacts::encrypt_plain_rows`). Here: the
//! columns become unbounded text on PostgreSQL (a sealed value is longer than the typed one;
//! SQLite does not enforce lengths), and the retention sweep finds cases by when they ended.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            for column in ["contact_name", "contact_phone", "contact_email"] {
                db.execute_unprepared(&format!("ALTER TABLE feedback_case ALTER COLUMN {column} TYPE TEXT")).await?;
            }
        }
        db.execute_unprepared("CREATE INDEX ix_feedback_case_closed_at ON feedback_case (closed_at)").await?;
        db.execute_unprepared("CREATE INDEX ix_feedback_case_published_at ON feedback_case (published_at)").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ix_feedback_case_published_at").await?;
        db.execute_unprepared("DROP INDEX ix_feedback_case_closed_at").await?;
        Ok(())
    }
}
