//! Database triggers that keep promises the application makes: responses are never changed or
//! deleted, and a published questionnaire never changes. Enforcing them in the database means no
//! code path, script or manual query can quietly rewrite history.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

async fn exec(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared(sql).await.map(|_| ())
}

/// Refuses every UPDATE and DELETE on `table`.
pub async fn make_append_only(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            for op in ["UPDATE", "DELETE"] {
                let name = format!("{table}_no_{}", op.to_lowercase());
                exec(
                    manager,
                    &format!(
                        "CREATE TRIGGER {name} BEFORE {op} ON {table} \
                         BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                    ),
                )
                .await?;
            }
            Ok(())
        }
        _ => {
            exec(
                manager,
                "CREATE OR REPLACE FUNCTION ydan_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            )
            .await?;
            exec(
                manager,
                &format!(
                    "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION ydan_refuse_change()"
                ),
            )
            .await
        }
    }
}

pub async fn drop_append_only(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            exec(manager, &format!("DROP TRIGGER IF EXISTS {table}_no_update")).await?;
            exec(manager, &format!("DROP TRIGGER IF EXISTS {table}_no_delete")).await
        }
        _ => exec(manager, &format!("DROP TRIGGER IF EXISTS {table}_append_only ON {table}")).await,
    }
}

/// Columns of `instrument` that are frozen once it is published. `is_default` is not among
/// them: which questionnaire counters use by default is a deployment choice.
const FROZEN_INSTRUMENT_COLUMNS: [&str; 7] =
    ["code", "version", "name_vi", "name_en", "min_answers", "status", "published_at"];

/// Tables that hold the content of a questionnaire version, each with an `instrument_id`.
pub const INSTRUMENT_CONTENT_TABLES: [&str; 4] =
    ["instrument_scale_point", "instrument_group", "instrument_element", "instrument_criterion"];

/// Freezes published instruments and their content.
pub async fn guard_published_instruments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            let changed = FROZEN_INSTRUMENT_COLUMNS
                .iter()
                .map(|c| format!("NEW.{c} IS NOT OLD.{c}"))
                .collect::<Vec<_>>()
                .join(" OR ");
            exec(
                manager,
                &format!(
                    "CREATE TRIGGER instrument_frozen_update BEFORE UPDATE ON instrument \
                     WHEN OLD.status = 'published' AND ({changed}) \
                     BEGIN SELECT RAISE(ABORT, 'a published instrument cannot change'); END"
                ),
            )
            .await?;
            exec(
                manager,
                "CREATE TRIGGER instrument_frozen_delete BEFORE DELETE ON instrument \
                 WHEN OLD.status = 'published' \
                 BEGIN SELECT RAISE(ABORT, 'a published instrument cannot change'); END",
            )
            .await?;
            for table in INSTRUMENT_CONTENT_TABLES {
                for (op, row) in [("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")] {
                    exec(
                        manager,
                        &format!(
                            "CREATE TRIGGER {table}_frozen_{lower} BEFORE {op} ON {table} \
                             WHEN (SELECT status FROM instrument WHERE id = {row}.instrument_id) = 'published' \
                             BEGIN SELECT RAISE(ABORT, 'a published instrument cannot change'); END",
                            lower = op.to_lowercase()
                        ),
                    )
                    .await?;
                }
            }
            Ok(())
        }
        _ => {
            let changed = FROZEN_INSTRUMENT_COLUMNS
                .iter()
                .map(|c| format!("NEW.{c} IS DISTINCT FROM OLD.{c}"))
                .collect::<Vec<_>>()
                .join(" OR ");
            exec(
                manager,
                &format!(
                    "CREATE OR REPLACE FUNCTION ydan_instrument_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP = 'DELETE' AND OLD.status = 'published' THEN \
                         RAISE EXCEPTION 'a published instrument cannot change'; END IF; \
                       IF TG_OP = 'UPDATE' AND OLD.status = 'published' AND ({changed}) THEN \
                         RAISE EXCEPTION 'a published instrument cannot change'; END IF; \
                       IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; \
                       RETURN NEW; \
                     END $$"
                ),
            )
            .await?;
            exec(
                manager,
                "CREATE TRIGGER instrument_frozen BEFORE UPDATE OR DELETE ON instrument \
                 FOR EACH ROW EXECUTE FUNCTION ydan_instrument_frozen()",
            )
            .await?;
            exec(
                manager,
                "CREATE OR REPLACE FUNCTION ydan_instrument_content_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 DECLARE iid BIGINT; \
                 BEGIN \
                   IF TG_OP = 'INSERT' THEN iid := NEW.instrument_id; ELSE iid := OLD.instrument_id; END IF; \
                   IF (SELECT status FROM instrument WHERE id = iid) = 'published' THEN \
                     RAISE EXCEPTION 'a published instrument cannot change'; END IF; \
                   IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; \
                   RETURN NEW; \
                 END $$",
            )
            .await?;
            for table in INSTRUMENT_CONTENT_TABLES {
                exec(
                    manager,
                    &format!(
                        "CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION ydan_instrument_content_frozen()"
                    ),
                )
                .await?;
            }
            Ok(())
        }
    }
}

pub async fn drop_instrument_guards(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            exec(manager, "DROP TRIGGER IF EXISTS instrument_frozen_update").await?;
            exec(manager, "DROP TRIGGER IF EXISTS instrument_frozen_delete").await?;
            for table in INSTRUMENT_CONTENT_TABLES {
                for op in ["insert", "update", "delete"] {
                    exec(manager, &format!("DROP TRIGGER IF EXISTS {table}_frozen_{op}")).await?;
                }
            }
            Ok(())
        }
        _ => {
            exec(manager, "DROP TRIGGER IF EXISTS instrument_frozen ON instrument").await?;
            for table in INSTRUMENT_CONTENT_TABLES {
                exec(manager, &format!("DROP TRIGGER IF EXISTS {table}_frozen ON {table}")).await?;
            }
            exec(manager, "DROP FUNCTION IF EXISTS ydan_instrument_content_frozen()").await?;
            exec(manager, "DROP FUNCTION IF EXISTS ydan_instrument_frozen()").await
        }
    }
}
