//! Restoring a backup and checking the log, tried with what a damaged USB stick, an older or
//! newer laptop, or someone deleting log entries would hand the program: each bogus backup is
//! refused with the database untouched; a restore killed at any point leaves one whole
//! database with all its evidence; entries deleted from the end of the log are found against
//! the backups, packages and notices that recorded them; a restore never drops an operation
//! (a redraw made after the backup) out of the log.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support::clock::at;
use crate::support::{run, stderr, stdout};
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};
use spotcheck::model::{DrawRequest, EvidenceKind, NewEvidence};
use spotcheck::sampling::DrawOptions;
use spotcheck::store::{BackupError, Store, auto_dir, list_backups, settings};
use tempfile::TempDir;

fn import(store: &mut Store, dir: &Path, n: usize, seed: u64, when: NaiveDateTime) {
    crate::support::import_demo(store, dir, n, seed, when);
}

fn draw(store: &mut Store, seed: u64, reason: Option<&str>, when: NaiveDateTime) -> i64 {
    let request = DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options: DrawOptions::default(),
        seed,
        reason: reason.map(str::to_owned),
        void_work: true,
    };
    spotcheck::steps::draw::make_draw(store, &request, when)
        .expect("draw")
        .info
        .id
}

fn sha(bytes: &[u8]) -> String {
    // Computed here, not with spotcheck's own helper, so that the test checks it.
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// A database with accounts, a draw and `files` evidence files of `size` bytes each.
fn office(dir: &Path, files: usize, size: usize) -> PathBuf {
    let db = dir.join("data").join("spotcheck.db");
    let mut store = Store::open(&db).expect("open");
    store
        .set_setting(settings::USER_NAME, "王督查")
        .expect("name");
    import(&mut store, dir, 60, 3, at("2026-11-25 10:01"));
    let id = draw(&mut store, 7, None, at("2026-11-25 10:02"));
    let record = store.draw_record(id).expect("draw");
    for n in 0..files {
        let mut bytes = vec![0x89, b'P', b'N', b'G'];
        bytes.extend((0..size).map(|i| u8::try_from((i * 31 + n * 7) % 251).unwrap_or(0)));
        spotcheck::steps::inspect::add_evidence(
            &mut store,
            id,
            record.accounts[n % record.accounts.len()].account.id,
            "V01",
            NewEvidence::Bytes {
                file_name: format!("截图{n}.png"),
                bytes,
            },
            at("2026-11-25 10:03"),
        )
        .expect("evidence");
    }
    db
}

fn backup(db: &Path, parent: &Path, when: NaiveDateTime) -> PathBuf {
    let mut store = Store::open(db).expect("open");
    spotcheck::steps::admin::backup_to(&mut store, parent, when)
        .expect("backup")
        .path
}

/// Accounts, draws and log entries: what a restore must either keep or replace whole.
fn state(db: &Path) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let count = |t: &str| -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .expect("count")
    };
    (count("account"), count("draw"), count("operation_log"))
}

/// Every evidence file the database refers to, present with its hash.
fn evidence_whole(db: &Path) -> Result<(), String> {
    let store = Store::open_read_only(db).map_err(|e| e.to_string())?;
    for id in [1_i64, 2, 3] {
        let Ok(record) = store.draw_record(id) else {
            continue;
        };
        for d in &record.accounts {
            let Some(i) = store
                .inspection(id, d.account.id)
                .map_err(|e| e.to_string())?
            else {
                continue;
            };
            for e in &i.evidence {
                if let EvidenceKind::File { sha256, file_name } = &e.kind {
                    let path = store.evidence_path(sha256, file_name);
                    let bytes = std::fs::read(&path)
                        .map_err(|err| format!("{} missing: {err}", path.display()))?;
                    if sha(&bytes) != *sha256 {
                        return Err(format!("{} damaged", path.display()));
                    }
                }
            }
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

fn first_evidence_file(dir: &Path) -> PathBuf {
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read").flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                return e.path();
            }
        }
    }
    panic!("no evidence file under {}", dir.display());
}

