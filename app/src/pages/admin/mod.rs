//! Administration pages (`/quan-tri/…`) for agency and system administrators. Plain HTML forms
//! that post to the page's own address (handled in `server/src/admin.rs`); every form carries the
//! session's CSRF token. Per-unit actions sit in a `<details>` disclosure, which needs no script.
//!
//! `frame` is what every page shares; `units`, `people` and `questionnaires` are the pages.

mod frame;
mod people;
mod questionnaires;
mod units;

pub use frame::{AdminHome, Outcome};
pub(crate) use frame::{Csrf, with_admin_data};
pub use people::*;
pub use questionnaires::*;
pub use units::*;
