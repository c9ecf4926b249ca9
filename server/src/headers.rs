//! Request headers read the same way by every route that takes them.

use axum::http::HeaderMap;
use domain::error::{AppError, ErrorCode};

/// Longest `Idempotency-Key` accepted.
pub const IDEMPOTENCY_KEY_MAX: usize = 100;

/// The request's `Idempotency-Key`, trimmed; `None` when absent or blank. A key that is too long
/// or not printable ASCII is refused (400) rather than ignored, since ignoring it would store a
/// retry twice.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().map_err(|_| AppError::new(ErrorCode::InvalidIdempotencyKey))?.trim();
    if key.len() > IDEMPOTENCY_KEY_MAX || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err(AppError::new(ErrorCode::InvalidIdempotencyKey));
    }
    Ok((!key.is_empty()).then(|| key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(key: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("idempotency-key", HeaderValue::from_str(key).unwrap());
        h
    }

    #[test]
    fn keys_up_to_100_characters_are_read_longer_ones_refused() {
        assert_eq!(idempotency_key(&HeaderMap::new()), Ok(None));
        assert_eq!(idempotency_key(&with("  ")), Ok(None));
        assert_eq!(idempotency_key(&with(" abc-123 ")), Ok(Some("abc-123".into())));
        assert_eq!(idempotency_key(&with(&"k".repeat(100))), Ok(Some("k".repeat(100))));
        let e = idempotency_key(&with(&"k".repeat(101))).unwrap_err();
        assert_eq!((e.code, e.status()), (ErrorCode::InvalidIdempotencyKey, 400));
    }
}
