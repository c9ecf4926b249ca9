//! Where a rating comes from: the counter it is for (with its unit and questionnaire), the door
//! it came through (the open QR code, a receipt, an enrolled tablet, another system's API key),
//! and the keyed hashes that tell sources apart without keeping their addresses. The survey,
//! receipts, kiosks and the integrity gate all start here.

use crate::{
    entity::{agency, api_key, counter, kiosk_device, ticket},
    instruments::{self, InstrumentDef},
    meta,
    state::AppState,
};
use domain::{
    codes::CounterCode,
    error::{AppError, ErrorCode},
    survey::Channel,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// A counter with its unit and the questionnaire it asks.
#[derive(Clone, Debug)]
pub struct CounterContext {
    pub counter: counter::Model,
    pub agency: agency::Model,
    pub instrument: Arc<InstrumentDef>,
}

/// Finds the counter behind a QR code; unknown or malformed codes are "counter not found".
pub async fn counter_context(state: &AppState, code: &str) -> Result<CounterContext, AppError> {
    let code = CounterCode::parse(code).ok_or(ErrorCode::CounterNotFound)?;
    // One round trip for the counter and its unit: this runs on every survey submission.
    let (counter, agency) = counter::Entity::find()
        .filter(counter::Column::Code.eq(code.as_str()))
        .find_also_related(agency::Entity)
        .one(&state.db)
        .await?
        .ok_or(ErrorCode::CounterNotFound)?;
    let agency = agency.ok_or_else(|| AppError::internal(format!("counter {} has no unit", counter.id)))?;
    if counter.disabled_at.is_some()
        || agency.valid_to.is_some_and(|end| end <= domain::period::vn_date(crate::clock::now()))
    {
        return Err(ErrorCode::CounterClosed.into());
    }
    let instrument_id = match counter.instrument_id {
        Some(id) => id,
        None => instruments::cached_default_id(&state.db, &state.instruments).await?,
    };
    let instrument = instruments::load(&state.db, &state.instruments, instrument_id).await?;
    Ok(CounterContext { counter, agency, instrument })
}

/// The door a rating came through. The server decides it from the route and the credential
/// presented, never from what the client says; the door decides the channel stored and which
/// integrity checks apply (docs/SECURITY.md).
#[derive(Clone, Debug, Default)]
pub enum Door {
    /// A counter's open QR code: the survey page, or the anonymous JSON API on the citizen's
    /// own phone. Anyone can use it, so every per-source check applies.
    #[default]
    OpenQr,
    /// A receipt's one-time link: verified, bound to the dossier.
    Receipt(ticket::Model),
    /// A tablet enrolled for the counter.
    Kiosk(kiosk_device::Model),
    /// Another system of the agency with its API key, relaying citizens' ratings (`api`) or
    /// keying in paper forms (`paper`); counts only for the key's own units.
    System { key: api_key::Model, channel: Channel },
}

impl Door {
    pub fn channel(&self) -> Channel {
        match self {
            Door::OpenQr | Door::Receipt(_) => Channel::Qr,
            Door::Kiosk(_) => Channel::Kiosk,
            Door::System { channel, .. } => *channel,
        }
    }

    /// Anyone on the internet can use this door (no credential but a link or a QR code).
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Door::OpenQr | Door::Receipt(_))
    }

    pub fn ticket(&self) -> Option<&ticket::Model> {
        match self {
            Door::Receipt(t) => Some(t),
            _ => None,
        }
    }
}

/// Keyed hash of a client's source (see `domain::integrity::source_of`: an IPv4 address, or an
/// IPv6 /64): enough to see many ratings from one source, not enough to recover the address.
pub fn source_hash(key: &[u8; 32], ip: &str) -> Option<String> {
    domain::integrity::source_of(ip).map(|source| device_hash(key, &source, "source"))
}

/// Keyed hash of a text and a class: enough to recognise it again, not to recover it.
pub fn device_hash(key: &[u8; 32], ip: &str, ua_class: &str) -> String {
    let mut h = Sha256::new();
    h.update(key);
    h.update(ip.as_bytes());
    h.update([0]);
    h.update(ua_class.as_bytes());
    meta::to_hex(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_hashes_are_keyed_and_short() {
        let k1 = [1u8; 32];
        let k2 = [2u8; 32];
        let a = device_hash(&k1, "203.0.113.7", "mobile");
        assert_eq!(a.len(), 32);
        assert_eq!(a, device_hash(&k1, "203.0.113.7", "mobile"));
        assert_ne!(a, device_hash(&k2, "203.0.113.7", "mobile"));
        assert_ne!(a, device_hash(&k1, "203.0.113.8", "mobile"));
        assert!(!a.contains("203"));
    }
}
