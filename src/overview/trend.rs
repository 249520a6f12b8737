//! How a quarter compares with the ones before: the pass rate over the quarters, each region
//! against last quarter in 百分点, accounts failing quarter after quarter, and how many
//! problems were answered by their deadline.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::failed;
use crate::model::{AnswerCount, IdSet, Place, ProblemCount, Quarter, RegionCount, Tally};
use crate::report::QuarterCounts;
pub use crate::report::points_change;

/// What the trend needs of one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterFigures {
    pub quarter: Quarter,
    pub total: Tally,
    /// The 区县 (or other strata) rows of the notice, by their keys; empty for quarters
    /// counted as a whole only (the trend compares regions with the quarter right before).
    pub regions: Vec<Tally>,
    /// Accounts counted 不合格.
    pub failed: IdSet,
    /// Problems issued in the quarter answered by their deadline, of those due (answered, or
    /// past their deadline).
    pub on_time: (usize, usize),
}

impl QuarterFigures {
    /// The quarter shown; `problems` counts its problems.
    #[must_use]
    pub fn of(counts: &QuarterCounts, problems: &[ProblemCount], today: NaiveDate) -> Self {
        let answers: Vec<AnswerCount> = problems.iter().map(AnswerCount::from).collect();
        Self {
            quarter: counts.quarter,
            total: counts.total.clone(),
            regions: counts
                .by_region
                .iter()
                .flat_map(|g| g.rows.iter().cloned())
                .collect(),
            failed: counts
                .accounts
                .iter()
                .filter(|a| failed(a.verdict))
                .map(|a| a.account)
                .collect(),
            on_time: on_time(&answers, today),
        }
    }

    /// An earlier quarter from its counts by region (`by_region`: the regions are kept only
    /// when `regions`), the accounts it counts 不合格, and its problems by deadline and answer.
    /// Counts of accounts whose draw recorded no region go in the total only.
    #[must_use]
    pub fn from_counts(
        quarter: Quarter,
        by_region: &[RegionCount],
        regions: bool,
        failed: IdSet,
        answers: &[AnswerCount],
        today: NaiveDate,
    ) -> Self {
        let mut total = Tally {
            name: "合计".to_owned(),
            ..Tally::default()
        };
        let mut rows: BTreeMap<String, Tally> = BTreeMap::new();
        for c in by_region {
            let counts = Tally {
                checked: c.sampled,
                passed: c.passed,
                failed: c.failed,
                ..Tally::default()
            };
            total.add(&counts);
            if let (true, Some(key)) = (regions, &c.region) {
                rows.entry(key.clone())
                    .or_insert_with(|| Tally {
                        name: key.clone(),
                        key: key.clone(),
                        ..Tally::default()
                    })
                    .add(&counts);
            }
        }
        Self {
            quarter,
            total,
            regions: rows.into_values().collect(),
            failed,
            on_time: on_time(answers, today),
        }
    }

    /// The quarter right before the one shown, by region: its sampled accounts by place, and
    /// those the notice counts 合格 and 不合格.
    #[must_use]
    pub fn by_region(
        quarter: Quarter,
        places: &[(Place, Vec<i64>)],
        passed: &IdSet,
        failed: IdSet,
        answers: &[AnswerCount],
        today: NaiveDate,
    ) -> Self {
        let mut total = Tally {
            name: "合计".to_owned(),
            ..Tally::default()
        };
        let mut regions: BTreeMap<String, Tally> = BTreeMap::new();
        for (place, accounts) in places {
            let key = place.region();
            let region = regions.entry(key.clone()).or_insert_with(|| Tally {
                name: key.clone(),
                key,
                ..Tally::default()
            });
            for a in accounts {
                region.checked += 1;
                if failed.contains(a) {
                    region.failed += 1;
                } else if passed.contains(a) {
                    region.passed += 1;
                }
            }
        }
        for r in regions.values() {
            total.add(r);
        }
        Self {
            quarter,
            total,
            regions: regions.into_values().collect(),
            failed,
            on_time: on_time(answers, today),
        }
    }
}

/// Problems answered by their deadline, of those due (answered, or past their deadline on
/// `today`).
fn on_time(answers: &[AnswerCount], today: NaiveDate) -> (usize, usize) {
    let mut out = (0, 0);
    for p in answers {
        if p.replied_on.is_some() || today > p.deadline {
            out.1 += p.problems;
            if p.replied_on.is_some_and(|d| d <= p.deadline) {
                out.0 += p.problems;
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

/// Regions renamed since earlier quarters: an old region key → the key it has now (edited by
/// the user on 概况; a region of algorithm version 1's strata named by its 区县 alone maps to
/// the 地市 and 区县 of version 2 the same way).
pub type RegionAliases = BTreeMap<String, String>;

/// The names region `key` went by, from `key` to the one it has now: each followed through
/// `aliases` (a region renamed twice is followed to its last name; a loop stops before it
/// would repeat a name).
#[must_use]
pub fn names_of<'a>(aliases: &'a RegionAliases, key: &'a str) -> Vec<&'a str> {
    let mut names = vec![key];
    while let Some(next) = names.last().and_then(|n| aliases.get(*n)) {
        if names.contains(&next.as_str()) {
            break;
        }
        names.push(next);
    }
    names
}

/// The name region `key` has now (see [`names_of`]).
#[must_use]
pub fn current_region<'a>(aliases: &'a RegionAliases, key: &'a str) -> &'a str {
    names_of(aliases, key).last().copied().unwrap_or(key)
}

/// Each region of `current` against the quarter right before, the regions of that quarter
/// taken under their current names (`aliases`) first: a renamed region is one region.
pub(super) fn region_trend(
    current: &QuarterFigures,
    previous: Option<&QuarterFigures>,
    aliases: &RegionAliases,
) -> Vec<RegionTrend> {
    let previous = previous.filter(|p| p.quarter == current.quarter.previous());
    let mut before: BTreeMap<&str, Tally> = BTreeMap::new();
    for r in previous.iter().flat_map(|p| &p.regions) {
        before
            .entry(current_region(aliases, &r.key))
            .or_default()
            .add(r);
    }
    current
        .regions
        .iter()
        .map(|t| {
            let before = before.get(t.key.as_str()).and_then(Tally::pass_rate);
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
    counts: &QuarterCounts,
    earlier: &[QuarterFigures],
) -> Vec<RepeatOffender> {
    let mut out: Vec<RepeatOffender> = counts
        .accounts
        .iter()
        .filter(|a| failed(a.verdict))
        .filter_map(|a| {
            let mut quarters = 1;
            let mut q = counts.quarter.previous();
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
    // Longest runs first, then by region and unit in pinyin order (each name placed once:
    // thousands of accounts share a few hundred units), then in the roster's order.
    let mut names: Vec<&str> = out
        .iter()
        .flat_map(|r| [r.region.as_str(), r.host_unit.as_str()])
        .collect();
    names.sort_unstable();
    names.dedup();
    names.sort_by_cached_key(|n| (crate::model::collate::pinyin_key(n), *n));
    let rank: HashMap<String, usize> = names
        .into_iter()
        .enumerate()
        .map(|(n, name)| (name.to_owned(), n))
        .collect();
    out.sort_by_cached_key(|r| {
        (
            std::cmp::Reverse(r.quarters),
            rank.get(&r.region).copied(),
            rank.get(&r.host_unit).copied(),
            r.account,
        )
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
