//! Form handlers of feedback and complaints: the resident's form (`POST /gop-y`, multipart with
//! photos), the resident's actions on the private tracking page, photos, and the officers' and
//! administrators' forms (`POST /pakn/{code}`, `POST /quan-tri/pakn`).

use crate::{
    forms::{Posted, handle, read_pairs},
    render::render_error,
    render::{page_with, render_page},
    request::client_ip,
    session::current_user,
};
use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequest, Multipart, Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use domain::error::{AppError, ErrorCode, FieldError};
use domain::forms::{FeedbackAttempt, TrackAttempt};
use leptos::prelude::provide_context;
use services::uploads::Room;
use services::{
    cases::{self, CitizenAction, NewCase, OfficerInput},
    photos,
    state::AppState,
};
use std::{collections::HashMap, net::SocketAddr};

/// Largest feedback form: three photos of 5 MB and the text fields.
pub const FORM_LIMIT: usize = photos::MAX_PHOTOS * photos::MAX_BYTES + 256 * 1024;

/// Re-renders the form with what was typed and the problems; the status says what went wrong.
async fn form_again(state: &AppState, parts: axum::http::request::Parts, attempt: FeedbackAttempt) -> Response {
    let status = match (&attempt.failure, attempt.errors.is_empty()) {
        (Some(f), _) => StatusCode::from_u16(f.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        (None, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, true) => StatusCode::BAD_REQUEST,
    };
    let mut res = page_with(state, parts, move || provide_context(attempt.clone())).await;
    *res.status_mut() = status;
    res
}

/// Reads one part of a resident's form, taking room in the server's upload memory for each
/// piece as it arrives; answers `UploadsBusy` when no room was found in time.
async fn read_field(mut field: axum::extract::multipart::Field<'_>, room: &mut Room) -> Result<Vec<u8>, AppError> {
    let mut data = Vec::new();
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(data),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(ErrorCode::PayloadTooLarge.into()),
            Err(_) => return Err(ErrorCode::InvalidQuery.into()),
        };
        if !room.take(chunk.len()).await {
            return Err(ErrorCode::UploadsBusy.into());
        }
        data.extend_from_slice(&chunk);
    }
}

