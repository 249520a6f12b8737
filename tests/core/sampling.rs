//! The draw as a pure function: its counts, its determinism, and a golden sample that pins
//! the algorithm for good (a supervisor must be able to re-run a draw years later).

use proptest::prelude::*;
use spotcheck::sampling::{self, Candidate, DrawOptions, Rate, Strata};

fn candidate(stratum: &str, i: usize) -> Candidate {
    Candidate {
        key: format!("微信公众号\u{1f}id\u{1f}gh_{stratum}{i:03}"),
        stratum: stratum.to_owned(),
        recently_drawn: false,
    }
}

fn population(sizes: &[(&str, usize)]) -> Vec<Candidate> {
    sizes
        .iter()
        .flat_map(|&(s, n)| (0..n).map(move |i| candidate(s, i)))
        .collect()
}

fn options(rate_bp: u32) -> DrawOptions {
    DrawOptions {
        rate: Rate::from_basis_points(rate_bp).expect("valid rate"),
        strata: Strata::County,
        prefer_not_drawn_in: 0,
    }
}

fn picked_keys(candidates: &[Candidate], opts: &DrawOptions, seed: u64) -> Vec<String> {
    sampling::draw(candidates, opts, seed)
        .picks
        .iter()
        .map(|&(c, _)| candidates[c].key.clone())
        .collect()
}

/// Never change these lines: they are what `stratified-sorted-chacha20` version 1 draws.
/// A different result means a different algorithm, which needs a new name or version.
#[test]
fn golden_sample() {
    let candidates = population(&[("甲区", 10), ("乙区", 7), ("丙县", 1)]);
    let keys = picked_keys(&candidates, &options(3000), 20_261_125);
    let short: Vec<&str> = keys
        .iter()
        .map(|k| k.rsplit('_').next().expect("key has an id"))
        .collect();
    assert_eq!(short, GOLDEN, "the draw algorithm changed");
    assert_eq!(
        sampling::population_hash(candidates.iter().map(|c| c.key.as_str())),
        GOLDEN_HASH
    );
}

const GOLDEN: [&str; 7] = [
    "丙县000",
    "乙区005",
    "乙区002",
    "乙区001",
    "甲区000",
    "甲区003",
    "甲区001",
];
const GOLDEN_HASH: &str = "f172c114e2f83cbd82e9a7484d0060025890d1ee5a751aa60408438585ae54c4";

#[test]
fn preference_for_accounts_not_drawn_lately() {
    let mut candidates = population(&[("甲区", 10)]);
    // Seven of ten were drawn last quarter: the three others must come first.
    for c in candidates.iter_mut().take(7) {
        c.recently_drawn = true;
    }
    let opts = DrawOptions {
        prefer_not_drawn_in: 1,
        ..options(3000)
    };
    let keys = picked_keys(&candidates, &opts, 5);
    assert_eq!(keys.len(), 3);
    let fresh: Vec<&String> = candidates[7..].iter().map(|c| &c.key).collect();
    for k in &keys {
        assert!(fresh.contains(&k), "{k} was drawn last quarter");
    }
    // Without the preference the same seed may well pick recently drawn ones.
    assert_eq!(picked_keys(&candidates, &options(3000), 5).len(), 3);
}

#[test]
fn plan_matches_the_draw() {
    let candidates = population(&[("甲区", 10), ("乙区", 7), ("丙县", 1)]);
    let plan = sampling::plan(candidates.iter().map(|c| c.stratum.as_str()), Rate::MINIMUM);
    let drawn = sampling::draw(&candidates, &options(3000), 1);
    assert_eq!(plan, drawn.strata);
    let sizes: Vec<(String, usize, usize)> = plan
        .iter()
        .map(|s| (s.key.clone(), s.population, s.sampled))
        .collect();
    assert_eq!(
        sizes,
        vec![
            ("丙县".to_owned(), 1, 1),
            ("乙区".to_owned(), 7, 3),
            ("甲区".to_owned(), 10, 3),
        ]
    );
}

fn arb_population() -> impl Strategy<Value = Vec<Candidate>> {
    prop::collection::vec(0usize..60, 1..8).prop_map(|sizes| {
        sizes
            .iter()
            .enumerate()
            .flat_map(|(h, &n)| (0..n).map(move |i| candidate(&format!("区{h}"), i)))
            .collect()
    })
}

proptest! {
    #[test]
    fn every_stratum_gets_its_ceiling_of_distinct_members(
        candidates in arb_population(),
        rate_bp in 3000u32..=10_000,
        seed in any::<u64>(),
    ) {
        let opts = options(rate_bp);
        let sample = sampling::draw(&candidates, &opts, seed);
        let mut seen = std::collections::HashSet::new();
        for &(c, h) in &sample.picks {
            prop_assert!(seen.insert(c), "account drawn twice");
            prop_assert_eq!(&candidates[c].stratum, &sample.strata[h].key);
        }
        for (h, s) in sample.strata.iter().enumerate() {
            let members = candidates.iter().filter(|c| c.stratum == s.key).count();
            prop_assert_eq!(s.population, members);
            let expected = (members * rate_bp as usize).div_ceil(10_000);
            prop_assert_eq!(s.sampled, expected);
            prop_assert_eq!(sample.picks.iter().filter(|p| p.1 == h).count(), expected);
            // At least the rate, in every stratum.
            prop_assert!(expected * 10_000 >= members * rate_bp as usize);
        }
    }

    #[test]
    fn the_draw_is_deterministic_and_ignores_input_order(
        candidates in arb_population(),
        seed in any::<u64>(),
    ) {
        let opts = options(3000);
        let first = picked_keys(&candidates, &opts, seed);
        prop_assert_eq!(&first, &picked_keys(&candidates, &opts, seed));
        let mut reversed = candidates.clone();
        reversed.reverse();
        prop_assert_eq!(first, picked_keys(&reversed, &opts, seed));
    }

    #[test]
    fn different_seeds_give_different_samples(a in any::<u64>(), b in any::<u64>()) {
        prop_assume!(a != b);
        // 60 of 200 in one stratum: two seeds agreeing by chance is about 1 in 10^50.
        let candidates = population(&[("甲区", 200)]);
        let mut x = picked_keys(&candidates, &options(3000), a);
        let mut y = picked_keys(&candidates, &options(3000), b);
        x.sort();
        y.sort();
        prop_assert_ne!(x, y);
    }
}
