//! The HTTP surface: Leptos pages, the survey form's POST, QR images, the language switch,
//! the health check and the JSON API, with compression and security headers around them.

use crate::{admin, api, session, staff};
use app::{
    App,
    app::{PageError, Session},
    i18n::{LANG_COOKIE, Lang},
    pages::survey::{
        COMMENT_FIELD, CONTACT_CONSENT, CONTACT_EMAIL, CONTACT_NAME, CONTACT_PHONE, FORM_TOKEN_FIELD, HONEYPOT_FIELD,
        PROCEDURE_FIELD, SubmittedSurvey,
    },
    shell,
};
use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use domain::error::{AppError, ErrorCode};
use domain::survey::RawAnswer;
use futures::{Stream, StreamExt, stream};
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::DatabaseConnection;
use services::{
    meta, qr,
    state::{AppState, InstrumentCache, Settings},
    survey::{self, Door, Submission, SurveyContact},
    tickets,
};
use std::{collections::HashMap, future::Future, net::SocketAddr, pin::Pin, sync::Arc};
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer, trace::TraceLayer,
};

/// Largest request body accepted anywhere: a full survey with a 2,000-character comment is
/// well under 16 KB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How the server is set up.
#[derive(Clone, Debug)]
pub struct Config {
    pub settings: Settings,
    /// Folder with the browser bundle (`pkg/`), as built by cargo-leptos.
    pub site_root: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { settings: Settings::default(), site_root: "target/site".into() }
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("ydan")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .env(leptos::config::Env::PROD)
        .build()
}

/// Everything a request may need, built once at start-up.
pub async fn build_state(db: DatabaseConnection, config: &Config) -> Result<AppState, AppError> {
    let key = meta::device_hash_key(&db).await?;
    let ticket_key = meta::ticket_key(&db).await?;
    let tracking_key = meta::tracking_key(&db).await?;
    let contact_key = services::contacts::load_key(&db, &config.settings.contact_key).await?;
    services::contacts::encrypt_plain_rows(&db, &contact_key).await?;
    services::outbox::forget_resident_addresses(&db).await?;
    services::calendar::keep_up_to_date(&db).await?;
    Ok(AppState {
        leptos_options: leptos_options(config),
        db,
        settings: Arc::new(config.settings.clone()),
        instruments: InstrumentCache::default(),
        staff_networks: Default::default(),
        device_hash_key: Arc::new(key),
        ticket_key: Arc::new(ticket_key),
        tracking_key: Arc::new(tracking_key),
        contact_key: Arc::new(contact_key),
        write_lock: Arc::default(),
        upload_budget: services::uploads::UploadBudget::default(),
    })
}

/// Context every server-rendered page gets.
fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || {
        provide_context(state.clone());
        provide_context(state.leptos_options.clone());
    }
}

type HtmlStream = Pin<Box<dyn Stream<Item = String> + Send>>;

/// Renders a page completely before sending it (every page must work without JavaScript, so
/// nothing may arrive later by script). The hydration data Leptos appends is only sent when the
/// page has islands that need it; other pages carry no script at all.
fn whole_page(
    app: AnyView,
    chunks: Box<dyn FnOnce() -> HtmlStream + Send>,
    _out_of_order: bool,
) -> Pin<Box<dyn Future<Output = HtmlStream> + Send>> {
    Box::pin(async move {
        let html: String = app.to_html_stream_in_order().collect().await;
        if html.contains("<leptos-island") {
            Box::pin(stream::once(async move { html }).chain(chunks())) as HtmlStream
        } else {
            Box::pin(stream::once(async move { html })) as HtmlStream
        }
    })
}