/// `POST /gop-y`: checks and stores the case, then 303 to the page with the tracking code.
pub async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let is_multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut values: HashMap<String, String> = HashMap::new();
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut attempt = FeedbackAttempt::default();
    let ip = client_ip(&state, &parts.headers, parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0));
    // An address that filed its share lately is told so before its photos are read.
    if let Err(e) = cases::may_file(&state, ip.as_deref(), "web").await {
        attempt.failure = Some(e);
        return form_again(&state, parts, attempt).await;
    }
    // Room for the photos in the server's upload memory, held until the case is stored.
    let mut room = state.upload_budget.room(ip.as_deref());
    if is_multipart {
        let mut form = match Multipart::from_request(Request::from_parts(parts.clone(), body), &state).await {
            Ok(m) => m,
            Err(_) => {
                attempt.failure = Some(AppError::new(ErrorCode::InvalidQuery));
                return form_again(&state, parts, attempt).await;
            }
        };
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_owned();
                    let is_file = field.file_name().is_some();
                    let read = read_field(field, &mut room).await;
                    if let Err(busy) = &read
                        && busy.code == ErrorCode::UploadsBusy
                    {
                        values.remove("website");
                        attempt.values = values;
                        attempt.failure = Some(AppError::new(ErrorCode::UploadsBusy));
                        return form_again(&state, parts, attempt).await;
                    }
                    match read {
                        Ok(bytes) if name == "photos" && is_file => {
                            // A browser sends an empty part when no file was chosen.
                            if !bytes.is_empty() {
                                files.push(bytes);
                            }
                        }
                        Ok(bytes) => {
                            values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                        }
                        Err(_) => {
                            attempt.values = values;
                            attempt.photos_sent = files.len() + 1;
                            attempt.errors = vec![FieldError::new("photos", ErrorCode::PhotoTooLarge)];
                            attempt.failure = Some(AppError::new(ErrorCode::PayloadTooLarge));
                            return form_again(&state, parts, attempt).await;
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                    attempt.values = values;
                    attempt.failure = Some(AppError::new(if too_large {
                        ErrorCode::PayloadTooLarge
                    } else {
                        ErrorCode::InvalidQuery
                    }));
                    if too_large {
                        attempt.photos_sent = files.len() + 1;
                        attempt.errors = vec![FieldError::new("photos", ErrorCode::PhotoTooLarge)];
                    }
                    return form_again(&state, parts, attempt).await;
                }
            }
        }
    } else {
        match read_pairs(&parts.headers, body).await {
            Ok(pairs) => values.extend(pairs),
            Err(e) => return render_error(&state, &parts.headers, e).await,
        }
    }
    // Text the database cannot hold (NUL, U+FFFE…): the form again, the fields named.
    if let Err(err) = domain::text::check_pairs(values.iter()) {
        for v in values.values_mut() {
            v.retain(domain::text::allowed_char);
        }
        values.remove("website");
        attempt.values = values;
        attempt.photos_sent = files.len();
        attempt.errors = err.fields;
        return form_again(&state, parts, attempt).await;
    }
    if values.get("website").is_some_and(|v| !v.is_empty()) {
        tracing::warn!("feedback form with the honeypot filled in: not stored");
        return Redirect::to("/gop-y").into_response();
    }
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    attempt.photos_sent = files.len();
    let new = NewCase {
        kind: v("kind"),
        category: v("category"),
        agency: v("agency"),
        description: v("description"),
        address: v("address"),
        lat: v("lat"),
        lon: v("lon"),
        name: v("name"),
        phone: v("phone"),
        email: v("email"),
        anonymous: v("anonymous") == "1",
        consent: v("consent") == "1",
        photos: files,
        channel: "web",
        client_ip: ip,
        ..Default::default()
    };
    match cases::submit(&state, new).await {
        Ok(created) => {
            Redirect::to(&format!("/gop-y/da-gui/{}?k={}", created.tracking_code, created.access_key)).into_response()
        }
        Err(err) => {
            if err.status() >= 500 {
                tracing::error!(code = err.code.as_str(), detail = ?err.detail, "feedback not stored");
            }
            values.remove("website");
            attempt.values = values;
            if err.fields.is_empty() {
                attempt.failure = Some(err);
            } else {
                attempt.errors = err.fields;
            }
            form_again(&state, parts, attempt).await
        }
    }
}

/// `GET /gop-y/tra-cuu?code=…&k=…`: the lookup form's answer, the private link.
pub async fn lookup(Query(q): Query<HashMap<String, String>>) -> Response {
    let code = q.get("code").map(|c| c.trim().to_uppercase()).unwrap_or_default();
    let key: String = q.get("k").map(|k| k.trim().to_lowercase()).unwrap_or_default();
    let ok = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if !ok(&code) || !ok(&key) {
        return Redirect::to("/gop-y/theo-doi").into_response();
    }
    Redirect::to(&cases::private_path(&code, &key)).into_response()
}

/// `POST /gop-y/theo-doi/{code}`: the resident replies, rates or reopens through the private link.
pub async fn citizen(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let f: HashMap<String, String> = match read_pairs(&parts.headers, body).await {
        Ok(pairs) => pairs.into_iter().collect(),
        Err(e) => return render_error(&state, &parts.headers, e).await,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let key = get("k");
    if get("action") == "erase_contact" {
        // No script: the confirmation is a box the resident ticks on the form.
        if get("confirm") != "1" {
            let e = AppError::invalid(vec![FieldError::new("confirm", ErrorCode::Required)]);
            return track_again(&state, parts, e).await;
        }
        return match services::cases::erase_contact_by_resident(&state, &code, &key).await {
            Ok(()) => Redirect::to(&format!("{}&erased=1", cases::private_path(&code, &key))).into_response(),
            Err(e) => track_again(&state, parts, e).await,
        };
    }
    let action = match get("action").as_str() {
        "reply" => CitizenAction::Reply(get("text")),
        "rate" => CitizenAction::Rate(get("rating")),
        "reopen" => CitizenAction::Reopen(get("text")),
        _ => {
            let e = AppError::invalid(vec![FieldError::new("action", ErrorCode::UnknownField)]);
            return track_again(&state, parts, e).await;
        }
    };
    match cases::citizen_act(&state, &code, &key, action).await {
        Ok(()) => Redirect::to(&format!("{}&ok=1", cases::private_path(&code, &key))).into_response(),
        Err(e) => track_again(&state, parts, e).await,
    }
}

async fn track_again(state: &AppState, parts: axum::http::request::Parts, error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(code = error.code.as_str(), detail = ?error.detail, "citizen action failed");
    }
    // The page is shown for the link the form came from (it carries the key).
    let mut parts = parts;
    if let Some(referer_query) = parts
        .headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once('?').map(|(_, q)| q.to_owned()))
        && let Ok(uri) = format!("{}?{referer_query}", parts.uri.path()).parse()
    {
        parts.uri = uri;
    }
    let attempt = TrackAttempt { error };
    let mut res =
        render_page(state, Request::from_parts(parts, Body::empty()), move || provide_context(attempt.clone())).await;
    *res.status_mut() = status;
    res
}

