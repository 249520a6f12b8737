//! 概况: reads a quarter and the quarters before it into an [`Overview`], and writes the
//! 统计分析 workbook for leadership.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::action::{Action, Ctx, Job};
use super::log_action;
use super::notice::{PublishError, report_alone};
use crate::model::Quarter;
use crate::overview::{Overview, QuarterFigures};
use crate::store::Store;

/// How many quarters before the one shown the trend reaches back (two years).
pub const TREND_QUARTERS: usize = 8;

/// The overview of `quarter` on `today`: its report (the notice's figures), its problems,
/// and up to [`TREND_QUARTERS`] drawn quarters before it.
pub fn load_overview(
    store: &Store,
    quarter: Quarter,
    today: NaiveDate,
) -> Result<Overview, PublishError> {
    // Each quarter's report is read once: the comparisons come from the history.
    let report = report_alone(store, quarter)?;
    let all_problems = store.all_rectifications()?;
    let problems: Vec<_> = all_problems
        .iter()
        .filter(|p| p.draw == report.draw.id)
        .cloned()
        .collect();
    let earlier: Vec<Quarter> = store
        .drawn_quarters()?
        .into_iter()
        .filter(|q| *q < quarter)
        .collect();
    let mut history = Vec::new();
    // Earlier quarters from each account's outcome alone: the trend needs no more.
    for q in earlier.iter().rev().take(TREND_QUARTERS).rev() {
        if let Some(draw) = store.current_draw_info(*q)? {
            let outcomes = store.draw_outcomes(draw.id)?;
            history.push(QuarterFigures::from_outcomes(
                *q,
                &outcomes,
                &all_problems,
                today,
            ));
        }
    }
    Ok(Overview::build(
        &report,
        &history,
        &problems,
        &all_problems,
        today,
    ))
}

/// 导出统计分析: the quarter's figures and trend as a workbook with charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportStats {
    pub quarter: Quarter,
    pub path: PathBuf,
}

impl Action for ExportStats {
    type Done = ();
    type Error = PublishError;
    const JOB: Job = Job::Export;
    const RUNNING: Option<&'static str> = Some("正在导出统计分析…");

    fn output_folder(&self) -> Option<PathBuf> {
        super::action::folder_of(&self.path)
    }

    fn run(&self, ctx: &mut Ctx<'_>) -> Result<(), PublishError> {
        let overview = load_overview(ctx.store, self.quarter, ctx.at.date())?;
        let region = super::admin::region_name(ctx.store)?;
        crate::export::write_stats(&overview, &region, &self.path).map_err(|source| {
            PublishError::Export {
                path: self.path.clone(),
                source,
            }
        })?;
        log_action(
            ctx.store,
            "导出统计分析",
            &format!("{}：{}", self.quarter.label(), self.path.display()),
            ctx.at,
        )?;
        Ok(())
    }

    fn report(&self, (): &()) -> Option<String> {
        Some(format!(
            "{}统计分析已保存：{}",
            self.quarter.label(),
            self.path.display()
        ))
    }
}
