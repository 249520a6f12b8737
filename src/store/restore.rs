//! Restoring a backup: everything about it is checked before anything is replaced, and the
//! swap survives a crash at any point.
//!
//! The order: (1) the backup is checked whole — a spotcheck database of a schema this version
//! opens, `integrity_check` passing, its counts as its `backup.json` states, every evidence
//! file its checks refer to present with its hash; (2) the database being replaced is kept as
//! a backup (恢复前); (3) the backup's database is copied beside the live one
//! (`spotcheck.restoring`) and synced; (4) its evidence files are added to the evidence folder,
//! each written under a temporary name and renamed, a damaged copy already there replaced
//! (evidence files are named by their content, so adding files never changes what the live
//! database shows); (5) the caller writes into the staged copy what the restore must record
//! (its log entry, and the operations of the replaced log that the backup lacks), and the copy
//! is synced again; (6) the live database is checkpointed and replaced by one rename.
//!
//! A crash before (6) leaves the old database whole (with, at most, extra evidence files it
//! does not refer to); a crash after it leaves the new one with all its evidence and its log
//! already complete. A staging copy left by a crash is removed when the database is next
//! locked ([`clear_interrupted_restore`]). A failure (a full disk) removes what it had added.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OpenFlags};

use super::backup::{
    BackupError, BackupInfo, DB_FILE, INFO_FILE, KEPT_BEFORE_RESTORE, auto_dir, copy_tree, io,
    read_info,
};
use super::{evidence_dir_for, evidence_file, schema};
use crate::model::digest::sha256_hex;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The backup restored.
    pub info: BackupInfo,
    /// Where the database it replaced is kept (itself a backup).
    pub kept: PathBuf,
}

impl Restored {
    #[must_use]
    pub fn summary(&self) -> String {
        format!(
            "已从 {} 的备份（{}）恢复。恢复前的数据库保留在 {}。",
            crate::model::time::minute_text(self.info.created_at),
            self.info.reason,
            self.kept.display()
        )
    }
}

/// The staging copy of a restore, beside the database.
fn staging(db: &Path) -> PathBuf {
    db.with_extension("restoring")
}

/// Removes the staging copy beside `db` and the files `SQLite` may have left beside it.
fn remove_staging(db: &Path) {
    let stage = staging(db);
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", stage.display()));
    }
    let _ = std::fs::remove_file(stage);
}