/// `GET /gop-y/anh/{id}` and `/gop-y/anh/{id}/nho` (thumbnail), `?k=` for the resident.
pub async fn photo(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    serve_photo(state, id, false, q.get("k").cloned(), req).await
}

pub async fn thumb(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    serve_photo(state, id, true, q.get("k").cloned(), req).await
}

async fn serve_photo(state: AppState, id: i64, small: bool, key: Option<String>, req: Request) -> Response {
    let user = current_user(&state, req.headers()).await;
    match cases::photo(&state.db, id, small, key.as_deref(), user.as_ref()).await {
        Ok(bytes) => {
            let mut res = bytes.into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=600"));
            res
        }
        Err(e) => (StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND), "").into_response(),
    }
}

/// `POST /pakn/{code}`: an officer's action, internal note or moderation.
pub async fn officer(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    handle(state, req, move |state, user, f: Posted| async move {
        match f.get("action") {
            a @ ("hide" | "show") => cases::moderate(&state, &user, &code, None, a == "hide", f.get("reason")).await,
            a @ ("hide_photo" | "show_photo") => {
                let photo = f.get("photo").parse::<i64>().map_err(|_| AppError::new(ErrorCode::NotFound))?;
                cases::moderate(&state, &user, &code, Some(photo), a == "hide_photo", f.get("reason")).await
            }
            action => {
                let input = OfficerInput {
                    action: action.to_owned(),
                    public_note: f.get("public_note").to_owned(),
                    internal_note: f.get("internal_note").to_owned(),
                    handler: f.get("handler").to_owned(),
                    target: f.get("target").to_owned(),
                    category: f.get("category").to_owned(),
                    kind: f.get("kind").to_owned(),
                    confirmed: f.get("confirm") == "1",
                };
                cases::act(&state, &user, &code, input).await
            }
        }
    })
    .await
}

/// `POST /quan-tri/pakn`: deadlines, canned replies, holidays.
pub async fn settings(State(state): State<AppState>, req: Request) -> Response {
    handle(state, req, |state, user, f: Posted| async move {
        let db = &state.db;
        match f.get("action") {
            "set_deadline" => {
                cases::set_deadline(db, &user, f.get("unit"), f.get("kind"), f.get("step"), f.get("days")).await
            }
            "add_canned" => cases::add_canned_reply(db, &user, f.get("unit"), f.get("title"), f.get("body")).await,
            "remove_canned" => {
                let id = f.get("id").parse::<i64>().map_err(|_| AppError::new(ErrorCode::NotFound))?;
                cases::remove_canned_reply(db, &user, id).await
            }
            a @ ("put_holiday" | "remove_holiday") => {
                let day = f.date("day")?;
                let entry = (a == "put_holiday").then(|| domain::workdays::SpecialDay {
                    date: day,
                    off: f.get("off") != "0",
                    name_vi: f.get("name_vi").to_owned(),
                    name_en: f.get("name_en").to_owned(),
                    notice: Some(f.get("notice").to_owned()),
                });
                cases::edit_holiday(db, &user, day, entry).await
            }
            _ => Err(AppError::invalid(vec![FieldError::new("action", ErrorCode::UnknownField)])),
        }
    })
    .await
}
