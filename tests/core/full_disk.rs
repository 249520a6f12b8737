//! A full USB stick: every export to a disk with no room left fails with a Chinese message,
//! leaves the file that was there as it was, leaves no temporary file behind, and changes
//! nothing in the database (a 整改表 that could not be saved issues no problem).
//!
//! The stick is a 1 MiB tmpfs, filled to the last block, mounted in a private mount namespace
//! (`unshare -rm`, no root needed where user namespaces are allowed); the database stays on
//! the ordinary disk.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::support::{path_str, run, stderr};

fn ok(db: &Path, args: &[&str]) {
    let out = run(db, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

/// The shell's quoting of `s`.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn every_export_to_a_full_stick_fails_cleanly_and_keeps_the_old_file() {
    if Command::new("unshare")
        .args(["-rm", "true"])
        .status()
        .map_or(true, |s| !s.success())
    {
        // Documented in README: the test needs user namespaces (or root) to mount a tmpfs.
        panic!("unshare -rm is not available: the full-disk test needs user namespaces");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::support::demo_db(dir.path(), "300");
    ok(&db, &["sample", "--quarter", "2026Q4", "--seed", "7"]);
    ok(
        &db,
        &["assign", "--quarter", "2026Q4", "--inspectors", "张三,李四"],
    );
    ok(&db, &["demo", "--fill-checks", "2026Q4"]);
    let log_before = crate::support::stdout(&run(&db, &["log", "--json"]));

    let stick = dir.path().join("U盘");
    std::fs::create_dir(&stick).expect("mkdir");
    let bin = env!("CARGO_BIN_EXE_spotcheck");
    let exports: [(&str, Vec<&str>); 6] = [
        (
            "通报.docx",
            vec!["export", "notice", "--quarter", "2026Q4", "--out"],
        ),
        (
            "附件.xlsx",
            vec!["export", "notice", "--quarter", "2026Q4", "--out"],
        ),
        (
            "整改表.xlsx",
            vec!["export", "rectification", "--quarter", "2026Q4", "--out"],
        ),
        (
            "统计.xlsx",
            vec!["export", "stats", "--quarter", "2026Q4", "--out"],
        ),
        ("日志.xlsx", vec!["log", "export", "--out"]),
        (
            "张三.spotcheck",
            vec![
                "package",
                "export",
                "--quarter",
                "2026Q4",
                "--inspector",
                "张三",
                "--out",
            ],
        ),
    ];
    let mut script = format!(
        "set -u\nmount -t tmpfs -o size=1m tmpfs {s}\ncd {s}\n",
        s = quoted(path_str(&stick))
    );
    for (name, _) in &exports {
        let _ = writeln!(script, "printf 旧的文件 > {}", quoted(name));
    }
    // Filled to the last block.
    script.push_str("dd if=/dev/zero of=填满 bs=4k 2>/dev/null\n");
    for (name, args) in &exports {
        let args: Vec<String> = args.iter().map(|a| quoted(a)).collect();
        let _ = writeln!(
            script,
            "{bin} --db {db} {args} {name}; echo \"退出码 $?\" >&2",
            bin = quoted(bin),
            db = quoted(path_str(&db)),
            args = args.join(" "),
            name = quoted(name)
        );
    }
    // The 整改表 as one file per unit, into a folder, with room for a few of them: none left.
    let _ = writeln!(
        script,
        "mkdir 各单位; truncate -s -60K 填满; {bin} --db {db} export rectification --quarter 2026Q4 --out 各单位; echo \"退出码 $?\" >&2; echo \"各单位: $(ls -A 各单位)\"",
        bin = quoted(bin),
        db = quoted(path_str(&db)),
    );
    script.push_str("echo 剩下的文件:; ls -A | sort\nfor f in *; do [ \"$f\" = 填满 ] || echo \"$f=$(cat \"$f\")\"; done\n");
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .output()
        .expect("run");
    let (said, listed) = (stderr(&out), crate::support::stdout(&out));
    // Each export failed, in Chinese, and said the old file was left as it was.
    assert_eq!(
        said.matches("退出码 1").count(),
        exports.len() + 1,
        "{said}"
    );
    assert_eq!(
        said.matches("原来的文件（如果有）没有改动").count(),
        exports.len() + 1,
        "{said}"
    );
    assert!(
        listed.contains("各单位: \n"),
        "no unit's file left: {listed}"
    );
    assert!(said.contains("磁盘空间不足"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    // No library's English (the zip writer's, the system's).
    for english in ["ZipWriter", "os error", "No space", "i/o error"] {
        assert!(!said.contains(english), "{said}");
    }
    // Only the old files and the filler: no temporary file left, each old file as it was.
    let files: Vec<&str> = listed
        .lines()
        .skip_while(|l| *l != "剩下的文件:")
        .skip(1)
        .take_while(|l| !l.contains('='))
        .collect();
    let mut expected: Vec<&str> = exports.iter().map(|(n, _)| *n).collect();
    expected.extend(["填满", "各单位"]);
    expected.sort_unstable();
    assert_eq!(files, expected, "{listed}");
    for (name, _) in &exports {
        assert!(
            listed.contains(&format!("{name}=旧的文件")),
            "{name}: {listed}"
        );
    }
    // Nothing in the database changed: no problem issued, no package recorded, the log the same.
    let log_after = crate::support::stdout(&run(&db, &["log", "--json"]));
    assert_eq!(log_before, log_after);
    let rect = crate::support::stdout(&run(&db, &["rectification", "--json"]));
    assert!(!rect.contains("待整改"), "{rect}");
}
