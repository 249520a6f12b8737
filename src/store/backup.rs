//! Backups: a consistent copy of the database (`VACUUM INTO`) and its evidence files in a
//! folder, with a `backup.json` saying when and why. Automatic ones go to `backups/` beside the
//! database before every import, draw and merge (the last [`AUTO_KEPT`] are kept); the user can
//! make one into any folder, and restore any.

use crate::model::os_error::describe;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::model::LogHead;

/// How many automatic backups are kept.
pub const AUTO_KEPT: usize = 20;
pub(super) const DB_FILE: &str = "spotcheck.db";
pub(super) const INFO_FILE: &str = "backup.json";
pub(super) const KEPT_BEFORE_RESTORE: &str = "恢复前";
const MANUAL: &str = "手动备份";

/// Why a backup or a restore failed. A failed restore leaves the database as it was.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("无法{what}：{}。请确认文件夹可以写入、磁盘没有满。", describe(.source))]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("无法备份数据库：{0}")]
    Copy(String),
    #[error("{} 不是本软件的备份（里面没有 {DB_FILE}）。请选择备份文件夹。", .0.display())]
    NotBackup(PathBuf),
    #[error("备份 {} 中的数据库已损坏（{detail}），不能用来恢复。请选择另一份备份。", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("{} 不是本软件的数据库（{detail}），不能用来恢复。请选择本软件的备份文件夹。", path.display())]
    NotSpotcheck { path: PathBuf, detail: String },
    #[error("备份 {} 由更新版本的本软件 创建（格式版本 {found}，本程序支持到 {supported}），本机不能恢复它。请先升级本软件。", path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("备份 {} 与它的说明不符：说明中{what}为 {stated}，数据库中为 {found}。备份可能不完整或被改动过，不能用来恢复。请选择另一份备份。", path.display())]
    Mismatch {
        path: PathBuf,
        what: String,
        stated: String,
        found: String,
    },
    #[error("备份 {} 中的证据文件 {file} {problem}，恢复后检查记录会缺少证据，因此没有恢复。请选择另一份备份。", path.display())]
    Evidence {
        path: PathBuf,
        file: String,
        problem: &'static str,
    },
    #[error("备份 {} 中的“{file}”是链接或特殊文件，不是备份时写下的普通文件。为免把备份以外的文件带进数据，没有恢复。请选择另一份备份。", path.display())]
    NotRegular { path: PathBuf, file: String },
    #[error("备份 {} 的说明（backup.json）中缺少{what}，无法核对备份是否完整、是否被改动过，没有恢复。请选择另一份备份。", path.display())]
    CheckMissing { path: PathBuf, what: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `backup.json` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupInfo {
    /// The backup folder.
    #[serde(skip)]
    pub path: PathBuf,
    pub created_at: NaiveDateTime,
    /// 手动备份, 导入名录前, 抽样前, 合并前…
    pub reason: String,
    pub created_by: String,
    /// `None` where not known (the copy kept before a restore may be damaged).
    pub accounts: Option<i64>,
    pub draws: Option<i64>,
    pub evidence_files: usize,
    pub app_version: String,
    /// Where the operation log stood when the backup was made (absent in backups made before
    /// spotcheck wrote it, and in the copy kept before a restore).
    #[serde(default)]
    pub log: Option<LogHead>,
    /// SHA-256 of the backup's database file as written: a change to any byte of it (which
    /// `SQLite`'s own check may not see, inside a text) is found before a restore.
    #[serde(default)]
    pub db_sha256: Option<String>,
}

pub(super) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// The folder automatic backups of the database at `db` go to.
#[must_use]
pub fn auto_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

impl Store {
    /// Makes a backup in a new folder inside `parent`, named for the time and `reason`; files
    /// of the evidence folder are hard-linked when `link` (same disk, automatic backups) and
    /// copied otherwise. Returns what it wrote.
    pub fn backup_into(
        &self,
        parent: &Path,
        reason: &str,
        link: bool,
        at: NaiveDateTime,
        by: &str,
    ) -> Result<BackupInfo, BackupError> {
        let stamp = crate::model::time::stamp_text(at);
        let mut dir = parent.join(format!("备份-{stamp}-{reason}"));
        let mut n = 2;
        while dir.exists() {
            dir = parent.join(format!("备份-{stamp}-{reason}-{n}"));
            n += 1;
        }
        let partial = dir.with_extension("partial");
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial).map_err(io(format!("创建 {}", partial.display())))?;
        let result = self.fill_backup(&partial, reason, link, at, by);
        match result {
            Ok(mut info) => {
                std::fs::rename(&partial, &dir).map_err(io(format!("保存 {}", dir.display())))?;
                info.path = dir;
                Ok(info)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&partial);
                Err(e)
            }
        }
    }

    fn fill_backup(
        &self,
        dir: &Path,
        reason: &str,
        link: bool,
        at: NaiveDateTime,
        by: &str,
    ) -> Result<BackupInfo, BackupError> {
        let db = dir.join(DB_FILE);
        self.conn
            .execute("VACUUM INTO ?1", [db.to_string_lossy()])
            .map_err(|e| BackupError::Copy(StoreError::from(e).to_string()))?;
        let evidence = copy_tree(&self.evidence_dir(), &dir.join("evidence"), link)?;
        let chain = self.log_chain()?;
        let count = |sql: &str| -> Result<i64, BackupError> {
            Ok(self
                .conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(StoreError::from)?)
        };
        let info = BackupInfo {
            path: dir.to_owned(),
            created_at: at,
            reason: reason.to_owned(),
            created_by: by.to_owned(),
            accounts: Some(count("SELECT COUNT(*) FROM account")?),
            draws: Some(count("SELECT COUNT(*) FROM draw")?),
            evidence_files: evidence,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            log: LogHead::of(&chain),
            db_sha256: Some(file_sha256(&db)?),
        };
        let json =
            serde_json::to_vec_pretty(&info).map_err(|e| BackupError::Copy(e.to_string()))?;
        std::fs::write(dir.join(INFO_FILE), json).map_err(io("写入备份说明"))?;
        Ok(info)
    }

    /// A backup the user asked for, into a folder they chose (files copied, not linked).
    pub fn backup_to(
        &self,
        parent: &Path,
        at: NaiveDateTime,
        by: &str,
    ) -> Result<BackupInfo, BackupError> {
        self.backup_into(parent, MANUAL, false, at, by)
    }

    /// An automatic backup before a change (`reason`: 导入名录前, 抽样前, 合并前…), skipped
    /// while the database holds nothing; the oldest beyond [`AUTO_KEPT`] are removed.
    pub fn auto_backup(
        &self,
        reason: &str,
        at: NaiveDateTime,
        by: &str,
    ) -> Result<Option<BackupInfo>, BackupError> {
        let empty: bool = self
            .conn
            .query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM account) AND NOT EXISTS (SELECT 1 FROM draw)",
                [],
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        if empty {
            return Ok(None);
        }
        let dir = auto_dir(&self.path);
        std::fs::create_dir_all(&dir).map_err(io(format!("创建 {}", dir.display())))?;
        let info = self.backup_into(&dir, reason, true, at, by)?;
        // Only automatic backups are pruned (never the copy kept before a restore, nor a manual
        // backup someone put here), and never the one just made, whatever the clock said.
        let automatic: Vec<BackupInfo> = list_backups(&dir)
            .into_iter()
            .filter(|b| {
                b.reason != KEPT_BEFORE_RESTORE && b.reason != MANUAL && b.path != info.path
            })
            .collect();
        for old in automatic.iter().skip(AUTO_KEPT.saturating_sub(1)) {
            let _ = std::fs::remove_dir_all(&old.path);
        }
        Ok(Some(info))
    }
}

