//! Receipt-bound survey links. A one-stop system, holding an API key of its agency, asks for a
//! ticket when it prints a receipt; the ticket's link and QR code go on the receipt; the
//! citizen's answers through it are stored as *verified*, with the dossier code, once.
//!
//! A ticket token is 16 random bytes and an 8-byte HMAC of them (48 hex characters): forged
//! tokens are turned away without touching the database, and only the token's SHA-256 is stored.

use crate::meta::{random_hex, sha256_hex};
use crate::{
    access, agencies,
    audit::{self, Actor},
    clock::now,
    current_user::CurrentUser,
    doors::{self, CounterContext},
    meta::{hmac_sha256, to_hex},
};
use crate::{
    entity::{agency, api_key, procedure, ticket},
    qr,
    state::AppState,
};
use chrono::{DateTime, Duration, Utc};
use domain::{
    codes::DossierCode,
    error::{AppError, ErrorCode, FieldError},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

/// Signs 16 random bytes (32 hex characters) into a token.
fn sign(key: &[u8; 32], random: &str) -> String {
    let mac = hmac_sha256(key, random.as_bytes());
    format!("{random}{}", to_hex(&mac[..8]))
}

/// Whether a token carries a valid signature.
pub fn token_is_signed(key: &[u8; 32], token: &str) -> bool {
    token.len() == 48
        && token.bytes().all(|b| b.is_ascii_hexdigit())
        && crate::meta::secrets_match(&sign(key, &token[..32]), token)
}

/// An API key as listed to administrators (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub unit: agency::Model,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

/// Creates an API key for a unit in the administrator's scope. Returns the key, which is shown
/// once and never again.
pub async fn create_api_key(
    db: &DatabaseConnection,
    user: &CurrentUser,
    unit_code: &str,
    name: &str,
) -> Result<(String, api_key::Model), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let unit = agencies::by_code(db, unit_code).await?;
    access::ensure(&scope, unit.id)?;
    insert_api_key(db, &Actor::user(user), &unit, name).await
}

/// Creates an API key for a unit on the command line (`ydan create-api-key`).
pub async fn create_api_key_cli(
    db: &DatabaseConnection,
    unit_code: &str,
    name: &str,
) -> Result<(String, api_key::Model), AppError> {
    let unit = agencies::by_code(db, unit_code).await?;
    insert_api_key(db, &Actor::cli(), &unit, name).await
}

async fn insert_api_key(
    db: &DatabaseConnection,
    actor: &Actor,
    unit: &agency::Model,
    name: &str,
) -> Result<(String, api_key::Model), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(vec![FieldError::new("name", ErrorCode::Required)]));
    }
    let key = format!("ydan_{}", random_hex(24)?);
    let txn = db.begin().await?;
    let row = api_key::ActiveModel {
        agency_id: Set(unit.id),
        name: Set(name.to_owned()),
        key_hash: Set(sha256_hex(&key)),
        prefix: Set(key[..13].to_owned()),
        created_at: Set(now()),
        created_by: Set(actor.user_id),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        "api_key.create",
        "api_key",
        &row.id.to_string(),
        Some(unit.id),
        None,
        Some(serde_json::json!({"name": row.name, "prefix": row.prefix, "unit": unit.code})),
    )
    .await?;
    txn.commit().await?;
    Ok((key, row))
}

/// Revokes a key of the administrator's scope; tickets it issued stay valid.
pub async fn revoke_api_key(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let scope = access::admin_scope(db, user).await?;
    let key = api_key::Entity::find_by_id(id).one(db).await?.ok_or(ErrorCode::NotFound)?;
    access::ensure(&scope, key.agency_id)?;
    let txn = db.begin().await?;
    let mut row: api_key::ActiveModel = key.clone().into();
    row.revoked_at = Set(Some(now()));
    row.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::user(user),
        "api_key.revoke",
        "api_key",
        &key.id.to_string(),
        Some(key.agency_id),
        Some(serde_json::json!({"name": key.name, "prefix": key.prefix})),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The keys of a scope, newest first.
pub async fn list_api_keys(db: &DatabaseConnection, user: &CurrentUser) -> Result<Vec<KeyInfo>, AppError> {
    let scope = access::admin_scope(db, user).await?;
    let units = agencies::all(db).await?;
    Ok(api_key::Entity::find()
        .order_by_desc(api_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|k| scope.contains(k.agency_id))
        .filter_map(|k| {
            let unit = units.iter().find(|u| u.id == k.agency_id)?.clone();
            Some(KeyInfo {
                id: k.id,
                name: k.name,
                prefix: k.prefix,
                unit,
                created_at: k.created_at,
                revoked: k.revoked_at.is_some(),
            })
        })
        .collect())
}

/// The live key behind a presented secret, or "not signed in" (401).
pub async fn authenticate(db: &impl ConnectionTrait, presented: &str) -> Result<api_key::Model, AppError> {
    let presented = presented.trim();
    if !presented.starts_with("ydan_") || presented.len() != 53 {
        return Err(ErrorCode::NotSignedIn.into());
    }
    api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(sha256_hex(presented)))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| ErrorCode::NotSignedIn.into())
}

