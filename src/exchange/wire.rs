//! The package format as it is read: every field as the JSON has it, turned into the typed
//! records once ([`WireManifest::typed`], [`WireData::typed`]). A value the types cannot hold is
//! refused with a [`PackageError::BadValue`] naming where it is (the manifest, the draw, which
//! account and item) and what it is; nothing of it reaches the database.
//!
//! Writing goes through the typed records themselves, whose serialisation is the same JSON.

use std::collections::HashSet;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::{
    EvidenceFile, Manifest, PackageAccount, PackageData, PackageDraw, PackageError,
    PackageEvidence, PackageInspection, PackageKind,
};
use crate::model::time::{day_text, parse_day};
use crate::model::{Answer, FindingVersion, LogHead, Quarter};

/// `manifest.json` as written.
#[derive(Deserialize)]
pub(super) struct WireManifest {
    format: String,
    format_version: u32,
    kind: PackageKind,
    package_id: String,
    created_at: NaiveDateTime,
    created_by: String,
    quarter: String,
    draw_uid: String,
    inspector: String,
    checklist_id: String,
    checklist_version: String,
    #[serde(default)]
    based_on: Vec<String>,
    data_sha256: String,
    evidence: Vec<EvidenceFile>,
    #[serde(default)]
    log: Option<LogHead>,
}

impl WireManifest {
    pub(super) fn typed(self, path: &Path) -> Result<Manifest, PackageError> {
        let quarter = quarter(path, "包清单中的季度", &self.quarter)?;
        Ok(Manifest {
            format: self.format,
            format_version: self.format_version,
            kind: self.kind,
            package_id: self.package_id,
            created_at: self.created_at,
            created_by: self.created_by,
            quarter,
            draw_uid: self.draw_uid,
            inspector: self.inspector,
            checklist_id: self.checklist_id,
            checklist_version: self.checklist_version,
            based_on: self.based_on,
            data_sha256: self.data_sha256,
            evidence: self.evidence,
            log: self.log,
        })
    }
}

/// `data.json` as written.
#[derive(Deserialize)]
pub(super) struct WireData {
    draw: WireDraw,
    #[serde(default)]
    checklist: Option<serde_json::Value>,
    #[serde(default)]
    accounts: Vec<PackageAccount>,
    inspections: Vec<WireInspection>,
}

#[derive(Deserialize)]
struct WireDraw {
    quarter: String,
    rate_bp: u32,
    strata: String,
    seed: String,
    algorithm: String,
    algorithm_version: u32,
    prefer_not_drawn_in: u32,
    population: usize,
    population_hash: String,
    excluded: usize,
    sampled: usize,
    rechecks: usize,
    drawn_by: String,
    drawn_at: NaiveDateTime,
}

#[derive(Deserialize)]
struct WireInspection {
    account_key: String,
    checklist_id: String,
    checklist_version: String,
    done: bool,
    inspector: String,
    started_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
    findings: Vec<WireFinding>,
    evidence: Vec<PackageEvidence>,
}

#[derive(Deserialize)]
struct WireFinding {
    item: String,
    answer: Option<String>,
    note: String,
    last_update: Option<String>,
    checked_on: Option<String>,
    #[serde(default)]
    longest_gap: Option<u32>,
    updated_by: String,
    updated_at: NaiveDateTime,
    #[serde(default)]
    lineage: Vec<String>,
}

