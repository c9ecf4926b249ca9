//! Facts about this installation kept in the `app_meta` table.

use crate::entity::app_meta;
use domain::error::AppError;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use sha2::{Digest, Sha256};

pub const DEMO_KEY: &str = "demo_data";
const DEVICE_HASH_KEY: &str = "device_hash_key";
const TICKET_KEY: &str = "ticket_key";
const TRACKING_KEY: &str = "tracking_key";

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, AppError> {
    Ok(app_meta::Entity::find_by_id(key.to_owned()).one(db).await?.map(|m| m.value))
}

pub async fn set(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), AppError> {
    app_meta::Entity::insert(app_meta::ActiveModel { key: Set(key.to_owned()), value: Set(value.to_owned()) })
        .on_conflict(OnConflict::column(app_meta::Column::Key).update_column(app_meta::Column::Value).to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Whether the installation holds demonstration data (pages then say so).
pub async fn is_demo(db: &impl ConnectionTrait) -> Result<bool, AppError> {
    Ok(get(db, DEMO_KEY).await?.as_deref() == Some("true"))
}

/// The secret key for hashing client addresses, created on first use and shared by every
/// server instance on the same database, so the same device hashes the same everywhere.
pub async fn device_hash_key(db: &impl ConnectionTrait) -> Result<[u8; 32], AppError> {
    secret_key(db, DEVICE_HASH_KEY).await
}

/// The secret key that signs survey tickets.
pub async fn ticket_key(db: &impl ConnectionTrait) -> Result<[u8; 32], AppError> {
    secret_key(db, TICKET_KEY).await
}

/// The secret from which the keys of residents' private tracking links are derived.
pub async fn tracking_key(db: &impl ConnectionTrait) -> Result<[u8; 32], AppError> {
    secret_key(db, TRACKING_KEY).await
}

/// The key of a case's private tracking link (`?k=`): HMAC-SHA256 of its tracking code under
/// the installation's tracking secret, 16 bytes as 32 hex digits (the length of the random
/// keys of older cases, which keep working: links are checked against the stored hash).
pub fn tracking_link_key(secret: &[u8; 32], tracking_code: &str) -> String {
    to_hex(&hmac_sha256(secret, format!("tracking:{tracking_code}").as_bytes())[..16])
}

/// A 32-byte secret kept in `app_meta` under `name`, created on first use.
pub async fn secret(db: &impl ConnectionTrait, name: &str) -> Result<[u8; 32], AppError> {
    secret_key(db, name).await
}

/// A 32-byte secret kept in `app_meta` under `name`, created on first use. Another instance may
/// race us: insert-if-absent, then read back whichever key won.
async fn secret_key(db: &impl ConnectionTrait, name: &str) -> Result<[u8; 32], AppError> {
    if let Some(key) = get(db, name).await?.as_deref().and_then(from_hex) {
        return Ok(key);
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(AppError::internal)?;
    app_meta::Entity::insert(app_meta::ActiveModel { key: Set(name.to_owned()), value: Set(to_hex(&key)) })
        .on_conflict_do_nothing()
        .exec(db)
        .await?;
    let stored = get(db, name).await?.ok_or_else(|| AppError::internal("secret key vanished"))?;
    from_hex(&stored).ok_or_else(|| AppError::internal("secret key is not 32 hex bytes"))
}

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut padded = [0u8; 64];
    padded[..32].copy_from_slice(key);
    let inner_key: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
    let outer_key: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new().chain_update(&inner_key).chain_update(message).finalize();
    Sha256::new().chain_update(&outer_key).chain_update(inner).finalize().into()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Compares two secrets (tokens, signatures) in time that does not depend on where they
/// differ, so that timing tells a guesser nothing.
pub fn secrets_match(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Scopes a client-chosen key to one counter, so keys never collide across counters.
pub fn scoped_key(counter_id: i64, key: &str) -> String {
    use sha2::{Digest, Sha256};
    to_hex(&Sha256::digest(format!("{counter_id}:{key}").as_bytes()))
}

/// `n` random bytes as hex: tokens, keys and secrets in links.
pub fn random_hex(n: usize) -> Result<String, AppError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(AppError::internal)?;
    Ok(to_hex(&buf))
}

/// SHA-256 of a secret, as stored in place of the secret itself.
pub fn sha256_hex(s: &str) -> String {
    to_hex(&Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys_are_scoped_to_their_counter() {
        assert_ne!(scoped_key(1, "k"), scoped_key(2, "k"));
        assert_eq!(scoped_key(1, "k"), scoped_key(1, "k"));
        assert_eq!(scoped_key(1, "k").len(), 64);
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2_shape() {
        // RFC 4231 case 2 uses a 4-byte key "Jefe"; with our fixed 32-byte keys we check the
        // construction against an independently zero-padded key, which HMAC treats the same.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let mac = hmac_sha256(&key, b"what do ya want for nothing?");
        assert_eq!(to_hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn tracking_link_keys_depend_on_the_code_and_the_secret() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let k = tracking_link_key(&a, "PAKN.20261207.0001");
        assert_eq!(k.len(), 32);
        assert!(k.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(k, tracking_link_key(&a, "PAKN.20261207.0001"));
        assert_ne!(k, tracking_link_key(&a, "PAKN.20261207.0002"));
        assert_ne!(k, tracking_link_key(&b, "PAKN.20261207.0001"));
    }

    #[test]
    fn hex_round_trips() {
        let key: [u8; 32] = std::array::from_fn(|i| (i * 7) as u8);
        assert_eq!(from_hex(&to_hex(&key)), Some(key));
        assert_eq!(from_hex("zz"), None);
    }
}
