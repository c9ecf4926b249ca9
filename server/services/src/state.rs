//! The application state every request can reach: settings, the database, and caches of data
//! that never changes once written (published questionnaires).

use domain::sipas::DEFAULT_LOW_SAMPLE;
use leptos_config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::{Arc, RwLock};

use crate::instruments::InstrumentCache;

/// Runtime settings, loaded once at start-up by the `ydan` binary.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base URL printed in QR codes and posters, without a trailing slash,
    /// e.g. `https://ydan.quangninh.gov.vn`.
    pub public_url: String,
    /// Indices with fewer respondents than this are flagged as a low sample.
    pub low_sample_below: u64,
    /// How many reverse proxies of our own stand in front of the server: the client address is
    /// then the entry that many places from the right of `X-Forwarded-For` (the entries to its
    /// left are whatever the client chose to send). 0: the socket's peer address.
    pub trusted_proxies: usize,
    /// Counted ratings one source (IPv4 address or IPv6 /64) can add at one counter within 24
    /// hours, whatever doors it uses; ratings past it are kept and flagged.
    pub source_daily_cap: u64,
    /// Days a receipt's survey link stays valid.
    pub ticket_valid_days: i64,
    /// Kiosk presses closer together than this (seconds) are discarded as repeats.
    pub kiosk_interval_seconds: i64,
    /// The mail relay for notifications to citizens; without one, messages are kept in the
    /// outbox for administrators.
    pub smtp: Option<crate::mail::SmtpConfig>,
    /// How the 766 satisfaction group is scored (points per measure, target rate).
    pub rules_766: domain::scorecard::Rules766,
    /// Where export files are written (shared storage when several servers run).
    pub export_dir: std::path::PathBuf,
    /// Where the key that encrypts residents' contact details comes from.
    pub contact_key: crate::contact_key::ContactKeySource,
    /// Months after a case ended before its contact details are erased.
    pub contact_retention_months: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            low_sample_below: DEFAULT_LOW_SAMPLE,
            trusted_proxies: 0,
            source_daily_cap: domain::integrity::DEFAULT_SOURCE_DAILY_CAP,
            ticket_valid_days: 30,
            kiosk_interval_seconds: 5,
            smtp: None,
            rules_766: domain::scorecard::Rules766::default(),
            export_dir: std::path::PathBuf::from("data/exports"),
            contact_key: Default::default(),
            contact_retention_months: domain::contact::DEFAULT_RETENTION_MONTHS,
        }
    }
}

/// The networks registered as staff networks, read at most every [`StaffNetworkCache::TTL`]:
/// every rating is checked against them, and they change a few times a year. A change made on
/// this server is seen at once; one made on another instance within the TTL.
#[derive(Clone, Default)]
pub struct StaffNetworkCache {
    slot: Arc<RwLock<Option<(std::time::Instant, StaffNetworks)>>>,
}

/// Every registered staff network, as read at one moment.
pub type StaffNetworks = Arc<Vec<crate::entity::staff_network::Model>>;

impl StaffNetworkCache {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(30);

    /// The networks if read less than the TTL ago.
    pub fn fresh(&self) -> Option<StaffNetworks> {
        let slot = self.slot.read().ok()?;
        slot.as_ref().filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, list)| list.clone())
    }

    pub fn put(&self, list: Vec<crate::entity::staff_network::Model>) -> StaffNetworks {
        let list = Arc::new(list);
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((std::time::Instant::now(), list.clone()));
        }
        list
    }

    /// Forgets the networks, after a change.
    pub fn clear(&self) {
        if let Ok(mut slot) = self.slot.write() {
            *slot = None;
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub instruments: InstrumentCache,
    pub staff_networks: StaffNetworkCache,
    /// Secret key for hashing client addresses into `response.device_hash`.
    pub device_hash_key: Arc<[u8; 32]>,
    /// Secret key that signs survey tickets.
    pub ticket_key: Arc<[u8; 32]>,
    /// Secret from which the keys of residents' private tracking links are derived.
    pub tracking_key: Arc<[u8; 32]>,
    /// Key that encrypts residents' contact details (`services::contacts`).
    pub contact_key: Arc<crate::contact_key::ContactKey>,
    /// Serialises write transactions on SQLite, which allows one writer at a time anyway:
    /// queueing here is fair and prompt, where SQLite's own busy-wait backs off in sleeps of
    /// up to 100 ms. Unused on PostgreSQL, which handles concurrent writers itself.
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
    /// Memory for residents' photos being received: a form's photos are read only while it
    /// has room, within the server's budget and its source's share of it (`uploads`).
    pub upload_budget: crate::uploads::UploadBudget,
}

impl AppState {
    /// Held for the duration of a write transaction (a no-op guard on PostgreSQL).
    pub async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => Some(self.write_lock.lock().await),
            _ => None,
        }
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_networks_are_kept_until_cleared() {
        let cache = StaffNetworkCache::default();
        assert!(cache.fresh().is_none(), "nothing read yet");
        let list = cache.put(Vec::new());
        assert!(Arc::ptr_eq(&cache.fresh().unwrap(), &list));
        cache.clear();
        assert!(cache.fresh().is_none(), "a change forgets them at once");
    }
}
