//! Inspections in the database: the checklist each one used, its findings (one row per item,
//! written the moment the inspector changes it), evidence files kept under their content hash
//! beside the database, and the verdict recomputed on every change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::{Store, StoreError, log};
use crate::checklist::{
    Answer, Checklist, ChecklistError, Evaluation, Finding, Unfinished, Verdict, apply_rules,
    evaluate,
};

pub(super) const TIME: &str = "%Y-%m-%d %H:%M:%S";
const DAY: &str = "%Y-%m-%d";
/// The setting naming the checklist new inspections use: `id` and `version` joined by a tab.
const ACTIVE_CHECKLIST: &str = "active_checklist";
/// The largest evidence file accepted (a phone screen recording is bigger; a screenshot is not).
pub const MAX_EVIDENCE_BYTES: u64 = 50 * 1024 * 1024;

/// Where the check of one sampled account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectionStatus {
    NotStarted,
    InProgress,
    Done,
}

impl InspectionStatus {
    pub const ALL: [Self; 3] = [Self::NotStarted, Self::InProgress, Self::Done];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "未开始",
            Self::InProgress => "进行中",
            Self::Done => "已完成",
        }
    }
}

/// A finding as stored: who changed it last, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    pub finding: Finding,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceKind {
    /// A file copied into the evidence folder, named by its SHA-256.
    File {
        sha256: String,
        file_name: String,
    },
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: i64,
    pub item: String,
    pub kind: EvidenceKind,
    pub added_by: String,
    pub added_at: NaiveDateTime,
}

/// Evidence to attach.
#[derive(Debug, Clone)]
pub enum NewEvidence {
    /// A file on disk (chosen in a dialog or dropped on the window).
    Path(PathBuf),
    /// Bytes with a name (a screenshot pasted from the clipboard).
    Bytes {
        file_name: String,
        bytes: Vec<u8>,
    },
    Url(String),
}

/// The check of one sampled account.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub id: i64,
    pub draw: i64,
    pub account: i64,
    pub checklist_id: String,
    pub checklist_version: String,
    pub status: InspectionStatus,
    pub verdict: Option<Verdict>,
    pub score: Option<f64>,
    pub inspector: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub findings: Vec<StoredFinding>,
    pub evidence: Vec<Evidence>,
}

impl Inspection {
    #[must_use]
    pub fn finding(&self, item: &str) -> Option<&StoredFinding> {
        self.findings.iter().find(|f| f.finding.item == item)
    }

    #[must_use]
    pub fn plain_findings(&self) -> Vec<Finding> {
        self.findings.iter().map(|f| f.finding.clone()).collect()
    }
}

/// Why an inspection change was refused. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("这个账号不在本次抽查名单中。")]
    NotSampled,
    #[error("检查表“{id}”（版本 {version}）不在数据库中，无法打开这次检查。")]
    UnknownChecklist { id: String, version: String },
    #[error("检查表中没有编号为 {0} 的检查项。")]
    UnknownItem(String),
    #[error("还不能完成：{0}")]
    Unfinished(Unfinished),
    #[error("检查表“{id}”版本 {version} 已经存在，但内容不同。修改检查表后请同时修改版本号。")]
    ChecklistConflict { id: String, version: String },
    #[error(transparent)]
    Checklist(#[from] ChecklistError),
    #[error("无法读取证据文件：{source}（{}）", path.display())]
    ReadEvidence {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("证据文件太大（{size} 字节），单个文件不能超过 50 MB。（{}）", path.display())]
    EvidenceTooLarge { path: PathBuf, size: u64 },
    #[error("无法保存证据文件：{source}。请确认数据目录可以写入、磁盘没有满。（{}）", path.display())]
    WriteEvidence {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("链接“{0}”不是有效的网址，请以 http:// 或 https:// 开头。")]
    BadUrl(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for InspectError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}

pub(super) fn answer_code(a: Answer) -> &'static str {
    match a {
        Answer::Pass => "pass",
        Answer::Fail => "fail",
        Answer::NotApplicable => "na",
    }
}

pub(super) fn answer_from(code: &str) -> Option<Answer> {
    Answer::ALL.into_iter().find(|a| answer_code(*a) == code)
}

fn verdict_code(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    }
}