/// Renders the page for `req` (whatever its method) with extra context, knowing who is signed in.
pub(crate) async fn render_page(
    state: &AppState,
    req: Request,
    extra: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let user = session::current_user(state, req.headers()).await;
    let shown = match &user {
        Some(u) => Some(session::signed_in(state, u).await),
        None => None,
    };
    let base = page_context(state);
    let options = state.leptos_options.clone();
    leptos_axum::handle_response_inner(
        move || {
            base();
            provide_context(Session(shown.clone()));
            if let Some(u) = user.clone() {
                provide_context(u);
            }
            extra();
        },
        move || shell(options).into_any(),
        req,
        whole_page,
    )
    .await
    .into_response()
}

/// Renders the page at the address of a request whose body was already read (a form POST).
pub(crate) async fn page_with(
    state: &AppState,
    parts: axum::http::request::Parts,
    extra: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    render_page(state, Request::from_parts(parts, Body::empty()), extra).await
}

/// A friendly error page with the error's status, in the visitor's language.
pub(crate) async fn render_error(state: &AppState, headers: &HeaderMap, error: AppError) -> Response {
    let mut req = Request::new(Body::empty());
    *req.headers_mut() = headers.clone();
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = render_page(state, req, move || provide_context(PageError(error.clone()))).await;
    *res.status_mut() = status;
    res
}

/// Every page route.
async fn page(State(state): State<AppState>, req: Request) -> Response {
    render_page(&state, req, || ()).await
}

/// Server functions (`/fn/*`), through which pages load their data; they see the same
/// signed-in user as pages do.
async fn server_function(State(state): State<AppState>, req: Request) -> Response {
    let user = session::current_user(&state, req.headers()).await;
    let base = page_context(&state);
    let res = leptos_axum::handle_server_fns_with_context(
        move || {
            base();
            if let Some(u) = user.clone() {
                provide_context(u);
            }
        },
        req,
    )
    .await
    .into_response();
    with_error_status(res).await
}

/// leptos answers every server function's error with 500; an [`AppError`] (serialized as JSON,
/// e.g. `{"code":"counter_not_found"}`) gets its own status instead: 404, 403, 401, 422… The
/// browser's side reads any 4xx or 5xx as the error, so islands are unaffected.
async fn with_error_status(res: Response) -> Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The pages of the app, listed once per process. Listing them renders the app with resource
/// loading suppressed process-wide, so it must never overlap a page being served: a resource
/// first polled during that window would wait forever (leptos-rs/leptos#4773). Servers built
/// later in the same process (the integration tests build many) reuse the first listing.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    // Leptos runs its tasks on the Tokio runtime.
    let _ = any_spawner::Executor::init_tokio();
    let routes = route_list();
    let pkg_dir = format!("{}/{}", state.leptos_options.site_root, state.leptos_options.site_pkg_dir);
    let security_headers = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/lang/{lang}", get(switch_language))
        .route("/s/{code}", post(submit_survey_form))
        .route("/s/{code}/qr.svg", get(qr_svg))
        .route("/s/{code}/qr.png", get(qr_png))
        .route("/t/{token}", post(submit_ticket_form))
        .route("/k/{code}", post(crate::kiosk::submit_form))
        .route("/k/{code}/ghi-danh", post(crate::kiosk::enrol))
        .route("/fn/{*name}", post(server_function))
        .route("/dang-nhap", post(staff::sign_in))
        .route("/dang-xuat", post(staff::sign_out))
        .route("/tai-khoan", post(staff::change_password))
        .route("/quan-tri/don-vi", post(admin::units))
        .route("/quan-tri/quay", post(admin::counters))
        .route("/quan-tri/bang-hoi", post(admin::questionnaires_list))
        .route("/quan-tri/bang-hoi/{id}", post(admin::questionnaire))
        .route("/quan-tri/thu-tuc", post(admin::procedures))
        .route("/quan-tri/nguoi-dung", post(admin::users))
        .route("/quan-tri/khoa-api", post(admin::api_keys))
        .route("/quan-tri/may-tinh-bang", post(admin::tablets))
        .route("/quan-tri/pakn", post(crate::feedback::settings))
        .route("/dashboard/{code}", post(crate::analytics::dashboard))
        .route("/xuat/{id}/tai-ve", get(crate::analytics::download))
        .route("/gop-y", post(crate::feedback::submit).layer(DefaultBodyLimit::max(crate::feedback::FORM_LIMIT)))
        .route("/gop-y/tra-cuu", get(crate::feedback::lookup))
        .route("/gop-y/theo-doi/{code}", post(crate::feedback::citizen))
        .route("/gop-y/anh/{id}", get(crate::feedback::photo))
        .route("/gop-y/anh/{id}/nho", get(crate::feedback::thumb))
        .route("/pakn/{code}", post(crate::feedback::officer))
        .nest("/api/v1", api::router())
        .nest("/open311/v2", crate::open311::router())
        .leptos_routes_with_handler(routes, get(page))
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .fallback(page)
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::same_origin_guard))
        .layer(axum::middleware::from_fn(no_store_private_links))
        .layer(axum::middleware::from_fn(refuse_nul_in_address))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(security_headers)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Addresses that carry a resident's private key (`?k=`): the tracking page, the page after