/// A ticket just issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub id: i64,
    pub token: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
    pub qr_svg: String,
}

/// Issues a ticket for a dossier at a counter of the key's unit (or below it).
pub async fn issue(
    state: &AppState,
    key: &api_key::Model,
    counter_code: &str,
    dossier_code: &str,
    procedure_code: Option<&str>,
) -> Result<Issued, AppError> {
    let db = &state.db;
    let mut fields = Vec::new();
    let dossier = DossierCode::parse(dossier_code);
    if dossier.is_none() {
        fields.push(FieldError::new("dossier_code", ErrorCode::InvalidDossierCode));
    }
    let procedure_id = match procedure_code.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(code) => match procedure::Entity::find().filter(procedure::Column::Code.eq(code)).one(db).await? {
            Some(p) => Some(p.id),
            None => {
                fields.push(FieldError::new("procedure", ErrorCode::UnknownProcedure));
                None
            }
        },
    };
    let ctx = doors::counter_context(state, counter_code).await?;
    // A key acts for its unit and the units below it, never for a sibling.
    if !access::subtree(&agencies::all(db).await?, key.agency_id).contains(&ctx.agency.id) {
        return Err(ErrorCode::Forbidden.into());
    }
    let Some(dossier) = dossier.filter(|_| fields.is_empty()) else {
        return Err(AppError::invalid(fields));
    };
    let token = sign(&state.ticket_key, &random_hex(16)?);
    let issued_at = now();
    let expires_at = issued_at + Duration::days(state.settings.ticket_valid_days);
    let row = ticket::ActiveModel {
        token_hash: Set(sha256_hex(&token)),
        agency_id: Set(ctx.agency.id),
        counter_id: Set(ctx.counter.id),
        procedure_id: Set(procedure_id),
        dossier_code: Set(dossier.as_str().to_owned()),
        api_key_id: Set(key.id),
        issued_at: Set(issued_at),
        expires_at: Set(expires_at),
        used_at: Set(None),
        response_id: Set(None),
        ..Default::default()
    };
    let _writer = state.write_guard().await;
    let txn = db.begin().await?;
    let row = row.insert(&txn).await?;
    crate::rollups::record_ticket(&txn, row.agency_id, row.counter_id, issued_at).await?;
    txn.commit().await?;
    drop(_writer);
    let url = format!("{}/t/{token}", state.settings.public_url.trim_end_matches('/'));
    Ok(Issued { id: row.id, qr_svg: qr::svg(&url, 240)?, token, url, expires_at })
}

/// A ticket ready to be answered, with its counter.
#[derive(Clone, Debug)]
pub struct OpenTicket {
    pub ticket: ticket::Model,
    pub counter: CounterContext,
}

/// Finds the ticket of a token: forged or unknown → 404, answered → 409, expired → 410.
pub async fn open(state: &AppState, token: &str) -> Result<OpenTicket, AppError> {
    if !token_is_signed(&state.ticket_key, token) {
        return Err(ErrorCode::TicketNotFound.into());
    }
    let t = ticket::Entity::find()
        .filter(ticket::Column::TokenHash.eq(sha256_hex(token)))
        .one(&state.db)
        .await?
        .ok_or(ErrorCode::TicketNotFound)?;
    if t.used_at.is_some() {
        return Err(ErrorCode::TicketUsed.into());
    }
    if t.expires_at <= now() {
        return Err(ErrorCode::TicketExpired.into());
    }
    let code = crate::entity::counter::Entity::find_by_id(t.counter_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("ticket without counter"))?
        .code;
    let counter = doors::counter_context(state, &code).await?;
    Ok(OpenTicket { ticket: t, counter })
}

/// Marks a ticket used by a response, inside the response's transaction. Only one of two
/// simultaneous submissions can win: the update is conditional on the ticket being unused.
pub async fn redeem(db: &impl ConnectionTrait, ticket_id: i64, response_id: i64) -> Result<(), AppError> {
    let result = ticket::Entity::update_many()
        .col_expr(ticket::Column::UsedAt, sea_orm::sea_query::Expr::value(now()))
        .col_expr(ticket::Column::ResponseId, sea_orm::sea_query::Expr::value(response_id))
        .filter(ticket::Column::Id.eq(ticket_id))
        .filter(ticket::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 1 { Ok(()) } else { Err(ErrorCode::TicketUsed.into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_signed_and_tampering_is_seen() {
        let key = [7u8; 32];
        let token = sign(&key, "0123456789abcdef0123456789abcdef");
        assert_eq!(token.len(), 48);
        assert!(token_is_signed(&key, &token));
        assert!(!token_is_signed(&[8u8; 32], &token), "another key");
        let mut forged = token.clone().into_bytes();
        forged[3] = if forged[3] == b'a' { b'b' } else { b'a' };
        assert!(!token_is_signed(&key, std::str::from_utf8(&forged).unwrap()));
        assert!(!token_is_signed(&key, "short"));
    }
}
