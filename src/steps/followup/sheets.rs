//! The rectification sheets: exporting them issues the quarter's problems (new ones with
//! their deadline), as [`crate::rectification::plan`] decides, in the same transaction as the
//! files are written, so that a file that cannot be written issues nothing.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use super::{FollowupError, Progress, deadline_days, load_report, log_action, region_name};
use crate::export;
use crate::model::time::DAY;
use crate::model::{Quarter, Rectification};
use crate::rectification::plan::{self, IssueCounts, Sent, Step};
use crate::rectification::{add_working_days, requirement};
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
                detail.push_str(&format!("；撤回已不存在的问题 {} 个", counts.withdrawn));
            }
            tx.append_log(now, &actor, "下发整改", &detail)?;
        }
        let rows = tx.rectifications(draw)?;
        let written = write_sheets(&rows, &region, quarter, target, progress)?;
        Ok::<_, FollowupError>((counts, written))
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
) -> Result<IssueCounts, FollowupError> {
    let sent = tx
        .sent_problems(draw)?
        .into_iter()
        .map(|(key, (id, untouched))| (key, Sent { id, untouched }))
        .collect();
    let steps = plan::plan(draw, problems, &sent);
    for step in &steps {
        match *step {
            Step::Issue(p) => {
                let mut description = p.description();
                let quarter = tx.draw_quarter(draw)?;
                let n = super::recheck::consecutive_quarters(tx, p.account, &p.item, quarter)?;
                if n > 1 {
                    description =
                        format!("连续 {n} 个季度存在此问题（复查仍不合格）。{description}");
                }
                tx.insert_rectification(draw, &new_problem(p, &description), issued_on, deadline)?;
            }
            Step::Refresh(id, p) => {
                let description = p.description();
                tx.refresh_rectification(id, &new_problem(p, &description))?;
            }
            Step::Keep(_) => {}
            Step::Withdraw(id) => tx.withdraw_rectification(id)?,
        }
    }
    Ok(plan::counts(&steps))
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
    target: &SheetTarget,
    progress: Progress<'_>,
) -> Result<(usize, usize, Vec<PathBuf>, Option<NaiveDate>), FollowupError> {
    let units = export::by_unit(rows);
    if units.is_empty() {
        return Err(FollowupError::NothingToRectify(quarter));
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
        SheetTarget::Book(path) => {
            export::write_rectification_book_reporting(rows, region, quarter, path, &mut units_done)
                .map(|()| vec![path.clone()])
        }
        SheetTarget::Folder(dir) => export::write_rectification_folder_reporting(
            rows,
            region,
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
}
