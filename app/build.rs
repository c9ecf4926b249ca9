#![allow(clippy::expect_used, clippy::unwrap_used)]
//! Turns the translation files `locales/vi.txt` and `locales/en.txt` into a Rust enum `Msg`
//! with one variant per key, so a missing or misspelt key is a compile error, not a blank on a
//! citizen's screen. Vietnamese is the reference: every key must exist in both files.

use std::{collections::BTreeMap, env, fmt::Write as _, fs, path::Path};

fn parse(path: &Path) -> BTreeMap<String, String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut map = BTreeMap::new();
    for (no, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) =
            line.split_once('=').unwrap_or_else(|| panic!("{}:{}: expected `key = \"text\"`", path.display(), no + 1));
        let key = key.trim();
        let value = value.trim();
        assert!(
            key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{}:{}: keys are snake_case ASCII",
            path.display(),
            no + 1
        );
        let inner = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{}:{}: text must be in double quotes", path.display(), no + 1));
        let unescaped = inner.replace("\\n", "\n").replace("\\\"", "\"");
        assert!(map.insert(key.to_owned(), unescaped).is_none(), "{}:{}: duplicate key {key}", path.display(), no + 1);
    }
    map
}

fn pascal(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Strips comments and indentation from the stylesheet. Plain CSS only: the product's CSS has no
/// strings containing `/*`, which keeps this safe.
fn minify_css() {
    let src = Path::new("../style/main.css");
    println!("cargo:rerun-if-changed=../style/main.css");
    let css = fs::read_to_string(src).expect("read style/main.css");
    let mut out = String::with_capacity(css.len());
    let mut rest = css.as_str();
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..].split_once("*/").map(|(_, after)| after).unwrap_or("");
    }
    out.push_str(rest);
    let compact: Vec<&str> = out.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("main.min.css");
    fs::write(dest, compact.join("\n")).expect("write main.min.css");
}

fn main() {
    minify_css();
    let dir = Path::new("locales");
    println!("cargo:rerun-if-changed=locales");
    let vi = parse(&dir.join("vi.txt"));
    let en = parse(&dir.join("en.txt"));
    for key in vi.keys() {
        assert!(en.contains_key(key), "locales/en.txt lacks key {key}");
    }
    for key in en.keys() {
        assert!(vi.contains_key(key), "locales/vi.txt lacks key {key}");
    }
    let mut out = String::new();
    out.push_str("/// Every text the product shows, one variant per key of `locales/*.txt`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Msg {\n");
    for key in vi.keys() {
        let _ = writeln!(out, "    {},", pascal(key));
    }
    out.push_str("}\n\nimpl Msg {\n");
    out.push_str("    /// The key as written in the translation files.\n");
    out.push_str("    pub const fn key(self) -> &'static str {\n        match self {\n");
    for key in vi.keys() {
        let _ = writeln!(out, "            Msg::{} => {:?},", pascal(key), key);
    }
    out.push_str("        }\n    }\n\n");
    for (name, table) in [("vi", &vi), ("en", &en)] {
        let _ = writeln!(out, "    const fn {name}(self) -> &'static str {{\n        match self {{");
        for (key, text) in table.iter() {
            let _ = writeln!(out, "            Msg::{} => {:?},", pascal(key), text);
        }
        out.push_str("        }\n    }\n\n");
    }
    out.push_str("}\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("messages.rs");
    fs::write(dest, out).expect("write messages.rs");
}
