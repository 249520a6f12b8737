//! Helpers shared by the test binaries (`tests/core`, `tests/ui`), each of which includes this
//! folder as its `support` module: running the real binary, reading what it printed, and the
//! small builders many tests use.

#![allow(dead_code)] // each binary, and each test file, uses its own subset

pub mod xls;

use std::path::Path;
use std::process::{Command, Output};

use spotcheck::checklist::{Answer, Finding};

/// Runs the real `spotcheck` binary on the database `db` (never the one `SPOTCHECK_DB` names).
pub fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env_remove("SPOTCHECK_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run spotcheck")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// What the command printed on stdout, as JSON.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

/// Whether `s` holds Chinese: every message a user sees must.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A finding on `item` answered `answer` with `note`, no dates.
pub fn answered(item: &str, answer: Answer, note: &str) -> Finding {
    Finding {
        item: item.to_owned(),
        answer: Some(answer),
        note: note.to_owned(),
        last_update: None,
        checked_on: None,
        longest_gap: None,
    }
}

/// Imports a generated 示例 roster of `n` accounts (`seed` picks them) into `store` at `at`,
/// the file written into `dir`. Each call may bring another roster: accounts the previous one
/// had leave the roster, as the test intends (the shrink question is answered yes).
pub fn import_demo(
    store: &mut spotcheck::store::Store,
    dir: &Path,
    n: usize,
    seed: u64,
    at: chrono::NaiveDateTime,
) {
    let roster = dir.join(format!("名录-{seed}.xlsx"));
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(n, seed), &roster)
        .expect("roster");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut preview =
        spotcheck::steps::roster_import::preview(store, &roster, None, &mut |_| {}, &cancel)
            .expect("read");
    preview.allow_shrink = true;
    spotcheck::steps::roster_import::commit(store, &preview, at).expect("import");
}
