//! Open311 GeoReport v2 at `/open311/v2/` (see docs/OPEN311.md): service discovery, the
//! service list (our feedback categories) and their definitions, creating requests (residents'
//! cases, through the same checks as the web form) and reading them, in XML (required by the
//! specification) and JSON (top-level arrays), chosen by the file suffix. Errors are arrays of
//! `{code, description}` with 404 for unknown resources, 403 for a missing or wrong `api_key`,
//! 400 for anything else. GET output never holds a name, phone, e-mail or device, and lists only
//! what the public disclosure page `/cong-khai` publishes: cases that are published and not
//! hidden, positions rounded to 3 decimal places (about 100 m), phone and identity numbers in
//! the text masked, and none of the resident's own words beyond the description. Extensions:
//! `extensions=true` (update history), `page`/`page_size`, `data:` URLs as `media_url`, and
//! mySociety's `servicerequestupdates`.

mod body;
mod format;

use crate::request::accept_language as lang_of;
use crate::request::client_ip;
use app::i18n::errors::Explain;
use axum::{
    Router,
    extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use body::{UNKEYED_LIMIT, query_key, read_keyed_body};
use chrono::{DateTime, Duration, Utc};
use domain::{
    cases::{Kind, Status},
    error::ErrorCode,
    privacy::mask_personal_numbers,
};
use format::{Fmt, Params, V, errors, internal, respond, s, split};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use services::{
    cases::{self, NewCase},
    entity::{agency, case_event, feedback_case, feedback_category},
    photos::{self, PhotoError},
    state::AppState,
    tickets,
};
use std::{collections::HashMap, net::SocketAddr};

/// The default and largest window of GET requests.
const WINDOW_DAYS: i64 = 90;
const MAX_ITEMS: u64 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{file}", get(get_file).post(post_file))
        .route("/services/{file}", get(service_definition))
        .route("/requests/{file}", get(one_request))
        .layer(DefaultBodyLimit::max(UNKEYED_LIMIT))
        .fallback(|| async { (StatusCode::NOT_FOUND, "").into_response() })
}

/// A `jurisdiction_id`, when given, must be the code of a top unit of this installation.
async fn check_jurisdiction(state: &AppState, p: &Params, fmt: Fmt) -> Result<(), Response> {
    let Some(j) = p.get("jurisdiction_id") else { return Ok(()) };
    let root = agency::Entity::find()
        .filter(agency::Column::Code.eq(j))
        .filter(agency::Column::ParentId.is_null())
        .one(&state.db)
        .await
        .ok()
        .flatten();
    match root {
        Some(_) => Ok(()),
        None => Err(errors(fmt, StatusCode::NOT_FOUND, vec![format!("jurisdiction_id {j} not found")])),
    }
}

async fn get_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let Some((name, fmt)) = split(&file) else { return (StatusCode::NOT_FOUND, "").into_response() };
    let p = Params(q);
    if let Err(r) = check_jurisdiction(&state, &p, fmt).await {
        return r;
    }
    match name {
        "discovery" => discovery(&state, fmt),
        "services" => services(&state, fmt).await,
        "requests" => list_requests(&state, fmt, &p).await,
        "servicerequestupdates" => updates(&state, fmt, &p, &headers).await,
        _ => errors(fmt, StatusCode::NOT_FOUND, vec![format!("{name} not found")]),
    }
}

fn discovery(state: &AppState, fmt: Fmt) -> Response {
    let base = &state.settings.public_url;
    let changeset = "2026-11-25T00:00:00Z";
    let endpoint = V::O(vec![
        ("specification", s("http://wiki.open311.org/GeoReport_v2")),
        ("url", s(format!("{base}/open311/v2"))),
        ("changeset", s(changeset)),
        ("type", s("production")),
        ("formats", V::L("format", vec![s("text/xml"), s("application/json")])),
    ]);
    let v = V::O(vec![
        ("changeset", s(changeset)),
        ("contact", s(format!("Gửi phản ánh tại {base}/gop-y · Feedback form: {base}/gop-y"))),
        ("key_service", s("API keys are issued by each agency's administrator at /quan-tri/khoa-api")),
        ("endpoints", V::L("endpoint", vec![endpoint])),
    ]);
    respond(fmt, StatusCode::OK, "discovery", v)
}

async fn categories(state: &AppState) -> Option<Vec<feedback_category::Model>> {
    cases::categories(&state.db).await.ok()
}

