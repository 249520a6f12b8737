//! 概况: reads a quarter and the quarters before it into an [`Overview`], and writes the
//! 统计分析 workbook for leadership.

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};

use super::action::{Action, Ctx, Job};
use super::draw::{DrawError, draw_population};
use super::log_action;
use super::notice::PublishError;
use crate::checklist::Checklist;
use crate::model::{DrawInfo, Quarter};
use crate::overview::{Overview, QuarterFigures};
use crate::rectification::Status;
use crate::report::{QuarterCounts, QuarterRead};
use crate::store::{Store, StoreError};

/// How many quarters before the one shown the trend reaches back (two years).
pub const TREND_QUARTERS: usize = 8;

/// The overview of `quarter` on `today`: its figures as the notice counts them, its problems,
/// and up to [`TREND_QUARTERS`] drawn quarters before it.
///
/// Read lean: each sampled account's check without its findings' texts, and earlier quarters
/// counted by where their checks stand (by region only for the quarter right before, the only
/// one the trend compares by region), never account by account.
pub fn load_overview(
    store: &Store,
    quarter: Quarter,
    today: NaiveDate,
) -> Result<Overview, PublishError> {
    let draw = store
        .current_draw_info(quarter)?
        .ok_or(DrawError::NoDraw(quarter))?;
    let counts = quarter_counts(store, &draw)?;
    let mut problems = Vec::new();
    for p in store.problem_counts(draw.id)? {
        // 逾期未反馈的单位 are named: the units of those problems only are read.
        let status = crate::rectification::standing(p.state, p.reply, p.deadline, p.carried, today);
        if status == Status::Overdue {
            problems.extend(store.problem_units(&p)?);
        } else {
            problems.push(p);
        }
    }
    let earlier: Vec<Quarter> = store
        .drawn_quarters()?
        .into_iter()
        .filter(|q| *q < quarter)
        .collect();
    let mut history = Vec::new();
    for q in earlier.iter().rev().take(TREND_QUARTERS).rev() {
        if let Some(draw) = store.current_draw_info(*q)? {
            let failed = store.failed_accounts(draw.id)?;
            let answers = store.answer_counts(draw.id)?;
            let counts = store.region_counts(draw.id)?;
            // Regions are compared with the quarter right before only; a draw that recorded
            // no regions is counted there by its accounts' 地市 and 区县.
            let by_region = *q == quarter.previous();
            history.push(if by_region && counts.iter().any(|c| c.region.is_none()) {
                QuarterFigures::by_region(
                    *q,
                    &store.drawn_places(draw.id)?,
                    &store.passed_accounts(draw.id)?,
                    failed,
                    &answers,
                    today,
                )
            } else {
                QuarterFigures::from_counts(*q, &counts, by_region, failed, &answers, today)
            });
        }
    }
    let aliases = store.region_aliases()?;
    Ok(Overview::build(
        &counts, &history, &problems, &aliases, today,
    ))
}

/// The figures of `draw` as its notice counts them, read lean (see [`QuarterCounts::build`]).
pub fn quarter_counts(store: &Store, draw: &DrawInfo) -> Result<QuarterCounts, StoreError> {
    let failing = store.failing_items(draw.id)?;
    let mut checklists: Vec<Checklist> = Vec::new();
    for (id, version) in &failing.checklists {
        // A checklist the database lacks is left out, as the notice leaves it.
        checklists.extend(store.checklist(id, version)?);
    }
    Ok(QuarterCounts::build(
        draw,
        store.sampled_accounts(draw.id)?,
        QuarterRead {
            checks: &store.check_states(draw.id)?,
            population: &draw_population(store, draw.id)?,
            excluded: &store.excluded_places(draw.id)?,
            failing: &failing,
            checklists: &checklists,
        },
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

/// Why a region's new name was not recorded. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum AliasError {
    #[error("地区名称不能为空。")]
    Blank,
    #[error("“{0}”的旧名和新名相同，不需要对应。")]
    Same(String),
    #[error(
        "“{new}”已经对应到“{old}”（或经过其他更名对应到它），不能再把“{old}”对应到“{new}”：两个名称会互相对应。"
    )]
    Cycle { old: String, new: String },
    #[error("“{0}”没有设过更名对应，不需要取消。")]
    NotSet(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// 地区更名: the region earlier quarters call `old` is called `new` now, so that the trend
/// compares it with itself; `new: None` forgets what `old` was said to be called. Logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetRegionAlias {
    pub old: String,
    pub new: Option<String>,
}

impl Action for SetRegionAlias {
    type Done = ();
    type Error = AliasError;
    const JOB: Job = Job::Overview;
    const UNCHANGED_ON_FAILURE: bool = true;

    fn run(&self, ctx: &mut Ctx<'_>) -> Result<(), AliasError> {
        set_region_alias(ctx.store, &self.old, self.new.as_deref(), ctx.at)
    }

    fn report(&self, (): &()) -> Option<String> {
        let old = self.old.trim();
        Some(match &self.new {
            Some(new) => format!(
                "已将“{old}”对应到“{}”：历季趋势把它们算作同一个地区。",
                new.trim()
            ),
            None => format!("已取消“{old}”的更名对应。"),
        })
    }
}

/// Records (or with `new: None` forgets) that region `old` is called `new` now; logged.
pub fn set_region_alias(
    store: &mut Store,
    old: &str,
    new: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), AliasError> {
    let old = old.trim();
    if old.is_empty() {
        return Err(AliasError::Blank);
    }
    let actor = super::actor(store)?;
    match new.map(str::trim) {
        Some("") => Err(AliasError::Blank),
        Some(new) if new == old => Err(AliasError::Same(old.to_owned())),
        Some(new) => {
            let aliases = store.region_aliases()?;
            if crate::overview::names_of(&aliases, new).contains(&old) {
                return Err(AliasError::Cycle {
                    old: old.to_owned(),
                    new: new.to_owned(),
                });
            }
            store.transaction(|tx| {
                tx.set_region_alias(old, new, &actor, at)?;
                tx.append_log(
                    at,
                    &actor,
                    "地区更名",
                    &format!("{old} 现称 {new}（历季趋势按同一地区比较）"),
                )?;
                Ok(())
            })
        }
        None => store.transaction(|tx| {
            if !tx.remove_region_alias(old)? {
                return Err(AliasError::NotSet(old.to_owned()));
            }
            tx.append_log(at, &actor, "取消地区更名", old)?;
            Ok(())
        }),
    }
}
