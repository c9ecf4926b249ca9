//! A token that changes whenever the unit tree changes, so that servers can keep the tree in
//! memory and read it again only when it changed. Triggers draw a new random token on every
//! insert, update or delete of `agency`, by whatever means: a change made and rolled back
//! leaves no token behind, and two databases never share one.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("CREATE TABLE unit_tree_version (token BIGINT NOT NULL)").await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared("INSERT INTO unit_tree_version (token) VALUES (random())").await?;
                for op in ["INSERT", "UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER agency_{}_new_token AFTER {op} ON agency \
                         BEGIN UPDATE unit_tree_version SET token = random(); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
            _ => {
                let random = "(floor((random() - 0.5) * 9.2e18))::bigint";
                db.execute_unprepared(&format!("INSERT INTO unit_tree_version (token) VALUES ({random})")).await?;
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION ydan_new_unit_tree_token() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN UPDATE unit_tree_version SET token = {random}; RETURN NULL; END $$"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER agency_new_token AFTER INSERT OR UPDATE OR DELETE ON agency \
                     FOR EACH STATEMENT EXECUTE FUNCTION ydan_new_unit_tree_token()",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for op in ["insert", "update", "delete"] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS agency_{op}_new_token")).await?;
                }
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS agency_new_token ON agency").await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS ydan_new_unit_tree_token()").await?;
            }
        }
        db.execute_unprepared("DROP TABLE unit_tree_version").await?;
        Ok(())
    }
}
