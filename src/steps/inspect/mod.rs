//! 检查: saving each finding the moment it changes (the item's rule applied, the verdict
//! recomputed, the change logged), finishing a check, evidence, and the checklist new checks
//! use.

mod actions;
mod bulk;
mod evidence;
mod finish;

pub use actions::{ChangeCheck, Check, CheckChange, InstallChecklist};
pub use bulk::{
    pass_the_rest, save_findings_bulk, save_findings_bulk_by, save_findings_with_evidence,
};
pub use evidence::{add_evidence, evidence_kind, remove_evidence};
pub(crate) use finish::finish_in;
pub use finish::{FinishReport, finish_checks, finish_inspection};

use crate::model::os_error::describe;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use crate::checklist::{
    Answer, Checklist, ChecklistError, Evaluation, Finding, Unfinished, apply_rules, evaluate,
};
use crate::model::{Inspection, InspectionStatus};
use crate::store::{Store, StoreError, Tx, settings::ACTIVE_CHECKLIST};

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
    #[error("无法读取检查表文件：{}（{}）", describe(.source), path.display())]
    ReadChecklist {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{source}（{}）", path.display())]
    ChecklistFile {
        path: PathBuf,
        #[source]
        source: ChecklistError,
    },
    #[error("无法读取证据文件：{}（{}）", describe(.source), path.display())]
    ReadEvidence {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("这个文件超过 1 MB，不是检查表文件（检查表只有几 KB）。（{}）", .0.display())]
    ChecklistTooLarge(PathBuf),
    #[error("证据文件太大（{size} 字节），单个文件不能超过 50 MB。（{}）", path.display())]
    EvidenceTooLarge { path: PathBuf, size: u64 },
    #[error("无法保存证据文件：{}。请确认数据目录可以写入、磁盘没有满。（{}）", describe(.source), path.display())]
    WriteEvidence {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("链接“{0}”不是有效的网址，请以 http:// 或 https:// 开头。")]
    BadUrl(String),
    #[error(
        "{0} 要按规则判定，不能直接设为符合：请先填写它的最后更新日期（或最长更新间隔），再点“其余项全部符合”。"
    )]
    NeedsFact(String),
    #[error("这个账号的检查已经完成。要修改，请先点“修改此检查…”。")]
    AlreadyFinished,
    #[error("所有检查项都已填写，没有需要设为符合的项。")]
    NothingLeft,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The checklist an inspection was made with: as stored, or the built-in one it names.
pub fn checklist_of(store: &Store, id: &str, version: &str) -> Result<Checklist, InspectError> {
    store
        .checklist(id, version)?
        .ok_or_else(|| InspectError::UnknownChecklist {
            id: id.to_owned(),
            version: version.to_owned(),
        })
}

/// Stores a checklist definition once per (id, version); a different definition under the
/// same id and version is refused, so old inspections keep the checklist they were made with.
/// The built-in checklist's id and version are taken even before any inspection stored it.
pub fn ensure_checklist(
    tx: &Tx<'_>,
    checklist: &Checklist,
    at: NaiveDateTime,
) -> Result<(), InspectError> {
    let conflict = || InspectError::ChecklistConflict {
        id: checklist.id.clone(),
        version: checklist.version.clone(),
    };
    match tx.stored_checklist(&checklist.id, &checklist.version) {
        Ok(Some(stored)) if &stored == checklist => Ok(()),
        Ok(Some(_)) | Err(StoreError::Checklist(_)) => Err(conflict()),
        Err(e) => Err(e.into()),
        Ok(None) => {
            let builtin = Checklist::builtin();
            if builtin.id == checklist.id
                && builtin.version == checklist.version
                && builtin != checklist
            {
                return Err(conflict());
            }
            Ok(tx.insert_checklist(checklist, at)?)
        }
    }
}

/// Where a check stands against its checklist, on its account's platform.
pub fn evaluation(
    store: &Store,
    ins: &Inspection,
    checklist: &Checklist,
) -> Result<Evaluation, StoreError> {
    let platform = store.account_platform(ins.account)?;
    Ok(evaluate(checklist, &platform, &ins.plain_findings()))
}

/// How many pieces of evidence the check has on an item.
pub fn evidence_of(ins: &Inspection) -> impl Fn(&str) -> usize + '_ {
    |item| ins.evidence.iter().filter(|e| e.item == item).count()
}

