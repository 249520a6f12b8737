//! The operation log in the database: one row per import, draw, assignment, answer…, each
//! chained to the one before by [`entry_hash`], so an edit of an old entry is found.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, Tx};
use crate::model::time::{parse_time, time_text};
use crate::model::{LogEntry, entry_hash};

impl Tx<'_> {
    /// Records that a restore replaced the entry with this hash (it is logged again after it);
    /// whether it was not recorded already.
    pub fn record_replaced_log(
        &self,
        hash: &str,
        at: chrono::NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let added = self.conn().execute(
            "INSERT OR IGNORE INTO log_replaced(hash, replaced_at) VALUES (?1, ?2)",
            params![hash, time_text(at)],
        )?;
        Ok(added > 0)
    }

    /// Appends an entry; called inside the transaction of the change it records.
    pub fn append_log(
        &self,
        at: chrono::NaiveDateTime,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let (last_id, previous): (i64, String) = self
            .conn()
            .prepare_cached("SELECT id, hash FROM operation_log ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, String::new()));
        let id = last_id + 1;
        let at = time_text(at);
        let hash = entry_hash(&previous, id, &at, actor, action, detail);
        self.conn()
            .prepare_cached(
                "INSERT INTO operation_log (id, at, actor, action, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![id, at, actor, action, detail, hash])?;
        Ok(())
    }
}

fn entry_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogEntry> {
    let at: String = r.get(1)?;
    Ok(LogEntry {
        id: r.get(0)?,
        at: parse_time(&at).unwrap_or_default(),
        actor: r.get(2)?,
        action: r.get(3)?,
        detail: r.get(4)?,
    })
}

impl Store {
    /// The newest entry, if any.
    pub fn last_log_entry(&self) -> Result<Option<LogEntry>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, at, actor, action, detail FROM operation_log ORDER BY id DESC LIMIT 1",
                [],
                entry_from,
            )
            .optional()?)
    }

    /// Every entry, oldest first.
    pub fn log_entries(&self) -> Result<Vec<LogEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at, actor, action, detail FROM operation_log ORDER BY id")?;
        let rows = stmt.query_map([], entry_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where the log stands now (`None` while it is empty).
    pub fn log_head(&self) -> Result<Option<crate::model::LogHead>, StoreError> {
        Ok(crate::model::LogHead::of(&self.log_chain()?))
    }

    /// The hashes of log entries a restore replaced.
    pub fn replaced_log_hashes(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT hash FROM log_replaced")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The id and hash of every entry, in order: the chain whose last hash stands for the
    /// whole log (written into backups, to find entries deleted later).
    pub fn log_chain(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, hash FROM operation_log ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The id of the first entry whose hash does not match its content and its predecessor,
    /// or `None` when the whole chain holds.
    pub fn verify_log(&self) -> Result<Option<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at, actor, action, detail, hash FROM operation_log ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut previous = String::new();
        let mut expected_id = 1;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let (at, actor, action, detail, hash): (String, String, String, String, String) =
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            if id != expected_id || entry_hash(&previous, id, &at, &actor, &action, &detail) != hash
            {
                return Ok(Some(id));
            }
            previous = hash;
            expected_id += 1;
        }
        Ok(None)
    }
}

/// The id and hash of every log entry of the database file at `path` (a backup, read-only,
/// whatever its schema version).
pub fn read_log_chain(path: &std::path::Path) -> Result<Vec<(i64, String)>, StoreError> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut stmt = conn.prepare("SELECT id, hash FROM operation_log ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
