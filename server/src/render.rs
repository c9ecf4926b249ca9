//! Pages rendered from the server: the Leptos app for every page address, the server functions
//! pages load through, and the page a form handler answers with (the form again with its
//! problems, or an error page), each with the status it deserves.

use crate::request::BODY_LIMIT;
use crate::session;
use app::{
    context::{PageError, Session},
    shell,
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use domain::error::AppError;
use futures::{Stream, StreamExt, stream};
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;
use services::state::AppState;
use std::{future::Future, pin::Pin};

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
pub(crate) async fn page(State(state): State<AppState>, req: Request) -> Response {
    render_page(&state, req, || ()).await
}

/// Server functions (`/fn/*`), through which pages load their data; they see the same
/// signed-in user as pages do.
pub(crate) async fn server_function(State(state): State<AppState>, req: Request) -> Response {
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
