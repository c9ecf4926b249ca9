//! How a server is set up: its settings, where the browser bundle is, and the application
//! state built from them (keys, caches, the contact key) once at start.

use domain::error::AppError;
use leptos::prelude::*;
use sea_orm::DatabaseConnection;
use services::{
    instruments::InstrumentCache,
    meta,
    state::{AppState, Settings},
};
use std::sync::Arc;

/// How the server is set up.
#[derive(Clone, Debug)]
pub struct Config {
    pub settings: Settings,
    /// Folder with the browser bundle (`pkg/`), as built by cargo-leptos.
    pub site_root: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { settings: Settings::default(), site_root: "target/site".into() }
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("ydan")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .env(leptos::config::Env::PROD)
        .build()
}

/// Everything a request may need, built once at start-up.
pub async fn build_state(db: DatabaseConnection, config: &Config) -> Result<AppState, AppError> {
    let key = meta::device_hash_key(&db).await?;
    let ticket_key = meta::ticket_key(&db).await?;
    let tracking_key = meta::tracking_key(&db).await?;
    let contact_key = services::contact_key::load_key(&db, &config.settings.contact_key).await?;
    services::contacts::encrypt_plain_rows(&db, &contact_key).await?;
    services::outbox::forget_resident_addresses(&db).await?;
    services::calendar::keep_up_to_date(&db).await?;
    Ok(AppState {
        leptos_options: leptos_options(config),
        db,
        settings: Arc::new(config.settings.clone()),
        instruments: InstrumentCache::default(),
        staff_networks: Default::default(),
        device_hash_key: Arc::new(key),
        ticket_key: Arc::new(ticket_key),
        tracking_key: Arc::new(tracking_key),
        contact_key: Arc::new(contact_key),
        write_lock: Arc::default(),
        upload_budget: services::uploads::UploadBudget::default(),
    })
}
