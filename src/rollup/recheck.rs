//! 复核: a seeded sample of each reporter's 合格 accounts for the level above to check again
//! (「经抽样复核」). Per reporter: ⌈rate·N⌉ of its N 合格 accounts, at least `min` (all when
//! fewer), chosen by sorting them by key and permuting with `ChaCha20` seeded from
//! SHA-256("spotcheck/recheck/v1", seed, reporter): the same packages, rate, minimum and seed
//! give the same list on any machine.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::model::{RecheckEntry, RecheckSummary, ReportedAccount};

/// What the re-check sample is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecheckOptions {
    /// Share of each reporter's 合格 accounts, in basis points (1000 = 10%).
    pub rate_bp: u32,
    /// At least this many per reporter (all when it has fewer).
    pub min: usize,
    pub seed: u64,
}

/// Why the options were refused. Messages are what users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecheckError {
    #[error("复核比例“{0}”不对：请写成 0.1 或 10% 这样的形式，在 0 到 100% 之间。")]
    Rate(String),
}

/// Reads a rate typed as 0.1 or 10%.
pub fn parse_rate(text: &str) -> Result<u32, RecheckError> {
    let t = text.trim();
    let (number, scale) = match t.strip_suffix(['%', '％']) {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| RecheckError::Rate(t.to_owned()))?;
    let bp = (value / scale * 10_000.0).round();
    if !(0.0..=10_000.0).contains(&bp) {
        return Err(RecheckError::Rate(t.to_owned()));
    }
    // In 0..=10000 after the check.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(bp as u32)
}

/// One reporter's re-check list: the accounts chosen, in the order drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckList {
    pub reporter: String,
    /// 合格 accounts reported.
    pub passed: usize,
    pub chosen: Vec<ReportedAccount>,
}

/// The re-check list of one reporter from its accounts (only the 合格 ones are candidates).
#[must_use]
pub fn choose(
    reporter: &str,
    accounts: &[ReportedAccount],
    options: RecheckOptions,
) -> RecheckList {
    let mut passed: Vec<&ReportedAccount> =
        accounts.iter().filter(|a| a.passed == Some(true)).collect();
    passed.sort_by(|a, b| a.key.cmp(&b.key));
    let n = passed.len();
    let by_rate = (n * options.rate_bp as usize).div_ceil(10_000);
    let size = by_rate.max(options.min).min(n);
    let mut h = Sha256::new();
    h.update(b"spotcheck/recheck/v1\0");
    h.update(options.seed.to_le_bytes());
    h.update(reporter.as_bytes());
    let mut rng = ChaCha20Rng::from_seed(h.finalize().into());
    for i in (1..n).rev() {
        let bound = i as u64 + 1;
        let limit = u64::MAX - (u64::MAX % bound + 1) % bound;
        let j = loop {
            let x = rng.next_u64();
            if x <= limit {
                break x % bound;
            }
        };
        #[allow(clippy::cast_possible_truncation)] // j ≤ i, a usize
        passed.swap(i, j as usize);
    }
    RecheckList {
        reporter: reporter.to_owned(),
        passed: n,
        chosen: passed[..size].iter().map(|a| (*a).clone()).collect(),
    }
}

/// Each reporter's 复核 from the list's entries (in reporter order as they come).
#[must_use]
pub fn summarise(entries: &[RecheckEntry]) -> Vec<RecheckSummary> {
    let mut out: Vec<RecheckSummary> = Vec::new();
    for e in entries {
        let at = if let Some(at) = out.iter().position(|s| s.reporter == e.reporter) {
            at
        } else {
            out.push(RecheckSummary {
                reporter: e.reporter.clone(),
                chosen: 0,
                checked: 0,
                overturned: Vec::new(),
                accuracy: None,
            });
            out.len() - 1
        };
        let s = &mut out[at];
        s.chosen += 1;
        if let Some(passed) = e.passed {
            s.checked += 1;
            if !passed {
                s.overturned
                    .push((e.name.clone(), e.platform.clone(), e.note.clone()));
            }
        }
    }
    for s in &mut out {
        s.accuracy =
            (s.checked > 0).then(|| (s.checked - s.overturned.len()) as f64 / s.checked as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(i: usize, passed: Option<bool>) -> ReportedAccount {
        ReportedAccount {
            key: format!("微信公众号\u{1f}id\u{1f}gh_{i:03}"),
            stratum: "甲区".to_owned(),
            sampled: true,
            platform: "微信公众号".to_owned(),
            account_id: format!("gh_{i:03}"),
            name: format!("账号{i}"),
            host_unit: "某局".to_owned(),
            passed,
            problems: String::new(),
        }
    }

    #[test]
    fn chooses_passed_accounts_reproducibly_with_a_minimum() {
        let accounts: Vec<ReportedAccount> = (0..40)
            .map(|i| account(i, (i % 4 != 0).then_some(true)))
            .collect();
        let options = RecheckOptions {
            rate_bp: 1000,
            min: 3,
            seed: 5,
        };
        let a = choose("甲市", &accounts, options);
        assert_eq!(a.passed, 30);
        assert_eq!(a.chosen.len(), 3, "10% of 30");
        assert!(a.chosen.iter().all(|x| x.passed == Some(true)));
        let mut reversed = accounts.clone();
        reversed.reverse();
        assert_eq!(
            choose("甲市", &reversed, options),
            a,
            "order does not matter"
        );
        assert_ne!(choose("乙市", &accounts, options).chosen, a.chosen);
        let few = choose("甲市", &accounts[..3], RecheckOptions { min: 5, ..options });
        assert_eq!(few.chosen.len(), 2, "all when fewer than the minimum");
        assert_eq!(parse_rate("10%"), Ok(1000));
        assert_eq!(parse_rate("0.1"), Ok(1000));
        assert!(parse_rate("两成").is_err());
    }

    #[test]
    fn accuracy_counts_only_what_was_rechecked() {
        let entry = |reporter: &str, passed: Option<bool>| RecheckEntry {
            reporter: reporter.to_owned(),
            key: String::new(),
            platform: "微信公众号".to_owned(),
            account_id: String::new(),
            name: "账号".to_owned(),
            host_unit: String::new(),
            stratum: String::new(),
            passed,
            note: "栏目空白".to_owned(),
            inspector: String::new(),
            checked_on: None,
        };
        let s = summarise(&[
            entry("甲市", Some(true)),
            entry("甲市", Some(false)),
            entry("甲市", None),
            entry("甲市", Some(true)),
            entry("乙市", None),
        ]);
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].chosen, s[0].checked, s[0].overturned.len()),
            (4, 3, 1)
        );
        assert!((s[0].accuracy.unwrap_or(0.0) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s[1].accuracy, None, "nothing rechecked: no rate, not 0%");
    }
}