impl WireData {
    /// The typed data; `manifest_quarter` is the quarter the manifest names, which the draw's
    /// must be.
    pub(super) fn typed(
        self,
        path: &Path,
        manifest_quarter: Quarter,
    ) -> Result<PackageData, PackageError> {
        let d = self.draw;
        let draw_quarter = quarter(path, "抽样记录中的季度", &d.quarter)?;
        if draw_quarter != manifest_quarter {
            return Err(PackageError::Inconsistent {
                path: path.to_owned(),
                detail: format!(
                    "包清单写的是{}，抽样记录写的是{}",
                    manifest_quarter.label(),
                    draw_quarter.label()
                ),
            });
        }
        let draw = PackageDraw {
            quarter: draw_quarter,
            rate_bp: d.rate_bp,
            strata: d.strata,
            seed: d.seed,
            algorithm: d.algorithm,
            algorithm_version: d.algorithm_version,
            prefer_not_drawn_in: d.prefer_not_drawn_in,
            population: d.population,
            population_hash: d.population_hash,
            excluded: d.excluded,
            sampled: d.sampled,
            rechecks: d.rechecks,
            drawn_by: d.drawn_by,
            drawn_at: d.drawn_at,
        };
        let accounts = self.accounts;
        let mut seen = HashSet::new();
        let mut inspections = Vec::with_capacity(self.inspections.len());
        for i in self.inspections {
            let account = || account_text(&i.account_key, &accounts);
            if !seen.insert(i.account_key.clone()) {
                return Err(PackageError::Inconsistent {
                    path: path.to_owned(),
                    detail: format!("{}的检查记录出现了两次", account()),
                });
            }
            let mut items = HashSet::new();
            let mut findings = Vec::with_capacity(i.findings.len());
            for f in i.findings {
                let place = |what: &str| format!("{}检查项 {} 的{what}", account(), f.item);
                if !items.insert(f.item.clone()) {
                    return Err(PackageError::Inconsistent {
                        path: path.to_owned(),
                        detail: format!("{}检查项 {} 的检查结果出现了两次", account(), f.item),
                    });
                }
                let answer = match f.answer.as_deref() {
                    None => None,
                    Some(code) => {
                        Some(
                            Answer::from_code(code).ok_or_else(|| PackageError::BadValue {
                                path: path.to_owned(),
                                place: place("检查结果"),
                                value: shown(code),
                                expected: "应为符合、不符合或不适用之一",
                            })?,
                        )
                    }
                };
                let last_update = day(path, || place("最后更新日期"), f.last_update.as_deref())?;
                let checked_on = day(path, || place("检查日期"), f.checked_on.as_deref())?;
                findings.push(FindingVersion {
                    item: f.item,
                    answer,
                    note: f.note,
                    last_update,
                    checked_on,
                    longest_gap: f.longest_gap,
                    updated_by: f.updated_by,
                    updated_at: f.updated_at,
                    lineage: f.lineage,
                });
            }
            inspections.push(PackageInspection {
                account_key: i.account_key,
                checklist_id: i.checklist_id,
                checklist_version: i.checklist_version,
                done: i.done,
                inspector: i.inspector,
                started_at: i.started_at,
                finished_at: i.finished_at,
                findings,
                evidence: i.evidence,
            });
        }
        Ok(PackageData {
            draw,
            checklist: self.checklist,
            accounts,
            inspections,
        })
    }
}

/// A quarter as packages write it (2026Q4).
fn quarter(path: &Path, place: &str, text: &str) -> Result<Quarter, PackageError> {
    text.parse().map_err(|_| PackageError::BadValue {
        path: path.to_owned(),
        place: place.to_owned(),
        value: shown(text),
        expected: "应为年份加季度，例如 2026Q4",
    })
}

/// A day exactly as packages write it (2026-11-20): anything else would not be the same
/// version of the finding once written back.
fn day(
    path: &Path,
    place: impl Fn() -> String,
    text: Option<&str>,
) -> Result<Option<NaiveDate>, PackageError> {
    let Some(text) = text else { return Ok(None) };
    match parse_day(text) {
        Some(d) if day_text(d) == text => Ok(Some(d)),
        _ => Err(PackageError::BadValue {
            path: path.to_owned(),
            place: place(),
            value: shown(text),
            expected: "不是有效的日期，应写成 2026-11-20 这样的年月日",
        }),
    }
}

/// A value from a package as a message quotes it: at most 50 characters.
fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(50).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// An account of a package as people know it: its name where the package lists it, else its
/// platform and identity (账号“…”（抖音）).
pub(super) fn account_text(key: &str, accounts: &[PackageAccount]) -> String {
    if let Some(a) = accounts.iter().find(|a| a.account.key() == key) {
        return format!("账号“{}”（{}）", shown(&a.account.name), a.account.platform);
    }
    let parts: Vec<&str> = key.split('\u{1f}').collect();
    match parts.as_slice() {
        [platform, "id", id] => format!("账号（{platform}，账号标识 {}）", shown(id)),
        [platform, name, unit] => format!("账号“{}”（{platform}，{}）", shown(name), shown(unit)),
        _ => format!("账号“{}”", shown(key)),
    }
}
