//! Integration tests: the real server, a real database, real HTTP. Run on SQLite by default and
//! on PostgreSQL when `YDAN_TEST_POSTGRES_URL` is set (`make test` does both).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abuse;
mod accounts;
mod admin;
mod analytics;
mod anomaly;
mod api_responses;
mod api_sipas;
mod calendar;
mod connections;
mod contacts;
mod database;
mod feedback;
mod forms;
mod gate;
mod integrity;
mod kiosk;
mod open311;
mod outbox;
mod pages;
mod privacy;
mod public_pages;
mod questionnaires;
mod rollups;
mod survey_form;
mod tickets;

/// Every criterion of the default questionnaire (SIPAS 2023–2026, service part).
pub const CRITERIA: [&str; 16] = [
    "II.A1", "II.A2", "II.A3", "II.B1", "II.B2", "II.B3", "II.B4", "II.C1", "II.C2", "II.C3", "II.D1", "II.D2",
    "II.D3", "II.E1", "II.E2", "II.E3",
];
