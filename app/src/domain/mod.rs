//! The product's rules, free of I/O: codes and their formats, survey answers and their
//! validation, reporting periods, and the SIPAS-style index engine. Compiled for the server and
//! the browser alike, so the same rule runs on both sides.

pub mod accounts;
pub mod anomaly;
pub mod buckets;
pub mod cases;
pub mod codes;
pub mod contact;
pub mod integrity;
pub mod kiosk;
pub mod period;
pub mod privacy;
pub mod scale;
pub mod scorecard;
pub mod sipas;
pub mod stats;
pub mod survey;
pub mod text;
pub mod workdays;
