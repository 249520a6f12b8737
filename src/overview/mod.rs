//! 概况: a quarter at a glance — how far the checks are, what they found, where 整改 stands —
//! and how it compares with the quarters before.
//!
//! Pure: [`Overview::build`] takes the quarter's [`QuarterCounts`] (the notice's own figures,
//! so that every number here equals the notice's), earlier quarters reduced to
//! [`QuarterFigures`], and the problems issued, counted. `steps::overview` reads them from the
//! store.

mod trend;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::checklist::Verdict;
use crate::model::{InspectionStatus, ProblemCount, Quarter, Tally};
use crate::rectification::Status;
use crate::report::{ProblemKind, QuarterCounts};
pub use trend::{
    QuarterFigures, RegionAliases, RegionTrend, RepeatOffender, TrendPoint, current_region,
    names_of, points_change,
};

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
    /// Regions of the quarter before that this quarter has not (renamed, or gone), and the
    /// regions given a new name before: the names 地区更名 offers to match, by key, in pinyin
    /// order.
    pub earlier_regions: Vec<String>,
    /// Regions renamed since earlier quarters (old key → current key), as the user set them.
    pub aliases: RegionAliases,
}

impl Overview {
    /// What the quarter checks, as the notice says it: 抽查 N 个, or with 复查 among them,
    /// 共检查 N 个（随机抽查 D 个，另复查上季度不合格账号 R 个）.
    #[must_use]
    pub fn checked_words(&self) -> String {
        let t = &self.total;
        if t.rechecked > 0 {
            format!(
                "共检查 {} 个（随机抽查 {} 个，另复查上季度不合格账号 {} 个）",
                self.progress.drawn,
                t.drawn(),
                t.rechecked
            )
        } else {
            format!("抽查 {} 个", self.progress.drawn)
        }
    }

    /// `counts` are the quarter's figures; `history` holds earlier quarters (any order;
    /// quarters after `counts`' are ignored); `problems` counts the problems issued for the
    /// quarter; `aliases` names the current region of regions renamed since (old → new).
    #[must_use]
    pub fn build(
        counts: &QuarterCounts,
        history: &[QuarterFigures],
        problems: &[ProblemCount],
        aliases: &RegionAliases,
        today: NaiveDate,
    ) -> Self {
        let mut by_inspector: HashMap<&str, Progress> = HashMap::new();
        let mut by_region: HashMap<&str, Progress> = HashMap::new();
        let mut by_platform: HashMap<&str, Progress> = HashMap::new();
        let mut progress = Progress {
            name: "合计".to_owned(),
            ..Progress::default()
        };
        for a in &counts.accounts {
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
        let ordered = |rows: &[Tally], map: &mut HashMap<&str, Progress>| -> Vec<Progress> {
            rows.iter()
                .filter_map(|t| {
                    map.remove(t.key.as_str()).map(|p| Progress {
                        name: t.name.clone(),
                        ..p
                    })
                })
                .collect()
        };
        let regions: Vec<Tally> = counts
            .by_region
            .iter()
            .flat_map(|g| g.rows.iter().cloned())
            .collect();
        let platforms: Vec<Tally> = counts
            .by_platform
            .iter()
            .flat_map(|g| g.rows.iter().cloned())
            .collect();
        let progress_by_region = ordered(&regions, &mut by_region);
        let progress_by_platform = ordered(&platforms, &mut by_platform);

        let current = QuarterFigures::of(counts, problems, today);
        let mut earlier: Vec<QuarterFigures> = history
            .iter()
            .filter(|h| h.quarter < counts.quarter)
            .cloned()
            .collect();
        earlier.sort_by_key(|h| h.quarter);
        let region_trend = trend::region_trend(&current, earlier.last(), aliases);
        let repeat_offenders = trend::repeat_offenders(counts, &earlier);
        let mut trend: Vec<TrendPoint> = earlier.iter().map(TrendPoint::of).collect();
        trend.push(TrendPoint::of(&current));

        let earlier_regions = earlier_regions(
            earlier
                .last()
                .filter(|p| p.quarter == counts.quarter.previous()),
            &regions,
            aliases,
        );

        let problem_types = problem_types(counts);
        let problems_by_region = matrix(counts, &regions);
        Self {
            quarter: counts.quarter,
            today,
            progress,
            by_inspector: {
                let mut rows: Vec<Progress> = by_inspector.into_values().collect();
                rows.sort_by(|a, b| a.name.cmp(&b.name));
                rows
            },
            progress_by_region,
            progress_by_platform,
            total: counts.total.clone(),
            by_region: regions,
            by_platform: platforms,
            problem_types,
            problems_by_region,
            follow_up: follow_up(problems, today),
            trend,
            region_trend,
            repeat_offenders,
            earlier_regions,
            aliases: aliases.clone(),
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

/// The regions of the quarter before (`previous`) that this quarter (`regions`) has not, and
/// the regions given a new name before, in pinyin order: what 地区更名 offers to match.
fn earlier_regions(
    previous: Option<&QuarterFigures>,
    regions: &[Tally],
    aliases: &RegionAliases,
) -> Vec<String> {
    let keys: std::collections::HashSet<&str> = regions.iter().map(|t| t.key.as_str()).collect();
    let mut out: Vec<String> = previous
        .iter()
        .flat_map(|p| &p.regions)
        .map(|r| r.key.clone())
        .filter(|k| !keys.contains(k.as_str()))
        .chain(aliases.keys().cloned())
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    out.sort_by_cached_key(|k| crate::model::collate::pinyin_key(k));
    out
}

fn entry<'m, 'n>(map: &'m mut HashMap<&'n str, Progress>, name: &'n str) -> &'m mut Progress {
    map.entry(name).or_insert_with(|| Progress {
        name: name.to_owned(),
        ..Progress::default()
    })
}

/// The quarter's problems by type in the notice's order, with their share.
#[must_use]
pub fn problem_types(counts: &QuarterCounts) -> Vec<ProblemType> {
    let all: usize = counts.problems.iter().map(ProblemKind::count).sum();
    counts
        .problems
        .iter()
        .map(|k| ProblemType {
            category: k.category.clone(),
            veto: k.veto,
            count: k.count(),
            share: k.count() as f64 / all as f64,
        })
        .collect()
}

/// Problems by region (rows, in the tables' order, regions with problems only) and type.
fn matrix(counts: &QuarterCounts, regions: &[Tally]) -> Vec<(String, Vec<usize>)> {
    regions
        .iter()
        .map(|t| {
            let row: Vec<usize> = counts
                .problems
                .iter()
                .map(|k| k.by_region.get(&t.key).copied().unwrap_or(0))
                .collect();
            // Shown under the notice's names.
            (t.name.clone(), row)
        })
        .filter(|(_, row)| row.iter().any(|n| *n > 0))
        .collect()
}

fn follow_up(problems: &[ProblemCount], today: NaiveDate) -> FollowUp {
    let mut out = FollowUp::default();
    let mut overdue: BTreeMap<String, usize> = BTreeMap::new();
    for p in problems {
        let status = crate::rectification::standing(p.state, p.reply, p.deadline, p.carried, today);
        if let Some(n) = Status::ALL.iter().position(|s| *s == status) {
            out.counts[n] += p.problems;
        }
        if status == Status::Overdue {
            *overdue.entry(p.host_unit.trim().to_owned()).or_default() += p.problems;
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
