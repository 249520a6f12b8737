//! 协作: work packages from the supervisor to each inspector's laptop, result packages back,
//! and merging them without ever overwriting a finding silently. The package format and the
//! merge decision are in [`crate::exchange`]; this module applies them to the database.

use std::fmt::Write as _;

mod actions;
mod merge;
mod work;

use crate::model::os_error::describe;
use std::path::PathBuf;

pub use actions::{
    ExportResultsPackage, ExportWorkPackage, ImportPackage, Imported, ResolveConflict,
};
pub use merge::{merge_results_package, resolve_conflict};
pub use work::{export_results_package, export_work_package, open_work_package};

use super::draw::DrawError;
use super::inspect::InspectError;
use crate::exchange::{
    Package, PackageDraw, PackageError, PackageEvidence, PackageInspection, draw_uid,
};
use crate::model::{
    Conflict, DrawRecord, EvidenceKind, FindingVersion, Inspection, InspectionStatus,
};
use crate::store::{Store, StoreError};

/// Why a package could not be made or taken. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error(transparent)]
    Draw(#[from] DrawError),
    #[error("{quarter}没有分给“{inspector}”的账号。请先在“抽样”页分配检查人员。")]
    NothingAssigned { quarter: String, inspector: String },
    #[error(
        "这个结果包属于{quarter}的另一次抽样（本机的抽样与它不同，或已重新抽样），不能合并。请核对后让检查人员使用最新的工作包。"
    )]
    OtherDraw { quarter: String },
    #[error("本机还没有{quarter}的抽样，无法合并这个结果包。结果包应导入到导出工作包的电脑上。")]
    NoLocalDraw { quarter: String },
    #[error(
        "本机已经有{quarter}的另一次抽样，不能再打开属于其他抽样的工作包。请使用单独的数据库（--db）或与组长核对。"
    )]
    DifferentDrawHere { quarter: String },
    #[error("结果包使用的检查表“{id}”（版本 {version}）本机没有，不能合并。")]
    UnknownChecklist { id: String, version: String },
    #[error("结果包中的账号“{name}”不在本机{quarter}的抽查名单中，不能合并。")]
    UnknownAccount { name: String, quarter: String },
    #[error("这是一个{kind}，{what}。")]
    WrongKind {
        kind: &'static str,
        what: &'static str,
    },
    #[error("本机没有打开过工作包，没有可以导出的检查结果。")]
    NoWork,
    #[error("冲突 {0} 不存在或已处理。")]
    NoConflict(i64),
    #[error("{0}。为安全起见，没有合并。")]
    Backup(String),
    #[error("这个包里的{0}与其内容不符，可能被改动过，已拒绝。请让对方重新导出后再导入。")]
    Altered(String),
    #[error(
        "本机在 {at} 已经导入过编号相同的包，但这一份的内容与那时的不同。同一个包不会有两种内容，它可能被改动过，已拒绝，本机数据没有改动。请让对方重新导出后再导入。"
    )]
    SameIdOtherContent { at: String },
    #[error("无法保存证据文件：{}。请确认数据目录可以写入、磁盘没有满。（{}）", describe(.source), path.display())]
    SaveEvidence {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What opening a work package did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpenReport {
    pub package_id: String,
    pub quarter: String,
    pub inspector: String,
    pub accounts: usize,
    /// The package had been opened here before: nothing changed.
    pub already_opened: bool,
}

/// What merging a result package did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub package_id: String,
    pub inspector: String,
    pub quarter: String,
    /// Findings new here.
    pub added: usize,
    /// Findings changed by the inspector and untouched here since the work package.
    pub updated: usize,
    pub unchanged: usize,
    /// Findings changed on both sides: kept as they are here, waiting for a choice.
    pub conflicts: usize,
    pub evidence_added: usize,
    /// Checks the package finished.
    pub finished: usize,
    /// The package had been merged before: nothing changed.
    pub already_merged: bool,
    /// The copy of the database taken before merging.
    pub backup: Option<PathBuf>,
}

impl MergeReport {
    #[must_use]
    pub fn summary(&self) -> String {
        if self.already_merged {
            return format!("{}的结果包已经合并过，这次没有任何改动。", self.inspector);
        }
        let mut s = format!(
            "已合并{}的结果包：新增 {} 项、更新 {} 项、相同 {} 项检查结果，证据 {} 个，完成检查 {} 个账号",
            self.inspector,
            self.added,
            self.updated,
            self.unchanged,
            self.evidence_added,
            self.finished
        );
        if self.conflicts > 0 {
            let _ = write!(
                s,
                "；有 {} 项与本机不一致，已保留本机的内容，请逐项选择",
                self.conflicts
            );
        }
        s.push('。');
        s
    }
}

