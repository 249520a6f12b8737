//! Re-deriving a recorded draw: from the population it recorded (keys, strata, recently-drawn
//! flags), its options, seed and algorithm version, draw again and compare with what was
//! recorded (the population hash, each stratum's counts, the randomly drawn keys in order).
//! The first difference is named; 复查 accounts are not part of the random sample and are not
//! compared. Pure: the store, a package or a roll-up supplies the record.

use super::{ALGORITHM, Candidate, DrawOptions, SamplingError, StratumCount, population_hash};

/// A draw as recorded, with what re-deriving it needs.
#[derive(Debug, Clone, Copy)]
pub struct RecordedDraw<'a> {
    pub algorithm: &'a str,
    pub algorithm_version: u32,
    pub options: DrawOptions,
    pub seed: u64,
    /// The population as recorded with the draw.
    pub population: &'a [Candidate],
    /// The population count and hash recorded (and printed) with the draw.
    pub population_count: usize,
    pub population_hash: &'a str,
    /// Each stratum's population and sample size as recorded.
    pub strata: &'a [StratumCount],
    /// The keys of the accounts drawn at random, in draw order (复查 accounts not drawn at
    /// random left out).
    pub sampled: &'a [String],
}

/// What a successful re-derivation checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub population: usize,
    pub strata: usize,
    pub sampled: usize,
    pub seed: u64,
    pub algorithm_version: u32,
}

impl Verified {
    /// 一致：… (what was checked)
    #[must_use]
    pub fn summary(&self) -> String {
        format!(
            "一致：按记录的总体（{} 个账号，{} 个分层）、抽样设置和随机种子 {}，用第 {} 版抽样算法重新推算，随机抽取的 {} 个账号及其顺序、各分层的账号数和抽取数、总体指纹都与记录相同。",
            self.population, self.strata, self.seed, self.algorithm_version, self.sampled
        )
    }
}

/// The first difference between a recorded draw and its re-derivation. Messages are what
/// users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("{0}")]
    Algorithm(SamplingError),
    #[error(
        "总体指纹不符：记录为 {recorded}，按记录的总体计算为 {computed}。保存的总体名单被改动过，或与抽样时不同。"
    )]
    PopulationHash { recorded: String, computed: String },
    #[error("总体数量不符：记录为 {recorded} 个账号，保存的总体名单有 {computed} 个。")]
    PopulationCount { recorded: usize, computed: usize },
    #[error(
        "分层“{stratum}”按记录的总体有 {population} 个账号、应抽取 {sampled} 个，但抽样记录中没有这个分层。"
    )]
    StratumMissing {
        stratum: String,
        population: usize,
        sampled: usize,
    },
    #[error(
        "抽样记录中多出分层“{stratum}”（记录为 {population} 个账号、抽取 {sampled} 个），按记录的总体没有这个分层。"
    )]
    StratumExtra {
        stratum: String,
        population: usize,
        sampled: usize,
    },
    #[error("分层“{stratum}”按记录的总体有 {derived} 个账号，记录为 {recorded} 个。")]
    StratumPopulation {
        stratum: String,
        derived: usize,
        recorded: usize,
    },
    #[error("分层“{stratum}”应抽取 {derived} 个，记录为 {recorded} 个。")]
    StratumSampled {
        stratum: String,
        derived: usize,
        recorded: usize,
    },
    #[error("第 {position} 个随机抽中的账号不同：记录为 {recorded}，按随机种子重新推算为 {derived}。", recorded = key_label(.recorded), derived = key_label(.derived))]
    Account {
        /// From 1, in draw order.
        position: usize,
        recorded: String,
        derived: String,
    },
    #[error("记录中多出账号 {key}（第 {position} 个随机抽中的账号），按随机种子重新推算没有抽到它。", key = key_label(.key))]
    ExtraAccount { position: usize, key: String },
    #[error("记录中缺少账号 {key}：按随机种子重新推算，它是第 {position} 个随机抽中的账号。", key = key_label(.key))]
    MissingAccount { position: usize, key: String },
}

