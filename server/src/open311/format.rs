//! The two formats of Open311 answers: one value tree ([`V`]) rendered as XML (the
//! specification's) or JSON (top-level arrays), the error arrays, and the request's parameters.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fmt {
    Xml,
    Json,
}

/// `services.xml` → ("services", Xml); an unknown suffix → None.
pub(super) fn split(file: &str) -> Option<(&str, Fmt)> {
    let (name, ext) = file.rsplit_once('.')?;
    match ext {
        "xml" => Some((name, Fmt::Xml)),
        "json" => Some((name, Fmt::Json)),
        _ => None,
    }
}

/// A value as both formats render it.
pub(super) enum V {
    S(String),
    N(f64),
    B(bool),
    I(i64),
    /// Named children (an XML element with sub-elements, a JSON object).
    O(Vec<(&'static str, V)>),
    /// A list: its XML item tag and the items.
    L(&'static str, Vec<V>),
}

pub(super) fn s(x: impl Into<String>) -> V {
    V::S(x.into())
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) fn xml(tag: &str, v: &V, out: &mut String) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    match v {
        V::S(t) => out.push_str(&escape(t)),
        V::N(n) => out.push_str(&n.to_string()),
        V::I(n) => out.push_str(&n.to_string()),
        V::B(b) => out.push_str(if *b { "true" } else { "false" }),
        V::O(fields) => {
            for (k, v) in fields {
                xml(k, v, out);
            }
        }
        V::L(item, items) => {
            for v in items {
                xml(item, v, out);
            }
        }
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

pub(super) fn to_json(v: &V) -> Value {
    match v {
        V::S(t) => Value::String(t.clone()),
        V::N(n) => json!(n),
        V::I(n) => json!(n),
        V::B(b) => Value::Bool(*b),
        V::O(fields) => Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), to_json(v))).collect::<Map<_, _>>()),
        V::L(_, items) => Value::Array(items.iter().map(to_json).collect()),
    }
}

/// Renders `root` (XML root tag) holding `v`; a list becomes a top-level JSON array.
pub(super) fn respond(fmt: Fmt, status: StatusCode, root: &str, v: V) -> Response {
    match fmt {
        Fmt::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            xml(root, &v, &mut out);
            (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], out).into_response()
        }
        Fmt::Json => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], to_json(&v).to_string())
            .into_response(),
    }
}

/// An error array with the specification's status: 404, 403 or 400.
pub(super) fn errors(fmt: Fmt, status: StatusCode, list: Vec<String>) -> Response {
    let items = list
        .into_iter()
        .map(|d| V::O(vec![("code", V::I(i64::from(status.as_u16()))), ("description", s(d))]))
        .collect();
    respond(fmt, status, "errors", V::L("error", items))
}

/// The last value of each parameter, and every value of repeated ones.
pub(super) struct Params(pub(super) Vec<(String, String)>);

impl Params {
    pub(super) fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    pub(super) fn all(&self, k: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }

    pub(super) fn list(&self, k: &str) -> Vec<String> {
        self.get(k)
            .map(|v| v.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect())
            .unwrap_or_default()
    }
}

pub(super) fn internal(fmt: Fmt) -> Response {
    errors(fmt, StatusCode::BAD_REQUEST, vec!["The service is not available right now; please try again.".into()])
}
