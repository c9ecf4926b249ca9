//! Kiosk tablets enrolled for a counter. Presses are counted only from an enrolled tablet: an
//! administrator of the counter's unit creates a one-time enrolment code (valid a day), types
//! it on the tablet once (`/k/{counter}/ghi-danh`), and the tablet receives a long secret in an
//! HttpOnly cookie which every press then presents. Only hashes of the code and the secret are
//! stored; revoking a tablet refuses its presses from that moment.

use crate::entity::{counter, kiosk_device};
use crate::{
    access,
    audit::{self, Actor},
    clock::now,
    current_user::CurrentUser,
    meta::{random_hex, sha256_hex},
};
use chrono::Duration;
use domain::error::{AppError, ErrorCode, FieldError};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

/// The cookie an enrolled tablet keeps its secret in.
pub const TABLET_COOKIE: &str = "ydan_tablet";
/// How long an enrolment code can be used.
pub const ENROL_CODE_VALID: Duration = Duration::hours(24);
/// Letters of enrolment codes: no 0/O, 1/I/L, so a code can be read aloud and typed.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A tablet as administrators see it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabletInfo {
    pub device: kiosk_device::Model,
    pub counter_code: String,
    pub counter_name: String,
}

/// A one-time code of 10 letters and digits, shown as `XXXXX-XXXXX`.
fn new_code() -> Result<String, AppError> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    let letters: String =
        bytes.iter().map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()])).collect();
    Ok(format!("{}-{}", &letters[..5], &letters[5..]))
}

/// The code as typed: spaces and dashes dropped, upper case.
fn normalise_code(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

async fn counter_by_code(db: &impl ConnectionTrait, code: &str) -> Result<counter::Model, AppError> {
    counter::Entity::find()
        .filter(counter::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| ErrorCode::CounterNotFound.into())
}

/// Creates a tablet for a counter of the administrator's scope and returns it with its one-time
/// enrolment code, which is shown once and never stored readable.
pub async fn create(
    db: &DatabaseConnection,
    user: &CurrentUser,
    counter_code: &str,
    name: &str,
) -> Result<(kiosk_device::Model, String), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let counter = counter_by_code(db, counter_code).await?;
    access::ensure(&scope, counter.agency_id)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid(vec![FieldError::new("name", ErrorCode::Required)]));
    }
    let code = new_code()?;
    let at = now();
    let txn = db.begin().await?;
    let row = kiosk_device::ActiveModel {
        counter_id: Set(counter.id),
        name: Set(name.to_owned()),
        enrol_code_hash: Set(Some(sha256_hex(&normalise_code(&code)))),
        enrol_code_expires_at: Set(Some(at + ENROL_CODE_VALID)),
        secret_hash: Set(None),
        created_at: Set(at),
        created_by: Set(Some(user.id)),
        enrolled_at: Set(None),
        revoked_at: Set(None),
        last_seen_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "tablet.create",
        "kiosk_device",
        &row.id.to_string(),
        Some(counter.agency_id),
        None,
        Some(serde_json::json!({"name": row.name, "counter": counter.code})),
    )
    .await?;
    txn.commit().await?;
    Ok((row, code))
}