impl Mismatch {
    /// A stable word for the kind of difference (`--json`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Algorithm(_) => "algorithm",
            Self::PopulationHash { .. } => "population_hash",
            Self::PopulationCount { .. } => "population",
            Self::StratumMissing { .. } => "stratum_missing",
            Self::StratumExtra { .. } => "stratum_extra",
            Self::StratumPopulation { .. } => "stratum_population",
            Self::StratumSampled { .. } => "stratum_sampled",
            Self::Account { .. } => "account",
            Self::ExtraAccount { .. } => "extra_account",
            Self::MissingAccount { .. } => "missing_account",
        }
    }
}

/// An account key as people write it: 平台:账号标识, or 平台:账号名称（主办单位） for an account
/// without an id.
#[must_use]
pub fn key_label(key: &str) -> String {
    let parts: Vec<&str> = key.split('\u{1f}').collect();
    match parts.as_slice() {
        [platform, "id", id] => format!("{platform}:{id}"),
        [platform, name, host] => format!("{platform}:{name}（{host}）"),
        _ => key.replace('\u{1f}', ":"),
    }
}

/// Re-derives `recorded` and compares: the algorithm, the population hash and count, each
/// stratum (in name order) and the randomly drawn keys in order. Returns what was checked,
/// or the first difference.
pub fn verify(recorded: &RecordedDraw<'_>) -> Result<Verified, Mismatch> {
    if recorded.algorithm != ALGORITHM {
        return Err(Mismatch::Algorithm(SamplingError::UnknownAlgorithm {
            name: recorded.algorithm.to_owned(),
            version: recorded.algorithm_version,
        }));
    }
    let computed = population_hash(recorded.population.iter().map(|c| c.key.as_str()));
    if computed != recorded.population_hash {
        return Err(Mismatch::PopulationHash {
            recorded: recorded.population_hash.to_owned(),
            computed,
        });
    }
    if recorded.population.len() != recorded.population_count {
        return Err(Mismatch::PopulationCount {
            recorded: recorded.population_count,
            computed: recorded.population.len(),
        });
    }
    let sample = super::sample(
        recorded.population,
        &recorded.options,
        recorded.seed,
        recorded.algorithm_version,
    )
    .map_err(Mismatch::Algorithm)?;
    compare_strata(&sample.strata, recorded.strata)?;
    let derived: Vec<&str> = sample
        .picks
        .iter()
        .map(|&(c, _)| recorded.population[c].key.as_str())
        .collect();
    for (i, (d, r)) in derived.iter().zip(recorded.sampled).enumerate() {
        if *d != r.as_str() {
            // An account recorded that the re-derivation never drew is "extra"; one drawn
            // elsewhere in the order is simply a different account at this place.
            return Err(Mismatch::Account {
                position: i + 1,
                recorded: r.clone(),
                derived: (*d).to_owned(),
            });
        }
    }
    if let Some(key) = recorded.sampled.get(derived.len()) {
        return Err(Mismatch::ExtraAccount {
            position: derived.len() + 1,
            key: key.clone(),
        });
    }
    if let Some(key) = derived.get(recorded.sampled.len()) {
        return Err(Mismatch::MissingAccount {
            position: recorded.sampled.len() + 1,
            key: (*key).to_owned(),
        });
    }
    Ok(Verified {
        population: recorded.population.len(),
        strata: sample.strata.len(),
        sampled: derived.len(),
        seed: recorded.seed,
        algorithm_version: recorded.algorithm_version,
    })
}

