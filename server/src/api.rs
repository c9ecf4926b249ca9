//! The JSON API under `/api/v1`, for counter tablets and other systems; described by the
//! OpenAPI document at `/api/v1/openapi.json`. Errors are always
//! `{"code": "snake_case", "message": "...", "fields": [...]}` with the status the code implies.

use crate::json::{ApiError, api_lang, json_object};
use crate::request::client_ip;
use app::data::{report_query, today};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{ConnectInfo, Path, Query, State, rejection::QueryRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use domain::{
    error::{AppError, ErrorCode, FieldError},
    period::Period,
    sipas::Estimate,
    survey::{Channel, RawAnswer},
};
use serde_json::{Map, Value, json};
use services::meta::scoped_key;
use services::{
    agencies,
    doors::Door,
    indices,
    state::AppState,
    survey::{self, Submission},
    tickets,
};
use std::{collections::HashMap, net::SocketAddr};

/// The OpenAPI 3 description of this API, kept next to the code it describes.
pub const OPENAPI: &str = include_str!("openapi.json");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/responses", post(post_response))
        .route("/tickets", post(post_ticket))
        .route("/kiosk/{code}", post(crate::kiosk::post_rating))
        .route("/agencies", get(get_agencies))
        .route("/agencies/{code}/sipas", get(get_sipas))
        .route("/openapi.json", get(openapi))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn unknown_route(headers: HeaderMap) -> ApiError {
    ApiError::new(ErrorCode::NotFound.into(), api_lang(&headers))
}

async fn method_not_allowed(headers: HeaderMap) -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed.into(), api_lang(&headers))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// `GET /api/v1/agencies`: the current tree of units with their counters.
async fn get_agencies(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match agencies::tree(&state.db, today()).await {
        Ok(tree) => Json(json!({ "agencies": tree })).into_response(),
        Err(e) => ApiError::new(e, api_lang(&headers)).into_response(),
    }
}

fn estimate_json(e: &Estimate) -> Value {
    json!({
        "index": e.index,
        "n": e.n,
        "ci95": e.ci95.map(|(lo, hi)| [lo, hi]),
        "low_sample": e.low_sample,
    })
}

/// `GET /api/v1/agencies/{code}/sipas?from&to&rollup`
async fn get_sipas(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let lang = api_lang(&headers);
    let Ok(Query(q)) = query else {
        return ApiError::new(ErrorCode::InvalidQuery.into(), lang).into_response();
    };
    let result = async {
        let get = |k: &str| q.get(k).cloned();
        let query = report_query(&domain::dto::ReportParams {
            from: get("from"),
            to: get("to"),
            rollup: get("rollup"),
            basis: get("basis"),
            questionnaire: get("questionnaire"),
            step: None,
        })?;
        let (period, rollup) = (query.period, query.rollup);
        let (unit, report) = services::analytics::unit_report(&state, &code, &query).await?;
        let viewer = crate::session::current_user(&state, &headers).await;
        let detailed = indices::may_see_breakdown(&state, viewer.as_ref(), unit.id).await?;
        Ok::<_, AppError>((unit, report, period, rollup, detailed, query.basis))
    }
    .await;
    match result {
        Ok((unit, report, Period { from, to }, rollup, detailed, basis)) => {
            let scored = |list: &[domain::sipas::Scored]| -> Vec<Value> {
                list.iter()
                    .map(|s| {
                        let mut v = estimate_json(&s.estimate);
                        v["code"] = json!(s.code);
                        v
                    })
                    .collect()
            };
            let mut body = estimate_json(&report.overall);
            body["agency"] = json!(unit.code);
            body["from"] = json!(from);
            body["to"] = json!(to);
            body["rollup"] = json!(rollup.as_str());
            body["basis"] = json!(basis.as_str());
            // The public summary is the index, n and interval; the breakdown is for the staff of
            // the unit's subtree (signed in with the same session as the site).
            body["breakdown"] = json!(if detailed { "included" } else { "staff_only" });
            body["elements"] = json!(if detailed { scored(&report.elements) } else { Vec::new() });
            body["criteria"] = json!(if detailed { scored(&report.criteria) } else { Vec::new() });
            body["label"] = json!("SIPAS-style index (not the official SIPAS)");
            Json(body).into_response()
        }
        Err(e) => ApiError::new(e, lang).into_response(),
    }
}

/// What a response is for: a counter's open survey, or a receipt's ticket.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Counter(String),
    Ticket(String),
}

