//! The JSON API's plumbing, shared by its handlers (`api`, `kiosk`): an error answered in the
//! caller's language with every bad field named, the caller's language, and reading a JSON
//! object body with the API's errors for the wrong type, size or syntax.

use crate::request::BODY_LIMIT;
use app::i18n::{Lang, errors::Explain};
use axum::{
    Json,
    body::Bytes,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::error::{AppError, ErrorCode};
use serde_json::{Map, Value, json};

/// An error on its way to an API client, in the client's language.
pub struct ApiError {
    error: AppError,
    lang: Lang,
}

impl ApiError {
    pub fn new(error: AppError, lang: Lang) -> Self {
        ApiError { error, lang }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError { error, lang } = self;
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            // The cause stays in the log; the client gets the code and a generic message.
            tracing::error!(code = error.code.as_str(), detail = ?error.detail, "API request failed");
        }
        let fields: Vec<Value> = error
            .fields
            .iter()
            .map(|f| json!({"field": f.field, "code": f.code.as_str(), "message": f.message(lang)}))
            .collect();
        let mut body = json!({"code": error.code.as_str(), "message": error.message(lang)});
        if !fields.is_empty() {
            body["fields"] = Value::Array(fields);
        }
        let mut res = (status, [(header::CONTENT_LANGUAGE, lang.tag())], Json(body)).into_response();
        if let Some(seconds) = error.code.retry_after() {
            res.headers_mut().insert(header::RETRY_AFTER, seconds.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// API clients choose their language with `Accept-Language`; Vietnamese otherwise.
pub(crate) fn api_lang(headers: &HeaderMap) -> Lang {
    crate::request::accept_language(headers)
}

/// Reads a JSON object body, with the API's errors for the wrong type, size or syntax.
pub(crate) fn json_object(
    headers: &HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Map<String, Value>, AppError> {
    let is_json =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(
            |mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            },
        );
    if !is_json {
        return Err(ErrorCode::UnsupportedMediaType.into());
    }
    let bytes = match body {
        Ok(b) if b.len() <= BODY_LIMIT => b,
        Ok(_) => return Err(ErrorCode::PayloadTooLarge.into()),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(ErrorCode::PayloadTooLarge.into()),
        Err(_) => return Err(ErrorCode::InvalidJson.into()),
    };
    match serde_json::from_slice(&bytes) {
        // Text the database or XML cannot hold (NUL, U+FFFE…) is refused here, field named.
        Ok(Value::Object(map)) => domain::text::check_json(&map).map(|()| map),
        _ => Err(ErrorCode::InvalidJson.into()),
    }
}
