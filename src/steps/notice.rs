//! What the office publishes of a quarter: the 抽查名单 and the notice (通报正文 and its
//! attachments), each read from the draw in force and its checks, written, and logged. The
//! rectification sheets and what comes back are [`super::rectification`]'s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::admin::{deadline_days, region_name};
use super::draw::{DrawError, current_draw, draw_population};
use super::inspect::{InspectError, checklists_of};
use super::log_action;
use crate::checklist::{Answer, Verdict};
use crate::export::{self, ExportError};
use crate::model::{DrawRecord, Quarter};
use crate::rectification::DEFAULT_DEADLINE_DAYS;
use crate::report::QuarterReport;
use crate::store::{Store, StoreError, settings};

/// Why an export or a feedback import did not happen. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Draw(#[from] DrawError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}", source.message_at(path))]
    Export { path: PathBuf, source: ExportError },
    #[error(transparent)]
    Docx(#[from] crate::export::DocxError),
    #[error("{}没有不合格或存在问题的账号，不需要下发整改表。", .0.label())]
    NothingToRectify(Quarter),
    #[error("{}还有 {count} 个抽查账号没有完成检查{}。{what}通常在全部检查完成后印发；确需先发，请确认后再导出（命令行加 --allow-unfinished）：合格率只计已完成的检查，并写明不是最终结果。", quarter.label(), lacking_text(.lacking_evidence))]
    Unfinished {
        quarter: Quarter,
        count: usize,
        what: &'static str,
        /// Of them, those with a veto item 不符合 but no evidence for it (they cannot be
        /// finished, and are not counted 不合格, until it is attached): account names.
        lacking_evidence: Vec<String>,
    },
    #[error(
        "还没有填写地区名称：通报的标题、主送和落款都要用到它。请先在“设置与备份”中填写（命令行：settings --region 地区名称），再导出。"
    )]
    NoRegion,
}

/// The id of `quarter`'s draw in force (not its accounts), or why there is none.
fn current_draw_info_of(store: &Store, quarter: Quarter) -> Result<i64, PublishError> {
    let info = store.current_draw_info(quarter)?;
    Ok(info.ok_or(DrawError::NoDraw(quarter))?.id)
}

/// Refuses to publish `quarter` while checks are unfinished, unless the user confirmed
/// (`allow`): an official document is never produced by accident from half the results.
pub fn guard_unfinished(
    store: &Store,
    quarter: Quarter,
    allow: bool,
    what: &'static str,
) -> Result<(), PublishError> {
    if allow {
        return Ok(());
    }
    // One query under the notice's counting rule: the export builds the report afterwards.
    let draw = current_draw_info_of(store, quarter)?;
    let count = store.draw_tally(draw)?.unfinished();
    if count > 0 {
        return Err(PublishError::Unfinished {
            quarter,
            count,
            what,
            lacking_evidence: lacking_evidence(store, quarter)?,
        });
    }
    Ok(())
}

/// The accounts of `quarter`'s draw whose check is not finished and has a veto item 不符合
/// with no evidence for it, by name.
fn lacking_evidence(store: &Store, quarter: Quarter) -> Result<Vec<String>, PublishError> {
    let draw = current_draw(store, quarter)?;
    let inspections = store.inspections(draw.info.id)?;
    let checklists = crate::steps::inspect::checklists_of(store, &inspections)?;
    let mut names = Vec::new();
    for ins in inspections
        .iter()
        .filter(|i| i.status != crate::model::InspectionStatus::Done)
    {
        let Some(checklist) = checklists
            .iter()
            .find(|c| c.id == ins.checklist_id && c.version == ins.checklist_version)
        else {
            continue;
        };
        let Some(d) = draw.accounts.iter().find(|d| d.account.id == ins.account) else {
            continue;
        };
        let a = &d.account.account;
        // The rule 完成 applies: a veto 不符合 that decides the verdict needs its evidence.
        let lacking = crate::checklist::evaluate(checklist, &a.platform, &ins.plain_findings())
            .can_finish(checklist, crate::steps::inspect::evidence_of(ins))
            .is_err_and(|u| !u.without_evidence.is_empty());
        if lacking {
            names.push(format!("“{}”（{}）", a.name, a.platform));
        }
    }
    Ok(names)
}

