//! The Ý Dân server: database set-up, the HTTP router (pages, the citizen form, QR images, the
//! JSON API) and the demo data generator. `main.rs` is the `ydan` command line around it.

// Tests may unwrap: a panic is how they fail.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod admin;
pub mod analytics;
pub mod api;
pub mod config;
pub mod db;
pub mod feedback;
pub mod forms;
pub mod headers;
pub mod json;
pub mod kiosk;
pub mod listen;
pub mod memory;
pub mod open311;
pub mod render;
pub mod request;
pub mod routes;
pub mod seed;
pub mod seed_national;
pub mod session;
pub mod staff;
pub mod survey;
pub mod workers;

pub use config::{Config, build_state};
pub use routes::router;