async fn services(state: &AppState, fmt: Fmt) -> Response {
    let Some(list) = categories(state).await else { return internal(fmt) };
    let items = list
        .iter()
        .map(|c| {
            V::O(vec![
                ("service_code", s(&c.code)),
                ("service_name", s(&c.name_vi)),
                ("description", s(if c.description_vi.is_empty() { &c.name_en } else { &c.description_vi })),
                ("metadata", V::B(true)),
                ("type", s("realtime")),
                ("keywords", s(&c.keywords)),
                ("group", s(&c.group_code)),
            ])
        })
        .collect();
    respond(fmt, StatusCode::OK, "services", V::L("service", items))
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::OnSite => "Phản ánh hiện trường (on-site problem; a photo is required)",
        Kind::Procedure => "Về thủ tục hành chính (administrative procedure)",
        Kind::Conduct => "Về thái độ, tác phong cán bộ (an official's conduct)",
        Kind::Proposal => "Đề xuất, sáng kiến (proposal or reform idea)",
    }
}

async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let Some((code, fmt)) = split(&file) else { return (StatusCode::NOT_FOUND, "").into_response() };
    if let Err(r) = check_jurisdiction(&state, &Params(q), fmt).await {
        return r;
    }
    let Some(list) = categories(&state).await else { return internal(fmt) };
    if !list.iter().any(|c| c.code == code) {
        return errors(fmt, StatusCode::NOT_FOUND, vec![format!("service_code {code} not found")]);
    }
    let attribute =
        |order: i64, code: &str, datatype: &str, required: bool, help: &str, text: &str, values: Vec<(&str, &str)>| {
            let mut fields = vec![
                ("variable", V::B(true)),
                ("code", s(code)),
                ("datatype", s(datatype)),
                ("required", V::B(required)),
                ("datatype_description", s(help)),
                ("order", V::I(order)),
                ("description", s(text)),
            ];
            if !values.is_empty() {
                let items = values.into_iter().map(|(k, n)| V::O(vec![("key", s(k)), ("name", s(n))])).collect();
                fields.push(("values", V::L("value", items)));
            }
            V::O(fields)
        };
    let kinds: Vec<(&str, &str)> = Kind::ALL.iter().map(|k| (k.code(), kind_name(*k))).collect();
    let attrs = vec![
        attribute(1, "kind", "singlevaluelist", true, "", "Loại phản ánh / Kind of feedback", kinds),
        attribute(
            2,
            "agency_code",
            "string",
            false,
            "Mã đơn vị nhận phản ánh (see /api/v1/agencies); empty: the province triages it",
            "Cơ quan nhận phản ánh / Agency",
            vec![],
        ),
        attribute(
            3,
            "anonymous",
            "singlevaluelist",
            false,
            "",
            "Gửi ẩn danh: không lưu thông tin liên hệ / Anonymous: no contact details are kept",
            vec![("false", "Không / No"), ("true", "Có / Yes")],
        ),
    ];
    let v = V::O(vec![("service_code", s(code)), ("attributes", V::L("attribute", attrs))]);
    respond(fmt, StatusCode::OK, "service_definition", v)
}

