//! One database, one writer: an OS file lock beside the database (`spotcheck.db.lock`), held
//! by the window and by every command that changes the database, for as long as it runs. The
//! operating system releases it when the process ends, however it ends, so a crash never
//! leaves the database locked. Who holds it is written beside it (`spotcheck.db.holder`: the
//! lock file itself cannot be read while locked on Windows) so that the second program can say
//! which program it is and since when.
//!
//! On Unix the database file itself is locked as well (`flock`, which `SQLite`'s own `fcntl`
//! byte-range locks neither see nor disturb): a second name for the same file (a hard link) or
//! a lock file deleted under a running program cannot make a second writer. A restore swaps in
//! another file: its program then locks that one ([`DbLock::lock_swapped_file`]).

use crate::model::os_error::describe;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Who holds the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// 窗口, or the command line (命令 results import).
    pub program: String,
    /// The login name of whoever started it.
    pub user: String,
    pub pid: u32,
    pub since: NaiveDateTime,
}

impl Holder {
    /// 窗口（用户 张三，自 2026-12-02 09:30 起）: no process number, which says nothing to
    /// a user (it stays in the lock file for whoever needs it).
    #[must_use]
    pub fn describe(&self) -> String {
        let user = if self.user.is_empty() {
            String::new()
        } else {
            format!("用户 {}，", self.user)
        };
        format!(
            "{}（{user}自 {} 起）",
            self.program,
            crate::model::time::minute_text(self.since)
        )
    }
}

/// Why the lock was not taken. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("数据库 {} 正被本软件的另一个窗口或命令使用：{}。为防止两处同时修改互相覆盖，本次没有打开数据库，也没有做任何改动。请先关闭它再试。", db.display(), holder.as_ref().map_or_else(|| "不知道是哪个程序".to_owned(), Holder::describe))]
    Held { db: PathBuf, holder: Option<Holder> },
    /// A pipe, device or folder given as the database ([`super::refuse_special_file`]).
    #[error(transparent)]
    NotAFile(super::StoreError),
    #[error("无法创建数据库的锁文件 {}：{}。请确认数据文件夹可以写入。", path.display(), describe(.source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The lock on one database, released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DbLock {
    _lock: File,
    /// The database file itself, locked (Unix).
    database: Option<File>,
    holder: PathBuf,
}

impl DbLock {
    /// Locks the file now at `db` (a restore swapped another in), letting go of the one locked
    /// before.
    pub fn lock_swapped_file(&mut self, db: &Path) -> Result<(), LockError> {
        // The old handle goes first: a second handle on the same file (a restore that failed
        // before its swap) would find it locked by the first.
        self.database = None;
        self.database = lock_database_file(db, || LockError::Held {
            db: db.to_owned(),
            holder: holder(db),
        })?;
        Ok(())
    }
}

impl Drop for DbLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.holder);
    }
}

fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    db.with_file_name(name)
}

/// Takes the lock on the database at `db` for `program`, at `now`, or says who holds it.
pub fn lock(db: &Path, program: &str, now: NaiveDateTime) -> Result<DbLock, LockError> {
    let path = beside(db, ".lock");
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    let holder_file = beside(db, ".holder");
    let held = || LockError::Held {
        db: db.to_owned(),
        holder: holder(db),
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(held()),
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    let db_file = lock_database_file(db, held)?;
    let me = Holder {
        program: program.to_owned(),
        user: std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_default(),
        pid: std::process::id(),
        since: now,
    };
    // Whoever holds the lock clears what a crash interrupted.
    super::restore::clear_interrupted_restore(db);
    super::evidence::clear_partial_evidence(db);
    // Who holds it is for the message only: failing to write it does not stop the work.
    if let Ok(json) = serde_json::to_vec(&me)
        && let Ok(mut f) = File::create(&holder_file)
    {
        let _ = f.write_all(&json);
    }
    Ok(DbLock {
        _lock: file,
        database: db_file,
        holder: holder_file,
    })
}

/// The database file at `db` (made empty when there is none yet: `SQLite` takes an empty file as
/// a new database), locked: `held` when another program holds it. Refused when it is not a
/// regular file (a device or a pipe).
#[cfg(unix)]
fn lock_database_file(db: &Path, held: impl Fn() -> LockError) -> Result<Option<File>, LockError> {
    let io = |source| LockError::Io {
        path: db.to_owned(),
        source,
    };
    // Looked at before it is opened: opening a pipe waits for a writer.
    super::refuse_special_file(db).map_err(LockError::NotAFile)?;
    match std::fs::metadata(db) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(db)
                .map_err(io)?;
        }
        Err(e) => return Err(io(e)),
    }
    // Read and write where allowed (a network share may refuse an exclusive lock through a
    // read-only handle).
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(db)
        .or_else(|_| File::open(db))
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Err(held()),
        // A file system without such locks (some network shares): the lock file alone.
        Err(TryLockError::Error(_)) => Ok(None),
    }
}

