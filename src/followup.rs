//! What leaves the office after a quarter's checks and what comes back: the notice, the
//! rectification sheets (exporting them issues the problems, with their deadline), and the
//! units' filled-in sheets. The window's worker and the command line both call these.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use crate::export::{self, ExportError};
use crate::model::Quarter;
use crate::rectification::feedback::{self, RowIssue};
use crate::rectification::{DEFAULT_DEADLINE_DAYS, Rectification};
use crate::report::{QuarterReport, load_report};
use crate::results::ResultsError;
use crate::store::{AnswerCounts, IssueCounts, Store, StoreError, settings};

/// Why an export or a feedback import did not happen. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum FollowupError {
    #[error(transparent)]
    Results(#[from] ResultsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{source}（{}）", path.display())]
    Export { path: PathBuf, source: ExportError },
    #[error("{}没有不合格或存在问题的账号，不需要下发整改表。", .0.label())]
    NothingToRectify(Quarter),
}

/// The region name for titles (setting; blank if not set).
pub fn region_name(store: &Store) -> Result<String, StoreError> {
    Ok(store.setting(settings::REGION_NAME)?.unwrap_or_default())
}

/// The deadline in working days (setting; 10 if not set or not a number).
pub fn deadline_days(store: &Store) -> Result<u32, StoreError> {
    Ok(store
        .setting(settings::RECTIFICATION_DAYS)?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_DEADLINE_DAYS))
}

/// Writes the 抽查名单 of `draw` to `path` (the region name from settings in its title) and
/// logs it.
pub fn export_sample_list(
    store: &Store,
    draw: &crate::store::DrawRecord,
    path: &Path,
) -> Result<(), FollowupError> {
    let region = region_name(store)?;
    export::write_sample_list(draw, &region, path).map_err(|source| FollowupError::Export {
        path: path.to_owned(),
        source,
    })?;
    store.log_action(
        "导出抽查名单",
        &format!("{}：{}", draw.info.quarter.label(), path.display()),
        chrono::Local::now().naive_local(),
    )?;
    Ok(())
}

/// How a long export reports: the share done (0 to 1) and what it is doing.
pub type Progress<'a> = &'a mut dyn FnMut(f32, &str);

/// Writes the notice of `quarter` to `path`; returns the report it states.
pub fn export_notice(
    store: &Store,
    quarter: Quarter,
    path: &Path,
) -> Result<QuarterReport, FollowupError> {
    export_notice_reporting(store, quarter, path, &mut |_, _| {})
}

/// As [`export_notice`], telling `progress` how far it is.
pub fn export_notice_reporting(
    store: &Store,
    quarter: Quarter,
    path: &Path,
    progress: Progress<'_>,
) -> Result<QuarterReport, FollowupError> {
    progress(0.0, "正在读取本季度的检查结果…");
    let report = load_report(store, quarter)?;
    let region = region_name(store)?;
    export::write_notice_reporting(&report, &region, path, &mut |share, what| {
        progress(0.4 + 0.6 * share, what);
    })
    .map_err(|source| FollowupError::Export {
        path: path.to_owned(),
        source,
    })?;
    store.log_action(
        "导出通报",
        &format!("{}：{}", quarter.label(), path.display()),
        chrono::Local::now().naive_local(),
    )?;
    Ok(report)
}

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
            s.push_str(&format!("，整改时限 {}", d.format("%Y年%m月%d日")));
        }
        s.push_str(&format!(
            "（新下发 {}，此前已下发 {}",
            self.counts.added, self.counts.kept
        ));
        if self.counts.withdrawn > 0 {
            s.push_str(&format!("，撤回已不存在的问题 {}", self.counts.withdrawn));
        }
        s.push_str("）。");
        if self.unfinished > 0 {
            s.push_str(&format!(
                "尚有 {} 个账号未完成检查，它们的问题要在检查完成后再次导出才会下发。",
                self.unfinished
            ));
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
) -> Result<Issued, FollowupError> {
    export_rectification_reporting(store, quarter, target, now, &mut |_, _| {})
}

