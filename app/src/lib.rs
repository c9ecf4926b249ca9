//! Ý Dân's web application: pages, components, server functions and the shared domain model.
//! Built twice: with `ssr` into the server, and with `hydrate` into the browser bundle, which
//! carries only the interactive islands (see `islands`).

// Tests may unwrap: a panic is how they fail.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// Leptos view types nest deeply on the administration pages.
#![recursion_limit = "256"]

pub mod admin_data;
pub mod analytics;
pub mod app;
pub mod components;
pub mod data;
pub mod domain;
pub mod dto;
pub mod error;
pub mod feedback;
pub mod i18n;
pub mod islands;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use app::{App, shell};

/// Browser entry point: hydrates the islands of a server-rendered page.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
