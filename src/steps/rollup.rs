//! 汇总 (the level above): registering reporters and their public keys, importing 上报包 (each
//! verified, recorded and logged; a newer package of the same reporter and quarter replaces the
//! older with a logged reason), the per-reporter table, the 复核 list and the 汇总 workbook.
//! A 汇总 workspace is a database used with these steps.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::Serialize;

use super::action::{Action, Ctx, Job, folder_of};
use super::{actor, log_action};
use crate::model::{Quarter, ReportStatus, Reporter, StoredReport};
use crate::rollup::key::normalize_fingerprint;
use crate::rollup::summary::Duplicates;
use crate::rollup::{KeyError, PublicKey, RollupRow, assess, read_report, rows, total};
use crate::store::{NewReport, Store, StoreError};

/// Why a roll-up step did not happen. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum RollupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}（{1}）")]
    Key(KeyError, PathBuf),
    #[error("无法读取文件 {path}：{}", crate::model::os_error::describe(.source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("上报单位名称不能为空。")]
    NoName,
    #[error(
        "这个公钥（指纹 {fingerprint}）已登记为“{other}”的公钥，同一个公钥不能登记给两个单位。"
    )]
    KeyTaken { fingerprint: String, other: String },
    #[error("还没有导入任何上报包，请用 --quarter 指定季度。")]
    NoQuarter,
    #[error("{}还没有已采用的上报包，无法生成复核名单。", .0.label())]
    NothingToRecheck(Quarter),
    #[error("{}的复核名单上已录入 {entered} 个复核结论，按现在的上报包和设置重新抽取会得到不同的名单，已录入的结论将失去对象，因此没有重新抽取。{}", .quarter.label(), .round.as_ref().map_or_else(String::new, |r| format!("要再次导出原来的名单，请使用原来的设置（{r}）。")))]
    RecheckStarted {
        quarter: Quarter,
        entered: usize,
        round: Option<String>,
    },
    #[error("{}还没有生成复核名单，请先生成复核名单。", .0.label())]
    NoRecheckList(Quarter),
    #[error("{0}不在复核名单上。")]
    NotOnRecheckList(String),
    #[error("“{0}”复核不合格，请写明复核发现的问题。")]
    RecheckNoteMissing(String),
    #[error("复核日期 {} 在今天之后，请检查日期。", crate::model::time::day_text(*.0))]
    RecheckInFuture(chrono::NaiveDate),
    #[error("{message}")]
    RecheckSheet { message: String },
    #[error("{}", source.message_at(path))]
    Export {
        path: PathBuf,
        source: crate::export::ExportError,
    },
    #[error(transparent)]
    Notice(#[from] super::rollup_notice::RollupNoticeError),
}

/// 登记上报单位: a reporter's name and public key (a PEM file), expected every quarter or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterReporter {
    pub name: String,
    pub key_file: PathBuf,
    pub expected: bool,
}

/// What registering did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub reporter: String,
    pub fingerprint: String,
    pub expected: bool,
    /// The fingerprint it replaced, when the reporter was registered with another key.
    pub replaced: Option<String>,
}

impl Action for RegisterReporter {
    type Done = Registered;
    type Error = RollupError;
    const JOB: Job = Job::Settings;
    const UNCHANGED_ON_FAILURE: bool = true;

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Registered, RollupError> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(RollupError::NoName);
        }
        let text = std::fs::read_to_string(&self.key_file).map_err(|source| RollupError::Read {
            path: self.key_file.clone(),
            source,
        })?;
        let key =
            PublicKey::from_pem(&text).map_err(|e| RollupError::Key(e, self.key_file.clone()))?;
        let fingerprint = key.fingerprint();
        let known = cx.store.reporters()?;
        if let Some(other) = known.iter().find(|r| {
            r.name != name
                && normalize_fingerprint(&r.fingerprint) == normalize_fingerprint(&fingerprint)
        }) {
            return Err(RollupError::KeyTaken {
                fingerprint,
                other: other.name.clone(),
            });
        }
        let replaced = known
            .iter()
            .find(|r| r.name == name && r.fingerprint != fingerprint)
            .map(|r| r.fingerprint.clone());
        let who = actor(cx.store)?;
        let reporter = Reporter {
            name: name.clone(),
            public_key: key.to_pem(),
            fingerprint: fingerprint.clone(),
            expected: self.expected,
            registered_at: cx.at,
            registered_by: who.clone(),
        };
        let detail = format!(
            "{name}：公钥指纹 {fingerprint}{}{}",
            if self.expected {
                "，每季度应上报"
            } else {
                ""
            },
            replaced
                .as_ref()
                .map(|r| format!("（替换原公钥 {r}）"))
                .unwrap_or_default()
        );
        cx.store.transaction(|tx| {
            tx.upsert_reporter(&reporter)?;
            tx.append_log(cx.at, &who, "登记上报单位", &detail)
        })?;
        Ok(Registered {
            reporter: name,
            fingerprint,
            expected: self.expected,
            replaced,
        })
    }

    fn report(&self, r: &Registered) -> Option<String> {
        Some(format!(
            "已登记上报单位“{}”，公钥指纹：{}。请与对方电话核对这串指纹。{}",
            r.reporter,
            r.fingerprint,
            r.replaced
                .as_ref()
                .map(|f| format!("原登记的公钥（指纹 {f}）已被替换。"))
                .unwrap_or_default()
        ))
    }
}

