//! CSV rosters as an interrupted copy, an old Mac export or a stray keystroke leave them, each
//! written by the test: a NUL tail is refused with its row (nothing unlisted), lone CR line
//! ends read as rows, a stray quote is refused within a CPU bound, and a long read can be
//! cancelled.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use crate::support::{path_str, run, stderr};
use spotcheck::roster::{RosterError, read_roster};
use spotcheck::sheet::SheetError;
use spotcheck::store::Store;

/// CPU seconds this thread has used (tests run side by side: the process's time would count
/// the others').
fn thread_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

fn roster_text(rows: usize, line_end: &str) -> String {
    let mut text = format!("主办单位,账号名称,平台,账号ID{line_end}");
    for i in 1..=rows {
        let _ = write!(text, "示例市单位{i},账号{i},微信公众号,gh_{i}{line_end}");
    }
    text
}

fn read(path: &Path, cancel: bool) -> Result<Vec<u32>, RosterError> {
    let cancel = AtomicBool::new(cancel);
    read_roster(path, None, &mut |_| {}, &cancel)
        .map(|p| p.accounts.into_iter().map(|s| s.row).collect())
}

#[test]
fn a_nul_tail_is_refused_with_its_row_and_unlists_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let good = dir.path().join("名录.csv");
    std::fs::write(&good, roster_text(60, "\n")).expect("write");
    let out = run(&db, &["import", path_str(&good)]);
    assert!(out.status.success(), "{}", stderr(&out));

    // The same file cut short in row 46 by an interrupted copy: the rest is NUL bytes, as a
    // copy to a USB stick leaves a file pulled out too early. Small (the NULs inside the head
    // read to decide the encoding) and large (past it).
    for tail in [4096, 200_000] {
        let text = roster_text(60, "\n");
        let cut = text.find("示例市单位45,").expect("row 46");
        let mut bytes = text.as_bytes()[..cut + 8].to_vec();
        bytes.resize(bytes.len() + tail, 0);
        let damaged = dir.path().join(format!("名录-{tail}.csv"));
        std::fs::write(&damaged, &bytes).expect("write");
        let err = read(&damaged, false).expect_err("refused");
        assert!(
            matches!(
                err,
                RosterError::Read(SheetError::CsvControl {
                    line: 46,
                    nul: true,
                    ..
                })
            ),
            "{err:?}"
        );
        let out = run(&db, &["import", path_str(&damaged)]);
        assert!(!out.status.success());
        let message = stderr(&out);
        assert!(message.contains("第 46 行有空字节"), "{message}");
        assert!(message.contains("没有完整"), "{message}");
    }
    let store = Store::open(&db).expect("open");
    let listed = store
        .accounts()
        .expect("accounts")
        .iter()
        .filter(|a| a.listed)
        .count();
    assert_eq!(listed, 60, "nothing was unlisted");
}

#[test]
fn lone_cr_line_ends_read_as_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, end) in [("cr", "\r"), ("lf", "\n"), ("crlf", "\r\n")] {
        let path = dir.path().join(format!("名录-{name}.csv"));
        std::fs::write(&path, roster_text(100, end)).expect("write");
        let rows = read(&path, false).expect("read");
        assert_eq!(rows, (2..=101).collect::<Vec<u32>>(), "{name}");
    }
}

#[test]
fn a_stray_quote_is_refused_in_linear_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1.25 MB with a quote opened in row 10 and never closed.
    let mut text = roster_text(25_000, "\n");
    let at = text.find("示例市单位9,").expect("row 10");
    text.insert(at + "示例市单位9,".len(), '"');
    assert!(text.len() > 1_200_000);
    let path = dir.path().join("名录.csv");
    std::fs::write(&path, &text).expect("write");
    let started = thread_cpu();
    let err = read(&path, false).expect_err("refused");
    let used = thread_cpu() - started;
    assert!(
        matches!(
            err,
            RosterError::Read(SheetError::CsvQuote { line: 10, .. })
        ),
        "{err:?}"
    );
    assert!(used < 1.0, "{used} s CPU");

    // Crafted: 400 KB of short lines after one quote, no delimiter to give it away.
    let mut crafted = String::from("主办单位,账号名称,平台,账号ID\n\"");
    while crafted.len() < 400_000 {
        crafted.push_str("x\n");
    }
    let path = dir.path().join("crafted.csv");
    std::fs::write(&path, &crafted).expect("write");
    let started = thread_cpu();
    let _ = read(&path, false);
    let used = thread_cpu() - started;
    assert!(used < 0.5, "{used} s CPU");
}

#[test]
fn a_csv_read_can_be_cancelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("名录.csv");
    std::fs::write(&path, roster_text(1000, "\n")).expect("write");
    let err = read(&path, true).expect_err("cancelled");
    assert!(
        matches!(err, RosterError::Read(SheetError::Cancelled)),
        "{err:?}"
    );
}

/// A workbook of two roster sheets: `first` (hidden when `hide_first`) with last quarter's
/// names, then 本季度.
fn two_sheets(path: &Path, hide_first: bool) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, suffix) in [("上季度", "（旧名）"), ("本季度", "")] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).expect("name");
        for (c, h) in ["主办单位", "账号名称", "平台", "账号ID"]
            .iter()
            .enumerate()
        {
            sheet
                .write_string(0, u16::try_from(c).expect("col"), *h)
                .expect("write");
        }
        for i in 1..=30u32 {
            for (c, v) in [
                format!("示例市单位{i}"),
                format!("账号{i}{suffix}"),
                "微信公众号".to_owned(),
                format!("gh_{i}"),
            ]
            .iter()
            .enumerate()
            {
                sheet
                    .write_string(i, u16::try_from(c).expect("col"), v)
                    .expect("write");
            }
        }
        if name == "上季度" && hide_first {
            sheet.set_hidden(true);
        }
        if name == "本季度" {
            sheet.set_active(true);
        }
    }
    book.save(path).expect("save");
}

#[test]
fn a_hidden_sheet_is_never_read_by_default_and_two_like_sheets_are_asked_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hidden = dir.path().join("隐藏.xlsx");
    two_sheets(&hidden, true);
    let cancel = AtomicBool::new(false);
    let parsed = read_roster(&hidden, None, &mut |_| {}, &cancel).expect("read");
    assert_eq!(parsed.sheet, "本季度");
    assert!(
        parsed
            .accounts
            .iter()
            .all(|a| !a.account.name.contains("旧名"))
    );
    // The command line names the sheet it read.
    let db = dir.path().join("t.db");
    let out = run(&db, &["import", path_str(&hidden)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = crate::support::stdout(&out);
    assert!(said.contains("本季度"), "{said}");

    // Both visible and alike: the user chooses.
    let both = dir.path().join("两个.xlsx");
    two_sheets(&both, false);
    let err = read_roster(&both, None, &mut |_| {}, &cancel).expect_err("asked");
    assert!(
        matches!(err, RosterError::Read(SheetError::WhichSheet { .. })),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("“上季度”、“本季度”") && message.contains("--sheet"),
        "{message}"
    );
    let out = run(&db, &["import", path_str(&both), "--sheet", "本季度"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A hidden sheet named on purpose is read.
    let parsed = read_roster(&hidden, Some("上季度"), &mut |_| {}, &cancel).expect("read");
    assert!(
        parsed
            .accounts
            .iter()
            .all(|a| a.account.name.contains("旧名"))
    );
}