#[test]
fn each_bogus_backup_is_refused_and_the_database_is_untouched() {
    let dir = TempDir::new().expect("tempdir");
    let db = office(dir.path(), 3, 64);
    let good = backup(&db, &dir.path().join("U盘"), at("2026-11-25 10:10"));
    // Later work the supervisor must not lose to a bogus restore.
    {
        let mut store = Store::open(&db).expect("open");
        import(&mut store, dir.path(), 70, 4, at("2026-11-25 10:11"));
    }
    let before = state(&db);
    let bogus = dir.path().join("坏备份");
    let mut cases: Vec<(&str, PathBuf, &str)> = Vec::new();
    let mut make = |name: &str, want: &'static str, spoil: &dyn Fn(&Path)| {
        let path = bogus.join(name);
        copy_dir(&good, &path);
        spoil(&path);
        cases.push((want, path, want));
    };
    make("更新版本", "更新版本", &|p| {
        rusqlite::Connection::open(p.join("spotcheck.db"))
            .expect("open")
            .pragma_update(None, "user_version", 99)
            .expect("version");
    });
    make("别的数据库", "不是本软件的数据库", &|p| {
        let db = p.join("spotcheck.db");
        std::fs::remove_file(&db).expect("remove");
        rusqlite::Connection::open(&db)
            .expect("open")
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .expect("other");
    });
    make("空文件", "文件是空的", &|p| {
        std::fs::write(p.join("spotcheck.db"), b"").expect("empty");
    });
    make("账号数不符", "账号数", &|p| {
        let json = std::fs::read_to_string(p.join("backup.json")).expect("json");
        let mut v: serde_json::Value = serde_json::from_str(&json).expect("json");
        v["accounts"] = serde_json::json!(1234);
        std::fs::write(p.join("backup.json"), v.to_string()).expect("write");
    });
    make("日志被删", "操作日志", &|p| {
        rusqlite::Connection::open(p.join("spotcheck.db"))
            .expect("open")
            .execute(
                "DELETE FROM operation_log WHERE id = (SELECT MAX(id) FROM operation_log)",
                [],
            )
            .expect("delete");
    });
    make("证据缺失", "不见了", &|p| {
        std::fs::remove_file(first_evidence_file(&p.join("evidence"))).expect("remove");
    });
    make("证据截断", "已损坏", &|p| {
        let f = first_evidence_file(&p.join("evidence"));
        let bytes = std::fs::read(&f).expect("read");
        std::fs::write(&f, &bytes[..bytes.len() / 2]).expect("truncate");
    });
    make("数据库损坏", "已损坏", &|p| {
        let db = p.join("spotcheck.db");
        let mut bytes = std::fs::read(&db).expect("read");
        let len = bytes.len();
        for b in &mut bytes[len / 2..len / 2 + 2048] {
            *b = 0x5A;
        }
        std::fs::write(&db, bytes).expect("damage");
    });
    // A check taken out of backup.json does not turn it off.
    for (name, field, want) in [
        ("没有校验值", "db_sha256", "缺少数据库文件的校验值"),
        ("没有日志记录", "log", "缺少操作日志的记录"),
    ] {
        make(name, want, &|p| {
            let json = std::fs::read_to_string(p.join("backup.json")).expect("json");
            let mut v: serde_json::Value = serde_json::from_str(&json).expect("json");
            v.as_object_mut().expect("object").remove(field);
            std::fs::write(p.join("backup.json"), v.to_string()).expect("write");
        });
    }
    // Links in the backup folder: to a file outside it (its evidence would be copied in), to
    // a device, and a loop. Refused by name, nothing copied.
    #[cfg(unix)]
    {
        let outside = dir.path().join("备份以外的文件.txt");
        std::fs::write(&outside, b"secret").expect("write");
        make("链接到外面", "链接或特殊文件", &|p| {
            let f = first_evidence_file(&p.join("evidence"));
            std::fs::remove_file(&f).expect("remove");
            std::os::unix::fs::symlink(&outside, &f).expect("link");
        });
        make("链接到设备", "链接或特殊文件", &|p| {
            std::os::unix::fs::symlink("/dev/zero", p.join("evidence").join("零.png"))
                .expect("link");
        });
        make("链接成环", "链接或特殊文件", &|p| {
            std::os::unix::fs::symlink(p.join("evidence"), p.join("evidence").join("环"))
                .expect("link");
        });
    }
    for (name, path, want) in &cases {
        let err = spotcheck::steps::admin::restore(&db, path, at("2026-11-25 10:30"))
            .expect_err(&format!("{name} was restored"));
        let text = err.to_string();
        assert!(text.contains(want), "{name}: {text}");
        assert!(!matches!(err, BackupError::Store(_)), "{name}: {err:?}");
        assert_eq!(state(&db), before, "{name}: the database changed");
        assert!(
            !db.with_extension("restoring").exists(),
            "{name}: staging left"
        );
        // The command line says the same, in Chinese, and fails.
        let out = run(&db, &["restore", path.to_str().expect("utf-8")]);
        assert!(!out.status.success(), "{name}");
        assert!(stderr(&out).contains(want), "{name}: {}", stderr(&out));
    }
    assert_eq!(state(&db), before);
    // Nothing was kept as 恢复前 for a restore that never started.
    assert!(
        list_backups(&auto_dir(&db))
            .iter()
            .all(|b| b.reason != "恢复前"),
        "{:?}",
        list_backups(&auto_dir(&db))
    );
    // The good one restores.
    spotcheck::steps::admin::restore(&db, &good, at("2026-11-25 10:31")).expect("good backup");
    assert_eq!(state(&db).0, 60);
    evidence_whole(&db).expect("evidence");
}

