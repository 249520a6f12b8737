//! Work packages out and in: the supervisor's laptop writes one per inspector and remembers
//! what it carried; the inspector's laptop opens it; the inspector's results go back.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDateTime;

use super::merge::merge_in;
use super::{
    ExchangeError, MergeReport, OpenReport, evidence_files, package_draw, package_inspection,
    uid_of, with_evidence,
};
use crate::exchange::{
    self, Manifest, Package, PackageAccount, PackageData, PackageError, PackageKind,
};
use crate::model::{DrawInfo, PackageEvent, Quarter, Rate, Strata, platform_of, region_of};
use crate::steps::draw::{DrawError, current_draw, refuse_on_inspector_laptop};
use crate::steps::inspect::ensure_checklist;
use crate::store::{NewDrawnAccount, Store, StoreError, Tx, settings};

/// Writes the work package of `inspector` for `quarter`'s draw to `path`; the findings it
/// carries are marked as shared (an edit here is then a new version). `nonce` is fresh
/// randomness for the package's id.
pub fn export_work_package(
    store: &mut Store,
    quarter: Quarter,
    inspector: &str,
    path: &Path,
    at: NaiveDateTime,
    nonce: u64,
) -> Result<Manifest, ExchangeError> {
    refuse_on_inspector_laptop(store)?;
    let draw = current_draw(store, quarter)?;
    let mine: Vec<_> = draw
        .accounts
        .iter()
        .filter(|d| d.inspector.as_deref() == Some(inspector))
        .collect();
    if mine.is_empty() {
        return Err(ExchangeError::NothingAssigned {
            quarter: quarter.label(),
            inspector: inspector.to_owned(),
        });
    }
    let checklist = store.active_checklist()?;
    let mut inspections = Vec::new();
    let mut carried = Vec::new();
    for d in &mine {
        if let Some(ins) = store.inspection(draw.info.id, d.account.id)? {
            carried.push(ins.id);
            inspections.push(package_inspection(&ins, &d.account.account.key()));
        }
    }
    let data = PackageData {
        draw: package_draw(&draw),
        checklist: Some(
            serde_json::to_value(&checklist).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ),
        accounts: mine
            .iter()
            .map(|d| PackageAccount {
                account: d.account.account.clone(),
                stratum: d.stratum.clone(),
                drawn: d.drawn,
                recheck: d.recheck,
            })
            .collect(),
        inspections,
    };
    let actor = crate::steps::actor(store)?;
    let id = exchange::new_package_id(nonce, &[&actor, inspector, &quarter.to_string()]);
    let manifest = Manifest {
        format: String::new(),
        format_version: 0,
        kind: PackageKind::Work,
        package_id: id.clone(),
        created_at: at,
        created_by: actor.clone(),
        quarter,
        draw_uid: uid_of(&data.draw),
        inspector: inspector.to_owned(),
        checklist_id: checklist.id.clone(),
        checklist_version: checklist.version.clone(),
        based_on: Vec::new(),
        data_sha256: String::new(),
        evidence: Vec::new(),
        log: store.log_head()?,
    };
    let files = evidence_files(store, &data.inspections);
    let summary = format!("{} 个账号", mine.len());
    store.transaction(|tx| {
        tx.insert_package(
            &id,
            PackageEvent::WorkSent,
            draw.info.id,
            inspector,
            at,
            &summary,
        )?;
        // Once on the inspector's laptop, an edit here is a second line of work.
        for inspection in &carried {
            tx.mark_shared(*inspection)?;
        }
        tx.append_log(
            at,
            &actor,
            "导出工作包",
            &format!("{inspector}，{}：{summary}", quarter.label()),
        )?;
        // The file is written before the commit: if it cannot be, nothing is remembered.
        Ok(exchange::write_package(path, manifest, &data, &files)?)
    })
}

/// The draw a work package carries, as this laptop records it.
fn draw_info(package: &Package) -> Result<DrawInfo, ExchangeError> {
    let d = &package.data.draw;
    let bad = || ExchangeError::Altered("抽样记录".to_owned());
    Ok(DrawInfo {
        id: 0,
        quarter: d.quarter,
        rate: Rate::from_basis_points(d.rate_bp).map_err(|_| bad())?,
        strata: Strata::parse(&d.strata).ok_or_else(bad)?,
        seed: d.seed.parse().map_err(|_| bad())?,
        algorithm: d.algorithm.clone(),
        algorithm_version: d.algorithm_version,
        prefer_not_drawn_in: d.prefer_not_drawn_in,
        population: d.population,
        population_hash: d.population_hash.clone(),
        excluded: d.excluded,
        sampled: d.sampled,
        rechecks: d.rechecks,
        drawn_by: d.drawn_by.clone(),
        drawn_at: d.drawn_at,
        reason: None,
        superseded_at: None,
    })
}

