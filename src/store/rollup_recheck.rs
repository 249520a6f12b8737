//! 复核 in a 汇总 workspace: each quarter's re-check list (how it was drawn, its accounts) and
//! the level above's conclusion on each account.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, Tx};
use crate::model::time::{day_text, parse_day, parse_time, time_text};
use crate::model::{RecheckEntry, RecheckRound};

const ENTRY_COLUMNS: &str = "reporter, key, platform, account_id, name, host_unit, stratum, passed, note, inspector, checked_on";

fn entry_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecheckEntry> {
    Ok(RecheckEntry {
        reporter: r.get(0)?,
        key: r.get(1)?,
        platform: r.get(2)?,
        account_id: r.get(3)?,
        name: r.get(4)?,
        host_unit: r.get(5)?,
        stratum: r.get(6)?,
        passed: r.get(7)?,
        note: r.get(8)?,
        inspector: r.get(9)?,
        checked_on: r
            .get::<_, Option<String>>(10)?
            .as_deref()
            .and_then(parse_day),
    })
}

impl Tx<'_> {
    /// Makes `entries` the 复核 list of `quarter` (drawn as `round`), replacing any list before
    /// it and the conclusions entered on it.
    pub fn replace_recheck_list(
        &self,
        quarter: &str,
        round: &RecheckRound,
        entries: &[RecheckEntry],
    ) -> Result<(), StoreError> {
        let c = self.conn();
        c.execute("DELETE FROM recheck_account WHERE quarter = ?1", [quarter])?;
        c.execute(
            "INSERT INTO recheck_round (quarter, rate_bp, min, seed, made_at, made_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(quarter) DO UPDATE SET rate_bp = excluded.rate_bp, min = excluded.min,
                 seed = excluded.seed, made_at = excluded.made_at, made_by = excluded.made_by",
            params![
                quarter,
                round.rate_bp,
                i64::try_from(round.min).unwrap_or(i64::MAX),
                // Stored as its bits: SQLite integers are signed.
                i64::from_ne_bytes(round.seed.to_ne_bytes()),
                time_text(round.made_at),
                round.made_by
            ],
        )?;
        let mut stmt = c.prepare_cached(
            "INSERT INTO recheck_account (quarter, reporter, key, position, platform, account_id,
                 name, host_unit, stratum, passed, note, inspector, checked_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        for (n, e) in entries.iter().enumerate() {
            stmt.execute(params![
                quarter,
                e.reporter,
                e.key,
                i64::try_from(n).unwrap_or(i64::MAX),
                e.platform,
                e.account_id,
                e.name,
                e.host_unit,
                e.stratum,
                e.passed,
                e.note,
                e.inspector,
                e.checked_on.map(day_text)
            ])?;
        }
        Ok(())
    }

    /// Records the conclusion on one listed account (`passed: None` clears it); false when the
    /// account is not on the quarter's list.
    pub fn set_recheck_result(
        &self,
        quarter: &str,
        entry: &RecheckEntry,
        at: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let changed = self.conn().execute(
            "UPDATE recheck_account SET passed = ?4, note = ?5, inspector = ?6, checked_on = ?7,
                 entered_at = ?8
             WHERE quarter = ?1 AND reporter = ?2 AND key = ?3",
            params![
                quarter,
                entry.reporter,
                entry.key,
                entry.passed,
                entry.note,
                entry.inspector,
                entry.checked_on.map(day_text),
                time_text(at)
            ],
        )?;
        Ok(changed == 1)
    }
}

impl Store {
    /// How `quarter`'s 复核 list was drawn, if it was.
    pub fn recheck_round(&self, quarter: &str) -> Result<Option<RecheckRound>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT rate_bp, min, seed, made_at, made_by FROM recheck_round WHERE quarter = ?1",
                [quarter],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(rate_bp, min, seed, made_at, made_by)| {
            Ok(RecheckRound {
                rate_bp,
                min: usize::try_from(min).unwrap_or(0),
                seed: u64::from_ne_bytes(seed.to_ne_bytes()),
                made_at: parse_time(&made_at)
                    .ok_or_else(|| StoreError::Corrupt("复核名单的生成时间无法读取".to_owned()))?,
                made_by,
            })
        })
        .transpose()
    }

    /// The accounts on `quarter`'s 复核 list, by reporter in list order.
    pub fn recheck_entries(&self, quarter: &str) -> Result<Vec<RecheckEntry>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM recheck_account WHERE quarter = ?1 ORDER BY reporter, position"
        ))?;
        let rows = stmt.query_map([quarter], entry_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
