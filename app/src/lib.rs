//! Ý Dân's web application: pages, components, islands, texts, and the server functions pages
//! load their data through (thin: each calls one service). The rules and wire types live in the
//! `domain` crate, the queries in `services`.
//! Built twice: with `ssr` into the server, and with `hydrate` into the browser bundle, which
//! carries only the interactive islands (see `islands`).

// Tests may unwrap: a panic is how they fail.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// Leptos view types nest deeply on the administration pages.
#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod context;
pub mod data;
pub mod i18n;
pub mod islands;
pub mod pages;

pub use app::{App, shell};

/// Browser entry point: hydrates the islands of a server-rendered page.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
