//! 概况: a quarter at a glance — how far the checks are, what they found, where 整改 stands —
//! and how it compares with the quarters before.
//!
//! Pure: [`Overview::build`] takes the quarter's [`QuarterReport`] (the notice's own figures,
//! so that every number here equals the notice's), the reports of earlier quarters reduced to
//! [`QuarterFigures`], and the problems issued. `steps::overview` reads them from the store.

mod trend;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::checklist::Verdict;
use crate::model::{InspectionStatus, Quarter, Rectification, Tally};
use crate::rectification::Status;
use crate::report::QuarterReport;
pub use trend::{QuarterFigures, RegionTrend, RepeatOffender, TrendPoint, points_change};

/// How far the checks of one group (an inspector, a region, a platform, all) are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub name: String,
    pub drawn: usize,
    pub assigned: usize,
    pub started: usize,
    pub finished: usize,
}

impl Progress {
    /// Checks not finished yet.
    #[must_use]
    pub fn left(&self) -> usize {
        self.drawn - self.finished
    }
}

/// One problem type: how many problems of it were found, and its share of all problems.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemType {
    pub category: String,
    pub veto: bool,
    pub count: usize,
    /// 占比: of all problems found in the quarter (0–1).
    pub share: f64,
}

/// Where the quarter's 整改 stands on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUp {
    /// Problems by status, in [`Status::ALL`] order.
    pub counts: [usize; Status::ALL.len()],
    /// Units with problems 逾期未反馈, by name, with how many (most first).
    pub overdue_units: Vec<(String, usize)>,
    /// The nearest deadline still ahead of problems not answered, and the days to it.
    pub next_deadline: Option<(NaiveDate, i64)>,
}

impl FollowUp {
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        Status::ALL
            .iter()
            .position(|s| *s == status)
            .map_or(0, |n| self.counts[n])
    }

    #[must_use]
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// Everything the 概况 screen, `overview --json` and the 统计分析 workbook show of a quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub quarter: Quarter,
    /// The day statuses such as 逾期 are judged on.
    pub today: NaiveDate,
    pub progress: Progress,
    pub by_inspector: Vec<Progress>,
    pub progress_by_region: Vec<Progress>,
    pub progress_by_platform: Vec<Progress>,
    /// The notice's figures: 抽查数 counts every sampled account, 合格/不合格 only checks that
    /// are finished (or failed a veto item); `total.unfinished()` says how many are not.
    pub total: Tally,
    pub by_region: Vec<Tally>,
    pub by_platform: Vec<Tally>,
    /// Veto types first, each in checklist order (the notice's order).
    pub problem_types: Vec<ProblemType>,
    /// Problems by region (rows, in `by_region` order, regions with problems only) and type
    /// (columns, in `problem_types` order).
    pub problems_by_region: Vec<(String, Vec<usize>)>,
    pub follow_up: FollowUp,
    /// The quarters in the database up to this one, oldest first.
    pub trend: Vec<TrendPoint>,
    pub region_trend: Vec<RegionTrend>,
    pub repeat_offenders: Vec<RepeatOffender>,
}

impl Overview {
    /// `history` holds earlier quarters (any order; quarters after `report`'s are ignored);
    /// `problems` the problems issued for this quarter; `all_problems` every problem issued
    /// (for 按期反馈率 by quarter).
    #[must_use]
    pub fn build(
        report: &QuarterReport,
        history: &[QuarterFigures],
        problems: &[Rectification],
        all_problems: &[Rectification],
        today: NaiveDate,
    ) -> Self {
        let mut by_inspector: BTreeMap<String, Progress> = BTreeMap::new();
        let mut by_region: BTreeMap<String, Progress> = BTreeMap::new();
        let mut by_platform: BTreeMap<String, Progress> = BTreeMap::new();
        let mut progress = Progress {
            name: "合计".to_owned(),
            ..Progress::default()
        };
        for a in &report.accounts {
            let inspector = if a.inspector.trim().is_empty() {
                "（未分配）"
            } else {
                a.inspector.trim()
            };
            for row in [
                entry(&mut by_inspector, inspector),
                entry(&mut by_region, &a.region),
                entry(&mut by_platform, &a.counted_platform),
                &mut progress,
            ] {
                row.drawn += 1;
                if !a.inspector.trim().is_empty() {
                    row.assigned += 1;
                }
                if a.status != InspectionStatus::NotStarted {
                    row.started += 1;
                }
                if a.status == InspectionStatus::Done {
                    row.finished += 1;
                }
            }
        }
        // Regions and platforms in the notice's order, under the notice's names.
        let ordered = |rows: &[Tally], map: &mut BTreeMap<String, Progress>| -> Vec<Progress> {
            rows.iter()
                .filter_map(|t| {
                    map.remove(&t.key).map(|p| Progress {
                        name: t.name.clone(),
                        ..p
                    })
                })
                .collect()
        };
        let regions: Vec<Tally> = report
            .by_region
            .iter()
            .flat_map(|g| g.rows.iter().cloned())
            .collect();
        let platforms: Vec<Tally> = report
            .by_platform
            .iter()
            .flat_map(|g| g.rows.iter().cloned())
            .collect();
        let progress_by_region = ordered(&regions, &mut by_region);
        let progress_by_platform = ordered(&platforms, &mut by_platform);

        let current = QuarterFigures::of(report, all_problems, today);
        let mut earlier: Vec<QuarterFigures> = history
            .iter()
            .filter(|h| h.quarter < report.quarter)
            .cloned()
            .collect();
        earlier.sort_by_key(|h| h.quarter);
        let region_trend = trend::region_trend(&current, earlier.last());
        let repeat_offenders = trend::repeat_offenders(report, &earlier);
        let mut trend: Vec<TrendPoint> = earlier.iter().map(TrendPoint::of).collect();
        trend.push(TrendPoint::of(&current));

        let problem_types = problem_types(report);
        let problems_by_region = matrix(report, &regions, &problem_types);
        Self {
            quarter: report.quarter,
            today,
            progress,
            by_inspector: by_inspector.into_values().collect(),
            progress_by_region,
            progress_by_platform,
            total: report.total.clone(),
            by_region: regions,
            by_platform: platforms,
            problem_types,
            problems_by_region,
            follow_up: follow_up(problems, today),
            trend,
            region_trend,
            repeat_offenders,
        }
    }