/// Recomputes and stores the verdict and score of a check from its findings; a finished
/// check that an edit left incomplete is in progress again.
pub fn rescore(tx: &Tx<'_>, ins: &Inspection, checklist: &Checklist) -> Result<(), InspectError> {
    let eval = evaluation(tx, ins, checklist)?;
    tx.set_verdict(ins.id, eval.verdict, eval.score)?;
    if ins.status == InspectionStatus::Done && eval.can_finish(checklist, evidence_of(ins)).is_err()
    {
        tx.reopen_inspection(ins.id)?;
    }
    Ok(())
}

/// Recomputes the verdict of the check of `account` in `draw`, if it was started.
pub fn rescore_check(tx: &Tx<'_>, draw: i64, account: i64) -> Result<(), InspectError> {
    let Some(ins) = tx.inspection(draw, account)? else {
        return Ok(());
    };
    let checklist = checklist_of(tx, &ins.checklist_id, &ins.checklist_version)?;
    rescore(tx, &ins, &checklist)
}

/// Marks a check finished (at `when`) if it is not yet and every item is answered as the
/// checklist requires. Returns whether it did.
pub fn finish_if_complete(
    tx: &Tx<'_>,
    draw: i64,
    account: i64,
    when: NaiveDateTime,
) -> Result<bool, InspectError> {
    let Some(ins) = tx.inspection(draw, account)? else {
        return Ok(false);
    };
    if ins.status == InspectionStatus::Done {
        return Ok(false);
    }
    let checklist = checklist_of(tx, &ins.checklist_id, &ins.checklist_version)?;
    let eval = evaluation(tx, &ins, &checklist)?;
    if eval.can_finish(&checklist, evidence_of(&ins)).is_err() {
        return Ok(false);
    }
    tx.mark_done(ins.id, when, eval.verdict, eval.score)?;
    let actor = super::actor(tx)?;
    super::rectification::recheck::settle_rechecks(tx, &ins, &actor, when)?;
    Ok(true)
}

/// Makes `checklist` the one new inspections use (inspections already started keep theirs).
pub fn install_checklist(
    store: &mut Store,
    checklist: &Checklist,
    at: NaiveDateTime,
) -> Result<(), InspectError> {
    let actor = super::actor(store)?;
    store.transaction(|tx| {
        ensure_checklist(tx, checklist, at)?;
        tx.set_setting(
            ACTIVE_CHECKLIST,
            &format!("{}\t{}", checklist.id, checklist.version),
        )?;
        tx.append_log(
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
        Ok(())
    })
}

/// What the user is told once `checklist` is installed, in the window and on the command line.
#[must_use]
pub fn installed_message(checklist: &Checklist) -> String {
    format!(
        "已启用检查表“{}”（{}，版本 {}，{} 项）。已开始的检查仍按原检查表。",
        checklist.title,
        checklist.id,
        checklist.version,
        checklist.items.len()
    )
}

/// Reads the checklist file a supervisor sent (JSON, as `assets/checklists/default.json`) and
/// makes it the one new inspections use.
pub fn install_checklist_file(
    store: &mut Store,
    path: &Path,
    at: NaiveDateTime,
) -> Result<Checklist, InspectError> {
    const LIMIT: u64 = 1 << 20;
    let read = |source| InspectError::ReadChecklist {
        path: path.to_owned(),
        source,
    };
    // A checklist is a few kilobytes; anything over 1 MB is not one, and is refused whole
    // rather than cut and then called malformed.
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(std::fs::File::open(path).map_err(read)?, LIMIT + 1),
        &mut text,
    )
    .map_err(read)?;
    if text.len() as u64 > LIMIT {
        return Err(InspectError::ChecklistTooLarge(path.to_owned()));
    }
    let checklist = Checklist::from_json(&text).map_err(|source| InspectError::ChecklistFile {
        path: path.to_owned(),
        source,
    })?;
    install_checklist(store, &checklist, at)?;
    Ok(checklist)
}

/// Starts the check (if needed) with the active checklist.
fn begin(
    tx: &Tx<'_>,
    active: &Checklist,
    checklists: &mut Checklists,
    draw: i64,
    account: i64,
    at: NaiveDateTime,
    actor: &str,
) -> Result<Inspection, InspectError> {
    if let Some(i) = tx.inspection(draw, account)? {
        return Ok(i);
    }
    if !tx.is_drawn(draw, account)? {
        return Err(InspectError::NotSampled);
    }
    checklists.ensure(tx, active, at)?;
    tx.insert_inspection(draw, account, (&active.id, &active.version), actor, at)?;
    tx.inspection(draw, account)?
        .ok_or(InspectError::NotSampled)
}