/// Copies (or hard-links) every file under `from` into `to`; returns how many.
pub(super) fn copy_tree(from: &Path, to: &Path, link: bool) -> Result<usize, BackupError> {
    if !from.is_dir() {
        return Ok(0);
    }
    let mut count = 0;
    for entry in std::fs::read_dir(from).map_err(io(format!("读取 {}", from.display())))? {
        let entry = entry.map_err(io(format!("读取 {}", from.display())))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(io(format!("读取 {}", source.display())))?;
        if kind.is_dir() {
            count += copy_tree(&source, &target, link)?;
        } else if kind.is_file() {
            if target.exists() {
                continue;
            }
            std::fs::create_dir_all(to).map_err(io(format!("创建 {}", to.display())))?;
            if !(link && std::fs::hard_link(&source, &target).is_ok()) {
                std::fs::copy(&source, &target)
                    .map_err(io(format!("复制 {}", source.display())))?;
            }
            count += 1;
        }
    }
    Ok(count)
}

/// The backups in `dir` (folders holding a `backup.json`), newest first.
#[must_use]
pub fn list_backups(dir: &Path) -> Vec<BackupInfo> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<BackupInfo> = entries
        .flatten()
        .filter_map(|e| read_info(&e.path()).ok())
        .collect();
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.path.cmp(&a.path)));
    out
}

/// The description of the backup in folder `dir`.
pub fn read_info(dir: &Path) -> Result<BackupInfo, BackupError> {
    if !dir.join(DB_FILE).is_file() {
        return Err(BackupError::NotBackup(dir.to_owned()));
    }
    let text =
        std::fs::read(dir.join(INFO_FILE)).map_err(|_| BackupError::NotBackup(dir.to_owned()))?;
    let mut info: BackupInfo =
        serde_json::from_slice(&text).map_err(|_| BackupError::NotBackup(dir.to_owned()))?;
    dir.clone_into(&mut info.path);
    Ok(info)
}

/// SHA-256 of a file, read in pieces.
pub(super) fn file_sha256(path: &Path) -> Result<String, BackupError> {
    use sha2::{Digest, Sha256};
    let read = io(format!("读取 {}", path.display()));
    let mut h = Sha256::new();
    std::fs::File::open(path)
        .and_then(|mut f| std::io::copy(&mut f, &mut h))
        .map_err(read)?;
    Ok(crate::model::digest::hex(&h.finalize()))
}
