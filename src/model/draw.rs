//! A quarter's draw as recorded: the rate and strata asked for, how it was made (seed,
//! algorithm, population and its hash), its strata and its accounts.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{Account, Quarter, StoredAccount};

/// The rule the rate must meet, quoted to users when they go below it.
pub const RATE_RULE: &str = "《广东省推进政务新媒体健康有序发展实施意见》（粤办函〔2019〕90号）要求“每季度按不低于30%的比例对本地区政务新媒体进行抽查”";

/// A sampling rate in basis points (1/10000), so that ⌈rate·N⌉ is exact integer arithmetic:
/// 30% of 10 is 3, never 4 by a floating-point hair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(u32);

/// Why a rate was refused. Messages are what users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("抽查比例“{0}”不是数字，请写成 0.30 或 30% 这样的形式。")]
    NotANumber(String),
    #[error("抽查比例必须大于 0。")]
    NotPositive,
    #[error("抽查比例不能超过 100%。")]
    OverWhole,
    #[error("抽查比例最多精确到 0.01%。")]
    TooFine,
    #[error("抽查比例 {0} 低于 30%：{RATE_RULE}。")]
    BelowRule(String),
}

impl Rate {
    /// The lowest rate the rule allows, and the default.
    pub const MINIMUM: Self = Self(3000);

    /// A rate of `basis_points`/10000, checked against the 30% rule.
    pub fn from_basis_points(basis_points: u32) -> Result<Self, RateError> {
        if basis_points == 0 {
            return Err(RateError::NotPositive);
        }
        if basis_points > 10_000 {
            return Err(RateError::OverWhole);
        }
        let rate = Self(basis_points);
        if rate < Self::MINIMUM {
            return Err(RateError::BelowRule(rate.to_string()));
        }
        Ok(rate)
    }

    #[must_use]
    pub fn basis_points(self) -> u32 {
        self.0
    }

    #[must_use]
    pub fn fraction(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }

    /// ⌈rate·n⌉
    #[must_use]
    pub fn sample_size(self, n: usize) -> usize {
        (n * self.0 as usize).div_ceil(10_000)
    }
}

impl fmt::Display for Rate {
    /// 30%, 33.5%, 33.33%
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, part) = (self.0 / 100, self.0 % 100);
        match part {
            0 => write!(f, "{whole}%"),
            p if p % 10 == 0 => write!(f, "{whole}.{}%", p / 10),
            p => write!(f, "{whole}.{p:02}%"),
        }
    }
}

impl FromStr for Rate {
    type Err = RateError;

    /// Reads a fraction (`0.3`, `0.30`, `1`) or a percentage (`30%`, `30％`, `33.5%`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        let (number, scale) = match t.strip_suffix(['%', '％']) {
            Some(n) => (n.trim(), 100.0),
            None => (t, 1.0),
        };
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| RateError::NotANumber(t.to_owned()))?;
        let bp = value / scale * 10_000.0;
        if bp <= 0.0 {
            return Err(RateError::NotPositive);
        }
        if bp > 10_000.0 + 1e-6 {
            return Err(RateError::OverWhole);
        }
        let rounded = bp.round();
        if (bp - rounded).abs() > 1e-6 {
            return Err(RateError::TooFine);
        }
        // In range 1..=10000 after the checks above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Self::from_basis_points(rounded as u32)
    }
}

impl Serialize for Rate {
    /// As a fraction (0.3), the way `--rate` takes it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.fraction())
    }
}

/// How the population is split before drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Strata {
    /// 地市 and 区县 together, or the 地市 where 区县 is blank (see [`Account::region`]).
    #[default]
    County,
    City,
    Platform,
    None,
}

impl Strata {
    pub const ALL: [Self; 4] = [Self::County, Self::City, Self::Platform, Self::None];

