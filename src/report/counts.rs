//! A quarter's figures as the notice counts them, without the notice's texts: what 概况 shows
//! of the quarter it opens on. [`QuarterCounts::of`] takes them from the notice's report;
//! [`QuarterCounts::build`] counts them, lean, from each sampled account's check and the items
//! found 不符合, with the same rules ([`counted_verdict`], the notice's tables and order of
//! problems), so that both give the same figures.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{QuarterReport, Tables, counted_verdict, item_problem, problem_order, tables};
use crate::checklist::{Checklist, Verdict};
use crate::model::{
    CheckState, DrawInfo, FailingItems, IdMap, InspectionStatus, PopulationCell, Quarter,
    SampledAccount, Tally, TallyGroup, platform_counted, region_counted,
};

/// One sampled account as the quarter's figures count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedCheck {
    pub account: i64,
    /// The region and platform it is counted under.
    pub region: String,
    pub counted_platform: String,
    /// Who checks it; empty when nobody does yet.
    pub inspector: String,
    /// Picked by the random draw (else checked only as 复查).
    pub drawn: bool,
    pub status: InspectionStatus,
    /// As the notice counts it ([`counted_verdict`]).
    pub verdict: Option<Verdict>,
    pub county: String,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
}

/// One type of problem (问题类别) of the quarter and where its problems were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemKind {
    pub category: String,
    pub veto: bool,
    /// Problems of this type by region (the region keys of the tables).
    pub by_region: BTreeMap<String, usize>,
}

impl ProblemKind {
    /// How many problems of this type were found.
    #[must_use]
    pub fn count(&self) -> usize {
        self.by_region.values().sum()
    }
}

/// What the notice counts of a quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterCounts {
    pub quarter: Quarter,
    /// The draw counted.
    pub draw: i64,
    pub total: Tally,
    pub by_region: Vec<TallyGroup>,
    pub by_platform: Vec<TallyGroup>,
    /// Every sampled account, in no particular order.
    pub accounts: Vec<CountedCheck>,
    /// The types of problems found, in the notice's order: veto types first, each in
    /// checklist order.
    pub problems: Vec<ProblemKind>,
}

impl QuarterCounts {
    /// The figures of the notice's report.
    #[must_use]
    pub fn of(report: &QuarterReport) -> Self {
        let accounts: Vec<CountedCheck> = report
            .accounts
            .iter()
            .map(|a| CountedCheck {
                account: a.account,
                region: a.region.clone(),
                counted_platform: a.counted_platform.clone(),
                inspector: a.inspector.clone(),
                drawn: a.drawn,
                status: a.status,
                verdict: a.verdict,
                county: a.county.clone(),
                host_unit: a.host_unit.clone(),
                name: a.name.clone(),
                platform: a.platform.clone(),
            })
            .collect();
        let region_of: HashMap<i64, &str> = accounts
            .iter()
            .map(|a| (a.account, a.region.as_str()))
            .collect();
        let mut problems: Vec<ProblemKind> = Vec::new();
        // The report lists problems in the notice's order: each type where it first appears.
        for p in &report.problems {
            let found = problems
                .iter()
                .position(|k| k.category == p.category && k.veto == p.veto);
            let at = found.unwrap_or_else(|| {
                problems.push(ProblemKind {
                    category: p.category.clone(),
                    veto: p.veto,
                    by_region: BTreeMap::new(),
                });
                problems.len() - 1
            });
            let region = region_of.get(&p.account).copied().unwrap_or_default();
            *problems[at].by_region.entry(region.to_owned()).or_default() += 1;
        }
        Self {
            quarter: report.quarter,
            draw: report.draw.id,
            total: report.total.clone(),
            by_region: report.by_region.clone(),
            by_platform: report.by_platform.clone(),
            accounts,
            problems,
        }
    }

