//! The import structure of a crate's source folder, module by module: which modules import each
//! other, directly or round a longer circle (`make lint` prints them through
//! `tools/module_cycles.rs`; a test below fails on any).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path inside its crate (`""` for the crate root, `cases::intake`).
type ModPath = String;

/// One group of modules that reach each other through their imports.
#[derive(Debug)]
pub struct Circle {
    /// The group's modules (`crate` for the crate root).
    pub modules: Vec<String>,
    /// The imports inside the group: (module, module it names).
    pub imports: Vec<(String, String)>,
}

/// Every circle of modules in the crate whose sources are under `dir`.
pub fn cycles_in(dir: &Path) -> std::io::Result<Vec<Circle>> {
    let files = module_files(dir)?;
    let modules: BTreeSet<ModPath> = files.keys().cloned().collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (module, text) in &files {
        let code = strip_comments_and_strings(text);
        let code = strip_test_modules(&code);
        let targets = edges.entry(module.clone()).or_default();
        for (inline, path) in paths_in(&code) {
            // Inside an inline `mod x { … }`, `super` and relative names start from `x`.
            let mut base = module.clone();
            for name in &inline {
                base = if base.is_empty() { name.clone() } else { format!("{base}::{name}") };
            }
            if let Some(target) = resolve(&base, &path, &modules)
                && target != *module
            {
                targets.insert(target);
            }
        }
    }
    let shown = |m: &str| if m.is_empty() { "crate".to_owned() } else { m.to_owned() };
    Ok(strongly_connected(&edges)
        .into_iter()
        .filter(|group| group.len() > 1)
        .map(|group| {
            let members: BTreeSet<&ModPath> = group.iter().collect();
            let imports = group
                .iter()
                .flat_map(|from| {
                    edges
                        .get(from)
                        .into_iter()
                        .flatten()
                        .filter(|to| members.contains(to))
                        .map(|to| (shown(from), shown(to)))
                })
                .collect();
            Circle { modules: group.iter().map(|m| shown(m)).collect(), imports }
        })
        .collect())
}

/// Source files by module path.
fn module_files(dir: &Path) -> std::io::Result<BTreeMap<ModPath, String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(dir).unwrap_or(&path).with_extension("");
                let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                    parts.pop();
                }
                // A file included by another (e.g. a second binary) would show up as a module of
                // its own; only the crate's module tree counts, and every file in it is listed.
                out.insert(parts.join("::"), std::fs::read_to_string(&path)?);
            }
        }
    }
    Ok(out)
}

