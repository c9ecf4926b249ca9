//! Form handlers of a unit's dashboard (targets, comment moderation, exports) and the export
//! download. The services check the scope; these only read the form and answer the browser.

use crate::{
    forms::{Posted, handle_to},
    session::current_user,
};
use app::i18n::Lang;
use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use domain::{
    dto::ReportParams,
    error::{AppError, ErrorCode, FieldError},
};
use services::{alerts, analytics, exports, state::AppState};

fn params_of(f: &Posted) -> ReportParams {
    ReportParams::from_fields(|k| Some(f.get(k).to_owned()))
}

/// `POST /dashboard/{code}`: set targets, hide a comment, or ask for an export.
pub async fn dashboard(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    let lang = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(Lang::from_cookie_header)
        .unwrap_or_default();
    handle_to(state, req, move |state, user, f: Posted| async move {
        let db = &state.db;
        match f.get("action") {
            "targets" => {
                let _writer = state.write_guard().await;
                alerts::set_targets(db, &user, &code, f.get("goal"), f.get("floor"), f.get("alert_to")).await?;
                Ok(None)
            }
            "hide_comment" => {
                let id = f.get("response_id").parse::<i64>().map_err(|_| AppError::new(ErrorCode::NotFound))?;
                let _writer = state.write_guard().await;
                analytics::hide_comment(db, &user, id, f.get("reason")).await?;
                Ok(None)
            }
            "export" => {
                let invalid = |field: &str| AppError::invalid(vec![FieldError::new(field, ErrorCode::UnknownField)]);
                let kind = exports::Kind::parse(f.get("kind")).ok_or_else(|| invalid("kind"))?;
                let format = exports::Format::parse(f.get("format")).ok_or_else(|| invalid("format"))?;
                let query = app::data::report_query(&params_of(&f))?;
                let id = exports::create(&state, &user, &code, kind, format, query, lang).await?;
                Ok(Some(format!("/xuat/{id}")))
            }
            _ => Err(AppError::invalid(vec![FieldError::new("action", ErrorCode::UnknownField)])),
        }
    })
    .await
}

/// `GET /xuat/{id}/tai-ve`: the finished file, streamed from disk, to the staff member who
/// asked for it only.
pub async fn download(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Response {
    let Some(user) = current_user(&state, req.headers()).await else {
        return Redirect::to(&format!("/dang-nhap?next=/xuat/{id}")).into_response();
    };
    let (path, name, format) = match exports::file(&state, &user, id).await {
        Ok(found) => found,
        Err(e) => return crate::render::render_error(&state, req.headers(), e).await,
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(_) => return crate::render::render_error(&state, req.headers(), ErrorCode::ExportNotFound.into()).await,
    };
    let len = file.metadata().await.map(|m| m.len()).ok();
    // Read in chunks as the client takes them: a file of any size costs 64 kB of memory.
    let chunks = futures::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    // Fused: the body may be polled once more after the end, which a bare unfold forbids.
    let body = Body::from_stream(futures::StreamExt::fuse(chunks));
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{name}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
