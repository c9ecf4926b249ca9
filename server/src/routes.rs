//! The one table of addresses: every route the server answers and the layers around them
//! (sessions and same-origin checks, no caching of private links, body limits, compression,
//! security headers, request tracing), plus the health check and the language switch.

use crate::render::{page, server_function};
use crate::request::{BODY_LIMIT, safe_next};
use crate::survey::{qr_png, qr_svg, submit_survey_form, submit_ticket_form};
use crate::{admin, api, session, staff};
use app::{
    App,
    i18n::{LANG_COOKIE, Lang},
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use domain::error::ErrorCode;
use leptos_axum::{LeptosRoutes, generate_route_list};
use services::state::AppState;
use std::collections::HashMap;
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

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
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn_with_state(state.clone(), outside_request_id))
        .with_state(state)
}

/// An `x-request-id` sent from outside is kept only from a proxy of ours (`--trusted-proxies`)
/// and only as a short plain token; any other is dropped and the server draws its own, so a
/// client can neither borrow another request's id nor put its own text in every log line.
async fn outside_request_id(State(state): State<AppState>, mut req: Request, next: axum::middleware::Next) -> Response {
    let plain =
        |id: &str| (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    let keep = state.settings.trusted_proxies > 0
        && req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).is_some_and(plain);
    if !keep {
        req.headers_mut().remove("x-request-id");
    }
    next.run(req).await
}

/// The span every log line of a request is written in: the request's id (drawn here, or given
/// by a proxy in front as `x-request-id`, and sent back with the answer), its method and its
/// route as declared (`/t/{token}`), never the address as sent, which may carry a receipt's
/// token or a resident's private key.
fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    let route = req.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str()).unwrap_or("-");
    tracing::info_span!("request", id, method = %req.method(), route)
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
            let lang = crate::json::api_lang(req.headers());
            return crate::json::ApiError::new(ErrorCode::InvalidAddress.into(), lang).into_response();
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