    /// The word stored and used by `--by`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::City => "city",
            Self::Platform => "platform",
            Self::None => "none",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::County => "按区县分层",
            Self::City => "按地市分层",
            Self::Platform => "按平台分层",
            Self::None => "不分层",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// The stratum an account falls in, as the current algorithm version names it (version 1
    /// named 按区县分层 by 区县 alone: see `sampling::stratum_of`).
    #[must_use]
    pub fn stratum_of(self, account: &Account) -> String {
        let named = |s: &str, blank: &str| {
            if s.is_empty() {
                blank.to_owned()
            } else {
                s.to_owned()
            }
        };
        match self {
            Self::County => named(&account.region(), "（未填地区）"),
            Self::City => named(&account.city, "（未填地市）"),
            Self::Platform => named(&account.platform, "（未填平台）"),
            Self::None => "全部账号".to_owned(),
        }
    }
}

/// One account of the population as the draw sees it: what a draw keeps so that anyone can
/// re-derive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The account key: unique in the population, the sort order within a stratum.
    pub key: String,
    pub stratum: String,
    /// Drawn in one of the previous quarters the options name: drawn last when preferred away.
    pub recently_drawn: bool,
}

/// What the draw is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawOptions {
    pub rate: Rate,
    pub strata: Strata,
    /// Prefer accounts not drawn in this many previous quarters (0: no preference).
    pub prefer_not_drawn_in: u32,
}

impl Default for DrawOptions {
    fn default() -> Self {
        Self {
            rate: Rate::MINIMUM,
            strata: Strata::County,
            prefer_not_drawn_in: 0,
        }
    }
}

/// A stratum's size and its share of the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StratumCount {
    pub key: String,
    pub population: usize,
    pub sampled: usize,
}

/// What the user asks for when drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRequest {
    pub quarter: Quarter,
    pub options: DrawOptions,
    pub seed: u64,
    /// Required when the quarter already has a draw.
    pub reason: Option<String>,
    /// The user confirmed that a redraw voids the work begun on the draw it replaces (checks
    /// of accounts in both draws are carried over).
    pub void_work: bool,
}

/// How a draw was made: everything needed to reproduce and audit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawInfo {
    pub id: i64,
    pub quarter: Quarter,
    pub rate: Rate,
    pub strata: Strata,
    pub seed: u64,
    pub algorithm: String,
    pub algorithm_version: u32,
    pub prefer_not_drawn_in: u32,
    /// Accounts in operation: the population drawn from.
    pub population: usize,
    pub population_hash: String,
    /// Listed accounts 已关停 or 已注销, left out of the population.
    pub excluded: usize,
    pub sampled: usize,
    pub rechecks: usize,
    pub drawn_by: String,
    pub drawn_at: NaiveDateTime,
    /// Why it replaced an earlier draw of the quarter.
    pub reason: Option<String>,
    /// Set once a later draw replaced it.
    pub superseded_at: Option<NaiveDateTime>,
}

/// One account of a draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnAccount {
    pub account: StoredAccount,
    pub stratum: String,
    /// Drawn at random (false for an account only re-checked).
    pub drawn: bool,
    /// Failed last quarter, so re-checked (复查) this quarter.
    pub recheck: bool,
    pub inspector: Option<String>,
    /// The region and platform the notice counts it under: as they were at the draw (the
    /// roster may have changed since); `None` for draws made before this was recorded.
    pub counted_as: Option<(String, String)>,
}

/// A draw with its strata and accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRecord {
    pub info: DrawInfo,
    pub strata: Vec<StratumCount>,
    /// In draw order: stratum by stratum, each in the order the permutation drew them.
    pub accounts: Vec<DrawnAccount>,
    /// Listed but not in operation at the time of the draw.
    pub excluded: Vec<StoredAccount>,
}

/// How a stratum is named in lists, for one of its accounts: a 地市's own accounts (区县
/// blank, so the stratum is the 地市) as 某某市（市直）; any other as its key.
#[must_use]
pub fn stratum_label(key: &str, account: &super::Account) -> String {
    if account.county.trim().is_empty() && !key.is_empty() && account.city.trim() == key {
        format!("{key}（市直）")
    } else {
        key.to_owned()
    }
}