/// As [`export_rectification`], telling `progress` how far it is.
pub fn export_rectification_reporting(
    store: &mut Store,
    quarter: Quarter,
    target: &SheetTarget,
    now: NaiveDateTime,
    progress: Progress<'_>,
) -> Result<Issued, FollowupError> {
    progress(0.0, "正在读取本季度的检查结果…");
    let report = load_report(store, quarter)?;
    progress(0.3, "正在下发整改问题…");
    let days = deadline_days(store)?;
    let region = region_name(store)?;
    let written = store.issue_rectifications(
        report.draw.id,
        &report.problems,
        now.date(),
        days,
        now,
        |rows| {
            let units = export::by_unit(rows);
            if units.is_empty() {
                return Err(FollowupError::NothingToRectify(quarter));
            }
            let open: Vec<&Rectification> = units.values().flatten().copied().collect();
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
                    &region,
                    quarter,
                    path,
                    &mut units_done,
                )
                .map(|()| vec![path.clone()]),
                SheetTarget::Folder(dir) => export::write_rectification_folder_reporting(
                    rows,
                    &region,
                    quarter,
                    dir,
                    &mut units_done,
                ),
            }
            .map_err(|source| FollowupError::Export {
                path: target.path().to_owned(),
                source,
            })?;
            Ok((
                open.len(),
                units.len(),
                files,
                open.iter().map(|r| r.deadline).max(),
            ))
        },
    )?;
    let (counts, (problems, units, files, deadline)) = written;
    store.log_action(
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
        deadline,
        unfinished: report.total.unfinished(),
    })
}

/// What importing the units' sheets did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FeedbackReport {
    /// Files read.
    pub files: Vec<String>,
    pub counts: AnswerCounts,
    /// Rows whose 整改情况 is still blank.
    pub unanswered: usize,
    /// Rows not taken, each with where it is and why.
    pub issues: Vec<RowIssue>,
    /// Files that could not be read at all, with why.
    pub unreadable: Vec<RowIssue>,
}

impl FeedbackReport {
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = format!(
            "已读取 {} 个文件：更新 {} 个问题的整改情况，{} 个与已有反馈相同",
            self.files.len(),
            self.counts.updated,
            self.counts.unchanged
        );
        if self.counts.already_closed > 0 {
            s.push_str(&format!(
                "，{} 个问题已复核关闭，未改动",
                self.counts.already_closed
            ));
        }
        if self.unanswered > 0 {
            s.push_str(&format!("，{} 行尚未填写整改情况", self.unanswered));
        }
        s.push('。');
        if !self.issues.is_empty() {
            s.push_str(&format!(
                "有 {} 行无法导入，请查看问题清单。",
                self.issues.len()
            ));
        }
        if !self.unreadable.is_empty() {
            s.push_str(&format!("有 {} 个文件无法读取。", self.unreadable.len()));
        }
        s
    }
}

/// Reads the filled-in sheets at `paths` and records every answer that matches an issued
/// problem, all in one transaction. A file that cannot be read is reported and skipped; rows
/// that cannot be matched are reported with their sheet and row.
pub fn import_feedback(
    store: &mut Store,
    paths: &[PathBuf],
    now: NaiveDateTime,
    progress: &mut dyn FnMut(usize),
) -> Result<FeedbackReport, FollowupError> {
    let known = store.all_rectifications()?;
    let mut report = FeedbackReport::default();
    let mut rows = Vec::new();
    for (n, path) in paths.iter().enumerate() {
        progress(n);
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match feedback::read_feedback(path) {
            Ok(found) => {
                rows.extend(found);
                report.files.push(name);
            }
            Err(e) => report.unreadable.push(RowIssue {
                place: name,
                message: e.to_string(),
            }),
        }
    }
    let matched = feedback::match_feedback(&rows, &known);
    report.unanswered = matched.unanswered;
    report.issues = matched.issues;
    if !matched.answers.is_empty() {
        report.counts = store.apply_answers(&matched.answers, &report.files.join("、"), now)?;
    }
    Ok(report)
}