/// What became of one file imported (`rollup import --json`: stable field names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub file: String,
    pub package_id: Option<String>,
    pub reporter: Option<String>,
    pub quarter: Option<String>,
    pub accepted: bool,
    /// `accepted`, `refused`, `older`, `already_imported`
    pub status: &'static str,
    pub verified: bool,
    /// Why refused, or what the checks found.
    pub reasons: Vec<String>,
    /// The package this one replaced.
    pub replaced: Option<String>,
}

impl ImportOutcome {
    /// One line: 甲市 2026Q4：已采用，核验通过.
    #[must_use]
    pub fn line(&self) -> String {
        let who = match (&self.reporter, &self.quarter) {
            (Some(r), Some(q)) => format!("{r} {q}"),
            _ => self.file.clone(),
        };
        let what = match self.status {
            "accepted" if self.verified => "已采用，核验通过".to_owned(),
            "accepted" => "已采用，但核验发现问题".to_owned(),
            "older" => "比已采用的上报包旧，未采用".to_owned(),
            "already_imported" => "这个上报包已经导入过，没有任何改动".to_owned(),
            _ => "已拒绝".to_owned(),
        };
        let mut line = format!("{who}：{what}");
        if let Some(r) = &self.replaced {
            let _ = write!(line, "（替换了之前的上报包 {r}）");
        }
        for reason in &self.reasons {
            let _ = write!(line, "\n  {reason}");
        }
        line
    }
}

/// 导入上报包: each file read, verified, recorded and logged on its own; one bad file does not
/// stop the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReports {
    pub files: Vec<PathBuf>,
}

impl Action for ImportReports {
    type Done = Vec<ImportOutcome>;
    type Error = RollupError;
    const JOB: Job = Job::Exchange;
    const RUNNING: Option<&'static str> = Some("正在导入并核验上报包…");

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Vec<ImportOutcome>, RollupError> {
        let mut out = Vec::new();
        for (i, file) in self.files.iter().enumerate() {
            let share = i as f32 / self.files.len().max(1) as f32;
            cx.report(Some(share), &format!("正在核验 {}…", file.display()));
            out.push(import_one(cx.store, file, cx.at)?);
        }
        Ok(out)
    }

