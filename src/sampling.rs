//! The draw: which accounts are spot-checked this quarter. A pure function of the population,
//! the options and the seed; no clock, no global RNG, no database.
//!
//! The algorithm is part of the audit trail and must never change under the same name and
//! version (a golden test pins it): the population is split into strata; stratum h of size `N_h`
//! gets ⌈`rate·N_h`⌉ accounts; within a stratum the accounts are sorted by key and permuted by a
//! Fisher–Yates shuffle driven by `ChaCha20`, seeded from SHA-256("spotcheck/draw/v1", seed,
//! stratum name); the first ⌈`rate·N_h`⌉ of the permutation are drawn. Seeding per stratum keeps
//! each stratum's draw independent of the others. The bounded integers are made here, by
//! rejection, rather than by a library whose method could change between versions.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::Account;

/// Recorded with every draw; a different algorithm gets a different name or version.
pub const ALGORITHM: &str = "stratified-sorted-chacha20";
pub const ALGORITHM_VERSION: u32 = 1;

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
    /// 区县, or 地市 where 区县 is blank.
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

    /// The stratum an account falls in.
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
            Self::County => named(account.region(), "（未填地区）"),
            Self::City => named(&account.city, "（未填地市）"),
            Self::Platform => named(&account.platform, "（未填平台）"),
            Self::None => "全部账号".to_owned(),
        }
    }
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

/// One account of the population as the draw sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The account key: unique in the population, the sort order within a stratum.
    pub key: String,
    pub stratum: String,
    /// Drawn in one of the previous quarters the options name: drawn last when preferred away.
    pub recently_drawn: bool,
}

/// A stratum's size and its share of the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StratumCount {
    pub key: String,
    pub population: usize,
    pub sampled: usize,
}

/// The result of a draw: indices into the candidates, stratum by stratum (strata in name
/// order), each stratum's in the order the permutation drew them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub strata: Vec<StratumCount>,
    /// (index into the candidates, index of its stratum in `strata`).
    pub picks: Vec<(usize, usize)>,
}

impl Sample {
    #[must_use]
    pub fn len(&self) -> usize {
        self.picks.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.picks.is_empty()
    }
}

fn group(candidates: &[Candidate]) -> BTreeMap<&str, Vec<usize>> {
    let mut strata: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        strata.entry(c.stratum.as_str()).or_default().push(i);
    }
    strata
}

/// Each stratum's population and sample size, without drawing (the preview), from the
/// stratum of each member of the population.
#[must_use]
pub fn plan<'a>(strata: impl IntoIterator<Item = &'a str>, rate: Rate) -> Vec<StratumCount> {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for s in strata {
        *sizes.entry(s).or_default() += 1;
    }
    sizes
        .into_iter()
        .map(|(key, population)| StratumCount {
            key: key.to_owned(),
            population,
            sampled: rate.sample_size(population),
        })
        .collect()
}

/// Draws the sample. The same candidates (in any order), options and seed give the same sample.
#[must_use]
pub fn draw(candidates: &[Candidate], options: &DrawOptions, seed: u64) -> Sample {
    let mut strata = Vec::new();
    let mut picks = Vec::new();
    for (h, (key, mut members)) in group(candidates).into_iter().enumerate() {
        members.sort_unstable_by(|&a, &b| candidates[a].key.cmp(&candidates[b].key));
        let mut rng = stratum_rng(seed, key);
        for i in (1..members.len()).rev() {
            let j = below(&mut rng, i as u64 + 1);
            #[allow(clippy::cast_possible_truncation)] // j ≤ i, a usize
            members.swap(i, j as usize);
        }
        if options.prefer_not_drawn_in > 0 {
            // Stable: the permutation still decides the order within each group.
            members.sort_by_key(|&m| candidates[m].recently_drawn);
        }
        let n = options.rate.sample_size(members.len());
        picks.extend(members[..n].iter().map(|&m| (m, h)));
        strata.push(StratumCount {
            key: key.to_owned(),
            population: members.len(),
            sampled: n,
        });
    }
    Sample { strata, picks }
}

fn stratum_rng(seed: u64, stratum: &str) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(b"spotcheck/draw/v1\0");
    h.update(seed.to_le_bytes());
    h.update(stratum.as_bytes());
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// A uniform integer in `0..bound` (bound ≥ 1), by rejection so that no value is favoured.
fn below(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    // Accept x ≤ limit, where limit + 1 is the largest multiple of `bound` that fits in 2^64.
    let limit = u64::MAX - (u64::MAX % bound + 1) % bound;
    loop {
        let x = rng.next_u64();
        if x <= limit {
            return x % bound;
        }
    }
}

/// SHA-256 of the sorted population keys, one per line: printed with the draw so that anyone
/// can check that a re-run used the same population.
#[must_use]
pub fn population_hash<'a>(keys: impl IntoIterator<Item = &'a str>) -> String {
    let mut keys: Vec<&str> = keys.into_iter().collect();
    keys.sort_unstable();
    let mut h = Sha256::new();
    for k in keys {
        h.update(k.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
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

    #[test]
    fn below_stays_in_bounds() {
        let mut rng = stratum_rng(1, "x");
        for bound in [1, 2, 3, 7, 1 << 40, u64::MAX] {
            for _ in 0..100 {
                assert!(below(&mut rng, bound) < bound);
            }
        }
    }
}
