//! A quarter's results as the notice (通报) states them: counts and pass rates by 区县 and by
//! 平台, the problems grouped by type with the veto problems first, the 复查 of last quarter's
//! failures, and every sampled account with its verdict.
//!
//! Pure: [`QuarterReport::build`] takes what `steps::notice` reads from the store.

mod counts;
mod method;

pub use counts::{CountedCheck, ProblemKind, QuarterCounts, QuarterRead};
pub use method::{method_lines, published_method_lines};

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::checklist::{Answer, Checklist, ItemKind, Verdict};
use crate::model::Quarter;
use crate::model::{DrawInfo, DrawRecord, EvidenceKind, Inspection, InspectionStatus};
pub use crate::model::{
    PopulationCell, Tally, TallyGroup, group_platforms, group_regions, platform_of, region_of,
};

/// The verdict a quarter's figures count for a check: a finished check's, or 不合格 as soon as
/// a veto item is 不符合 (单项否决: the account fails whatever items are still open);
/// `None` while it is neither.
#[must_use]
pub fn counted_verdict(status: InspectionStatus, verdict: Option<Verdict>) -> Option<Verdict> {
    if status == InspectionStatus::Done || verdict == Some(Verdict::Fail) {
        verdict
    } else {
        None
    }
}

/// Counts one sampled account, of `verdict` as counted, into a row; `drawn`: picked by the
/// random draw (else checked only as 复查).
fn count(row: &mut Tally, verdict: Option<Verdict>, drawn: bool) {
    row.checked += 1;
    if !drawn {
        row.rechecked += 1;
    }
    match verdict {
        Some(Verdict::Pass) => row.passed += 1,
        Some(Verdict::Fail) => row.failed += 1,
        None => {}
    }
}

fn tally<'m, 'n>(map: &'m mut HashMap<&'n str, Tally>, name: &'n str) -> &'m mut Tally {
    map.entry(name).or_insert_with(|| Tally {
        name: name.to_owned(),
        key: name.to_owned(),
        ..Tally::default()
    })
}

/// The rows of `map` in the order of their names (as a `BTreeMap` would give them).
fn in_name_order(map: HashMap<&str, Tally>) -> Vec<Tally> {
    let mut rows: Vec<Tally> = map.into_values().collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// The 总体情况 tables of a quarter: the 合计 and the rows by region and by platform.
struct Tables {
    total: Tally,
    by_region: Vec<TallyGroup>,
    by_platform: Vec<TallyGroup>,
}

/// The tables from the accounts in operation at the draw (`population`) and each sampled
/// account's (region, platform, verdict as counted, picked by the random draw); `cities`
/// names, per region, the 地市 of the accounts counted under it (sampled, and left out of the
/// draw).
fn tables<'a>(
    population: &[PopulationCell],
    sampled: impl IntoIterator<Item = (&'a str, &'a str, Option<Verdict>, bool)>,
    cities: &HashMap<String, BTreeSet<String>>,
) -> Tables {
    let mut regions: HashMap<&str, Tally> = HashMap::new();
    let mut platforms: HashMap<&str, Tally> = HashMap::new();
    let mut total = Tally {
        name: "合计".to_owned(),
        ..Tally::default()
    };
    for cell in population {
        tally(&mut regions, &cell.region).accounts += cell.accounts;
        tally(&mut platforms, &cell.platform).accounts += cell.accounts;
        total.accounts += cell.accounts;
    }
    for (region, platform, verdict, drawn) in sampled {
        // Counted where the draw counted it, so that 抽查数 and 账号总数 agree.
        count(tally(&mut regions, region), verdict, drawn);
        count(tally(&mut platforms, platform), verdict, drawn);
        count(&mut total, verdict, drawn);
    }
    // Regions by 地市 and pinyin, platforms by kind in their usual order: never by code
    // point. A region's 地市 is that of the accounts counted under it.
    let by_region = group_regions(in_name_order(regions), |r| {
        let mut c: Vec<String> = cities.get(r).into_iter().flatten().cloned().collect();
        c.sort_by(|a, b| crate::model::collate::cmp_pinyin(a, b));
        c
    });
    Tables {
        total,
        by_region,
        by_platform: group_platforms(in_name_order(platforms)),
    }
}

/// A 不符合 item as the notice names and orders it, by the checklist of its check (`None`:
/// not in the database).
struct ItemProblem<'c> {
    item: Option<&'c crate::checklist::Item>,
    /// 问题类别: the checklist's wording, else the item's id.
    category: String,
    veto: bool,
    /// Its place in the checklist (veto items come first there); last where unknown.
    position: usize,
}