/// Walks the derived and recorded strata together, both in name order (the recorded ones
/// are sorted here, so that a record kept in another order is not a difference).
fn compare_strata(derived: &[StratumCount], recorded: &[StratumCount]) -> Result<(), Mismatch> {
    let mut recorded: Vec<&StratumCount> = recorded.iter().collect();
    recorded.sort_by(|a, b| a.key.cmp(&b.key));
    let missing = |x: &StratumCount| Mismatch::StratumMissing {
        stratum: x.key.clone(),
        population: x.population,
        sampled: x.sampled,
    };
    let (mut d, mut r) = (derived.iter().peekable(), recorded.into_iter().peekable());
    loop {
        match (d.peek(), r.peek()) {
            (None, None) => return Ok(()),
            (Some(x), Some(y)) if x.key == y.key => {
                if x.population != y.population {
                    return Err(Mismatch::StratumPopulation {
                        stratum: x.key.clone(),
                        derived: x.population,
                        recorded: y.population,
                    });
                }
                if x.sampled != y.sampled {
                    return Err(Mismatch::StratumSampled {
                        stratum: x.key.clone(),
                        derived: x.sampled,
                        recorded: y.sampled,
                    });
                }
                d.next();
                r.next();
            }
            (Some(x), Some(y)) if x.key < y.key => return Err(missing(x)),
            (Some(x), None) => return Err(missing(x)),
            (_, Some(y)) => {
                return Err(Mismatch::StratumExtra {
                    stratum: y.key.clone(),
                    population: y.population,
                    sampled: y.sampled,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Rate, Strata};

    fn population() -> Vec<Candidate> {
        (0..20)
            .map(|i| Candidate {
                key: format!("微信公众号\u{1f}id\u{1f}gh_{i:02}"),
                stratum: if i < 12 { "甲区" } else { "乙区" }.to_owned(),
                recently_drawn: i % 3 == 0,
            })
            .collect()
    }

    fn options() -> DrawOptions {
        DrawOptions {
            rate: Rate::MINIMUM,
            strata: Strata::County,
            prefer_not_drawn_in: 1,
        }
    }

    #[test]
    fn a_draw_verifies_and_each_change_is_named() {
        let population = population();
        let sample = super::super::sample(&population, &options(), 7, 2).expect("draw");
        let keys: Vec<String> = sample
            .picks
            .iter()
            .map(|&(c, _)| population[c].key.clone())
            .collect();
        let hash = population_hash(population.iter().map(|c| c.key.as_str()));
        let record = RecordedDraw {
            algorithm: ALGORITHM,
            algorithm_version: 2,
            options: options(),
            seed: 7,
            population: &population,
            population_count: 20,
            population_hash: &hash,
            strata: &sample.strata,
            sampled: &keys,
        };
        let ok = verify(&record).expect("verifies");
        assert_eq!((ok.population, ok.strata, ok.sampled), (20, 2, 7));

        let mut fewer = keys.clone();
        let last = fewer.pop().expect("a key");
        assert_eq!(
            verify(&RecordedDraw {
                sampled: &fewer,
                ..record
            }),
            Err(Mismatch::MissingAccount {
                position: 7,
                key: last
            })
        );
        let mut swapped = keys.clone();
        swapped.swap(0, 1);
        let err = verify(&RecordedDraw {
            sampled: &swapped,
            ..record
        })
        .expect_err("differs");
        assert!(
            err.to_string()
                .starts_with("第 1 个随机抽中的账号不同：记录为 微信公众号:gh_"),
            "{err}"
        );
        let mut strata = sample.strata.clone();
        strata[0].sampled -= 1;
        assert_eq!(
            verify(&RecordedDraw {
                strata: &strata,
                ..record
            })
            .expect_err("differs")
            .to_string(),
            "分层“乙区”应抽取 3 个，记录为 2 个。"
        );
        assert!(matches!(
            verify(&RecordedDraw {
                algorithm_version: 9,
                ..record
            }),
            Err(Mismatch::Algorithm(_))
        ));
    }

    #[test]
    fn keys_read_as_people_write_them() {
        assert_eq!(key_label("微信公众号\u{1f}id\u{1f}gh_x"), "微信公众号:gh_x");
        assert_eq!(
            key_label("抖音\u{1f}某发布\u{1f}某局"),
            "抖音:某发布（某局）"
        );
    }
}
