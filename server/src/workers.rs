//! Background work of a running server: sending the outbox (every few seconds) and handling
//! missed feedback deadlines (every 10 minutes). Both are safe to run on several instances at
//! once: a message is marked sent by the instance that sent it, and a missed deadline is
//! marked handled in the same transaction as its apology.

use app::server::{
    AppState,
    services::{cases, now, outbox},
};
use std::time::Duration;

/// How often the outbox is looked at.
pub const MAIL_EVERY: Duration = Duration::from_secs(2);
/// How often deadlines are checked.
pub const DEADLINES_EVERY: Duration = Duration::from_secs(600);

/// Starts both; the handles stop them (a test server stops them when it is dropped).
pub fn spawn(state: AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mail_state = state.clone();
    let mail = tokio::spawn(async move {
        let mut tick = tokio::time::interval(MAIL_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = outbox::deliver_due(&mail_state.db, &mail_state.settings).await {
                tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "outbox delivery failed");
            }
        }
    });
    let deadlines = tokio::spawn(async move {
        let mut tick = tokio::time::interval(DEADLINES_EVERY);
        loop {
            tick.tick().await;
            match cases::sweep_overdue(&state.db, &state.settings, now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cases = n, "missed feedback deadlines handled"),
                Err(e) => tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "deadline check failed"),
            }
        }
    });
    vec![mail, deadlines]
}