/// Opens a work package on an inspector's laptop: the draw, the accounts, the checklist
/// and the work so far, in one transaction. Opening it again changes nothing; a later
/// package of the same draw adds its accounts.
pub fn open_work_package(
    store: &mut Store,
    package: &Package,
    at: NaiveDateTime,
) -> Result<OpenReport, ExchangeError> {
    let m = &package.manifest;
    let data = &package.data;
    if m.kind != PackageKind::Work {
        return Err(ExchangeError::WrongKind {
            kind: m.kind.label(),
            what: "应在组长的电脑上导入合并",
        });
    }
    let quarter = m.quarter;
    let report = |already_opened| OpenReport {
        package_id: m.package_id.clone(),
        quarter: quarter.label(),
        inspector: m.inspector.clone(),
        accounts: data.accounts.len(),
        already_opened,
    };
    if super::known_as_before(store, m)? {
        return Ok(report(true));
    }
    if uid_of(&data.draw) != m.draw_uid {
        return Err(ExchangeError::Altered("抽样标识".to_owned()));
    }
    // read_package refuses a work package without a readable checklist.
    let checklist = package
        .checklist
        .as_ref()
        .ok_or(PackageError::BadChecklist {
            path: package.path.clone(),
            detail: "缺失",
        })?;
    let existing = store.current_draw(quarter)?;
    let carried = draw_info(package)?;
    with_evidence(store, package, |store| {
        store.transaction(|tx| {
            let draw = match &existing {
                Some(d) if uid_of(&package_draw(d)) == m.draw_uid => d.info.id,
                Some(_) => {
                    return Err(ExchangeError::DifferentDrawHere {
                        quarter: quarter.label(),
                    });
                }
                None => tx.insert_draw(&carried)?,
            };
            ensure_checklist(tx, checklist, at)?;
            tx.set_setting(
                settings::ACTIVE_CHECKLIST,
                &format!("{}\t{}", checklist.id, checklist.version),
            )?;
            tx.set_setting_if_absent(settings::USER_NAME, &m.inspector)?;
            let ids = add_accounts(tx, draw, package)?;
            merge_in(
                tx,
                draw,
                quarter,
                package,
                &ids,
                &mut MergeReport::default(),
                at,
            )?;
            let summary = format!("{} 个账号（组长 {}）", data.accounts.len(), m.created_by);
            tx.insert_package(
                &m.package_id,
                PackageEvent::WorkOpened,
                draw,
                &m.inspector,
                at,
                &summary,
            )?;
            tx.set_package_content(&m.package_id, &m.data_sha256)?;
            tx.append_log(
                at,
                &m.inspector,
                "打开工作包",
                &format!("{}：{summary}", quarter.label()),
            )?;
            Ok(())
        })
    })?;
    Ok(report(false))
}

/// The accounts of a work package, added to `draw` (those not there yet) and assigned to its
/// inspector: their ids here by key.
fn add_accounts(
    tx: &Tx<'_>,
    draw: i64,
    package: &Package,
) -> Result<HashMap<String, i64>, ExchangeError> {
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut position = tx.drawn_count(draw)?;
    for pa in &package.data.accounts {
        let a = &pa.account;
        let key = a.key();
        let id = match tx.account_id(&key)? {
            Some(id) => id,
            None => tx.insert_account(a)?,
        };
        let (region, platform) = (region_of(a), platform_of(a));
        let added = tx.insert_drawn(
            draw,
            &NewDrawnAccount {
                account: id,
                position,
                stratum: &pa.stratum,
                drawn: pa.drawn,
                recheck: pa.recheck,
                inspector: Some(&package.manifest.inspector),
                region: &region,
                platform: &platform,
            },
            true,
        )?;
        if added {
            position += 1;
        }
        ids.insert(key, id);
    }
    Ok(ids)
}

/// Writes the inspector's results (every check of the draw the last work package opened
/// here belongs to) to `path`. `nonce` is fresh randomness for the package's id.
pub fn export_results_package(
    store: &mut Store,
    path: &Path,
    at: NaiveDateTime,
    nonce: u64,
) -> Result<Manifest, ExchangeError> {
    let Some((draw_id, inspector)) = store.last_opened_work()? else {
        return Err(ExchangeError::NoWork);
    };
    let based_on = store.opened_work_packages(draw_id)?;
    let draw = store.draw_record(draw_id).map_err(DrawError::from)?;
    let mut inspections = Vec::new();
    let mut sent = Vec::new();
    for d in &draw.accounts {
        if let Some(ins) = store.inspection(draw_id, d.account.id)? {
            sent.push(ins.id);
            inspections.push(package_inspection(&ins, &d.account.account.key()));
        }
    }
    let checklist = store.active_checklist()?;
    let data = PackageData {
        draw: package_draw(&draw),
        checklist: None,
        accounts: Vec::new(),
        inspections,
    };
    let actor = crate::steps::actor(store)?;
    let quarter = draw.info.quarter;
    let id = exchange::new_package_id(nonce, &[&actor, &quarter.to_string(), "results"]);
    let manifest = Manifest {
        format: String::new(),
        format_version: 0,
        kind: PackageKind::Results,
        package_id: id.clone(),
        created_at: at,
        created_by: actor.clone(),
        quarter,
        draw_uid: uid_of(&data.draw),
        inspector: inspector.clone(),
        checklist_id: checklist.id.clone(),
        checklist_version: checklist.version.clone(),
        based_on,
        data_sha256: String::new(),
        evidence: Vec::new(),
        log: store.log_head()?,
    };
    let files = evidence_files(store, &data.inspections);
    let manifest = exchange::write_package(path, manifest, &data, &files)?;
    let summary = format!("{} 个账号的检查", data.inspections.len());
    store.transaction(|tx| {
        tx.insert_package(
            &id,
            PackageEvent::ResultsSent,
            draw_id,
            &inspector,
            at,
            &summary,
        )?;
        for inspection in &sent {
            tx.mark_shared(*inspection)?;
        }
        tx.append_log(
            at,
            &actor,
            "导出结果包",
            &format!("{}：{summary}", quarter.label()),
        )
    })?;
    Ok(manifest)
}
