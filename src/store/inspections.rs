//! Inspections in the database: the checklists they used (stored once per id and version),
//! their findings (one row per item), evidence records, verdicts and scores.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError, Tx, settings::ACTIVE_CHECKLIST};
use crate::checklist::Checklist;
use crate::model::time::{day_text, parse_time, time_text};
use crate::model::{
    Answer, Evidence, EvidenceKind, Finding, Inspection, InspectionStatus, StoredFinding, Tally,
    Verdict,
};

fn time(s: &str) -> NaiveDateTime {
    parse_time(s).unwrap_or_default()
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| crate::model::time::parse_day(&s))
}

const INSPECTION_COLUMNS: &str = "id, draw, account, checklist_id, checklist_version, status, verdict, score, inspector, started_at, finished_at";
const FINDING_COLUMNS: &str = "f.inspection, f.item, f.answer, f.note, f.last_update, f.checked_on, f.updated_by, f.updated_at, f.lineage, f.shared, f.longest_gap";
const EVIDENCE_COLUMNS: &str =
    "e.inspection, e.id, e.item, e.sha256, e.file_name, e.url, e.added_by, e.added_at";

/// An inspection row (`INSPECTION_COLUMNS`), without findings and evidence.
fn inspection_from(r: &rusqlite::Row<'_>) -> Result<Inspection, rusqlite::Error> {
    let status: String = r.get(5)?;
    let verdict: Option<String> = r.get(6)?;
    let started: String = r.get(9)?;
    let finished: Option<String> = r.get(10)?;
    Ok(Inspection {
        id: r.get(0)?,
        draw: r.get(1)?,
        account: r.get(2)?,
        checklist_id: r.get(3)?,
        checklist_version: r.get(4)?,
        status: if status == "done" {
            InspectionStatus::Done
        } else {
            InspectionStatus::InProgress
        },
        verdict: verdict.as_deref().and_then(Verdict::from_code),
        score: r.get(7)?,
        inspector: r.get(8)?,
        started_at: time(&started),
        finished_at: finished.as_deref().map(time),
        findings: Vec::new(),
        evidence: Vec::new(),
    })
}

/// A finding row (`FINDING_COLUMNS`) and the inspection it belongs to.
fn finding_from(r: &rusqlite::Row<'_>) -> Result<(i64, StoredFinding), rusqlite::Error> {
    let answer: Option<String> = r.get(2)?;
    let at: String = r.get(7)?;
    let lineage: String = r.get(8)?;
    Ok((
        r.get(0)?,
        StoredFinding {
            finding: Finding {
                item: r.get(1)?,
                answer: answer.as_deref().and_then(Answer::from_code),
                note: r.get(3)?,
                last_update: day(r.get(4)?),
                checked_on: day(r.get(5)?),
                longest_gap: r.get(10)?,
            },
            updated_by: r.get(6)?,
            updated_at: time(&at),
            lineage: serde_json::from_str(&lineage).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    8,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            shared: r.get(9)?,
        },
    ))
}

/// An evidence row (`EVIDENCE_COLUMNS`) and the inspection it belongs to.
fn evidence_from(r: &rusqlite::Row<'_>) -> Result<(i64, Evidence), rusqlite::Error> {
    let sha: Option<String> = r.get(3)?;
    let name: Option<String> = r.get(4)?;
    let url: Option<String> = r.get(5)?;
    let at: String = r.get(7)?;
    Ok((
        r.get(0)?,
        Evidence {
            id: r.get(1)?,
            item: r.get(2)?,
            kind: match (sha, url) {
                (Some(sha256), _) => EvidenceKind::File {
                    sha256,
                    file_name: name.unwrap_or_default(),
                },
                (None, url) => EvidenceKind::Url(url.unwrap_or_default()),
            },
            added_by: r.get(6)?,
            added_at: time(&at),
        },
    ))
}

