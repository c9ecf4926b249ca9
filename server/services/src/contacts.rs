//! Residents' contact details on feedback cases (name, phone, e-mail), as Decree 13/2023/NĐ-CP
//! asks of personal data: encrypted at rest with a key from the server's configuration, read
//! only by the officers and administrators who handle the case (each read in the audit log),
//! erased by the resident from their private link, and erased by the server 24 months (by
//! default) after the case ended. Every read of a stored contact goes through [`reveal`].
//!
//! A stored value is `v1:` and the URL-safe base64 (no padding) of a random 24-byte nonce and
//! the XChaCha20-Poly1305 ciphertext; the associated data binds it to its case's tracking code
//! and its field, so a value copied onto another case or field does not open. Values without
//! the prefix are the plain values of a database older than this module; the server encrypts
//! them at start ([`encrypt_plain_rows`]). No query searches by phone or e-mail, so no keyed
//! hash of them is stored.

use super::{
    audit::{self, Actor},
    auth::CurrentUser,
    meta,
};
use crate::{
    entity::{feedback_case, outbox},
    state::AppState,
};
use base64::Engine as _;
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use chrono::{DateTime, Months, Utc};
use domain::{cases::Status, dto::feedback::Contact, error::AppError};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Expr,
};
use serde_json::json;
use std::path::PathBuf;

/// The prefix of a sealed value (the format's version).
pub const PREFIX: &str = "v1:";

/// Months after a case ended before its contact details are erased, unless configured.
pub const DEFAULT_RETENTION_MONTHS: u32 = 24;

/// Where the key comes from (`ydan serve --contact-key-file`, `YDAN_CONTACT_KEY`).
#[derive(Clone, Default)]
pub enum ContactKeySource {
    /// A file holding the key as 64 hex digits, created (readable by its owner only) if missing.
    File(PathBuf),
    /// The key itself, 64 hex digits (from the environment).
    Hex(String),
    /// Kept in `app_meta`, next to the data it protects: for library callers that configure
    /// nothing. The `ydan` binary never uses it (it defaults to a file next to the database).
    #[default]
    InDatabase,
}

impl std::fmt::Debug for ContactKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContactKeySource::File(p) => write!(f, "File({})", p.display()),
            ContactKeySource::Hex(_) => f.write_str("Hex(…)"),
            ContactKeySource::InDatabase => f.write_str("InDatabase"),
        }
    }
}

/// The key that seals contact details. Its `Debug` never shows it.
#[derive(Clone)]
pub struct ContactKey([u8; 32]);

impl std::fmt::Debug for ContactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContactKey(…)")
    }
}

/// Which contact field a value belongs to (part of the associated data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Phone,
    Email,
}

impl Field {
    fn code(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Phone => "phone",
            Field::Email => "email",
        }
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

impl ContactKey {
    pub fn from_bytes(key: [u8; 32]) -> ContactKey {
        ContactKey(key)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    fn aad(code: &str, field: Field) -> String {
        format!("feedback_case:{code}:{}", field.code())
    }

    /// Seals a value for the case with tracking code `code`.
    pub fn seal(&self, code: &str, field: Field, plain: &str) -> Result<String, AppError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(AppError::internal)?;
        let aad = Self::aad(code, field);
        let sealed = self
            .cipher()
            .encrypt(&XNonce::from(nonce), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| AppError::internal("contact encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", b64().encode(out)))
    }

    /// Opens a stored value; a value without the prefix is an old plain one, returned as is.
    pub fn open(&self, code: &str, field: Field, stored: &str) -> Result<String, AppError> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let bytes = b64().decode(body).map_err(|_| AppError::internal("a sealed contact is not base64"))?;
        if bytes.len() < 24 + 16 {
            return Err(AppError::internal("a sealed contact is too short"));
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce = XNonce::try_from(nonce).map_err(|_| AppError::internal("bad contact nonce"))?;
        let aad = Self::aad(code, field);
        let plain = self
            .cipher()
            .decrypt(&nonce, Payload { msg: sealed, aad: aad.as_bytes() })
            .map_err(|_| AppError::internal("a sealed contact does not open with this key"))?;
        String::from_utf8(plain).map_err(|_| AppError::internal("a sealed contact is not UTF-8"))
    }