/// The code without comments, string and char literals (their text could look like paths).
fn strip_comments_and_strings(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) && !prev_is_ident(b, i) {
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = j + close.len();
                out.push_str("\"\"");
            } else {
                out.push('r');
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('a', '\n', '\u{..}'); a lifetime ('a) has no closing quote.
            let mut j = i + 1;
            if b[j] == b'\\' {
                j += 1;
            }
            while j < b.len() && b[j] != b'\'' {
                j += 1;
            }
            i = j + 1;
            out.push_str("' '");
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// The code without `#[cfg(test)] mod … { … }` blocks: tests may reach anywhere.
fn strip_test_modules(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        if trimmed.starts_with("mod ")
            && let Some(open) = trimmed.find('{')
            && trimmed[..open].find(';').is_none()
        {
            let body = &trimmed[open..];
            let mut depth = 0usize;
            let mut end = body.len();
            for (k, c) in body.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = k + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            rest = &body[end..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Every path of two or more segments in the code, with `use` trees expanded
/// (`use crate::{a::b, c}` gives `crate::a::b` and `crate::c`), each with the inline modules
/// (`mod x { … }`) it is written in.
fn paths_in(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    // Inline modules open around the current position, with the brace depth inside each.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut pending_mod: Option<String> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' {
            depth += 1;
            if let Some(name) = pending_mod.take() {
                inline.push((name, depth));
            }
            i += 1;
        } else if c == '}' {
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
            i += 1;
        } else if c == ';' {
            pending_mod = None;
            i += 1;
        } else if is_ident_start(c) && (i == 0 || !is_ident_char(chars[i - 1]) && chars[i - 1] != ':') {
            let mut found = Vec::new();
            let (path, next) = read_path(&chars, i, Vec::new(), &mut found);
            if path.len() == 1 && path[0] == "mod" {
                // `mod name {` opens an inline module; `mod name;` declares a file.
                let mut j = next;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                let start = j;
                while j < chars.len() && is_ident_char(chars[j]) {
                    j += 1;
                }
                pending_mod = Some(chars[start..j].iter().collect());
                i = j.max(i + 1);
                continue;
            }
            if path.len() >= 2 {
                found.push(path);
            }
            let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
            out.extend(found.into_iter().map(|p| (names.clone(), p)));
            i = next.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads `a::b::c` or `a::{…}` from `i` with `prefix` before it; brace groups push their
/// expanded paths into `out`. Returns the plain path read and where reading stopped.
fn read_path(chars: &[char], mut i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> (Vec<String>, usize) {
    let mut path = prefix;
    loop {
        let start = i;
        while i < chars.len() && is_ident_char(chars[i]) {
            i += 1;
        }
        path.push(chars[start..i].iter().collect());
        let mut j = i;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if j + 1 < chars.len() && chars[j] == ':' && chars[j + 1] == ':' {
            j += 2;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if j < chars.len() && chars[j] == '{' {
                // A use tree: each comma-separated entry continues the path.
                j += 1;
                loop {
                    while j < chars.len() && (chars[j].is_whitespace() || chars[j] == ',') {
                        j += 1;
                    }
                    if j >= chars.len() || chars[j] == '}' {
                        return (Vec::new(), j + 1);
                    }
                    if is_ident_start(chars[j]) {
                        let (sub, next) = read_path(chars, j, path.clone(), out);
                        if sub.len() >= 2 {
                            out.push(sub);
                        }
                        j = next;
                    } else {
                        j += 1;
                    }
                }
            } else if j < chars.len() && is_ident_start(chars[j]) {
                i = j;
                continue;
            } else if j < chars.len() && chars[j] == '*' {
                path.push("*".to_owned());
                return (path, j + 1);
            }
            return (path, j);
        }
        return (path, i);
    }
}

/// The module of this crate that `path`, written in `module`, names: the longest prefix that is
/// a module. `None` for paths into other crates, into the standard library, or to nothing known.
fn resolve(module: &str, path: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let mut base: Vec<String> =
        if module.is_empty() { Vec::new() } else { module.split("::").map(str::to_owned).collect() };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        Some("self") => rest = &rest[1..],
        // A name relative to this module: only a child module of it counts.
        Some(_) => {}
        None => return None,
    }
    let relative_name = !matches!(path.first().map(String::as_str), Some("crate" | "super" | "self"));
    let mut best = None;
    let mut candidate = base.clone();
    if !relative_name && modules.contains(&candidate.join("::")) {
        best = Some(candidate.join("::"));
    }
    for seg in rest {
        candidate.push(seg.clone());
        let name = candidate.join("::");
        if modules.contains(&name) {
            best = Some(name);
        } else {
            break;
        }
    }
    best
}

/// Tarjan's strongly connected components.
fn strongly_connected(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        edges: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        groups: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(targets) = s.edges.get(v) {
            for w in targets {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                group.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            group.sort();
            s.groups.push(group);
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        groups: Vec::new(),
    };
    let nodes: Vec<&str> = edges.keys().map(String::as_str).collect();
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.groups
}

/// The product's crates, as source folders relative to the workspace root.
pub const CRATES: [&str; 6] =
    ["app/domain/src", "server/services/src", "app/src", "server/src", "migrations/src", "frontend/src"];

/// What `docs/ARCHITECTURE.md` gets wrong about the modules: paths it names that do not exist,
/// and module files of the product it does not name (a file is named by its path, by its file
/// name after a path of the same folder on the same line, or by a folder path above it).
pub fn architecture_mismatches(root: &Path) -> std::io::Result<Vec<String>> {
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md"))?;
    let tops = ["app/", "server/", "tests/", "migrations/", "frontend/", "style/", "scripts/", "end2end/", "docs/"];
    let mut named: BTreeSet<String> = BTreeSet::new();
    let mut problems = Vec::new();
    for line in doc.lines() {
        let mut folder: Option<String> = None;
        for (k, token) in line.split('`').enumerate() {
            if k % 2 == 0 {
                continue;
            }
            let token = token.trim();
            let path = if tops.iter().any(|t| token.starts_with(t)) {
                folder = Some(match token.rfind('/') {
                    Some(i) if !token.ends_with('/') => token[..=i].to_owned(),
                    _ => token.to_owned(),
                });
                token.to_owned()
            } else if token.ends_with(".rs") && !token.contains('/') && !token.contains(' ') {
                match &folder {
                    Some(f) => format!("{f}{token}"),
                    None => continue,
                }
            } else {
                continue;
            };
            // `{vi,en}.txt` style names are patterns, not paths.
            if path.contains('{') || path.contains('*') {
                continue;
            }
            if !root.join(&path).exists() {
                problems.push(format!("docs/ARCHITECTURE.md names `{path}`, which does not exist"));
            }
            named.insert(path);
        }
    }
    for krate in CRATES {
        let dir = root.join(krate);
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d)? {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if matches!(name, "lib.rs" | "mod.rs") {
                    continue;
                }
                let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                // A folder names what is in it only inside a crate's sources (`app/src/pages/`):
                // a heading such as `app/` or `server/services/` names no module.
                let covered = named
                    .iter()
                    .any(|n| *n == rel || (n.ends_with('/') && n.contains("/src/") && rel.starts_with(n.as_str())));
                if !covered {
                    problems.push(format!("docs/ARCHITECTURE.md does not name `{rel}`"));
                }
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ydan-modules-{}-{}", std::process::id(), files.len()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_planted_circle_is_found_and_a_clean_tree_passes() {
        let clean = tree(&[
            ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
            ("a.rs", "use crate::b::thing;\n// crate::c::x in a comment\nconst S: &str = \"crate::c::x\";\n"),
            ("b.rs", "pub fn thing() {}\n#[cfg(test)]\nmod tests {\n    use crate::a::*;\n}\n"),
            ("c/mod.rs", "mod inner;\npub use inner::*;\n"),
            ("c/inner.rs", "use crate::b;\n"),
        ]);
        assert!(cycles_in(&clean).unwrap().is_empty(), "comments, strings and tests do not count");
        let planted = tree(&[
            ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
            ("a.rs", "use crate::{b::{self, thing}};\n"),
            ("b.rs", "pub fn thing() { crate::c::go() }\n"),
            ("c.rs", "pub fn go() {}\nmod inner {\n    use super::super::a::*;\n}\n"),
        ]);
        let circles = cycles_in(&planted).unwrap();
        assert_eq!(circles.len(), 1, "{circles:?}");
        assert_eq!(circles[0].modules, ["a", "b", "c"]);
        let child_and_parent = tree(&[
            ("lib.rs", "pub mod cases;\n"),
            ("cases/mod.rs", "mod intake;\npub use intake::*;\npub fn shared() {}\n"),
            ("cases/intake.rs", "use super::*;\n"),
        ]);
        assert_eq!(cycles_in(&child_and_parent).unwrap()[0].modules, ["cases", "cases::intake"]);
        for dir in [clean, planted, child_and_parent] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[test]
    fn the_architecture_page_names_every_module_and_only_modules_that_exist() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let problems = architecture_mismatches(&root).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn no_module_of_the_product_imports_one_that_imports_it_back() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for krate in CRATES {
            let circles = cycles_in(&root.join(krate)).unwrap();
            assert!(circles.is_empty(), "{krate}: {circles:#?}");
        }
    }
}
