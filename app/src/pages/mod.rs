//! One module per page. Pages render on the server only; data comes from `crate::data`.

pub mod account;
pub mod admin;
pub mod analytics;
pub mod cases;
pub mod dashboard;
pub mod exports;
pub mod feedback;
pub mod home;
pub mod kiosk;
pub mod not_found;
pub mod poster;
pub mod report;
pub mod scoreboard;
pub mod survey;
pub mod tablets;
