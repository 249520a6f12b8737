//! `overview`: the quarter at a glance, as text or JSON.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use super::{now, perform, print_json};
use crate::model::{Quarter, Tally};
use crate::overview::{Overview, Progress};
use crate::rectification::Status;
use crate::steps::action::Action;
use crate::store::Store;

#[derive(Serialize)]
struct ProgressJson<'a> {
    name: &'a str,
    drawn: usize,
    assigned: usize,
    started: usize,
    finished: usize,
    left: usize,
}

impl<'a> From<&'a Progress> for ProgressJson<'a> {
    fn from(p: &'a Progress) -> Self {
        Self {
            name: &p.name,
            drawn: p.drawn,
            assigned: p.assigned,
            started: p.started,
            finished: p.finished,
            left: p.left(),
        }
    }
}

#[derive(Serialize)]
struct TallyJson<'a> {
    name: &'a str,
    /// The region or platform as counted, stable across quarters.
    key: &'a str,
    accounts: usize,
    checked: usize,
    passed: usize,
    failed: usize,
    unfinished: usize,
    pass_rate: Option<f64>,
}

/// A region's row: its figures, last quarter's rate and the change in 百分点.
#[derive(Serialize)]
struct RegionJson<'a> {
    #[serde(flatten)]
    tally: TallyJson<'a>,
    previous_rate: Option<f64>,
    change_points: Option<f64>,
}

fn tally(t: &Tally) -> TallyJson<'_> {
    TallyJson {
        name: &t.name,
        key: &t.key,
        accounts: t.accounts,
        checked: t.checked,
        passed: t.passed,
        failed: t.failed,
        unfinished: t.unfinished(),
        pass_rate: t.pass_rate(),
    }
}

#[derive(Serialize)]
struct ProblemTypeJson<'a> {
    category: &'a str,
    veto: bool,
    count: usize,
    share: f64,
}

#[derive(Serialize)]
struct FollowUpJson<'a> {
    pending: usize,
    replied: usize,
    overdue: usize,
    not_fixed: usize,
    closed: usize,
    rejected: usize,
    /// Found again by the next 复查 and carried into its problem.
    carried: usize,
    overdue_units: Vec<UnitJson<'a>>,
    next_deadline: Option<String>,
    days_to_next_deadline: Option<i64>,
}

#[derive(Serialize)]
struct UnitJson<'a> {
    unit: &'a str,
    overdue: usize,
}

#[derive(Serialize)]
struct TrendJson {
    quarter: String,
    checked: usize,
    passed: usize,
    failed: usize,
    pass_rate: Option<f64>,
    on_time_rate: Option<f64>,
}

#[derive(Serialize)]
struct RepeatJson<'a> {
    region: &'a str,
    host_unit: &'a str,
    name: &'a str,
    platform: &'a str,
    quarters: usize,
}

#[derive(Serialize)]
struct OverviewJson<'a> {
    quarter: String,
    today: String,
    progress: ProgressJson<'a>,
    by_inspector: Vec<ProgressJson<'a>>,
    progress_by_region: Vec<ProgressJson<'a>>,
    progress_by_platform: Vec<ProgressJson<'a>>,
    total: TallyJson<'a>,
    by_region: Vec<RegionJson<'a>>,
    by_platform: Vec<TallyJson<'a>>,
    change_vs_last_quarter: Option<f64>,
    change_vs_last_year: Option<f64>,
    problem_types: Vec<ProblemTypeJson<'a>>,
    rectification: FollowUpJson<'a>,
    trend: Vec<TrendJson>,
    repeat_offenders: Vec<RepeatJson<'a>>,
    /// 地区更名: regions of earlier quarters matched with their current names.
    region_aliases: Vec<AliasJson<'a>>,
    /// Regions of the quarter before that this one has not (or that were renamed).
    earlier_regions: &'a [String],
}

#[derive(Serialize)]
struct AliasJson<'a> {
    old: &'a str,
    new: &'a str,
}