/// 「，其中 N 个判定单项否决项不符合但还没有附证据：…」, the first five named.
fn lacking_text(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        n => format!(
            "，其中 {n} 个判定了单项否决项不符合、还没有附证据（{}{}），附上截图、文件或链接后才能完成，在此之前不计为不合格",
            names.iter().take(5).cloned().collect::<Vec<_>>().join("、"),
            if n > 5 { "等" } else { "" }
        ),
    }
}

/// The report of `quarter`'s draw in force, with the pass rates of last quarter and of the
/// same quarter last year where those were drawn.
pub fn load_report(store: &Store, quarter: Quarter) -> Result<QuarterReport, PublishError> {
    let mut report = report_alone(store, quarter)?;
    let rate_in = |q: Option<Quarter>| -> Result<Option<f64>, PublishError> {
        match q {
            Some(q) if store.current_draw_info(q)?.is_some() => {
                Ok(report_alone(store, q)?.total.pass_rate())
            }
            _ => Ok(None),
        }
    };
    report.earlier_rates = crate::report::EarlierRates {
        last_quarter: rate_in(Some(quarter.previous()))?,
        last_year: rate_in(Quarter::new(quarter.year() - 1, quarter.number()))?,
    };
    if let Some(last) = store.current_draw_info(quarter.previous())? {
        report.previous_problems = store.rectifications(last.id)?;
    }
    Ok(report)
}

