//! The survey form without JavaScript (`POST /s/{code}`, `POST /t/{token}`) and the QR codes of
//! counters (`/s/{code}/qr.svg`, `.png`).

use crate::render::render_page;
use crate::request::client_ip;
use app::i18n::Lang;
use axum::{
    body::Body,
    extract::{ConnectInfo, Path, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use domain::error::ErrorCode;
use domain::forms::{SubmittedSurvey, survey as fields};
use domain::survey::RawAnswer;
use leptos::prelude::*;
use services::meta::scoped_key;
use services::{
    doors::Door,
    qr,
    state::AppState,
    survey::{self, Submission, SurveyContact},
    tickets,
};
use std::net::SocketAddr;

/// `POST /s/{code}`: the survey form without JavaScript. Success → 303 to the thank-you page;
/// invalid answers → the same page again, answers kept, problems marked, status 422.
pub(crate) async fn submit_survey_form(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    submit_form(state, req, FormTarget::Counter(code)).await
}

/// `POST /t/{token}`: the survey of a receipt's one-time link; stored as verified, once.
pub(crate) async fn submit_ticket_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    submit_form(state, req, FormTarget::Ticket(token)).await
}

/// What a survey form answers: an open counter QR code, or a receipt's ticket.
enum FormTarget {
    Counter(String),
    Ticket(String),
}

async fn submit_form(state: AppState, req: Request, target: FormTarget) -> Response {
    let (parts, body) = req.into_parts();
    let page_req = || Request::from_parts(parts.clone(), Body::empty());
    let found = match &target {
        FormTarget::Counter(code) => services::doors::counter_context(&state, code).await.map(|ctx| (ctx, None)),
        FormTarget::Ticket(token) => tickets::open(&state, token).await.map(|open| (open.counter, Some(open.ticket))),
    };
    let (ctx, ticket) = match found {
        Ok(found) => found,
        // Unknown or closed counter, used or expired ticket, database down: the page explains.
        Err(_) => return render_page(&state, page_req(), || ()).await,
    };
    // A body too large or garbled to read: the survey page again, saying so in the citizen's
    // language (the answers cannot be kept, since they were never read).
    let unreadable = async |code: ErrorCode| {
        let shown = SubmittedSurvey { failure: Some(code.into()), ..Default::default() };
        let mut res = render_page(&state, page_req(), move || provide_context(shown.clone())).await;
        *res.status_mut() = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        res
    };
    let fields = match crate::forms::read_pairs(&parts.headers, body).await {
        Ok(fields) => fields,
        Err(e) => return unreadable(e.code).await,
    };

    if fields.iter().any(|(name, value)| name == fields::HONEYPOT && !value.is_empty()) {
        // A robot: answer as if all went well (so it learns nothing) and store nothing.
        tracing::warn!(counter = ctx.counter.code, "survey form with the honeypot filled in: not stored");
        return Redirect::to(&format!("/s/{}/cam-on", ctx.counter.code)).into_response();
    }
    // Text the database cannot hold (NUL, U+FFFE…): the page again, the fields named, nothing
    // stored. Answers are reported under `answers.{code}`, as the page marks them.
    let unclean = domain::text::check_pairs(fields.iter().map(|(name, value)| {
        let field = match name.as_str() {
            fields::FORM_TOKEN
            | fields::PROCEDURE
            | fields::COMMENT
            | fields::HONEYPOT
            | fields::CONTACT_NAME
            | fields::CONTACT_PHONE
            | fields::CONTACT_EMAIL
            | fields::CONTACT_CONSENT => name.clone(),
            code => format!("answers.{code}"),
        };
        (field, value.as_str())
    }))
    .err();
    let mut shown = SubmittedSurvey::default();
    let mut sub = Submission {
        door: match ticket {
            Some(t) => Door::Receipt(t),
            None => Door::OpenQr,
        },
        client_ip: client_ip(&state, &parts.headers, parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)),
        user_agent: parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
        ..Default::default()
    };
    for (name, mut value) in fields {
        if unclean.is_some() {
            value.retain(domain::text::allowed_char);
        }
        match name.as_str() {
            fields::FORM_TOKEN => {
                sub.submission_key = Some(scoped_key(ctx.counter.id, &value));
                shown.form_token = value;
            }
            fields::PROCEDURE => {
                sub.procedure = Some(value.clone());
                shown.procedure = value;
            }
            fields::COMMENT => {
                sub.comment = Some(value.clone());
                shown.comment = value;
            }
            fields::HONEYPOT => {}
            fields::CONTACT_NAME | fields::CONTACT_PHONE | fields::CONTACT_EMAIL | fields::CONTACT_CONSENT => {
                let c = sub.contact.get_or_insert_with(SurveyContact::default);
                match name.as_str() {
                    fields::CONTACT_NAME => c.name = value.clone(),
                    fields::CONTACT_PHONE => c.phone = value.clone(),
                    fields::CONTACT_EMAIL => c.email = value.clone(),
                    _ => c.consent = value == "1",
                }
                shown.contact.insert(name, value);
            }
            _ => {
                sub.answers.insert(name.clone(), RawAnswer::from_form(&value));
                shown.values.insert(name, value);
            }
        }
    }

    if let Some(err) = unclean {
        let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        shown.errors = err.fields;
        let mut res = render_page(&state, page_req(), move || provide_context(shown.clone())).await;
        *res.status_mut() = status;
        return res;
    }
    match survey::submit(&state, &ctx, sub).await {
        Ok(_) => Redirect::to(&format!("/s/{}/cam-on", ctx.counter.code)).into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if status.is_server_error() {
                tracing::error!(code = err.code.as_str(), detail = ?err.detail, "survey form not stored");
            }
            let retry_after = err.code.retry_after();
            if err.fields.is_empty() {
                // Not about one field (e.g. too many ratings from this phone): say it at the top.
                shown.failure = Some(err);
            } else {
                shown.errors = err.fields;
            }
            let mut res = render_page(&state, page_req(), move || provide_context(shown.clone())).await;
            *res.status_mut() = status;
            if let Some(seconds) = retry_after {
                res.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            }
            res
        }
    }
}

async fn qr_target(state: &AppState, code: &str) -> Result<String, Response> {
    match services::doors::counter_context(state, code).await {
        Ok(ctx) => Ok(survey::survey_url(state, &ctx.counter.code)),
        Err(e) => Err(crate::json::ApiError::new(e, Lang::Vi).into_response()),
    }
}

/// `GET /s/{code}/qr.svg`
pub(crate) async fn qr_svg(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let url = match qr_target(&state, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match qr::svg(&url, 320) {
        Ok(svg) => ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], svg)
            .into_response(),
        Err(e) => crate::json::ApiError::new(e, Lang::Vi).into_response(),
    }
}

/// `GET /s/{code}/qr.png`
pub(crate) async fn qr_png(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let url = match qr_target(&state, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match qr::png(&url, 10) {
        Ok(png) => ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], png)
            .into_response(),
        Err(e) => crate::json::ApiError::new(e, Lang::Vi).into_response(),
    }
}
