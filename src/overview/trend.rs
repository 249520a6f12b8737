//! How a quarter compares with the ones before: the pass rate over the quarters, each region
//! against last quarter in 百分点, accounts failing quarter after quarter, and how many
//! problems were answered by their deadline.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;

use super::failed;
use crate::checklist::Verdict;
use crate::model::{DrawnOutcome, Quarter, Rectification, Tally};
pub use crate::report::points_change;
use crate::report::{QuarterReport, counted_verdict};

/// What the trend needs of one quarter's report.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterFigures {
    pub quarter: Quarter,
    pub total: Tally,
    /// The 区县 (or other strata) rows of the notice.
    pub regions: Vec<Tally>,
    /// Accounts counted 不合格.
    pub failed: HashSet<i64>,
    /// Problems issued in the quarter answered by their deadline, of those due (answered, or
    /// past their deadline).
    pub on_time: (usize, usize),
}

impl QuarterFigures {
    /// `problems` may hold problems of every quarter: those of `report`'s quarter are counted.
    #[must_use]
    pub fn of(report: &QuarterReport, problems: &[Rectification], today: NaiveDate) -> Self {
        Self {
            quarter: report.quarter,
            total: report.total.clone(),
            regions: report
                .by_region
                .iter()
                .flat_map(|g| g.rows.iter().cloned())
                .collect(),
            failed: report
                .accounts
                .iter()
                .filter(|a| failed(a.verdict))
                .map(|a| a.account)
                .collect(),
            on_time: on_time(report.quarter, problems, today),
        }
    }

    /// The same from each sampled account's outcome alone (the notice's counting rule,
    /// [`counted_verdict`]), for earlier quarters: regions by their key, no 账号总数.
    #[must_use]
    pub fn from_outcomes(
        quarter: Quarter,
        outcomes: &[DrawnOutcome],
        problems: &[Rectification],
        today: NaiveDate,
    ) -> Self {
        let mut total = Tally {
            name: "合计".to_owned(),
            ..Tally::default()
        };
        let mut regions: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut failed_accounts = HashSet::new();
        for o in outcomes {
            let verdict = counted_verdict(o.status, o.verdict);
            let region = regions.entry(&o.region).or_insert_with(|| Tally {
                name: o.region.clone(),
                key: o.region.clone(),
                ..Tally::default()
            });
            for t in [&mut total, region] {
                t.checked += 1;
                match verdict {
                    Some(Verdict::Pass) => t.passed += 1,
                    Some(Verdict::Fail) => t.failed += 1,
                    None => {}
                }
            }
            if failed(verdict) {
                failed_accounts.insert(o.account);
            }
        }
        Self {
            quarter,
            total,
            regions: regions.into_values().collect(),
            failed: failed_accounts,
            on_time: on_time(quarter, problems, today),
        }
    }
}

/// Problems issued in `quarter` answered by their deadline, of those due (answered, or past
/// their deadline on `today`).
fn on_time(quarter: Quarter, problems: &[Rectification], today: NaiveDate) -> (usize, usize) {
    let mut out = (0, 0);
    for p in problems.iter().filter(|p| p.quarter == quarter) {
        let replied = p.replied_at.map(|t| t.date());
        if replied.is_some() || today > p.deadline {
            out.1 += 1;
            if replied.is_some_and(|d| d <= p.deadline) {
                out.0 += 1;
            }
        }
    }
    out
}

/// One quarter on the trend line.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub quarter: Quarter,
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
    /// 合格率 (0–1) over the finished checks.
    pub rate: Option<f64>,
    /// 按期反馈率 (0–1) of the problems issued that quarter.
    pub on_time_rate: Option<f64>,
}

impl TrendPoint {
    #[must_use]
    pub fn of(f: &QuarterFigures) -> Self {
        Self {
            quarter: f.quarter,
            checked: f.total.checked,
            passed: f.total.passed,
            failed: f.total.failed,
            rate: f.total.pass_rate(),
            on_time_rate: (f.on_time.1 > 0).then(|| f.on_time.0 as f64 / f.on_time.1 as f64),
        }
    }
}

/// One region this quarter against last quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionTrend {
    pub name: String,
    /// The region as counted (see [`Tally::key`]).
    pub key: String,
    pub passed: usize,
    pub failed: usize,
    pub rate: Option<f64>,
    pub previous: Option<f64>,
    /// In 百分点.
    pub change: Option<f64>,
}

/// An account 不合格 this quarter and in the quarters right before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatOffender {
    pub account: i64,
    pub region: String,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
    /// 连续 N 个季度 (2 at least).
    pub quarters: usize,
}

pub(super) fn region_trend(
    current: &QuarterFigures,
    previous: Option<&QuarterFigures>,
) -> Vec<RegionTrend> {
    let previous = previous.filter(|p| p.quarter == current.quarter.previous());
    current
        .regions
        .iter()
        .map(|t| {
            let before = previous
                .and_then(|p| p.regions.iter().find(|r| r.key == t.key))
                .and_then(Tally::pass_rate);
            RegionTrend {
                name: t.name.clone(),
                key: t.key.clone(),
                passed: t.passed,
                failed: t.failed,
                rate: t.pass_rate(),
                previous: before,
                change: points_change(t.pass_rate(), before),
            }
        })
        .collect()
}

/// Accounts 不合格 now and in the quarter before (and before that…), longest runs first.
pub(super) fn repeat_offenders(
    report: &QuarterReport,
    earlier: &[QuarterFigures],
) -> Vec<RepeatOffender> {
    let mut out: Vec<RepeatOffender> = report
        .accounts
        .iter()
        .filter(|a| failed(a.verdict))
        .filter_map(|a| {
            let mut quarters = 1;
            let mut q = report.quarter.previous();
            while earlier
                .iter()
                .any(|f| f.quarter == q && f.failed.contains(&a.account))
            {
                quarters += 1;
                q = q.previous();
            }
            (quarters >= 2).then(|| RepeatOffender {
                account: a.account,
                region: a.region.clone(),
                host_unit: a.host_unit.clone(),
                name: a.name.clone(),
                platform: a.platform.clone(),
                quarters,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.quarters
            .cmp(&a.quarters)
            .then_with(|| crate::model::collate::cmp_pinyin(&a.region, &b.region))
            .then_with(|| crate::model::collate::cmp_pinyin(&a.host_unit, &b.host_unit))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::points_change;

    #[test]
    fn changes_are_in_points_to_one_decimal() {
        assert_eq!(points_change(Some(0.9), Some(0.866)), Some(3.4));
        assert_eq!(points_change(Some(0.8), Some(0.85)), Some(-5.0));
        assert_eq!(points_change(None, Some(0.8)), None);
        assert_eq!(points_change(Some(0.8), None), None);
    }
}
