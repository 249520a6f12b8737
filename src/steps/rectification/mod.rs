//! 整改: the rectification sheets, the units' filled-in sheets and the office's review.
//!
//! Exporting the sheets issues the quarter's problems (new ones with
//! their deadline), as [`crate::rectification::plan`] decides, in the same transaction as the
//! files are written, so that a file that cannot be written issues nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

mod feedback;
pub mod recheck;

pub use feedback::{
    AnswerCounts, FeedbackReport, RectifyError, import_feedback, review_rectification,
};

use super::admin::{deadline_days, region_name};
use super::log_action;
use super::notice::{Progress, PublishError, load_report};
use crate::export;
use crate::model::time::DAY;
use crate::model::{Quarter, Rectification};
use crate::rectification::plan::{self, IssueCounts, Sent, Step};
use crate::rectification::{add_working_days, code, requirement};
use crate::report::Problem;
use crate::store::{NewProblem, Store, Tx};

/// Where the rectification sheets go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetTarget {
    /// One workbook, one sheet per host unit.
    Book(PathBuf),
    /// A folder, one workbook per host unit.
    Folder(PathBuf),
}

impl SheetTarget {
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Self::Book(p) | Self::Folder(p) => p,
        }
    }
}

/// What exporting the rectification sheets did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issued {
    pub counts: IssueCounts,
    /// Problems in the sheets (not closed).
    pub problems: usize,
    pub units: usize,
    pub files: Vec<PathBuf>,
    /// The latest deadline in the sheets.
    pub deadline: Option<NaiveDate>,
    /// Sampled accounts whose check is not finished: their problems are not in the sheets yet.
    pub unfinished: usize,
}

impl Issued {
    /// What the status bar and the command line say.
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = format!("已导出 {} 个单位的 {} 个问题", self.units, self.problems);
        if let Some(d) = self.deadline {
            let _ = write!(s, "，整改时限 {}", crate::model::time::chinese_day(d));
        }
        let _ = write!(
            s,
            "（新下发 {}，此前已下发 {}",
            self.counts.added, self.counts.kept
        );
        if self.counts.withdrawn > 0 {
            let _ = write!(s, "，撤回已不存在的问题 {}", self.counts.withdrawn);
        }
        s.push_str("）。");
        if self.unfinished > 0 {
            let _ = write!(
                s,
                "尚有 {} 个账号未完成检查，它们的问题要在检查完成后再次导出才会下发。",
                self.unfinished
            );
        }
        s
    }
}

/// Issues `quarter`'s problems (new ones get the deadline: `today` plus the setting's working
/// days) and writes the rectification sheets of every problem not yet closed.
pub fn export_rectification(
    store: &mut Store,
    quarter: Quarter,
    target: &SheetTarget,
    now: NaiveDateTime,
) -> Result<Issued, PublishError> {
    export_rectification_reporting(store, quarter, target, now, &mut |_, _| {})
}

/// As [`export_rectification`], telling `progress` how far it is.
pub fn export_rectification_reporting(
    store: &mut Store,
    quarter: Quarter,
    target: &SheetTarget,
    now: NaiveDateTime,
    progress: Progress<'_>,
) -> Result<Issued, PublishError> {
    progress(0.0, "正在读取本季度的检查结果…");
    let report = load_report(store, quarter)?;
    progress(0.3, "正在下发整改问题…");
    let days = deadline_days(store)?;
    let region = region_name(store)?;
    let actor = crate::steps::actor(store)?;
    let draw = report.draw.id;
    let issued_on = now.date();
    let deadline = add_working_days(issued_on, days);
    let (counts, (problems, units, files, latest)) = store.transaction(|tx| {
        let counts = issue(tx, draw, &report.problems, issued_on, deadline)?;
        if counts.added > 0 || counts.withdrawn > 0 {
            let mut detail = format!(
                "{}：新下发 {} 个问题，整改时限 {}",
                tx.draw_quarter(draw)?,
                counts.added,
                deadline.format(DAY)
            );
            if counts.withdrawn > 0 {
                let _ = write!(detail, "；撤回已不存在的问题 {} 个", counts.withdrawn);
            }
            if counts.carried > 0 {
                let _ = write!(
                    detail,
                    "；上季度未整改、复查仍不合格的 {} 个问题转入本季度（原问题不再单独跟踪）",
                    counts.carried
                );
            }
            tx.append_log(now, &actor, "下发整改", &detail)?;
        }
        let rows = tx.rectifications(draw)?;
        let written = write_sheets(&rows, &region, quarter, now.date(), target, progress)?;
        Ok::<_, PublishError>((counts, written))
    })?;
    log_action(
        store,
        "导出整改表",
        &format!(
            "{}：{units} 个单位、{problems} 个问题；{}",
            quarter.label(),
            target.path().display()
        ),
        now,
    )?;
    Ok(Issued {
        counts,
        problems,
        units,
        files,
        deadline: latest,
        unfinished: report.total.unfinished(),
    })
}

