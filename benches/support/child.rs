//! A whole spotcheck process as a bench measures it: its own CPU time and peak memory, read
//! with Python's `os.wait4` (the child's figures, not the bench's).

use std::path::Path;
use std::process::Command;

/// Runs `argv` as a child process `RUNS` times, each after the shell line `setup` (if any);
/// prints `cpu_seconds peak_kib` per run.
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

/// The median of `v` (not empty).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// CPU seconds and peak MiB of `count` runs of `argv` by `python`, each after `setup`, with
/// `env` set; `None` (the reason on standard error) when a run fails.
pub fn runs(
    python: &Path,
    setup: &str,
    argv: &[&std::ffi::OsStr],
    count: usize,
    env: &[(&str, &str)],
) -> Option<(Vec<f64>, Vec<f64>)> {
    let out = Command::new(python)
        .envs(env.iter().copied())
        .env("RUNS", count.to_string())
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
    Some((cpu, peak))
}
