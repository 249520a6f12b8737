//! Backups, restore and the operation log, on real databases in temporary directories and
//! through the real binary: automatic backups before changes (and how many are kept), a
//! manual backup with its evidence files, restoring one (the replaced database kept), a
//! damaged database brought back, and `log verify` catching an edited entry.

use std::path::{Path, PathBuf};

use crate::support::clock::{at, minutes};
use crate::support::run;
use chrono::NaiveDateTime;
use spotcheck::model::{DrawRequest, NewEvidence};
use spotcheck::sampling::DrawOptions;
use spotcheck::store::{AUTO_KEPT, Store, StoreError, auto_dir, list_backups, settings};

fn import(store: &mut Store, dir: &Path, n: usize, seed: u64, when: NaiveDateTime) {
    crate::support::import_demo(store, dir, n, seed, when);
}

fn draw(store: &mut Store) -> spotcheck::model::DrawRecord {
    let request = DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options: DrawOptions::default(),
        seed: 11,
        reason: None,
        void_work: false,
    };
    spotcheck::steps::draw::make_draw(store, &request, at("2026-11-25 10:02")).expect("draw")
}

fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn changes_are_preceded_by_automatic_backups_and_only_the_last_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut store = Store::open(&db).expect("open");
    // The first import into an empty database has nothing to back up.
    import(&mut store, dir.path(), 50, 1, at("2026-11-25 10:01"));
    assert!(list_backups(&auto_dir(&db)).is_empty());
    draw(&mut store);
    import(&mut store, dir.path(), 60, 2, at("2026-11-25 10:03"));
    let backups = list_backups(&auto_dir(&db));
    let reasons: Vec<&str> = backups.iter().map(|b| b.reason.as_str()).collect();
    assert_eq!(reasons, ["导入名录前", "抽样前"], "newest first");
    // The one before the draw holds the roster but no draw.
    assert_eq!(backups[1].accounts, Some(50));
    assert_eq!(backups[1].draws, Some(0));
    assert_eq!(count(&backups[1].path.join("spotcheck.db"), "draw"), 0);
    for n in 0..AUTO_KEPT + 3 {
        store
            .auto_backup("测试", at("2026-11-25 11:00") + minutes(n), "测试")
            .expect("backup");
    }
    assert_eq!(list_backups(&auto_dir(&db)).len(), AUTO_KEPT);
}

#[test]
fn a_backup_with_evidence_restores_what_was_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("work").join("t.db");
    let mut store = Store::open(&db).expect("open");
    store
        .set_setting(settings::USER_NAME, "张三")
        .expect("name");
    import(&mut store, dir.path(), 80, 3, at("2026-11-25 10:05"));
    let record = draw(&mut store);
    let account = record.accounts[0].account.id;
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4];
    let ins = spotcheck::steps::inspect::add_evidence(
        &mut store,
        record.info.id,
        account,
        "V01",
        NewEvidence::Bytes {
            file_name: "截图.png".to_owned(),
            bytes: png.clone(),
        },
        at("2026-11-25 10:03"),
    )
    .expect("evidence");
    let spotcheck::model::EvidenceKind::File { sha256, file_name } = &ins.evidence[0].kind else {
        panic!("a file");
    };
    let evidence = store.evidence_path(sha256, file_name);

    let usb = dir.path().join("U盘");
    let info = spotcheck::steps::admin::backup_to(&mut store, &usb, at("2026-11-25 10:04"))
        .expect("backup");
    assert_eq!(info.evidence_files, 1);
    assert!(info.path.join("spotcheck.db").is_file());
    assert!(info.path.join("backup.json").is_file());

    // Later work: another draw replaces this one; the evidence file is lost.
    let again = DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options: DrawOptions::default(),
        seed: 12,
        reason: Some("名录有误，重新抽样".to_owned()),
        // Evidence was added: the redraw voids that check, as the user confirmed.
        void_work: true,
    };
    spotcheck::steps::draw::make_draw(&mut store, &again, at("2026-11-25 10:05")).expect("redraw");
    drop(store);
    std::fs::remove_file(&evidence).expect("lose the file");

    let kept = spotcheck::steps::admin::restore(&db, &info.path, at("2026-11-25 10:20"))
        .expect("restore")
        .kept;
    let store = Store::open(&db).expect("open restored");
    let draw = store
        .current_draw("2026Q4".parse().expect("quarter"))
        .expect("read")
        .expect("a draw");
    assert_eq!(draw.info.seed, 11, "the draw of the backup");
    assert_eq!(std::fs::read(&evidence).expect("evidence back"), png);
    // The database that was replaced is kept, as a backup that can itself be restored.
    let kept_info = spotcheck::store::read_info(&kept).expect("kept is a backup");
    assert_eq!(kept_info.reason, "恢复前");
    assert_eq!(count(&kept.join("spotcheck.db"), "draw"), 2);
}

