//! Roster import as a user runs it: `spotcheck import roster.xlsx` as a whole process on a fresh
//! database (read, CRC check, validation, automatic backup, write, log), five runs, the median
//! CPU time (user + system) and peak memory, once with each reader of sheet XML (our scanner,
//! the default, and quick-xml's, chosen by `SPOTCHECK_SHEET_XML=quick-xml`), their runs taken
//! in turn, and the ratio of the two; then python-calamine reading the same file into Python
//! lists, measured the same way, and the ratio to ours.
//!
//! Run: `cargo bench --bench import_cli` (add `-- 20000` for another row count; add
//! `-- callgrind` to count each reader's instructions, the whole process once under valgrind:
//! unlike CPU time, the same from run to run). The first run makes a Python venv in
//! `bench-data/venv` and installs python-calamine from `PyPI` into it; without network or Python
//! the comparison is skipped and said so.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/child.rs"]
mod child;
use child::median;

const RUNS: usize = 5;

/// The readers of sheet XML: name, and the value of `SPOTCHECK_SHEET_XML` choosing it.
const READERS: [(&str, &str); 2] = [("scanner", "scan"), ("quick-xml", "quick-xml")];

const CALAMINE: &str = r"
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
rows = wb.get_sheet_by_index(0).to_python()
assert len(rows) > 1
";

/// (median CPU seconds, median peak MiB) of `argv`, each run after `setup` (a shell line).
fn measure(python: &Path, setup: &str, argv: &[&str]) -> Option<(f64, f64)> {
    let (cpu, peak) = runs(python, setup, argv, RUNS, None)?;
    Some((median(cpu), median(peak)))
}

/// CPU seconds and peak MiB of `count` runs of `argv`, each after `setup`, with
/// `SPOTCHECK_SHEET_XML` set to `sheet_xml` where given.
fn runs(
    python: &Path,
    setup: &str,
    argv: &[&str],
    count: usize,
    sheet_xml: Option<&str>,
) -> Option<(Vec<f64>, Vec<f64>)> {
    let argv: Vec<&std::ffi::OsStr> = argv.iter().map(std::ffi::OsStr::new).collect();
    let env: Vec<(&str, &str)> = sheet_xml
        .map(|reader| ("SPOTCHECK_SHEET_XML", reader))
        .into_iter()
        .collect();
    child::runs(python, setup, &argv, count, &env)
}

/// Instructions of one run of `argv` under callgrind (`setup` run before), with
/// `SPOTCHECK_SHEET_XML` set to `sheet_xml`; `None` without valgrind.
fn instructions(setup: &str, argv: &[&str], sheet_xml: &str) -> Option<u64> {
    Command::new("sh")
        .args(["-c", setup])
        .status()
        .ok()?
        .success()
        .then_some(())?;
    let out = Command::new("valgrind")
        .env("SPOTCHECK_SHEET_XML", sheet_xml)
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .args(argv)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    // `==pid== Collected : 1234567`
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|line| {
            line.split_once("Collected :")
                .and_then(|(_, n)| n.trim().parse().ok())
        })
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
    let file_text = file.display().to_string();
    let argv = [
        env!("CARGO_BIN_EXE_spotcheck"),
        "--db",
        &db_text,
        "import",
        &file_text,
    ];
    // The readers' runs in turn, so that a neighbour's load falls on both alike.
    let mut each = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
    for _ in 0..RUNS {
        for ((_, reader), (cpu, peak)) in READERS.iter().zip(&mut each) {
            let (c, p) = runs(&measurer, &setup, &argv, 1, Some(reader))
                .expect("spotcheck import ran (needs python3 to measure)");
            cpu.extend(c);
            peak.extend(p);
        }
    }
    let [scanner, quick_xml] = each.map(|(cpu, peak)| (median(cpu), median(peak)));
    for ((name, reader), (cpu, peak)) in READERS.iter().zip([scanner, quick_xml]) {
        println!(
            "spotcheck import {rows} rows, whole process, sheet XML read by the {name} (SPOTCHECK_SHEET_XML={reader}): {cpu:.2} s CPU median of {RUNS}, peak memory {peak:.0} MiB"
        );
    }
    println!(
        "ratio scanner / quick-xml, CPU: {:.3}",
        scanner.0 / quick_xml.0
    );
    if std::env::args().any(|a| a == "callgrind") {
        let counted: Option<Vec<u64>> = READERS
            .iter()
            .map(|(_, reader)| instructions(&setup, &argv, reader))
            .collect();
        match counted.as_deref() {
            Some(&[scan, quick]) => {
                for ((name, _), n) in READERS.iter().zip([scan, quick]) {
                    println!("instructions, sheet XML read by the {name}: {n}");
                }
                println!(
                    "ratio scanner / quick-xml, instructions: {:.3} (the scanner saves {:.1}%)",
                    scan as f64 / quick as f64,
                    100.0 * (1.0 - scan as f64 / quick as f64)
                );
            }
            _ => println!("instruction counts skipped: valgrind did not run"),
        }
    }
    let ours = scanner;
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