fn verdict_from(code: &str) -> Option<Verdict> {
    [Verdict::Pass, Verdict::Fail]
        .into_iter()
        .find(|v| verdict_code(*v) == code)
}

pub(super) fn time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, TIME).unwrap_or_default()
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, DAY).ok())
}

/// Stores a checklist definition once per (id, version); a different definition under the
/// same id and version is refused, so old inspections keep the checklist they were made with.
pub(super) fn ensure_checklist(
    conn: &Connection,
    checklist: &Checklist,
    at: NaiveDateTime,
) -> Result<(), InspectError> {
    let json = serde_json::to_string(checklist)
        .map_err(|e| StoreError::Corrupt(format!("检查表无法保存：{e}")))?;
    let existing: Option<String> = conn
        .query_row(
            "SELECT definition FROM checklist WHERE id = ?1 AND version = ?2",
            params![checklist.id, checklist.version],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(stored) = existing {
        if Checklist::from_json(&stored).ok().as_ref() != Some(checklist) {
            return Err(InspectError::ChecklistConflict {
                id: checklist.id.clone(),
                version: checklist.version.clone(),
            });
        }
    } else {
        // The built-in checklist's id and version are taken even before any inspection
        // stored it: another definition under them would make its results unreadable.
        let builtin = Checklist::builtin();
        if builtin.id == checklist.id
            && builtin.version == checklist.version
            && builtin != checklist
        {
            return Err(InspectError::ChecklistConflict {
                id: checklist.id.clone(),
                version: checklist.version.clone(),
            });
        }
        conn.execute(
            "INSERT INTO checklist (id, version, definition, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                checklist.id,
                checklist.version,
                json,
                at.format(TIME).to_string()
            ],
        )?;
    }
    Ok(())
}

fn load_checklist(
    conn: &Connection,
    id: &str,
    version: &str,
) -> Result<Option<Checklist>, InspectError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT definition FROM checklist WHERE id = ?1 AND version = ?2",
            params![id, version],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json.map(|j| Checklist::from_json(&j)).transpose()?)
}

/// The checklist `id` / `version` as stored, or the built-in one it names.
pub(super) fn checklist_from(
    conn: &Connection,
    id: &str,
    version: &str,
) -> Result<Checklist, InspectError> {
    if let Some(c) = load_checklist(conn, id, version)? {
        return Ok(c);
    }
    let builtin = Checklist::builtin();
    if builtin.id == id && builtin.version == version {
        return Ok(builtin.clone());
    }
    Err(InspectError::UnknownChecklist {
        id: id.to_owned(),
        version: version.to_owned(),
    })
}

/// Writes a finding (insert or replace), as saved by `updated_by` at `updated_at`.
pub(super) const UPSERT_FINDING: &str =
    "INSERT INTO finding (inspection, item, answer, note, last_update, checked_on, updated_by, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
     ON CONFLICT(inspection, item) DO UPDATE SET answer = excluded.answer, note = excluded.note,
       last_update = excluded.last_update, checked_on = excluded.checked_on,
       updated_by = excluded.updated_by, updated_at = excluded.updated_at";

/// The name users know an account by, for log entries.
pub(super) fn account_name(conn: &Connection, account: i64) -> rusqlite::Result<String> {
    conn.query_row("SELECT name FROM account WHERE id = ?1", [account], |r| {
        r.get(0)
    })
}

/// Where a check stands against its checklist, on its account's platform.
pub(super) fn evaluation(
    conn: &Connection,
    ins: &Inspection,
    checklist: &Checklist,
) -> rusqlite::Result<Evaluation> {
    let platform: String = conn.query_row(
        "SELECT platform FROM account WHERE id = ?1",
        [ins.account],
        |r| r.get(0),
    )?;
    Ok(evaluate(checklist, &platform, &ins.plain_findings()))
}

/// Marks a check finished at `at`, with the verdict and score of `eval`.
pub(super) fn mark_done(
    conn: &Connection,
    inspection: i64,
    at: NaiveDateTime,
    eval: &Evaluation,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE inspection SET status = 'done', finished_at = ?1, verdict = ?2, score = ?3 WHERE id = ?4",
        params![at.format(TIME).to_string(), eval.verdict.map(verdict_code), eval.score, inspection],
    )?;
    Ok(())
}

