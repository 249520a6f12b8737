//! 导出上报包: a reporting office's quarter for the level above, made from what it already has
//! (最多报一次): the draw in force with its population, every sampled account's verdict and
//! problems as the notice states them, 整改, the notice's date, the log head; signed with the
//! office key.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDateTime;

use super::action::{Action, Ctx, Job, folder_of};
use super::admin::region_name;
use super::draw::{DrawError, current_draw};
use super::log_action;
use super::notice::{PublishError, load_report};
use super::office_key::{OfficeKeyError, office_key};
use crate::checklist::Verdict;
use crate::model::time::day_text;
use crate::model::{DrawRecord, Quarter};
use crate::report::QuarterReport;
use crate::rollup::ReportError;
use crate::rollup::package::{
    ReportAccount, ReportData, ReportDraw, ReportManifest, ReportMember, ReportNotice,
    ReportProblem, ReportRectification, ReportStratum, ReportTotals, write_report,
};
use crate::store::{Store, StoreError};

/// The setting naming the issuing office (落款), when it is not the region's name.
pub const ISSUING_OFFICE: &str = "issuing_office";

/// Why a 上报包 was not made. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ReportPackageError {
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Draw(#[from] DrawError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] OfficeKeyError),
    #[error(transparent)]
    Package(#[from] ReportError),
    #[error(
        "{}的抽样是在软件保存总体名单之前做出的，上级无法重新推算，不能生成可核验的上报包。请用新版本重新抽样（写明理由）后再上报。",
        .0.label()
    )]
    PopulationNotKept(Quarter),
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportWritten {
    pub package_id: String,
    pub fingerprint: String,
    pub accounts: usize,
    pub population: usize,
}

/// 导出上报包 of `quarter` to `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReportPackage {
    pub quarter: Quarter,
    pub path: PathBuf,
    /// The issuing office, when given (else the setting, else blank).
    pub office: Option<String>,
    /// Randomness for the office key, made at first use.
    pub random: Option<[u8; 32]>,
}

impl Action for ExportReportPackage {
    type Done = ReportWritten;
    type Error = ReportPackageError;
    const JOB: Job = Job::Export;
    const RUNNING: Option<&'static str> = Some("正在生成上报包…");

