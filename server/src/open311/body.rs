//! Reading an Open311 POST body so that a client without a valid key can make the server hold
//! no more than 64 KB: the rest of a larger body is read only once the key it gives first (or
//! in the query string) is checked.

use super::format::{Fmt, errors, internal};
use axum::{
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use domain::error::ErrorCode;
use services::{state::AppState, tickets};

/// Largest request body: three photos as base64 data URLs, and the text.
pub(super) const POST_LIMIT: usize = 24 * 1024 * 1024;
/// The most a client with no valid key can make the server read: a request's text fields.
/// A larger body (with photos) must give `api_key` within its first 64 KB (first, or in the
/// query string), and is read further only once that key is checked.
pub(super) const UNKEYED_LIMIT: usize = 64 * 1024;

/// The `api_key` of a query string, if it has one.
pub(super) fn query_key(query: Option<&str>) -> Option<String> {
    let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(query?).ok()?;
    pairs.into_iter().find(|(k, _)| k == "api_key").map(|(_, v)| v)
}

/// Reads a POST body: the first 64 KB from anyone, the rest (up to 24 MB) only once the key it
/// gives in the query string or within those first 64 KB is checked, so a client without a
/// key cannot make the server hold photos' worth of memory.
pub(super) async fn read_keyed_body(
    state: &AppState,
    fmt: Fmt,
    query: Option<&str>,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<Vec<u8>, Response> {
    use futures::StreamExt;
    let too_large =
        || errors(fmt, StatusCode::PAYLOAD_TOO_LARGE, vec![format!("The body is larger than {} MB", POST_LIMIT >> 20)]);
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    if declared.is_some_and(|n: usize| n > POST_LIMIT) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut keyed = false;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return Err(errors(fmt, StatusCode::BAD_REQUEST, vec!["The body could not be read".into()]));
        };
        if buf.len() + chunk.len() > POST_LIMIT {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
        if keyed || buf.len() <= UNKEYED_LIMIT {
            continue;
        }
        // Past what anyone may send: go on only for a valid key given within the first 64 KB.
        let head = &buf[..UNKEYED_LIMIT];
        let complete = head.iter().rposition(|b| *b == b'&').map_or(&head[..0], |end| &head[..end]);
        let key = query_key(query).or_else(|| {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(complete)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "api_key")
                .map(|(_, v)| v)
        });
        let Some(key) = key else {
            return Err(errors(
                fmt,
                StatusCode::PAYLOAD_TOO_LARGE,
                vec!["A body over 64 KB must give api_key first (or in the query string)".into()],
            ));
        };
        match tickets::authenticate(&state.db, &key).await {
            Ok(_) => keyed = true,
            Err(e) if e.code == ErrorCode::NotSignedIn => {
                return Err(errors(
                    fmt,
                    StatusCode::FORBIDDEN,
                    vec!["Invalid api_key received -- can't proceed with create_request.".into()],
                ));
            }
            Err(_) => return Err(internal(fmt)),
        }
    }
    Ok(buf)
}
