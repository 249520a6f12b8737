//! Many findings at once: 其余项全部符合 on one check, and findings imported in bulk for a
//! draw. Each is one transaction and one log entry; the items' rules apply as they do to a
//! finding saved alone.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::{Checklists, InspectError, checklist_of, save_all_in, save_in};
use crate::checklist::{Answer, Finding};
use crate::model::{EvidenceKind, Inspection, InspectionStatus};
use crate::store::Store;

/// 其余项全部符合: every applicable item of the check not answered yet becomes 符合, in one
/// transaction and one log entry (notes already typed are kept). Refused, with nothing
/// written, while an unanswered item's rule lacks its fact (the last update date, the longest
/// gap): such an item is decided by its rule, never by a click. Returns the check as stored.
pub fn pass_the_rest(
    store: &mut Store,
    draw: i64,
    account: i64,
    at: NaiveDateTime,
) -> Result<Inspection, InspectError> {
    if !store.is_drawn(draw, account)? {
        return Err(InspectError::NotSampled);
    }
    let current = store.inspection(draw, account)?;
    if current
        .as_ref()
        .is_some_and(|i| i.status == InspectionStatus::Done)
    {
        return Err(InspectError::AlreadyFinished);
    }
    let active = store.active_checklist()?;
    let checklist = match &current {
        Some(i) => checklist_of(store, &i.checklist_id, &i.checklist_version)?,
        None => active.clone(),
    };
    let platform = store.account_platform(account)?;
    let stored = |id: &str| {
        current
            .iter()
            .flat_map(|i| &i.findings)
            .find(|f| f.finding.item == id)
            .map(|f| f.finding.clone())
    };
    let rest: Vec<Finding> = checklist
        .applicable(&platform)
        .map(|item| {
            (
                item,
                stored(&item.id).unwrap_or_else(|| Finding::new(item.id.clone())),
            )
        })
        .filter(|(_, f)| f.answer.is_none())
        .map(|(item, f)| {
            if item.rule.is_some_and(|r| !r.has_fact(&f)) {
                Err(item.label())
            } else {
                Ok(Finding {
                    answer: Some(Answer::Pass),
                    ..f
                })
            }
        })
        .collect::<Result<_, _>>()
        .map_err(InspectError::NeedsFact)?;
    if rest.is_empty() {
        return Err(InspectError::NothingLeft);
    }
    let actor = crate::steps::actor(store)?;
    let mut checklists = Checklists::default();
    store.transaction(|tx| {
        for finding in &rest {
            save_in(
                tx,
                &active,
                &mut checklists,
                draw,
                account,
                finding,
                at,
                &actor,
            )?;
        }
        let items: Vec<&str> = rest.iter().map(|f| f.item.as_str()).collect();
        tx.append_log(
            at,
            &actor,
            "检查结果",
            &format!(
                "{}：其余 {} 项全部设为符合（{}）",
                tx.account_name(account)?,
                rest.len(),
                items.join("、")
            ),
        )?;
        Ok::<_, InspectError>(())
    })?;
    store
        .inspection(draw, account)?
        .ok_or(InspectError::NotSampled)
}

/// Saves many findings of one draw (account id, finding) in ONE transaction, each exactly
/// as [`save_finding`] would (checks started as needed, rules applied, verdicts updated), and
/// logs a single 批量导入检查结果 entry with the count. Any refused finding (an account not in
/// the draw, an unknown item) refuses them all: nothing is written. Returns the number of
/// findings written.
pub fn save_findings_bulk(
    store: &mut Store,
    draw: i64,
    rows: &[(i64, Finding)],
    at: NaiveDateTime,
) -> Result<usize, InspectError> {
    let rows: Vec<(i64, Finding, Option<String>)> =
        rows.iter().map(|(a, f)| (*a, f.clone(), None)).collect();
    save_findings_bulk_by(store, draw, &rows, at)
}

/// As [`save_findings_bulk`], each finding recorded under its own inspector where given (a
/// results sheet's 检查人员 column), else under whoever imports.
pub fn save_findings_bulk_by(
    store: &mut Store,
    draw: i64,
    rows: &[(i64, Finding, Option<String>)],
    at: NaiveDateTime,
) -> Result<usize, InspectError> {
    save_findings_with_evidence(store, draw, rows, &[], at)
}

/// As [`save_findings_bulk_by`], with evidence for items of those checks in the same
/// transaction: (account, item, evidence already kept), each added unless the item already
/// has it (the same link, or a file with the same content). Returns the findings written.
pub fn save_findings_with_evidence(
    store: &mut Store,
    draw: i64,
    rows: &[(i64, Finding, Option<String>)],
    evidence: &[(i64, String, EvidenceKind)],
    at: NaiveDateTime,
) -> Result<usize, InspectError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let actor = crate::steps::actor(store)?;
    let active = store.active_checklist()?;
    let mut checklists = Checklists::default();
    store.transaction(|tx| {
        // Each run of rows of one account saved together.
        for run in rows.chunk_by(|a, b| a.0 == b.0) {
            let findings: Vec<(&Finding, &str)> = run
                .iter()
                .map(|(_, f, by)| (f, by.as_deref().unwrap_or(&actor)))
                .collect();
            save_all_in(tx, &active, &mut checklists, draw, run[0].0, &findings, at)?;
        }
        let mut added = 0;
        for (account, item, kind) in evidence {
            let ins = super::begin(tx, &active, &mut checklists, draw, *account, at, &actor)?;
            let same = |e: &crate::model::Evidence| {
                e.item == *item
                    && match (&e.kind, kind) {
                        (EvidenceKind::Url(a), EvidenceKind::Url(b))
                        | (
                            EvidenceKind::File { sha256: a, .. },
                            EvidenceKind::File { sha256: b, .. },
                        ) => a == b,
                        _ => false,
                    }
            };
            if !ins.evidence.iter().any(same) {
                tx.insert_evidence(ins.id, item, kind, &actor, at)?;
                added += 1;
            }
        }
        let accounts: HashSet<i64> = rows.iter().map(|(a, _, _)| *a).collect();
        let with_evidence = if added > 0 {
            format!("，证据 {added} 件")
        } else {
            String::new()
        };
        tx.append_log(
            at,
            &actor,
            "批量导入检查结果",
            &format!(
                "{}：{} 条检查结果，涉及 {} 个账号{with_evidence}",
                tx.draw_quarter(draw)?.label(),
                rows.len(),
                accounts.len()
            ),
        )?;
        Ok(rows.len())
    })
}
