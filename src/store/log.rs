//! The operation log: who did what and when, one row per import, draw, assignment…
//! Each entry carries the SHA-256 of its content and of the entry before it, so an edit of an
//! old entry breaks the chain from that entry on.

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Store, StoreError, settings::USER_NAME};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    /// A short Chinese verb phrase: 导入名录, 抽样, 重新抽样, 分配检查人员…
    pub action: String,
    pub detail: String,
}

fn entry_hash(
    previous: &str,
    id: i64,
    at: &str,
    actor: &str,
    action: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [previous, &id.to_string(), at, actor, action, detail] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

const TIME: &str = "%Y-%m-%d %H:%M:%S";

/// Appends an entry; called inside the transaction of the change it records.
pub(super) fn append(
    conn: &Connection,
    at: NaiveDateTime,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let (last_id, previous): (i64, String) = conn
        .query_row(
            "SELECT id, hash FROM operation_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, String::new()));
    let id = last_id + 1;
    let at = at.format(TIME).to_string();
    let hash = entry_hash(&previous, id, &at, actor, action, detail);
    conn.execute(
        "INSERT INTO operation_log (id, at, actor, action, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, at, actor, action, detail, hash],
    )?;
    Ok(())
}

/// Whether the last entry is `action` with `detail` by `actor`, at most `minutes` before `at`.
pub(super) fn recently(
    conn: &Connection,
    actor: &str,
    action: &str,
    detail: &str,
    at: NaiveDateTime,
    minutes: i64,
) -> Result<bool, StoreError> {
    let last: Option<(String, String, String, String)> = conn
        .query_row(
            "SELECT at, actor, action, detail FROM operation_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(last.is_some_and(|(when, who, what, about)| {
        let when = NaiveDateTime::parse_from_str(&when, TIME).unwrap_or_default();
        who == actor
            && what == action
            && about == detail
            && at >= when
            && at - when <= chrono::Duration::minutes(minutes)
    }))
}

impl Store {
    /// The name set in the settings, or the system's user name, or 未署名.
    pub fn user_name(&self) -> Result<String, StoreError> {
        Ok(self
            .setting(USER_NAME)?
            .filter(|n| !n.trim().is_empty())
            .or_else(|| {
                std::env::var("USER")
                    .or_else(|_| std::env::var("USERNAME"))
                    .ok()
            })
            .unwrap_or_else(|| "未署名".to_owned()))
    }

    /// Records something done outside the database (an export, a restore) in the log.
    pub fn log_action(
        &self,
        action: &str,
        detail: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        append(&self.conn, at, &self.user_name()?, action, detail)
    }

    /// Every entry, oldest first.
    pub fn log_entries(&self) -> Result<Vec<LogEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at, actor, action, detail FROM operation_log ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let at: String = r.get(1)?;
            Ok(LogEntry {
                id: r.get(0)?,
                at: NaiveDateTime::parse_from_str(&at, TIME).unwrap_or_default(),
                actor: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
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