const INSPECTION_COLUMNS: &str = "id, draw, account, checklist_id, checklist_version, status, verdict, score, inspector, started_at, finished_at";
const FINDING_COLUMNS: &str = "f.inspection, f.item, f.answer, f.note, f.last_update, f.checked_on, f.updated_by, f.updated_at";
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
        verdict: verdict.as_deref().and_then(verdict_from),
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
    Ok((
        r.get(0)?,
        StoredFinding {
            finding: Finding {
                item: r.get(1)?,
                answer: answer.as_deref().and_then(answer_from),
                note: r.get(3)?,
                last_update: day(r.get(4)?),
                checked_on: day(r.get(5)?),
            },
            updated_by: r.get(6)?,
            updated_at: time(&at),
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

pub(super) fn read_inspection(
    conn: &Connection,
    draw: i64,
    account: i64,
) -> Result<Option<Inspection>, rusqlite::Error> {
    let Some(mut ins) = conn
        .query_row(
            &format!(
                "SELECT {INSPECTION_COLUMNS} FROM inspection WHERE draw = ?1 AND account = ?2"
            ),
            params![draw, account],
            inspection_from,
        )
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

/// The evidence folder of the database at `db`: `evidence/` beside it.
#[must_use]
pub fn evidence_dir_for(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("evidence")
}

/// Where an evidence file with this hash and original name lives in `dir`:
/// `ab/abcdef….png` (the extension kept so that other programs can open it).
#[must_use]
pub fn evidence_file(dir: &Path, sha256: &str, file_name: &str) -> PathBuf {
    let ext = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|e| format!(".{}", e.to_ascii_lowercase()))
        .unwrap_or_default();
    dir.join(sha256.get(..2).unwrap_or("00"))
        .join(format!("{sha256}{ext}"))
}

impl Store {
    /// The folder evidence files are kept in, beside the database.
    #[must_use]
    pub fn evidence_dir(&self) -> PathBuf {
        evidence_dir_for(&self.path)
    }

    /// Where an evidence file lives.
    #[must_use]
    pub fn evidence_path(&self, sha256: &str, file_name: &str) -> PathBuf {
        evidence_file(&self.evidence_dir(), sha256, file_name)
    }

    /// The checklist new inspections use: the one a supervisor installed, or the built-in one.
    pub fn active_checklist(&self) -> Result<Checklist, InspectError> {
        if let Some(active) = self.setting(ACTIVE_CHECKLIST)?
            && let Some((id, version)) = active.split_once('\t')
            && let Some(c) = load_checklist(&self.conn, id, version)?
        {
            return Ok(c);
        }
        Ok(Checklist::builtin().clone())
    }

    /// The checklist an inspection was made with.
    pub fn checklist(&self, id: &str, version: &str) -> Result<Checklist, InspectError> {
        checklist_from(&self.conn, id, version)
    }

    /// Makes `checklist` the one new inspections use (inspections already started keep theirs).
    pub fn install_checklist(
        &mut self,
        checklist: &Checklist,
        at: NaiveDateTime,
    ) -> Result<(), InspectError> {
        let actor = self.user_name()?;
        let tx = self.conn.transaction()?;
        ensure_checklist(&tx, checklist, at)?;
        tx.execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![ACTIVE_CHECKLIST, format!("{}\t{}", checklist.id, checklist.version)],
        )?;
        log::append(
            &tx,
            at,
            &actor,
            "启用检查表",
            &format!(
                "{}（{}，版本 {}，{} 项）",
                checklist.title,
                checklist.id,
                checklist.version,
                checklist.items.len()
            ),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The check of `account` in `draw`, if it was started.
    pub fn inspection(&self, draw: i64, account: i64) -> Result<Option<Inspection>, InspectError> {
        Ok(read_inspection(&self.conn, draw, account)?)
    }

    /// Every started check of a draw, with its findings and evidence, in the order they started.
    pub fn inspections(&self, draw: i64) -> Result<Vec<Inspection>, InspectError> {
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
    pub fn inspections_with_failures(&self, draw: i64) -> Result<Vec<Inspection>, InspectError> {
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

    /// How far a draw's checks are, in one query: sampled, passed and failed (finished checks).
    pub fn draw_tally(&self, draw: i64) -> Result<crate::report::Tally, InspectError> {
        let (checked, passed, failed): (i64, i64, i64) = self.conn.query_row(
            "SELECT COUNT(*),
                    COALESCE(SUM(i.status = 'done' AND i.verdict = 'pass'), 0),
                    COALESCE(SUM(i.status = 'done' AND i.verdict = 'fail'), 0)
             FROM draw_account da
             LEFT JOIN inspection i ON i.draw = da.draw AND i.account = da.account
             WHERE da.draw = ?1",
            [draw],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok(crate::report::Tally {
            name: "合计".to_owned(),
            accounts: 0,
            checked: count(checked),
            passed: count(passed),
            failed: count(failed),
        })
    }

    /// Each started check of a draw: account → (status, verdict).
    pub fn inspection_states(
        &self,
        draw: i64,
    ) -> Result<HashMap<i64, (InspectionStatus, Option<Verdict>)>, InspectError> {
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
                    verdict.as_deref().and_then(verdict_from),
                ),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Starts the check (if needed) in the transaction, with the active checklist.
    fn begin(
        tx: &Transaction<'_>,
        active: &Checklist,
        draw: i64,
        account: i64,
        at: NaiveDateTime,
        actor: &str,
    ) -> Result<Inspection, InspectError> {
        if let Some(i) = read_inspection(tx, draw, account)? {
            return Ok(i);
        }
        let sampled: bool = tx.query_row(
            "SELECT count(*) FROM draw_account WHERE draw = ?1 AND account = ?2",
            params![draw, account],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !sampled {
            return Err(InspectError::NotSampled);
        }
        ensure_checklist(tx, active, at)?;
        tx.execute(
            "INSERT INTO inspection (draw, account, checklist_id, checklist_version, status, inspector, started_at)
             VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?6)",
            params![draw, account, active.id, active.version, actor, at.format(TIME).to_string()],
        )?;
        read_inspection(tx, draw, account)?.ok_or(InspectError::NotSampled)
    }

    /// Recomputes and stores the verdict and score of an inspection from its findings.
    pub(super) fn rescore(
        tx: &Transaction<'_>,
        ins: &Inspection,
        checklist: &Checklist,
    ) -> Result<(), InspectError> {
        let eval = evaluation(tx, ins, checklist)?;
        tx.execute(
            "UPDATE inspection SET verdict = ?1, score = ?2 WHERE id = ?3",
            params![eval.verdict.map(verdict_code), eval.score, ins.id],
        )?;
        if ins.status == InspectionStatus::Done && eval.can_finish(checklist).is_err() {
            // An edit left the finished check incomplete: it is in progress again.
            tx.execute(
                "UPDATE inspection SET status = 'in_progress', finished_at = NULL WHERE id = ?1",
                [ins.id],
            )?;
        }
        Ok(())
    }

    /// Saves one finding inside `tx` (starting the check if this is its first answer), applies
    /// the item's rule and updates the verdict. Returns the answer before and the finding as
    /// stored (its answer possibly set by the rule). The caller logs and commits.
    fn save_in(
        tx: &Transaction<'_>,
        active: &Checklist,
        draw: i64,
        account: i64,
        finding: &Finding,
        at: NaiveDateTime,
        actor: &str,
    ) -> Result<(Option<Finding>, Finding), InspectError> {
        let ins = Self::begin(tx, active, draw, account, at, actor)?;
        let checklist =
            load_checklist(tx, &ins.checklist_id, &ins.checklist_version)?.ok_or_else(|| {
                InspectError::UnknownChecklist {
                    id: ins.checklist_id.clone(),
                    version: ins.checklist_version.clone(),
                }
            })?;
        if checklist.item(&finding.item).is_none() {
            return Err(InspectError::UnknownItem(finding.item.clone()));
        }
        let mut finding = finding.clone();
        apply_rules(&checklist, &mut finding);
        let before = ins.finding(&finding.item).map(|f| f.finding.clone());
        tx.execute(
            UPSERT_FINDING,
            params![
                ins.id,
                finding.item,
                finding.answer.map(answer_code),
                finding.note,
                finding.last_update.map(|d| d.format(DAY).to_string()),
                finding.checked_on.map(|d| d.format(DAY).to_string()),
                actor,
                at.format(TIME).to_string()
            ],
        )?;
        let ins = read_inspection(tx, draw, account)?.ok_or(InspectError::NotSampled)?;
        Self::rescore(tx, &ins, &checklist)?;
        Ok((before, finding))
    }

    /// Saves one finding at once (starting the check if this is its first answer), applies the
    /// item's rule (the 2-week update rule decides by itself), and updates the verdict.
    /// Returns the inspection as stored.
    pub fn save_finding(
        &mut self,
        draw: i64,
        account: i64,
        finding: &Finding,
        at: NaiveDateTime,
    ) -> Result<Inspection, InspectError> {
        let actor = self.user_name()?;
        let active = self.active_checklist()?;
        let tx = self.conn.transaction()?;
        let (previous, finding) = Self::save_in(&tx, &active, draw, account, finding, at, &actor)?;
        let before = previous.as_ref().and_then(|f| f.answer);
        let described = previous
            .as_ref()
            .is_some_and(|p| p.note != finding.note || p.last_update != finding.last_update);
        let name = account_name(&tx, account)?;
        if before == finding.answer && described {
            // The note and dates are saved as they are typed: one entry per item for a burst
            // of typing (the same person on the same item within ten minutes).
            let detail = format!("{name}：{} 修改问题描述或日期", finding.item);
            if !log::recently(&tx, &actor, "修改检查说明", &detail, at, 10)? {
                log::append(&tx, at, &actor, "修改检查说明", &detail)?;
            }
        }
        if before != finding.answer {
            log::append(
                &tx,
                at,
                &actor,
                "检查结果",
                &format!(
                    "{name}：{} {} → {}",
                    finding.item,
                    before.map_or("未填", Answer::label),
                    finding.answer.map_or("未填", Answer::label)
                ),
            )?;
        }
        tx.commit()?;
        read_inspection(&self.conn, draw, account)?.ok_or(InspectError::NotSampled)
    }

    /// Saves many findings of one draw (account id, finding) in ONE transaction, each exactly
    /// as [`Self::save_finding`] would (checks started as needed, rules applied, verdicts
    /// updated), and logs a single 批量导入检查结果 entry with the count. Any refused finding
    /// (an account not in the draw, an unknown item) refuses them all: nothing is written.
    /// Returns the number of findings written.
    pub fn save_findings_bulk(
        &mut self,
        draw: i64,
        rows: &[(i64, Finding)],
        at: NaiveDateTime,
    ) -> Result<usize, InspectError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let actor = self.user_name()?;
        let active = self.active_checklist()?;
        let tx = self.conn.transaction()?;
        for (account, finding) in rows {
            Self::save_in(&tx, &active, draw, *account, finding, at, &actor)?;
        }
        let quarter: String =
            tx.query_row("SELECT quarter FROM draw WHERE id = ?1", [draw], |r| {
                r.get(0)
            })?;
        let quarter = quarter
            .parse::<crate::model::Quarter>()
            .map_or(quarter, crate::model::Quarter::label);
        let accounts: std::collections::HashSet<i64> = rows.iter().map(|(a, _)| *a).collect();
        log::append(
            &tx,
            at,
            &actor,
            "批量导入检查结果",
            &format!(
                "{quarter}：{} 条检查结果，涉及 {} 个账号",
                rows.len(),
                accounts.len()
            ),
        )?;
        tx.commit()?;
        Ok(rows.len())
    }

    /// Marks the check finished: every applicable item answered and every 不符合 described.
    pub fn finish_inspection(
        &mut self,
        draw: i64,
        account: i64,
        at: NaiveDateTime,
    ) -> Result<Inspection, InspectError> {
        let actor = self.user_name()?;
        let ins = self.inspection(draw, account)?.ok_or_else(|| {
            InspectError::Unfinished(Unfinished {
                unanswered: vec!["全部检查项".to_owned()],
                missing_notes: Vec::new(),
            })
        })?;
        let checklist = self.checklist(&ins.checklist_id, &ins.checklist_version)?;
        let eval = evaluation(&self.conn, &ins, &checklist)?;
        eval.can_finish(&checklist)
            .map_err(InspectError::Unfinished)?;
        if ins.status == InspectionStatus::Done {
            // Already finished (and logged); the verdict is kept current by every save.
            return Ok(ins);
        }
        let tx = self.conn.transaction()?;
        mark_done(&tx, ins.id, at, &eval)?;
        let name = account_name(&tx, account)?;
        log::append(
            &tx,
            at,
            &actor,
            "完成检查",
            &format!("{name}：{}", eval.verdict.map_or("", Verdict::label)),
        )?;
        tx.commit()?;
        read_inspection(&self.conn, draw, account)?.ok_or(InspectError::NotSampled)
    }

    /// Attaches evidence to an item: a file is copied into the evidence folder under its
    /// SHA-256 (written to a temporary name, synced, then renamed, so a crash leaves no half
    /// file), a URL is stored as given.
    pub fn add_evidence(
        &mut self,
        draw: i64,
        account: i64,
        item: &str,
        evidence: NewEvidence,
        at: NaiveDateTime,
    ) -> Result<Inspection, InspectError> {
        let sampled: i64 = self.conn.query_row(
            "SELECT count(*) FROM draw_account WHERE draw = ?1 AND account = ?2",
            params![draw, account],
            |r| r.get(0),
        )?;
        if sampled == 0 {
            return Err(InspectError::NotSampled);
        }
        if self.active_checklist()?.item(item).is_none()
            && self
                .inspection(draw, account)?
                .and_then(|i| self.checklist(&i.checklist_id, &i.checklist_version).ok())
                .is_none_or(|c| c.item(item).is_none())
        {
            return Err(InspectError::UnknownItem(item.to_owned()));
        }
        let (sha, name, url) = match evidence {
            NewEvidence::Url(url) => {
                let url = url.trim().to_owned();
                if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                    return Err(InspectError::BadUrl(url));
                }
                (None, None, Some(url))
            }
            NewEvidence::Path(path) => {
                let size = std::fs::metadata(&path)
                    .map_err(|source| InspectError::ReadEvidence {
                        path: path.clone(),
                        source,
                    })?
                    .len();
                if size > MAX_EVIDENCE_BYTES {
                    return Err(InspectError::EvidenceTooLarge { path, size });
                }
                let bytes = std::fs::read(&path).map_err(|source| InspectError::ReadEvidence {
                    path: path.clone(),
                    source,
                })?;
                let name = path
                    .file_name()
                    .map_or_else(|| "证据".to_owned(), |n| n.to_string_lossy().into_owned());
                let sha = self.keep_evidence_file(&bytes, &name)?;
                (Some(sha), Some(name), None)
            }
            NewEvidence::Bytes { file_name, bytes } => {
                let sha = self.keep_evidence_file(&bytes, &file_name)?;
                (Some(sha), Some(file_name), None)
            }
        };
        let actor = self.user_name()?;
        let active = self.active_checklist()?;
        let tx = self.conn.transaction()?;
        let ins = Self::begin(&tx, &active, draw, account, at, &actor)?;
        tx.execute(
            "INSERT INTO evidence (inspection, item, sha256, file_name, url, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                ins.id,
                item,
                sha,
                name,
                url,
                actor,
                at.format(TIME).to_string()
            ],
        )?;
        tx.commit()?;
        read_inspection(&self.conn, draw, account)?.ok_or(InspectError::NotSampled)
    }

    /// Removes an evidence record (the file stays: another record may share its hash).
    pub fn remove_evidence(
        &mut self,
        draw: i64,
        account: i64,
        evidence: i64,
    ) -> Result<Inspection, InspectError> {
        self.conn.execute(
            "DELETE FROM evidence WHERE id = ?1 AND inspection IN (SELECT id FROM inspection WHERE draw = ?2 AND account = ?3)",
            params![evidence, draw, account],
        )?;
        read_inspection(&self.conn, draw, account)?.ok_or(InspectError::NotSampled)
    }

    fn keep_evidence_file(&self, bytes: &[u8], name: &str) -> Result<String, InspectError> {
        let sha: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = self.evidence_path(&sha, name);
        if path.exists() {
            return Ok(sha);
        }
        let write = |p: &Path| -> std::io::Result<()> {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = p.with_extension("partial");
            {
                use std::io::Write;
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
            }
            std::fs::rename(&tmp, p)
        };
        write(&path).map_err(|source| InspectError::WriteEvidence { path, source })?;
        Ok(sha)
    }
}
