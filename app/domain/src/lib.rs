//! Ý Dân's domain: the product's rules, free of I/O (codes and their formats, survey answers and
//! their validation, reporting periods, working days, the SIPAS-style index engine, the official
//! scorecards), the error every layer returns, and the wire types pages and API clients receive
//! (`dto`). Compiled for the server and the browser alike, so the same rule runs on both sides.
//! It depends on no other crate of the product.

// Tests may unwrap: a panic is how they fail.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod accounts;
pub mod anomaly;
pub mod buckets;
pub mod cases;
pub mod codes;
pub mod contact;
pub mod dto;
pub mod error;
pub mod forms;
pub mod integrity;
pub mod kiosk;
pub mod lang;
pub mod period;
pub mod privacy;
pub mod scale;
pub mod scorecard;
pub mod sipas;
pub mod stats;
pub mod survey;
pub mod text;
pub mod workdays;