/// Where a problem stands in the notice's lists: veto problems first, each type in checklist
/// order, then by region, unit and name (and account, so that no two problems tie).
fn problem_order<'a>(
    veto: bool,
    position: usize,
    item: &'a str,
    (county, host_unit, name): (&'a str, &'a str, &'a str),
    account: i64,
) -> ProblemOrder<'a> {
    (!veto, position, item, county, host_unit, name, account)
}

type ProblemOrder<'a> = (bool, usize, &'a str, &'a str, &'a str, &'a str, i64);

fn item_problem<'c>(checklist: Option<&'c Checklist>, item: &str) -> ItemProblem<'c> {
    let found = checklist.and_then(|c| c.item(item));
    ItemProblem {
        item: found,
        category: found.map_or_else(|| item.to_owned(), |it| it.problem_text().to_owned()),
        veto: found.is_some_and(|it| it.kind == ItemKind::Veto),
        position: checklist
            .and_then(|c| c.items.iter().position(|it| it.id == item))
            .unwrap_or(usize::MAX),
    }
}

/// One sampled account and how its check ended.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountOutcome {
    pub account: i64,
    pub city: String,
    pub county: String,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
    pub account_id: String,
    /// The region and platform the draw counted it under (the rows of the 总体情况 tables).
    pub region: String,
    pub counted_platform: String,
    pub inspector: String,
    /// Picked by the random draw (else checked only as 复查).
    pub drawn: bool,
    /// 抽取, 复查, or both.
    pub kind: &'static str,
    pub status: InspectionStatus,
    /// Set once the check is finished.
    pub verdict: Option<Verdict>,
    /// Titles of the items found failing (finished checks only).
    pub problems: Vec<String>,
}

/// One failing finding of a finished check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub draw: i64,
    pub account: i64,
    pub city: String,
    pub county: String,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
    pub account_id: String,
    pub item: String,
    /// The problem as notices print it, e.g. 监测时间点前2周内无更新 (the item's title where
    /// the checklist gives no wording).
    pub category: String,
    /// What the unit is asked to do (the item's remedy; empty: the general requirement).
    pub remedy: String,
    pub veto: bool,
    pub note: String,
    pub last_update: Option<NaiveDate>,
    /// 最长更新间隔 in days, where the checklist's rule is the longest gap.
    pub longest_gap: Option<u32>,
    pub links: Vec<String>,
    pub screenshots: usize,
    /// The account's verdict is 不合格.
    pub account_failed: bool,
}

impl Problem {
    /// The description a unit reads: the note, then the last update date (or the longest gap)
    /// and the evidence.
    #[must_use]
    pub fn description(&self) -> String {
        let mut parts = vec![self.note.trim().to_owned()];
        if let Some(d) = self.last_update {
            parts.push(format!("最后更新日期：{}", crate::model::time::day_text(d)));
        }
        if let Some(gap) = self.longest_gap {
            parts.push(format!("最长更新间隔：{gap} 天"));
        }
        if !self.links.is_empty() {
            parts.push(format!("证据链接：{}", self.links.join(" ")));
        }
        if self.screenshots > 0 {
            parts.push(format!("截图 {} 张", self.screenshots));
        }
        parts.retain(|p| !p.is_empty());
        parts.join("；")
    }
}

/// A run of problems of one type, as the notice lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemGroup<'a> {
    pub category: &'a str,
    pub veto: bool,
    pub problems: Vec<&'a Problem>,
}

