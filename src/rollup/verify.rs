//! Verifying a 上报包 on import, once its signature holds ([`super::package::RawReport::open`]):
//! whether its key is the one registered for the reporter, whether its sample follows from its
//! population, options, seed and algorithm version (re-derived with the same pure function as
//! `sample --verify`), whether every stratum reached the rate, and whether the totals it states
//! are the ones its verdicts give. Each failure is a Chinese reason; a package with an unknown
//! or changed key is refused, one with any other finding is accepted but not verified.

use std::collections::{BTreeMap, HashMap};

use super::key::normalize_fingerprint;
use super::package::{ReportAccount, ReportPackage, shown};
use crate::model::{
    Candidate, DrawOptions, Rate, ReportNumbers, ReportedAccount, Reporter, Strata,
};
use crate::sampling::StratumCount;
use crate::sampling::verify::{RecordedDraw, verify};

/// The flag a sample that does not follow from its seed carries.
pub const NOT_REPRODUCIBLE: &str = "抽样无法复现";
/// The flag of a stratum sampled below the rate.
pub const BELOW_RATE: &str = "抽查比例不足30%";
/// The flag of totals that do not follow from the verdicts.
pub const NUMBERS_DIFFER: &str = "数字与结果不符";
pub const KEY_UNREGISTERED: &str = "公钥未登记";
pub const KEY_CHANGED: &str = "公钥已变更";

/// What the checks found in one package.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The registered reporter whose key signed it, else the region the package names.
    pub reporter: String,
    /// Why it is refused (its key is not registered, or not the reporter's).
    pub refused: Vec<String>,
    /// What the checks found in an accepted package (not verified when any).
    pub flags: Vec<String>,
    /// The numbers its accounts give.
    pub numbers: ReportNumbers,
    /// Its population, with name and verdict of every sampled account.
    pub accounts: Vec<ReportedAccount>,
}

impl Assessment {
    #[must_use]
    pub fn accepted(&self) -> bool {
        self.refused.is_empty()
    }

    #[must_use]
    pub fn verified(&self) -> bool {
        self.refused.is_empty() && self.flags.is_empty()
    }
}

/// Assesses `package` against the registered `reporters`.
#[must_use]
pub fn assess(package: &ReportPackage, reporters: &[Reporter]) -> Assessment {
    let m = &package.manifest;
    let fingerprint = normalize_fingerprint(&m.fingerprint);
    let by_key = reporters
        .iter()
        .find(|r| normalize_fingerprint(&r.fingerprint) == fingerprint);
    let mut refused = Vec::new();
    let mut flags = Vec::new();
    let reporter = if let Some(r) = by_key {
        if r.name != m.region {
            flags.push(format!(
                "包中的地区名称“{}”与登记的名称“{}”不同（按公钥认定为{}）",
                shown(&m.region),
                r.name,
                r.name
            ));
        }
        r.name.clone()
    } else {
        match reporters.iter().find(|r| r.name == m.region) {
                Some(r) => refused.push(format!(
                    "{KEY_CHANGED}：包的公钥指纹为 {}，{}登记的为 {}。如对方确实更换了密钥，请电话核实新指纹后重新登记（rollup register）",
                    m.fingerprint, r.name, r.fingerprint
                )),
                None => refused.push(format!(
                    "{KEY_UNREGISTERED}：“{}”的公钥（指纹 {}）没有登记。请电话核实指纹后用 rollup register 登记",
                    shown(&m.region),
                    m.fingerprint
                )),
            }
        m.region.clone()
    };
    let data = &package.data;
    check_draw(package, &mut flags);
    check_strata(data, &mut flags);
    let numbers = numbers_of(package);
    check_totals(package, &numbers, &mut flags);
    Assessment {
        reporter,
        refused,
        flags,
        numbers,
        accounts: accounts_of(data),
    }
}