/// Elsewhere the lock file alone: a byte-range lock over the whole file would stop `SQLite`'s
/// own locks on Windows.
#[cfg(not(unix))]
fn lock_database_file(_: &Path, _: impl Fn() -> LockError) -> Result<Option<File>, LockError> {
    Ok(None)
}

/// Who holds the lock on `db`, as far as it is known.
#[must_use]
pub fn holder(db: &Path) -> Option<Holder> {
    let bytes = std::fs::read(beside(db, ".holder")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .expect("date")
    }

    #[test]
    fn a_second_lock_is_refused_with_who_holds_it_and_free_once_dropped() {
        let dir = tempfile::TempDir::new().expect("tempdir");
        let db = dir.path().join("spotcheck.db");
        let first = lock(&db, "窗口", at()).expect("first");
        let err = lock(&db, "命令 results import", at()).expect_err("second");
        let text = err.to_string();
        assert!(text.contains("窗口（"), "{text}");
        assert!(
            !text.contains("进程"),
            "no process number for users: {text}"
        );
        assert!(text.contains("2026-12-02 09:30"), "{text}");
        drop(first);
        assert!(holder(&db).is_none(), "the holder note goes with the lock");
        lock(&db, "命令", at()).expect("free again");
    }

    /// After a restore, refused (the same file) or done (another file swapped in), the
    /// program holding the lock locks the file that is there; a second program is still
    /// refused.
    #[test]
    fn the_file_is_locked_again_after_a_restore_whether_it_swapped_or_not() {
        let dir = tempfile::TempDir::new().expect("tempdir");
        let db = dir.path().join("spotcheck.db");
        let mut held = lock(&db, "窗口", at()).expect("first");
        held.lock_swapped_file(&db).expect("the same file again");
        std::fs::write(dir.path().join("new.db"), b"").expect("write");
        std::fs::rename(dir.path().join("new.db"), &db).expect("swap");
        held.lock_swapped_file(&db).expect("the swapped-in file");
        assert!(matches!(
            lock(&db, "命令", at()),
            Err(LockError::Held { .. })
        ));
    }

    /// Evidence a killed write left half written (in the staging folder) is removed by the
    /// next writer; evidence files themselves stay.
    #[test]
    fn the_lock_clears_evidence_a_killed_write_left_half_written() {
        let dir = tempfile::TempDir::new().expect("tempdir");
        let db = dir.path().join("spotcheck.db");
        let shard = dir.path().join("evidence").join("ab");
        std::fs::create_dir_all(&shard).expect("mkdir");
        let kept = shard.join("ab12.png");
        std::fs::write(&kept, b"png").expect("write");
        let half = super::super::staging_path(&shard.join("ab34.png")).expect("staging");
        assert!(
            half.starts_with(dir.path().join("evidence")),
            "{}",
            half.display()
        );
        std::fs::write(&half, b"half").expect("write");
        let _lock = lock(&db, "窗口", at()).expect("lock");
        assert!(kept.exists(), "evidence stays");
        assert!(!half.exists(), "the half-written file is gone");
    }
}
