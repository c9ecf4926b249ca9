//! The application state every request can reach: settings, the database, and caches of data
//! that never changes once written (published questionnaires).

use crate::{domain::sipas::DEFAULT_LOW_SAMPLE, error::AppError};
use leptos::prelude::*;
use sea_orm::DatabaseConnection;
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use super::services::instruments::InstrumentDef;

/// Runtime settings, loaded once at start-up by the `ydan` binary.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base URL printed in QR codes and posters, without a trailing slash,
    /// e.g. `https://ydan.quangninh.gov.vn`.
    pub public_url: String,
    /// Indices with fewer respondents than this are flagged as a low sample.
    pub low_sample_below: u64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            low_sample_below: DEFAULT_LOW_SAMPLE,
            trust_forwarded_for: false,
        }
    }
}

/// Published questionnaires are immutable, so once read they can be kept for the life of the
/// process. Drafts are never cached.
#[derive(Clone, Default)]
pub struct InstrumentCache(Arc<RwLock<HashMap<i64, Arc<InstrumentDef>>>>);

impl InstrumentCache {
    pub fn get(&self, id: i64) -> Option<Arc<InstrumentDef>> {
        self.0.read().ok()?.get(&id).cloned()
    }

    pub fn put(&self, def: Arc<InstrumentDef>) {
        if let Ok(mut map) = self.0.write() {
            map.insert(def.id, def);
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub instruments: InstrumentCache,
    /// Secret key for hashing client addresses into `response.device_hash`.
    pub device_hash_key: Arc<[u8; 32]>,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The application state, from inside a server function or a page rendered on the server.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from the request context"))
}
