//! Roster import as a user runs it: `spotcheck import roster.xlsx` as a whole process on a fresh
//! database (read, CRC check, validation, automatic backup, write, log), five runs, the median
//! CPU time (user + system) and peak memory; then python-calamine reading the same file into
//! Python lists, measured the same way, and the ratio of the two.
//!
//! Run: `cargo bench --bench import_cli` (add `-- 20000` for another row count). The first run
//! makes a Python venv in `bench-data/venv` and installs python-calamine from PyPI into it;
//! without network or Python the comparison is skipped and said so.

use std::path::{Path, PathBuf};
use std::process::Command;

const RUNS: usize = 5;

/// Measures `argv` as a child process `RUNS` times with Python's `os.wait4`, which reports the
/// child's own CPU time and peak memory; prints `cpu_seconds peak_kib` per run.
const MEASURE: &str = r#"
import os, subprocess, sys
setup = sys.argv[1]
argv = sys.argv[2:]
for _ in range(int(os.environ.get("RUNS", "5"))):
    if setup:
        subprocess.run(["sh", "-c", setup], check=True)
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit("command failed: %r" % (argv,))
    print(ru.ru_utime + ru.ru_stime, ru.ru_maxrss)
"#;

const CALAMINE: &str = r"
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
rows = wb.get_sheet_by_index(0).to_python()
assert len(rows) > 1
";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// (median CPU seconds, median peak MiB) of `argv`, each run after `setup` (a shell line).
fn measure(python: &Path, setup: &str, argv: &[&str]) -> Option<(f64, f64)> {
    let out = Command::new(python)
        .env("RUNS", RUNS.to_string())
        .arg("-c")
        .arg(MEASURE)
        .arg(setup)
        .args(argv)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let (mut cpu, mut peak) = (Vec::new(), Vec::new());
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut it = line.split_whitespace();
        cpu.push(it.next()?.parse().ok()?);
        peak.push(it.next()?.parse::<f64>().ok()? / 1024.0);
    }
    Some((median(cpu), median(peak)))
}

/// The venv's python with python-calamine, made on first use.
fn calamine_python(dir: &Path) -> Option<PathBuf> {
    let venv = dir.join("venv");
    let python = venv.join("bin").join("python");
    let ready = |p: &Path| {
        Command::new(p)
            .args(["-c", "import python_calamine"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ready(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "python-calamine"])
                .status()
                .is_ok_and(|s| s.success());
        if !made || !ready(&python) {
            return None;
        }
    }
    Some(python)
}

fn main() {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("create bench-data/");
    let file = dir.join(format!("roster-{rows}.xlsx"));
    if !file.exists() {
        spotcheck::steps::demo::write_roster_xlsx(
            &spotcheck::steps::demo::accounts(rows, 2026),
            &file,
        )
        .expect("write bench roster");
    }
    let db = dir.join("bench-cli.db");
    let db_text = db.display().to_string();
    let setup = format!(
        "rm -rf '{db_text}' '{db_text}-wal' '{db_text}-shm' '{}'",
        dir.join("backups").display()
    );
    let python = calamine_python(&dir);
    let measurer = python.clone().unwrap_or_else(|| PathBuf::from("python3"));
    let ours = measure(
        &measurer,
        &setup,
        &[
            env!("CARGO_BIN_EXE_spotcheck"),
            "--db",
            &db_text,
            "import",
            &file.display().to_string(),
        ],
    )
    .expect("spotcheck import ran (needs python3 to measure)");
    println!(
        "spotcheck import {rows} rows, whole process: {:.2} s CPU median of {RUNS}, peak memory {:.0} MiB",
        ours.0, ours.1
    );
    let Some(python) = python else {
        println!(
            "python-calamine comparison skipped: no venv could be made (no network or Python)"
        );
        return;
    };
    let py = python.display().to_string();
    let theirs = measure(
        &python,
        "",
        &[&py, "-c", CALAMINE, &file.display().to_string()],
    )
    .expect("python-calamine ran");
    println!(
        "python-calamine reading the same file into lists: {:.2} s CPU median of {RUNS}, peak memory {:.0} MiB",
        theirs.0, theirs.1
    );
    println!("ratio ours / theirs: {:.2}", ours.0 / theirs.0);
}
