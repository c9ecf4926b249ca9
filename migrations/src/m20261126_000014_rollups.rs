//! Pre-aggregated counts that dashboards read instead of raw responses. Every stored response
//! adds to them in its own transaction (`services::rollups`); `ydan
//! verify-rollups` recomputes them from the raw rows and reports any difference.
//!
//! Rows are kept at three grains (`grain` 1 = Vietnam day `YYYYMMDD`, 2 = month `YYYYMM`,
//! 3 = quarter `YYYYQ`) so that any period is read as a few whole quarters and months plus the
//! days at its edges. Index counts are split by integrity basis: all responses, unflagged
//! ("clean") ones and verified ones.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `level`: 0 = the response (respondents who answered at least one rating), 1 = a group,
/// 2 = an element (respondents who answered at least one of its rating criteria), 3 = a rating
/// criterion (`n_*` valid answers, `s_*` satisfied answers), 10 + k = answers choosing option
/// k of a single-choice criterion. `item_id` is the group, element or criterion id, 0 for
/// level 0.
pub(crate) const INDEX_ROLLUP: &str = "CREATE TABLE index_rollup (
    agency_id BIGINT NOT NULL,
    grain SMALLINT NOT NULL,
    bucket INTEGER NOT NULL,
    instrument_id BIGINT NOT NULL,
    level SMALLINT NOT NULL,
    item_id BIGINT NOT NULL,
    n_all BIGINT NOT NULL,
    s_all BIGINT NOT NULL,
    n_clean BIGINT NOT NULL,
    s_clean BIGINT NOT NULL,
    n_verified BIGINT NOT NULL,
    s_verified BIGINT NOT NULL,
    PRIMARY KEY (agency_id, grain, bucket, instrument_id, level, item_id)
)";

/// Responses per counter, channel (`source`: qr, kiosk, api, paper) and integrity flags, and
/// tickets issued (`source` = 'ticket'). `satisfied` counts responses whose every rating was
/// satisfied, `dissatisfied` those with at least one dissatisfied rating (for the kiosks'
/// one-question press, the press itself).
const ACTIVITY_ROLLUP: &str = "CREATE TABLE activity_rollup (
    agency_id BIGINT NOT NULL,
    grain SMALLINT NOT NULL,
    bucket INTEGER NOT NULL,
    counter_id BIGINT NOT NULL,
    instrument_id BIGINT NOT NULL,
    source VARCHAR(10) NOT NULL,
    flags VARCHAR(200) NOT NULL,
    verified BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    dissatisfied BIGINT NOT NULL,
    PRIMARY KEY (agency_id, grain, bucket, counter_id, instrument_id, source, flags, verified)
)";

/// Responses per Vietnam weekday (1 = Monday … 7 = Sunday) and hour, and how many of them
/// were flagged: the dashboard's heatmap.
const HOUR_ROLLUP: &str = "CREATE TABLE hour_rollup (
    agency_id BIGINT NOT NULL,
    grain SMALLINT NOT NULL,
    bucket INTEGER NOT NULL,
    weekday SMALLINT NOT NULL,
    hour SMALLINT NOT NULL,
    n BIGINT NOT NULL,
    flagged BIGINT NOT NULL,
    PRIMARY KEY (agency_id, grain, bucket, weekday, hour)
)";

const TABLES: [&str; 3] = ["index_rollup", "activity_rollup", "hour_rollup"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sqlite = manager.get_database_backend() == DatabaseBackend::Sqlite;
        // Clustered by primary key on SQLite: a unit's rows for a run of buckets lie together.
        let suffix = if sqlite { " WITHOUT ROWID" } else { "" };
        for table in [INDEX_ROLLUP, ACTIVITY_ROLLUP, HOUR_ROLLUP] {
            db.execute_unprepared(&format!("{table}{suffix}")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.get_connection().execute_unprepared(&format!("DROP TABLE {table}")).await?;
        }
        Ok(())
    }
}
