//! Bulk results as a quarter arrives from a monitoring tool or a team's shared sheet:
//! `spotcheck results import 检查结果.xlsx --finish` as a whole process, on a roster of 20,000
//! accounts with 2026Q4 drawn at 30% — one row per sampled account and checklist item (5,417 ×
//! 18 = 97,506 rows of 8 columns), every check finished. (At 100,000 accounts the one sheet
//! passes the 2 million cells a sheet may hold and is refused, asking for it to be split.) Three runs, each on a fresh copy of the drawn
//! database; the median CPU time (user + system) and peak memory of the process, measured with
//! Python's `os.wait4` (the child's own figures).
//!
//! The drawn database and the results sheet are made once and kept in bench-data/ (a few
//! minutes). Run: `cargo bench --bench results_import` (add `-- 10000` for another roster size).

use std::path::{Path, PathBuf};

use rust_xlsxwriter::Workbook;
use spotcheck::checklist::{Checklist, ItemKind, Rule};
use spotcheck::model::{DrawRequest, Quarter};
use spotcheck::sampling::DrawOptions;
use spotcheck::store::Store;

const RUNS: usize = 3;

#[path = "support/child.rs"]
mod child;
use child::median;
#[path = "support/roster_db.rs"]
mod roster_db;
use roster_db::roster_db;

fn at(text: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a time")
}

/// The drawn database: the roster imported, 2026Q4 drawn at 30%.
fn build_db(db: &Path, n: usize) {
    let (mut store, partial) = roster_db(db, "results", n, at("2026-10-08 09:00"));
    let request = DrawRequest {
        quarter: "2026Q4".parse::<Quarter>().expect("quarter"),
        options: DrawOptions::default(),
        seed: 2026,
        reason: None,
        void_work: false,
    };
    spotcheck::steps::draw::make_draw(&mut store, &request, at("2026-10-08 10:00")).expect("draw");
    drop(store);
    std::fs::rename(&partial, db).expect("keep");
}

/// The results sheet: every sampled account × every item of the built-in checklist; one
/// account in ten fails a non-veto item, with a note; rule items carry their dates or gaps.
fn build_sheet(db: &Path, sheet: &Path) -> usize {
    let store = Store::open(db).expect("open");
    let draw = spotcheck::steps::draw::current_draw(&store, "2026Q4".parse().expect("quarter"))
        .expect("draw");
    let checklist = Checklist::builtin();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let header = [
        "平台",
        "账号标识",
        "检查项",
        "结果",
        "说明",
        "最后更新日期",
        "最长更新间隔（天）",
        "检查日期",
    ];
    for (c, h) in (0u16..).zip(header) {
        ws.write_string(0, c, h).expect("head");
    }
    let failing = checklist
        .items
        .iter()
        .find(|i| i.kind != ItemKind::Veto && i.rule.is_none())
        .map(|i| i.id.clone());
    let mut r: u32 = 1;
    for (n, d) in draw.accounts.iter().enumerate() {
        let a = &d.account.account;
        for item in &checklist.items {
            ws.write_string(r, 0, &a.platform).expect("w");
            ws.write_string(r, 1, &a.account_id).expect("w");
            ws.write_string(r, 2, &item.id).expect("w");
            let fails = n % 10 == 0 && failing.as_ref() == Some(&item.id);
            ws.write_string(r, 3, if fails { "不符合" } else { "符合" })
                .expect("w");
            if fails {
                ws.write_string(r, 4, "栏目内容与名称不符").expect("w");
            }
            match &item.rule {
                Some(Rule::UpdateWithin { .. }) => {
                    ws.write_string(r, 5, "2026-10-15").expect("w");
                }
                Some(Rule::LongestGap { .. }) => {
                    ws.write_number(r, 6, 5.0).expect("w");
                }
                None => {}
            }
            ws.write_string(r, 7, "2026-10-20").expect("w");
            r += 1;
        }
    }
    book.save(sheet).expect("save");
    usize::try_from(r - 1).unwrap_or(0)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data");
    let db = dir.join(format!("results-{n}.db"));
    let sheet = dir.join(format!("results-{n}.xlsx"));
    if !db.exists() {
        eprintln!("making the drawn database ({n} accounts)…");
        build_db(&db, n);
    }
    let rows = if sheet.exists() {
        None
    } else {
        Some(build_sheet(&db, &sheet))
    };
    let work = dir.join(format!("results-{n}-run.db"));
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_spotcheck"));
    // A fresh copy of the drawn database before each run; no lock or backups left over.
    let setup = format!(
        "rm -rf '{w}' '{w}-wal' '{w}-shm' '{w}.lock' '{backups}' && cp '{db}' '{w}'",
        w = work.display(),
        db = db.display(),
        backups = dir.join("backups").display(),
    );
    let argv: Vec<&std::ffi::OsStr> = [
        exe.as_os_str(),
        "--db".as_ref(),
        work.as_os_str(),
        "--user".as_ref(),
        "王组长".as_ref(),
        "results".as_ref(),
        "--quarter".as_ref(),
        "2026Q4".as_ref(),
        "import".as_ref(),
        sheet.as_os_str(),
        "--finish".as_ref(),
    ]
    .to_vec();
    let (cpu, peak) = child::runs(Path::new("python3"), &setup, &argv, RUNS, &[])
        .expect("python3 and every run of the import");
    let finished = Store::open(&work)
        .and_then(|s| {
            let draw = s
                .current_draw_info("2026Q4".parse().expect("quarter"))?
                .expect("drawn");
            s.draw_tally(draw.id)
        })
        .expect("read back");
    assert_eq!(
        finished.unfinished(),
        0,
        "every check finished by the import"
    );
    println!(
        "results import of {} sampled accounts{}: {:.2} s CPU, peak {:.0} MiB (median of {RUNS} runs, whole process)",
        finished.checked,
        rows.map(|r| format!(" ({r} rows)")).unwrap_or_default(),
        median(cpu),
        median(peak)
    );
}
