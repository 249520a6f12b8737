//! Packages in the database: which packages were made or taken here, the findings a work
//! package carried (the base its results are compared with), and the conflicts a merge left
//! for the supervisor.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, Tx};
use crate::model::time::{parse_time, time_text};
use crate::model::{Conflict, FindingVersion, PackageEvent, PackageRecord, Quarter};

fn time(s: &str) -> NaiveDateTime {
    parse_time(s).unwrap_or_default()
}

fn json(v: &FindingVersion) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn version(text: &str) -> Result<FindingVersion, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt("合并冲突的记录无法读取".to_owned()))
}

/// A conflict as stored, with the ids a choice on it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConflict {
    pub draw: i64,
    pub account: i64,
    pub item: String,
    pub incoming: FindingVersion,
}

impl Tx<'_> {
    /// Records that package `id` was made or taken here.
    pub fn insert_package(
        &self,
        id: &str,
        event: PackageEvent,
        draw: i64,
        inspector: &str,
        at: NaiveDateTime,
        summary: &str,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO package (id, kind, draw, inspector, at, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, event.as_str(), draw, inspector, time_text(at), summary],
        )?;
        Ok(())
    }

    /// Keeps the content (data.json's SHA-256) of package `id`, opened or merged here.
    pub fn set_package_content(&self, id: &str, data_sha256: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE package SET data_sha256 = ?2 WHERE id = ?1",
            params![id, data_sha256],
        )?;
        Ok(())
    }

    /// Records a conflict on an item (once per package); returns whether it was new.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_conflict(
        &self,
        draw: i64,
        account: i64,
        package: &str,
        local: Option<&FindingVersion>,
        incoming: &FindingVersion,
        at: NaiveDateTime,
        package_finished_at: Option<NaiveDateTime>,
    ) -> Result<bool, StoreError> {
        let inserted = self.conn().execute(
            "INSERT OR IGNORE INTO merge_conflict (draw, account, item, package, local, incoming, created_at,
                package_finished_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                draw,
                account,
                incoming.item,
                package,
                local.map(json).transpose()?,
                json(incoming)?,
                time_text(at),
                package_finished_at.map(time_text)
            ],
        )?;
        Ok(inserted > 0)
    }

    /// Marks conflict `id` as replaced by a later version of the same line of work.
    pub fn supersede_conflict(&self, id: i64, at: NaiveDateTime) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE merge_conflict SET resolution = 'superseded', resolved_at = ?2 WHERE id = ?1",
            params![id, time_text(at)],
        )?;
        Ok(())
    }

    /// Records the supervisor's choice on conflict `id`; other pending conflicts on the same
    /// finding are settled with it (as 保留本机: the finding now is the one chosen).
    pub fn resolve_conflict(
        &self,
        id: i64,
        take_incoming: bool,
        by: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let (draw, account, item): (i64, i64, String) = self.conn().query_row(
            "SELECT draw, account, item FROM merge_conflict WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        self.conn().execute(
            "UPDATE merge_conflict SET resolution = ?2, resolved_by = ?3, resolved_at = ?4 WHERE id = ?1",
            params![
                id,
                if take_incoming { "incoming" } else { "local" },
                by,
                time_text(at)
            ],
        )?;
        self.conn().execute(
            "UPDATE merge_conflict SET resolution = 'local', resolved_by = ?4, resolved_at = ?5
             WHERE draw = ?1 AND account = ?2 AND item = ?3 AND resolution IS NULL",
            params![draw, account, item, by, time_text(at)],
        )?;
        Ok(())
    }
}