fn to_json(o: &Overview) -> OverviewJson<'_> {
    let f = &o.follow_up;
    let (last_quarter, last_year) = o.changes();
    OverviewJson {
        quarter: o.quarter.to_string(),
        today: o.today.to_string(),
        progress: (&o.progress).into(),
        by_inspector: o.by_inspector.iter().map(Into::into).collect(),
        progress_by_region: o.progress_by_region.iter().map(Into::into).collect(),
        progress_by_platform: o.progress_by_platform.iter().map(Into::into).collect(),
        total: tally(&o.total),
        by_region: o
            .by_region
            .iter()
            .map(|t| {
                let trend = o.region_trend.iter().find(|r| r.key == t.key);
                RegionJson {
                    tally: tally(t),
                    previous_rate: trend.and_then(|r| r.previous),
                    change_points: trend.and_then(|r| r.change),
                }
            })
            .collect(),
        by_platform: o.by_platform.iter().map(tally).collect(),
        change_vs_last_quarter: last_quarter,
        change_vs_last_year: last_year,
        problem_types: o
            .problem_types
            .iter()
            .map(|t| ProblemTypeJson {
                category: &t.category,
                veto: t.veto,
                count: t.count,
                share: t.share,
            })
            .collect(),
        rectification: FollowUpJson {
            pending: f.count(Status::Pending),
            replied: f.count(Status::Replied),
            overdue: f.count(Status::Overdue),
            not_fixed: f.count(Status::NotFixed),
            closed: f.count(Status::Closed),
            rejected: f.count(Status::Rejected),
            carried: f.count(Status::Carried),
            overdue_units: f
                .overdue_units
                .iter()
                .map(|(unit, overdue)| UnitJson {
                    unit,
                    overdue: *overdue,
                })
                .collect(),
            next_deadline: f.next_deadline.map(|(d, _)| d.to_string()),
            days_to_next_deadline: f.next_deadline.map(|(_, n)| n),
        },
        trend: o
            .trend
            .iter()
            .map(|t| TrendJson {
                quarter: t.quarter.to_string(),
                checked: t.checked,
                passed: t.passed,
                failed: t.failed,
                pass_rate: t.rate,
                on_time_rate: t.on_time_rate,
            })
            .collect(),
        repeat_offenders: o
            .repeat_offenders
            .iter()
            .map(|r| RepeatJson {
                region: &r.region,
                host_unit: &r.host_unit,
                name: &r.name,
                platform: &r.platform,
                quarters: r.quarters,
            })
            .collect(),
        region_aliases: o
            .aliases
            .iter()
            .map(|(old, new)| AliasJson { old, new })
            .collect(),
        earlier_regions: &o.earlier_regions,
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.2}%", r * 100.0))
}

/// Prints the overview of `quarter` (the latest drawn quarter when not given).
pub(super) fn overview(
    store: &Store,
    quarter: Option<Quarter>,
    json: bool,
) -> Result<ExitCode, String> {
    let quarter = match quarter {
        Some(q) => q,
        None => store
            .latest_drawn_quarter()
            .map_err(|e| e.to_string())?
            .ok_or("还没有抽样，没有可以查看的季度。请先在“抽样”中抽取一个季度。")?,
    };
    let o = crate::steps::overview::load_overview(store, quarter, now().date())
        .map_err(|e| e.to_string())?;
    if json {
        return print_json(&to_json(&o)).map(|()| ExitCode::SUCCESS);
    }
    let p = &o.progress;
    println!(
        "{}：{}，已分配 {} 个，已开始 {} 个，已完成 {} 个，还剩 {} 个。",
        o.quarter.label(),
        o.checked_words(),
        p.assigned,
        p.started,
        p.finished,
        p.left()
    );
    let t = &o.total;
    let mut line = format!(
        "合格 {} 个，不合格 {} 个，合格率 {}",
        t.passed,
        t.failed,
        percent(t.pass_rate())
    );
    let change = o.earlier_rates().sentence(t.pass_rate());
    if !change.is_empty() {
        line.push('，');
        line.push_str(&change);
    }
    if t.unfinished() > 0 {
        let _ = write!(line, "（{} 个未完成的检查未计入）", t.unfinished());
    }
    println!("{line}。");
    for pt in &o.problem_types {
        println!(
            "  {}{}：{} 个，占 {:.1}%",
            pt.category,
            if pt.veto { "（单项否决）" } else { "" },
            pt.count,
            pt.share * 100.0
        );
    }
    let f = &o.follow_up;
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|s| format!("{} {}", s.label(), f.count(*s)))
        .collect();
    println!("整改：{}。", counts.join("，"));
    if !f.overdue_units.is_empty() {
        let units: Vec<String> = f
            .overdue_units
            .iter()
            .map(|(u, n)| format!("{u}（{n} 个）"))
            .collect();
        println!("逾期未反馈的单位：{}。", units.join("、"));
    }
    for r in &o.repeat_offenders {
        println!(
            "连续 {} 个季度不合格：{} {}（{}）",
            r.quarters, r.host_unit, r.name, r.platform
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What `overview` does besides showing a quarter.
#[derive(Debug, clap::Subcommand)]
pub enum OverviewAction {
    /// 地区更名：把之前季度的地区名称对应到现在的名称，历季趋势按同一地区比较（加 --remove 取消）
    Alias {
        /// 之前季度用的地区名称，例如 示例市东城区
        old: String,
        /// 现在的地区名称，例如 示例市东湖区
        #[arg(required_unless_present = "remove")]
        new: Option<String>,
        /// 取消这个名称的更名对应
        #[arg(long, conflicts_with = "new")]
        remove: bool,
    },
}

/// `overview alias 旧名 新名` / `overview alias --remove 旧名`.
pub(super) fn alias(store: &mut Store, action: &OverviewAction) -> Result<ExitCode, String> {
    let OverviewAction::Alias { old, new, remove } = action;
    let action = crate::steps::overview::SetRegionAlias {
        old: old.clone(),
        new: if *remove { None } else { new.clone() },
    };
    perform(store, &action)?;
    println!("{}", action.report(&()).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}