    /// Seals an optional value.
    pub fn seal_opt(&self, code: &str, field: Field, plain: Option<&str>) -> Result<Option<String>, AppError> {
        plain.map(|p| self.seal(code, field, p)).transpose()
    }

    /// A value that tells whether a configured key is the one the database was sealed with,
    /// without revealing the key (kept in `app_meta`).
    fn check_value(&self) -> String {
        meta::to_hex(&meta::hmac_sha256(&self.0, b"ydan contact key check v1"))
    }
}

const CHECK_KEY: &str = "contact_key_check";
const IN_DATABASE_KEY: &str = "contact_key";

fn parse_hex(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Reads the key file, or creates it with a new random key (owner-only permissions) when it
/// does not exist yet. Two servers starting at once read whichever file was written first.
fn key_file(path: &std::path::Path) -> Result<[u8; 32], AppError> {
    use std::io::Write;
    let bad = |what: &str| AppError::internal(format!("contact key file {}: {what}", path.display()));
    if let Ok(text) = std::fs::read_to_string(path) {
        return parse_hex(&text).ok_or_else(|| bad("not 64 hex digits"));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| bad(&e.to_string()))?;
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(AppError::internal)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{}\n", meta::to_hex(&key)).as_bytes()).map_err(|e| bad(&e.to_string()))?;
            file.sync_all().map_err(|e| bad(&e.to_string()))?;
            tracing::warn!(
                path = %path.display(),
                "a new key for residents' contact details was created: back it up apart from the database \
                 (without it the contact details cannot be read)"
            );
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(|e| bad(&e.to_string()))?;
            parse_hex(&text).ok_or_else(|| bad("not 64 hex digits"))
        }
        Err(e) => Err(bad(&e.to_string())),
    }
}

/// The key as configured, checked against the database: a server started with another key than
/// the one the stored contacts were sealed with refuses to start instead of failing on each read.
pub async fn load_key(db: &impl ConnectionTrait, source: &ContactKeySource) -> Result<ContactKey, AppError> {
    let key = match source {
        ContactKeySource::File(path) => key_file(path)?,
        ContactKeySource::Hex(hex) => {
            parse_hex(hex).ok_or_else(|| AppError::internal("YDAN_CONTACT_KEY must be 64 hex digits"))?
        }
        ContactKeySource::InDatabase => {
            tracing::warn!("the key for contact details is kept in the database itself: configure --contact-key-file");
            meta::secret(db, IN_DATABASE_KEY).await?
        }
    };
    let key = ContactKey(key);
    let check = key.check_value();
    match meta::get(db, CHECK_KEY).await? {
        Some(stored) if meta::secrets_match(&stored, &check) => {}
        Some(_) => {
            return Err(AppError::internal(
                "the configured contact key is not the one this database's contact details were encrypted with",
            ));
        }
        None => meta::set(db, CHECK_KEY, &check).await?,
    }
    Ok(key)
}

/// The one way to read a case's stored contact details (decrypted). `None` for an anonymous
/// case. Callers that show them to staff use [`read_for_handler`], which audits the read.
pub fn reveal(key: &ContactKey, case: &feedback_case::Model) -> Result<Option<Contact>, AppError> {
    if case.anonymous {
        return Ok(None);
    }
    let open = |field, v: &Option<String>| v.as_deref().map(|s| key.open(&case.tracking_code, field, s)).transpose();
    Ok(Some(Contact {
        name: open(Field::Name, &case.contact_name)?,
        phone: open(Field::Phone, &case.contact_phone)?,
        email: open(Field::Email, &case.contact_email)?,
    }))
}

/// Whether the resident is to be told of changes by e-mail: they gave an address with consent and
/// have not erased it. Nothing is opened; the outbox reads the address when it sends.
pub fn wants_mail(case: &feedback_case::Model) -> bool {
    case.consent && case.contact_email.is_some()
}