#[test]
fn a_damaged_database_is_refused_and_restored_from_its_latest_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    {
        let mut store = Store::open(&db).expect("open");
        import(&mut store, dir.path(), 40, 4, at("2026-11-25 10:07"));
        draw(&mut store);
    }
    // Overwrite the middle third of the file, as a failing disk or a half copy would (a few
    // KiB alone may fall in the unused end of a 16 KiB page, which holds no data).
    let mut bytes = std::fs::read(&db).expect("read db");
    let len = bytes.len();
    for b in &mut bytes[len / 3..2 * len / 3] {
        *b = 0xAB;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::write(&db, &bytes).expect("damage");
    let err = Store::open(&db).err().expect("refused");
    assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("损坏"));

    let latest = list_backups(&auto_dir(&db))
        .into_iter()
        .next()
        .expect("a backup");
    assert_eq!(latest.reason, "抽样前");
    spotcheck::steps::admin::restore(&db, &latest.path, at("2026-11-25 10:21")).expect("restore");
    let store = Store::open(&db).expect("opens again");
    assert_eq!(store.accounts().expect("accounts").len(), 40);
}

#[test]
fn log_verify_names_the_first_edited_entry_and_backup_restore_run_headless() {
    use calamine::Reader;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    {
        let mut store = Store::open(&db).expect("open");
        import(&mut store, dir.path(), 30, 5, at("2026-11-25 10:09"));
        draw(&mut store);
        import(&mut store, dir.path(), 35, 6, at("2026-11-25 10:11"));
    }
    let ok = run(&db, &["log", "verify"]);
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("校验通过"));

    let out = dir.path().join("备份");
    let made = run(&db, &["backup", "--out", out.to_str().expect("utf-8")]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let backup: PathBuf = std::fs::read_dir(&out)
        .expect("backup folder")
        .next()
        .expect("one")
        .expect("entry")
        .path();

    let xlsx = dir.path().join("日志.xlsx");
    let exported = run(
        &db,
        &["log", "export", "--out", xlsx.to_str().expect("utf-8")],
    );
    assert!(exported.status.success());
    let mut book = calamine::open_workbook_auto(&xlsx).expect("log xlsx");
    let sheet = book.worksheet_range("操作日志").expect("sheet");
    let actions: Vec<String> = sheet.rows().skip(3).map(|r| r[3].to_string()).collect();
    assert!(actions.contains(&"抽样".to_owned()), "{actions:?}");

    // Someone edits the second entry behind the program's back.
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute(
            "UPDATE operation_log SET detail = '没有抽样' WHERE id = 2",
            [],
        )
        .expect("tamper");
    let broken = run(&db, &["log", "verify"]);
    assert!(!broken.status.success());
    let message = String::from_utf8_lossy(&broken.stderr);
    assert!(message.contains("第 2 条"), "{message}");

    // Restoring the backup brings back an intact log.
    let restored = run(&db, &["restore", backup.to_str().expect("utf-8")]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let ok = run(&db, &["log", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let listed = run(&db, &["log", "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let last = entries.as_array().and_then(|a| a.last()).expect("entries");
    assert_eq!(last["action"], "从备份恢复");
}

#[test]
fn finding_changes_are_logged_once_per_burst_of_typing() {
    use spotcheck::checklist::{Answer, Finding};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut store = Store::open(&db).expect("open");
    import(&mut store, dir.path(), 30, 7, at("2026-11-25 10:13"));
    let record = draw(&mut store);
    let account = record.accounts[0].account.id;
    let mut finding = Finding {
        item: "P01".to_owned(),
        answer: Some(Answer::Fail),
        ..Finding::default()
    };
    spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        account,
        &finding,
        at("2026-11-25 10:10"),
    )
    .expect("answer");
    // Typed a character at a time, as the form saves it.
    for (n, note) in ["备", "备案", "备案过期"].iter().enumerate() {
        finding.note = (*note).to_owned();
        spotcheck::steps::inspect::save_finding(
            &mut store,
            record.info.id,
            account,
            &finding,
            at("2026-11-25 10:11") + minutes(n),
        )
        .expect("note");
    }
    // Back to it half an hour later.
    finding.note = "备案信息过期".to_owned();
    spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        account,
        &finding,
        at("2026-11-25 10:45"),
    )
    .expect("note");
    let actions: Vec<String> = store
        .log_entries()
        .expect("log")
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.contains("检查"))
        .collect();
    assert_eq!(actions, ["检查结果", "修改检查说明", "修改检查说明"]);
    assert_eq!(store.verify_log().expect("verify"), None);
}

/// While another spotcheck holds the database (an import running, the window open), a
/// command that would change it — a restore above all — is refused with who holds it, one
/// that only reads goes on, and `--wait` runs once the other lets go.
#[test]
fn a_second_writer_is_refused_told_who_holds_the_database_or_waits_for_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let backup = {
        let mut store = Store::open(&db).expect("open");
        store
            .set_setting(settings::USER_NAME, "张三")
            .expect("user");
        import(&mut store, dir.path(), 30, 1, at("2026-11-25 10:01"));
        let info = store
            .backup_to(dir.path(), at("2026-11-25 10:05"), "张三")
            .expect("backup");
        import(&mut store, dir.path(), 40, 2, at("2026-11-25 10:03"));
        info.path
    };
    let accounts = count(&db, "account");
    let held = spotcheck::store::lock(&db, "命令 spotcheck results import", at("2026-11-25 10:09"))
        .expect("lock");

    let restore = run(&db, &["restore", backup.to_str().expect("utf-8")]);
    assert!(
        !restore.status.success(),
        "a restore ran under a running import"
    );
    let err = crate::support::stderr(&restore);
    assert!(err.contains("正被本软件的另一个窗口或命令使用"), "{err}");
    assert!(
        err.contains("results import") && err.contains("2026-11-25 10:09"),
        "{err}"
    );
    assert!(err.contains("--wait"), "{err}");
    assert_eq!(count(&db, "account"), accounts, "nothing was restored");

    let change = run(&db, &["settings", "--user-name", "李四"]);
    assert!(!change.status.success());
    let show = run(&db, &["settings"]);
    assert!(show.status.success(), "{}", crate::support::stderr(&show));
    assert!(crate::support::stdout(&show).contains("张三"));
    let verify = run(&db, &["log", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        crate::support::stderr(&verify)
    );

    // A limit: it gives up after it, saying so, and changes nothing.
    let started = std::time::Instant::now();
    let gave_up = std::process::Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env_remove("SPOTCHECK_DB")
        .args(["--db", db.to_str().expect("utf-8"), "--wait=1"])
        .args(["settings", "--user-name", "王五"])
        .output()
        .expect("run");
    assert!(!gave_up.status.success());
    assert!(
        crate::support::stderr(&gave_up).contains("已经等了 1 秒"),
        "{}",
        crate::support::stderr(&gave_up)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));

    let mut waiting = std::process::Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env_remove("SPOTCHECK_DB")
        .args(["--db", db.to_str().expect("utf-8"), "--wait"])
        .args(["settings", "--user-name", "李四"])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // It says it is waiting (no sleep needed to see that it does), and is still running.
    let said = waiting_notice(&mut waiting);
    assert!(said.contains("正在等待"), "{said}");
    assert!(
        said.contains("results import") && said.contains("2026-11-25 10:09"),
        "{said}"
    );
    assert!(
        waiting.try_wait().expect("poll").is_none(),
        "--wait did not wait for the lock"
    );
    drop(held);
    let out = waiting.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let store = Store::open(&db).expect("open");
    assert_eq!(
        store.setting(settings::USER_NAME).expect("read").as_deref(),
        Some("李四")
    );
}

/// What a `--wait` command wrote on stderr up to its line saying it waits (`正在等待`): read
/// on a thread, so that a command that never says so fails the test instead of hanging it.
fn waiting_notice(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("waiting-stderr".to_owned())
        .spawn(move || {
            let mut said = String::new();
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                said.push_str(&line);
                said.push('\n');
                if line.contains("正在等待") {
                    break;
                }
            }
            let _ = tx.send(said);
        })
        .expect("reader thread");
    rx.recv_timeout(std::time::Duration::from_mins(1))
        .expect("--wait says it is waiting")
}

/// Two automatic backups in the same second (an import right after a draw) get two folders;
/// neither fails.
#[test]
fn automatic_backups_in_the_same_second_never_collide() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut store = Store::open(&db).expect("open");
    import(&mut store, dir.path(), 20, 1, at("2026-11-25 10:01"));
    let first = store
        .auto_backup("抽样前", at("2026-11-25 10:07"), "张三")
        .expect("first")
        .expect("made");
    let second = store
        .auto_backup("抽样前", at("2026-11-25 10:07"), "张三")
        .expect("second")
        .expect("made");
    assert_ne!(first.path, second.path);
    for b in [&first, &second] {
        spotcheck::store::check_backup(&b.path).expect("a whole backup");
    }
}