/// Saves one finding (starting the check if this is its first answer), applies the item's
/// rule and updates the verdict. Returns the finding before and the finding as stored (its
/// answer possibly set by the rule).
#[allow(clippy::too_many_arguments)] // one finding of one check, saved by someone at a time
fn save_in(
    tx: &Tx<'_>,
    active: &Checklist,
    checklists: &mut Checklists,
    draw: i64,
    account: i64,
    finding: &Finding,
    at: NaiveDateTime,
    actor: &str,
) -> Result<(Option<Finding>, Finding), InspectError> {
    let ins = begin(tx, active, checklists, draw, account, at, actor)?;
    let checklist = checklists.of(tx, &ins.checklist_id, &ins.checklist_version)?;
    if checklist.item(&finding.item).is_none() {
        return Err(InspectError::UnknownItem(finding.item.clone()));
    }
    let mut finding = finding.clone();
    apply_rules(checklist, &mut finding);
    let stored = ins.finding(&finding.item);
    let before = stored.map(|f| f.finding.clone());
    if before.as_ref() == Some(&finding) {
        // Nothing changed: the version stays the one other laptops may hold.
        return Ok((before, finding));
    }
    let lineage = stored
        .map(crate::model::StoredFinding::lineage_of_edit)
        .unwrap_or_default();
    tx.upsert_finding(ins.id, &finding, actor, at, &lineage, false)?;
    let ins = tx
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)?;
    rescore(tx, &ins, checklist)?;
    // A finished check corrected to 符合 settles last quarter's problem of that item too.
    if ins.status == InspectionStatus::Done && finding.answer == Some(crate::model::Answer::Pass) {
        super::rectification::recheck::settle_rechecks(tx, &ins, actor, at)?;
    }
    Ok((before, finding))
}

/// Saves findings of one check (each with who recorded it) as [`save_in`] saves each, the check
/// read once before them and rescored once after: the verdict and status end as one at a time
/// would leave them, without reading the check back per finding (bulk results: 18 findings an
/// account, `cargo bench --bench results_import`). An item given twice goes one at a time.
#[allow(clippy::too_many_arguments)] // as save_in, for a check's findings together
pub(crate) fn save_all_in(
    tx: &Tx<'_>,
    active: &Checklist,
    checklists: &mut Checklists,
    draw: i64,
    account: i64,
    findings: &[(&Finding, &str)],
    at: NaiveDateTime,
) -> Result<(), InspectError> {
    let Some((_, first_by)) = findings.first() else {
        return Ok(());
    };
    let mut items = HashSet::new();
    if !findings.iter().all(|(f, _)| items.insert(f.item.as_str())) {
        for (finding, by) in findings {
            save_in(tx, active, checklists, draw, account, finding, at, by)?;
        }
        return Ok(());
    }
    let ins = begin(tx, active, checklists, draw, account, at, first_by)?;
    let checklist = checklists.of(tx, &ins.checklist_id, &ins.checklist_version)?;
    let mut changed = false;
    let mut passed = false;
    for (finding, by) in findings {
        if checklist.item(&finding.item).is_none() {
            return Err(InspectError::UnknownItem(finding.item.clone()));
        }
        let mut finding = (*finding).clone();
        apply_rules(checklist, &mut finding);
        let stored = ins.finding(&finding.item);
        if stored.map(|f| &f.finding) == Some(&finding) {
            continue;
        }
        let lineage = stored
            .map(crate::model::StoredFinding::lineage_of_edit)
            .unwrap_or_default();
        tx.upsert_finding(ins.id, &finding, by, at, &lineage, false)?;
        changed = true;
        passed |= finding.answer == Some(crate::model::Answer::Pass);
    }
    if !changed {
        return Ok(());
    }
    let ins = tx
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)?;
    rescore(tx, &ins, checklist)?;
    if ins.status == InspectionStatus::Done && passed {
        super::rectification::recheck::settle_rechecks(tx, &ins, first_by, at)?;
    }
    Ok(())
}

/// Checklists read and parsed once for one change of many checks (a definition never changes
/// under its id and version).
#[derive(Default)]
pub(crate) struct Checklists {
    stored: Vec<Checklist>,
    any: Vec<Checklist>,
    /// The active checklist was checked and stored ([`ensure_checklist`]) in this change.
    ensured: bool,
}

impl Checklists {
    /// [`ensure_checklist`] of `active` (the same through one change), once: a bulk change
    /// starts thousands of checks.
    pub(crate) fn ensure(
        &mut self,
        tx: &Tx<'_>,
        active: &Checklist,
        at: NaiveDateTime,
    ) -> Result<(), InspectError> {
        if !self.ensured {
            ensure_checklist(tx, active, at)?;
            self.ensured = true;
        }
        Ok(())
    }