async fn post_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: axum::extract::RawQuery,
    body: axum::body::Body,
) -> Response {
    let Some((name, fmt)) = split(&file) else { return (StatusCode::NOT_FOUND, "").into_response() };
    if name != "requests" {
        return errors(fmt, StatusCode::NOT_FOUND, vec![format!("{name} not found")]);
    }
    let body = match read_keyed_body(&state, fmt, query.0.as_deref(), &headers, body).await {
        Ok(b) => b,
        Err(refusal) => return refusal,
    };
    let Ok(mut pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return errors(fmt, StatusCode::BAD_REQUEST, vec!["The body must be application/x-www-form-urlencoded".into()]);
    };
    // A key in the query string counts as if it came first in the body.
    if let Some(k) = query_key(query.0.as_deref()) {
        pairs.insert(0, ("api_key".to_owned(), k));
    }
    let p = Params(pairs);
    let key = match tickets::authenticate(&state.db, p.get("api_key").unwrap_or("")).await {
        Ok(k) => k,
        Err(e) if e.code == ErrorCode::NotSignedIn => {
            return errors(
                fmt,
                StatusCode::FORBIDDEN,
                vec!["Invalid api_key received -- can't proceed with create_request.".into()],
            );
        }
        Err(_) => return internal(fmt),
    };
    if let Err(e) = domain::text::check_pairs(p.0.iter().map(|(n, v)| (n, v))) {
        let lang = lang_of(&headers);
        let list = e.fields.iter().map(|f| format!("{}: {}", f.field, f.message(lang))).collect();
        return errors(fmt, StatusCode::BAD_REQUEST, list);
    }
    if let Err(r) = check_jurisdiction(&state, &p, fmt).await {
        return r;
    }
    let Some(code) = p.get("service_code") else {
        return errors(fmt, StatusCode::BAD_REQUEST, vec!["service_code was not provided".into()]);
    };
    let Some(list) = categories(&state).await else { return internal(fmt) };
    if !list.iter().any(|c| c.code == code) {
        return errors(fmt, StatusCode::NOT_FOUND, vec![format!("service_code {code} not found")]);
    }
    let (lat, long, address) = (p.get("lat"), p.get("long"), p.get("address_string"));
    let address = address.map(str::to_owned).or_else(|| p.get("address_id").map(|a| format!("address_id {a}")));
    let mut problems = Vec::new();
    if lat.is_some() != long.is_some() {
        problems.push("lat and long must be given together".to_owned());
    }
    if lat.is_none() && address.is_none() {
        problems.push("A location is required: lat and long, or address_string".to_owned());
    }
    let Some(kind) = p.get("attribute[kind]") else {
        problems.push("attribute[kind] is required (see the service definition)".to_owned());
        return errors(fmt, StatusCode::BAD_REQUEST, problems);
    };
    if !problems.is_empty() {
        return errors(fmt, StatusCode::BAD_REQUEST, problems);
    }
    // Photos: data URLs only; the server fetches nothing from elsewhere.
    let mut files = Vec::new();
    let mut ignored_links = false;
    for url in p.all("media_url") {
        match photos::from_data_url(url) {
            Some(Ok(bytes)) => files.push(bytes),
            Some(Err(e)) => {
                let what = if e == PhotoError::TooLarge {
                    "media_url: a photo is larger than 5 MB"
                } else {
                    "media_url: not a JPEG, PNG or WebP data URL"
                };
                return errors(fmt, StatusCode::BAD_REQUEST, vec![what.into()]);
            }
            None => ignored_links = true,
        }
    }
    let anonymous = p.get("attribute[anonymous]") == Some("true");
    let name = [p.get("first_name"), p.get("last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let (email, phone) = (p.get("email").unwrap_or(""), p.get("phone").unwrap_or(""));
    let gave_contact = !name.is_empty() || !email.is_empty() || !phone.is_empty();
    let new = NewCase {
        kind: kind.to_owned(),
        category: code.to_owned(),
        agency: p.get("attribute[agency_code]").unwrap_or("").to_owned(),
        description: p.get("description").unwrap_or("").to_owned(),
        address: address.unwrap_or_default(),
        lat: lat.unwrap_or("").to_owned(),
        lon: long.unwrap_or("").to_owned(),
        name,
        phone: phone.to_owned(),
        email: email.to_owned(),
        anonymous,
        // The client system collected the contact details to have the case answered.
        consent: gave_contact,
        photos: files,
        channel: "open311",
        api_key_id: Some(key.id),
        client_ip: client_ip(&state, &headers, Some(peer)),
        ..Default::default()
    };
    let lang = lang_of(&headers);
    match cases::submit(&state, new).await {
        Ok(created) => {
            let mut notice = format!(
                "Đã tiếp nhận; hạn trả lời {} / Received; answer due {}",
                created.answer_due_at.format("%d/%m/%Y"),
                created.answer_due_at.format("%Y-%m-%d")
            );
            if ignored_links {
                notice.push_str(". Links in media_url are not fetched; send photos as data: URLs");
            }
            let item = V::O(vec![("service_request_id", s(created.tracking_code)), ("service_notice", s(notice))]);
            respond(fmt, StatusCode::OK, "service_requests", V::L("request", vec![item]))
        }
        Err(e) if e.status() < 500 => {
            let list = if e.fields.is_empty() {
                vec![e.message(lang)]
            } else {
                e.fields.iter().map(|f| format!("{}: {}", f.field, f.message(lang))).collect()
            };
            errors(fmt, StatusCode::BAD_REQUEST, list)
        }
        Err(e) => {
            tracing::error!(code = e.code.as_str(), detail = ?e.detail, "Open311 request not stored");
            internal(fmt)
        }
    }
}

fn parse_time(p: &Params, k: &str) -> Result<Option<DateTime<Utc>>, String> {
    match p.get(k) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("{k} must be a W3C date and time with a time zone, e.g. 2026-11-01T00:00:00+07:00")),
    }
}