    /// Counts the quarter of `draw` from its sampled `accounts`, their checks (an account
    /// without one is not started), the accounts in operation at the draw (`population`), the
    /// 地市 and 区县 of the accounts left out of it (`excluded`), the items found 不符合 and the
    /// checklists of the checks.
    #[must_use]
    pub fn build(draw: &DrawInfo, accounts: Vec<SampledAccount>, read: QuarterRead<'_>) -> Self {
        let mut cities: HashMap<String, BTreeSet<String>> = HashMap::new();
        let accounts: Vec<CountedCheck> = accounts
            .into_iter()
            .map(|a| {
                let (region, counted_platform) = a.counted_as.unwrap_or_else(|| {
                    (
                        region_counted(&a.city, &a.county),
                        platform_counted(&a.platform, &a.extra),
                    )
                });
                if !cities.get(&region).is_some_and(|s| s.contains(&a.city)) {
                    cities.entry(region.clone()).or_default().insert(a.city);
                }
                let check = read.checks.get(&a.account);
                let (status, verdict) = check.map_or((InspectionStatus::NotStarted, None), |c| {
                    (c.status, c.verdict)
                });
                CountedCheck {
                    account: a.account,
                    region,
                    counted_platform,
                    inspector: a
                        .assigned
                        .or_else(|| check.map(|c| c.inspector.clone()))
                        .unwrap_or_default(),
                    drawn: a.drawn,
                    status,
                    verdict: counted_verdict(status, verdict),
                    county: a.county,
                    host_unit: a.host_unit,
                    name: a.name,
                    platform: a.platform,
                }
            })
            .collect();
        for (city, county) in read.excluded {
            cities
                .entry(region_counted(city, county))
                .or_default()
                .insert(city.clone());
        }
        let Tables {
            total,
            by_region,
            by_platform,
        } = tables(
            read.population,
            accounts.iter().map(|a| {
                (
                    a.region.as_str(),
                    a.counted_platform.as_str(),
                    a.verdict,
                    a.drawn,
                )
            }),
            &cities,
        );
        Self {
            quarter: draw.quarter,
            draw: draw.id,
            total,
            by_region,
            by_platform,
            problems: kinds(&accounts, read.failing, read.checklists),
            accounts,
        }
    }
}

/// What [`QuarterCounts::build`] counts from, as the store reads it.
#[derive(Debug, Clone, Copy)]
pub struct QuarterRead<'a> {
    /// The started checks, by account.
    pub checks: &'a IdMap<CheckState>,
    pub population: &'a [PopulationCell],
    pub excluded: &'a [(String, String)],
    pub failing: &'a FailingItems,
    pub checklists: &'a [Checklist],
}

/// The problems of the counted checks by type, in the notice's order: each type where the
/// notice's sorted list of problems first has it.
fn kinds(
    accounts: &[CountedCheck],
    failing: &FailingItems,
    checklists: &[Checklist],
) -> Vec<ProblemKind> {
    let index: IdMap<&CountedCheck> = accounts.iter().map(|a| (a.account, a)).collect();
    let mut kinds: Vec<(Option<super::ProblemOrder<'_>>, ProblemKind)> = Vec::new();
    // What each (checklist, item) is, found once: its type, whether veto, its place.
    let mut known: HashMap<(usize, usize), (usize, bool, usize)> = HashMap::new();
    for &(account, c, i) in &failing.found {
        let Some(&a) = index.get(&account) else {
            continue;
        };
        // Only the checks the notice counts list their problems.
        if a.verdict.is_none() {
            continue;
        }
        let item = failing.items[i].as_str();
        let (kind, veto, position) = *known.entry((c, i)).or_insert_with(|| {
            let (id, version) = &failing.checklists[c];
            let checklist = checklists
                .iter()
                .find(|k| &k.id == id && &k.version == version);
            let p = item_problem(checklist, item);
            let found = kinds
                .iter()
                .position(|(_, k)| k.category == p.category && k.veto == p.veto);
            let kind = found.unwrap_or_else(|| {
                kinds.push((
                    None,
                    ProblemKind {
                        category: p.category,
                        veto: p.veto,
                        by_region: BTreeMap::new(),
                    },
                ));
                kinds.len() - 1
            });
            (kind, p.veto, p.position)
        });
        let order = problem_order(
            veto,
            position,
            item,
            (&a.county, &a.host_unit, &a.name),
            a.account,
        );
        let (first, k) = &mut kinds[kind];
        if first.is_none_or(|f| order < f) {
            *first = Some(order);
        }
        match k.by_region.get_mut(&a.region) {
            Some(n) => *n += 1,
            None => {
                k.by_region.insert(a.region.clone(), 1);
            }
        }
    }
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    kinds.into_iter().map(|(_, k)| k).collect()
}