    /// The checklist stored under `id` and `version`.
    pub(crate) fn of(
        &mut self,
        store: &Store,
        id: &str,
        version: &str,
    ) -> Result<&Checklist, InspectError> {
        Self::cached(&mut self.stored, id, version, || {
            store
                .stored_checklist(id, version)?
                .ok_or_else(|| InspectError::UnknownChecklist {
                    id: id.to_owned(),
                    version: version.to_owned(),
                })
        })
    }

    /// As [`checklist_of`]: stored, or the built-in one it names.
    pub(crate) fn any(
        &mut self,
        store: &Store,
        id: &str,
        version: &str,
    ) -> Result<&Checklist, InspectError> {
        Self::cached(&mut self.any, id, version, || {
            checklist_of(store, id, version)
        })
    }

    fn cached<'c>(
        list: &'c mut Vec<Checklist>,
        id: &str,
        version: &str,
        read: impl FnOnce() -> Result<Checklist, InspectError>,
    ) -> Result<&'c Checklist, InspectError> {
        let n = if let Some(n) = list.iter().position(|c| c.id == id && c.version == version) {
            n
        } else {
            list.push(read()?);
            list.len() - 1
        };
        Ok(&list[n])
    }
}

/// How long one burst of typing in a note or a date is logged as one entry.
const TYPING_BURST_MINUTES: i64 = 10;

/// Saves one finding at once (starting the check if this is its first answer), applies the
/// item's rule (the 2-week update rule decides by itself), and updates the verdict.
/// Returns the inspection as stored.
pub fn save_finding(
    store: &mut Store,
    draw: i64,
    account: i64,
    finding: &Finding,
    at: NaiveDateTime,
) -> Result<Inspection, InspectError> {
    let actor = super::actor(store)?;
    let active = store.active_checklist()?;
    store.transaction(|tx| {
        let (previous, finding) = save_in(
            tx,
            &active,
            &mut Checklists::default(),
            draw,
            account,
            finding,
            at,
            &actor,
        )?;
        let before = previous.as_ref().and_then(|f| f.answer);
        let described = previous
            .as_ref()
            .is_some_and(|p| p.note != finding.note || p.last_update != finding.last_update);
        let name = tx.account_name(account)?;
        if before == finding.answer && described {
            // The note and dates are saved as they are typed: one entry per item for a burst
            // of typing (the same person on the same item within ten minutes).
            let detail = format!("{name}：{} 修改问题描述或日期", finding.item);
            let recent = tx.last_log_entry()?.is_some_and(|e| {
                e.actor == actor
                    && e.action == "修改检查说明"
                    && e.detail == detail
                    && at >= e.at
                    && at - e.at <= chrono::Duration::minutes(TYPING_BURST_MINUTES)
            });
            if !recent {
                tx.append_log(at, &actor, "修改检查说明", &detail)?;
            }
        }
        if before != finding.answer {
            tx.append_log(
                at,
                &actor,
                "检查结果",
                &format!(
                    "{name}：{} {} 改为 {}",
                    finding.item,
                    before.map_or("未填", Answer::label),
                    finding.answer.map_or("未填", Answer::label)
                ),
            )?;
        }
        Ok::<_, InspectError>(())
    })?;
    store
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)
}

/// Opens a finished check again so that it can be changed (the user confirmed); logged.
/// A check not finished is returned as it is.
pub fn reopen_inspection(
    store: &mut Store,
    draw: i64,
    account: i64,
    at: NaiveDateTime,
) -> Result<Inspection, InspectError> {
    let actor = super::actor(store)?;
    let ins = store
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)?;
    if ins.status != InspectionStatus::Done {
        return Ok(ins);
    }
    store.transaction(|tx| {
        tx.reopen_inspection(ins.id)?;
        let name = tx.account_name(account)?;
        tx.append_log(at, &actor, "重新打开已完成的检查", &name)
    })?;
    store
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)
}

/// The checklists `inspections` were made with, each once; one the database lacks is left out.
pub fn checklists_of(
    store: &Store,
    inspections: &[Inspection],
) -> Result<Vec<Checklist>, StoreError> {
    let wanted: HashSet<(&str, &str)> = inspections
        .iter()
        .map(|i| (i.checklist_id.as_str(), i.checklist_version.as_str()))
        .collect();
    let mut out = Vec::with_capacity(wanted.len());
    for (id, version) in wanted {
        if let Some(c) = store.checklist(id, version)? {
            out.push(c);
        }
    }
    Ok(out)
}
