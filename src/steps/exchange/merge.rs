//! Merging an inspector's result package on the supervisor's laptop, finding by finding as
//! [`crate::exchange::merge`] decides by lineage, and the supervisor's choice on what
//! conflicts.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{ExchangeError, MergeReport, package_draw, uid_of, version_of, with_evidence};
use crate::checklist::{Checklist, Finding};
use crate::exchange::{FindingState, Outcome, Package, PackageKind, merge, settled};
use crate::model::{EvidenceKind, FindingVersion, PackageEvent, Quarter};
use crate::steps::inspect::{ensure_checklist, finish_if_complete, rescore_check};
use crate::store::{Store, StoreError, Tx, evidence_file};

/// Merges an inspector's result package, in one transaction after an automatic backup.
/// Findings new here are added; findings edited from the version here are updated; older
/// ones are ignored; a second line of work is kept waiting beside the version here as a
/// conflict for the supervisor to choose. The same package twice changes nothing.
pub fn merge_results_package(
    store: &mut Store,
    package: &Package,
    at: NaiveDateTime,
) -> Result<MergeReport, ExchangeError> {
    let m = &package.manifest;
    if m.kind != PackageKind::Results {
        return Err(ExchangeError::WrongKind {
            kind: m.kind.label(),
            what: "应在检查人员的电脑上打开",
        });
    }
    let quarter = m.quarter;
    let mut report = MergeReport {
        package_id: m.package_id.clone(),
        inspector: m.inspector.clone(),
        quarter: quarter.label(),
        ..MergeReport::default()
    };
    if uid_of(&package.data.draw) != m.draw_uid {
        return Err(ExchangeError::Altered("抽样标识".to_owned()));
    }
    let Some(draw) = store.current_draw(quarter)? else {
        return Err(ExchangeError::NoLocalDraw {
            quarter: quarter.label(),
        });
    };
    if uid_of(&package_draw(&draw)) != m.draw_uid {
        return Err(ExchangeError::OtherDraw {
            quarter: quarter.label(),
        });
    }
    if super::known_as_before(store, m)? {
        report.already_merged = true;
        return Ok(report);
    }
    // Every checklist the package uses must be known here (the built-in one counts, even
    // before any check stored it).
    let mut checklists: Vec<Checklist> = Vec::new();
    for i in &package.data.inspections {
        if checklists
            .iter()
            .any(|c| c.id == i.checklist_id && c.version == i.checklist_version)
        {
            continue;
        }
        match store.checklist(&i.checklist_id, &i.checklist_version) {
            Ok(Some(c)) => checklists.push(c),
            _ => {
                return Err(ExchangeError::UnknownChecklist {
                    id: i.checklist_id.clone(),
                    version: i.checklist_version.clone(),
                });
            }
        }
    }
    let ids: HashMap<String, i64> = draw
        .accounts
        .iter()
        .map(|d| (d.account.account.key(), d.account.id))
        .collect();
    let actor = crate::steps::actor(store)?;
    // Every account is known here before any evidence file is unpacked.
    refuse_unknown_accounts(package, &ids, quarter)?;
    with_evidence(store, package, |store| {
        let backup = store
            .auto_backup("合并前", at, &actor)
            .map_err(|e| ExchangeError::Backup(e.to_string()))?;
        report.backup = backup.map(|b| b.path);
        store.transaction(|tx| {
            for c in &checklists {
                ensure_checklist(tx, c, at)?;
            }
            merge_in(tx, draw.info.id, quarter, package, &ids, &mut report, at)?;
            tx.insert_package(
                &m.package_id,
                PackageEvent::ResultsMerged,
                draw.info.id,
                &m.inspector,
                at,
                &report.summary(),
            )?;
            tx.set_package_content(&m.package_id, &m.data_sha256)?;
            tx.append_log(at, &actor, "合并结果包", &report.summary())?;
            Ok::<_, ExchangeError>(())
        })
    })?;
    Ok(report)
}

