//! Helpers shared by the test binaries (`tests/core`, `tests/ui`), each of which includes this
//! folder as its `support` module: running the real binary, reading what it printed, and the
//! small builders many tests use.

#![allow(dead_code)] // each binary, and each test file, uses its own subset

pub mod clock;
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
/// A database in `dir` (t.db) with the demo roster of `accounts` accounts imported, for
/// 示例市 and 王组长, through the command line.
pub fn demo_db(dir: &Path, accounts: &str) -> std::path::PathBuf {
    let db = dir.join("t.db");
    let roster = dir.join("名录.xlsx");
    for args in [
        &["settings", "--user-name", "王组长", "--region", "示例市"][..],
        &["demo", "--out", path_str(&roster), "--accounts", accounts],
        &["import", path_str(&roster)],
    ] {
        let out = run(&db, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    db
}

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

/// An xlsx whose one sheet (名录) is written by `sheet` as its part's whole XML, the other
/// parts the least a workbook needs; stored or deflated. For XML as other writers, hand edits
/// or hostile files spell it.
pub fn xlsx_of_sheet(path: &Path, stored: bool, sheet: impl FnOnce(&mut dyn std::io::Write)) {
    xlsx_of_sheet_and_strings(path, stored, None, sheet);
}

/// Writes one part of an archive.
pub type PartWriter = dyn Fn(&mut dyn std::io::Write);

/// As [`xlsx_of_sheet`], with a shared-strings part (`xl/sharedStrings.xml`) as `strings`
/// writes it.
pub fn xlsx_of_sheet_and_strings(
    path: &Path,
    stored: bool,
    strings: Option<&PartWriter>,
    sheet: impl FnOnce(&mut dyn std::io::Write),
) {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, text) in [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名录" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ] {
        zip.start_file(name, options).expect("part");
        zip.write_all(text.as_bytes()).expect("write");
    }
    if let Some(strings) = strings {
        zip.start_file("xl/sharedStrings.xml", options)
            .expect("strings");
        strings(&mut zip);
    }
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("sheet");
    sheet(&mut zip);
    zip.finish().expect("finish");
}
