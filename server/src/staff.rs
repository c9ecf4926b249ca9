//! The staff side's form handlers: sign in, sign out, change password. Each re-renders its page
//! with the problem marked when something is wrong, like the citizen's survey.

use crate::{
    render::{page_with, render_error},
    request::{client_ip, safe_next},
    session::{check_csrf, clear_session_cookie, current_user, session_cookie},
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use domain::error::{AppError, ErrorCode};
use domain::forms::{LoginAttempt, PasswordAttempt};
use leptos::prelude::provide_context;
use services::{auth, doors::device_hash, state::AppState};
use std::{collections::HashMap, net::SocketAddr};

fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Reads an urlencoded form from a request whose parts are still needed afterwards.
async fn form_of(req: Request) -> (axum::http::request::Parts, Result<HashMap<String, String>, AppError>) {
    let (parts, body) = req.into_parts();
    let fields = crate::forms::read_pairs(&parts.headers, body).await;
    (parts, fields.map(|f| f.into_iter().collect()))
}

/// `POST /dang-nhap`
pub async fn sign_in(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let (parts, form) = form_of(req).await;
    let form = match form {
        Ok(form) => form,
        Err(e) => return render_error(&state, &parts.headers, e).await,
    };
    let login = form.get("login").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    // Throttle by a keyed hash of the address: the log of failures holds no raw IP address.
    let ip = client_ip(&state, &parts.headers, peer).unwrap_or_default();
    // One phone or office is one source (an IPv4 address or an IPv6 /64), as for ratings.
    let source = domain::integrity::source_of(&ip).unwrap_or(ip);
    let client_key = device_hash(&state.device_hash_key, &source, "sign-in");
    match auth::sign_in(&state.db, &login, &password, &client_key).await {
        Ok((token, user)) => {
            tracing::info!(login = user.login, "signed in");
            let next = match form.get("next").filter(|n| !n.is_empty()) {
                Some(n) => safe_next(Some(n)),
                None => "/quan-tri".to_owned(),
            };
            let mut res = Redirect::to(&next).into_response();
            res.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, &token));
            res
        }
        Err(error) => {
            if error.code == ErrorCode::TooManyAttempts {
                tracing::warn!(login, "sign-in throttled");
            }
            let status = status_of(&error);
            let throttled = error.code == ErrorCode::TooManyAttempts;
            let attempt = LoginAttempt { login, error };
            let mut res = page_with(&state, parts, move || provide_context(attempt.clone())).await;
            *res.status_mut() = status;
            if throttled {
                // The lock lasts at most one window from the last counted failure.
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(auth::THROTTLE_WINDOW.num_seconds()));
            }
            res
        }
    }
}

/// `POST /dang-xuat`
pub async fn sign_out(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = form_of(req).await;
    let headers = parts.headers;
    let form = match form {
        Ok(form) => form,
        Err(e) => return render_error(&state, &headers, e).await,
    };
    if let Some(user) = current_user(&state, &headers).await {
        if let Err(e) = check_csrf(&user, form.get("csrf").map(String::as_str)) {
            return render_error(&state, &headers, e).await;
        }
        if let Err(e) = auth::sign_out(&state.db, &user).await {
            return render_error(&state, &headers, e).await;
        }
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().insert(header::SET_COOKIE, clear_session_cookie(&state));
    res
}

/// `POST /tai-khoan`: change password
pub async fn change_password(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = form_of(req).await;
    let Some(user) = current_user(&state, &parts.headers).await else {
        return Redirect::to("/dang-nhap?next=/tai-khoan").into_response();
    };
    let form = match form {
        Ok(form) => form,
        Err(e) => return render_error(&state, &parts.headers, e).await,
    };
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let result = async {
        check_csrf(&user, form.get("csrf").map(String::as_str))?;
        if get("new") != get("confirm") {
            return Err(AppError::new(ErrorCode::PasswordMismatch));
        }
        auth::change_password(&state.db, &user, get("current"), get("new")).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/tai-khoan?doi=1").into_response(),
        Err(error) => {
            let status = status_of(&error);
            let attempt = PasswordAttempt { error };
            let mut res = page_with(&state, parts, move || provide_context(attempt.clone())).await;
            *res.status_mut() = status;
            res
        }
    }
}