/// The restore is run as a command and killed at many points; whatever happened, the next
/// start finds one whole database — the old one or the backup's — with every evidence file
/// it refers to, and a later restore succeeds.
#[test]
fn a_restore_killed_at_any_point_leaves_one_whole_database() {
    let dir = TempDir::new().expect("tempdir");
    let db = office(dir.path(), 24, 200_000);
    let good = backup(&db, &dir.path().join("U盘"), at("2026-11-25 10:10"));
    let backup_state = state(&good.join("spotcheck.db"));
    {
        let mut store = Store::open(&db).expect("open");
        import(&mut store, dir.path(), 70, 4, at("2026-11-25 10:11"));
    }
    // The live evidence folder is emptied: a restore must bring every file back.
    std::fs::remove_dir_all(db.with_file_name("evidence")).expect("remove evidence");
    let old_state = state(&db);
    let mut outcomes = (0, 0);
    for delay_ms in [0_u64, 5, 10, 20, 30, 45, 60, 80, 110, 150, 200, 300] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_spotcheck"))
            .env_remove("SPOTCHECK_DB")
            .args(["--db", db.to_str().expect("utf-8"), "restore"])
            .arg(&good)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // The next start: the lock clears what the crash left, the database opens whole.
        let lock = spotcheck::store::lock(&db, "测试", at("2026-11-25 10:40")).expect("lock");
        assert!(
            !db.with_extension("restoring").exists(),
            "after {delay_ms} ms"
        );
        let now = state(&db);
        let backup_log_plus_restore = now.0 == backup_state.0 && now.1 == backup_state.1;
        assert!(
            now == old_state || backup_log_plus_restore,
            "after {delay_ms} ms: {now:?} is neither {old_state:?} nor the backup {backup_state:?}"
        );
        if now == old_state {
            outcomes.0 += 1;
        } else {
            outcomes.1 += 1;
            evidence_whole(&db).unwrap_or_else(|e| panic!("after {delay_ms} ms: {e}"));
        }
        let store = Store::open(&db).expect("opens");
        // Whichever database it is, its log verifies against every backup beside it (the
        // copies kept before each restore hold more entries): a restored one already records
        // the restore and the operations it replaced.
        let check = spotcheck::steps::admin::verify_log_against(&store, &[]).expect("verify");
        assert!(
            check.passed(),
            "after {delay_ms} ms: {check:?}\n{:#?}",
            store
                .log_entries()
                .expect("log")
                .iter()
                .map(|e| format!("{} {} {}", e.id, e.action, e.detail))
                .collect::<Vec<_>>()
        );
        if now != old_state {
            let log = store.log_entries().expect("log");
            assert!(
                log.iter().any(|e| e.action == "从备份恢复"),
                "after {delay_ms} ms: the restored log records the restore"
            );
        }
        drop(store);
        drop(lock);
    }
    // A later restore finishes the job whatever state it found.
    spotcheck::steps::admin::restore(&db, &good, at("2026-11-25 10:50")).expect("restore");
    evidence_whole(&db).expect("evidence after a full restore");
    eprintln!(
        "killed restores: {} left the old database, {} the backup",
        outcomes.0, outcomes.1
    );
}

