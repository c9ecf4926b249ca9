//! Finds modules that import each other, directly or round a longer circle, in the product's
//! crates (`make lint` runs it; a test runs it too). A module is one source file; it depends on
//! every module of its crate that one of its paths names (`crate::a::b`, `super::x`, a child
//! module's name, or a name inside a `use crate::{…}` tree). Paths into other crates are not
//! followed: Cargo already refuses circles between crates.
//!
//! Usage: `module-cycles [crate-source-dir …]` (default: the product's crates). Exits with 1 and
//! names each circle when there is one.

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dirs: Vec<PathBuf> = if args.is_empty() {
        ydan_tests::modules::CRATES.iter().map(|c| root.join(c)).filter(|p| p.is_dir()).collect()
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    let mut found = false;
    for dir in &dirs {
        match ydan_tests::modules::cycles_in(dir) {
            Ok(cycles) => {
                for circle in cycles {
                    found = true;
                    println!("{}: these modules import each other: {}", dir.display(), circle.modules.join(", "));
                    for (from, to) in &circle.imports {
                        println!("    {from} imports {to}");
                    }
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", dir.display());
                std::process::exit(2);
            }
        }
    }
    if found {
        std::process::exit(1);
    }
    println!("no module imports one that imports it back ({} crates)", dirs.len());
}