/// Trades a one-time enrolment code typed on a tablet for the tablet's secret (for its cookie).
/// A wrong, used or expired code is refused, and says nothing about which.
pub async fn enrol(db: &DatabaseConnection, counter_code: &str, code: &str) -> Result<String, AppError> {
    let refused = || AppError::invalid(vec![FieldError::new("code", ErrorCode::InvalidEnrolCode)]);
    let code = normalise_code(code);
    if code.len() != 10 {
        return Err(refused());
    }
    let counter = counter_by_code(db, counter_code).await?;
    let at = now();
    let device = kiosk_device::Entity::find()
        .filter(kiosk_device::Column::CounterId.eq(counter.id))
        .filter(kiosk_device::Column::EnrolCodeHash.eq(sha256_hex(&code)))
        .filter(kiosk_device::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .filter(|d| d.enrol_code_expires_at.is_some_and(|until| at < until))
        .ok_or_else(refused)?;
    let secret = format!("ydant_{}", random_hex(24)?);
    // Conditional on the code still being unused: two tablets typing it at once, one wins.
    let done = kiosk_device::Entity::update_many()
        .col_expr(kiosk_device::Column::SecretHash, sea_orm::sea_query::Expr::value(sha256_hex(&secret)))
        .col_expr(kiosk_device::Column::EnrolledAt, sea_orm::sea_query::Expr::value(at))
        .col_expr(kiosk_device::Column::EnrolCodeHash, sea_orm::sea_query::Expr::value(None::<String>))
        .filter(kiosk_device::Column::Id.eq(device.id))
        .filter(kiosk_device::Column::EnrolCodeHash.is_not_null())
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(refused());
    }
    Ok(secret)
}

/// The tablet secret a request carries: its cookie, or `Authorization: Bearer ydant_…` for a
/// tablet app of its own.
pub fn secret_from_cookies(headers: &axum::http::HeaderMap) -> Option<String> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|v| v.starts_with("ydant_"));
    if let Some(b) = bearer {
        return Some(b.to_owned());
    }
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == TABLET_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// The cookie that keeps a tablet's secret: HttpOnly (no script reads it), sent to this site
/// only, kept five years (until revoked); `Secure` when the site is served over TLS.
pub fn cookie_for(secret: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{TABLET_COOKIE}={secret}; Path=/; Max-Age=157680000; HttpOnly; SameSite=Strict{secure}")
}

/// The enrolled, unrevoked tablet behind a secret, or "not enrolled" (401).
pub async fn authenticate(db: &impl ConnectionTrait, secret: Option<&str>) -> Result<kiosk_device::Model, AppError> {
    let secret = secret.map(str::trim).filter(|s| s.starts_with("ydant_") && s.len() == 54);
    let Some(secret) = secret else { return Err(ErrorCode::KioskNotEnrolled.into()) };
    kiosk_device::Entity::find()
        .filter(kiosk_device::Column::SecretHash.eq(sha256_hex(secret)))
        .filter(kiosk_device::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .filter(|d| d.enrolled_at.is_some())
        .ok_or_else(|| ErrorCode::KioskNotEnrolled.into())
}

/// Revokes a tablet of the administrator's scope: its presses are refused from now on.
pub async fn revoke(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let device = kiosk_device::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    let counter = counter::Entity::find_by_id(device.counter_id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    access::ensure(&scope, counter.agency_id)?;
    let txn = db.begin().await?;
    let mut row: kiosk_device::ActiveModel = device.clone().into();
    row.revoked_at = Set(Some(now()));
    row.enrol_code_hash = Set(None);
    row.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "tablet.revoke",
        "kiosk_device",
        &device.id.to_string(),
        Some(counter.agency_id),
        Some(serde_json::json!({"name": device.name, "counter": counter.code})),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The tablets of the administrator's scope, newest first.
pub async fn list(db: &DatabaseConnection, user: &CurrentUser) -> Result<Vec<TabletInfo>, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let counters: std::collections::HashMap<i64, counter::Model> = counter::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|c| scope.contains(c.agency_id))
        .map(|c| (c.id, c))
        .collect();
    Ok(kiosk_device::Entity::find()
        .order_by_desc(kiosk_device::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|device| {
            let c = counters.get(&device.counter_id)?;
            Some(TabletInfo { counter_code: c.code.clone(), counter_name: c.name.clone(), device })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_codes_are_readable_and_forgiving_when_typed() {
        let code = new_code().unwrap();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert!(code.chars().filter(|c| *c != '-').all(|c| CODE_ALPHABET.contains(&(c as u8))));
        assert_eq!(normalise_code(" abcde-fgh2k "), "ABCDEFGH2K");
        assert_ne!(new_code().unwrap(), code);
    }
}
