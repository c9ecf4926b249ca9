//! Text as received from outside: characters that cannot be stored or shown safely. PostgreSQL
//! refuses NUL in text, and XML (Open311's format) has no place for the other C0 control
//! characters nor for U+FFFE/U+FFFF. Tabs and line breaks are ordinary text.

use crate::error::{AppError, ErrorCode, FieldError};
use serde_json::{Map, Value};

/// Whether `c` may be kept in stored text: the characters XML 1.0 allows.
pub const fn allowed_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Whether every character of `s` may be stored.
pub fn is_clean(s: &str) -> bool {
    s.chars().all(allowed_char)
}

/// A field's name as it can be shown back (a bad character in the name itself is replaced).
fn shown_name(name: &str) -> String {
    name.chars().map(|c| if allowed_char(c) { c } else { '\u{FFFD}' }).collect()
}

/// Checks one field: `Err` names it when its value (or its name) holds a character that cannot
/// be stored.
pub fn check(field: &str, value: &str) -> Result<(), FieldError> {
    if is_clean(field) && is_clean(value) {
        Ok(())
    } else {
        Err(FieldError::new(shown_name(field), ErrorCode::InvalidCharacters))
    }
}

/// Checks the name/value pairs of a form: one error per bad field (422, each field named).
pub fn check_pairs<N: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (N, V)>) -> Result<(), AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, value) in pairs {
        if let Err(e) = check(name.as_ref(), value.as_ref())
            && !errors.iter().any(|f| f.field == e.field)
        {
            errors.push(e);
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::invalid(errors)) }
}

/// Checks every string (and key) of a JSON object, naming each bad one by its path
/// (`comment`, `answers.II.A1`, `items[2]`).
pub fn check_json(body: &Map<String, Value>) -> Result<(), AppError> {
    fn walk(path: &str, value: &Value, errors: &mut Vec<FieldError>) {
        match value {
            Value::String(s) if !is_clean(s) => {
                errors.push(FieldError::new(shown_name(path), ErrorCode::InvalidCharacters))
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{path}[{i}]"), v, errors);
                }
            }
            Value::Object(map) => object(Some(path), map, errors),
            _ => {}
        }
    }
    fn object(prefix: Option<&str>, map: &Map<String, Value>, errors: &mut Vec<FieldError>) {
        for (key, v) in map {
            let path = match prefix {
                Some(p) => format!("{p}.{key}"),
                None => key.clone(),
            };
            if is_clean(key) {
                walk(&path, v, errors);
            } else {
                errors.push(FieldError::new(shown_name(&path), ErrorCode::InvalidCharacters));
            }
        }
    }
    let mut errors = Vec::new();
    object(None, body, &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(AppError::invalid(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_non_characters_are_refused_tabs_and_line_breaks_kept() {
        assert!(is_clean("Dòng 1\r\n\tDòng 2 — ✓ 𝄞"));
        for bad in ["a\u{0}b", "\u{1}", "\u{1b}[31m", "x\u{FFFE}", "x\u{FFFF}", "\u{7}"] {
            assert!(!is_clean(bad), "{bad:?}");
        }
        assert_eq!(check("comment", "ok"), Ok(()));
        let e = check("comment", "a\u{0}").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("comment", ErrorCode::InvalidCharacters));
        assert_eq!(check("a\u{0}", "x").unwrap_err().field, "a\u{FFFD}");
    }

    #[test]
    fn form_pairs_and_json_name_each_bad_field() {
        let e =
            check_pairs([("II.A1", "5"), ("comment", "\u{0}"), ("comment", "\u{0}"), ("x", "\u{FFFF}")]).unwrap_err();
        let named: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["comment", "x"]);
        assert_eq!(e.status(), 422);
        use serde_json::json;
        let body = json!({"comment": "ok", "answers": {"II.A1": 5, "II.A2": "4\u{0}"}, "list": ["a", "\u{FFFE}"]});
        let e = check_json(body.as_object().unwrap()).unwrap_err();
        let named: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["answers.II.A2", "list[1]"]);
        assert!(check_json(json!({"comment": "dòng\n\tmới"}).as_object().unwrap()).is_ok());
    }
}