/// Conflicts waiting for a choice, oldest first, each item named as users know it
/// (P01 未备案或备案信息未更新).
pub fn conflicts(store: &Store) -> Result<Vec<Conflict>, StoreError> {
    let checklist = store.active_checklist().ok();
    let mut out = store.open_conflicts()?;
    for c in &mut out {
        if let Some(item) = checklist.as_ref().and_then(|l| l.item(&c.item)) {
            c.item_label = item.label();
        }
    }
    Ok(out)
}

/// A finding of a check as a package carries it.
pub(crate) fn version_of(ins: &Inspection, item: &str) -> Option<FindingVersion> {
    ins.finding(item).map(crate::model::StoredFinding::version)
}

fn package_inspection(ins: &Inspection, key: &str) -> PackageInspection {
    PackageInspection {
        account_key: key.to_owned(),
        checklist_id: ins.checklist_id.clone(),
        checklist_version: ins.checklist_version.clone(),
        done: ins.status == InspectionStatus::Done,
        inspector: ins.inspector.clone(),
        started_at: ins.started_at,
        finished_at: ins.finished_at,
        findings: ins
            .findings
            .iter()
            .filter_map(|f| version_of(ins, &f.finding.item))
            .collect(),
        evidence: ins
            .evidence
            .iter()
            .map(|e| {
                let (sha256, file_name, url) = match &e.kind {
                    EvidenceKind::File { sha256, file_name } => {
                        (Some(sha256.clone()), Some(file_name.clone()), None)
                    }
                    EvidenceKind::Url(u) => (None, None, Some(u.clone())),
                };
                PackageEvidence {
                    item: e.item.clone(),
                    sha256,
                    file_name,
                    url,
                    added_by: e.added_by.clone(),
                    added_at: e.added_at,
                }
            })
            .collect(),
    }
}

fn package_draw(d: &DrawRecord) -> PackageDraw {
    let i = &d.info;
    PackageDraw {
        quarter: i.quarter,
        rate_bp: i.rate.basis_points(),
        strata: i.strata.as_str().to_owned(),
        seed: i.seed.to_string(),
        algorithm: i.algorithm.clone(),
        algorithm_version: i.algorithm_version,
        prefer_not_drawn_in: i.prefer_not_drawn_in,
        population: i.population,
        population_hash: i.population_hash.clone(),
        excluded: i.excluded,
        sampled: i.sampled,
        rechecks: i.rechecks,
        drawn_by: i.drawn_by.clone(),
        drawn_at: i.drawn_at,
    }
}

fn uid_of(d: &PackageDraw) -> String {
    draw_uid(d.quarter, &d.seed, &d.population_hash, d.drawn_at)
}

/// Puts the evidence files of `package` in place, then runs `apply`; if that fails, the files
/// it put there are removed again.
fn with_evidence<T>(
    store: &mut Store,
    package: &Package,
    apply: impl FnOnce(&mut Store) -> Result<T, ExchangeError>,
) -> Result<T, ExchangeError> {
    let files = unpack_evidence(store, package)?;
    let result = apply(store);
    if result.is_err() {
        for file in &files {
            let _ = std::fs::remove_file(file);
        }
    }
    result
}

/// Puts the evidence files `package` refers to in the evidence folder here (those not there
/// yet), streamed and checked ([`Package::unpack_evidence`]): the files created.
fn unpack_evidence(store: &Store, package: &Package) -> Result<Vec<PathBuf>, ExchangeError> {
    let mut seen = std::collections::HashSet::new();
    let places: Vec<(String, PathBuf)> = evidence_files(store, &package.data.inspections)
        .into_iter()
        .filter(|(_, path)| seen.insert(path.clone()))
        .collect();
    package.unpack_evidence(&places).map_err(|e| match e {
        PackageError::Write { path, source } => ExchangeError::SaveEvidence { path, source },
        e => ExchangeError::Package(e),
    })
}

/// The evidence files of `inspections` as (sha256, path) pairs.
fn evidence_files(store: &Store, inspections: &[PackageInspection]) -> Vec<(String, PathBuf)> {
    inspections
        .iter()
        .flat_map(|i| &i.evidence)
        .filter_map(|e| {
            let sha = e.sha256.as_ref()?;
            Some((
                sha.clone(),
                store.evidence_path(sha, e.file_name.as_deref().unwrap_or("")),
            ))
        })
        .collect()
}

/// Whether the package of manifest `m` was opened or merged here before, with the same content;
/// the same id with other content is refused ([`ExchangeError::SameIdOtherContent`]).
fn known_as_before(
    store: &crate::store::Store,
    m: &crate::exchange::Manifest,
) -> Result<bool, ExchangeError> {
    match store.package_content(&m.package_id)? {
        None => Ok(false),
        Some((at, Some(sha))) if sha != m.data_sha256 => Err(ExchangeError::SameIdOtherContent {
            at: crate::model::time::minute_text(at),
        }),
        Some(_) => Ok(true),
    }
}