impl DrawRecord {
    /// How stratum `key` is named in lists (see [`stratum_label`]).
    #[must_use]
    pub fn stratum_name(&self, key: &str) -> String {
        self.accounts.iter().find(|d| d.stratum == key).map_or_else(
            || key.to_owned(),
            |d| stratum_label(key, &d.account.account),
        )
    }

    /// The strata in the order lists show them: by pinyin, as an office sorts its districts
    /// in Excel. The draw's own order (by code point, which the seed reproduces) is kept in
    /// `strata` and `accounts`.
    #[must_use]
    pub fn strata_shown(&self) -> Vec<&StratumCount> {
        let mut strata: Vec<&StratumCount> = self.strata.iter().collect();
        strata.sort_by_cached_key(|s| super::collate::pinyin_key(&s.key));
        strata
    }

    /// The places in `accounts` in the order lists show them: strata by pinyin, each
    /// stratum's accounts in the order they were drawn.
    #[must_use]
    pub fn accounts_shown(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.accounts.len()).collect();
        // A stable sort: within a stratum the draw's order stays.
        order.sort_by_cached_key(|&i| super::collate::pinyin_key(&self.accounts[i].stratum));
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_exactly() {
        assert_eq!("0.3".parse::<Rate>(), Ok(Rate(3000)));
        assert_eq!("0.30".parse::<Rate>(), Ok(Rate(3000)));
        assert_eq!("30%".parse::<Rate>(), Ok(Rate(3000)));
        assert_eq!(" 33.5％ ".parse::<Rate>(), Ok(Rate(3350)));
        assert_eq!("1".parse::<Rate>(), Ok(Rate(10_000)));
        assert_eq!(
            "0.29".parse::<Rate>(),
            Err(RateError::BelowRule("29%".into()))
        );
        assert_eq!("0".parse::<Rate>(), Err(RateError::NotPositive));
        assert_eq!("-0.5".parse::<Rate>(), Err(RateError::NotPositive));
        assert_eq!("1.5".parse::<Rate>(), Err(RateError::OverWhole));
        assert_eq!("0.300001".parse::<Rate>(), Err(RateError::TooFine));
        assert!(matches!(
            "三成".parse::<Rate>(),
            Err(RateError::NotANumber(_))
        ));
        assert!(matches!(
            "NaN".parse::<Rate>(),
            Err(RateError::NotANumber(_))
        ));
        assert_eq!(Rate(3333).to_string(), "33.33%");
        assert!(
            RateError::BelowRule("29%".into())
                .to_string()
                .contains("不低于30%")
        );
    }

    #[test]
    fn sample_size_is_the_exact_ceiling() {
        assert_eq!(Rate(3000).sample_size(10), 3);
        assert_eq!(Rate(3000).sample_size(11), 4);
        assert_eq!(Rate(3000).sample_size(1), 1);
        assert_eq!(Rate(3000).sample_size(0), 0);
        assert_eq!(Rate(10_000).sample_size(7), 7);
    }
}

/// The work done on a draw that redrawing the quarter would void.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrawWork {
    /// Checks with any answer, note or evidence, or finished.
    pub checks_started: usize,
    /// 整改 problems sent to units.
    pub problems_issued: usize,
    /// Work packages exported to inspectors.
    pub packages_exported: usize,
}

impl DrawWork {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.checks_started == 0 && self.problems_issued == 0 && self.packages_exported == 0
    }

    /// 已开始 N 个账号的检查，已导出 K 个工作包
    #[must_use]
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.checks_started > 0 {
            parts.push(format!("已开始 {} 个账号的检查", self.checks_started));
        }
        if self.problems_issued > 0 {
            parts.push(format!("已下发 {} 个整改问题", self.problems_issued));
        }
        if self.packages_exported > 0 {
            parts.push(format!("已导出 {} 个工作包", self.packages_exported));
        }
        parts.join("，")
    }
}
