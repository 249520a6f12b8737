//! The roll-up (上报与汇总) as recorded in a 汇总 workspace: the reporters registered with their
//! public keys, the 上报包 imported (accepted, refused, replaced) with the numbers each states,
//! and the accounts each accepted package lists.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// A reporting office registered above, by its public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reporter {
    /// The name it is registered under (某市), as its packages name their region.
    pub name: String,
    /// The SM2 public key as PEM (`SubjectPublicKeyInfo`).
    pub public_key: String,
    /// SM3 of the public key, hex in groups of four.
    pub fingerprint: String,
    /// Expected to report every quarter (missing when it has not).
    pub expected: bool,
    pub registered_at: NaiveDateTime,
    pub registered_by: String,
}

/// What became of an imported 上报包.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Counted: the reporter's package in force for its quarter.
    Accepted,
    /// Not counted, with the reasons (signature, key, unreadable content).
    Refused,
    /// Was accepted; a newer package of the same reporter and quarter replaced it.
    Replaced,
    /// Arrived after a newer package of the same reporter and quarter: kept, not counted.
    Older,
}

impl ReportStatus {
    pub const ALL: [Self; 4] = [Self::Accepted, Self::Refused, Self::Replaced, Self::Older];

    /// As stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::Replaced => "replaced",
            Self::Older => "older",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "已采用",
            Self::Refused => "已拒绝",
            Self::Replaced => "已被新包替换",
            Self::Older => "比已采用的包旧，未采用",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The numbers of one reporter's quarter, as its package lists the accounts (and as its own
/// notice states them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportNumbers {
    /// 账号总数: accounts in operation when the quarter was drawn.
    pub population: usize,
    /// 抽查数: accounts in the sample (复查 included).
    pub sampled: usize,
    /// Drawn at random (复查 only left out).
    pub drawn: usize,
    pub rechecks: usize,
    pub passed: usize,
    pub failed: usize,
    /// Sampled accounts whose check is not finished.
    pub unfinished: usize,
    /// Veto problems by type: (问题类型, accounts).
    #[serde(default)]
    pub veto_problems: Vec<(String, usize)>,
    /// 整改 problems issued, closed, and overdue without any reply.
    #[serde(default)]
    pub rectifications: usize,
    #[serde(default)]
    pub rectifications_closed: usize,
    #[serde(default)]
    pub rectifications_overdue: usize,
    /// The day the notice was exported (通报日期), if it was.
    #[serde(default)]
    pub notice_date: Option<String>,
    #[serde(default)]
    pub notice_number: Option<String>,
    /// The accounts failing again in this quarter's 复查.
    #[serde(default)]
    pub repeat_failures: usize,
    /// 整改 problems whose deadline had passed when the package was made, or that had a reply;
    /// and those replied to by their deadline (按期反馈).
    #[serde(default)]
    pub rectifications_due: usize,
    #[serde(default)]
    pub replied_on_time: usize,
    /// The same by platform (as the roster names it), in the usual order of platforms.
    #[serde(default)]
    pub by_platform: Vec<PlatformNumbers>,
}

/// One platform's accounts in operation, sampled, 合格 and 不合格.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformNumbers {
    pub platform: String,
    pub population: usize,
    pub sampled: usize,
    pub passed: usize,
    pub failed: usize,
}

impl PlatformNumbers {
    /// 抽查比例 and 合格率, as [`ReportNumbers`] has them.
    #[must_use]
    pub fn ratio(&self) -> Option<f64> {
        (self.population > 0).then(|| self.sampled as f64 / self.population as f64)
    }

    #[must_use]
    pub fn pass_rate(&self) -> Option<f64> {
        let finished = self.passed + self.failed;
        (finished > 0).then(|| self.passed as f64 / finished as f64)
    }
}