/// The draw re-derived from its population, options, seed and version must be the sample the
/// accounts list.
fn check_draw(package: &ReportPackage, flags: &mut Vec<String>) {
    let data = &package.data;
    let d = &data.draw;
    let hand_picked = "上报的样本不是按记录的随机种子抽出的，可能是人为挑选的样本";
    let rate = match Rate::from_basis_points(d.rate_bp) {
        Ok(rate) => rate,
        Err(e) => {
            flags.push(format!("{NOT_REPRODUCIBLE}：{e}"));
            return;
        }
    };
    let Some(strata) = Strata::parse(&d.strata) else {
        flags.push(format!(
            "{NOT_REPRODUCIBLE}：分层方式“{}”无法识别",
            shown(&d.strata)
        ));
        return;
    };
    let population: Vec<Candidate> = data
        .population
        .iter()
        .map(|p| Candidate {
            key: p.key.clone(),
            stratum: p.stratum.clone(),
            recently_drawn: p.recent,
        })
        .collect();
    let counts: Vec<StratumCount> = d
        .strata_counts
        .iter()
        .map(|s| StratumCount {
            key: s.key.clone(),
            population: s.population,
            sampled: s.sampled,
        })
        .collect();
    let outcome = verify(&RecordedDraw {
        algorithm: &d.algorithm,
        algorithm_version: d.algorithm_version,
        options: DrawOptions {
            rate,
            strata,
            prefer_not_drawn_in: d.prefer_not_drawn_in,
        },
        seed: d.seed,
        population: &population,
        population_count: d.population,
        population_hash: &d.population_hash,
        strata: &counts,
        sampled: &data.sampled,
    });
    if let Err(m) = outcome {
        flags.push(format!("{NOT_REPRODUCIBLE}：{m}{hand_picked}"));
        return;
    }
    // The accounts checked as drawn at random must be exactly the sample re-derived.
    let sampled: std::collections::HashSet<&str> =
        data.sampled.iter().map(String::as_str).collect();
    let drawn: Vec<&ReportAccount> = data.accounts.iter().filter(|a| a.drawn).collect();
    if let Some(a) = drawn.iter().find(|a| !sampled.contains(a.key.as_str())) {
        flags.push(format!(
            "{NOT_REPRODUCIBLE}：账号“{}”（{}）作为随机抽中的账号上报了检查结果，但按随机种子没有抽到它；{hand_picked}",
            shown(&a.name),
            a.platform
        ));
    } else if drawn.len() != sampled.len() {
        flags.push(format!(
            "{NOT_REPRODUCIBLE}：按随机种子抽中 {} 个账号，上报的抽查名单中只有 {} 个",
            sampled.len(),
            drawn.len()
        ));
    }
}

/// Every stratum's drawn accounts reach the rule's 30% of its population (counted from the
/// population and the accounts, not from the counts the package states).
fn check_strata(data: &super::package::ReportData, flags: &mut Vec<String>) {
    let mut sizes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for p in &data.population {
        sizes.entry(p.stratum.as_str()).or_default().0 += 1;
    }
    let population: std::collections::HashSet<&str> =
        data.population.iter().map(|p| p.key.as_str()).collect();
    for a in data.accounts.iter().filter(|a| a.drawn) {
        if population.contains(a.key.as_str()) {
            sizes.entry(a.stratum.as_str()).or_default().1 += 1;
        }
    }
    for (stratum, (n, drawn)) in sizes {
        let needed = Rate::MINIMUM.sample_size(n);
        if drawn < needed {
            flags.push(format!(
                "分层“{stratum}”{BELOW_RATE}（{n} 个账号抽查 {drawn} 个，应至少 {needed} 个）"
            ));
        }
    }
}

