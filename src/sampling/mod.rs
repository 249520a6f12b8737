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
//!
//! Version 2 names the strata of 按区县分层 by 地市 and 区县 together (广州市越秀区, see
//! [`crate::model::Account::region`]); version 1 named them by 区县 alone, so that 区县 of one
//! name in two 地市 were drawn as one stratum. The permutation within a stratum is unchanged.
//!
//! [`sample`] is the draw as a function of what a draw records (the population as keys, strata
//! and recently-drawn flags, the options, the seed and the algorithm version); [`stratum_of`]
//! names an account's stratum as each version did; [`verify`] re-derives a recorded draw and
//! names its first difference.

pub mod verify;

use std::collections::BTreeMap;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

pub use crate::model::draw::{
    Candidate, DrawOptions, RATE_RULE, Rate, RateError, Strata, StratumCount,
};

/// Recorded with every draw; a different algorithm gets a different name or version.
pub const ALGORITHM: &str = "stratified-sorted-chacha20";
pub const ALGORITHM_VERSION: u32 = 2;

/// The versions of [`ALGORITHM`] this build can re-derive.
pub const KNOWN_VERSIONS: [u32; 2] = [1, 2];

/// Why a draw cannot be made or re-derived by this build. Messages are what users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamplingError {
    #[error(
        "抽样算法“{name}”第 {version} 版不是本软件认识的算法（本软件认识“{ALGORITHM}”第 1、2 版），无法重新推算。请用更新版本的软件。"
    )]
    UnknownAlgorithm { name: String, version: u32 },
}

fn check_version(version: u32) -> Result<(), SamplingError> {
    if KNOWN_VERSIONS.contains(&version) {
        Ok(())
    } else {
        Err(SamplingError::UnknownAlgorithm {
            name: ALGORITHM.to_owned(),
            version,
        })
    }
}

/// The stratum an account falls in under `strata`, as algorithm version `version` names it:
/// version 1 named 按区县分层 by 区县 alone (the 地市 where 区县 is blank); version 2 by 地市 and
/// 区县 together (see [`crate::model::Account::region`]). The other kinds are the same in both.
pub fn stratum_of(
    strata: Strata,
    version: u32,
    account: &crate::model::Account,
) -> Result<String, SamplingError> {
    check_version(version)?;
    if version == 1 && strata == Strata::County {
        let region = if account.county.is_empty() {
            &account.city
        } else {
            &account.county
        };
        return Ok(if region.is_empty() {
            "（未填地区）".to_owned()
        } else {
            region.clone()
        });
    }
    Ok(strata.stratum_of(account))
}

/// The draw as algorithm version `version` makes it, from what a draw records: the population
/// (keys, strata, recently-drawn flags), the options and the seed. Every draw, new or
/// re-derived, goes through here.
pub fn sample(
    population: &[Candidate],
    options: &DrawOptions,
    seed: u64,
    version: u32,
) -> Result<Sample, SamplingError> {
    check_version(version)?;
    // Versions 1 and 2 differ only in how strata are named, which the population carries.
    Ok(draw(population, options, seed))
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
    crate::model::digest::hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

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
