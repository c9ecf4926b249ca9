//! Reading the product's HTML forms. Every form handler reads its body here: a body that is not
//! a form of this site (another content type, unreadable, too large) is answered as the error it
//! is, never read as an empty form. Staff forms go through [`handle`]: session, CSRF token, the
//! action, then a redirect or the page again with the problem and the values sent.

use crate::{
    render::{page_with, render_error},
    request::BODY_LIMIT,
    session::{check_csrf, current_user},
};
use axum::{
    body::Body,
    extract::Request,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use domain::{
    error::{AppError, ErrorCode, FieldError},
    forms::AdminAttempt,
    period::parse_date,
};
use leptos::prelude::provide_context;
use services::{current_user::CurrentUser, state::AppState};
use std::collections::HashMap;

/// The name/value pairs of an `application/x-www-form-urlencoded` body of at most
/// [`BODY_LIMIT`] bytes, in order (names may repeat, like checkboxes). Too large: 413
/// `payload_too_large`; another content type, or a body that stopped before its end: 415
/// `not_a_form` (a client that stopped sending will not read the answer anyway). An empty body
/// with no content type is an empty form, which then fails its CSRF or field checks.
pub(crate) async fn read_pairs(headers: &HeaderMap, body: Body) -> Result<Vec<(String, String)>, AppError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(ErrorCode::PayloadTooLarge.into());
    }
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) if is_over_limit(&e) => return Err(ErrorCode::PayloadTooLarge.into()),
        Err(_) => return Err(ErrorCode::NotAForm.into()),
    };
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let empty_without_type = bytes.is_empty() && headers.get(header::CONTENT_TYPE).is_none();
    if !is_form && !empty_without_type {
        return Err(ErrorCode::NotAForm.into());
    }
    serde_urlencoded::from_bytes(&bytes).map_err(|_| ErrorCode::NotAForm.into())
}

/// Whether reading a body failed because it went past the limit (not because it was cut off).
fn is_over_limit(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// A posted form: every pair (fields may repeat, like checkboxes) and the last value by name.
pub(crate) struct Posted {
    pairs: Vec<(String, String)>,
    last: HashMap<String, String>,
}

impl Posted {
    pub(crate) fn get(&self, k: &str) -> &str {
        self.last.get(k).map(String::as_str).unwrap_or("")
    }

    pub(crate) fn all(&self, k: &str) -> Vec<String> {
        self.pairs.iter().filter(|(name, _)| name == k).map(|(_, v)| v.clone()).collect()
    }

    pub(crate) fn date(&self, k: &str) -> Result<chrono::NaiveDate, AppError> {
        parse_date(self.get(k)).ok_or_else(|| AppError::invalid(vec![FieldError::new(k, ErrorCode::InvalidDate)]))
    }
}

/// Runs an administrative action posted to `path` and answers the browser.
pub(crate) async fn handle<F, Fut>(state: AppState, req: Request, action: F) -> Response
where
    F: FnOnce(AppState, CurrentUser, Posted) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    handle_to(state, req, |state, user, posted| async move { action(state, user, posted).await.map(|()| None) }).await
}

/// Like [`handle`], but the action may name the page to go to afterwards (else the form's
/// page again with `?ok=1`).
pub(crate) async fn handle_to<F, Fut>(state: AppState, req: Request, action: F) -> Response
where
    F: FnOnce(AppState, CurrentUser, Posted) -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>, AppError>>,
{
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let Some(user) = current_user(&state, &parts.headers).await else {
        return Redirect::to(&format!("/dang-nhap?next={path}")).into_response();
    };
    let pairs = match read_pairs(&parts.headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return render_error(&state, &parts.headers, e).await,
    };
    let posted = Posted { last: pairs.iter().cloned().collect(), pairs };
    if let Err(e) = check_csrf(&user, posted.last.get("csrf").map(String::as_str)) {
        return render_error(&state, &parts.headers, e).await;
    }
    let form = posted.last.clone();
    match action(state.clone(), user, posted).await {
        Ok(Some(to)) => Redirect::to(&to).into_response(),
        Ok(None) => Redirect::to(&format!("{path}?ok=1")).into_response(),
        Err(error) => {
            if error.status() >= 500 {
                tracing::error!(code = error.code.as_str(), detail = ?error.detail, "administration failed");
            }
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // Never show a password back.
            let form: HashMap<String, String> = form.into_iter().filter(|(k, _)| k != "password").collect();
            let attempt = AdminAttempt { error, form };
            let mut res = page_with(&state, parts, move || provide_context(attempt.clone())).await;
            *res.status_mut() = status;
            res
        }
    }
}