/// Reads the JSON body of `POST /responses` into a submission, naming every bad field. The
/// channel the client asks for is returned apart: the server decides it from the credential.
fn parse_submission(body: &Map<String, Value>) -> Result<(Target, Submission, Option<String>), AppError> {
    let mut errors = Vec::new();
    let mut sub = Submission::default();
    let mut channel = None;
    let mut counter = None;
    let mut ticket = None;
    for (key, value) in body {
        match key.as_str() {
            "counter" => match value {
                Value::String(s) => counter = Some(s.clone()),
                _ => errors.push(FieldError::new("counter", ErrorCode::WrongType)),
            },
            "channel" => match value {
                Value::String(s) => channel = Some(s.clone()),
                Value::Null => {}
                _ => errors.push(FieldError::new("channel", ErrorCode::WrongType)),
            },
            "comment" => match value {
                Value::String(s) => sub.comment = Some(s.clone()),
                Value::Null => {}
                _ => errors.push(FieldError::new("comment", ErrorCode::WrongType)),
            },
            "ticket" => match value {
                Value::String(s) => ticket = Some(s.clone()),
                Value::Null => {}
                _ => errors.push(FieldError::new("ticket", ErrorCode::WrongType)),
            },
            "procedure" => match value {
                Value::String(s) => sub.procedure = Some(s.clone()),
                Value::Null => {}
                _ => errors.push(FieldError::new("procedure", ErrorCode::WrongType)),
            },
            "answers" => match value {
                Value::Object(map) => {
                    for (code, v) in map {
                        let raw = match v {
                            Value::Null => RawAnswer::Blank,
                            Value::Number(n) => n.as_i64().map(RawAnswer::Integer).unwrap_or(RawAnswer::Other),
                            Value::String(s) => RawAnswer::Text(s.clone()),
                            _ => RawAnswer::Other,
                        };
                        sub.answers.insert(code.clone(), raw);
                    }
                }
                _ => errors.push(FieldError::new("answers", ErrorCode::WrongType)),
            },
            other => sub.unknown_fields.push(other.to_owned()),
        }
    }
    if !body.contains_key("answers") {
        errors.push(FieldError::new("answers", ErrorCode::Required));
    }
    match (counter, ticket) {
        (Some(c), None) if errors.is_empty() => Ok((Target::Counter(c), sub, channel)),
        (None, Some(t)) if errors.is_empty() => Ok((Target::Ticket(t), sub, channel)),
        (None, None) if !body.contains_key("counter") && !body.contains_key("ticket") => {
            errors.insert(0, FieldError::new("counter", ErrorCode::Required));
            Err(AppError::invalid(errors))
        }
        (Some(_), Some(_)) => {
            errors.push(FieldError::new("ticket", ErrorCode::UnknownField));
            Err(AppError::invalid(errors))
        }
        _ => Err(AppError::invalid(errors)),
    }
}