impl Store {
    /// Whether package `id` was made or taken here.
    pub fn package_known(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM package WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Package `id` as known here: when it was recorded and its content's SHA-256 (`None` for
    /// packages recorded before contents were kept); `None` if unknown.
    pub fn package_content(
        &self,
        id: &str,
    ) -> Result<Option<(NaiveDateTime, Option<String>)>, StoreError> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT at, data_sha256 FROM package WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.map(|(at, sha)| (parse_time(&at).unwrap_or_default(), sha)))
    }

    /// Whether this laptop opened a work package (so holds one inspector's share).
    pub fn work_package_opened(&self) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM package WHERE kind = 'work_opened')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Whether a work package of `draw` was exported here for `inspector`.
    pub fn work_sent_to(&self, draw: i64, inspector: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM package WHERE kind = 'work_sent' AND draw = ?1 AND inspector = ?2)",
            params![draw, inspector],
            |r| r.get(0),
        )?)
    }

    /// The draw and inspector of the work package opened here last.
    pub fn last_opened_work(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT draw, inspector FROM package WHERE kind = 'work_opened' ORDER BY at DESC, rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The work packages of `draw` opened here, oldest first.
    pub fn opened_work_packages(&self, draw: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM package WHERE kind = 'work_opened' AND draw = ?1 ORDER BY at",
        )?;
        Ok(stmt
            .query_map([draw], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    /// The versions of an item of the check of `account` in `draw` waiting in conflict
    /// with the one here, oldest first, with their conflict ids.
    pub fn waiting_versions(
        &self,
        draw: i64,
        account: i64,
        item: &str,
    ) -> Result<Vec<(i64, FindingVersion)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, incoming FROM merge_conflict
             WHERE draw = ?1 AND account = ?2 AND item = ?3 AND resolution IS NULL ORDER BY id",
        )?;
        let rows: Vec<(i64, String)> = stmt
            .query_map(params![draw, account, item], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, text)| Ok((id, version(&text)?)))
            .collect()
    }

    /// Every package made or taken here, newest first.
    pub fn package_history(&self) -> Result<Vec<PackageRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.kind, d.quarter, p.inspector, p.at, p.summary
             FROM package p JOIN draw d ON d.id = p.draw ORDER BY p.at DESC, p.rowid DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let kind: String = r.get(1)?;
            let quarter: String = r.get(2)?;
            let at: String = r.get(4)?;
            Ok(PackageRecord {
                id: r.get(0)?,
                event: PackageEvent::ALL
                    .into_iter()
                    .find(|e| e.as_str() == kind)
                    .unwrap_or(PackageEvent::ResultsMerged),
                quarter: quarter.parse::<Quarter>().map_or(quarter, Quarter::label),
                inspector: r.get(3)?,
                at: time(&at),
                summary: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Conflicts waiting for a choice, oldest first (`item_label` is the item's id: the
    /// store does not know the checklist's words).
    pub fn open_conflicts(&self) -> Result<Vec<Conflict>, StoreError> {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
        );
        let mut stmt = self.conn.prepare(
            "SELECT c.id, d.quarter, a.name, a.platform, c.item, c.local, c.incoming, c.package, c.created_at
             FROM merge_conflict c JOIN account a ON a.id = c.account JOIN draw d ON d.id = c.draw
             WHERE c.resolution IS NULL ORDER BY c.id",
        )?;
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(
                |(id, quarter, account_name, platform, item, local, incoming, package, at)| {
                    Ok(Conflict {
                        id,
                        quarter: quarter.parse::<Quarter>().map_or(quarter, Quarter::label),
                        account_name,
                        platform,
                        item_label: item.clone(),
                        item,
                        local: local.as_deref().map(version).transpose()?,
                        incoming: version(&incoming)?,
                        package,
                        created_at: time(&at),
                    })
                },
            )
            .collect()
    }

    /// Conflict `id`, if it is still waiting for a choice.
    pub fn open_conflict(&self, id: i64) -> Result<Option<StoredConflict>, StoreError> {
        let row: Option<(i64, i64, String, String)> = self
            .conn
            .query_row(
                "SELECT draw, account, item, incoming FROM merge_conflict WHERE id = ?1 AND resolution IS NULL",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(draw, account, item, incoming)| {
            Ok(StoredConflict {
                draw,
                account,
                item,
                incoming: version(&incoming)?,
            })
        })
        .transpose()
    }

    /// Whether the check of `account` in `draw` has conflicts waiting for a choice.
    pub fn has_open_conflicts(&self, draw: i64, account: i64) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM merge_conflict WHERE draw = ?1 AND account = ?2 AND resolution IS NULL)",
            params![draw, account],
            |r| r.get(0),
        )?)
    }

    /// When the inspector finished the check of `account` in `draw`, as the latest package
    /// with a conflict on it says (`None` if none of them had finished it).
    pub fn conflicted_check_finished_at(
        &self,
        draw: i64,
        account: i64,
    ) -> Result<Option<NaiveDateTime>, StoreError> {
        let finished: Option<String> = self.conn.query_row(
            "SELECT MAX(package_finished_at) FROM merge_conflict WHERE draw = ?1 AND account = ?2",
            params![draw, account],
            |r| r.get(0),
        )?;
        Ok(finished.as_deref().map(time))
    }
}
