//! The user's steps, one module each: the use cases both front ends (the window's worker and
//! the CLI) call. A use case reads and writes through the store (in one transaction where it
//! changes anything), applies the pure core's rules, and logs what it did.
//!
//! Every use case takes the time (`at`, `today`), seeds and new ids as arguments: only the
//! front ends read the clock or make randomness, so tests can say exactly when things happen.

pub mod action;
pub mod admin;
pub mod demo;
pub mod draw;
pub mod exchange;
pub mod inspect;
pub mod notice;
pub mod office_key;
pub mod overview;
pub mod reassign;
pub mod rectification;
pub mod report_package;
pub mod results_import;
pub mod rollup;
pub mod rollup_notice;
pub mod rollup_recheck;
pub mod roster_import;

use chrono::NaiveDateTime;

use crate::store::{Store, StoreError, settings::USER_NAME};

/// Who is working: the name given for this session (`--user`), the name in the settings, or
/// the system's login name (未署名 only where the system has none).
pub fn actor(store: &Store) -> Result<String, StoreError> {
    if let Some(name) = store.acting_as() {
        return Ok(name.to_owned());
    }
    Ok(store
        .setting(USER_NAME)?
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .ok()
        })
        .unwrap_or_else(|| "未署名".to_owned()))
}

/// The automatic backup before a change (`reason`: 导入名录前, 抽样前, 合并前…). If it cannot
/// be made, the change is not made either.
pub fn backup_before(
    store: &Store,
    reason: &str,
    at: NaiveDateTime,
    actor: &str,
) -> Result<Option<crate::store::BackupInfo>, StoreError> {
    store
        .auto_backup(reason, at, actor)
        .map_err(|e| StoreError::Backup(e.to_string()))
}

/// Logs something done outside the database (an export) as done by whoever is working.
pub(crate) fn log_action(
    store: &mut Store,
    action: &str,
    detail: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let actor = actor(store)?;
    store.transaction(|tx| tx.append_log(at, &actor, action, detail))
}
