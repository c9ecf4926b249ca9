//! What a page knows about the request it is rendered for: the reader's language and texts, who
//! is signed in, and how it answers (status, redirect). Every page and component reads these;
//! the router (`app`) only provides them.

use crate::i18n::{Lang, Msg};
use leptos::prelude::*;

/// The language of the current request: the citizen's saved choice, else Vietnamese.
#[cfg(feature = "ssr")]
pub fn request_lang() -> Lang {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| {
            let query = parts.uri.query().unwrap_or("");
            // `?lang=en` in a shared link wins over the cookie, without changing it.
            query.split('&').find_map(|kv| kv.strip_prefix("lang=").and_then(Lang::parse)).or_else(|| {
                parts
                    .headers
                    .get_all(axum::http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(Lang::from_cookie_header)
            })
        })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
pub fn request_lang() -> Lang {
    Lang::default()
}

/// An error a form handler wants shown as the whole page (for example a refused CSRF token).
#[derive(Clone, Debug, PartialEq)]
pub struct PageError(pub domain::error::AppError);

/// Who is signed in for the request being rendered, as the server provides it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session(pub Option<domain::dto::SignedIn>);

/// The signed-in staff member of this request, if any.
pub fn signed_in() -> Option<domain::dto::SignedIn> {
    use_context::<Session>().and_then(|s| s.0)
}

/// For pages only staff may see: the signed-in user, or a redirect to the sign-in page (which
/// brings them back here afterwards).
pub fn require_sign_in() -> Option<domain::dto::SignedIn> {
    let user = signed_in();
    #[cfg(feature = "ssr")]
    if user.is_none() {
        let here = use_context::<axum::http::request::Parts>()
            .and_then(|p| p.uri.path_and_query().map(|pq| pq.as_str().to_owned()))
            .unwrap_or_else(|| "/".into());
        redirect(&format!("/dang-nhap?next={}", encode_component(&here)));
    }
    user
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The text of `msg` in the page's language.
pub fn t(msg: Msg) -> &'static str {
    msg.text(use_lang())
}

/// Answers the page being rendered with a redirect (302) to a local `path`.
#[cfg(feature = "ssr")]
pub fn redirect(path: &str) {
    use axum::http::{HeaderValue, StatusCode, header};
    if let (Some(opts), Ok(location)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(path)) {
        opts.insert_header(header::LOCATION, location);
        opts.set_status(StatusCode::FOUND);
    }
}

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(opts), Ok(code)) =
        (use_context::<leptos_axum::ResponseOptions>(), axum::http::StatusCode::from_u16(status))
    {
        opts.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// Percent-encodes a local path for use inside a query string.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_component;

    #[test]
    fn paths_are_encoded_for_the_next_parameter() {
        assert_eq!(encode_component("/dashboard?from=2026-01-01&to=x"), "/dashboard%3Ffrom%3D2026-01-01%26to%3Dx");
        assert_eq!(encode_component("/s/ab c"), "/s/ab%20c");
    }
}