/// A finding as a package version says it (its author and time are the version's).
fn finding_of(v: &FindingVersion) -> Finding {
    Finding {
        item: v.item.clone(),
        answer: v.answer,
        note: v.note.clone(),
        last_update: v.last_update,
        checked_on: v.checked_on,
        longest_gap: v.longest_gap,
    }
}

/// The check of `account` in `draw`, which must have been started.
fn inspection_of(tx: &Tx<'_>, draw: i64, account: i64) -> Result<i64, ExchangeError> {
    Ok(tx
        .inspection_id(draw, account)?
        .ok_or_else(|| StoreError::Corrupt(format!("账号（编号 {account}）的检查记录不存在")))?)
}

/// Writes `v` as the stored finding of the check of `account` in `draw`: its author, time
/// and lineage kept; it came from another laptop, so it is shared.
fn write_version(
    tx: &Tx<'_>,
    draw: i64,
    account: i64,
    v: &FindingVersion,
) -> Result<(), ExchangeError> {
    let inspection = inspection_of(tx, draw, account)?;
    tx.upsert_finding(
        inspection,
        &finding_of(v),
        &v.updated_by,
        v.updated_at,
        &v.lineage,
        true,
    )?;
    Ok(())
}

/// The supervisor's choice on a conflict: keep the finding as it is here, or take the
/// package's (which then replaces it, verdict recomputed).
pub fn resolve_conflict(
    store: &mut Store,
    id: i64,
    take_incoming: bool,
    at: NaiveDateTime,
) -> Result<(), ExchangeError> {
    let actor = crate::steps::actor(store)?;
    let Some(c) = store.open_conflict(id)? else {
        return Err(ExchangeError::NoConflict(id));
    };
    store.transaction(|tx| {
        // The version chosen descends from every version it was chosen over, so that none of
        // them comes back with a later package.
        let here = tx
            .inspection(c.draw, c.account)?
            .and_then(|ins| version_of(&ins, &c.item));
        let others: Vec<FindingVersion> = tx
            .waiting_versions(c.draw, c.account, &c.item)?
            .into_iter()
            .map(|(_, v)| v)
            .filter(|v| v.id() != c.incoming.id())
            .collect();
        if take_incoming {
            let over: Vec<&FindingVersion> = here.iter().chain(&others).collect();
            write_version(tx, c.draw, c.account, &settled(&c.incoming, &over))?;
            rescore_check(tx, c.draw, c.account)?;
        } else if let Some(here) = &here {
            let over: Vec<&FindingVersion> = std::iter::once(&c.incoming).chain(&others).collect();
            let kept = settled(here, &over);
            tx.set_lineage(
                inspection_of(tx, c.draw, c.account)?,
                &c.item,
                &kept.lineage,
            )?;
        }
        tx.resolve_conflict(id, take_incoming, &actor, at)?;
        // The last choice on a check the inspector had finished finishes it here too.
        if !tx.has_open_conflicts(c.draw, c.account)?
            && let Some(when) = tx.conflicted_check_finished_at(c.draw, c.account)?
        {
            finish_if_complete(tx, c.draw, c.account, when)?;
        }
        let name = tx.account_name(c.account)?;
        tx.append_log(
            at,
            &actor,
            "处理合并冲突",
            &format!(
                "{name} {}：{}",
                c.item,
                if take_incoming {
                    "采用结果包的内容"
                } else {
                    "保留本机的内容"
                }
            ),
        )?;
        Ok(())
    })
}

/// A package's check of an account the draw here does not have: the package is refused as a
/// whole.
fn refuse_unknown_accounts(
    package: &Package,
    ids: &HashMap<String, i64>,
    quarter: Quarter,
) -> Result<(), ExchangeError> {
    if let Some(pi) = package
        .data
        .inspections
        .iter()
        .find(|pi| !ids.contains_key(&pi.account_key))
    {
        let name = package
            .data
            .accounts
            .iter()
            .find(|a| a.account.key() == pi.account_key)
            .map_or_else(|| pi.account_key.clone(), |a| a.account.name.clone());
        return Err(ExchangeError::UnknownAccount {
            name,
            quarter: quarter.label(),
        });
    }
    Ok(())
}

