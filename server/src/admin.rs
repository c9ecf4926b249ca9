//! Form handlers of the administration pages. Each checks the session and its CSRF token,
//! calls the admin service (which checks the scope and writes the audit log), then either
//! redirects back with `?ok=1` or shows the page again with the problem and the values sent.

use crate::{
    forms::{handle, read_pairs},
    render::{page_with, render_error},
    session::{check_csrf, current_user},
};
use axum::{
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use domain::forms::{AdminAttempt, NewApiKey};
use domain::{
    error::{AppError, ErrorCode, FieldError},
    period::parse_date,
};
use leptos::prelude::provide_context;
use services::{
    admin::{self, UnitDraft},
    questionnaires,
    state::AppState,
    tickets,
};
use std::collections::HashMap;

fn unknown_action() -> AppError {
    AppError::invalid(vec![FieldError::new("action", ErrorCode::UnknownField)])
}

/// `POST /quan-tri/don-vi`: create, rename, move, close, merge.
pub async fn units(State(state): State<AppState>, req: Request) -> Response {
    handle(state, req, |state, user, f| async move {
        let db = &state.db;
        match f.get("action") {
            "create" => {
                let draft = UnitDraft {
                    code: f.get("code").into(),
                    kind: f.get("kind").into(),
                    name_vi: f.get("name_vi").into(),
                    name_en: f.get("name_en").into(),
                    parent_code: Some(f.get("parent").to_owned()),
                    valid_from: parse_date(f.get("valid_from")),
                };
                admin::create_unit(db, &user, draft).await.map(|_| ())
            }
            "rename" => admin::rename_unit(db, &user, f.get("code"), f.get("name_vi"), f.get("name_en")).await,
            "move" => admin::move_unit(db, &user, f.get("code"), f.get("parent")).await,
            "close" => admin::close_unit(db, &user, f.get("code"), f.date("valid_to")?).await,
            "merge" => admin::merge_units(db, &user, &f.all("units"), f.get("into"), f.date("on")?).await,
            _ => Err(unknown_action()),
        }
    })
    .await
}

/// `POST /quan-tri/quay`: create, close, reopen, opening hours, staff networks.
pub async fn counters(State(state): State<AppState>, req: Request) -> Response {
    handle(state, req, |state, user, f| async move {
        let db = &state.db;
        match f.get("action") {
            "create" => admin::create_counter(db, &user, f.get("unit"), f.get("name")).await.map(|_| ()),
            "close" => admin::set_counter_open(db, &user, f.get("code"), false).await,
            "reopen" => admin::set_counter_open(db, &user, f.get("code"), true).await,
            "hours" => admin::set_opening_hours(db, &user, f.get("code"), f.get("opening_hours")).await,
            "questionnaire" => {
                let chosen = match f.get("questionnaire") {
                    "" => None,
                    raw => Some(raw.parse::<i64>().map_err(|_| AppError::from(ErrorCode::QuestionnaireNotFound))?),
                };
                questionnaires::set_counter_questionnaire(db, &user, f.get("code"), chosen).await
            }
            "network_add" => {
                admin::add_staff_network(db, &user, f.get("unit"), f.get("cidr"), f.get("note")).await?;
                state.staff_networks.clear();
                Ok(())
            }
            "network_remove" => {
                let id = f.get("id").parse::<i64>().map_err(|_| unknown_action())?;
                admin::remove_staff_network(db, &user, id).await?;
                state.staff_networks.clear();
                Ok(())
            }
            _ => Err(unknown_action()),
        }
    })
    .await
}

/// `POST /quan-tri/bang-hoi`: copy a questionnaire into a new draft version, then show it.
pub async fn questionnaires_list(State(state): State<AppState>, req: Request) -> Response {
    let created = std::sync::Arc::new(std::sync::Mutex::new(None::<i64>));
    let slot = created.clone();
    let res = handle(state, req, move |state, user, f| async move {
        if f.get("action") != "copy" {
            return Err(unknown_action());
        }
        let id = f.get("id").parse::<i64>().map_err(|_| AppError::from(ErrorCode::QuestionnaireNotFound))?;
        let new = questionnaires::copy(&state.db, &user, id, f.get("unit")).await?;
        if let Ok(mut s) = slot.lock() {
            *s = Some(new);
        }
        Ok(())
    })
    .await;
    match created.lock().ok().and_then(|s| *s) {
        // Straight to the new draft, where it is edited.
        Some(id) => Redirect::to(&format!("/quan-tri/bang-hoi/{id}?ok=1")).into_response(),
        None => res,
    }
}

/// `POST /quan-tri/bang-hoi/{id}`: save a draft's texts, or publish it.
pub async fn questionnaire(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    req: Request,
) -> Response {
    handle(state, req, move |state, user, f| async move {
        let db = &state.db;
        match f.get("action") {
            "save" => {
                let questions = f
                    .all("q")
                    .into_iter()
                    .map(|code| {
                        let (vi, en) =
                            (f.get(&format!("vi.{code}")).to_owned(), f.get(&format!("en.{code}")).to_owned());
                        (code, vi, en)
                    })
                    .collect();
                let texts = questionnaires::DraftTexts {
                    name_vi: f.get("name_vi").into(),
                    name_en: f.get("name_en").into(),
                    min_answers: f.get("min_answers").into(),
                    questions,
                };
                questionnaires::save_draft(db, &user, id, texts).await
            }
            "publish" => {
                questionnaires::publish(db, &user, id).await?;
                // A new shared version of the default questionnaire replaces it from now on.
                state.instruments.set_default_id(None);
                Ok(())
            }
            _ => Err(unknown_action()),
        }
    })
    .await
}

/// `POST /quan-tri/thu-tuc`: create.
pub async fn procedures(State(state): State<AppState>, req: Request) -> Response {
    handle(state, req, |state, user, f| async move {
        match f.get("action") {
            "create" => admin::create_procedure(
                &state.db,
                &user,
                Some(f.get("unit")),
                f.get("code"),
                f.get("name_vi"),
                f.get("name_en"),
            )
            .await
            .map(|_| ()),
            _ => Err(unknown_action()),
        }
    })
    .await
}

/// `POST /quan-tri/nguoi-dung`: create, deactivate, activate, reset.
pub async fn users(State(state): State<AppState>, req: Request) -> Response {
    handle(state, req, |state, user, f| async move {
        let db = &state.db;
        match f.get("action") {
            "create" => admin::create_user(
                db,
                &user,
                f.get("login"),
                f.get("display_name"),
                f.get("role"),
                Some(f.get("unit")),
                f.get("password"),
            )
            .await
            .map(|_| ()),
            "deactivate" => admin::set_user_active(db, &user, f.get("login"), false).await,
            "activate" => admin::set_user_active(db, &user, f.get("login"), true).await,
            "reset" => admin::reset_password(db, &user, f.get("login"), f.get("password")).await,
            _ => Err(unknown_action()),
        }
    })
    .await
}

/// `POST /quan-tri/khoa-api`: create (the answer shows the new key once), revoke.
pub async fn api_keys(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Some(user) = current_user(&state, &parts.headers).await else {
        return Redirect::to("/dang-nhap?next=/quan-tri/khoa-api").into_response();
    };
    let form: HashMap<String, String> = match read_pairs(&parts.headers, body).await {
        Ok(pairs) => pairs.into_iter().collect(),
        Err(e) => return render_error(&state, &parts.headers, e).await,
    };
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if let Err(e) = check_csrf(&user, form.get("csrf").map(String::as_str)) {
        return render_error(&state, &parts.headers, e).await;
    }
    let result = match get("action") {
        "create" => tickets::create_api_key(&state.db, &user, get("unit"), get("name")).await.map(|(key, _)| Some(key)),
        "revoke" => match get("id").parse::<i64>() {
            Ok(id) => tickets::revoke_api_key(&state.db, &user, id).await.map(|()| None),
            Err(_) => Err(unknown_action()),
        },
        _ => Err(unknown_action()),
    };
    match result {
        // The key exists only in this answer; a redirect would lose it.
        Ok(Some(key)) => page_with(&state, parts, move || provide_context(NewApiKey(key.clone()))).await,
        Ok(None) => Redirect::to("/quan-tri/khoa-api?ok=1").into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let attempt = AdminAttempt { error, form };
            let mut res = page_with(&state, parts, move || provide_context(attempt.clone())).await;
            *res.status_mut() = status;
            res
        }
    }
}

