//! Server-only code: database rows, services (the queries and transactions behind every page,
//! server function and API call) and the shared application state. Never compiled into the
//! browser bundle.

pub mod entity;
pub mod mail;
pub mod photos;
pub mod qr;
pub mod services;
pub mod sheets;
pub mod state;
pub mod uploads;

pub use state::{AppState, Settings};