    fn report(&self, done: &Vec<ImportOutcome>) -> Option<String> {
        Some(
            done.iter()
                .map(ImportOutcome::line)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

fn refused(file: &Path, reasons: Vec<String>) -> ImportOutcome {
    ImportOutcome {
        file: file.display().to_string(),
        package_id: None,
        reporter: None,
        quarter: None,
        accepted: false,
        status: "refused",
        verified: false,
        reasons,
        replaced: None,
    }
}

#[allow(clippy::too_many_lines)] // one package from file to record, top to bottom
/// Imports one package: refused ones are recorded (when they say whose they are) and logged;
/// the same package twice changes nothing.
pub fn import_one(
    store: &mut Store,
    file: &Path,
    at: NaiveDateTime,
) -> Result<ImportOutcome, RollupError> {
    let raw = match read_report(file) {
        Ok(raw) => raw,
        Err(e) => {
            log_action(store, "拒绝上报包", &e.to_string(), at)?;
            return Ok(refused(file, vec![e.to_string()]));
        }
    };
    let m = raw.manifest.clone();
    let reporters = store.reporters()?;
    let file_name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut outcome = ImportOutcome {
        file: file.display().to_string(),
        package_id: Some(m.package_id.clone()),
        reporter: Some(m.region.clone()),
        quarter: Some(m.quarter.clone()),
        ..refused(file, Vec::new())
    };
    let record = |store: &mut Store,
                  outcome: &mut ImportOutcome,
                  reporter: &str,
                  status: ReportStatus,
                  numbers: &crate::model::ReportNumbers,
                  accounts: &[crate::model::ReportedAccount],
                  replace: Option<&StoredReport>|
     -> Result<(), RollupError> {
        let who = actor(store)?;
        let new = NewReport {
            package_id: &m.package_id,
            reporter,
            quarter: &m.quarter,
            fingerprint: &m.fingerprint,
            created_at: m.created_at,
            file_name: &file_name,
            imported_at: at,
            imported_by: &who,
            status,
            verified: outcome.verified,
            reasons: &outcome.reasons,
            numbers,
        };
        let action = match status {
            ReportStatus::Accepted => "导入上报包",
            ReportStatus::Refused => "拒绝上报包",
            _ => "导入上报包（未采用）",
        };
        let mut detail = format!(
            "{reporter} {}：{}（编号 {}，生成于 {}）{}",
            m.quarter,
            status.label(),
            m.package_id,
            crate::model::time::minute_text(m.created_at),
            outcome.reasons.join("；")
        );
        store.transaction(|tx| {
            let id = tx.insert_report(&new)?;
            if status == ReportStatus::Accepted {
                tx.insert_reported_accounts(id, accounts)?;
            }
            if let Some(old) = replace {
                tx.set_report_status(old.id, ReportStatus::Replaced)?;
                detail = format!(
                    "{detail}。替换{reporter} {} 之前采用的上报包（编号 {}，生成于 {}），原因：新包生成时间较晚",
                    m.quarter,
                    old.package_id,
                    crate::model::time::minute_text(old.created_at)
                );
            }
            tx.append_log(at, &who, action, &detail)
        })?;
        Ok(())
    };
    let package = match raw.open() {
        Ok(p) => p,
        Err(e) => {
            outcome.reasons = vec![format!("{}：{e}", e.flag())];
            let reporter = m.region.clone();
            if !already_refused(store, &m.package_id, &outcome.reasons)? {
                record(
                    store,
                    &mut outcome,
                    &reporter,
                    ReportStatus::Refused,
                    &crate::model::ReportNumbers::default(),
                    &[],
                    None,
                )?;
            }
            return Ok(outcome);
        }
    };
    let assessment = assess(&package, &reporters);
    outcome.reporter = Some(assessment.reporter.clone());
    if !assessment.accepted() {
        outcome.reasons.clone_from(&assessment.refused);
        if !already_refused(store, &m.package_id, &outcome.reasons)? {
            record(
                store,
                &mut outcome,
                &assessment.reporter,
                ReportStatus::Refused,
                &assessment.numbers,
                &[],
                None,
            )?;
        }
        return Ok(outcome);
    }
    outcome.reasons.clone_from(&assessment.flags);
    outcome.verified = assessment.verified();
    let same_quarter = store.reports(Some(&m.quarter))?;
    if let Some(before) = same_quarter.iter().find(|r| {
        r.package_id == m.package_id
            && r.fingerprint == m.fingerprint
            && r.status != ReportStatus::Refused
    }) {
        outcome.status = "already_imported";
        outcome.accepted = before.status == ReportStatus::Accepted;
        return Ok(outcome);
    }
    let current = same_quarter
        .iter()
        .find(|r| r.reporter == assessment.reporter && r.status == ReportStatus::Accepted);
    match current {
        Some(old) if old.created_at >= m.created_at => {
            outcome.status = "older";
            outcome.reasons.push(format!(
                "已采用的上报包（编号 {}）生成于 {}，比这个包新",
                old.package_id,
                crate::model::time::minute_text(old.created_at)
            ));
            record(
                store,
                &mut outcome,
                &assessment.reporter,
                ReportStatus::Older,
                &assessment.numbers,
                &[],
                None,
            )?;
        }
        _ => {
            outcome.status = "accepted";
            outcome.accepted = true;
            outcome.replaced = current.map(|o| o.package_id.clone());
            record(
                store,
                &mut outcome,
                &assessment.reporter,
                ReportStatus::Accepted,
                &assessment.numbers,
                &assessment.accounts,
                current,
            )?;
        }
    }
    Ok(outcome)
}

fn already_refused(
    store: &Store,
    package_id: &str,
    reasons: &[String],
) -> Result<bool, StoreError> {
    Ok(store
        .report_by_package_id(package_id)?
        .is_some_and(|r| r.status == ReportStatus::Refused && r.reasons == reasons))
}

/// The per-reporter table of a quarter (`rollup --json`: stable field names).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupTable {
    pub quarter: String,
    pub reporters: Vec<RollupRow>,
    pub total: RollupRow,
    /// Accounts listed by more than one reporter.
    pub duplicates: Vec<DuplicateJson>,
    /// Every package imported for the quarter and what became of it.
    #[serde(skip)]
    pub packages: Vec<StoredReport>,
    /// Each reporter's 复核 (empty when no list was drawn).
    pub rechecks: Vec<crate::model::RecheckSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateJson {
    pub account: String,
    pub reporters: Vec<String>,
}

/// The quarter given, else the latest with any package.
pub fn rollup_quarter(store: &Store, quarter: Option<Quarter>) -> Result<Quarter, RollupError> {
    if let Some(q) = quarter {
        return Ok(q);
    }
    store
        .reports(None)?
        .iter()
        .filter_map(|r| r.quarter.parse::<Quarter>().ok())
        .max()
        .ok_or(RollupError::NoQuarter)
}

/// The table of `quarter`.
pub fn rollup_table(store: &Store, quarter: Quarter) -> Result<RollupTable, RollupError> {
    let q = quarter.to_string();
    let reporters = store.reporters()?;
    let reports = store.reports(Some(&q))?;
    let previous = store.reports(Some(&quarter.previous().to_string()))?;
    let duplicates = store.duplicate_reported_accounts(&q)?;
    let dup: &Duplicates = &duplicates;
    let rows = rows(&reporters, &reports, &previous, dup);
    let total = total(&rows);
    Ok(RollupTable {
        quarter: q,
        total,
        reporters: rows,
        duplicates: duplicates
            .iter()
            .map(|(k, r)| DuplicateJson {
                account: crate::sampling::verify::key_label(k),
                reporters: r.clone(),
            })
            .collect(),
        packages: reports,
        rechecks: super::rollup_recheck::recheck_results(store, quarter)?,
    })
}

/// 导出汇总表: the per-reporter table with totals, as xlsx, or the level's notice (汇总通报) for a
/// .docx path; logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRollup {
    pub quarter: Quarter,
    pub path: PathBuf,
}

impl Action for ExportRollup {
    type Done = RollupTable;
    type Error = RollupError;
    const JOB: Job = Job::Export;

    fn output_folder(&self) -> Option<PathBuf> {
        folder_of(&self.path)
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<RollupTable, RollupError> {
        let table = rollup_table(cx.store, self.quarter)?;
        if super::rollup_notice::is_notice(&self.path) {
            let (q, path) = (self.quarter, &self.path);
            super::rollup_notice::write_rollup_notice(cx.store, &table, q, path, cx.at)?;
            return Ok(table);
        }
        crate::export::write_rollup(
            self.quarter,
            &table.reporters,
            &table.total,
            &table.packages,
            &table_duplicates(&table),
            &table.rechecks,
            &self.path,
        )
        .map_err(|source| RollupError::Export {
            path: self.path.clone(),
            source,
        })?;
        log_action(
            cx.store,
            "导出汇总表",
            &format!("{}：{}", self.quarter.label(), self.path.display()),
            cx.at,
        )?;
        Ok(table)
    }

    fn report(&self, table: &RollupTable) -> Option<String> {
        let what = if super::rollup_notice::is_notice(&self.path) {
            "汇总通报"
        } else {
            "汇总表"
        };
        Some(format!(
            "{what}已保存：{}（{} 个上报单位）",
            self.path.display(),
            table.reporters.len()
        ))
    }
}

fn table_duplicates(table: &RollupTable) -> Vec<(String, Vec<String>)> {
    table
        .duplicates
        .iter()
        .map(|d| (d.account.clone(), d.reporters.clone()))
        .collect()
}