/// Entries deleted from the end of the log keep the chain valid; the backups beside the
/// database, a package and an exported notice recorded more, and say how many are missing.
#[test]
fn entries_deleted_from_the_end_of_the_log_are_found_against_backups_packages_and_notices() {
    let dir = TempDir::new().expect("tempdir");
    let db = office(dir.path(), 1, 16);
    let (notice, package, total) = {
        let mut store = Store::open(&db).expect("open");
        let d = spotcheck::steps::draw::current_draw(&store, "2026Q4".parse().expect("q"))
            .expect("draw");
        spotcheck::steps::demo::complete_checks(&mut store, &d, at("2026-11-25 10:12"))
            .expect("checks");
        let notice = dir.path().join("通报.docx");
        spotcheck::steps::notice::export_notice(
            &mut store,
            "2026Q4".parse().expect("q"),
            &notice,
            at("2026-11-25 10:13"),
        )
        .expect("notice");
        spotcheck::steps::draw::assign(
            &mut store,
            d.info.quarter,
            &["张三".to_owned()],
            false,
            at("2026-11-25 10:14"),
        )
        .expect("assign");
        let package = dir.path().join("张三.spotcheck");
        spotcheck::steps::exchange::export_work_package(
            &mut store,
            d.info.quarter,
            "张三",
            &package,
            at("2026-11-25 10:15"),
            1,
        )
        .expect("package");
        import(&mut store, dir.path(), 65, 5, at("2026-11-25 10:16"));
        (notice, package, store.log_chain().expect("chain").len())
    };
    let ok = run(&db, &["log", "verify"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("没有发现被删除的记录"),
        "{}",
        stdout(&ok)
    );

    // The last entries are deleted: the chain that is left still holds.
    let keep = 3_usize;
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute(
            "DELETE FROM operation_log WHERE id > ?1",
            [i64::try_from(keep).expect("a small count")],
        )
        .expect("delete");
    let store = Store::open(&db).expect("open");
    assert_eq!(
        store.verify_log().expect("verify"),
        None,
        "the chain alone cannot tell"
    );
    let check = spotcheck::steps::admin::verify_log_against(&store, &[]).expect("check");
    assert!(!check.passed());
    // The newest automatic backup (before the last import) had all but the import's entry.
    assert!(
        check
            .gaps
            .iter()
            .any(|g| g.starts_with(&format!("日志在第 {keep} 条之后少了")) && g.contains("备份“")),
        "{:?}",
        check.gaps
    );
    drop(store);
    for against in [&notice, &package] {
        let out = run(
            &db,
            &[
                "log",
                "verify",
                "--against",
                against.to_str().expect("utf-8"),
            ],
        );
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.contains(&format!("日志在第 {keep} 条之后少了")),
            "{err}"
        );
        assert!(err.contains(&against.display().to_string()), "{err}");
    }
    assert!(total > keep);
    // Something that holds no record of the log is said, not passed over.
    let junk = dir.path().join("随便的文件.xlsx");
    std::fs::write(&junk, b"PK\x03\x04 not really").expect("write");
    let out = run(
        &db,
        &["log", "verify", "--against", junk.to_str().expect("utf-8")],
    );
    assert!(stderr(&out).contains("没有用来对照"), "{}", stderr(&out));

    // The whole log emptied: no first entry is left to recognise the records by, and still
    // every backup beside the database and each notice or package named says what is missing.
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute("DELETE FROM operation_log", [])
        .expect("empty");
    let out = run(&db, &["log", "verify"]);
    assert!(!out.status.success(), "an emptied log does not pass");
    assert!(
        stderr(&out).contains("日志在第 0 条之后少了") && stderr(&out).contains("备份“"),
        "{}",
        stderr(&out)
    );
    for against in [&notice, &package] {
        let out = run(
            &db,
            &[
                "log",
                "verify",
                "--against",
                against.to_str().expect("utf-8"),
            ],
        );
        assert!(
            stderr(&out).contains(&format!("（对照通报 {}", against.display()))
                || stderr(&out).contains(&against.display().to_string()),
            "{}",
            stderr(&out)
        );
    }
}