/// An account re-checked because it failed last quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct RecheckOutcome {
    /// The account's id in the database.
    pub account: i64,
    pub county: String,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
    /// What it failed on last quarter.
    pub previous: Vec<String>,
    pub verdict: Option<Verdict>,
    /// When still 不合格: for how many quarters running, this one included (2 at least: it
    /// failed last quarter too).
    pub consecutive: usize,
}

impl RecheckOutcome {
    /// 已整改，复查合格 / 仍不合格（连续 N 个季度不合格） / 尚未完成复查.
    #[must_use]
    pub fn outcome(&self) -> String {
        match self.verdict {
            Some(Verdict::Pass) => "已整改，复查合格".to_owned(),
            Some(Verdict::Fail) => format!("仍不合格（连续 {} 个季度不合格）", self.consecutive),
            None => "尚未完成复查".to_owned(),
        }
    }
}

/// `now − before` in 百分点, rounded to one decimal as notices state it.
#[must_use]
pub fn points_change(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    let (now, before) = (now?, before?);
    Some(((now - before) * 1000.0).round() / 10.0)
}

/// 合格率 (0–1) of earlier quarters, to state the change in 百分点.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EarlierRates {
    pub last_quarter: Option<f64>,
    pub last_year: Option<f64>,
}

impl EarlierRates {
    /// 「比上季度提高3.4个百分点、比去年同期下降1.2个百分点」 for a pass rate of `now`; empty
    /// when there is nothing to compare with.
    #[must_use]
    pub fn sentence(&self, now: Option<f64>) -> String {
        let part = |label: &str, before: Option<f64>| {
            let change = points_change(now, before)?;
            Some(if change.abs() < 0.05 {
                format!("与{label}持平")
            } else if change > 0.0 {
                format!("比{label}提高{change:.1}个百分点")
            } else {
                format!("比{label}下降{:.1}个百分点", -change)
            })
        };
        [
            part("上季度", self.last_quarter),
            part("去年同期", self.last_year),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("，")
    }
}

/// Everything the notice of a quarter states.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterReport {
    pub quarter: Quarter,
    pub draw: DrawInfo,
    /// How the sample was drawn, as a published notice says it (no fingerprint, algorithm or
    /// names: those are in the 抽查名单).
    pub method: Vec<String>,
    /// The first and last day of checking.
    pub check_period: Option<(NaiveDate, NaiveDate)>,
    pub total: Tally,
    /// 区县 by 地市 (city-level accounts as 某某市（市直）).
    pub by_region: Vec<TallyGroup>,
    /// Platforms by kind (微信: 公众号, 视频号, 小程序; 微博; 抖音…).
    pub by_platform: Vec<TallyGroup>,
    /// Every sampled account, in the order of the 抽查名单 (strata by pinyin).
    pub accounts: Vec<AccountOutcome>,
    /// Veto problems first, each type in checklist order, then by region, unit and name.
    pub problems: Vec<Problem>,
    pub rechecks: Vec<RecheckOutcome>,
    /// 合格率 of the quarter before and of the same quarter a year before, where those
    /// quarters were drawn and have finished checks (the notice states the change).
    pub earlier_rates: EarlierRates,
    /// The problems issued for last quarter's draw (整改), for the notice to open with where
    /// they stand; empty where none were issued.
    pub previous_problems: Vec<crate::model::Rectification>,
    /// Where the operation log stood when the report was read (kept in the exported file's
    /// properties, for `log verify --against`; not printed).
    pub log: Option<crate::model::LogHead>,
}

