//! The database: connection, schema and migrations, typed reads and writes of the model's
//! records, evidence files and backups. SQL lives here and nowhere else; rules do not.
//!
//! It imports `model` (and `checklist`, whose definitions it stores as JSON) and nothing above
//! them. One `Store` is owned by one thread (the worker in the app, the main thread in the CLI).
//! Reads are methods of [`Store`]; writes are methods of [`Tx`], so that every change happens
//! inside [`Store::transaction`]: a use case that changes several rows does so in one
//! transaction, and an error or a panic in it leaves the database as it was.

mod backup;
mod draws;
mod error;
mod evidence;
mod glance;
mod inspections;
mod lock;
mod log;
mod packages;
mod rectifications;
mod restore;
mod rollup;
mod rollup_recheck;
mod roster;
mod schema;

use std::ops::Deref;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use backup::{AUTO_KEPT, BackupError, BackupInfo, auto_dir, list_backups, read_info};
pub use draws::NewDrawnAccount;
pub use error::StoreError;
pub use evidence::{evidence_dir_for, evidence_file, staging_path, write_file_atomically};
pub use lock::{DbLock, Holder, LockError, lock};
pub use log::read_log_chain;
pub use packages::StoredConflict;
pub use rectifications::{NewProblem, StoredAnswer};
pub use restore::{Restored, check_backup, restore};
pub use rollup::NewReport;

/// The keys of the settings a user can change.
pub mod settings {
    /// The name of whoever uses this copy of spotcheck: recorded with draws and findings.
    pub const USER_NAME: &str = "user_name";
    /// The region the office covers (e.g. 示例市), in the titles of exported sheets.
    pub const REGION_NAME: &str = "region_name";
    /// How many working days units get to fix a problem (整改时限), counted from the export.
    pub const RECTIFICATION_DAYS: &str = "rectification_days";
    /// The checklist new inspections use: its id and version joined by a tab.
    pub const ACTIVE_CHECKLIST: &str = "active_checklist";
    /// The window's colours on this laptop: `dark` for 深色, anything else for 浅色.
    pub const THEME: &str = "theme";
    /// Whom the quarter's notice is sent to (主送), as printed; empty: by the region's level.
    pub const NOTICE_ADDRESSEES: &str = "notice_addressees";
    /// Whom units ask about the notice (联系人 and phone), printed under 工作要求; empty: none.
    pub const NOTICE_CONTACT: &str = "notice_contact";
}

/// `SQLite` integers are i64; counts and positions always fit.
pub(crate) fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A count read back from `SQLite`.
pub(crate) fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Prepared statements are kept for reuse (`prepare_cached`): checks saved and finished in
/// bulk cycle through some twenty. Under the query planner stability guarantee a kept statement
/// runs again as it is: without it, `SQLite` (3.50 and later) re-prepares any statement that
/// compares a column with a parameter each time its parameters are cleared, which the cache
/// does every time it takes one back.
fn keep_statements(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.set_prepared_statement_cache_capacity(64);
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// The database file, with its connection.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Who this session's changes are recorded under, when a front end says so for this run
    /// only (`--user NAME`); otherwise the setting.
    acting_as: Option<String>,
}

/// Where the database lives when neither `--db` nor `SPOTCHECK_DB` says otherwise:
/// the platform's data directory (`~/.local/share/spotcheck` on Linux, `%APPDATA%\spotcheck\data` on Windows).
#[must_use]
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("SPOTCHECK_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    directories::ProjectDirs::from("", "", "spotcheck").map_or_else(
        || PathBuf::from("spotcheck.db"),
        |d| d.data_dir().join("spotcheck.db"),
    )
}

/// The database file `path` names, following symbolic links: a database opened by another name
/// through a link is the same file, with one lock beside it, one backup folder, and a restore
/// that replaces the file rather than the link. (Followed link by link, not canonicalised:
/// paths keep the form the user gave.)
#[must_use]
pub fn resolved_db_path(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    // A loop of links ends here, and the open then fails on the path as given.
    for _ in 0..32 {
        match std::fs::read_link(&p) {
            Ok(target) if target.is_absolute() => p = target,
            Ok(target) => {
                p = p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map_or(target.clone(), |d| d.join(&target));
            }
            Err(_) => return p,
        }
    }
    path.to_path_buf()
}

/// A pipe or device given as the database is refused before `SQLite` opens it (reading a pipe
/// waits for ever).
pub(super) fn refuse_special_file(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(StoreError::NotAFile(path.to_owned())),
        _ => Ok(()),
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, checks its integrity and brings
    /// its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        refuse_special_file(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        let damaged = |detail: String| StoreError::Damaged {
            path: path.to_owned(),
            detail,
        };
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if matches!(
                        f.code,
                        rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
                    ) =>
                {
                    damaged("不是有效的数据库文件".to_owned())
                }
                other => open_err(other),
            })?;
        if check != "ok" {
            return Err(damaged(check));
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        // A new database gets 16 KiB pages (a quarter of the writes and reads of a large
        // import, which the WAL writes twice); an existing one keeps its own: SQLite ignores
        // this once the file has pages, and it must come before WAL mode is set.
        conn.pragma_update(None, "page_size", 16_384)
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        // FULL: a finding shown as saved survives a power cut, not only a killed process.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        // A year of checks is tens of MiB: keep it in memory once read (32 MiB of page cache)
        // instead of reading pages again for every report.
        conn.pragma_update(None, "cache_size", -32_768)
            .map_err(open_err)?;
        // Statement journals (each upsert within a transaction keeps one, for the triggers)
        // and temporary indexes in memory, not in temporary files written page by page.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(open_err)?;
        keep_statements(&conn).map_err(open_err)?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
            acting_as: None,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens the database at `path` for reading only (while another program holds its lock):
    /// nothing is created or migrated, and every write fails.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        refuse_special_file(path)?;
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        keep_statements(&conn).map_err(open_err)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(open_err)?;
        let supported = i64::try_from(schema::MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version > supported {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found: version,
                supported,
            });
        }
        if version < supported {
            return Err(StoreError::NeedsUpgrade {
                path: path.to_owned(),
                found: version,
            });
        }
        Ok(Self {
            conn,
            path: path.to_owned(),
            acting_as: None,
        })
    }

    /// Records this session's changes under `name` (not saved as a setting).
    pub fn act_as(&mut self, name: &str) {
        self.acting_as = Some(name.trim().to_owned()).filter(|n| !n.is_empty());
    }

    /// The name [`Store::act_as`] gave, if any.
    #[must_use]
    pub fn acting_as(&self) -> Option<&str> {
        self.acting_as.as_deref()
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let supported = i64::try_from(schema::MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version > supported {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                supported,
            });
        }
        for (i, sql) in schema::MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `change` in one transaction: committed when it returns `Ok`, rolled back when it
    /// returns an error or panics.
    pub fn transaction<T, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        // `&mut self` keeps any other use of the connection out while the transaction is open.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let out = change(&Tx { store: self })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// A setting's value, if it was ever set.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM setting WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Sets one setting (a transaction of its own).
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.transaction(|tx| tx.set_setting(key, value))
    }
}

/// An open transaction: the store's reads (through `Deref`) and every write. Made only by
/// [`Store::transaction`].
pub struct Tx<'s> {
    store: &'s Store,
}

impl Deref for Tx<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        self.store
    }
}

impl Tx<'_> {
    fn conn(&self) -> &Connection {
        &self.store.conn
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Sets a setting only where it was never set.
    pub fn set_setting_if_absent(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            [key, value],
        )?;
        Ok(())
    }
}