/// The numbers the accounts give.
fn numbers_of(package: &ReportPackage) -> ReportNumbers {
    let data = &package.data;
    let mut n = ReportNumbers {
        population: data.population.len(),
        sampled: data.accounts.len(),
        ..ReportNumbers::default()
    };
    let mut veto: BTreeMap<String, usize> = BTreeMap::new();
    for a in &data.accounts {
        if a.drawn {
            n.drawn += 1;
        }
        if a.recheck && !a.drawn {
            n.rechecks += 1;
        }
        match a.verdict.as_deref() {
            Some("合格") => n.passed += 1,
            Some(_) => {
                n.failed += 1;
                if a.recheck {
                    n.repeat_failures += 1;
                }
                let mut seen = std::collections::HashSet::new();
                for p in a.problems.iter().filter(|p| p.veto) {
                    if seen.insert(p.category.as_str()) {
                        *veto.entry(p.category.clone()).or_default() += 1;
                    }
                }
            }
            None => n.unfinished += 1,
        }
    }
    n.veto_problems = veto.into_iter().collect();
    n.by_platform = platforms_of(data);
    n.rectifications = data.rectifications.len();
    n.rectifications_closed = data
        .rectifications
        .iter()
        .filter(|r| r.status == "已复核关闭")
        .count();
    n.rectifications_overdue = data
        .rectifications
        .iter()
        .filter(|r| r.status == "逾期未反馈")
        .count();
    let made = package.manifest.created_at.date();
    let day = |t: &str| crate::model::time::parse_day(t);
    // (A package made before replies were recorded gives no 按期反馈率, not 0%.)
    for r in data.rectifications.iter().filter(|_| data.replies_recorded) {
        let replied = r.replied_on.as_deref().and_then(day);
        let deadline = day(&r.deadline);
        if replied.is_some() || deadline.is_some_and(|d| d < made) {
            n.rectifications_due += 1;
        }
        if let (Some(replied), Some(deadline)) = (replied, deadline)
            && replied <= deadline
        {
            n.replied_on_time += 1;
        }
    }
    n.notice_date = data.notice.as_ref().map(|x| x.exported_on.clone());
    n.notice_number = data.notice.as_ref().and_then(|x| x.number.clone());
    n
}

/// The population (by the platform its key starts with), the sample and its verdicts, by
/// platform.
fn platforms_of(data: &super::package::ReportData) -> Vec<crate::model::PlatformNumbers> {
    let mut tallies: BTreeMap<&str, crate::model::PlatformNumbers> = BTreeMap::new();
    for p in &data.population {
        let platform = p.key.split('\u{1f}').next().unwrap_or_default();
        tallies.entry(platform).or_default().population += 1;
    }
    for a in &data.accounts {
        let t = tallies.entry(a.platform.as_str()).or_default();
        t.sampled += 1;
        match a.verdict.as_deref() {
            Some("合格") => t.passed += 1,
            Some(_) => t.failed += 1,
            None => {}
        }
    }
    let named: Vec<crate::model::PlatformNumbers> = tallies
        .into_iter()
        .map(|(platform, t)| crate::model::PlatformNumbers {
            platform: platform.to_owned(),
            ..t
        })
        .collect();
    crate::model::platforms_added(&named)
}

/// The totals the package states must be the ones its population and verdicts give.
fn check_totals(package: &ReportPackage, n: &ReportNumbers, flags: &mut Vec<String>) {
    let t = &package.data.totals;
    let d = &package.data.draw;
    let mut differ = Vec::new();
    for (what, stated, actual) in [
        ("账号总数", t.population, n.population),
        ("抽样记录的总体数", d.population, n.population),
        ("抽查数", t.sampled, n.sampled),
        ("合格数", t.passed, n.passed),
        ("不合格数", t.failed, n.failed),
    ] {
        if stated != actual {
            differ.push(format!("{what}上报为 {stated}，按逐个账号计为 {actual}"));
        }
    }
    if !differ.is_empty() {
        flags.push(format!("{NUMBERS_DIFFER}：{}", differ.join("；")));
    }
}