/// Removes what a restore interrupted before its swap left behind (the swap itself is one
/// rename: either it happened or the old database is whole). Called with the lock held.
pub fn clear_interrupted_restore(db: &Path) {
    remove_staging(db);
    if let Ok(entries) = std::fs::read_dir(auto_dir(db)) {
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "partial") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Checks the backup in `dir` whole; returns its description.
#[allow(clippy::too_many_lines)] // one check after another, each with its own message
pub fn check_backup(dir: &Path) -> Result<BackupInfo, BackupError> {
    only_regular_files(dir, dir)?;
    let info = read_info(dir)?;
    // A backup states its checks; only the copy kept before a restore (it may be damaged) may
    // lack the log's. Taking one out of backup.json does not turn it off.
    let missing = |what| BackupError::CheckMissing {
        path: dir.to_owned(),
        what,
    };
    // (The copies kept before a restore by earlier versions have no hash.)
    if info.db_sha256.is_none() && info.reason != KEPT_BEFORE_RESTORE {
        return Err(missing("数据库文件的校验值（db_sha256）"));
    }
    if info.log.is_none() && info.reason != KEPT_BEFORE_RESTORE {
        return Err(missing("操作日志的记录（log）"));
    }
    let db = dir.join(DB_FILE);
    let not_ours = |detail: &str| BackupError::NotSpotcheck {
        path: db.clone(),
        detail: detail.to_owned(),
    };
    let damaged = |detail: String| BackupError::Damaged {
        path: db.clone(),
        detail,
    };
    if std::fs::metadata(&db)
        .map_err(io(format!("读取 {}", db.display())))?
        .len()
        == 0
    {
        return Err(not_ours("文件是空的"));
    }
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| damaged(e.to_string()))?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|_| not_ours("不是 SQLite 数据库"))?;
    let supported = i64::try_from(schema::MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > supported {
        return Err(BackupError::TooNew {
            path: db,
            found: version,
            supported,
        });
    }
    let has = |table: &str| -> bool {
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [table],
            |r| r.get(0),
        )
        .unwrap_or(false)
    };
    if !["account", "draw", "operation_log", "setting"]
        .iter()
        .all(|t| has(t))
    {
        return Err(not_ours("缺少本软件的数据表"));
    }
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| damaged(e.to_string()))?;
    if result != "ok" {
        return Err(damaged(result));
    }
    let count = |sql: &str| -> Result<i64, BackupError> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| damaged(e.to_string()))
    };
    let mismatch = |what: &str, stated: String, found: String| BackupError::Mismatch {
        path: dir.to_owned(),
        what: what.to_owned(),
        stated,
        found,
    };
    for (what, stated, sql) in [
        ("账号数", info.accounts, "SELECT COUNT(*) FROM account"),
        ("抽样次数", info.draws, "SELECT COUNT(*) FROM draw"),
    ] {
        if let Some(stated) = stated {
            let found = count(sql)?;
            if found != stated {
                return Err(mismatch(what, stated.to_string(), found.to_string()));
            }
        }
    }
    if let Some(head) = &info.log {
        let found = count("SELECT COUNT(*) FROM operation_log")?;
        let last: Option<String> = conn
            .query_row(
                "SELECT hash FROM operation_log ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok();
        if usize::try_from(found).ok() != Some(head.entries) || last.as_ref() != Some(&head.last) {
            return Err(mismatch(
                "操作日志条数",
                head.entries.to_string(),
                found.to_string(),
            ));
        }
    }
    // Any other change to the file (inside a text, say, where SQLite's check sees nothing).
    if let Some(stated) = &info.db_sha256
        && &super::backup::file_sha256(&db)? != stated
    {
        return Err(damaged(
            "数据库文件的校验值与备份说明不符，文件在备份之后被改动或损坏".to_owned(),
        ));
    }
    // Every evidence file a check refers to, present and whole.
    if !has("evidence") {
        return Ok(info);
    }
    let evidence = dir.join("evidence");
    let mut stmt = conn
        .prepare("SELECT DISTINCT sha256, file_name FROM evidence WHERE sha256 IS NOT NULL")
        .map_err(|e| damaged(e.to_string()))?;
    let files: Vec<(String, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })
        .and_then(Iterator::collect)
        .map_err(|e| damaged(e.to_string()))?;
    for (sha, name) in files {
        let path = evidence_file(&evidence, &sha, &name);
        let problem = match std::fs::read(&path) {
            Err(_) => Some("不见了"),
            Ok(bytes) if sha256_hex(&bytes) != sha => Some("已损坏（内容与校验值不符）"),
            Ok(_) => None,
        };
        if let Some(problem) = problem {
            return Err(BackupError::Evidence {
                path: dir.to_owned(),
                file: path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
                problem,
            });
        }
    }
    Ok(info)
}

/// Replaces the database at `db` (which must not be open, and whose lock the caller holds)
/// with the backup in `backup` (its folder, or a file in it), at `now`; `record` writes into
/// the staged copy (the database file it is given, closed again when it returns) what the
/// restore must record before the swap. See the module's description for the order that makes
/// it safe.
pub fn restore(
    db: &Path,
    backup: &Path,
    now: NaiveDateTime,
    record: &mut dyn FnMut(&Path, &BackupInfo) -> Result<(), BackupError>,
) -> Result<Restored, BackupError> {
    let backup = if backup.is_file() {
        backup.parent().unwrap_or(Path::new(".")).to_owned()
    } else {
        backup.to_owned()
    };
    let info = check_backup(&backup)?;
    clear_interrupted_restore(db);
    let kept = keep_current(db, now)?;
    let mut added = Vec::new();
    let swapped = (|| {
        let stage = staging(db);
        let source = backup.join(DB_FILE);
        std::fs::copy(&source, &stage).map_err(io(format!("复制 {}", source.display())))?;
        std::fs::File::open(&stage)
            .and_then(|f| f.sync_all())
            .map_err(io("写入恢复的数据库"))?;
        add_evidence(&backup.join("evidence"), &evidence_dir_for(db), &mut added)?;
        record(&stage, &info)?;
        // What `record` wrote folded into the file, which is synced before it becomes the
        // database.
        checkpoint(&stage);
        // Removing a write-ahead log that was not folded in would lose what `record` wrote.
        let wal = PathBuf::from(format!("{}-wal", stage.display()));
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Err(io("把恢复记录写入恢复的数据库")(
                std::io::Error::other("数据没有完整写入文件"),
            ));
        }
        std::fs::File::open(&stage)
            .and_then(|f| f.sync_all())
            .map_err(io("写入恢复的数据库"))?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", stage.display()));
        }
        checkpoint(db);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        std::fs::rename(&stage, db).map_err(io(format!("替换 {}", db.display())))
    })();
    if let Err(e) = swapped {
        remove_staging(db);
        for file in added {
            let _ = std::fs::remove_file(file);
        }
        if let Some(kept) = &kept {
            let _ = std::fs::remove_dir_all(kept);
        }
        return Err(e);
    }
    Ok(Restored {
        info,
        kept: kept.unwrap_or_default(),
    })
}