/// The report of `quarter`'s draw in force, compared with nothing.
pub fn report_alone(store: &Store, quarter: Quarter) -> Result<QuarterReport, PublishError> {
    let draw = current_draw(store, quarter)?;
    let inspections = store.inspections_with_failures(draw.info.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let population = draw_population(store, draw.info.id)?;
    let previous = previous_failures(store, quarter.previous())?;
    let check_days = store.check_days(draw.info.id)?;
    let mut report = QuarterReport::build(
        &draw,
        &inspections,
        &checklists,
        &population,
        &previous,
        &check_days,
    );
    report.log = store.log_head()?;
    // A 复查 still failing: how many quarters running, from the quarters before last.
    let mut failed_in = HashMap::new();
    for r in report.rechecks.iter_mut().filter(|r| r.consecutive > 0) {
        let mut q = quarter.previous().previous();
        loop {
            let failed = match failed_in.get(&q) {
                Some(f) => f,
                None => failed_in.entry(q).or_insert(store.failed_in(q)?),
            };
            if !failed.contains(&r.account) {
                break;
            }
            r.consecutive += 1;
            q = q.previous();
        }
    }
    Ok(report)
}

/// Accounts found 不合格 in `quarter`, each with the titles of the items it failed.
pub fn previous_failures(
    store: &Store,
    quarter: Quarter,
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    // The draw's id is enough: its accounts are not needed here.
    let Some(draw) = store.current_draw_info(quarter)? else {
        return Ok(HashMap::new());
    };
    let inspections = store.inspections_with_failures(draw.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let mut out = HashMap::new();
    for i in &inspections {
        // The notice's rule: what it counted 不合格 is rechecked.
        if crate::report::counted_verdict(i.status, i.verdict) != Some(Verdict::Fail) {
            continue;
        }
        let checklist = checklists
            .iter()
            .find(|c| c.id == i.checklist_id && c.version == i.checklist_version);
        let titles = i
            .findings
            .iter()
            .filter(|f| f.finding.answer == Some(Answer::Fail))
            .map(|f| {
                checklist
                    .and_then(|c| c.item(&f.finding.item))
                    .map_or_else(|| f.finding.item.clone(), |it| it.problem_text().to_owned())
            })
            .collect();
        out.insert(i.account, titles);
    }
    Ok(out)
}

/// Writes the 抽查名单 of `draw` to `path` (the region name from settings in its title) and
/// logs it.
pub fn export_sample_list(
    store: &mut Store,
    draw: &DrawRecord,
    path: &Path,
    at: NaiveDateTime,
) -> Result<(), PublishError> {
    let region = region_name(store)?;
    export::write_sample_list(draw, &region, path).map_err(|source| PublishError::Export {
        path: path.to_owned(),
        source,
    })?;
    log_action(
        store,
        "导出抽查名单",
        &format!("{}：{}", draw.info.quarter.label(), path.display()),
        at,
    )?;
    Ok(())
}

/// How a long export reports: the share done (0 to 1) and what it is doing.
pub type Progress<'a> = &'a mut dyn FnMut(f32, &str);

/// Writes the notice of `quarter` to `path`; returns the report it states.
pub fn export_notice(
    store: &mut Store,
    quarter: Quarter,
    path: &Path,
    at: NaiveDateTime,
) -> Result<QuarterReport, PublishError> {
    export_notice_reporting(store, quarter, path, at, &mut |_, _| {})
}

/// As [`export_notice`], telling `progress` how far it is.
pub fn export_notice_reporting(
    store: &mut Store,
    quarter: Quarter,
    path: &Path,
    at: NaiveDateTime,
    progress: Progress<'_>,
) -> Result<QuarterReport, PublishError> {
    progress(0.0, "正在读取本季度的检查结果…");
    let report = load_report(store, quarter)?;
    let region = region_name(store)?;
    let word = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    if word {
        // The 通报 itself; the deadline is the problems' if they were issued, else the one
        // issuing them today would give.
        let draw = current_draw(store, quarter)?;
        let deadline = store
            .rectifications(draw.info.id)?
            .iter()
            .map(|r| r.deadline)
            .max()
            .unwrap_or_else(|| {
                crate::rectification::add_working_days(
                    at.date(),
                    deadline_days(store).unwrap_or(DEFAULT_DEADLINE_DAYS),
                )
            });
        progress(0.5, "正在写入通报正文…");
        let text = export::NoticeText {
            region,
            deadline,
            dated: at.date(),
            exported: at,
            office: store
                .setting(super::report_package::ISSUING_OFFICE)?
                .unwrap_or_default(),
            addressees: store
                .setting(settings::NOTICE_ADDRESSEES)?
                .unwrap_or_default(),
            contact: store.setting(settings::NOTICE_CONTACT)?.unwrap_or_default(),
        };
        export::write_notice_docx(&report, &text, path)?;
    } else {
        export::write_notice_reporting(&report, &region, path, &mut |share, what| {
            progress(0.4 + 0.6 * share, what);
        })
        .map_err(|source| PublishError::Export {
            path: path.to_owned(),
            source,
        })?;
    }
    log_action(
        store,
        "导出通报",
        &format!("{}：{}", quarter.label(), path.display()),
        at,
    )?;
    Ok(report)
}

/// 导出抽查名单: the quarter's 抽查名单 as xlsx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveSampleList {
    pub quarter: Quarter,
    pub path: PathBuf,
}

impl super::action::Action for SaveSampleList {
    type Done = ();
    type Error = PublishError;
    const JOB: super::action::Job = super::action::Job::SaveSampleList;
    const RUNNING: Option<&'static str> = Some("正在导出抽查名单…");

    fn output_folder(&self) -> Option<PathBuf> {
        super::action::folder_of(&self.path)
    }

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<(), PublishError> {
        let draw = current_draw(cx.store, self.quarter)?;
        export_sample_list(cx.store, &draw, &self.path, cx.at)
    }

    fn report(&self, (): &()) -> Option<String> {
        Some(format!("抽查名单已保存：{}", self.path.display()))
    }
}

/// 导出通报: the notice (.docx) or its attachments (.xlsx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportNotice {
    pub quarter: Quarter,
    pub path: PathBuf,
    /// The user confirmed exporting while checks are unfinished.
    pub allow_unfinished: bool,
}

impl super::action::Action for ExportNotice {
    type Done = QuarterReport;
    type Error = PublishError;
    const JOB: super::action::Job = super::action::Job::Export;
    const RUNNING: Option<&'static str> = Some("正在导出通报…");

    fn output_folder(&self) -> Option<PathBuf> {
        super::action::folder_of(&self.path)
    }

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<QuarterReport, PublishError> {
        if region_name(cx.store)?.trim().is_empty() {
            return Err(PublishError::NoRegion);
        }
        guard_unfinished(cx.store, self.quarter, self.allow_unfinished, "通报")?;
        let super::action::Ctx {
            store,
            at,
            progress,
            ..
        } = cx;
        export_notice_reporting(store, self.quarter, &self.path, *at, &mut |share, what| {
            progress(Some(share), what);
        })
    }

    fn report(&self, report: &QuarterReport) -> Option<String> {
        Some(format!(
            "通报已保存：{}。{}",
            self.path.display(),
            export::overview_line(report)
        ))
    }
}
