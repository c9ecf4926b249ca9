//! Staff accounts, their server-side sessions, failed logins (for throttling) and the audit log
//! of administrative changes (append-only, like responses).

use crate::{m20261122_000002_create_agency_tree::Agency, triggers};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum AppUser {
    Table,
    Id,
    Login,
    DisplayName,
    PasswordHash,
    Role,
    AgencyId,
    Active,
    CreatedAt,
    PasswordChangedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
pub enum UserSession {
    Table,
    Id,
    UserId,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
pub enum LoginFailure {
    Table,
    Id,
    Key,
    At,
}

#[derive(DeriveIden)]
pub enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorLabel,
    Action,
    Entity,
    EntityId,
    AgencyId,
    Before,
    After,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(big_pk_auto(AppUser::Id))
                    .col(string_len_uniq(AppUser::Login, 60))
                    .col(string_len(AppUser::DisplayName, 200))
                    // An argon2id PHC string; never leaves the server.
                    .col(text(AppUser::PasswordHash))
                    .col(string_len(AppUser::Role, 20).check(Expr::col(AppUser::Role).is_in([
                        "system_admin",
                        "agency_admin",
                        "officer",
                        "viewer",
                    ])))
                    // The root of the subtree the user works in; none only for system administrators.
                    .col(big_integer_null(AppUser::AgencyId))
                    .col(boolean(AppUser::Active).default(true))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::PasswordChangedAt))
                    .col(timestamp_with_time_zone_null(AppUser::DeletedAt))
                    .check(Expr::col(AppUser::Role).eq("system_admin").or(Expr::col(AppUser::AgencyId).is_not_null()))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_agency")
                            .from(AppUser::Table, AppUser::AgencyId)
                            .to(Agency::Table, Agency::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserSession::Table)
                    // SHA-256 of the cookie's token: a leaked table does not give working cookies.
                    .col(string_len(UserSession::Id, 64).primary_key())
                    .col(big_integer(UserSession::UserId))
                    .col(string_len(UserSession::CsrfToken, 64))
                    .col(timestamp_with_time_zone(UserSession::CreatedAt))
                    .col(timestamp_with_time_zone(UserSession::ExpiresAt))
                    .col(timestamp_with_time_zone(UserSession::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_user")
                            .from(UserSession::Table, UserSession::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_session_user").table(UserSession::Table).col(UserSession::UserId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailure::Table)
                    .col(big_pk_auto(LoginFailure::Id))
                    // `login:<name>` or `ip:<hash>`
                    .col(string_len(LoginFailure::Key, 100))
                    .col(timestamp_with_time_zone(LoginFailure::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_failure_key_at")
                    .table(LoginFailure::Table)
                    .col(LoginFailure::Key)
                    .col(LoginFailure::At)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(big_integer_null(AuditLog::ActorUserId))
                    // Who acted, readable even if the account is later removed ("cli", a login).
                    .col(string_len(AuditLog::ActorLabel, 100))
                    .col(string_len(AuditLog::Action, 60))
                    .col(string_len(AuditLog::Entity, 40))
                    .col(string_len(AuditLog::EntityId, 60))
                    // The unit whose administrators may read this entry.
                    .col(big_integer_null(AuditLog::AgencyId))
                    .col(text_null(AuditLog::Before))
                    .col(text_null(AuditLog::After))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_audit_at").table(AuditLog::Table).col(AuditLog::At).to_owned())
            .await?;
        triggers::make_append_only(manager, "audit_log").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        triggers::drop_append_only(manager, "audit_log").await?;
        for table in [
            AuditLog::Table.into_iden(),
            LoginFailure::Table.into_iden(),
            UserSession::Table.into_iden(),
            AppUser::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