/// Applies a package's checks to `draw` inside `tx`, counting into `report`. `ids` maps
/// account keys to ids here; every account is checked first. The package's evidence files
/// are in place already ([`super::unpack_evidence`]).
pub(super) fn merge_in(
    tx: &Tx<'_>,
    draw: i64,
    quarter: Quarter,
    package: &Package,
    ids: &HashMap<String, i64>,
    report: &mut MergeReport,
    at: NaiveDateTime,
) -> Result<(), ExchangeError> {
    refuse_unknown_accounts(package, ids, quarter)?;
    merge_checks(tx, draw, package, ids, report, at)
}

fn merge_checks(
    tx: &Tx<'_>,
    draw: i64,
    package: &Package,
    ids: &HashMap<String, i64>,
    report: &mut MergeReport,
    at: NaiveDateTime,
) -> Result<(), ExchangeError> {
    let m = &package.manifest;
    let evidence_dir = tx.evidence_dir();
    for pi in &package.data.inspections {
        let Some(&account) = ids.get(&pi.account_key) else {
            continue;
        };
        let local = tx.inspection(draw, account)?;
        let inspection = match &local {
            Some(l) => l.id,
            None => tx.insert_inspection(
                draw,
                account,
                (&pi.checklist_id, &pi.checklist_version),
                &pi.inspector,
                pi.started_at,
            )?,
        };
        let mut changed = false;
        let mut conflicted = false;
        for incoming in &pi.findings {
            let here = local.as_ref().and_then(|l| version_of(l, &incoming.item));
            let waiting = tx.waiting_versions(draw, account, &incoming.item)?;
            let state = FindingState {
                current: here.clone(),
                waiting: waiting.iter().map(|(_, v)| v.clone()).collect(),
            };
            let (outcome, next) = merge(&state, incoming);
            // A waiting version the incoming one descends from is replaced by it.
            for (id, v) in &waiting {
                if !next.waiting.contains(v) {
                    tx.supersede_conflict(*id, at)?;
                }
            }
            match outcome {
                Outcome::Same | Outcome::Older => report.unchanged += 1,
                Outcome::Add | Outcome::Update => {
                    write_version(tx, draw, account, incoming)?;
                    changed = true;
                    if outcome == Outcome::Add {
                        report.added += 1;
                    } else {
                        report.updated += 1;
                    }
                }
                Outcome::Conflict => {
                    let finished = pi.done.then(|| pi.finished_at.unwrap_or(pi.started_at));
                    if tx.insert_conflict(
                        draw,
                        account,
                        &m.package_id,
                        here.as_ref(),
                        incoming,
                        at,
                        finished,
                    )? {
                        report.conflicts += 1;
                    }
                    conflicted = true;
                }
            }
        }
        for e in &pi.evidence {
            let kind = match (&e.sha256, &e.url) {
                (Some(sha), _) => EvidenceKind::File {
                    sha256: sha.clone(),
                    file_name: e.file_name.clone().unwrap_or_default(),
                },
                (None, url) => EvidenceKind::Url(url.clone().unwrap_or_default()),
            };
            if tx.has_evidence(inspection, &e.item, &kind)? {
                continue;
            }
            if let EvidenceKind::File { sha256, file_name } = &kind
                && !evidence_file(&evidence_dir, sha256, file_name).exists()
            {
                return Err(ExchangeError::Altered(format!("证据文件 {sha256}")));
            }
            tx.insert_evidence(inspection, &e.item, &kind, &e.added_by, e.added_at)?;
            report.evidence_added += 1;
        }
        if changed {
            rescore_check(tx, draw, account)?;
        }
        if pi.done && !conflicted {
            let finished = pi.finished_at.unwrap_or(pi.started_at);
            if finish_if_complete(tx, draw, account, finished)? {
                report.finished += 1;
            }
        }
    }
    Ok(())
}
