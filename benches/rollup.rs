//! Roll-up benchmark: 21 reporters × 5,000 accounts (105,000 accounts, 30% stratified draws in
//! 10 districts each, about 32,000 sampled), four quarters of signed 上报包. Measures, in a
//! child process (so that making the packages does not count): importing and verifying each
//! quarter's 21 packages into one 汇总 workspace (signature, key, the draw re-derived, strata,
//! totals, duplicates), then building the per-reporter table and writing the 汇总 workbook for
//! the last quarter. CPU seconds (user + system) and the peak resident memory (`VmHWM`).
//!
//! The packages are made once and kept in bench-data/rollup/.
//!
//! Run: `cargo bench --bench rollup`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDateTime;
use spotcheck::model::{Candidate, DrawOptions, Reporter};
use spotcheck::rollup::OfficeKey;
use spotcheck::rollup::package::{
    ReportAccount, ReportData, ReportDraw, ReportManifest, ReportMember, ReportProblem,
    ReportStratum, ReportTotals, write_report,
};
use spotcheck::sampling::{ALGORITHM, ALGORITHM_VERSION, draw, population_hash};
use spotcheck::store::Store;

const REPORTERS: usize = 21;
const ACCOUNTS: usize = 5_000;
const QUARTERS: [&str; 4] = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"];

fn cpu_and_peak() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let peak = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    ((tick(11) + tick(12)) / 100.0, peak / 1024.0)
}

fn name(r: usize) -> String {
    format!("第{:02}市", r + 1)
}

fn key(r: usize) -> OfficeKey {
    let byte = u8::try_from(r + 1).expect("few reporters");
    OfficeKey::from_random([byte; 32]).expect("key")
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time")
}

fn package_path(dir: &Path, r: usize, quarter: &str) -> PathBuf {
    dir.join(format!("{}-{quarter}-上报.spotcheck", name(r)))
}

/// One reporter's quarter, drawn honestly, about 1 in 7 sampled accounts 不合格.
#[allow(clippy::too_many_lines)] // one package, field by field
fn make(dir: &Path, r: usize, q: usize) {
    let quarter = QUARTERS[q];
    let region = name(r);
    let population: Vec<Candidate> = (0..ACCOUNTS)
        .map(|i| Candidate {
            key: format!("微信公众号\u{1f}id\u{1f}gh_{r:02}_{i:05}"),
            stratum: format!("{region}{}区", i % 10),
            recently_drawn: false,
        })
        .collect();
    let options = DrawOptions::default();
    let seed = (r * 10 + q) as u64 + 1;
    let sample = draw(&population, &options, seed);
    let mut accounts = Vec::with_capacity(sample.len());
    let (mut passed, mut failed) = (0, 0);
    for (n, &(c, _)) in sample.picks.iter().enumerate() {
        let p = &population[c];
        let fail = n % 7 == 0;
        if fail {
            failed += 1;
        } else {
            passed += 1;
        }
        accounts.push(ReportAccount {
            key: p.key.clone(),
            platform: "微信公众号".to_owned(),
            account_id: p.key.rsplit('\u{1f}').next().unwrap_or("").to_owned(),
            name: format!("{}发布{c}", p.stratum),
            host_unit: format!("{}某局", p.stratum),
            city: region.clone(),
            county: p.stratum.clone(),
            stratum: p.stratum.clone(),
            drawn: true,
            recheck: false,
            verdict: Some(if fail { "不合格" } else { "合格" }.to_owned()),
            problems: if fail {
                vec![ReportProblem {
                    item: "V04".to_owned(),
                    category: "监测时间点前2周内无更新".to_owned(),
                    veto: true,
                    note: "最后更新超过两周".to_owned(),
                    links: vec!["https://mp.example.cn/s/1".to_owned()],
                }]
            } else {
                Vec::new()
            },
        });
    }
    let data = ReportData {
        quarter: quarter.to_owned(),
        region: region.clone(),
        draw: ReportDraw {
            rate_bp: options.rate.basis_points(),
            strata: options.strata.as_str().to_owned(),
            seed,
            algorithm: ALGORITHM.to_owned(),
            algorithm_version: ALGORITHM_VERSION,
            prefer_not_drawn_in: 0,
            population: population.len(),
            population_hash: population_hash(population.iter().map(|c| c.key.as_str())),
            drawn_at: at("2026-10-08 09:00"),
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
            population: population.len(),
            sampled: accounts.len(),
            passed,
            failed,
        },
        accounts,
        rectifications: Vec::new(),
        replies_recorded: true,
        notice: None,
    };
    let manifest = ReportManifest {
        format: String::new(),
        format_version: 0,
        package_id: format!("bench-{r}-{quarter}"),
        created_at: at("2026-12-20 10:00"),
        created_by: "张三".to_owned(),
        region,
        office: String::new(),
        quarter: quarter.to_owned(),
        data_sm3: String::new(),
        signature_algorithm: String::new(),
        public_key: String::new(),
        fingerprint: String::new(),
        log: None,
    };
    write_report(&package_path(dir, r, quarter), manifest, &data, &key(r)).expect("write");
}