/// The address to send a message about the case to (see [`wants_mail`]), opened for sending
/// only: no person reads it, so it is not audited.
pub fn email_to_notify(key: &ContactKey, case: &feedback_case::Model) -> Result<Option<String>, AppError> {
    if !case.consent {
        return Ok(None);
    }
    Ok(reveal(key, case)?.and_then(|c| c.email))
}

fn stored_fields(case: &feedback_case::Model) -> Vec<&'static str> {
    [(Field::Name, &case.contact_name), (Field::Phone, &case.contact_phone), (Field::Email, &case.contact_email)]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(f, _)| f.code())
        .collect()
}

/// The contact details for an officer or administrator who handles the case (the caller checked
/// that), with an audit entry naming who read which fields (never the values).
pub async fn read_for_handler(
    db: &impl ConnectionTrait,
    key: &ContactKey,
    user: &CurrentUser,
    case: &feedback_case::Model,
) -> Result<Option<Contact>, AppError> {
    let contact = reveal(key, case)?;
    let fields = stored_fields(case);
    if contact.is_some() && !fields.is_empty() {
        audit::record(
            db,
            &Actor::user(user),
            "contact_read",
            "feedback_case",
            &case.tracking_code,
            Some(case.agency_id),
            None,
            Some(json!({ "fields": fields })),
        )
        .await?;
    }
    Ok(contact)
}

/// Erases a case's contact details and the addresses of its messages in the outbox (messages not
/// sent yet are cancelled), with an audit entry, inside the caller's transaction.
async fn erase(
    db: &impl ConnectionTrait,
    case: &feedback_case::Model,
    actor: &Actor,
    action: &str,
) -> Result<(), AppError> {
    let fields = stored_fields(case);
    feedback_case::Entity::update_many()
        .col_expr(feedback_case::Column::ContactName, Expr::value(Option::<String>::None))
        .col_expr(feedback_case::Column::ContactPhone, Expr::value(Option::<String>::None))
        .col_expr(feedback_case::Column::ContactEmail, Expr::value(Option::<String>::None))
        .col_expr(feedback_case::Column::Consent, Expr::value(false))
        .filter(feedback_case::Column::Id.eq(case.id))
        .exec(db)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value("cancelled"))
        .filter(outbox::Column::CaseId.eq(case.id))
        .filter(outbox::Column::Status.is_in(["pending", "kept"]))
        .exec(db)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ToAddress, Expr::value(""))
        .filter(outbox::Column::CaseId.eq(case.id))
        .exec(db)
        .await?;
    audit::record(
        db,
        actor,
        action,
        "feedback_case",
        &case.tracking_code,
        Some(case.agency_id),
        Some(json!({ "fields": fields })),
        None,
    )
    .await
}

/// The resident erases their contact details through their private link (`Xoá thông tin liên
/// hệ`). Nothing to erase is not an error.
pub async fn erase_by_resident(state: &AppState, code: &str, key: &str) -> Result<(), AppError> {
    let case = super::cases::by_private_link(&state.db, code, key).await?;
    if stored_fields(&case).is_empty() && !case.consent {
        return Ok(());
    }
    let _writer = state.write_guard().await;
    let txn = state.db.begin().await?;
    erase(&txn, &case, &Actor { user_id: None, label: "citizen".into() }, "contact_erased").await?;
    txn.commit().await?;
    Ok(())
}

/// When the retention period of a case's contact details starts: when it was closed or
/// rejected, or else (published or rated: nothing more is asked of the agency) when its answer
/// was published.
fn ended_before(cutoff: DateTime<Utc>) -> Condition {
    Condition::any().add(feedback_case::Column::ClosedAt.lt(cutoff)).add(
        Condition::all()
            .add(feedback_case::Column::ClosedAt.is_null())
            .add(feedback_case::Column::Status.is_in([Status::Published.code(), Status::Rated.code()]))
            .add(feedback_case::Column::PublishedAt.lt(cutoff)),
    )
}