/// sending and the look-up that leads to them.
fn is_private_link(path: &str) -> bool {
    // Tracking links carry the resident's key; staff pages carry contact details, one-time
    // enrolment codes and new API keys.
    ["/gop-y/theo-doi/", "/gop-y/da-gui/", "/gop-y/tra-cuu", "/quan-tri", "/pakn", "/dang-nhap", "/tai-khoan", "/xuat/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// A NUL byte in the path or query (`%00`) can mean nothing here, and PostgreSQL refuses it in
/// a query: 400 for every route, before any handler reads it. The JSON API answers with its own
/// error body (`invalid_address`) in the caller's language, as its OpenAPI document says.
async fn refuse_nul_in_address(req: Request, next: axum::middleware::Next) -> Response {
    let address = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("");
    if address.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0') {
        if req.uri().path().starts_with("/api/") {
            let lang = api::api_lang(req.headers());
            return api::ApiError::new(ErrorCode::InvalidAddress.into(), lang).into_response();
        }
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Địa chỉ có ký tự không hợp lệ (NUL). / The address holds an invalid character (NUL).",
        )
            .into_response();
    }
    next.run(req).await
}

/// Responses to private links are never kept by a browser's or a proxy's cache.
async fn no_store_private_links(req: Request, next: axum::middleware::Next) -> Response {
    let private = is_private_link(req.uri().path());
    let mut res = next.run(req).await;
    if private {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok", "database": "ok"}))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

/// A local path to return to after switching language or signing in; anything else goes home,
/// so the link cannot be abused to send people to another site. `next` is already decoded once
/// (from the query or the form).
pub(crate) fn safe_next(next: Option<&String>) -> String {
    next.and_then(|n| local_path(n)).unwrap_or_else(|| "/".to_owned())
}

/// Decodes `%XX` escapes (invalid UTF-8 becomes U+FFFD).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `raw` read as a relative path of this site, ready for a `Location` header; `None` when it
/// could lead elsewhere or break the header. Browsers drop tabs and line breaks from URLs and
/// read `\` as `/`, so `/\t/evil.example` would become `//evil.example` (another site): control
/// characters and backslashes are refused, before and after one more percent-decoding, and
/// what is left without whitespace must start with exactly one `/` (so no scheme either).
fn local_path(raw: &str) -> Option<String> {
    let decoded = percent_decoded(raw);
    for s in [raw, decoded.as_str()] {
        if s.chars().any(|c| c.is_control() || c == '\\') {
            return None;
        }
        let squeezed: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if !squeezed.starts_with('/') || squeezed.starts_with("//") {
            return None;
        }
    }
    if !raw.starts_with('/') {
        return None;
    }
    // Spaces and non-ASCII characters are escaped, so the header always holds visible ASCII.
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

/// `GET /lang/{vi|en}?next=/path`: remembers the language for a year and goes back.
async fn switch_language(Path(lang): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(lang) = Lang::parse(&lang) else {
        return (StatusCode::NOT_FOUND, "").into_response();
    };
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.tag());
    let mut res = Redirect::to(&safe_next(q.get("next"))).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, value);
    }
    res
}

