//! Kiosk tablets at the counter. `POST /k/{code}` answers the page's form when the tablet runs
//! without scripts; `POST /api/v1/kiosk/{code}` takes each press from the page's island,
//! including presses the tablet kept while the network was down.

use crate::{
    json::{ApiError, api_lang, json_object},
    render::{render_error, render_page},
    request::client_ip,
};
use axum::{
    Json,
    body::{Body, Bytes},
    extract::{ConnectInfo, Path, Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use domain::forms::KioskState;
use domain::{
    error::{AppError, ErrorCode, FieldError},
    kiosk::LOW_RATING,
};
use leptos::prelude::provide_context;
use serde_json::{Value, json};
use services::{
    kiosk::{self, KioskRating, Outcome},
    state::AppState,
    tablets,
};
use std::net::SocketAddr;

/// `POST /k/{code}` without scripts: a press (`rating`) is stored and answered with thanks, or
/// with "why?" when it is low; a reason (`reason`, with the `response_id` and `token` the "why?"
/// page carried) is added to the rating it follows.
pub async fn submit_form(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let headers = parts.headers.clone();
    let fields = match crate::forms::read_pairs(&headers, body).await {
        Ok(fields) => fields,
        Err(e) => return render_error(&state, &headers, e).await,
    };
    let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim().to_owned());
    let shown = if let Some(reason) = field("reason") {
        let id = field("response_id").and_then(|v| v.parse().ok()).unwrap_or(0);
        kiosk::add_note(&state, id, &field("token").unwrap_or_default(), &reason).await.map(|()| KioskState::Thanks)
    } else {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let tablet = tablets::authenticate(&state.db, tablets::secret_from_cookies(&headers).as_deref()).await;
        match (field("rating").map(|v| v.parse::<i64>()), tablet) {
            (_, Err(refused)) => Err(refused),
            (Some(Ok(rating)), Ok(tablet)) => kiosk::rate(
                &state,
                &code,
                tablet,
                KioskRating {
                    rating,
                    client_ip: client_ip(&state, &headers, peer),
                    user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
                    ..Default::default()
                },
            )
            .await
            .map(|outcome| match outcome {
                Outcome::Stored { response_id, duplicate: false } if rating <= i64::from(LOW_RATING) => {
                    KioskState::Why { response_id, token: kiosk::note_token(&state, response_id) }
                }
                // Stored, or a repeated press that was not: either way the citizen is thanked.
                _ => KioskState::Thanks,
            }),
            (Some(Err(_)), _) => Err(AppError::invalid(vec![FieldError::new("rating", ErrorCode::NotARating)])),
            (None, _) => Err(AppError::invalid(vec![FieldError::new("rating", ErrorCode::Required)])),
        }
    };
    match shown {
        Ok(shown) => {
            let req = Request::from_parts(parts, Body::empty());
            render_page(&state, req, move || provide_context(shown.clone())).await
        }
        Err(error) => render_error(&state, &headers, error).await,
    }
}

/// `POST /api/v1/kiosk/{code}`: one press, `{"rating": 1..3, "rated_at"?: RFC 3339,
/// "reason"?: code}` with an `Idempotency-Key` chosen by the tablet. 201 stored, 200 already
/// stored under that key, 202 discarded as a repeated press.
pub async fn post_rating(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let lang = api_lang(&headers);
    // Only an enrolled tablet's presses count: its cookie, or its secret as a bearer token.
    let tablet = match tablets::authenticate(&state.db, tablets::secret_from_cookies(&headers).as_deref()).await {
        Ok(t) => t,
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    let key = crate::headers::idempotency_key(&headers);
    let rating = match json_object(&headers, body).and_then(|map| parse_rating(&map)) {
        Ok(r) => KioskRating {
            idempotency_key: match key {
                Ok(k) => k,
                Err(e) => return ApiError::new(e, lang).into_response(),
            },
            client_ip: client_ip(&state, &headers, connect.map(|c| c.0.0)),
            user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
            ..r
        },
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    match kiosk::rate(&state, &code, tablet, rating).await {
        Ok(Outcome::Stored { response_id, duplicate }) => {
            let status = if duplicate { StatusCode::OK } else { StatusCode::CREATED };
            (status, Json(json!({"id": response_id, "duplicate": duplicate}))).into_response()
        }
        Ok(Outcome::Discarded) => (StatusCode::ACCEPTED, Json(json!({"discarded": true}))).into_response(),
        Err(e) => ApiError::new(e, lang).into_response(),
    }
}

fn parse_rating(map: &serde_json::Map<String, Value>) -> Result<KioskRating, AppError> {
    let mut errors = Vec::new();
    let mut r = KioskRating::default();
    for (key, value) in map {
        match (key.as_str(), value) {
            ("rating", Value::Number(n)) if n.as_i64().is_some() => r.rating = n.as_i64().unwrap_or_default(),
            ("rating", _) => errors.push(FieldError::new("rating", ErrorCode::NotARating)),
            ("rated_at", Value::Null) | ("reason", Value::Null) => {}
            ("rated_at", Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => r.rated_at = Some(t.with_timezone(&Utc)),
                Err(_) => errors.push(FieldError::new("rated_at", ErrorCode::InvalidDate)),
            },
            ("reason", Value::String(s)) => r.reason = Some(s.clone()),
            ("rated_at" | "reason", _) => errors.push(FieldError::new(key.clone(), ErrorCode::WrongType)),
            _ => errors.push(FieldError::new(key.clone(), ErrorCode::UnknownField)),
        }
    }
    if !map.contains_key("rating") {
        errors.push(FieldError::new("rating", ErrorCode::Required));
    }
    if errors.is_empty() { Ok(r) } else { Err(AppError::invalid(errors)) }
}

/// `POST /k/{code}/ghi-danh`: a tablet trades the one-time code an administrator made for its
/// secret, kept in an HttpOnly cookie; then back to the kiosk page, now counting presses.
pub async fn enrol(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let headers = parts.headers.clone();
    let fields = match crate::forms::read_pairs(&headers, body).await {
        Ok(fields) => fields,
        Err(e) => return render_error(&state, &headers, e).await,
    };
    let typed = fields.iter().find(|(n, _)| n == "code").map(|(_, v)| v.as_str()).unwrap_or("");
    match tablets::enrol(&state.db, &code, typed).await {
        Ok(secret) => {
            let secure = state.settings.public_url.starts_with("https://");
            let mut res = axum::response::Redirect::to(&format!("/k/{code}")).into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&tablets::cookie_for(&secret, secure)) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            tracing::info!(counter = code, "tablet enrolled");
            res
        }
        Err(error) => render_error(&state, &headers, error).await,
    }
}
