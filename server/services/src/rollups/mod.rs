//! Pre-aggregated counts: what dashboards read instead of raw responses.
//!
//! Every response adds to three tables in the transaction that stores it (`record`):
//! `index_rollup` (respondents and satisfied/valid answers per unit, questionnaire, group,
//! element and criterion, and answers per option of single-choice questions),
//! `activity_rollup` (responses per counter, channel and integrity flags, and tickets issued)
//! and `hour_rollup` (responses per weekday and hour). Each count is kept per Vietnam day,
//! month and quarter (`domain::buckets`), so a period is read as a few rows per unit however
//! many responses it holds. The index counts are also added to every unit above the
//! response's (`tree_rollup`), so a province's figure is read from the province's rows alone;
//! moving or merging a unit moves its counts along (`reattach`).
//!
//! The same `Accumulator` adds up one live response, a whole demo data set, or every raw row
//! when `verify` recomputes the tables to compare them with what is stored.
//!
//! `counts` writes them, `tree` follows the roll-up links, `read` sums them for a period, `verify`
//! compares them with the raw rows.

mod counts;
mod read;
mod sql;
mod tree;
mod verify;

pub use counts::*;
pub use read::*;
pub use tree::*;
pub use verify::*;
