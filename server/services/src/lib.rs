//! Ý Dân's services: every query and transaction behind the pages, server functions, API
//! handlers, the CLI and the tests, so every path goes through the same checks. Each function
//! takes the database (or a transaction, or the application state) and plain values, applies the
//! domain rules (`domain`) and runs its queries. Also here: the database rows (`entity`), the
//! application state with its caches (`state`), and the server-side formats and channels the
//! services use: mail, photos, QR codes, spreadsheets, upload budgets. Never compiled into the
//! browser bundle; depends on `domain` only among the product's crates.

// Tests may unwrap: a panic is how they fail.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod admin;
pub mod admin_view;
pub mod agencies;
pub mod alert_targets;
pub mod alerts;
pub mod analytics;
pub mod anomalies;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod contact_key;
pub mod contacts;
pub mod current_user;
pub mod doors;
pub mod entity;
pub mod exports;
pub mod indices;
pub mod instruments;
pub mod integrity;
pub mod kiosk;
pub mod mail;
pub mod meta;
pub mod outbox;
pub mod photos;
pub mod qr;
pub mod questionnaires;
pub mod reports;
pub mod rollups;
pub mod scorecards;
pub mod sheets;
pub mod state;
pub mod survey;
pub mod tablets;
pub mod tickets;
pub mod uploads;

pub use clock::now;
pub use state::{AppState, Settings};
