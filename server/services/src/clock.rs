//! The time services stamp their rows with.

use chrono::{DateTime, Utc};

/// The current instant, truncated to microseconds: both databases store that precision, so a
/// value read back compares equal to the one written.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}