    fn output_folder(&self) -> Option<PathBuf> {
        folder_of(&self.path)
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<ReportWritten, ReportPackageError> {
        let key = office_key(cx.store, self.random, cx.at)?.key;
        let draw = current_draw(cx.store, self.quarter)?;
        let population = cx
            .store
            .draw_members(draw.info.id)?
            .ok_or(ReportPackageError::PopulationNotKept(self.quarter))?;
        let report = load_report(cx.store, self.quarter)?;
        let region = region_name(cx.store)?;
        let office = match &self.office {
            Some(o) => o.trim().to_owned(),
            None => cx.store.setting(ISSUING_OFFICE)?.unwrap_or_default(),
        };
        let data = ReportData {
            quarter: self.quarter.to_string(),
            region: region.clone(),
            draw: draw_of(&draw),
            population: population
                .iter()
                .map(|c| ReportMember {
                    key: c.key.clone(),
                    stratum: c.stratum.clone(),
                    recent: c.recently_drawn,
                })
                .collect(),
            sampled: draw
                .accounts
                .iter()
                .filter(|a| a.drawn)
                .map(|a| a.account.account.key())
                .collect(),
            accounts: accounts_of(&draw, &report),
            totals: ReportTotals {
                population: report.total.accounts,
                sampled: report.total.checked,
                passed: report.total.passed,
                failed: report.total.failed,
            },
            rectifications: rectifications_of(cx.store, &draw, cx.at)?,
            replies_recorded: true,
            notice: notice_of(cx.store, self.quarter)?,
        };
        let user = super::actor(cx.store)?;
        let package_id = crate::exchange::new_package_id(
            cx.fresh,
            &[
                &region,
                &self.quarter.to_string(),
                &crate::model::time::time_text(cx.at),
            ],
        );
        let manifest = ReportManifest {
            format: String::new(),
            format_version: 0,
            package_id: package_id.clone(),
            created_at: cx.at,
            created_by: user,
            region,
            office,
            quarter: self.quarter.to_string(),
            data_sm3: String::new(),
            signature_algorithm: String::new(),
            public_key: String::new(),
            fingerprint: String::new(),
            log: cx.store.log_head()?,
        };
        let manifest = write_report(&self.path, manifest, &data, &key)?;
        log_action(
            cx.store,
            "导出上报包",
            &format!(
                "{}：{}（编号 {package_id}，{} 个抽查账号，公钥指纹 {}）",
                self.quarter.label(),
                self.path.display(),
                data.accounts.len(),
                manifest.fingerprint
            ),
            cx.at,
        )?;
        Ok(ReportWritten {
            package_id,
            fingerprint: manifest.fingerprint,
            accounts: data.accounts.len(),
            population: data.population.len(),
        })
    }

    fn report(&self, done: &ReportWritten) -> Option<String> {
        Some(format!(
            "上报包已保存：{}（{} 个抽查账号，总体 {} 个账号；已用本单位密钥签名，公钥指纹 {}）",
            self.path.display(),
            done.accounts,
            done.population,
            done.fingerprint
        ))
    }
}

fn draw_of(draw: &DrawRecord) -> ReportDraw {
    let i = &draw.info;
    ReportDraw {
        rate_bp: i.rate.basis_points(),
        strata: i.strata.as_str().to_owned(),
        seed: i.seed,
        algorithm: i.algorithm.clone(),
        algorithm_version: i.algorithm_version,
        prefer_not_drawn_in: i.prefer_not_drawn_in,
        population: i.population,
        population_hash: i.population_hash.clone(),
        drawn_at: i.drawn_at,
        drawn_by: i.drawn_by.clone(),
        strata_counts: draw
            .strata
            .iter()
            .map(|s| ReportStratum {
                key: s.key.clone(),
                population: s.population,
                sampled: s.sampled,
            })
            .collect(),
    }
}

/// Every account of the 抽查名单 with its verdict and problems as the notice counts them.
fn accounts_of(draw: &DrawRecord, report: &QuarterReport) -> Vec<ReportAccount> {
    let verdicts: HashMap<i64, Option<Verdict>> = report
        .accounts
        .iter()
        .map(|a| (a.account, a.verdict))
        .collect();
    let mut problems: HashMap<i64, Vec<ReportProblem>> = HashMap::new();
    for p in &report.problems {
        problems.entry(p.account).or_default().push(ReportProblem {
            item: p.item.clone(),
            category: p.category.clone(),
            veto: p.veto,
            note: p.note.clone(),
            links: p.links.clone(),
        });
    }
    draw.accounts
        .iter()
        .map(|d| {
            let a = &d.account.account;
            ReportAccount {
                key: a.key(),
                platform: a.platform.clone(),
                account_id: a.account_id.clone(),
                name: a.name.clone(),
                host_unit: a.host_unit.clone(),
                city: a.city.clone(),
                county: a.county.clone(),
                stratum: d.stratum.clone(),
                drawn: d.drawn,
                recheck: d.recheck,
                verdict: verdicts
                    .get(&d.account.id)
                    .copied()
                    .flatten()
                    .map(|v| match v {
                        Verdict::Pass => "合格".to_owned(),
                        Verdict::Fail => "不合格".to_owned(),
                    }),
                problems: problems.remove(&d.account.id).unwrap_or_default(),
            }
        })
        .collect()
}

fn rectifications_of(
    store: &Store,
    draw: &DrawRecord,
    at: NaiveDateTime,
) -> Result<Vec<ReportRectification>, StoreError> {
    let keys: HashMap<i64, String> = draw
        .accounts
        .iter()
        .map(|d| (d.account.id, d.account.account.key()))
        .collect();
    Ok(store
        .rectifications(draw.info.id)?
        .into_iter()
        .map(|r| ReportRectification {
            code: crate::rectification::code(r.id),
            account_key: keys.get(&r.account).cloned().unwrap_or_default(),
            item: r.item.clone(),
            category: r.category.clone(),
            veto: r.veto,
            issued_on: day_text(r.issued_on),
            deadline: day_text(r.deadline),
            status: r.status(at.date()).label().to_owned(),
            completed_on: r.completed_on.map(day_text),
            replied_on: [r.replied_at, r.incomplete_at]
                .into_iter()
                .flatten()
                .min()
                .map(|t| day_text(t.date())),
        })
        .collect())
}

/// The day the quarter's notice was last exported, from the log.
fn notice_of(store: &Store, quarter: Quarter) -> Result<Option<ReportNotice>, StoreError> {
    let label = quarter.label();
    Ok(store
        .log_entries()?
        .into_iter()
        .rev()
        .find(|e| e.action == "导出通报" && e.detail.starts_with(&label))
        .map(|e| ReportNotice {
            exported_on: day_text(e.at.date()),
            number: None,
        }))
}
