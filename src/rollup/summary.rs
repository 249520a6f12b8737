//! The per-reporter table of a quarter: each reporter's numbers from its package in force, its
//! change against last quarter, whether everything verified, whether it is missing, and every
//! reason found (Chinese), with the totals for the level.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{ReportNumbers, ReportStatus, Reporter, StoredReport};
use crate::sampling::verify::key_label;

/// The flag of an expected reporter without any package.
pub const MISSING: &str = "未上报";

/// One reporter's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupRow {
    pub reporter: String,
    pub population: usize,
    pub sampled: usize,
    /// 抽查比例 (sampled / population).
    pub ratio: Option<f64>,
    pub passed: usize,
    pub failed: usize,
    pub unfinished: usize,
    /// 合格率 among the finished checks.
    pub pass_rate: Option<f64>,
    /// Change of the pass rate against last quarter, in percentage points.
    pub pass_rate_change: Option<f64>,
    /// 按期反馈率 of its 整改 problems due (none due: `None`).
    pub on_time_rate: Option<f64>,
    /// An accepted package whose every check passed.
    pub verified: bool,
    /// No accepted package for the quarter.
    pub missing: bool,
    pub flags: Vec<String>,
    /// The notice's date as reported.
    pub notice_date: Option<String>,
    /// The package in force (its id), if any.
    pub package_id: Option<String>,
    #[serde(skip)]
    pub numbers: ReportNumbers,
}

/// Accounts listed by more than one reporter: (key, reporters).
pub type Duplicates = [(String, Vec<String>)];

/// The table for a quarter: a row per registered reporter that is expected or sent anything,
/// and per unregistered sender, in pinyin order; `previous` are last quarter's packages.
#[must_use]
pub fn rows(
    reporters: &[Reporter],
    reports: &[StoredReport],
    previous: &[StoredReport],
    duplicates: &Duplicates,
) -> Vec<RollupRow> {
    let mut names: BTreeSet<&str> = reporters
        .iter()
        .filter(|r| r.expected)
        .map(|r| r.name.as_str())
        .collect();
    names.extend(reports.iter().map(|r| r.reporter.as_str()));
    // In pinyin order, as an office sorts its cities.
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_by_cached_key(|n| crate::model::collate::pinyin_key(n));
    names
        .into_iter()
        .map(|name| row(name, reports, previous, duplicates))
        .collect()
}

fn in_force<'a>(reports: &'a [StoredReport], name: &str) -> Option<&'a StoredReport> {
    reports
        .iter()
        .find(|r| r.reporter == name && r.status == ReportStatus::Accepted)
}

fn row(
    name: &str,
    reports: &[StoredReport],
    previous: &[StoredReport],
    duplicates: &Duplicates,
) -> RollupRow {
    let current = in_force(reports, name);
    let mut flags = Vec::new();
    let mut verified = false;
    let numbers = current.map(|r| r.numbers.clone()).unwrap_or_default();
    if let Some(r) = current {
        flags.extend(r.reasons.iter().cloned());
        verified = r.verified;
        // Refused after the package in force: said, never silently dropped.
        for later in reports
            .iter()
            .filter(|x| x.reporter == name && x.status == ReportStatus::Refused && x.id > r.id)
        {
            verified = false;
            for reason in &later.reasons {
                flags.push(format!("之后导入的上报包被拒绝：{reason}"));
            }
        }
    } else {
        let refused: Vec<&StoredReport> = reports
            .iter()
            .filter(|x| x.reporter == name && x.status == ReportStatus::Refused)
            .collect();
        if refused.is_empty() {
            flags.push(MISSING.to_owned());
        } else {
            flags.push(format!("{MISSING}（上报包均被拒绝）"));
            for r in refused {
                flags.extend(r.reasons.iter().cloned());
            }
        }
    }
    if current.is_some() {
        let mut with: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (key, who) in duplicates {
            if who.iter().any(|w| w == name) {
                for other in who.iter().filter(|w| *w != name) {
                    with.entry(other).or_default().push(key);
                }
            }
        }
        for (other, keys) in with {
            let shown: Vec<String> = keys.iter().take(5).map(|k| key_label(k)).collect();
            let more = if keys.len() > 5 { "等" } else { "" };
            flags.push(format!(
                "与{other}重复的账号 {} 个：{}{more}",
                keys.len(),
                shown.join("、")
            ));
        }
    }
    let change = match (
        numbers.pass_rate(),
        in_force(previous, name).and_then(|p| p.numbers.pass_rate()),
    ) {
        (Some(now), Some(before)) if current.is_some() => Some((now - before) * 100.0),
        _ => None,
    };
    RollupRow {
        reporter: name.to_owned(),
        population: numbers.population,
        sampled: numbers.sampled,
        ratio: numbers.ratio(),
        passed: numbers.passed,
        failed: numbers.failed,
        unfinished: numbers.unfinished,
        pass_rate: numbers.pass_rate(),
        on_time_rate: numbers.on_time_rate(),
        pass_rate_change: change,
        verified,
        missing: current.is_none(),
        flags,
        notice_date: numbers.notice_date.clone(),
        package_id: current.map(|r| r.package_id.clone()),
        numbers,
    }
}

/// The 合计 row of the level.
#[must_use]
pub fn total(rows: &[RollupRow]) -> RollupRow {
    let mut n = ReportNumbers::default();
    for r in rows {
        n.population += r.numbers.population;
        n.sampled += r.numbers.sampled;
        n.drawn += r.numbers.drawn;
        n.rechecks += r.numbers.rechecks;
        n.passed += r.numbers.passed;
        n.failed += r.numbers.failed;
        n.unfinished += r.numbers.unfinished;
        n.rectifications += r.numbers.rectifications;
        n.rectifications_closed += r.numbers.rectifications_closed;
        n.rectifications_overdue += r.numbers.rectifications_overdue;
        n.rectifications_due += r.numbers.rectifications_due;
        n.replied_on_time += r.numbers.replied_on_time;
        n.repeat_failures += r.numbers.repeat_failures;
    }
    let mut veto: BTreeMap<String, usize> = BTreeMap::new();
    for (k, c) in rows.iter().flat_map(|r| &r.numbers.veto_problems) {
        *veto.entry(k.clone()).or_default() += c;
    }
    n.veto_problems = veto.into_iter().collect();
    n.by_platform = crate::model::platforms_added(rows.iter().flat_map(|r| &r.numbers.by_platform));
    RollupRow {
        reporter: "合计".to_owned(),
        population: n.population,
        sampled: n.sampled,
        ratio: n.ratio(),
        passed: n.passed,
        failed: n.failed,
        unfinished: n.unfinished,
        pass_rate: n.pass_rate(),
        on_time_rate: n.on_time_rate(),
        pass_rate_change: None,
        verified: rows.iter().all(|r| r.verified),
        missing: rows.iter().any(|r| r.missing),
        flags: Vec::new(),
        notice_date: None,
        package_id: None,
        numbers: n,
    }
}

/// A share as people read it: 93.33%.
#[must_use]
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_owned(), |s| format!("{:.2}%", s * 100.0))
}
