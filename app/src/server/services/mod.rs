//! Services: each function takes the database (or a transaction) and plain values, applies the
//! domain rules and runs its queries. Server functions, API handlers, the CLI and tests all call
//! these, so every path goes through the same checks.

pub mod access;
pub mod admin;
pub mod agencies;
pub mod alerts;
pub mod analytics;
pub mod anomalies;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod contacts;
pub mod exports;
pub mod indices;
pub mod instruments;
pub mod integrity;
pub mod kiosk;
pub mod meta;
pub mod outbox;
pub mod questionnaires;
pub mod reports;
pub mod rollups;
pub mod scorecards;
pub mod survey;
pub mod tablets;
pub mod tickets;

use chrono::{DateTime, Utc};

/// The current instant, truncated to microseconds: both databases store that precision, so a
/// value read back compares equal to the one written.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}