/// The window of a GET: both ends optional, at most 90 days; default the last 90 days.
fn window(p: &Params) -> Result<(DateTime<Utc>, DateTime<Utc>), Vec<String>> {
    let start = parse_time(p, "start_date");
    let end = parse_time(p, "end_date");
    let (start, end) = match (start, end) {
        (Ok(s), Ok(e)) => (s, e),
        (s, e) => return Err([s.err(), e.err()].into_iter().flatten().collect()),
    };
    let now = Utc::now();
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, (s + Duration::days(WINDOW_DAYS)).min(now)),
        (None, Some(e)) => (e - Duration::days(WINDOW_DAYS), e),
        (None, None) => (now - Duration::days(WINDOW_DAYS), now),
    };
    if start > end {
        return Err(vec!["start_date is after end_date".into()]);
    }
    if end - start > Duration::days(WINDOW_DAYS) {
        return Err(vec![format!("The date range may span at most {WINDOW_DAYS} days")]);
    }
    Ok((start, end))
}

/// Decimal places of a published position: about 100 m, a street but not a house.
const POSITION_DECIMALS: i32 = 3;

fn rounded(x: f64) -> f64 {
    let scale = 10f64.powi(POSITION_DECIMALS);
    (x * scale).round() / scale
}

/// A public note as shown outside: none for what the resident wrote (their replies and reasons
/// are theirs and the officers'), personal numbers masked in the officers' notes.
fn shown_note(e: &case_event::Model) -> Option<String> {
    if is_citizens(e) {
        return None;
    }
    e.public_note.as_deref().map(mask_personal_numbers)
}

/// The request fields of each published case (never contact details).
async fn render_cases(state: &AppState, rows: Vec<feedback_case::Model>, extensions: bool) -> Option<Vec<V>> {
    let db = &state.db;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let cats: HashMap<i64, feedback_category::Model> =
        feedback_category::Entity::find().all(db).await.ok()?.into_iter().map(|c| (c.id, c)).collect();
    let units: HashMap<i64, agency::Model> =
        agency::Entity::find().all(db).await.ok()?.into_iter().map(|a| (a.id, a)).collect();
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.is_in(ids.clone()))
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await
        .ok()?;
    let photos = cases::visible_photos(db, ids).await.ok()?;
    let base = &state.settings.public_url;
    Some(
        rows.into_iter()
            .map(|c| {
                let status = Status::parse(&c.status).unwrap_or(Status::Submitted);
                let mine: Vec<&case_event::Model> =
                    events.iter().filter(|e| e.case_id == c.id && is_public(e)).collect();
                let notes = mine.iter().rev().find_map(|e| shown_note(e)).unwrap_or_else(|| c.status.clone());
                let category = cats.get(&c.category_id);
                // Photos are public once the answer is (and only published cases are listed).
                let media: Vec<String> = if c.published_at.is_some() {
                    photos.get(&c.id).into_iter().flatten().map(|id| format!("{base}/gop-y/anh/{id}")).collect()
                } else {
                    Vec::new()
                };
                let mut f = vec![
                    ("service_request_id", s(&c.tracking_code)),
                    ("status", s(status.open311())),
                    ("status_notes", s(notes)),
                    ("service_name", s(category.map(|c| c.name_vi.as_str()).unwrap_or(""))),
                    ("service_code", s(category.map(|c| c.code.as_str()).unwrap_or(""))),
                    ("description", s(mask_personal_numbers(&c.description))),
                    ("agency_responsible", s(units.get(&c.agency_id).map(|a| a.name_vi.as_str()).unwrap_or(""))),
                    ("requested_datetime", s(c.submitted_at.to_rfc3339())),
                    ("updated_datetime", s(c.updated_at.to_rfc3339())),
                    ("expected_datetime", s(c.answer_due_at.to_rfc3339())),
                ];
                // No street address: what /cong-khai publishes, and the rounded position, only
                // (a typed address may be the resident's own door).
                if let (Some(lat), Some(lon)) = (c.lat, c.lon) {
                    f.push(("lat", V::N(rounded(lat))));
                    f.push(("long", V::N(rounded(lon))));
                }
                if let Some(m) = media.first() {
                    f.push(("media_url", s(m)));
                }
                if extensions {
                    let notes = mine
                        .iter()
                        .map(|e| {
                            V::O(vec![
                                ("datetime", s(e.at.to_rfc3339())),
                                ("description", s(shown_note(e).unwrap_or_default())),
                                ("type", s(&e.action)),
                            ])
                        })
                        .collect();
                    f.push(("notes", V::L("note", notes)));
                    let photos = media.iter().map(|m| V::O(vec![("media_url", s(m))])).collect();
                    f.push((
                        "extended_attributes",
                        V::O(vec![("channel", s(&c.channel)), ("photos", V::L("photo", photos))]),
                    ));
                }
                V::O(f)
            })
            .collect(),
    )
}

