//! Notice export benchmark: a 100,000-account roster, a 30% draw (about 30,000 sampled
//! accounts), every check finished by `demo::complete_checks` (about 1 in 6 不合格, 1 in 3 with
//! a problem). Times, in CPU seconds (user + system, all threads), reading the quarter's report
//! from the database and writing the 通报 workbook, best of 5 runs.
//!
//! The database is built once and kept in bench-data/ (building it takes a few minutes).
//!
//! Run: `cargo bench --bench notice` (add `-- 20000` for another roster size).

use std::time::Instant;

use spotcheck::model::DrawRequest;
use spotcheck::sampling::DrawOptions;
use spotcheck::store::Store;

#[path = "support/roster_db.rs"]
mod roster_db;
use roster_db::roster_db;

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;

fn build(db: &std::path::Path, n: usize) {
    let started = Instant::now();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("time");
    let (mut store, partial) = roster_db(db, "notice", n, at);
    let request = DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options: DrawOptions::default(),
        seed: 9,
        reason: None,
        void_work: false,
    };
    let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
    spotcheck::steps::demo::complete_checks(&mut store, &draw, at).expect("checks");
    drop(store);
    std::fs::rename(&partial, db).expect("keep database");
    eprintln!(
        "built the benchmark database ({n} accounts) in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("create bench-data/");
    let db = dir.join(format!("notice-{n}.db"));
    if !db.exists() {
        build(&db, n);
    }
    let store = Store::open(&db).expect("open");
    let quarter = "2026Q4".parse().expect("quarter");
    let out = tempfile::tempdir().expect("tempdir");
    let path = out.path().join("通报.xlsx");
    let (mut best_load, mut best_write) = (f64::MAX, f64::MAX);
    let mut summary = String::new();
    for _ in 0..5 {
        let c0 = cpu_seconds();
        let report = spotcheck::steps::notice::load_report(&store, quarter).expect("report");
        let c1 = cpu_seconds();
        spotcheck::export::write_notice(&report, "示例市", &path).expect("write");
        let c2 = cpu_seconds();
        best_load = best_load.min(c1 - c0);
        best_write = best_write.min(c2 - c1);
        summary = format!(
            "{} sampled accounts, {} problems",
            report.accounts.len(),
            report.problems.len()
        );
    }
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "notice of {summary}: write {best_write:.2} s CPU, read the report from the database {best_load:.2} s CPU (best of 5); file {:.1} MiB",
        size as f64 / 1024.0 / 1024.0
    );
}
