//! What handlers read from a request besides its body: the client's address (behind trusted
//! proxies), a safe local address to return to, and the largest body accepted.

use axum::http::HeaderMap;
use services::state::AppState;
use std::net::SocketAddr;

/// The language a client asks for with `Accept-Language` (the first of Vietnamese and English
/// it accepts, `q=0` meaning refused), else Vietnamese. The one reader of that header.
pub fn accept_language(headers: &HeaderMap) -> app::i18n::Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(app::i18n::Lang::from_accept_language)
        .unwrap_or_default()
}

/// Largest request body accepted anywhere: a full survey with a 2,000-character comment is
/// well under 16 KB.
pub const BODY_LIMIT: usize = 64 * 1024;

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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
}
