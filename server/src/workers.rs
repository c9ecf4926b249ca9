//! Background work of a running server: sending the outbox (every few seconds), handling
//! missed feedback deadlines and erasing contact details past their retention period (every 10
//! minutes), checking index alerts (every hour) and making
//! export files (as they are asked for). All are safe to run on several instances at once: a
//! message is marked sent by the instance that sent it, a missed deadline is marked handled in
//! the same transaction as its apology, an alert is opened once (a unique index), and an export
//! is made by the instance that claims it.

use services::{alerts, cases, contacts, exports, now, outbox, state::AppState};
use std::time::Duration;

/// How often the outbox is looked at.
pub const MAIL_EVERY: Duration = Duration::from_secs(2);
/// How often deadlines are checked.
pub const DEADLINES_EVERY: Duration = Duration::from_secs(600);
/// How often units' 30-day indices are checked against their targets.
pub const ALERTS_EVERY: Duration = Duration::from_secs(3600);
/// How often waiting exports are looked for.
pub const EXPORTS_EVERY: Duration = Duration::from_secs(2);

/// Starts them all; the handles stop them (a test server stops them when it is dropped).
pub fn spawn(state: AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mail_state = state.clone();
    let mail = tokio::spawn(async move {
        let mut tick = tokio::time::interval(MAIL_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = outbox::deliver_due(&mail_state.db, &mail_state.settings, &mail_state.contact_key).await {
                tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "outbox delivery failed");
            }
        }
    });
    let deadline_state = state.clone();
    let deadlines = tokio::spawn(async move {
        let mut tick = tokio::time::interval(DEADLINES_EVERY);
        loop {
            tick.tick().await;
            match cases::sweep_overdue(&deadline_state, now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cases = n, "missed feedback deadlines handled"),
                Err(e) => tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "deadline check failed"),
            }
            // Contact details of cases that ended longer ago than the retention period.
            match contacts::sweep_retention(&deadline_state, now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cases = n, "contact details past their retention period erased"),
                Err(e) => tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "contact retention sweep failed"),
            }
        }
    });
    let alert_state = state.clone();
    let alerts = tokio::spawn(async move {
        let mut tick = tokio::time::interval(ALERTS_EVERY);
        loop {
            tick.tick().await;
            match alerts::sweep(&alert_state).await {
                Ok(s) if s.opened + s.closed > 0 => {
                    tracing::info!(opened = s.opened, closed = s.closed, "index alerts checked")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "index alert check failed"),
            }
        }
    });
    let exports = tokio::spawn(async move {
        let mut tick = tokio::time::interval(EXPORTS_EVERY);
        let mut purged_at: Option<std::time::Instant> = None;
        loop {
            tick.tick().await;
            // Run jobs back to back while there are some.
            loop {
                match exports::run_next(&state).await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "export failed");
                        break;
                    }
                }
            }
            if purged_at.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                purged_at = Some(std::time::Instant::now());
                if let Err(e) = exports::purge(&state).await {
                    tracing::warn!(code = e.code.as_str(), detail = ?e.detail, "removing old exports failed");
                }
            }
        }
    });
    vec![mail, deadlines, alerts, exports]
}
