//! Who is behind a request: the session cookie, the signed-in staff member, CSRF checks, and the
//! same-origin guard in front of every state-changing request.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use domain::{
    dto::{Localized, SignedIn},
    error::{AppError, ErrorCode},
};
use sea_orm::EntityTrait;
use services::{
    auth::{self, SESSION_COOKIE},
    current_user::CurrentUser,
    entity::agency,
    state::AppState,
};

/// The value of a cookie in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        line.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    })
}

/// The signed-in staff member, if the session cookie names a live session.
pub async fn current_user(state: &AppState, headers: &HeaderMap) -> Option<CurrentUser> {
    let token = cookie(headers, SESSION_COOKIE)?;
    match auth::session_user(&state.db, &token).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(code = e.code.as_str(), detail = ?e.detail, "session lookup failed");
            None
        }
    }
}

/// What pages may know of the signed-in user.
pub async fn signed_in(state: &AppState, user: &CurrentUser) -> SignedIn {
    let agency = match user.agency_id {
        Some(id) => agency::Entity::find_by_id(id)
            .one(&state.db)
            .await
            .ok()
            .flatten()
            .map(|a| (a.code, Localized::new(a.name_vi, a.name_en))),
        None => None,
    };
    SignedIn {
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        agency,
        csrf_token: user.csrf_token.clone(),
    }
}

fn secure(state: &AppState) -> &'static str {
    // Behind TLS the cookie must never travel in clear text.
    if state.settings.public_url.starts_with("https://") { "; Secure" } else { "" }
}

/// `Set-Cookie` for a new session: HttpOnly (scripts cannot read it), SameSite=Lax (other sites'
/// forms do not carry it), Secure behind TLS.
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let max_age = auth::SESSION_LIFETIME.num_seconds();
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        secure(state)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    HeaderValue::from_str(&format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}", secure(state)))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The CSRF token a form sent must be its session's.
pub fn check_csrf(user: &CurrentUser, sent: Option<&str>) -> Result<(), AppError> {
    match sent {
        Some(token) if auth::csrf_matches(&user.csrf_token, token) => Ok(()),
        _ => Err(AppError::new(ErrorCode::CsrfRejected)),
    }
}

/// Whether `origin` (an `Origin` header) is this site.
fn same_origin(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    let public = state.settings.public_url.trim_end_matches('/');
    if origin == public {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

/// Refuses state-changing requests that a browser says come from another site. Together with
/// SameSite cookies and per-session tokens this keeps other sites from acting in a staff
/// member's name, and from posting surveys from visitors' browsers. The JSON API is exempt: its
/// callers are machines with keys, not browsers with cookies.
pub async fn same_origin_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state
        && !req.uri().path().starts_with("/api/")
        && let Some(origin) = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok())
        && !same_origin(&state, req.headers(), origin)
    {
        tracing::warn!(origin, "cross-site request refused");
        return (axum::http::StatusCode::FORBIDDEN, ErrorCode::CsrfRejected.as_str()).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; ydan_session=abc; b=2"));
        assert_eq!(cookie(&h, "ydan_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