/// History entries a resident may see (internal notes and moderation are not).
fn is_public(e: &case_event::Model) -> bool {
    !matches!(e.action.as_str(), "note" | "hide" | "show" | "hide_photo" | "show_photo")
}

/// Entries the resident made (filing, replies, rating, reopening): their notes are not shown.
fn is_citizens(e: &case_event::Model) -> bool {
    e.actor == "citizen"
}

async fn list_requests(state: &AppState, fmt: Fmt, p: &Params) -> Response {
    let extensions = p.get("extensions") == Some("true");
    let mut q = feedback_case::Entity::find()
        .filter(feedback_case::Column::Hidden.eq(false))
        .filter(feedback_case::Column::PublishedAt.is_not_null());
    let ids = p.list("service_request_id");
    let mut limit = MAX_ITEMS;
    let mut offset = 0;
    if ids.is_empty() {
        let (start, end) = match window(p) {
            Ok(w) => w,
            Err(list) => return errors(fmt, StatusCode::BAD_REQUEST, list),
        };
        q = q.filter(feedback_case::Column::SubmittedAt.gte(start)).filter(feedback_case::Column::SubmittedAt.lte(end));
        let codes = p.list("service_code");
        if !codes.is_empty() {
            let Some(list) = categories(state).await else { return internal(fmt) };
            let wanted: Vec<i64> = list.iter().filter(|c| codes.contains(&c.code)).map(|c| c.id).collect();
            q = q.filter(feedback_case::Column::CategoryId.is_in(wanted));
        }
        let statuses = p.list("status");
        if !statuses.is_empty() {
            if let Some(bad) = statuses.iter().find(|s| *s != "open" && *s != "closed") {
                return errors(fmt, StatusCode::BAD_REQUEST, vec![format!("status must be open or closed, not {bad}")]);
            }
            let internal_states: Vec<&str> = Status::ALL
                .into_iter()
                .filter(|st| statuses.iter().any(|x| x == st.open311()))
                .map(Status::code)
                .collect();
            q = q.filter(feedback_case::Column::Status.is_in(internal_states));
        }
        let number = |k: &str, default: u64| -> Result<u64, String> {
            match p.get(k) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("{k} must be a positive whole number")),
            }
        };
        let (page, size) = match (number("page", 1), number("page_size", MAX_ITEMS)) {
            (Ok(a), Ok(b)) => (a, b.min(MAX_ITEMS)),
            (a, b) => return errors(fmt, StatusCode::BAD_REQUEST, [a.err(), b.err()].into_iter().flatten().collect()),
        };
        limit = size;
        offset = (page - 1).saturating_mul(size);
    } else {
        q = q.filter(Condition::any().add(feedback_case::Column::TrackingCode.is_in(ids)));
    }
    let rows = match q
        .order_by_desc(feedback_case::Column::SubmittedAt)
        .order_by_desc(feedback_case::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&state.db)
        .await
    {
        Ok(r) => r,
        Err(_) => return internal(fmt),
    };
    match render_cases(state, rows, extensions).await {
        Some(items) => respond(fmt, StatusCode::OK, "service_requests", V::L("request", items)),
        None => internal(fmt),
    }
}

