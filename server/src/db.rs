//! Connecting to the database and bringing its schema up to date. SQLite (a file under
//! `./data/`) is the default; PostgreSQL is chosen by a `postgres://` URL.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// The embedded default: a SQLite file next to where `ydan` runs.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/ydan.db";

/// Opens a connection pool. For SQLite, creates the file (and its folder) if missing and turns
/// on write-ahead logging, so readers never wait for the writer.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        if let Some(dir) = sqlite_dir(url) {
            std::fs::create_dir_all(&dir)
                .map_err(|e| DbErr::Custom(format!("cannot create the database folder {dir}: {e}")))?;
        }
        opts.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // With WAL, NORMAL is durable across application crashes; a power cut may lose
                // the last transactions but never corrupts the file.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    } else {
        opts.max_connections(16).min_connections(1);
    }
    Database::connect(opts).await
}

/// Where the key for residents' contact details is kept unless configured: `contact.key` in the
/// folder of a SQLite database (`data/` by default), else `data/contact.key`. Next to the
/// database file, not in it: a copy of the database alone does not reveal the contacts (a copy
/// of the whole folder does; production should set `--contact-key-file`, docs/PRIVACY.md).
pub fn default_contact_key_file(url: &str) -> std::path::PathBuf {
    let dir = if url.starts_with("sqlite:") { sqlite_dir(url).unwrap_or_else(|| ".".into()) } else { "data".into() };
    std::path::Path::new(&dir).join("contact.key")
}

/// The folder of a `sqlite://path/to/file.db` URL, if it has one.
fn sqlite_dir(url: &str) -> Option<String> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?.to_str()?.to_owned();
    (!parent.is_empty()).then_some(parent)
}

/// Applies every pending migration, then fills the pre-aggregated counts from the raw rows
/// once if the database had responses before they existed, and the counts kept below each
/// unit from those once if it had counts before that table existed.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    use services::{meta, rollups};
    Migrator::up(db, None).await?;
    let as_db = |e: domain::error::AppError| DbErr::Custom(format!("{:?}: {:?}", e.code, e.detail));
    if meta::get(db, ROLLUPS_KEY).await.map_err(as_db)?.is_none() {
        rollups::verify(db, 200, true, |_, _| {}).await.map_err(as_db)?;
        meta::set(db, ROLLUPS_KEY, "1").await.map_err(as_db)?;
    }
    if meta::get(db, TREE_KEY).await.map_err(as_db)?.is_none() {
        rollups::rebuild_tree(db).await.map_err(as_db)?;
        meta::set(db, TREE_KEY, "1").await.map_err(as_db)?;
    }
    Ok(())
}

/// Set once the pre-aggregated counts hold every response stored before they existed.
const ROLLUPS_KEY: &str = "rollups_filled";
/// Set once the counts kept below each unit (`tree_rollup`) were filled from the units' own.
const TREE_KEY: &str = "tree_rollup_filled";

#[cfg(test)]
mod tests {
    use super::sqlite_dir;

    #[test]
    fn the_folder_of_a_sqlite_url_is_found() {
        assert_eq!(sqlite_dir("sqlite://data/ydan.db").as_deref(), Some("data"));
        assert_eq!(sqlite_dir("sqlite:///tmp/x/y.db?mode=rwc").as_deref(), Some("/tmp/x"));
        assert_eq!(sqlite_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_dir("sqlite://ydan.db"), None);
    }
}
