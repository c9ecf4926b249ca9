//! Memory for residents' photos while their forms arrive: a budget for the whole server, and a
//! share of it per source (an IPv4 address or an IPv6 /64, as the rating limits count), so that
//! one address holding many slow uploads cannot take the room every other resident needs.

use domain::integrity::source_of;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// KiB of photos the server holds at once while receiving forms (256 MiB: sixteen forms with
/// three full-size photos each, far more when phones shrink photos before sending).
pub const UPLOAD_BUDGET_KIB: usize = 256 * 1024;
/// KiB one source may hold of it (32 MiB: two forms with three full-size photos each).
pub const UPLOAD_SHARE_KIB: usize = UPLOAD_BUDGET_KIB / 8;
/// Longest a form waits for room before it is answered `uploads_busy`.
pub const UPLOAD_WAIT: Duration = Duration::from_secs(20);

/// The server's upload memory (cheap to clone: one budget per server).
#[derive(Clone)]
pub struct UploadBudget(Arc<Inner>);

struct Inner {
    total: Arc<Semaphore>,
    share_kib: usize,
    wait: Duration,
    /// The share of each source that holds room now (removed when it holds none).
    sources: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// The room one form holds, given back when it is dropped (once the case is stored or refused).
pub struct Room {
    budget: UploadBudget,
    source: Option<(String, Arc<Semaphore>)>,
    permits: Vec<OwnedSemaphorePermit>,
}

impl UploadBudget {
    /// A budget of `total_kib`, `share_kib` of it per source; a form waits at most `wait`.
    pub fn new(total_kib: usize, share_kib: usize, wait: Duration) -> UploadBudget {
        UploadBudget(Arc::new(Inner {
            total: Arc::new(Semaphore::new(total_kib)),
            share_kib: share_kib.min(total_kib),
            wait,
            sources: Mutex::default(),
        }))
    }

    /// Room for one form from `client_ip` (no share when the address is unknown).
    pub fn room(&self, client_ip: Option<&str>) -> Room {
        let source = client_ip.and_then(source_of).map(|key| {
            let mut sources = self.0.sources.lock().unwrap_or_else(|e| e.into_inner());
            let share = sources.entry(key.clone()).or_insert_with(|| Arc::new(Semaphore::new(self.0.share_kib)));
            (key, share.clone())
        });
        Room { budget: self.clone(), source, permits: Vec::new() }
    }

    /// Sources holding room now (for tests and diagnostics).
    pub fn sources_holding(&self) -> usize {
        self.0.sources.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Default for UploadBudget {
    fn default() -> UploadBudget {
        UploadBudget::new(UPLOAD_BUDGET_KIB, UPLOAD_SHARE_KIB, UPLOAD_WAIT)
    }
}

impl Room {
    /// Takes `bytes` more of room: first from the source's share, then from the server's
    /// budget, waiting at most the budget's wait in all. `false` when there was no room in time.
    pub async fn take(&mut self, bytes: usize) -> bool {
        let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
        let total = self.budget.0.total.clone();
        let share = self.source.as_ref().map(|(_, s)| s.clone());
        let both = async move {
            let mine = match share {
                Some(s) => Some(s.acquire_many_owned(kib).await.ok()?),
                None => None,
            };
            let all = total.acquire_many_owned(kib).await.ok()?;
            Some((mine, all))
        };
        match tokio::time::timeout(self.budget.0.wait, both).await {
            Ok(Some((mine, all))) => {
                self.permits.extend(mine);
                self.permits.push(all);
                true
            }
            _ => false,
        }
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        self.permits.clear();
        if let Some((key, share)) = self.source.take() {
            let mut sources = self.budget.0.sources.lock().unwrap_or_else(|e| e.into_inner());
            // Only the map and this form hold the share: nobody else from this source is sending.
            if Arc::strong_count(&share) == 2 {
                sources.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_source_holds_at_most_its_share_and_others_still_find_room() {
        let budget = UploadBudget::new(100, 30, Duration::from_millis(50));
        let mut greedy = budget.room(Some("2001:db8:1:2::7"));
        assert!(greedy.take(30 * 1024).await);
        // The same /64 from another address of it: no more room for this source.
        let mut again = budget.room(Some("2001:db8:1:2::8"));
        assert!(!again.take(1024).await, "a source took more than its share");
        // Another resident still finds room.
        let mut other = budget.room(Some("203.0.113.9"));
        assert!(other.take(30 * 1024).await);
        drop((greedy, again, other));
        assert_eq!(budget.sources_holding(), 0, "the shares of sources that hold nothing are forgotten");
    }

    #[tokio::test]
    async fn the_server_budget_bounds_all_sources_together() {
        let budget = UploadBudget::new(50, 30, Duration::from_millis(50));
        let mut a = budget.room(Some("198.51.100.1"));
        let mut b = budget.room(Some("198.51.100.2"));
        assert!(a.take(30 * 1024).await);
        assert!(!b.take(30 * 1024).await, "the budget was exceeded");
        drop(a);
        let mut c = budget.room(None);
        assert!(c.take(40 * 1024).await, "room given back when a form ends");
    }
}