/// `tallies` added up platform by platform, in the usual order of platforms (others after,
/// by name).
#[must_use]
pub fn platforms_added<'a>(
    tallies: impl IntoIterator<Item = &'a PlatformNumbers>,
) -> Vec<PlatformNumbers> {
    let mut out: Vec<PlatformNumbers> = Vec::new();
    for t in tallies {
        match out.iter_mut().find(|o| o.platform == t.platform) {
            Some(o) => {
                o.population += t.population;
                o.sampled += t.sampled;
                o.passed += t.passed;
                o.failed += t.failed;
            }
            None => out.push(t.clone()),
        }
    }
    out.sort_by(|a, b| {
        super::platform::table_order(&a.platform)
            .cmp(&super::platform::table_order(&b.platform))
            .then_with(|| a.platform.cmp(&b.platform))
    });
    out
}

impl ReportNumbers {
    /// 抽查比例: sampled / population.
    #[must_use]
    pub fn ratio(&self) -> Option<f64> {
        (self.population > 0).then(|| self.sampled as f64 / self.population as f64)
    }

    /// 按期反馈率: replied by the deadline among the problems due.
    #[must_use]
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.rectifications_due > 0)
            .then(|| self.replied_on_time as f64 / self.rectifications_due as f64)
    }

    /// 合格率: passed among the finished checks.
    #[must_use]
    pub fn pass_rate(&self) -> Option<f64> {
        let finished = self.passed + self.failed;
        (finished > 0).then(|| self.passed as f64 / finished as f64)
    }
}

/// An imported 上报包 as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReport {
    pub id: i64,
    /// The package's own id: importing it again changes nothing.
    pub package_id: String,
    /// The registered reporter, or the region the package names when it matches none.
    pub reporter: String,
    pub quarter: String,
    pub fingerprint: String,
    /// When the reporter made it (a newer one replaces an older one).
    pub created_at: NaiveDateTime,
    pub file_name: String,
    pub imported_at: NaiveDateTime,
    pub imported_by: String,
    pub status: ReportStatus,
    /// Every check passed: signature, key, draw re-derived, strata, counts.
    pub verified: bool,
    /// Why refused, or what the checks found (Chinese).
    pub reasons: Vec<String>,
    pub numbers: ReportNumbers,
}

/// One account of an accepted package: its population member, and for sampled accounts the
/// name and verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedAccount {
    pub key: String,
    pub stratum: String,
    /// In the 抽查名单 (drawn or 复查).
    pub sampled: bool,
    pub platform: String,
    pub account_id: String,
    pub name: String,
    pub host_unit: String,
    /// `Some(true)` 合格, `Some(false)` 不合格, `None` not finished or not sampled.
    pub passed: Option<bool>,
    /// The problems found, as the notice names them, joined by 、.
    pub problems: String,
}

/// One account on a quarter's 复核 list: as its reporter's package listed it, with the level
/// above's own conclusion once entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecheckEntry {
    pub reporter: String,
    /// The account's key in the packages (平台, 账号标识).
    pub key: String,
    pub platform: String,
    pub account_id: String,
    pub name: String,
    pub host_unit: String,
    pub stratum: String,
    /// `Some(true)` 复核合格, `Some(false)` 复核不合格, `None` not rechecked yet.
    pub passed: Option<bool>,
    /// What the re-check found (required for 不合格).
    pub note: String,
    pub inspector: String,
    pub checked_on: Option<chrono::NaiveDate>,
}

/// How a quarter's 复核 list was drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecheckRound {
    pub rate_bp: u32,
    pub min: usize,
    pub seed: u64,
    pub made_at: NaiveDateTime,
    pub made_by: String,
}

/// The 复核 of one reporter: how many of its 合格 accounts were re-checked and how many of
/// those the level above found 不合格.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecheckSummary {
    pub reporter: String,
    /// On the list.
    pub chosen: usize,
    /// With a conclusion entered.
    pub checked: usize,
    /// 上报合格、复核不合格: (账号名称, 平台, what the re-check found).
    pub overturned: Vec<(String, String, String)>,
    /// 准确率: the re-checked accounts whose 合格 stands, among those re-checked (none when
    /// nothing was re-checked yet).
    pub accuracy: Option<f64>,
}