/// `POST /quan-tri/may-tinh-bang`: make a one-time enrolment code for a counter's tablet (shown
/// on the page that answers, never again), or revoke a tablet.
pub async fn tablets(State(state): State<AppState>, req: Request) -> Response {
    use domain::forms::NewTabletCode;
    use services::tablets as tablet_service;
    let (parts, body) = req.into_parts();
    let Some(user) = current_user(&state, &parts.headers).await else {
        return Redirect::to("/dang-nhap?next=/quan-tri/may-tinh-bang").into_response();
    };
    let pairs = match read_pairs(&parts.headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return render_error(&state, &parts.headers, e).await,
    };
    let form: HashMap<String, String> = pairs.into_iter().collect();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if let Err(e) = check_csrf(&user, form.get("csrf").map(String::as_str)) {
        return render_error(&state, &parts.headers, e).await;
    }
    let result = match get("action") {
        "create" => {
            tablet_service::create(&state.db, &user, get("counter"), get("name")).await.map(|(device, code)| {
                let counter = get("counter").trim().to_owned();
                let link = format!("{}/k/{counter}", state.settings.public_url.trim_end_matches('/'));
                tracing::info!(tablet = device.id, counter, "tablet enrolment code made");
                Some(NewTabletCode { counter_code: counter, code, link })
            })
        }
        "revoke" => match get("id").parse::<i64>() {
            Ok(id) => tablet_service::revoke(&state.db, &user, id).await.map(|()| None),
            Err(_) => Err(unknown_action()),
        },
        _ => Err(unknown_action()),
    };
    match result {
        // The code exists only in this answer; a redirect would lose it.
        Ok(Some(fresh)) => page_with(&state, parts, move || provide_context(fresh.clone())).await,
        Ok(None) => Redirect::to("/quan-tri/may-tinh-bang?ok=1").into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let attempt = AdminAttempt { error, form };
            let mut res = page_with(&state, parts, move || provide_context(attempt.clone())).await;
            *res.status_mut() = status;
            res
        }
    }
}
