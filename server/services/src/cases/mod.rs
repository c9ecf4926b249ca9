//! Feedback and complaints (phản ánh, kiến nghị): a resident files a case, gets a tracking code
//! and a private link; officers of the responsible unit receive, classify, assign, forward,
//! answer and publish it within working-day deadlines; the resident rates the answer or reopens
//! the case once. Every change writes its history entry (and any notification) in the same
//! transaction. Contact details never leave this module except to the officers of the case.
//!
//! One file per concern: `intake` (filing), `citizen` (the tracking link), `officer` (inbox and
//! actions), `sweeps` (missed deadlines), `disclosure` (what is published and counted),
//! `moderation` (hiding, canned replies), `settings` (deadlines, holidays). `common` holds what
//! they share: loading a case, writing its history, its status and countdown.

mod citizen;
mod common;
mod disclosure;
mod intake;
mod moderation;
mod officer;
mod settings;
mod sweeps;

pub use citizen::*;
pub use common::{categories, private_path, public_path, unit_options};
pub use disclosure::*;
pub use intake::*;
pub use moderation::*;
pub use officer::*;
pub use settings::*;
pub use sweeps::*;