async fn one_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let Some((id, fmt)) = split(&file) else { return (StatusCode::NOT_FOUND, "").into_response() };
    let p = Params(q);
    if let Err(r) = check_jurisdiction(&state, &p, fmt).await {
        return r;
    }
    let row = feedback_case::Entity::find()
        .filter(feedback_case::Column::TrackingCode.eq(id))
        .filter(feedback_case::Column::Hidden.eq(false))
        .filter(feedback_case::Column::PublishedAt.is_not_null())
        .one(&state.db)
        .await;
    match row {
        Ok(Some(c)) => match render_cases(&state, vec![c], p.get("extensions") == Some("true")).await {
            Some(items) => respond(fmt, StatusCode::OK, "service_requests", V::L("request", items)),
            None => internal(fmt),
        },
        Ok(None) => errors(fmt, StatusCode::NOT_FOUND, vec![format!("service_request_id {id} not found")]),
        Err(_) => internal(fmt),
    }
}

/// mySociety's `servicerequestupdates`: the public history of every case in the window, for
/// holders of a key (published or not), without the resident's own words.
async fn updates(state: &AppState, fmt: Fmt, p: &Params, _headers: &HeaderMap) -> Response {
    let key = match tickets::authenticate(&state.db, p.get("api_key").unwrap_or("")).await {
        Ok(key) => key,
        Err(e) if e.code == ErrorCode::NotSignedIn => {
            return errors(fmt, StatusCode::FORBIDDEN, vec!["Invalid api_key received".into()]);
        }
        Err(_) => return internal(fmt),
    };
    let (start, end) = match window(p) {
        Ok(w) => w,
        Err(list) => return errors(fmt, StatusCode::BAD_REQUEST, list),
    };
    // A key reads the history of its own agency's cases (its unit and the units below), never
    // another agency's.
    let Ok(units) = services::agencies::all(&state.db).await else { return internal(fmt) };
    let scope = services::access::subtree(&units, key.agency_id);
    let events = case_event::Entity::find()
        .filter(case_event::Column::At.gte(start))
        .filter(case_event::Column::At.lte(end))
        .order_by_asc(case_event::Column::Id)
        .limit(MAX_ITEMS)
        .all(&state.db)
        .await;
    let Ok(events) = events else { return internal(fmt) };
    let ids: Vec<i64> = events.iter().map(|e| e.case_id).collect();
    let Ok(visible) = feedback_case::Entity::find()
        .filter(feedback_case::Column::Id.is_in(ids))
        .filter(feedback_case::Column::Hidden.eq(false))
        .all(&state.db)
        .await
    else {
        return internal(fmt);
    };
    let codes: HashMap<i64, String> = visible
        .into_iter()
        .filter(|c| scope.contains(&c.agency_id) || c.escalated_to_id.is_some_and(|u| scope.contains(&u)))
        .map(|c| (c.id, c.tracking_code))
        .collect();
    let items = events
        .iter()
        .filter(|e| is_public(e))
        .filter_map(|e| {
            let code = codes.get(&e.case_id)?;
            let status = Status::parse(&e.to_status).unwrap_or(Status::Submitted);
            Some(V::O(vec![
                ("update_id", s(e.id.to_string())),
                ("service_request_id", s(code)),
                ("status", s(status.open311())),
                ("updated_datetime", s(e.at.to_rfc3339())),
                ("description", s(shown_note(e).unwrap_or_else(|| e.to_status.clone()))),
                ("media_url", s("")),
                ("external_status_code", s(&e.action)),
            ]))
        })
        .collect();
    respond(fmt, StatusCode::OK, "service_request_updates", V::L("request_update", items))
}

#[cfg(test)]
mod tests {
    use super::format::{to_json, xml};
    use super::*;

    #[test]
    fn suffixes_choose_the_format() {
        assert!(matches!(split("services.xml"), Some(("services", Fmt::Xml))));
        assert!(matches!(split("PAKN.20261122.0001.json"), Some(("PAKN.20261122.0001", Fmt::Json))));
        assert!(split("services.html").is_none() && split("services").is_none());
    }

    #[test]
    fn xml_is_escaped_and_lists_nest() {
        let mut out = String::new();
        xml("requests", &V::L("request", vec![V::O(vec![("description", s("<b>&\"x\"\u{1}"))])]), &mut out);
        assert_eq!(
            out,
            "<requests><request><description>&lt;b&gt;&amp;&quot;x&quot;</description></request></requests>"
        );
        assert_eq!(to_json(&V::L("request", vec![V::O(vec![("n", V::I(1))])])).to_string(), r#"[{"n":1}]"#);
    }
}