fn measure(dir: &Path) {
    let db = dir.join("汇总.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(&db).expect("open");
    let now = at("2026-12-28 10:00");
    store
        .transaction(|tx| {
            for r in 0..REPORTERS {
                let k = key(r);
                tx.upsert_reporter(&Reporter {
                    name: name(r),
                    public_key: k.public().to_pem(),
                    fingerprint: k.fingerprint(),
                    expected: true,
                    registered_at: now,
                    registered_by: "基准".to_owned(),
                })?;
            }
            Ok::<_, spotcheck::store::StoreError>(())
        })
        .expect("register");
    for quarter in QUARTERS {
        let (cpu0, _) = cpu_and_peak();
        let wall = Instant::now();
        let mut verified = 0;
        for r in 0..REPORTERS {
            let o = spotcheck::steps::rollup::import_one(
                &mut store,
                &package_path(dir, r, quarter),
                now,
            )
            .expect("import");
            assert!(o.accepted, "{o:?}");
            verified += usize::from(o.verified);
        }
        let (cpu1, peak) = cpu_and_peak();
        println!(
            "{quarter}：导入并核验 {REPORTERS} 个上报包（{verified} 个核验通过）：CPU {:.2} s，用时 {:.2} s，内存峰值 {peak:.0} MiB",
            cpu1 - cpu0,
            wall.elapsed().as_secs_f64()
        );
    }
    let quarter = QUARTERS[3].parse().expect("quarter");
    let (cpu0, _) = cpu_and_peak();
    let table = spotcheck::steps::rollup::rollup_table(&store, quarter).expect("table");
    let out = dir.join("汇总.xlsx");
    let dup: Vec<(String, Vec<String>)> = Vec::new();
    spotcheck::export::write_rollup(
        quarter,
        &table.reporters,
        &table.total,
        &table.packages,
        &dup,
        &table.rechecks,
        &out,
    )
    .expect("xlsx");
    let (cpu1, peak) = cpu_and_peak();
    println!(
        "汇总表（{} 个上报单位，抽查 {} 个，合格率 {}）：CPU {:.2} s；整个过程内存峰值 {peak:.0} MiB",
        table.reporters.len(),
        table.total.sampled,
        spotcheck::rollup::summary::percent(table.total.pass_rate),
        cpu1 - cpu0
    );
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data/rollup");
    std::fs::create_dir_all(&dir).expect("bench-data");
    if std::env::args().any(|a| a == "--measure") {
        measure(&dir);
        return;
    }
    for (q, quarter) in QUARTERS.iter().enumerate() {
        for r in 0..REPORTERS {
            if !package_path(&dir, r, quarter).exists() {
                make(&dir, r, q);
            }
        }
    }
    let status = std::process::Command::new(std::env::current_exe().expect("exe"))
        .arg("--measure")
        .status()
        .expect("measure");
    assert!(status.success());
}
