//! 设置与备份: the settings a user changes, backups made by hand, restoring one, and the
//! operation log exported with its check.

use std::path::Path;

use chrono::NaiveDateTime;

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
            .is_ok_and(|d| super::followup::DEADLINE_DAYS.contains(&d))
    {
        return Err(SettingError::DeadlineDays(value.to_owned()));
    }
    Ok(store.set_setting(key, value)?)
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

/// Replaces the database at `db` (which must not be open) with a backup, at `now`, and logs
/// the restore in the restored database.
pub fn restore(db: &Path, backup: &Path, now: NaiveDateTime) -> Result<Restored, BackupError> {
    let restored = crate::store::restore(db, backup, now)?;
    let mut store = Store::open(db)?;
    let actor = super::actor(&store)?;
    let info = &restored.info;
    store.transaction(|tx| {
        tx.append_log(
            now,
            &actor,
            "从备份恢复",
            &format!(
                "{}（{} {}）",
                info.path.display(),
                info.created_at.format("%Y-%m-%d %H:%M"),
                info.reason
            ),
        )
    })?;
    Ok(restored)
}

/// Writes the operation log, with the result of its check, to `path`; returns how many
/// entries it holds.
pub fn export_log(store: &Store, path: &Path) -> Result<usize, String> {
    let entries = store.log_entries().map_err(|e| e.to_string())?;
    let broken = store.verify_log().map_err(|e| e.to_string())?;
    crate::export::write_log(&entries, broken, path)
        .map_err(|e| format!("{e}（{}）", path.display()))?;
    Ok(entries.len())
}