/// Erases the contact details of cases that ended more than the retention period before `at`.
/// Run by the deadline worker; safe on several servers at once (erasing twice erases nothing
/// more). Returns how many cases were erased.
pub async fn sweep_retention(state: &AppState, at: DateTime<Utc>) -> Result<usize, AppError> {
    let months = state.settings.contact_retention_months;
    let Some(cutoff) = at.checked_sub_months(Months::new(months)) else { return Ok(0) };
    let mut erased = 0;
    loop {
        let due = feedback_case::Entity::find()
            .filter(ended_before(cutoff))
            .filter(
                Condition::any()
                    .add(feedback_case::Column::ContactName.is_not_null())
                    .add(feedback_case::Column::ContactPhone.is_not_null())
                    .add(feedback_case::Column::ContactEmail.is_not_null()),
            )
            .order_by_asc(feedback_case::Column::Id)
            .limit(200)
            .all(&state.db)
            .await?;
        if due.is_empty() {
            return Ok(erased);
        }
        let actor = Actor { user_id: None, label: "system".into() };
        for case in due {
            let _writer = state.write_guard().await;
            let txn = state.db.begin().await?;
            erase(&txn, &case, &actor, "contact_expired").await?;
            txn.commit().await?;
            erased += 1;
        }
    }
}

/// Encrypts the plain contact details of a database written before encryption (a migration
/// cannot: it does not know the key). Run at every start; does nothing once none is left.
pub async fn encrypt_plain_rows(db: &impl ConnectionTrait, key: &ContactKey) -> Result<usize, AppError> {
    let plain = |c: feedback_case::Column| Condition::all().add(c.is_not_null()).add(c.not_like(format!("{PREFIX}%")));
    let rows = feedback_case::Entity::find()
        .filter(
            Condition::any()
                .add(plain(feedback_case::Column::ContactName))
                .add(plain(feedback_case::Column::ContactPhone))
                .add(plain(feedback_case::Column::ContactEmail)),
        )
        .all(db)
        .await?;
    let n = rows.len();
    for case in rows {
        let seal = |field, v: &Option<String>| -> Result<Option<String>, AppError> {
            match v.as_deref() {
                Some(s) if !s.starts_with(PREFIX) => key.seal(&case.tracking_code, field, s).map(Some),
                other => Ok(other.map(str::to_owned)),
            }
        };
        // Not through `updated_at`: an officer's page read before this still acts normally.
        feedback_case::Entity::update_many()
            .set(feedback_case::ActiveModel {
                contact_name: Set(seal(Field::Name, &case.contact_name)?),
                contact_phone: Set(seal(Field::Phone, &case.contact_phone)?),
                contact_email: Set(seal(Field::Email, &case.contact_email)?),
                ..Default::default()
            })
            .filter(feedback_case::Column::Id.eq(case.id))
            .exec(db)
            .await?;
    }
    if n > 0 {
        tracing::info!(cases = n, "plain contact details encrypted");
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_for_its_case_and_field_and_never_shows_the_text() {
        let key = ContactKey::from_bytes([7; 32]);
        let sealed = key.seal("PAKN.20261207.0001", Field::Phone, "0912 345 678").unwrap();
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("0912"));
        assert_eq!(key.open("PAKN.20261207.0001", Field::Phone, &sealed).unwrap(), "0912 345 678");
        assert!(key.open("PAKN.20261207.0002", Field::Phone, &sealed).is_err(), "another case");
        assert!(key.open("PAKN.20261207.0001", Field::Email, &sealed).is_err(), "another field");
        assert!(ContactKey::from_bytes([8; 32]).open("PAKN.20261207.0001", Field::Phone, &sealed).is_err());
        let again = key.seal("PAKN.20261207.0001", Field::Phone, "0912 345 678").unwrap();
        assert_ne!(sealed, again, "a fresh nonce each time");
        assert_eq!(key.open("X", Field::Name, "Nguyễn Văn An").unwrap(), "Nguyễn Văn An", "old plain values");
        assert_eq!(format!("{key:?}"), "ContactKey(…)");
    }
}
