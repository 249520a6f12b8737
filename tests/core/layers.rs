//! The architecture, checked: arrows point down only. Front ends (`ui`, `worker`, `cli`,
//! `main.rs`, `seed`) → the user's steps (`steps`) → the pure core and the store → `model`.
//! The store keeps only SQL: it imports `model` and `checklist` (whose definitions it stores as
//! JSON) and nothing else of ours. `cargo check --lib --no-default-features` in scripts/test
//! proves the same for egui; this proves it for our own modules.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// How far up a module sits: it may import modules of its own level or below.
fn level(module: &str) -> Option<u8> {
    Some(match module {
        "model" => 0,
        "store" | "checklist" | "sheet" | "roster" | "results" | "sampling" | "assignment"
        | "report" | "overview" | "rectification" | "exchange" | "export" | "rollup" => 1,
        "steps" => 2,
        "ui" | "worker" | "cli" | "main" | "seed" => 3,
        _ => return None,
    })
}

/// What a module may import besides its own level's rule.
fn allowed(module: &str, target: &str) -> bool {
    match module {
        "model" => target == "model",
        "store" => matches!(target, "store" | "model" | "checklist"),
        // The pure core: model and each other, never the store, the steps or a front end.
        m if level(m) == Some(1) => target != "store" && level(target).is_some_and(|l| l <= 1),
        m => level(target).is_some_and(|l| l <= level(m).unwrap_or(0)),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/steps/draw.rs` → `steps`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

/// Every `crate::name` (and, in main.rs, `spotcheck::name`) the text refers to, outside
/// comments.
fn imports(text: &str, root: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        let needle = format!("{root}::");
        while let Some(at) = rest.find(&needle) {
            let before = rest[..at].chars().last();
            rest = &rest[at + needle.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn imports_point_down_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" {
            continue;
        }
        assert!(
            level(&module).is_some(),
            "{} belongs to module `{module}`, which has no layer in tests/core/layers.rs",
            file.display()
        );
        let text = std::fs::read_to_string(file).expect("read");
        let root = if module == "main" {
            "spotcheck"
        } else {
            "crate"
        };
        for target in imports(&text, root) {
            if target != module && !allowed(&module, &target) {
                wrong.push(format!("{} ({module}) imports {target}", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports pointing up or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_rule_catches_an_upward_import() {
    assert!(!allowed("store", "steps"));
    assert!(!allowed("store", "report"));
    assert!(!allowed("report", "store"));
    assert!(!allowed("model", "checklist"));
    assert!(!allowed("steps", "worker"));
    assert!(allowed("worker", "steps"));
    assert!(allowed("steps", "store"));
    assert!(allowed("export", "report"));
    assert_eq!(
        imports(
            "use crate::store::Store; // crate::ui\nx::crate::y",
            "crate"
        ),
        BTreeSet::from(["store".to_owned()])
    );
}

/// No source file grows past about 600 lines: split it by responsibility instead.
#[test]
fn source_files_stay_small() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).expect("read").lines().count();
            (n > 650).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over 650 lines: {long:?}");
}

/// The crate denies unsafe code; the one unsafe call (Windows' `AttachConsole`) allows it for
/// itself. `forbid` would make that allow an error on Windows, which CI here never compiles:
/// this is what notices.
#[test]
fn unsafe_code_is_denied_and_allowed_only_where_it_is_needed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("unsafe_code = \"deny\""),
        "Cargo.toml must deny (not forbid) unsafe_code"
    );
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let blocks = compact.matches("unsafe{").count();
        let allows = compact.matches("#[allow(unsafe_code").count();
        assert!(
            blocks <= allows,
            "{}: {blocks} unsafe block(s) but {allows} #[allow(unsafe_code)]",
            file.display()
        );
        if blocks > 0 {
            assert!(
                text.contains("#[cfg(windows)]"),
                "{}: unsafe outside Windows code",
                file.display()
            );
        }
    }
}