fn read_inspection(
    conn: &Connection,
    draw: i64,
    account: i64,
) -> Result<Option<Inspection>, rusqlite::Error> {
    let Some(mut ins) = conn
        .prepare_cached(&format!(
            "SELECT {INSPECTION_COLUMNS} FROM inspection WHERE draw = ?1 AND account = ?2"
        ))?
        .query_row(params![draw, account], inspection_from)
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FINDING_COLUMNS} FROM finding f WHERE f.inspection = ?1"
    ))?;
    ins.findings = stmt
        .query_map([ins.id], |r| finding_from(r).map(|(_, f)| f))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVIDENCE_COLUMNS} FROM evidence e WHERE e.inspection = ?1 ORDER BY e.id"
    ))?;
    ins.evidence = stmt
        .query_map([ins.id], |r| evidence_from(r).map(|(_, e)| e))?
        .collect::<Result<_, _>>()?;
    Ok(Some(ins))
}

impl Tx<'_> {
    /// Stores a checklist definition under its id and version.
    pub fn insert_checklist(
        &self,
        checklist: &Checklist,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(checklist)
            .map_err(|e| StoreError::Corrupt(format!("检查表无法保存：{e}")))?;
        self.conn().execute(
            "INSERT INTO checklist (id, version, definition, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![checklist.id, checklist.version, json, time_text(at)],
        )?;
        Ok(())
    }

    /// Starts the check of `account` in `draw` with checklist `id`/`version`; returns its id.
    pub fn insert_inspection(
        &self,
        draw: i64,
        account: i64,
        checklist: (&str, &str),
        inspector: &str,
        started_at: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        self.conn()
            .prepare_cached(
            "INSERT INTO inspection (draw, account, checklist_id, checklist_version, status, inspector, started_at)
             VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?6)",
            )?
            .execute(params![draw, account, checklist.0, checklist.1, inspector, time_text(started_at)],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Writes a finding (insert or replace) as saved by `by` at `at`, with the versions it
    /// descends from and whether it has left this laptop.
    #[allow(clippy::too_many_arguments)]
    pub fn upsert_finding(
        &self,
        inspection: i64,
        finding: &Finding,
        by: &str,
        at: NaiveDateTime,
        lineage: &[String],
        shared: bool,
    ) -> Result<(), StoreError> {
        let lineage =
            serde_json::to_string(lineage).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn()
            .prepare_cached(
                "INSERT INTO finding (inspection, item, answer, note, last_update, checked_on, updated_by, updated_at,
                    lineage, shared, longest_gap)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(inspection, item) DO UPDATE SET answer = excluded.answer, note = excluded.note,
                   last_update = excluded.last_update, checked_on = excluded.checked_on,
                   longest_gap = excluded.longest_gap,
                   updated_by = excluded.updated_by, updated_at = excluded.updated_at,
                   lineage = excluded.lineage, shared = excluded.shared",
            )?
            .execute(params![
                inspection,
                finding.item,
                finding.answer.map(Answer::code),
                finding.note,
                finding.last_update.map(day_text),
                finding.checked_on.map(day_text),
                by,
                time_text(at),
                lineage,
                shared,
                finding.longest_gap
            ])?;
        Ok(())
    }

    /// Records the versions a finding descends from, its content unchanged.
    pub fn set_lineage(
        &self,
        inspection: i64,
        item: &str,
        lineage: &[String],
    ) -> Result<(), StoreError> {
        let lineage =
            serde_json::to_string(lineage).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn().execute(
            "UPDATE finding SET lineage = ?3 WHERE inspection = ?1 AND item = ?2",
            params![inspection, item, lineage],
        )?;
        Ok(())
    }

    /// Marks every finding of a check as having left this laptop (it went into a package).
    pub fn mark_shared(&self, inspection: i64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("UPDATE finding SET shared = 1 WHERE inspection = ?1")?
            .execute([inspection])?;
        Ok(())
    }

    /// Stores the verdict and score computed from a check's findings.
    pub fn set_verdict(
        &self,
        inspection: i64,
        verdict: Option<Verdict>,
        score: Option<f64>,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("UPDATE inspection SET verdict = ?1, score = ?2 WHERE id = ?3")?
            .execute(params![verdict.map(Verdict::code), score, inspection])?;
        Ok(())
    }

    /// Puts a finished check back in progress.
    pub fn reopen_inspection(&self, inspection: i64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE inspection SET status = 'in_progress', finished_at = NULL WHERE id = ?1",
            )?
            .execute([inspection])?;
        Ok(())
    }

    /// Marks a check finished at `at` with its verdict and score.
    pub fn mark_done(
        &self,
        inspection: i64,
        at: NaiveDateTime,
        verdict: Option<Verdict>,
        score: Option<f64>,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
            "UPDATE inspection SET status = 'done', finished_at = ?1, verdict = ?2, score = ?3 WHERE id = ?4",
            )?
            .execute(params![time_text(at), verdict.map(Verdict::code), score, inspection],
        )?;
        Ok(())
    }

    /// Records evidence on an item of a check: a kept file (`sha256`, `file_name`) or a link.
    pub fn insert_evidence(
        &self,
        inspection: i64,
        item: &str,
        kind: &EvidenceKind,
        by: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let (sha, name, url) = match kind {
            EvidenceKind::File { sha256, file_name } => (Some(sha256), Some(file_name), None),
            EvidenceKind::Url(u) => (None, None, Some(u)),
        };
        self.conn()
            .prepare_cached(
            "INSERT INTO evidence (inspection, item, sha256, file_name, url, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![inspection, item, sha, name, url, by, time_text(at)],
        )?;
        Ok(())
    }

    /// Removes an evidence record of the check of `account` in `draw` (the file stays:
    /// another record may share its hash).
    pub fn delete_evidence(
        &self,
        draw: i64,
        account: i64,
        evidence: i64,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM evidence WHERE id = ?1 AND inspection IN (SELECT id FROM inspection WHERE draw = ?2 AND account = ?3)",
            params![evidence, draw, account],
        )?;
        Ok(())
    }
}