/// Refuses a backup folder holding anything but folders and regular files (a link could bring
/// files from outside the backup, or a device or loop, into the evidence folder), by name.
fn only_regular_files(root: &Path, dir: &Path) -> Result<(), BackupError> {
    for entry in std::fs::read_dir(dir).map_err(io(format!("读取 {}", dir.display())))? {
        let entry = entry.map_err(io(format!("读取 {}", dir.display())))?;
        let kind = entry
            .file_type()
            .map_err(io(format!("读取 {}", entry.path().display())))?;
        if kind.is_dir() {
            only_regular_files(root, &entry.path())?;
        } else if !kind.is_file() {
            let path = entry.path();
            return Err(BackupError::NotRegular {
                path: root.to_owned(),
                file: path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
            });
        }
    }
    Ok(())
}

/// Folds the live database's write-ahead log into it, so that nothing committed is in a file
/// the swap removes (a damaged database is replaced as it is).
fn checkpoint(db: &Path) {
    if let Ok(conn) = Connection::open(db) {
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// Copies every evidence file under `from` into `to` that is not there whole already, each
/// under a temporary name then renamed; the files it created are pushed onto `added`.
fn add_evidence(from: &Path, to: &Path, added: &mut Vec<PathBuf>) -> Result<(), BackupError> {
    if !from.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(from).map_err(io(format!("读取 {}", from.display())))? {
        let entry = entry.map_err(io(format!("读取 {}", from.display())))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        if source.is_dir() {
            add_evidence(&source, &target, added)?;
            continue;
        }
        let bytes = std::fs::read(&source).map_err(io(format!("读取 {}", source.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let sha = name.split('.').next().unwrap_or_default();
        if std::fs::read(&target).is_ok_and(|old| sha256_hex(&old) == sha) {
            continue;
        }
        let existed = target.exists();
        super::write_file_atomically(&target, &bytes)
            .map_err(io(format!("写入 {}", target.display())))?;
        if !existed {
            added.push(target);
        }
    }
    Ok(())
}

/// Keeps the database about to be replaced as a backup (恢复前; copied as files: it may be
/// damaged), so that restoring it undoes the restore. `None` when there is no database.
fn keep_current(db: &Path, now: NaiveDateTime) -> Result<Option<PathBuf>, BackupError> {
    // No database, or the empty file the lock makes for a new one: nothing to keep.
    if std::fs::metadata(db).map_or(true, |m| m.len() == 0) {
        return Ok(None);
    }
    let stamp = crate::model::time::stamp_text(now);
    let mut keep_dir = auto_dir(db).join(format!("{KEPT_BEFORE_RESTORE}-{stamp}"));
    let mut n = 2;
    while keep_dir.exists() {
        keep_dir = auto_dir(db).join(format!("{KEPT_BEFORE_RESTORE}-{stamp}-{n}"));
        n += 1;
    }
    let partial = keep_dir.with_extension("partial");
    let made = (|| {
        std::fs::create_dir_all(&partial).map_err(io(format!("创建 {}", partial.display())))?;
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db.display()));
            if from.exists() {
                let to = partial.join(format!("{DB_FILE}{suffix}"));
                std::fs::copy(&from, &to)
                    .map_err(io(format!("保留原数据库 {}", from.display())))?;
            }
        }
        let evidence = copy_tree(&evidence_dir_for(db), &partial.join("evidence"), true)?;
        let kept = BackupInfo {
            path: keep_dir.clone(),
            created_at: now,
            reason: KEPT_BEFORE_RESTORE.to_owned(),
            created_by: String::new(),
            accounts: None,
            draws: None,
            evidence_files: evidence,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            log: None,
            db_sha256: super::backup::file_sha256(&partial.join(DB_FILE)).ok(),
        };
        let json =
            serde_json::to_vec_pretty(&kept).map_err(|e| BackupError::Copy(e.to_string()))?;
        std::fs::write(partial.join(INFO_FILE), json).map_err(io("写入备份说明"))?;
        std::fs::rename(&partial, &keep_dir).map_err(io(format!("保存 {}", keep_dir.display())))
    })();
    match made {
        Ok(()) => Ok(Some(keep_dir)),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(e)
        }
    }
}