/// `POST /api/v1/responses`: stores one response; 201 with its id. With an `Idempotency-Key`
/// header, sending the same key again for the same counter stores nothing and answers 200
/// with the first response's id.
async fn post_response(
    State(state): State<AppState>,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let lang = api_lang(&headers);
    let map = match json_object(&headers, body) {
        Ok(m) => m,
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    let (target, mut sub, asked) = match parse_submission(&map) {
        Ok(parsed) => parsed,
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    // The door, and so the channel, follows from the credential presented, never from the
    // body: without a key this is a citizen's phone (`qr`); another system with its agency's
    // key relays citizens' ratings (`api`) or keys in paper forms (`paper`).
    let key = match presented_key(&headers) {
        None => None,
        Some(presented) => match tickets::authenticate(&state.db, &presented).await {
            Ok(key) => Some(key),
            Err(e) => return ApiError::new(e, lang).into_response(),
        },
    };
    let asked = match asked.as_deref().map(|c| (c, Channel::parse(c))) {
        Some((_, Some(channel))) => Some(channel),
        Some((_, None)) => {
            // Reported with every other bad field.
            sub.problems.push(FieldError::new("channel", ErrorCode::UnknownChannel));
            None
        }
        None => None,
    };
    let found = match &target {
        Target::Counter(code) => services::doors::counter_context(&state, code).await.map(|ctx| (ctx, None)),
        Target::Ticket(token) => tickets::open(&state, token).await.map(|open| (open.counter, Some(open.ticket))),
    };
    let (ctx, ticket) = match found {
        Ok(found) => found,
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    sub.door = match (ticket, key, asked) {
        (Some(t), _, None | Some(Channel::Qr)) => Door::Receipt(t),
        (None, None, None | Some(Channel::Qr)) => Door::OpenQr,
        (None, Some(key), None | Some(Channel::Api)) => Door::System { key, channel: Channel::Api },
        (None, Some(key), Some(Channel::Paper)) => Door::System { key, channel: Channel::Paper },
        // A tablet's channel needs the tablet's enrolment (POST /api/v1/kiosk/{code}); a
        // system's needs its key.
        (_, None, Some(_)) => return ApiError::new(ErrorCode::CredentialRequired.into(), lang).into_response(),
        _ => {
            let e = AppError::invalid(vec![FieldError::new("channel", ErrorCode::ChannelNotAllowed)]);
            return ApiError::new(e, lang).into_response();
        }
    };
    sub.client_ip = client_ip(&state, &headers, connect.map(|c| c.0.0));
    sub.user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    sub.submission_key = match crate::headers::idempotency_key(&headers) {
        Ok(k) => k.map(|k| scoped_key(ctx.counter.id, &k)),
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    match survey::submit(&state, &ctx, sub).await {
        Ok(stored) => {
            let status = if stored.duplicate { StatusCode::OK } else { StatusCode::CREATED };
            (status, Json(json!({"id": stored.response_id, "duplicate": stored.duplicate}))).into_response()
        }
        Err(e) => ApiError::new(e, lang).into_response(),
    }
}

/// The API key a request presents: `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
fn presented_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
        .map(|k| k.trim().to_owned())
}

/// `POST /api/v1/tickets`: a one-stop system asks for a one-time survey link for a dossier,
/// to print on the receipt. Authenticated by its agency's API key.
async fn post_ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let lang = api_lang(&headers);
    let fail = |e: AppError| ApiError::new(e, lang).into_response();
    let Some(presented) = presented_key(&headers) else {
        return fail(ErrorCode::NotSignedIn.into());
    };
    let key = match tickets::authenticate(&state.db, &presented).await {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let map = match json_object(&headers, body) {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    let text = |k: &str| map.get(k).and_then(Value::as_str);
    let mut problems = Vec::new();
    for field in ["counter", "dossier_code"] {
        if text(field).is_none() {
            problems.push(FieldError::new(field, ErrorCode::Required));
        }
    }
    for field in map.keys().filter(|k| !["counter", "dossier_code", "procedure"].contains(&k.as_str())) {
        problems.push(FieldError::new(field.clone(), ErrorCode::UnknownField));
    }
    if !problems.is_empty() {
        return fail(AppError::invalid(problems));
    }
    let issued = tickets::issue(
        &state,
        &key,
        text("counter").unwrap_or(""),
        text("dossier_code").unwrap_or(""),
        text("procedure"),
    )
    .await;
    match issued {
        Ok(t) => (
            StatusCode::CREATED,
            Json(json!({"id": t.id, "survey_url": t.url, "expires_at": t.expires_at, "qr_svg": t.qr_svg})),
        )
            .into_response(),
        Err(e) => fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_complete_body_parses() {
        let (target, sub, channel) = parse_submission(&obj(json!({
            "counter": "abc234", "channel": "kiosk", "answers": {"II.A1": 5, "II.A2": null, "II.A3": 4.5, "BV.F2": "Thêm ghế"},
            "comment": "ok", "procedure": null
        })))
        .unwrap();
        assert_eq!(target, Target::Counter("abc234".into()));
        assert_eq!(channel.as_deref(), Some("kiosk"), "asked for, decided later from the credential");
        assert_eq!(sub.answers["II.A1"], RawAnswer::Integer(5));
        assert_eq!(sub.answers["II.A2"], RawAnswer::Blank);
        assert_eq!(sub.answers["II.A3"], RawAnswer::Other);
        assert_eq!(sub.answers["BV.F2"], RawAnswer::Text("Thêm ghế".into()));
        assert_eq!(sub.procedure, None);
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let err = parse_submission(&obj(json!({"answers": [], "comment": 7}))).unwrap_err();
        let fields: Vec<(&str, ErrorCode)> = err.fields.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert!(fields.contains(&("counter", ErrorCode::Required)));
        assert!(fields.contains(&("answers", ErrorCode::WrongType)));
        assert!(fields.contains(&("comment", ErrorCode::WrongType)));
        let err = parse_submission(&obj(json!({"counter": "abc234"}))).unwrap_err();
        assert_eq!(err.fields[0].code, ErrorCode::Required);
    }

    #[test]
    fn unknown_fields_are_kept_for_reporting() {
        let (_, sub, _) = parse_submission(&obj(json!({"counter": "abc234", "answers": {}, "rating": 5}))).unwrap();
        assert_eq!(sub.unknown_fields, ["rating"]);
    }

    #[test]
    fn the_openapi_document_is_valid_json_and_lists_every_route() {
        let doc: Value = serde_json::from_str(OPENAPI).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/responses", "/tickets", "/agencies", "/agencies/{code}/sipas", "/openapi.json"] {
            assert!(doc["paths"].get(path).is_some(), "{path} undocumented");
        }
        // Every security requirement names a scheme the document defines, and every error
        // answer has the one error body.
        let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for requirement in op["security"].as_array().into_iter().flatten() {
                    for name in requirement.as_object().unwrap().keys() {
                        assert!(schemes.contains_key(name), "{method} {path}: unknown scheme {name}");
                    }
                }
                for (status, answer) in op["responses"].as_object().unwrap() {
                    if status.starts_with('4') || status.starts_with('5') {
                        let schema = &answer["content"]["application/json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/Error", "{method} {path} {status}");
                    }
                }
            }
        }
    }
}