/// The client's address: the socket peer, or, behind `trusted_proxies` reverse proxies of our
/// own, the `X-Forwarded-For` entry that many places from the right: each of our proxies
/// appends the address it saw, so the entries further left were written by the client and
/// prove nothing. Several headers count as one list, in order.
pub fn client_ip(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<String> {
    forwarded_client(state.settings.trusted_proxies, headers)
        .or_else(|| peer.map(|p| p.ip().to_canonical().to_string()))
}

fn forwarded_client(trusted_proxies: usize, headers: &HeaderMap) -> Option<String> {
    if trusted_proxies == 0 {
        return None;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    let hop = hops.len().checked_sub(trusted_proxies).and_then(|i| hops.get(i))?;
    // An IPv4 client written as IPv6 (`::ffff:a.b.c.d`) is the IPv4 client, for every check.
    hop.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_canonical().to_string())
}

pub use services::meta::scoped_key;

/// `POST /s/{code}`: the survey form without JavaScript. Success → 303 to the thank-you page;
/// invalid answers → the same page again, answers kept, problems marked, status 422.
async fn submit_survey_form(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    submit_form(state, req, FormTarget::Counter(code)).await
}

/// `POST /t/{token}`: the survey of a receipt's one-time link; stored as verified, once.
async fn submit_ticket_form(State(state): State<AppState>, Path(token): Path<String>, req: Request) -> Response {
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
        FormTarget::Counter(code) => survey::counter_context(&state, code).await.map(|ctx| (ctx, None)),
        FormTarget::Ticket(token) => tickets::open(&state, token).await.map(|open| (open.counter, Some(open.ticket))),
    };
    let (ctx, ticket) = match found {
        Ok(found) => found,
        // Unknown or closed counter, used or expired ticket, database down: the page explains.
        Err(_) => return render_page(&state, page_req(), || ()).await,
    };
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/x-www-form-urlencoded")
            .into_response();
    }
    // A body too large or garbled to read: the survey page again, saying so in the citizen's
    // language (the answers cannot be kept, since they were never read).
    let unreadable = async |code: ErrorCode| {
        let shown = SubmittedSurvey { failure: Some(code.into()), ..Default::default() };
        let mut res = render_page(&state, page_req(), move || provide_context(shown.clone())).await;
        *res.status_mut() = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        res
    };
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return unreadable(ErrorCode::PayloadTooLarge).await,
    };
    let fields: Vec<(String, String)> = match serde_urlencoded::from_bytes(&bytes) {
        Ok(f) => f,
        Err(_) => return unreadable(ErrorCode::InvalidQuery).await,
    };

    if fields.iter().any(|(name, value)| name == HONEYPOT_FIELD && !value.is_empty()) {
        // A robot: answer as if all went well (so it learns nothing) and store nothing.
        tracing::warn!(counter = ctx.counter.code, "survey form with the honeypot filled in: not stored");
        return Redirect::to(&format!("/s/{}/cam-on", ctx.counter.code)).into_response();
    }
    // Text the database cannot hold (NUL, U+FFFE…): the page again, the fields named, nothing
    // stored. Answers are reported under `answers.{code}`, as the page marks them.
    let unclean = domain::text::check_pairs(fields.iter().map(|(name, value)| {
        let field = match name.as_str() {
            FORM_TOKEN_FIELD | PROCEDURE_FIELD | COMMENT_FIELD | HONEYPOT_FIELD | CONTACT_NAME | CONTACT_PHONE
            | CONTACT_EMAIL | CONTACT_CONSENT => name.clone(),
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
            FORM_TOKEN_FIELD => {
                sub.submission_key = Some(scoped_key(ctx.counter.id, &value));
                shown.form_token = value;
            }
            PROCEDURE_FIELD => {
                sub.procedure = Some(value.clone());
                shown.procedure = value;
            }
            COMMENT_FIELD => {
                sub.comment = Some(value.clone());
                shown.comment = value;
            }
            HONEYPOT_FIELD => {}
            CONTACT_NAME | CONTACT_PHONE | CONTACT_EMAIL | CONTACT_CONSENT => {
                let c = sub.contact.get_or_insert_with(SurveyContact::default);
                match name.as_str() {
                    CONTACT_NAME => c.name = value.clone(),
                    CONTACT_PHONE => c.phone = value.clone(),
                    CONTACT_EMAIL => c.email = value.clone(),
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
    match survey::counter_context(state, code).await {
        Ok(ctx) => Ok(survey::survey_url(state, &ctx.counter.code)),
        Err(e) => Err(api::ApiError::new(e, Lang::Vi).into_response()),
    }
}

/// `GET /s/{code}/qr.svg`
async fn qr_svg(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let url = match qr_target(&state, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match qr::svg(&url, 320) {
        Ok(svg) => ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], svg)
            .into_response(),
        Err(e) => api::ApiError::new(e, Lang::Vi).into_response(),
    }
}

/// `GET /s/{code}/qr.png`
async fn qr_png(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let url = match qr_target(&state, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match qr::png(&url, 10) {
        Ok(png) => ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], png)
            .into_response(),
        Err(e) => api::ApiError::new(e, Lang::Vi).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_a_language_switch() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(safe_next(s("/s/abc?x=1").as_ref()), "/s/abc?x=1");
        assert_eq!(safe_next(s("//evil.example").as_ref()), "/");
        assert_eq!(safe_next(s("https://evil.example").as_ref()), "/");
        assert_eq!(safe_next(s("/\\evil.example").as_ref()), "/");
        assert_eq!(safe_next(None), "/");
        // Browsers strip tabs and line breaks: `/\t/evil.example` is `//evil.example` to them.
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/x",
            "/%09/evil.example",
            "/%0d/x",
            "/%5cevil.example",
            "/%2F/evil.example",
            " //evil.example",
            "/ /evil.example",
            "/\u{0}",
            "/\u{85}x",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(s(bad).as_ref()), "/", "{bad:?}");
        }
        assert_eq!(safe_next(s("/s/abcé d").as_ref()), "/s/abc%C3%A9%20d");
        assert_eq!(safe_next(s("/dashboard?from=2026-01-01&x=%20").as_ref()), "/dashboard?from=2026-01-01&x=%20");
    }

    #[test]
    fn the_client_is_read_from_the_right_of_x_forwarded_for() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7"));
        assert_eq!(forwarded_client(0, &h), None, "no proxy: the header is the client's own words");
        assert_eq!(forwarded_client(1, &h).as_deref(), Some("203.0.113.7"), "not the client's chosen 6.6.6.6");
        assert_eq!(forwarded_client(2, &h).as_deref(), Some("6.6.6.6"));
        assert_eq!(forwarded_client(3, &h), None, "fewer hops than proxies: the peer is used");
        h.append("x-forwarded-for", HeaderValue::from_static("198.51.100.9"));
        assert_eq!(forwarded_client(1, &h).as_deref(), Some("198.51.100.9"), "the last header is the nearest");
        let mut mapped = HeaderMap::new();
        mapped.insert("x-forwarded-for", HeaderValue::from_static("::ffff:203.0.113.7"));
        assert_eq!(forwarded_client(1, &mapped).as_deref(), Some("203.0.113.7"), "an IPv4 client written as IPv6");
        let mut bad = HeaderMap::new();
        bad.insert("x-forwarded-for", HeaderValue::from_static("not-an-address"));
        assert_eq!(forwarded_client(1, &bad), None);
    }

    #[test]
    fn client_keys_are_scoped_to_their_counter() {
        assert_ne!(scoped_key(1, "k"), scoped_key(2, "k"));
        assert_eq!(scoped_key(1, "k"), scoped_key(1, "k"));
        assert_eq!(scoped_key(1, "k").len(), 64);
    }
}