/// Sends `draw`'s problems inside `tx` as [`plan::plan`] says; new ones get `deadline`.
fn issue(
    tx: &Tx<'_>,
    draw: i64,
    problems: &[Problem],
    issued_on: NaiveDate,
    deadline: NaiveDate,
) -> Result<IssueCounts, PublishError> {
    let sent: std::collections::HashMap<_, _> = tx
        .sent_problems(draw)?
        .into_iter()
        .map(|(key, (id, untouched))| (key, Sent { id, untouched }))
        .collect();
    let steps = plan::plan(draw, problems, &sent);
    let mut counts = plan::counts(&steps);
    for step in &steps {
        match *step {
            Step::Issue(p) => {
                let quarter = tx.draw_quarter(draw)?;
                let earlier = tx.open_problems_before(p.account, &p.item, quarter)?;
                let codes: Vec<String> = earlier.iter().map(|(id, _)| code(*id)).collect();
                let description = described(tx, draw, p, &codes)?;
                let id = tx.insert_rectification(
                    draw,
                    &new_problem(p, &description),
                    issued_on,
                    deadline,
                )?;
                // One open problem per account and item: the earlier ones continue as this.
                for (old, _) in &earlier {
                    tx.carry_rectification(*old, id)?;
                }
                counts.carried += earlier.len();
            }
            // Written again with the same words, 连续 N 个季度 included: a second export
            // never drops what the first one said.
            Step::Refresh(id, p) => {
                let codes: Vec<String> = tx.carried_into(id)?.into_iter().map(code).collect();
                let description = described(tx, draw, p, &codes)?;
                tx.refresh_rectification(id, &new_problem(p, &description))?;
            }
            Step::Keep(_) => {}
            Step::Withdraw(id) => tx.withdraw_rectification(id)?,
        }
    }
    Ok(counts)
}

/// 问题描述 as sent: the finding's description, led by 连续 N 个季度存在此问题 where the
/// account failed the same item in the quarters before, naming the earlier problems (their
/// codes, `carried`) that continue as this one.
fn described(
    tx: &Tx<'_>,
    draw: i64,
    p: &Problem,
    carried: &[String],
) -> Result<String, PublishError> {
    let description = p.description();
    let quarter = tx.draw_quarter(draw)?;
    let n = recheck::consecutive_quarters(tx, p.account, &p.item, quarter)?;
    let earlier = if carried.is_empty() {
        "复查仍不合格".to_owned()
    } else {
        format!("此前已通报，编号 {}，复查仍未整改", carried.join("、"))
    };
    Ok(if n > 1 {
        format!("连续 {n} 个季度存在此问题（{earlier}）。{description}")
    } else if carried.is_empty() {
        description
    } else {
        format!("{earlier}。{description}")
    })
}

fn new_problem<'a>(p: &'a Problem, description: &'a str) -> NewProblem<'a> {
    NewProblem {
        account: p.account,
        item: &p.item,
        category: &p.category,
        veto: p.veto,
        description,
        requirement: if p.remedy.trim().is_empty() {
            requirement(p.veto)
        } else {
            &p.remedy
        },
    }
}