/// A redraw made after a backup stays in the log when that backup is restored, and the log
/// checks against every backup, the one kept before the restore included.
#[test]
fn a_restore_keeps_later_operations_in_the_log_and_the_log_still_checks() {
    let dir = TempDir::new().expect("tempdir");
    let db = office(dir.path(), 1, 16);
    let good = backup(&db, &dir.path().join("U盘"), at("2026-11-25 10:10"));
    {
        let mut store = Store::open(&db).expect("open");
        draw(&mut store, 99, Some("名录更正"), at("2026-11-25 10:20"));
    }
    let restored =
        spotcheck::steps::admin::restore(&db, &good, at("2026-11-25 10:30")).expect("restore");
    let store = Store::open(&db).expect("open");
    let log = store.log_entries().expect("log");
    let last = log.last().expect("entry");
    assert_eq!(last.action, "从备份恢复");
    assert!(last.detail.contains("不在这份备份里"), "{}", last.detail);
    assert!(
        log.iter().any(|e| e.action == "恢复前的操作"
            && e.detail.contains("重新抽样")
            && e.detail.contains("名录更正")),
        "{log:#?}"
    );
    let check =
        spotcheck::steps::admin::verify_log_against(&store, &[restored.kept.clone(), good.clone()])
            .expect("check");
    assert!(check.passed(), "{check:?}");
    assert!(check.compared >= 2, "{check:?}");
    assert!(
        last.detail.contains("（标记为已替换的记录 "),
        "{}",
        last.detail
    );
    drop(store);

    // The attack: the last entries deleted and their hashes put among the replaced ones, so
    // that the copies (the 恢复前 one, the backup) no longer show a gap. The marks no longer
    // add up to what the restores in the log made: found.
    let conn = rusqlite::Connection::open(&db).expect("open");
    let hidden: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT hash FROM operation_log ORDER BY id DESC LIMIT 2")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    conn.execute(
        "DELETE FROM operation_log WHERE id > (SELECT MAX(id) - 2 FROM operation_log)",
        [],
    )
    .expect("delete");
    for h in &hidden {
        conn.execute(
            "INSERT INTO log_replaced(hash, replaced_at) VALUES (?1, '2026-11-25 10:40:00')",
            [h],
        )
        .expect("mark");
    }
    drop(conn);
    let out = run(&db, &["log", "verify"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("不是恢复留下的"), "{}", stderr(&out));
}

/// Undoing a restore (restoring the copy kept before it) leaves one copy of each entry: the
/// operations copied into the restored log are not written a second time, nor nested.
#[test]
fn undoing_a_restore_leaves_one_copy_of_each_entry() {
    let dir = TempDir::new().expect("tempdir");
    let db = office(dir.path(), 1, 16);
    let good = backup(&db, &dir.path().join("U盘"), at("2026-11-25 10:10"));
    let before = {
        let mut store = Store::open(&db).expect("open");
        draw(&mut store, 99, Some("名录更正"), at("2026-11-25 10:20"));
        let log = store.log_entries().expect("log");
        // The confirmation names what the restore undoes.
        let head = spotcheck::store::read_info(&good).expect("info").log;
        let undone = spotcheck::model::undone_since(&log, head.as_ref()).expect("known");
        assert!(undone.iter().any(|(a, _)| a == "重新抽样"), "{undone:?}");
        log.len()
    };
    let restored =
        spotcheck::steps::admin::restore(&db, &good, at("2026-11-25 10:30")).expect("restore");
    spotcheck::steps::admin::restore(&db, &restored.kept, at("2026-11-25 10:40"))
        .expect("undo the restore");
    let store = Store::open(&db).expect("open");
    let log = store.log_entries().expect("log");
    assert!(
        log.iter()
            .all(|e| !e.detail.contains("恢复前的操作：") || e.action != "恢复前的操作"),
        "nothing nested: {log:#?}"
    );
    // The entries before the first restore, once each; then the first restore (written again,
    // it is not in the copy) and the second; nothing more.
    let again: Vec<&str> = log[before..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(again, ["恢复前的操作", "从备份恢复"], "{log:#?}");
    let check = spotcheck::steps::admin::verify_log_against(&store, &[]).expect("check");
    assert!(check.passed(), "{check:?}");
}
