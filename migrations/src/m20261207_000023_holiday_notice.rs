//! Each day of the holiday calendar names the official notice it comes from (empty: the Labour
//! Code's rule, pending the year's notice). The days themselves are corrected by the server's
//! calendar revisions when it starts (`services::calendar::keep_up_to_date`), which also label
//! the days seeded before this column existed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Holiday {
    Table,
    Notice,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Holiday::Table)
                    .add_column(ColumnDef::new(Holiday::Notice).string_len(300).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Holiday::Table).drop_column(Holiday::Notice).to_owned()).await
    }
}
