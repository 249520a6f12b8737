//! Finishing checks: one, or every check of a draw that can be finished, in one transaction.

use std::fmt::Write as _;

use chrono::NaiveDateTime;

use super::{Checklists, InspectError, evaluation, evidence_of};
use crate::checklist::{Unfinished, Verdict};
use crate::model::{Inspection, InspectionStatus};
use crate::store::{Store, Tx};

/// Marks the check finished: every applicable item answered and every 不符合 described.
pub fn finish_inspection(
    store: &mut Store,
    draw: i64,
    account: i64,
    at: NaiveDateTime,
) -> Result<Inspection, InspectError> {
    let actor = crate::steps::actor(store)?;
    store.transaction(|tx| finish_in(tx, &mut Checklists::default(), draw, account, at, &actor))?;
    store
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)
}

/// [`finish_inspection`] inside `tx`: nothing is written when the check cannot be finished or
/// is finished already.
pub(crate) fn finish_in(
    tx: &Tx<'_>,
    checklists: &mut Checklists,
    draw: i64,
    account: i64,
    at: NaiveDateTime,
    actor: &str,
) -> Result<(), InspectError> {
    match tx.inspection(draw, account)? {
        Some(ins) => finish_read(tx, checklists, &ins, account, at, actor),
        None => Err(not_started(tx, account)),
    }
}

/// The error of finishing a check not started: every item it has to answer is unanswered,
/// named as in the form.
fn not_started(tx: &Tx<'_>, account: i64) -> InspectError {
    let unanswered = match tx
        .account_platform(account)
        .and_then(|platform| Ok((platform, tx.active_checklist()?)))
    {
        Ok((platform, checklist)) => checklist
            .applicable(&platform)
            .map(crate::checklist::Item::label)
            .collect(),
        Err(e) => return e.into(),
    };
    InspectError::Unfinished(Unfinished {
        unanswered,
        ..Unfinished::default()
    })
}

/// [`finish_in`] of the check `ins` already read.
fn finish_read(
    tx: &Tx<'_>,
    checklists: &mut Checklists,
    ins: &crate::model::Inspection,
    account: i64,
    at: NaiveDateTime,
    actor: &str,
) -> Result<(), InspectError> {
    let checklist = checklists.any(tx, &ins.checklist_id, &ins.checklist_version)?;
    let eval = evaluation(tx, ins, checklist)?;
    eval.can_finish(checklist, evidence_of(ins))
        .map_err(InspectError::Unfinished)?;
    if ins.status == InspectionStatus::Done {
        // Already finished (and logged); the verdict is kept current by every save.
        return Ok(());
    }
    tx.mark_done(ins.id, at, eval.verdict, eval.score)?;
    let name = tx.account_name(account)?;
    tx.append_log(
        at,
        actor,
        "完成检查",
        &format!("{name}：{}", eval.verdict.map_or("", Verdict::label)),
    )?;
    // 复查: last quarter's problems this check found fixed are closed.
    crate::steps::rectification::recheck::settle_rechecks(tx, ins, actor, at)?;
    Ok(())
}

/// What finishing a quarter's checks in bulk did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FinishReport {
    /// Names of the accounts whose check was finished now.
    pub finished: Vec<String>,
    /// Checks that were finished already.
    pub already: usize,
    /// Accounts whose check cannot be finished, with why.
    pub cannot: Vec<(String, String)>,
}

impl FinishReport {
    /// 已完成 12 个账号的检查；3 个此前已完成；2 个还不能完成
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = format!("已完成 {} 个账号的检查", self.finished.len());
        if self.already > 0 {
            let _ = write!(s, "；{} 个此前已完成", self.already);
        }
        if !self.cannot.is_empty() {
            let _ = write!(s, "；{} 个还不能完成（原因见下）", self.cannot.len());
        }
        s
    }
}

/// Finishes every check of `draw` that can be finished (only those of `accounts` when it is
/// not empty), each as [`finish_inspection`] does, and lists those that cannot with why.
pub fn finish_checks(
    store: &mut Store,
    draw: &crate::model::DrawRecord,
    accounts: &[i64],
    at: NaiveDateTime,
) -> Result<FinishReport, InspectError> {
    let actor = crate::steps::actor(store)?;
    let mut checklists = Checklists::default();
    store.transaction(|tx| {
        let mut report = FinishReport::default();
        for d in draw
            .accounts
            .iter()
            .filter(|d| accounts.is_empty() || accounts.contains(&d.account.id))
        {
            let name = format!(
                "{}（{}，{}）",
                d.account.account.name, d.account.account.platform, d.account.account.account_id
            );
            match tx.inspection(draw.info.id, d.account.id)? {
                None => report.cannot.push((name, "还没有开始检查。".to_owned())),
                Some(i) if i.status == InspectionStatus::Done => report.already += 1,
                Some(i) => match finish_read(tx, &mut checklists, &i, d.account.id, at, &actor) {
                    Ok(()) => report.finished.push(name),
                    Err(InspectError::Unfinished(u)) => {
                        report.cannot.push((name, u.to_string()));
                    }
                    Err(e) => return Err(e),
                },
            }
        }
        Ok(report)
    })
}