    /// 合格率 of the quarter before and of the same quarter a year before, where those have
    /// finished checks (the notice's comparison).
    #[must_use]
    pub fn earlier_rates(&self) -> crate::report::EarlierRates {
        let rate_of = |q: Quarter| {
            self.trend
                .iter()
                .find(|t| t.quarter == q)
                .and_then(|t| t.rate)
        };
        crate::report::EarlierRates {
            last_quarter: rate_of(self.quarter.previous()),
            last_year: Quarter::new(self.quarter.year() - 1, self.quarter.number())
                .and_then(rate_of),
        }
    }

    /// The pass rate's change against the quarter before and against the same quarter a year
    /// before, in 百分点.
    #[must_use]
    pub fn changes(&self) -> (Option<f64>, Option<f64>) {
        let now = self.total.pass_rate();
        let earlier = self.earlier_rates();
        (
            points_change(now, earlier.last_quarter),
            points_change(now, earlier.last_year),
        )
    }
}

fn entry<'m>(map: &'m mut BTreeMap<String, Progress>, name: &str) -> &'m mut Progress {
    map.entry(name.to_owned()).or_insert_with(|| Progress {
        name: name.to_owned(),
        ..Progress::default()
    })
}

/// The quarter's problems by type in the notice's order, with their share.
#[must_use]
pub fn problem_types(report: &QuarterReport) -> Vec<ProblemType> {
    let mut out: Vec<ProblemType> = Vec::new();
    for p in &report.problems {
        match out
            .iter_mut()
            .find(|t| t.category == p.category && t.veto == p.veto)
        {
            Some(t) => t.count += 1,
            None => out.push(ProblemType {
                category: p.category.clone(),
                veto: p.veto,
                count: 1,
                share: 0.0,
            }),
        }
    }
    let all = report.problems.len();
    for t in &mut out {
        t.share = t.count as f64 / all as f64;
    }
    out
}

fn matrix(
    report: &QuarterReport,
    regions: &[Tally],
    types: &[ProblemType],
) -> Vec<(String, Vec<usize>)> {
    let region_of: std::collections::HashMap<i64, &str> = report
        .accounts
        .iter()
        .map(|a| (a.account, a.region.as_str()))
        .collect();
    let mut rows: Vec<(String, Vec<usize>)> = regions
        .iter()
        .map(|t| (t.key.clone(), vec![0; types.len()]))
        .collect();
    for p in &report.problems {
        let Some(column) = types
            .iter()
            .position(|t| t.category == p.category && t.veto == p.veto)
        else {
            continue;
        };
        let region = region_of.get(&p.account).copied().unwrap_or_default();
        if let Some(row) = rows.iter_mut().find(|(name, _)| name == region) {
            row.1[column] += 1;
        }
    }
    rows.retain(|(_, counts)| counts.iter().any(|n| *n > 0));
    // Shown under the notice's names.
    for (key, _) in &mut rows {
        if let Some(t) = regions.iter().find(|t| &t.key == key) {
            key.clone_from(&t.name);
        }
    }
    rows
}

fn follow_up(problems: &[Rectification], today: NaiveDate) -> FollowUp {
    let mut out = FollowUp::default();
    let mut overdue: BTreeMap<String, usize> = BTreeMap::new();
    for p in problems {
        let status = p.status(today);
        if let Some(n) = Status::ALL.iter().position(|s| *s == status) {
            out.counts[n] += 1;
        }
        if status == Status::Overdue {
            *overdue.entry(p.host_unit.trim().to_owned()).or_default() += 1;
        }
        if status == Status::Pending && p.deadline >= today {
            let days = (p.deadline - today).num_days();
            if out.next_deadline.is_none_or(|(d, _)| p.deadline < d) {
                out.next_deadline = Some((p.deadline, days));
            }
        }
    }
    let mut units: Vec<(String, usize)> = overdue.into_iter().collect();
    units.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| crate::model::collate::cmp_pinyin(&a.0, &b.0))
    });
    out.overdue_units = units;
    out
}

/// Whether an account's outcome is 不合格 (the notice's rule).
pub(crate) fn failed(verdict: Option<Verdict>) -> bool {
    verdict == Some(Verdict::Fail)
}
