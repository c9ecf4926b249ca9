//! The key that seals residents' contact details, and the sealed format. A stored value is
//! `v1:` and the URL-safe base64 (no padding) of a random 24-byte nonce and the
//! XChaCha20-Poly1305 ciphertext; the associated data binds it to its case's tracking code and
//! its field, so a value copied onto another case or field does not open. Where the key comes
//! from and how a server checks it is the one the database was sealed with are here too;
//! reading, erasing and retention are in `contacts`.

use crate::meta;
use base64::Engine as _;
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use domain::error::AppError;
use sea_orm::ConnectionTrait;
use std::path::PathBuf;

/// The prefix of a sealed value (the format's version).
pub const PREFIX: &str = "v1:";

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
    pub fn code(self) -> &'static str {
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