impl QuarterReport {
    /// Builds the report. `population` counts the accounts in operation at the draw;
    /// `previous` names, per account, what it failed on last quarter.
    #[must_use]
    #[allow(clippy::too_many_lines)] // one report, built from the draw top to bottom
    pub fn build(
        draw: &DrawRecord,
        inspections: &[Inspection],
        checklists: &[Checklist],
        population: &[PopulationCell],
        previous: &HashMap<i64, Vec<String>>,
        check_days: &HashMap<i64, (NaiveDate, NaiveDate)>,
    ) -> Self {
        let by_account: HashMap<i64, &Inspection> =
            inspections.iter().map(|i| (i.account, i)).collect();
        let checklist_of = |i: &Inspection| {
            checklists
                .iter()
                .find(|c| c.id == i.checklist_id && c.version == i.checklist_version)
        };
        let mut accounts = Vec::with_capacity(draw.accounts.len());
        let mut problems = Vec::new();
        let mut period: Option<(NaiveDate, NaiveDate)> = None;
        for d in &draw.accounts {
            let a = &d.account.account;
            let ins = by_account.get(&d.account.id).copied();
            // A finished check counts; so does one with a veto item 不符合 (单项否决: the
            // account is 不合格 whatever the items still open).
            let counted = ins.filter(|i| counted_verdict(i.status, i.verdict).is_some());
            let verdict = counted.and_then(|i| i.verdict);
            let mut titles = Vec::new();
            if let Some(i) = counted {
                let checklist = checklist_of(i);
                // 检查时间: the days its findings (all of them, passing ones too) say they were
                // checked on; only a check that dates none falls back to the days it was
                // worked on.
                let (first, last) = check_days.get(&i.id).copied().unwrap_or_else(|| {
                    let first = i.started_at.date();
                    (first, i.finished_at.map_or(first, |t| t.date()))
                });
                period = Some(period.map_or((first, last), |(f, l)| (f.min(first), l.max(last))));
                for s in &i.findings {
                    let f = &s.finding;
                    if f.answer != Some(Answer::Fail) {
                        continue;
                    }
                    let ItemProblem {
                        item,
                        category,
                        veto,
                        position,
                    } = item_problem(checklist, &f.item);
                    let remedy = item.map(|it| it.remedy.clone()).unwrap_or_default();
                    let title = item.map_or_else(|| f.item.clone(), |it| it.title.clone());
                    titles.push((position, title));
                    let evidence = i.evidence.iter().filter(|e| e.item == f.item);
                    let mut links = Vec::new();
                    let mut screenshots = 0;
                    for e in evidence {
                        match &e.kind {
                            EvidenceKind::Url(u) => links.push(u.clone()),
                            EvidenceKind::File { .. } => screenshots += 1,
                        }
                    }
                    problems.push(Problem {
                        draw: draw.info.id,
                        account: d.account.id,
                        city: a.city.clone(),
                        county: a.county.clone(),
                        host_unit: a.host_unit.clone(),
                        name: a.name.clone(),
                        platform: a.platform.clone(),
                        account_id: a.account_id.clone(),
                        item: f.item.clone(),
                        category,
                        remedy,
                        veto,
                        note: f.note.clone(),
                        last_update: f.last_update,
                        longest_gap: f.longest_gap,
                        links,
                        screenshots,
                        account_failed: verdict == Some(Verdict::Fail),
                    });
                }
            }
            let (region, counted_platform) = d
                .counted_as
                .clone()
                .unwrap_or_else(|| (region_of(a), platform_of(a)));
            accounts.push(AccountOutcome {
                account: d.account.id,
                region,
                counted_platform,
                city: a.city.clone(),
                county: a.county.clone(),
                host_unit: a.host_unit.clone(),
                name: a.name.clone(),
                platform: a.platform.clone(),
                account_id: a.account_id.clone(),
                inspector: d
                    .inspector
                    .clone()
                    .or_else(|| ins.map(|i| i.inspector.clone()))
                    .unwrap_or_default(),
                drawn: d.drawn,
                kind: match (d.drawn, d.recheck) {
                    (true, true) => "抽取、复查",
                    (false, true) => "复查",
                    _ => "抽取",
                },
                status: ins.map_or(InspectionStatus::NotStarted, |i| i.status),
                verdict,
                problems: {
                    // In checklist order: veto items come first there.
                    titles.sort();
                    titles.into_iter().map(|(_, t)| t).collect()
                },
            });
        }
        // Item order: the checklist's, where known.
        let position = |p: &Problem| {
            item_problem(
                by_account.get(&p.account).and_then(|i| checklist_of(i)),
                &p.item,
            )
            .position
        };
        let positions: Vec<usize> = problems.iter().map(position).collect();
        let mut order: Vec<usize> = (0..problems.len()).collect();
        order.sort_by_key(|&n| {
            let p = &problems[n];
            problem_order(
                p.veto,
                positions[n],
                &p.item,
                (&p.county, &p.host_unit, &p.name),
                p.account,
            )
        });
        let mut slots: Vec<Option<Problem>> = problems.into_iter().map(Some).collect();
        let problems: Vec<Problem> = order.into_iter().filter_map(|n| slots[n].take()).collect();

        let mut rechecks: Vec<RecheckOutcome> = draw
            .accounts
            .iter()
            .zip(&accounts)
            .filter(|(d, _)| d.recheck)
            .map(|(d, o)| RecheckOutcome {
                // A 地市's own accounts as the tables name them: 某某市（市直）.
                county: {
                    let a = &d.account.account;
                    let region = region_of(a);
                    if !a.city.trim().is_empty() && region == a.city.trim() {
                        format!("{region}（市直）")
                    } else {
                        region
                    }
                },
                host_unit: o.host_unit.clone(),
                name: o.name.clone(),
                platform: o.platform.clone(),
                previous: previous.get(&d.account.id).cloned().unwrap_or_default(),
                verdict: o.verdict,
                account: d.account.id,
                consecutive: if o.verdict == Some(Verdict::Fail) {
                    2
                } else {
                    0
                },
            })
            .collect();
        // By region, then unit and account, in pinyin order.
        rechecks.sort_by_cached_key(|r| {
            (
                crate::model::collate::pinyin_key(&r.county),
                crate::model::collate::pinyin_key(&r.host_unit),
                crate::model::collate::pinyin_key(&r.name),
            )
        });

        let mut cities: HashMap<String, BTreeSet<String>> = HashMap::new();
        for d in &draw.accounts {
            let a = &d.account.account;
            let region = d
                .counted_as
                .as_ref()
                .map_or_else(|| region_of(a), |(r, _)| r.clone());
            cities.entry(region).or_default().insert(a.city.clone());
        }
        for s in &draw.excluded {
            cities
                .entry(region_of(&s.account))
                .or_default()
                .insert(s.account.city.clone());
        }
        let Tables {
            total,
            by_region,
            by_platform,
        } = tables(
            population,
            accounts.iter().map(|o| {
                (
                    o.region.as_str(),
                    o.counted_platform.as_str(),
                    o.verdict,
                    o.drawn,
                )
            }),
            &cities,
        );
        // Listed as the 抽查名单 lists them: strata by pinyin, each in draw order.
        let mut slots: Vec<Option<AccountOutcome>> = accounts.into_iter().map(Some).collect();
        let accounts = draw
            .accounts_shown()
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take))
            .collect();
        Self {
            quarter: draw.info.quarter,
            draw: draw.info.clone(),
            method: published_method_lines(draw),
            check_period: period,
            total,
            by_region,
            by_platform,
            accounts,
            problems,
            rechecks,
            earlier_rates: EarlierRates::default(),
            previous_problems: Vec::new(),
            log: None,
        }
    }

    /// Accounts found 不合格 again on their 复查: account → quarters running, this one included
    /// (2 at least). The notice marks them where it names them.
    #[must_use]
    pub fn repeat_failures(&self) -> HashMap<i64, usize> {
        self.rechecks
            .iter()
            .filter(|r| r.verdict == Some(Verdict::Fail) && r.consecutive >= 2)
            .map(|r| (r.account, r.consecutive))
            .collect()
    }

    /// Problems of accounts found 不合格 (`failed`), or of accounts that passed, in runs of one
    /// type each.
    #[must_use]
    pub fn groups(&self, failed: bool) -> Vec<ProblemGroup<'_>> {
        let mut out: Vec<ProblemGroup<'_>> = Vec::new();
        for p in self.problems.iter().filter(|p| p.account_failed == failed) {
            match out.last_mut() {
                Some(g) if g.category == p.category && g.veto == p.veto => g.problems.push(p),
                _ => out.push(ProblemGroup {
                    category: &p.category,
                    veto: p.veto,
                    problems: vec![p],
                }),
            }
        }
        out
    }
}
