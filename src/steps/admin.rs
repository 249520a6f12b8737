//! 设置与备份: the settings a user changes, backups made by hand, restoring one, and the
//! operation log exported with its check.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use crate::model::{LogEntry, LogHead, gap_against_copy, gap_against_head};
use crate::store::{BackupError, BackupInfo, Restored, Store, StoreError, settings};

/// Why a setting was refused. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("整改时限“{0}”不对：请填写 1 到 90 之间的工作日天数。")]
    DeadlineDays(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks and saves one setting: the deadline must be 1 to 90 working days; names and the
/// region are kept as typed, trimmed.
pub fn save_setting(store: &mut Store, key: &str, value: &str) -> Result<(), SettingError> {
    let value = value.trim();
    if key == settings::RECTIFICATION_DAYS
        && !value
            .parse::<u32>()
            .is_ok_and(|d| DEADLINE_DAYS.contains(&d))
    {
        return Err(SettingError::DeadlineDays(value.to_owned()));
    }
    Ok(store.set_setting(key, value)?)
}

/// The region name for titles (setting; blank if not set).
pub fn region_name(store: &Store) -> Result<String, StoreError> {
    Ok(store.setting(settings::REGION_NAME)?.unwrap_or_default())
}

/// The deadlines a setting may give, in working days.
pub const DEADLINE_DAYS: std::ops::RangeInclusive<u32> = 1..=90;

/// The deadline in working days (setting; 10 if not set, not a number or out of range).
pub fn deadline_days(store: &Store) -> Result<u32, StoreError> {
    Ok(store
        .setting(settings::RECTIFICATION_DAYS)?
        .and_then(|v| v.trim().parse().ok())
        .filter(|d| DEADLINE_DAYS.contains(d))
        .unwrap_or(crate::rectification::DEFAULT_DEADLINE_DAYS))
}

/// A backup the user asked for, into a folder they chose (files copied, not linked); logged.
pub fn backup_to(
    store: &mut Store,
    parent: &Path,
    at: NaiveDateTime,
) -> Result<BackupInfo, BackupError> {
    let actor = super::actor(store)?;
    let info = store.backup_to(parent, at, &actor)?;
    store.transaction(|tx| {
        tx.append_log(at, &actor, "备份数据库", &info.path.display().to_string())
    })?;
    Ok(info)
}

/// The action of a log entry written again after a restore.
const TRANSCRIBED: &str = "恢复前的操作";

/// How a restore's entry says how many replaced entries it marked: 「（标记为已替换的记录 N 条）」.
const REPLACED_MARKER: &str = "（标记为已替换的记录 ";

/// Replaces the database at `db` (which must not be open; the caller holds its lock) with a
/// backup, at `now`, and logs the restore in the restored database. Entries of the log being
/// replaced that the backup does not have (a redraw made after the backup, say) are logged
/// again after the restore, so that no operation drops out of the log whatever is restored.
pub fn restore(db: &Path, backup: &Path, now: NaiveDateTime) -> Result<Restored, BackupError> {
    // The log being replaced: every entry of it the backup lacks is marked replaced (so that
    // checking against a copy of it finds nothing deleted), and those whose chain holds are
    // logged again (from a broken entry on, none is trustworthy). Written into the restored
    // copy before it replaces the database: a restore killed at any point leaves a log that
    // verifies.
    let before = Store::open_read_only(db).ok().and_then(|s| {
        Some(LogBefore {
            broken: s.verify_log().ok()?,
            entries: s.log_entries().ok()?,
            chain: s.log_chain().ok()?,
            replaced: s.replaced_log_hashes().ok()?,
        })
    });
    crate::store::restore(db, backup, now, &mut |staged, info| {
        record_restore(staged, info, before.clone(), now)
    })
}

/// The log a restore replaces: where its chain breaks, its entries and their hashes, and the
/// hashes it had marked replaced by earlier restores.
#[derive(Clone)]
struct LogBefore {
    broken: Option<i64>,
    entries: Vec<LogEntry>,
    chain: Vec<(i64, String)>,
    replaced: HashSet<String>,
}

/// Writes into the restored copy at `staged` the operations of the replaced log (`before`)
/// that the backup lacks, the marks of what earlier restores replaced (a second restore must
/// not make the copies kept before the first look shortened), and the restore itself.
fn record_restore(
    staged: &Path,
    info: &crate::store::BackupInfo,
    before: Option<LogBefore>,
    now: NaiveDateTime,
) -> Result<(), BackupError> {
    let mut store = Store::open(staged)?;
    let actor = super::actor(&store)?;
    let kept: HashSet<String> = store.log_chain()?.into_iter().map(|(_, h)| h).collect();
    let replaced_earlier: Vec<String> = before
        .as_ref()
        .map(|b| {
            b.replaced
                .iter()
                .filter(|h| !kept.contains(*h))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let (broken_before, lost): (Option<i64>, Vec<(LogEntry, String)>) =
        before.map_or((None, Vec::new()), |b| {
            let lost = b
                .entries
                .into_iter()
                .zip(b.chain.into_iter().map(|(_, h)| h))
                .filter(|(_, h)| !kept.contains(h))
                .collect();
            (b.broken, lost)
        });
    let trusted = |e: &LogEntry| broken_before.is_none_or(|b| e.id < b);
    // An entry is written again as it was; one that is itself such a copy keeps its words
    // (never 恢复前的操作 of 恢复前的操作), and one the restored log already has — undoing a
    // restore brings back the entries that were copied — is not written twice.
    let copy_of = |e: &LogEntry| {
        if e.action == TRANSCRIBED {
            e.detail.clone()
        } else {
            format!(
                "{} {}：{}：{}",
                crate::model::time::minute_text(e.at),
                e.actor,
                e.action,
                e.detail
            )
        }
    };
    let present: HashSet<String> = store.log_entries()?.iter().map(copy_of).collect();
    let carry = |e: &LogEntry| trusted(e) && !present.contains(&copy_of(e));
    store.transaction(|tx| {
        let mut detail = format!(
            "{}（{} {}）",
            info.path.display(),
            crate::model::time::minute_text(info.created_at),
            info.reason
        );
        let carried = lost.iter().filter(|(e, _)| carry(e)).count();
        if carried > 0 {
            let _ = write!(
                detail,
                "；恢复前的日志中有 {carried} 条操作不在这份备份里，已逐条记在上面"
            );
        }
        if let Some(id) = broken_before {
            let _ = write!(
                detail,
                "；恢复前的日志从第 {id} 条起校验未通过，这些记录不可信，没有转录"
            );
        }
        let mut marked = 0;
        for (e, hash) in &lost {
            if carry(e) {
                tx.append_log(now, &actor, TRANSCRIBED, &copy_of(e))?;
            }
            marked += usize::from(tx.record_replaced_log(hash, now)?);
        }
        for hash in &replaced_earlier {
            marked += usize::from(tx.record_replaced_log(hash, now)?);
        }
        // How many marks this restore made: `log verify` adds them up over the restores in the
        // chain, so that marks put in by hand (to hide a deletion) are found.
        let _ = write!(detail, "{REPLACED_MARKER}{marked} 条）");
        tx.append_log(now, &actor, "从备份恢复", &detail)?;
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}

/// Writes the operation log, with the result of its check, to `path`; returns how many
/// entries it holds.
pub fn export_log(store: &Store, path: &Path) -> Result<usize, String> {
    let entries = store.log_entries().map_err(|e| e.to_string())?;
    let broken = store.verify_log().map_err(|e| e.to_string())?;
    crate::export::write_log(&entries, broken, path).map_err(|e| e.message_at(path))?;
    Ok(entries.len())
}

/// What checking the operation log against the records of it found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogCheck {
    /// Entries in the log.
    pub entries: usize,
    /// The first entry whose hash does not hold (edited, inserted or deleted in the middle).
    pub broken_at: Option<i64>,
    /// How many records of this database's log were compared (backups, packages, notices).
    pub compared: usize,
    /// Entries those records have that the log lacks: "日志在第 N 条之后少了 M 条（对照 …）".
    pub gaps: Vec<String>,
    /// Paths given to compare against that hold no record of a log (not a backup, package or
    /// exported notice, or damaged): said, never passed over in silence.
    pub unread: Vec<PathBuf>,
    /// The marks of replaced entries are not the ones the restores in the log made: what is
    /// wrong, in Chinese.
    pub marks_unaccounted: Option<String>,
}

impl LogCheck {
    #[must_use]
    pub fn passed(&self) -> bool {
        self.broken_at.is_none() && self.gaps.is_empty() && self.marks_unaccounted.is_none()
    }

    /// One sentence for a passed check.
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = format!("操作日志校验通过：共 {} 条，没有被改动过", self.entries);
        if self.compared > 0 {
            let _ = write!(
                s,
                "；与 {} 份备份、工作包或通报中记下的日志一致，没有发现被删除的记录",
                self.compared
            );
        }
        s.push('。');
        s
    }
}

/// Whether the `marked` replaced-entry marks are the ones the restores in `entries` say they
/// made; `None` when they are, or when a restore of an earlier version (which did not say)
/// makes it unknowable.
fn marks_unaccounted(entries: &[LogEntry], marked: usize) -> Option<String> {
    let mut said = 0;
    for e in entries.iter().filter(|e| e.action == "从备份恢复") {
        let at = e.detail.find(REPLACED_MARKER)? + REPLACED_MARKER.len();
        let digits: String = e.detail[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        said += digits.parse::<usize>().ok()?;
    }
    (said != marked).then(|| {
        format!(
            "记为“恢复时已替换”的日志记录有 {marked} 条，而日志中的各次恢复共记下 {said} 条，多出或少了的记录不是恢复留下的，可能是为掩盖删除而改动的"
        )
    })
}

/// One record of the log found beside the database or in `against`.
enum LogRecord {
    /// A backup's whole log.
    Copy(Vec<(i64, String)>),
    Head(LogHead),
}

/// Checks the log's chain, then compares it with every record of it that can be found: the
/// backups beside the database and, in `against`, backup folders, folders holding backups,
/// packages (`.spotcheck`) and exported notices (`.xlsx`). Records of another database (whose
/// first entry differs) are passed over.
pub fn verify_log_against(store: &Store, against: &[PathBuf]) -> Result<LogCheck, StoreError> {
    let chain = store.log_chain()?;
    let replaced = store.replaced_log_hashes()?;
    let mut check = LogCheck {
        entries: chain.len(),
        broken_at: store.verify_log()?,
        marks_unaccounted: marks_unaccounted(&store.log_entries()?, replaced.len()),
        ..LogCheck::default()
    };
    // An empty log has no first entry to recognise its records by: every record beside the
    // database, or named, that holds entries says how many were deleted.
    let first = chain.first().map(|(_, h)| h.clone());
    let mut records = log_records(&crate::store::auto_dir(store.path()));
    for path in against {
        let found = log_records(path);
        if found.is_empty() {
            check.unread.push(path.clone());
        }
        records.extend(found);
    }
    let mut seen = HashSet::new();
    for (name, record) in records {
        if !seen.insert(name.clone()) {
            continue;
        }
        let (ours, gap) = match (&first, &record) {
            (None, LogRecord::Copy(other)) => (
                !other.is_empty(),
                Some(crate::model::LogGap {
                    after: 0,
                    missing: other.len(),
                }),
            ),
            (None, LogRecord::Head(head)) => (
                head.entries > 0,
                Some(crate::model::LogGap {
                    after: 0,
                    missing: head.entries,
                }),
            ),
            (Some(first), LogRecord::Copy(other)) => (
                other.first().is_some_and(|(_, h)| h == first),
                gap_against_copy(&chain, &replaced, other),
            ),
            (Some(first), LogRecord::Head(head)) => (
                head.first == *first,
                gap_against_head(&chain, &replaced, head),
            ),
        };
        if !ours {
            continue;
        }
        check.compared += 1;
        if let Some(g) = gap {
            check.gaps.push(format!(
                "日志在第 {} 条之后少了 {} 条（对照{name}）",
                g.after, g.missing
            ));
        }
    }
    Ok(check)
}

/// The records of the log at `path`, each with how the message names it.
fn log_records(path: &Path) -> Vec<(String, LogRecord)> {
    let mut out = Vec::new();
    if path.is_dir() {
        if let Ok(info) = crate::store::read_info(path) {
            if let Ok(chain) = crate::store::read_log_chain(&path.join("spotcheck.db")) {
                let name = format!(
                    "备份“{} {}”（{}）",
                    crate::model::time::minute_text(info.created_at),
                    info.reason,
                    path.display()
                );
                out.push((name, LogRecord::Copy(chain)));
            }
        } else if let Ok(entries) = std::fs::read_dir(path) {
            let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            children.sort();
            for child in children {
                if child.is_dir() && crate::store::read_info(&child).is_err() {
                    continue;
                }
                out.extend(log_records(&child));
            }
        }
        return out;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let head = match ext.as_deref() {
        Some("spotcheck") => {
            crate::exchange::read_log_head(path).map(|h| (format!("包 {}", path.display()), h))
        }
        Some("xlsx" | "docx") => {
            crate::export::notice_log_head(path).map(|h| (format!("通报 {}", path.display()), h))
        }
        _ => None,
    };
    out.extend(head.map(|(name, h)| (name, LogRecord::Head(h))));
    out
}

/// 立即备份到…: a backup in a new folder inside `dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupTo {
    pub dir: PathBuf,
}

impl super::action::Action for BackupTo {
    type Done = BackupInfo;
    type Error = BackupError;
    const JOB: super::action::Job = super::action::Job::Backup;
    const RUNNING: Option<&'static str> = Some("正在备份数据库和证据文件…");

    fn output_folder(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<BackupInfo, BackupError> {
        backup_to(cx.store, &self.dir, cx.at)
    }

    fn report(&self, info: &BackupInfo) -> Option<String> {
        Some(format!(
            "已备份到 {}（账号 {} 个，证据文件 {} 个）。",
            info.path.display(),
            info.accounts.unwrap_or(0),
            info.evidence_files
        ))
    }
}

/// 导出操作日志: the log, with the result of its check, as xlsx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLog {
    pub path: PathBuf,
}

impl super::action::Action for ExportLog {
    /// How many entries were written.
    type Done = usize;
    type Error = String;
    const JOB: super::action::Job = super::action::Job::Settings;
    const WRITES: bool = false;

    fn output_folder(&self) -> Option<PathBuf> {
        super::action::folder_of(&self.path)
    }

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<usize, String> {
        export_log(cx.store, &self.path)
    }

    fn report(&self, n: &usize) -> Option<String> {
        Some(format!("操作日志已保存：{}（{n} 条）", self.path.display()))
    }
}

/// A setting saved (the user's name, the region…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveSetting {
    pub key: &'static str,
    pub value: String,
}

impl super::action::Action for SaveSetting {
    type Done = ();
    type Error = SettingError;
    const JOB: super::action::Job = super::action::Job::Settings;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<(), SettingError> {
        save_setting(cx.store, self.key, &self.value)
    }

    /// The setting shows where it was typed.
    fn report(&self, (): &()) -> Option<String> {
        None
    }
}