/// Writes the sheets of every problem in `rows` not yet closed; returns how many problems
/// and units they hold, the files and the latest deadline.
fn write_sheets(
    rows: &[Rectification],
    region: &str,
    quarter: Quarter,
    today: NaiveDate,
    target: &SheetTarget,
    progress: Progress<'_>,
) -> Result<(usize, usize, Vec<PathBuf>, Option<NaiveDate>), PublishError> {
    let units = export::by_unit(rows);
    if units.is_empty() {
        return Err(PublishError::NothingToRectify(quarter));
    }
    let open: Vec<&Rectification> = units.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    let mut units_done = |done: usize, all: usize| {
        let share = done as f32 / all.max(1) as f32;
        progress(
            0.4 + 0.6 * share,
            &format!("正在写入整改表（{done}/{all} 个单位）…"),
        );
    };
    let files = match target {
        SheetTarget::Book(path) => export::write_rectification_book_reporting(
            rows,
            region,
            quarter,
            today,
            path,
            &mut units_done,
        )
        .map(|()| vec![path.clone()]),
        SheetTarget::Folder(dir) => export::write_rectification_folder_reporting(
            rows,
            region,
            quarter,
            today,
            dir,
            &mut units_done,
        ),
    }
    .map_err(|source| PublishError::Export {
        path: target.path().to_owned(),
        source,
    })?;
    Ok((
        open.len(),
        units.len(),
        files,
        open.iter().map(|r| r.deadline).max(),
    ))
}

/// 导出整改表: issues the quarter's problems and writes the sheets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRectification {
    pub quarter: Quarter,
    pub target: SheetTarget,
    /// The user confirmed issuing while checks are unfinished.
    pub allow_unfinished: bool,
}

impl super::action::Action for IssueRectification {
    type Done = Issued;
    type Error = PublishError;
    const JOB: super::action::Job = super::action::Job::Export;
    const RUNNING: Option<&'static str> = Some("正在导出整改表…");
    const UNCHANGED_ON_FAILURE: bool = true;

    fn output_folder(&self) -> Option<PathBuf> {
        match &self.target {
            SheetTarget::Book(path) => super::action::folder_of(path),
            SheetTarget::Folder(folder) => Some(folder.clone()),
        }
    }

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<Issued, PublishError> {
        super::notice::guard_unfinished(cx.store, self.quarter, self.allow_unfinished, "整改表")?;
        let super::action::Ctx {
            store,
            at,
            progress,
            ..
        } = cx;
        export_rectification_reporting(store, self.quarter, &self.target, *at, &mut |s, what| {
            progress(Some(s), what);
        })
    }

    fn report(&self, issued: &Issued) -> Option<String> {
        Some(format!(
            "{}保存位置：{}",
            issued.summary(),
            self.target.path().display()
        ))
    }
}

/// 导入整改反馈: the units' filled-in sheets (several files at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFeedback {
    pub paths: Vec<PathBuf>,
}

impl super::action::Action for ImportFeedback {
    type Done = FeedbackReport;
    type Error = PublishError;
    const JOB: super::action::Job = super::action::Job::Rectify;
    const RUNNING: Option<&'static str> = Some("正在读取整改反馈…");
    const UNCHANGED_ON_FAILURE: bool = true;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<FeedbackReport, PublishError> {
        let total = self.paths.len().max(1);
        let super::action::Ctx {
            store,
            at,
            progress,
            ..
        } = cx;
        import_feedback(store, &self.paths, *at, &mut |n| {
            progress(
                Some(n as f32 / total as f32),
                &format!("正在读取第 {} 个文件（共 {total} 个）…", n + 1),
            );
        })
    }

    /// The report is shown as a whole (counts, and the rows that could not be matched).
    fn report(&self, _: &FeedbackReport) -> Option<String> {
        None
    }
}

/// 复核: closes a problem, or sends its fix back to the unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub close: bool,
    pub note: String,
}

impl super::action::Action for Review {
    type Done = Rectification;
    type Error = RectifyError;
    const JOB: super::action::Job = super::action::Job::Rectify;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<Rectification, RectifyError> {
        review_rectification(cx.store, self.id, self.close, &self.note, cx.at)
    }

    fn report(&self, r: &Rectification) -> Option<String> {
        Some(format!(
            "“{}”（{}）{}：{}。",
            r.name,
            r.platform,
            r.category,
            if self.close {
                "已复核关闭"
            } else {
                "复核未通过，已退回单位重新整改"
            }
        ))
    }
}