/// The population with the sampled accounts' names and verdicts (复查 accounts outside the
/// population included).
fn accounts_of(data: &super::package::ReportData) -> Vec<ReportedAccount> {
    let sampled: HashMap<&str, &ReportAccount> =
        data.accounts.iter().map(|a| (a.key.as_str(), a)).collect();
    let mut out: BTreeMap<&str, ReportedAccount> = BTreeMap::new();
    let reported = |key: &str, stratum: &str, a: Option<&&ReportAccount>| ReportedAccount {
        key: key.to_owned(),
        stratum: stratum.to_owned(),
        sampled: a.is_some(),
        platform: a.map(|a| a.platform.clone()).unwrap_or_default(),
        account_id: a.map(|a| a.account_id.clone()).unwrap_or_default(),
        name: a.map(|a| a.name.clone()).unwrap_or_default(),
        host_unit: a.map(|a| a.host_unit.clone()).unwrap_or_default(),
        passed: a.and_then(|a| a.verdict.as_deref().map(|v| v == "合格")),
        problems: a
            .map(|a| {
                a.problems
                    .iter()
                    .map(|p| p.category.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .unwrap_or_default(),
    };
    for p in &data.population {
        out.insert(
            &p.key,
            reported(&p.key, &p.stratum, sampled.get(p.key.as_str())),
        );
    }
    for a in &data.accounts {
        out.entry(&a.key)
            .or_insert_with(|| reported(&a.key, &a.stratum, Some(&a)));
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollup::OfficeKey;
    use crate::rollup::package::{
        ReportData, ReportDraw, ReportManifest, ReportMember, ReportRectification, ReportStratum,
        ReportTotals,
    };
    use crate::sampling::{ALGORITHM, draw, population_hash};

    /// An honest package of 20 accounts in two strata, every sampled account 合格.
    fn package(key: &OfficeKey) -> ReportPackage {
        let population: Vec<Candidate> = (0..20)
            .map(|i| Candidate {
                key: format!("微信公众号\u{1f}id\u{1f}gh_{i:02}"),
                stratum: if i < 8 { "甲区" } else { "乙区" }.to_owned(),
                recently_drawn: false,
            })
            .collect();
        let options = DrawOptions::default();
        let sample = draw(&population, &options, 42);
        let accounts: Vec<ReportAccount> = sample
            .picks
            .iter()
            .map(|&(c, _)| ReportAccount {
                key: population[c].key.clone(),
                platform: "微信公众号".to_owned(),
                account_id: format!("gh_{c:02}"),
                name: format!("账号{c}"),
                host_unit: "某局".to_owned(),
                city: "甲市".to_owned(),
                county: population[c].stratum.clone(),
                stratum: population[c].stratum.clone(),
                drawn: true,
                recheck: false,
                verdict: Some("合格".to_owned()),
                problems: Vec::new(),
            })
            .collect();
        let when = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("test value");
        let data = ReportData {
            quarter: "2026Q4".to_owned(),
            region: "甲市".to_owned(),
            draw: ReportDraw {
                rate_bp: options.rate.basis_points(),
                strata: "county".to_owned(),
                seed: 42,
                algorithm: ALGORITHM.to_owned(),
                algorithm_version: 2,
                prefer_not_drawn_in: 0,
                population: 20,
                population_hash: population_hash(population.iter().map(|c| c.key.as_str())),
                drawn_at: when,
                drawn_by: "张三".to_owned(),
                strata_counts: sample
                    .strata
                    .iter()
                    .map(|s| ReportStratum {
                        key: s.key.clone(),
                        population: s.population,
                        sampled: s.sampled,
                    })
                    .collect(),
            },
            population: population
                .iter()
                .map(|c| ReportMember {
                    key: c.key.clone(),
                    stratum: c.stratum.clone(),
                    recent: false,
                })
                .collect(),
            sampled: accounts.iter().map(|a| a.key.clone()).collect(),
            totals: ReportTotals {
                population: 20,
                sampled: accounts.len(),
                passed: accounts.len(),
                failed: 0,
            },
            accounts,
            rectifications: Vec::new(),
            replies_recorded: true,
            notice: None,
        };
        ReportPackage {
            path: "甲市.spotcheck".into(),
            manifest: ReportManifest {
                format: String::new(),
                format_version: 1,
                package_id: "p1".to_owned(),
                created_at: when,
                created_by: "张三".to_owned(),
                region: "甲市".to_owned(),
                office: String::new(),
                quarter: "2026Q4".to_owned(),
                data_sm3: String::new(),
                signature_algorithm: String::new(),
                public_key: key.public().to_pem(),
                fingerprint: key.fingerprint(),
                log: None,
            },
            quarter: "2026Q4".parse().expect("test value"),
            key: key.public(),
            data,
        }
    }

    fn registered(name: &str, key: &OfficeKey) -> Reporter {
        Reporter {
            name: name.to_owned(),
            public_key: key.public().to_pem(),
            fingerprint: key.fingerprint(),
            expected: true,
            registered_at: chrono::NaiveDateTime::default(),
            registered_by: "李四".to_owned(),
        }
    }

    #[test]
    fn an_honest_package_verifies_and_each_kind_of_dishonesty_is_named() {
        let key = OfficeKey::from_random([3; 32]).expect("test value");
        let other = OfficeKey::from_random([4; 32]).expect("test value");
        let honest = package(&key);
        let ok = assess(&honest, &[registered("甲市", &key)]);
        assert!(ok.verified(), "{ok:#?}");
        assert_eq!(
            (ok.numbers.population, ok.numbers.passed),
            (20, 7),
            "3 of 8 and 4 of 12"
        );

        let unknown = assess(&honest, &[]);
        assert!(!unknown.accepted());
        assert!(unknown.refused[0].starts_with(KEY_UNREGISTERED));
        let changed = assess(&honest, &[registered("甲市", &other)]);
        assert!(changed.refused[0].starts_with(KEY_CHANGED), "{changed:#?}");

        // A hand-picked account in place of a drawn one.
        let mut picked = honest.clone();
        let outsider = picked
            .data
            .population
            .iter()
            .find(|p| !picked.data.sampled.contains(&p.key) && p.stratum == "甲区")
            .expect("test value")
            .key
            .clone();
        let a = picked
            .data
            .accounts
            .iter_mut()
            .find(|a| a.stratum == "甲区")
            .expect("test value");
        a.key.clone_from(&outsider);
        let found = assess(&picked, &[registered("甲市", &key)]);
        assert!(found.accepted() && !found.verified());
        assert!(found.flags[0].starts_with(NOT_REPRODUCIBLE), "{found:#?}");

        // A stratum cut below 30%, totals left as stated.
        let mut thin = honest.clone();
        thin.data.accounts.retain(|a| a.stratum != "乙区");
        let found = assess(&thin, &[registered("甲市", &key)]);
        let all = found.flags.join("\n");
        assert!(
            all.contains("分层“乙区”抽查比例不足30%（12 个账号抽查 0 个，应至少 4 个）"),
            "{all}"
        );
        assert!(all.contains(NUMBERS_DIFFER), "{all}");
    }

    /// 按期反馈率 counts the problems due by the package's day (deadline passed, or replied),
    /// and those replied by their deadline; the platforms come from the keys and the accounts.
    #[test]
    fn on_time_replies_and_platforms_are_counted_from_the_package() {
        let key = OfficeKey::from_random([5; 32]).expect("test value");
        let mut p = package(&key);
        let problem = |deadline: &str, replied: Option<&str>| ReportRectification {
            code: String::new(),
            account_key: String::new(),
            item: "V01".to_owned(),
            category: String::new(),
            veto: true,
            issued_on: "2026-11-20".to_owned(),
            deadline: deadline.to_owned(),
            status: String::new(),
            completed_on: None,
            replied_on: replied.map(str::to_owned),
        };
        // The package is made on 2026-12-01.
        p.data.rectifications = vec![
            problem("2026-11-28", Some("2026-11-27")), // due, on time
            problem("2026-11-28", Some("2026-11-30")), // due, late
            problem("2026-11-28", None),               // due, no reply
            problem("2026-12-10", Some("2026-11-29")), // replied early: on time
            problem("2026-12-10", None),               // not yet due
        ];
        let n = numbers_of(&p);
        assert_eq!((n.rectifications_due, n.replied_on_time), (4, 2));
        assert_eq!(n.on_time_rate(), Some(0.5));
        // A package made before replies were recorded: no rate, not 0%.
        p.data.replies_recorded = false;
        assert_eq!(numbers_of(&p).on_time_rate(), None);
        p.data.replies_recorded = true;
        assert_eq!(n.by_platform.len(), 1);
        let wx = &n.by_platform[0];
        assert_eq!(
            (wx.platform.as_str(), wx.population, wx.sampled, wx.passed),
            ("微信公众号", 20, n.sampled, n.passed)
        );
    }
}
