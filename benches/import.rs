//! Roster import benchmark: generates a 100,000-row office-style xlsx (kept in bench-data/),
//! then imports it into a fresh database in this process, validation included, and prints
//! CPU time (user + system, all threads) and peak memory.
//!
//! Run: `cargo bench --bench import` (add `-- 20000` for another row count).

use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn cpu_and_peak() -> (f64, f64) {
    // /proc/self/stat: utime and stime in clock ticks (fields 14, 15); status: VmHWM in kB.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm_kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    (ticks / 100.0, hwm_kb / 1024.0)
}

fn main() {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("create bench-data/");
    let file = dir.join(format!("roster-{rows}.xlsx"));
    if !file.exists() {
        let t = Instant::now();
        spotcheck::steps::demo::write_roster_xlsx(
            &spotcheck::steps::demo::accounts(rows, 2026),
            &file,
        )
        .expect("write bench roster");
        println!(
            "generated {} in {:.2} s",
            file.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = spotcheck::store::Store::open(&db).expect("open db");

    let (cpu0, _) = cpu_and_peak();
    let wall = Instant::now();
    let preview = spotcheck::steps::roster_import::preview(
        &store,
        &file,
        None,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("read");
    let (cpu1, _) = cpu_and_peak();
    let report = spotcheck::steps::roster_import::commit(
        &mut store,
        &preview,
        chrono::NaiveDateTime::default(),
    )
    .expect("write");
    let (cpu2, peak) = cpu_and_peak();
    assert_eq!(
        report.imported as usize, rows,
        "every generated row imports"
    );
    println!(
        "import {rows} rows: {:.2} s CPU (read + validate {:.2} s, write {:.2} s), {:.2} s wall, peak memory {:.0} MiB",
        cpu2 - cpu0,
        cpu1 - cpu0,
        cpu2 - cpu1,
        wall.elapsed().as_secs_f64(),
        peak
    );
}
