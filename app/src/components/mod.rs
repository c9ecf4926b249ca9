//! Reusable pieces of pages.

pub mod chart;
pub mod figures;
pub mod layout;
pub mod trend;