impl Store {
    /// The checklist new inspections use: the one a supervisor installed, or the built-in one.
    pub fn active_checklist(&self) -> Result<Checklist, StoreError> {
        if let Some(active) = self.setting(ACTIVE_CHECKLIST)?
            && let Some((id, version)) = active.split_once('\t')
            && let Some(c) = self.stored_checklist(id, version)?
        {
            return Ok(c);
        }
        Ok(Checklist::builtin().clone())
    }

    /// The checklist stored under `id` and `version`, if any.
    pub fn stored_checklist(
        &self,
        id: &str,
        version: &str,
    ) -> Result<Option<Checklist>, StoreError> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT definition FROM checklist WHERE id = ?1 AND version = ?2")?
            .query_row(params![id, version], |r| r.get(0))
            .optional()?;
        Ok(json.map(|j| Checklist::from_json(&j)).transpose()?)
    }

    /// The checklist `id` / `version` as stored, or the built-in one it names.
    pub fn checklist(&self, id: &str, version: &str) -> Result<Option<Checklist>, StoreError> {
        if let Some(c) = self.stored_checklist(id, version)? {
            return Ok(Some(c));
        }
        let builtin = Checklist::builtin();
        Ok((builtin.id == id && builtin.version == version).then(|| builtin.clone()))
    }

    /// The check of `account` in `draw`, if it was started.
    pub fn inspection(&self, draw: i64, account: i64) -> Result<Option<Inspection>, StoreError> {
        Ok(read_inspection(&self.conn, draw, account)?)
    }

    /// Every started check of a draw, with its findings and evidence, in the order they started.
    pub fn inspections(&self, draw: i64) -> Result<Vec<Inspection>, StoreError> {
        let accounts: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare("SELECT account FROM inspection WHERE draw = ?1 ORDER BY id")?;
            stmt.query_map([draw], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(accounts.len());
        for account in accounts {
            if let Some(ins) = read_inspection(&self.conn, draw, account)? {
                out.push(ins);
            }
        }
        Ok(out)
    }

    /// Every started check of a draw with only its 不符合 findings and the evidence of those
    /// items: what the notice and the rectification sheets need, read in three queries.
    pub fn inspections_with_failures(&self, draw: i64) -> Result<Vec<Inspection>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {INSPECTION_COLUMNS} FROM inspection WHERE draw = ?1 ORDER BY id"
        ))?;
        let mut out: Vec<Inspection> = stmt
            .query_map([draw], inspection_from)?
            .collect::<Result<_, _>>()?;
        let index: HashMap<i64, usize> = out.iter().enumerate().map(|(n, i)| (i.id, n)).collect();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {FINDING_COLUMNS} FROM finding f JOIN inspection i ON i.id = f.inspection
             WHERE i.draw = ?1 AND f.answer = 'fail'"
        ))?;
        for row in stmt.query_map([draw], finding_from)? {
            let (inspection, finding) = row?;
            if let Some(&n) = index.get(&inspection) {
                out[n].findings.push(finding);
            }
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence e JOIN inspection i ON i.id = e.inspection
             JOIN finding f ON f.inspection = e.inspection AND f.item = e.item
             WHERE i.draw = ?1 AND f.answer = 'fail' ORDER BY e.id"
        ))?;
        for row in stmt.query_map([draw], evidence_from)? {
            let (inspection, evidence) = row?;
            if let Some(&n) = index.get(&inspection) {
                out[n].evidence.push(evidence);
            }
        }
        Ok(out)
    }

    /// How far a draw's checks are, in one query: sampled, passed and failed as the notice
    /// counts them (`report::counted_verdict`: finished, or failed on a veto item).
    pub fn draw_tally(&self, draw: i64) -> Result<Tally, StoreError> {
        let (checked, passed, failed, rechecked): (i64, i64, i64, i64) = self.conn.query_row(
            "SELECT COUNT(*),
                    COALESCE(SUM(i.status = 'done' AND i.verdict = 'pass'), 0),
                    COALESCE(SUM(i.verdict = 'fail'), 0),
                    COALESCE(SUM(NOT da.drawn), 0)
             FROM draw_account da
             LEFT JOIN inspection i ON i.draw = da.draw AND i.account = da.account
             WHERE da.draw = ?1",
            [draw],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok(Tally {
            name: "合计".to_owned(),
            key: String::new(),
            accounts: 0,
            checked: count(checked),
            passed: count(passed),
            failed: count(failed),
            rechecked: count(rechecked),
        })
    }

    /// Each started check of a draw that dates its findings: inspection id → the first and
    /// last 检查日期 of any of its findings (passing ones too), in one query.
    pub fn check_days(
        &self,
        draw: i64,
    ) -> Result<HashMap<i64, (chrono::NaiveDate, chrono::NaiveDate)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT f.inspection, MIN(f.checked_on), MAX(f.checked_on)
             FROM finding f JOIN inspection i ON i.id = f.inspection
             WHERE i.draw = ?1 AND f.checked_on IS NOT NULL GROUP BY f.inspection",
        )?;
        let rows = stmt.query_map([draw], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, first, last) = row?;
            if let (Some(first), Some(last)) = (day(Some(first)), day(Some(last))) {
                out.insert(id, (first, last));
            }
        }
        Ok(out)
    }

    /// Each started check of a draw: account → (status, verdict).
    pub fn inspection_states(
        &self,
        draw: i64,
    ) -> Result<HashMap<i64, (InspectionStatus, Option<Verdict>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT account, status, verdict FROM inspection WHERE draw = ?1")?;
        let rows = stmt.query_map([draw], |r| {
            let status: String = r.get(1)?;
            let verdict: Option<String> = r.get(2)?;
            Ok((
                r.get::<_, i64>(0)?,
                (
                    if status == "done" {
                        InspectionStatus::Done
                    } else {
                        InspectionStatus::InProgress
                    },
                    verdict.as_deref().and_then(Verdict::from_code),
                ),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The id of the check of `account` in `draw`, if it was started.
    pub fn inspection_id(&self, draw: i64, account: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM inspection WHERE draw = ?1 AND account = ?2")?
            .query_row(params![draw, account], |r| r.get(0))
            .optional()?)
    }

    /// Whether an item of a check already has this evidence (the same file, or the same link).
    pub fn has_evidence(
        &self,
        inspection: i64,
        item: &str,
        kind: &EvidenceKind,
    ) -> Result<bool, StoreError> {
        let (sha, url) = match kind {
            EvidenceKind::File { sha256, .. } => (Some(sha256), None),
            EvidenceKind::Url(u) => (None, Some(u)),
        };
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM evidence WHERE inspection = ?1 AND item = ?2
                 AND ((?3 IS NOT NULL AND sha256 = ?3) OR (?3 IS NULL AND url = ?4))",
            )?
            .query_row(params![inspection, item, sha, url], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
