//! The quarterly draw end to end: through the store (counts, reproducibility, redraws, the
//! operation log and its tamper check, the preference for accounts not drawn recently,
//! inspectors), through the 抽查名单 export read back from the file, and through the real
//! binary (`sample`, `assign`) with good and bad input.
//!
//! Expected counts are computed here from the generated roster, not from the store, so that a
//! wrong population or a wrong ceiling in the store shows up as a mismatch.

// Each test walks one scenario from roster to result; splitting them would hide the story.
#![allow(clippy::too_many_lines)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;

use crate::support::clock::at;
use crate::support::{has_cjk, path_str, stderr, stdout};
use calamine::{Data, Range, Reader, open_workbook_auto};
use serde_json::Value;
use spotcheck::model::{Account, AccountStatus, Quarter, account_key};
use spotcheck::model::{DrawRecord, DrawRequest};
use spotcheck::sampling::{self, Candidate, DrawOptions, Rate, Strata};
use spotcheck::steps::draw::DrawError;
use spotcheck::store::{Store, settings};
use tempfile::TempDir;

const ROSTER_SIZE: usize = 600;
const ROSTER_SEED: u64 = 11;
const DRAWER: &str = "王督查";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn quarter(text: &str) -> Quarter {
    text.parse().expect("valid quarter")
}

fn demo_roster() -> Vec<Account> {
    spotcheck::steps::demo::accounts(ROSTER_SIZE, ROSTER_SEED)
}

fn write_roster(dir: &Path, name: &str, accounts: &[Account]) -> PathBuf {
    let path = dir.join(name);
    spotcheck::steps::demo::write_roster_xlsx(accounts, &path).expect("write roster");
    path
}

/// A fresh database in `dir` with `accounts` imported (through the real reader) and the
/// user name set.
fn store_with(dir: &Path, db: &str, accounts: &[Account]) -> Store {
    let roster = write_roster(dir, &format!("{db}.xlsx"), accounts);
    let mut store = Store::open(&dir.join(db)).expect("open store");
    store
        .set_setting(settings::USER_NAME, DRAWER)
        .expect("set user name");
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("preview");
    let report =
        spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-10-08 09:30"))
            .expect("commit");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.duplicates.is_empty(), "{:?}", report.duplicates);
    assert_eq!(report.imported as usize, accounts.len());
    store
}

fn request(q: &str, seed: u64, prefer_not_drawn_in: u32, reason: Option<&str>) -> DrawRequest {
    DrawRequest {
        quarter: quarter(q),
        options: DrawOptions {
            rate: Rate::MINIMUM,
            strata: Strata::County,
            prefer_not_drawn_in,
        },
        seed,
        reason: reason.map(str::to_owned),
        void_work: false,
    }
}

/// ⌈0.3·n⌉, in integers.
fn ceil_30_percent(n: usize) -> usize {
    (3 * n).div_ceil(10)
}

/// The in-operation accounts of a roster by stratum (区县, or 地市 where blank).
fn expected_strata(accounts: &[Account]) -> BTreeMap<String, usize> {
    let mut strata = BTreeMap::new();
    for a in accounts.iter().filter(|a| a.status.in_operation()) {
        *strata.entry(a.region()).or_insert(0) += 1;
    }
    strata
}

/// What the draw must give, computed from the roster itself (not from the store).
fn expected_keys(accounts: &[Account], seed: u64) -> Vec<String> {
    let candidates: Vec<Candidate> = accounts
        .iter()
        .filter(|a| a.status.in_operation())
        .map(|a| Candidate {
            key: a.key(),
            stratum: a.region(),
            recently_drawn: false,
        })
        .collect();
    let options = DrawOptions::default();
    sampling::draw(&candidates, &options, seed)
        .picks
        .iter()
        .map(|&(c, _)| candidates[c].key.clone())
        .collect()
}

fn drawn_keys(record: &DrawRecord) -> Vec<String> {
    record
        .accounts
        .iter()
        .map(|d| d.account.account.key())
        .collect()
}

/// Accounts of a draw grouped by stratum.
fn by_stratum(record: &DrawRecord) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in &record.accounts {
        out.entry(d.stratum.clone())
            .or_default()
            .insert(d.account.account.key());
    }
    out
}

/// A sheet as a grid indexed from A1, whatever cell the range starts at.
fn grid(range: &Range<Data>) -> Vec<Vec<Data>> {
    let Some((rows, cols)) = range.end() else {
        return Vec::new();
    };
    (0..=rows)
        .map(|r| {
            (0..=cols)
                .map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                .collect()
        })
        .collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// A whole number written as a cell (Excel stores every number as a float).
fn count(cell: &Data) -> usize {
    let value = match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, found {other:?}"),
    };
    assert!(
        value >= 0.0 && value.fract() == 0.0,
        "{value} is not a count"
    );
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = value as usize;
    n
}

fn fraction(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        other => panic!("expected a fraction, found {other:?}"),
    }
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book = open_workbook_auto(path).expect("open written workbook");
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    grid(&range)
}

fn zipped_text(path: &Path, member: &str) -> String {
    let file = std::fs::File::open(path).expect("open xlsx");
    let mut archive = zip::ZipArchive::new(file).expect("xlsx is a zip");
    let mut entry = archive
        .by_name(member)
        .unwrap_or_else(|e| panic!("{member}: {e}"));
    let mut out = String::new();
    entry.read_to_string(&mut out).expect("read member");
    out
}

// ---------------------------------------------------------------------------------------------
// 1. The draw in the store
// ---------------------------------------------------------------------------------------------

#[test]
fn draw_counts_hash_and_info_match_the_roster() {
    let dir = TempDir::new().expect("tempdir");
    let roster = demo_roster();
    let mut store = store_with(dir.path(), "t.db", &roster);
    let seed = 20_261_004;
    let record = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", seed, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("draw");

    // The population: in operation only; the rest listed apart.
    let in_operation: Vec<&Account> = roster.iter().filter(|a| a.status.in_operation()).collect();
    let stopped: Vec<&Account> = roster.iter().filter(|a| !a.status.in_operation()).collect();
    assert!(
        !stopped.is_empty(),
        "the demo roster has stopped accounts to leave out"
    );
    assert!(
        roster.iter().any(|a| a.status == AccountStatus::Changed),
        "and 变更 accounts to keep in"
    );
    assert_eq!(record.info.population, in_operation.len());
    assert_eq!(record.info.excluded, stopped.len());
    assert_eq!(record.excluded.len(), stopped.len());
    let excluded_keys: BTreeSet<String> = record.excluded.iter().map(|s| s.account.key()).collect();
    let stopped_keys: BTreeSet<String> = stopped.iter().map(|a| a.key()).collect();
    assert_eq!(excluded_keys, stopped_keys);
    assert!(record.excluded.iter().all(|s| matches!(
        s.account.status,
        AccountStatus::Stopped | AccountStatus::Deregistered
    )));

    // Every stratum gets ⌈30%·N_h⌉, and the strata are the roster's counties.
    let expected = expected_strata(&roster);
    assert_eq!(expected.len(), 8, "the demo roster has eight counties");
    let stored: BTreeMap<String, (usize, usize)> = record
        .strata
        .iter()
        .map(|s| (s.key.clone(), (s.population, s.sampled)))
        .collect();
    let wanted: BTreeMap<String, (usize, usize)> = expected
        .iter()
        .map(|(k, &n)| (k.clone(), (n, ceil_30_percent(n))))
        .collect();
    assert_eq!(stored, wanted);
    let groups = by_stratum(&record);
    for (key, &(n, s)) in &wanted {
        let drawn = groups.get(key).map_or(0, BTreeSet::len);
        assert_eq!(drawn, s, "stratum {key}: {s} of {n} distinct accounts");
    }
    for d in &record.accounts {
        assert_eq!(d.stratum, d.account.account.region());
        assert!(d.account.account.status.in_operation(), "{d:?}");
        assert!(d.drawn && !d.recheck && d.inspector.is_none(), "{d:?}");
    }
    let total: usize = wanted.values().map(|&(_, s)| s).sum();
    assert_eq!(record.info.sampled, total);
    assert_eq!(record.accounts.len(), total);
    assert_eq!(
        drawn_keys(&record).iter().collect::<HashSet<_>>().len(),
        total,
        "no account drawn twice"
    );
    assert!(
        total * 10 >= record.info.population * 3,
        "at least 30% overall"
    );

    // The accounts, in draw order, are what the algorithm gives on the roster itself.
    assert_eq!(drawn_keys(&record), expected_keys(&roster, seed));

    // How it was drawn.
    let keys: Vec<String> = in_operation.iter().map(|a| a.key()).collect();
    assert_eq!(
        record.info.population_hash,
        sampling::population_hash(keys.iter().map(String::as_str))
    );
    assert_eq!(record.info.population_hash.len(), 64);
    let i = &record.info;
    assert_eq!(i.quarter, quarter("2026Q4"));
    assert_eq!(i.rate, Rate::MINIMUM);
    assert_eq!(i.strata, Strata::County);
    assert_eq!(i.seed, seed);
    assert_eq!(i.algorithm, "stratified-sorted-chacha20");
    assert_eq!(i.algorithm, sampling::ALGORITHM);
    assert_eq!(i.algorithm_version, 2);
    assert_eq!(i.prefer_not_drawn_in, 0);
    assert_eq!(i.rechecks, 0);
    assert_eq!(i.drawn_by, DRAWER);
    assert_eq!(i.drawn_at, at("2026-10-10 09:30"));
    assert_eq!(i.reason, None);
    assert_eq!(i.superseded_at, None);

    // It is the quarter's draw, reads back the same, and is logged.
    let current = store
        .current_draw(quarter("2026Q4"))
        .expect("read")
        .expect("a current draw");
    assert_eq!(current, record);
    assert_eq!(store.draw_record(record.info.id).expect("by id"), record);
    assert!(
        store
            .current_draw(quarter("2026Q3"))
            .expect("read")
            .is_none(),
        "other quarters have no draw"
    );
    let log = store.log_entries().expect("log");
    let last = log.last().expect("an entry");
    assert_eq!(last.action, "抽样");
    assert_eq!(last.actor, DRAWER);
    assert_eq!(last.at, at("2026-10-10 09:30"));
    assert!(
        last.detail.contains("2026年第四季度") && last.detail.contains(&seed.to_string()),
        "{}",
        last.detail
    );
    assert_eq!(store.verify_log().expect("verify"), None);
}

// ---------------------------------------------------------------------------------------------
// 2. Reproducible
// ---------------------------------------------------------------------------------------------

#[test]
fn the_same_roster_and_seed_give_the_same_sample_in_another_database() {
    let dir = TempDir::new().expect("tempdir");
    let roster = demo_roster();
    let seed = 7_351_902;
    let req = request("2026Q4", seed, 0, None);

    let mut a = store_with(dir.path(), "a.db", &roster);
    let first =
        spotcheck::steps::draw::make_draw(&mut a, &req, at("2026-10-10 09:30")).expect("draw a");
    let mut b = store_with(dir.path(), "b.db", &roster);
    let second =
        spotcheck::steps::draw::make_draw(&mut b, &req, at("2026-10-12 15:30")).expect("draw b");
    // The roster in the opposite row order: other row ids, same population.
    let reversed: Vec<Account> = roster.iter().rev().cloned().collect();
    let mut c = store_with(dir.path(), "c.db", &reversed);
    let third =
        spotcheck::steps::draw::make_draw(&mut c, &req, at("2026-10-13 16:30")).expect("draw c");

    let keys = drawn_keys(&first);
    assert!(!keys.is_empty());
    assert_eq!(drawn_keys(&second), keys, "same accounts in the same order");
    assert_eq!(
        drawn_keys(&third),
        keys,
        "the roster's row order does not matter"
    );
    for other in [&second, &third] {
        assert_eq!(other.strata, first.strata);
        assert_eq!(other.info.population_hash, first.info.population_hash);
        let stratum_order: Vec<&str> = other.accounts.iter().map(|d| d.stratum.as_str()).collect();
        let first_order: Vec<&str> = first.accounts.iter().map(|d| d.stratum.as_str()).collect();
        assert_eq!(stratum_order, first_order);
    }

    // A different seed draws a different sample of the same sizes.
    let other = spotcheck::steps::draw::make_draw(
        &mut c,
        &request("2026Q4", seed + 1, 0, Some("核对种子")),
        at("2026-10-14 09:30"),
    )
    .expect("redraw");
    assert_ne!(drawn_keys(&other), keys);
    assert_eq!(other.strata, first.strata);
}

/// Two 地市 whose 区县 have the same names (every city has its 城区): each 区县 is a stratum of
/// its own, named by 地市 and 区县, and gets ⌈30%⌉ of its own accounts; a 区县 written with its
/// 地市 already in it (甲市东城区) is the same stratum as 甲市 + 东城区; the 地市's own accounts
/// are the 地市's stratum.
#[test]
fn same_named_counties_of_two_cities_are_two_strata() {
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(300, 5);
    for (i, a) in roster.iter_mut().enumerate() {
        a.city = if i % 2 == 0 { "甲市" } else { "乙市" }.to_owned();
        if i % 11 == 0 {
            a.county = String::new();
        } else if i % 7 == 0 {
            a.county = format!("{}{}", a.city, a.county);
        }
    }
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for a in roster.iter().filter(|a| a.status.in_operation()) {
        let key = if a.county.is_empty() {
            a.city.clone()
        } else if a.county.starts_with(&a.city) {
            a.county.clone()
        } else {
            format!("{}{}", a.city, a.county)
        };
        *expected.entry(key).or_insert(0) += 1;
    }
    assert!(expected.contains_key("甲市北湖区") && expected.contains_key("乙市北湖区"));
    assert!(expected.contains_key("甲市") && expected.contains_key("乙市"));

    let mut store = store_with(dir.path(), "two.db", &roster);
    let record = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 42, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("draw");
    let stored: BTreeMap<String, (usize, usize)> = record
        .strata
        .iter()
        .map(|s| (s.key.clone(), (s.population, s.sampled)))
        .collect();
    let wanted: BTreeMap<String, (usize, usize)> = expected
        .iter()
        .map(|(k, &n)| (k.clone(), (n, ceil_30_percent(n))))
        .collect();
    assert_eq!(stored, wanted);
    for d in &record.accounts {
        let a = &d.account.account;
        assert!(
            d.stratum.starts_with(&a.city),
            "{} in {}",
            a.name,
            d.stratum
        );
    }
    assert_eq!(record.stratum_name("甲市"), "甲市（市直）");
    assert_eq!(record.stratum_name("乙市北湖区"), "乙市北湖区");
}

// ---------------------------------------------------------------------------------------------
// 3. Redraws
// ---------------------------------------------------------------------------------------------

#[test]
fn a_redraw_needs_a_reason_and_keeps_the_old_draw_in_history() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with(dir.path(), "t.db", &demo_roster());
    let q = quarter("2026Q4");
    let original = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 1111, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("first draw");
    let history = store.draw_history(q).expect("history");
    let log_len = store.log_entries().expect("log").len();

    for reason in [None, Some(""), Some("  \u{3000} ")] {
        let err = spotcheck::steps::draw::make_draw(
            &mut store,
            &request("2026Q4", 2222, 0, reason),
            at("2026-10-11 09:30"),
        )
        .expect_err("a second draw without a reason is refused");
        assert!(matches!(err, DrawError::NeedsReason { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains("2026年第四季度") && message.contains("理由"),
            "{message}"
        );
        assert!(
            message.contains("2026-10-10 09:30"),
            "names when it was drawn: {message}"
        );
        assert_eq!(
            store.current_draw(q).expect("read"),
            Some(original.clone()),
            "the draw is unchanged"
        );
        assert_eq!(store.draw_history(q).expect("history"), history);
        assert_eq!(store.log_entries().expect("log").len(), log_len);
    }

    let reason = "名录更新后补录了 12 个账号";
    let redraw = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 2222, 0, Some(reason)),
        at("2026-10-11 10:30"),
    )
    .expect("redraw with a reason");
    assert_eq!(redraw.info.reason.as_deref(), Some(reason));
    assert_eq!(redraw.info.superseded_at, None);
    assert_eq!(redraw.info.seed, 2222);
    assert_ne!(redraw.info.id, original.info.id);

    let history = store.draw_history(q).expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].id, original.info.id, "the old draw first");
    assert_eq!(history[0].superseded_at, Some(at("2026-10-11 10:30")));
    assert_eq!(history[0].seed, 1111);
    assert_eq!(history[0].reason, None);
    assert_eq!(history[1], redraw.info, "the one in force last");
    assert_eq!(
        store.current_draw(q).expect("read").map(|d| d.info.id),
        Some(redraw.info.id)
    );
    // The old draw is kept whole.
    let old = store.draw_record(original.info.id).expect("old draw");
    assert_eq!(drawn_keys(&old), drawn_keys(&original));
    assert_eq!(old.info.superseded_at, Some(at("2026-10-11 10:30")));

    let log = store.log_entries().expect("log");
    assert_eq!(log.len(), log_len + 1);
    let last = log.last().expect("entry");
    assert_eq!(last.action, "重新抽样");
    assert_eq!(last.actor, DRAWER);
    assert!(last.detail.contains(reason), "{}", last.detail);
    assert!(last.detail.contains("2026年第四季度"), "{}", last.detail);
    assert_eq!(store.verify_log().expect("verify"), None);
}

/// A redraw after checks began says what it voids and needs `void_work`; checks of accounts in
/// both draws come along; once 整改 is issued, no redraw at all.
#[test]
fn a_redraw_after_work_began_needs_confirmation_and_none_after_rectification() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with(dir.path(), "t.db", &demo_roster());
    let q = quarter("2026Q4");
    let first = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 1111, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("first draw");
    // Nothing started yet: a redraw with a reason needs no confirmation.
    let unstarted = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 1212, 0, Some("名录有误")),
        at("2026-10-10 10:30"),
    )
    .expect("redraw before any work");
    assert_ne!(unstarted.info.id, first.info.id);
    let finished =
        spotcheck::steps::demo::complete_checks(&mut store, &unstarted, at("2026-10-11 09:30"))
            .expect("checks");
    assert_eq!(finished, unstarted.accounts.len());
    let work = spotcheck::steps::draw::work_on(&store, q).expect("work");
    assert_eq!(work.checks_started, finished);

    let log_len = store.log_entries().expect("log").len();
    let err = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 2222, 0, Some("补录账号")),
        at("2026-10-12 09:30"),
    )
    .expect_err("refused without confirmation");
    assert!(matches!(err, DrawError::WouldVoidWork { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("已开始 {finished} 个账号的检查")),
        "{message}"
    );
    assert_eq!(
        store.current_draw(q).expect("read").map(|d| d.info.id),
        Some(unstarted.info.id),
        "nothing changed"
    );
    assert_eq!(store.log_entries().expect("log").len(), log_len);

    let mut confirmed = request("2026Q4", 2222, 0, Some("补录账号"));
    confirmed.void_work = true;
    let redraw = spotcheck::steps::draw::make_draw(&mut store, &confirmed, at("2026-10-12 10:30"))
        .expect("confirmed redraw");
    let old_ids: HashSet<i64> = unstarted.accounts.iter().map(|d| d.account.id).collect();
    let both: Vec<i64> = redraw
        .accounts
        .iter()
        .map(|d| d.account.id)
        .filter(|id| old_ids.contains(id))
        .collect();
    assert!(!both.is_empty(), "the two draws share accounts");
    for &account in &both {
        let old = store
            .inspection(unstarted.info.id, account)
            .expect("read")
            .expect("old check");
        let new = store
            .inspection(redraw.info.id, account)
            .expect("read")
            .expect("carried check");
        assert_eq!(new.status, old.status);
        assert_eq!(new.verdict, old.verdict);
        assert_eq!(new.inspector, old.inspector);
        assert_eq!(new.findings, old.findings);
        assert_eq!(new.evidence.len(), old.evidence.len());
    }
    for d in redraw
        .accounts
        .iter()
        .filter(|d| !old_ids.contains(&d.account.id))
    {
        assert_eq!(
            store
                .inspection(redraw.info.id, d.account.id)
                .expect("read"),
            None,
            "a newly drawn account starts unchecked"
        );
    }
    let last = store.log_entries().expect("log").pop().expect("entry");
    assert_eq!(last.action, "重新抽样");
    assert!(
        last.detail
            .contains(&format!("其中 {} 个账号的检查带到新样本", both.len())),
        "{}",
        last.detail
    );

    // 整改 issued on the draw in force: no redraw, confirmed or not.
    let sheets = dir.path().join("整改表.xlsx");
    let issued = spotcheck::steps::rectification::export_rectification(
        &mut store,
        q,
        &spotcheck::steps::rectification::SheetTarget::Book(sheets),
        at("2026-10-13 09:30"),
    )
    .expect("issue");
    assert!(issued.problems > 0, "{}", issued.summary());
    let mut again = request("2026Q4", 3333, 0, Some("再抽一次"));
    again.void_work = true;
    let err = spotcheck::steps::draw::make_draw(&mut store, &again, at("2026-10-14 09:30"))
        .expect_err("refused after 整改");
    assert!(
        matches!(err, DrawError::RectificationIssued { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("整改已经下发"), "{err}");
    assert_eq!(
        store.current_draw(q).expect("read").map(|d| d.info.id),
        Some(redraw.info.id)
    );
}

/// The CLI refuses a redraw that voids work unless told `--void-work`.
#[test]
fn the_cli_redraws_over_work_only_with_void_work() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut store = store_with(dir.path(), "t.db", &demo_roster());
    let draw = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 1111, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("draw");
    spotcheck::steps::demo::complete_checks(&mut store, &draw, at("2026-10-11 09:30"))
        .expect("checks");
    drop(store);
    let args = [
        "sample",
        "--quarter",
        "2026Q4",
        "--seed",
        "9",
        "--reason",
        "补录",
    ];
    let refused = run(&db, &args);
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(
        err.contains("检查工作已经开始") && err.contains("--void-work"),
        "{err}"
    );
    let mut confirmed = args.to_vec();
    confirmed.push("--void-work");
    let done = run(&db, &confirmed);
    assert!(done.status.success(), "{}", stderr(&done));
}

// ---------------------------------------------------------------------------------------------
// 4. Tampering
// ---------------------------------------------------------------------------------------------

#[test]
fn editing_an_old_log_entry_is_detected() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    {
        let mut store = store_with(dir.path(), "t.db", &demo_roster());
        spotcheck::steps::draw::make_draw(
            &mut store,
            &request("2026Q4", 5, 0, None),
            at("2026-10-10 09:30"),
        )
        .expect("draw");
        spotcheck::steps::draw::make_draw(
            &mut store,
            &request("2026Q4", 6, 0, Some("复核")),
            at("2026-10-10 10:30"),
        )
        .expect("redraw");
        let actions: Vec<String> = store
            .log_entries()
            .expect("log")
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["导入名录", "抽样", "重新抽样"]);
        assert_eq!(store.verify_log().expect("verify"), None);
    }

    let conn = rusqlite::Connection::open(&db).expect("raw open");
    let changed = conn
        .execute(
            "UPDATE operation_log SET detail = detail || '（已改）' WHERE id = (SELECT min(id) FROM operation_log)",
            [],
        )
        .expect("edit the first entry");
    assert_eq!(changed, 1);
    drop(conn);

    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.verify_log().expect("verify"), Some(1));
    assert!(
        store.log_entries().expect("log")[0]
            .detail
            .ends_with("（已改）")
    );
}

#[test]
fn editing_a_later_log_entry_is_detected_at_that_entry() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    {
        let mut store = store_with(dir.path(), "t.db", &demo_roster());
        spotcheck::steps::draw::make_draw(
            &mut store,
            &request("2026Q4", 5, 0, None),
            at("2026-10-10 09:30"),
        )
        .expect("draw");
        assert_eq!(store.verify_log().expect("verify"), None);
    }
    let conn = rusqlite::Connection::open(&db).expect("raw open");
    conn.execute("UPDATE operation_log SET actor = '他人' WHERE id = 2", [])
        .expect("edit");
    drop(conn);
    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.verify_log().expect("verify"), Some(2));
}

// ---------------------------------------------------------------------------------------------
// 5. Nothing to draw from
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_population_is_refused_and_nothing_is_stored() {
    let dir = TempDir::new().expect("tempdir");
    let q = quarter("2026Q4");

    let mut empty = Store::open(&dir.path().join("empty.db")).expect("open");
    let err = spotcheck::steps::draw::make_draw(
        &mut empty,
        &request("2026Q4", 1, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect_err("nothing to draw from");
    assert!(matches!(err, DrawError::EmptyPopulation), "{err:?}");
    assert!(err.to_string().contains("导入"), "{err}");
    assert!(empty.current_draw(q).expect("read").is_none());
    assert!(empty.draw_history(q).expect("history").is_empty());
    assert!(empty.log_entries().expect("log").is_empty());

    // A roster whose accounts are all stopped has no population either.
    let mut stopped = demo_roster()[..20].to_vec();
    for (i, a) in stopped.iter_mut().enumerate() {
        a.status = if i % 2 == 0 {
            AccountStatus::Stopped
        } else {
            AccountStatus::Deregistered
        };
    }
    let mut store = store_with(dir.path(), "stopped.db", &stopped);
    let log_len = store.log_entries().expect("log").len();
    let err = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 1, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect_err("only stopped accounts");
    assert!(matches!(err, DrawError::EmptyPopulation), "{err:?}");
    assert!(store.draw_history(q).expect("history").is_empty());
    assert_eq!(store.log_entries().expect("log").len(), log_len);
}

// ---------------------------------------------------------------------------------------------
// 6. Preferring accounts not drawn last quarter
// ---------------------------------------------------------------------------------------------

#[test]
fn prefer_not_drawn_avoids_last_quarters_accounts_where_it_can() {
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(400, 23);
    // A one-account county: its account must be drawn every quarter whatever the preference.
    let mut lone = roster[0].clone();
    lone.county = "独户县".to_owned();
    lone.account_id = "lone_0001".to_owned();
    lone.platform = "抖音".to_owned();
    lone.status = AccountStatus::Normal;
    roster.push(lone);
    let mut store = store_with(dir.path(), "t.db", &roster);

    let seed = 424_242;
    let q3 = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q3", seed, 0, None),
        at("2026-10-01 09:30"),
    )
    .expect("Q3");
    let q4 = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", seed, 1, None),
        at("2026-10-10 09:30"),
    )
    .expect("Q4");
    assert_eq!(q4.info.prefer_not_drawn_in, 1);
    assert_eq!(
        q4.strata, q3.strata,
        "the preference changes which accounts, not how many"
    );
    let log = store.log_entries().expect("log");
    assert!(
        log.last()
            .expect("entry")
            .detail
            .contains("优先抽取近 1 个季度未抽到的账号"),
        "{:?}",
        log.last()
    );

    let (g3, g4) = (by_stratum(&q3), by_stratum(&q4));
    let mut disjoint = 0;
    for s in &q4.strata {
        let empty = BTreeSet::new();
        let a = g3.get(&s.key).unwrap_or(&empty);
        let b = g4.get(&s.key).unwrap_or(&empty);
        let shared = a.intersection(b).count();
        if s.population >= 2 * s.sampled {
            assert_eq!(shared, 0, "stratum {} ({:?})", s.key, s);
            disjoint += 1;
        } else {
            // Only as many repeats as the stratum forces.
            assert_eq!(
                shared,
                s.sampled - (s.population - a.len()),
                "stratum {}",
                s.key
            );
        }
    }
    assert_eq!(
        disjoint, 8,
        "every county of the demo roster fits 30% twice"
    );
    assert_eq!(
        g4.get(&format!("{}独户县", roster[0].city))
            .map(BTreeSet::len),
        Some(1),
        "the lone account is drawn again"
    );

    // Control: without the preference the same seed draws the Q3 sample again, so the
    // difference above is the preference's doing.
    let again = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2027Q1", seed, 0, None),
        at("2026-10-20 09:30"),
    )
    .expect("2027Q1");
    assert_eq!(drawn_keys(&again), drawn_keys(&q3));
}

// ---------------------------------------------------------------------------------------------
// 7. Inspectors
// ---------------------------------------------------------------------------------------------

#[test]
fn assignment_balances_loads_and_can_keep_counties_together() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with(dir.path(), "t.db", &demo_roster());
    let q = quarter("2026Q4");
    let names: Vec<String> = ["张三", "李四", "王五"].map(str::to_owned).to_vec();

    let err = spotcheck::steps::draw::assign(&mut store, q, &names, false, at("2026-10-11 09:30"))
        .expect_err("no draw yet");
    assert!(matches!(err, DrawError::NoDraw(_)), "{err:?}");
    assert!(err.to_string().contains("2026年第四季度"), "{err}");

    let drawn = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 99, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("draw");
    let err = spotcheck::steps::draw::assign(&mut store, q, &[], false, at("2026-10-11 09:30"))
        .expect_err("nobody to assign to");
    assert!(err.to_string().contains("检查人员"), "{err}");

    let loads =
        spotcheck::steps::draw::assign(&mut store, q, &names, false, at("2026-10-11 09:30"))
            .expect("balanced split");
    assert_eq!(
        loads.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        names
    );
    let counts: Vec<usize> = loads.iter().map(|&(_, c)| c).collect();
    assert_eq!(counts.iter().sum::<usize>(), drawn.info.sampled);
    let (max, min) = (
        *counts.iter().max().expect("some"),
        *counts.iter().min().expect("some"),
    );
    assert!(max - min <= 1, "{loads:?}");

    let record = store.current_draw(q).expect("read").expect("draw");
    assert_eq!(
        drawn_keys(&record),
        drawn_keys(&drawn),
        "assigning does not change the sample"
    );
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in &record.accounts {
        let who = d.inspector.clone().expect("every account has an inspector");
        assert!(names.contains(&who), "{who}");
        *seen.entry(who).or_insert(0) += 1;
    }
    for (name, count) in &loads {
        assert_eq!(seen.get(name).copied().unwrap_or(0), *count, "{name}");
    }

    // Keeping counties together replaces the earlier split.
    let loads = spotcheck::steps::draw::assign(&mut store, q, &names, true, at("2026-10-11 10:30"))
        .expect("split by county");
    assert_eq!(
        loads.iter().map(|&(_, c)| c).sum::<usize>(),
        drawn.info.sampled
    );
    let record = store.current_draw(q).expect("read").expect("draw");
    let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in &record.accounts {
        let who = d.inspector.clone().expect("every account has an inspector");
        owners
            .entry(d.account.account.region())
            .or_default()
            .insert(who);
    }
    assert_eq!(owners.len(), 8);
    for (region, who) in &owners {
        assert_eq!(who.len(), 1, "{region} is split between {who:?}");
    }
    let used: BTreeSet<&String> = owners.values().flatten().collect();
    assert_eq!(
        used.len(),
        3,
        "eight counties keep all three inspectors busy"
    );

    let log = store.log_entries().expect("log");
    let assigned: Vec<_> = log.iter().filter(|e| e.action == "分配检查人员").collect();
    assert_eq!(assigned.len(), 2);
    assert!(
        assigned[1].detail.contains("同一区县"),
        "{}",
        assigned[1].detail
    );
    assert_eq!(store.verify_log().expect("verify"), None);
}

// ---------------------------------------------------------------------------------------------
// 8. The 抽查名单 export
// ---------------------------------------------------------------------------------------------

#[test]
fn the_sample_list_reads_back_with_method_list_strata_and_print_setup() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with(dir.path(), "t.db", &demo_roster());
    let q = quarter("2026Q4");
    let seed = 31_415_926;
    spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", seed, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("draw");
    spotcheck::steps::draw::assign(
        &mut store,
        q,
        &["张三".to_owned(), "李四".to_owned()],
        true,
        at("2026-10-10 10:30"),
    )
    .expect("assign");
    let record = store.current_draw(q).expect("read").expect("draw");
    assert!(!record.excluded.is_empty());

    let path = dir
        .path()
        .join(spotcheck::export::sample_list_file_name(&record));
    assert!(path.ends_with("2026年第四季度抽查名单.xlsx"), "{path:?}");
    spotcheck::export::write_sample_list(&record, "示例市", &path).expect("export");

    let book = open_workbook_auto(&path).expect("open");
    let names = book.sheet_names();
    assert_eq!(names, ["抽查名单", "分层统计", "未纳入抽样"]);

    // 抽查名单: title, method, header, one row per account in draw order.
    let list = sheet(&path, "抽查名单");
    let title = text(&list[0][0]);
    assert!(
        title.contains("示例市2026年第四季度政务新媒体抽查名单"),
        "{title}"
    );
    let header_at = list
        .iter()
        .position(|r| text(&r[0]) == "序号")
        .expect("a header row");
    let method: String = list[1..header_at]
        .iter()
        .map(|r| text(&r[0]))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(method.contains(&seed.to_string()), "{method}");
    assert!(method.contains("30%"), "{method}");
    assert!(method.contains(&record.info.population_hash), "{method}");
    assert!(
        method.contains(&format!("在运行账号 {} 个", record.info.population)),
        "{method}"
    );
    assert!(method.contains(DRAWER), "{method}");
    assert!(method.contains("2026年10月10日 09:30"), "{method}");
    let header: Vec<String> = list[header_at].iter().take(10).map(text).collect();
    assert_eq!(
        header,
        [
            "序号",
            "分层",
            "地市",
            "区县",
            "主办单位",
            "账号名称",
            "平台",
            "账号标识",
            "类型",
            "检查人员"
        ]
    );
    let rows = &list[header_at + 1..];
    assert_eq!(rows.len(), record.accounts.len(), "one row per account");
    // Strata by pinyin, each in draw order.
    let shown = record.accounts_shown();
    for (n, (row, d)) in rows
        .iter()
        .zip(shown.iter().map(|&i| &record.accounts[i]))
        .enumerate()
    {
        let a = &d.account.account;
        assert_eq!(count(&row[0]), n + 1);
        let cells: Vec<String> = row[1..10].iter().map(text).collect();
        let expected = [
            d.stratum.as_str(),
            &a.city,
            &a.county,
            &a.host_unit,
            &a.name,
            &a.platform,
            &a.account_id,
            "抽取",
            d.inspector.as_deref().expect("assigned"),
        ];
        assert_eq!(cells, expected, "row {}", n + 1);
    }
    // The account ids stay text even where they are all digits.
    let digits = rows
        .iter()
        .find(|r| text(&r[7]).chars().all(|c| c.is_ascii_digit()))
        .expect("a numeric id in the demo roster");
    assert!(matches!(digits[7], Data::String(_)), "{:?}", digits[7]);

    // 分层统计: one row per stratum and a total that matches.
    let strata = sheet(&path, "分层统计");
    assert!(text(&strata[0][0]).contains("2026年第四季度"));
    assert_eq!(
        strata[1].iter().take(4).map(text).collect::<Vec<_>>(),
        ["分层", "在运行账号数", "抽取数", "抽取比例"]
    );
    for (row, s) in strata[2..].iter().zip(record.strata_shown()) {
        assert_eq!(text(&row[0]), s.key);
        assert_eq!(count(&row[1]), s.population);
        assert_eq!(count(&row[2]), s.sampled);
        let share = fraction(&row[3]);
        assert!((0.3..=1.0).contains(&share), "{}: {share}", s.key);
    }
    let total = &strata[2 + record.strata.len()];
    assert_eq!(text(&total[0]), "合计");
    assert_eq!(count(&total[1]), record.info.population);
    assert_eq!(count(&total[2]), record.info.sampled);
    assert_eq!(
        record.strata.iter().map(|s| s.population).sum::<usize>(),
        record.info.population
    );
    assert_eq!(
        record.strata.iter().map(|s| s.sampled).sum::<usize>(),
        record.info.sampled
    );
    assert_eq!(
        strata.len(),
        3 + record.strata.len(),
        "nothing after the total"
    );

    // 未纳入抽样: the stopped accounts with their status.
    let apart = sheet(&path, "未纳入抽样");
    let apart_rows = &apart[2..];
    assert_eq!(apart_rows.len(), record.excluded.len());
    for (row, s) in apart_rows.iter().zip(&record.excluded) {
        assert_eq!(text(&row[6]), s.account.account_id);
        let status = text(&row[7]);
        assert!(status == "已关停" || status == "已注销", "{status}");
        assert_eq!(status, s.account.status.label());
    }

    // Print setup: A4 landscape, fit to the page width, page numbers, repeated header row.
    let xml = zipped_text(&path, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("orientation=\"landscape\""), "{xml:.2000}");
    assert!(xml.contains("paperSize=\"9\""));
    assert!(xml.contains("fitToPage=\"1\""), "fit to page is on");
    // One page wide, as tall as needed. rust_xlsxwriter leaves out fitToWidth when it is
    // Excel's default of 1, so it is either absent or 1.
    assert!(xml.contains("fitToHeight=\"0\""));
    assert!(
        !xml.contains("fitToWidth=") || xml.contains("fitToWidth=\"1\""),
        "one page wide"
    );
    let footer = xml
        .split("<oddFooter>")
        .nth(1)
        .and_then(|f| f.split("</oddFooter>").next())
        .expect("a footer");
    assert!(
        footer.contains("&amp;P") && footer.contains("&amp;N"),
        "{footer}"
    );
    let workbook = zipped_text(&path, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
    // On the first sheet, the table's header row (1-based in Excel) repeats on every page.
    let titles = workbook
        .split("<definedName ")
        .filter(|d| d.contains("name=\"_xlnm.Print_Titles\"") && d.contains("localSheetId=\"0\""))
        .filter_map(|d| d.split('>').nth(1)?.split('<').next())
        .collect::<Vec<_>>();
    let header_excel_row = header_at + 1;
    assert_eq!(
        titles,
        [format!("抽查名单!${header_excel_row}:${header_excel_row}")],
        "{workbook}"
    );
}

#[test]
fn without_stopped_accounts_there_is_no_excluded_sheet() {
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(60, 3);
    for a in &mut roster {
        a.status = AccountStatus::Normal;
    }
    let mut store = store_with(dir.path(), "t.db", &roster);
    let record = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 8, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("draw");
    assert!(record.excluded.is_empty());
    let path = dir.path().join("名单.xlsx");
    spotcheck::export::write_sample_list(&record, "示例市", &path).expect("export");
    let book = open_workbook_auto(&path).expect("open");
    assert_eq!(book.sheet_names(), ["抽查名单", "分层统计"]);
}

// ---------------------------------------------------------------------------------------------
// 9. Formula-like text stays text
// ---------------------------------------------------------------------------------------------

#[test]
fn an_account_named_like_a_formula_is_exported_as_text() {
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(60, 5);
    let mut odd = roster[0].clone();
    odd.name = "=SUM(1,2)".to_owned();
    odd.host_unit = "=HYPERLINK(\"http://example.com\")".to_owned();
    odd.county = "公式县".to_owned(); // alone in its stratum, so always drawn
    odd.account_id = "formula_001".to_owned();
    odd.platform = "抖音".to_owned();
    odd.status = AccountStatus::Normal;
    roster.push(odd);
    let mut store = store_with(dir.path(), "t.db", &roster);
    let record = spotcheck::steps::draw::make_draw(
        &mut store,
        &request("2026Q4", 3, 0, None),
        at("2026-10-10 09:30"),
    )
    .expect("draw");
    let position = record
        .accounts_shown()
        .into_iter()
        .position(|i| record.accounts[i].account.account.name == "=SUM(1,2)")
        .expect("the formula-named account is stored as typed and drawn");

    let path = dir.path().join("名单.xlsx");
    spotcheck::export::write_sample_list(&record, "示例市", &path).expect("export");
    let list = sheet(&path, "抽查名单");
    let header_at = list
        .iter()
        .position(|r| text(&r[0]) == "序号")
        .expect("header");
    let row = &list[header_at + 1 + position];
    assert_eq!(row[5], Data::String("=SUM(1,2)".to_owned()));
    assert_eq!(
        row[4],
        Data::String("=HYPERLINK(\"http://example.com\")".to_owned())
    );

    let mut book = open_workbook_auto(&path).expect("open");
    let formulas = book.worksheet_formula("抽查名单").expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell holds a formula"
    );
    let xml = zipped_text(&path, "xl/worksheets/sheet1.xml");
    assert!(!xml.contains("<f>"), "no formula element in the sheet");
}

// ---------------------------------------------------------------------------------------------
// 10. The command line
// ---------------------------------------------------------------------------------------------

/// Runs the binary with `--db <db>` and `args`, never touching the user's own database.
fn run(db: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
    cmd.env_remove("SPOTCHECK_DB");
    cmd.arg("--db").arg(db);
    cmd.args(args).output().expect("run spotcheck")
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "exit {:?}: {}", o.status, stderr(o));
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

/// A database with the demo roster imported through the binary, the user and region set.
fn cli_db(dir: &Path, roster: &[Account]) -> PathBuf {
    let db = dir.join("cli.db");
    {
        let mut store = Store::open(&db).expect("create");
        store
            .set_setting(settings::USER_NAME, DRAWER)
            .expect("user");
        store
            .set_setting(settings::REGION_NAME, "示例市")
            .expect("region");
    }
    let file = write_roster(dir, "名录.xlsx", roster);
    let report = json(&run(&db, &["import", path_str(&file), "--json"]));
    assert_eq!(report["imported"].as_u64(), Some(roster.len() as u64));
    db
}

fn json_keys(draw: &Value) -> Vec<String> {
    draw["accounts"]
        .as_array()
        .expect("accounts array")
        .iter()
        .map(|a| {
            account_key(
                a["platform"].as_str().expect("platform"),
                a["account_id"].as_str().expect("account_id"),
                a["name"].as_str().expect("name"),
                a["host_unit"].as_str().expect("host_unit"),
            )
        })
        .collect()
}

#[test]
fn cli_sample_prints_the_draw_as_json_and_show_prints_it_again() {
    let dir = TempDir::new().expect("tempdir");
    let roster = demo_roster();
    let db = cli_db(dir.path(), &roster);

    let draw = json(&run(
        &db,
        &["sample", "--quarter", "2026Q4", "--seed", "42", "--json"],
    ));
    assert_eq!(draw["quarter"], "2026Q4");
    assert_eq!(draw["seed"], 42);
    assert_eq!(draw["rate"], 0.3);
    assert_eq!(draw["by"], "county");
    assert_eq!(draw["algorithm"], "stratified-sorted-chacha20");
    assert_eq!(draw["algorithm_version"], 2);
    assert_eq!(draw["drawn_by"], DRAWER);
    assert!(draw["reason"].is_null());

    let expected = expected_strata(&roster);
    let population: usize = expected.values().sum();
    let sampled: usize = expected.values().map(|&n| ceil_30_percent(n)).sum();
    assert_eq!(draw["population"].as_u64(), Some(population as u64));
    assert_eq!(draw["sampled"].as_u64(), Some(sampled as u64));
    let in_operation: Vec<String> = roster
        .iter()
        .filter(|a| a.status.in_operation())
        .map(Account::key)
        .collect();
    assert_eq!(
        draw["population_hash"].as_str(),
        Some(sampling::population_hash(in_operation.iter().map(String::as_str)).as_str())
    );

    let strata = draw["strata"].as_array().expect("strata array");
    assert_eq!(strata.len(), expected.len());
    for s in strata {
        let key = s["key"].as_str().expect("key");
        let n = expected[key];
        assert_eq!(s["population"].as_u64(), Some(n as u64), "{key}");
        assert_eq!(
            s["sampled"].as_u64(),
            Some(ceil_30_percent(n) as u64),
            "{key}"
        );
    }

    let accounts = draw["accounts"].as_array().expect("accounts array");
    assert_eq!(accounts.len(), sampled);
    for a in accounts {
        for field in ["platform", "account_id", "stratum"] {
            assert!(a[field].is_string(), "{field} in {a}");
        }
        let region = format!(
            "{}{}",
            a["city"].as_str().expect("city"),
            a["county"].as_str().expect("county")
        );
        assert_eq!(a["stratum"], region.as_str(), "{a}");
        assert!(a["inspector"].is_null());
    }
    assert_eq!(
        json_keys(&draw),
        expected_keys(&roster, 42),
        "the draw the algorithm gives for seed 42"
    );

    let shown = json(&run(
        &db,
        &["sample", "--quarter", "2026Q4", "--show", "--json"],
    ));
    assert_eq!(shown["accounts"], draw["accounts"]);
    assert_eq!(shown["draw_id"], draw["draw_id"]);
    assert_eq!(shown["seed"], 42);
    assert_eq!(shown, draw, "--show prints the stored draw unchanged");

    // The plain report names the quarter and the counts.
    let plain = run(&db, &["sample", "--quarter", "2026Q4", "--show"]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let text = stdout(&plain);
    assert!(
        text.contains("2026年第四季度") && text.contains(&format!("抽取 {sampled} 个")),
        "{text}"
    );

    // No seed: one is made up, recorded and shown again.
    let fresh = json(&run(&db, &["sample", "--quarter", "2027Q1", "--json"]));
    let seed = fresh["seed"].as_u64().expect("seed");
    assert!((10_000_000..100_000_000).contains(&seed), "{seed}");
    let shown = json(&run(
        &db,
        &["sample", "--quarter", "2027Q1", "--show", "--json"],
    ));
    assert_eq!(shown["seed"].as_u64(), Some(seed));
}

#[test]
fn cli_bad_input_is_refused_in_chinese_and_changes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let db = cli_db(dir.path(), &demo_roster());
    let first = run(
        &db,
        &["sample", "--quarter", "2026Q4", "--seed", "42", "--json"],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let show = || {
        let out = run(&db, &["sample", "--quarter", "2026Q4", "--show", "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let before = show();
    let log_before = Store::open(&db)
        .expect("open")
        .log_entries()
        .expect("log")
        .len();

    // Each case is a whole command line (clap refuses an option given twice).
    let q4 = ["--quarter", "2026Q4"];
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (
            [&q4[..], &["--seed", "7", "--rate", "0.2"]].concat(),
            &["30%"],
        ),
        (
            [&q4[..], &["--seed", "7", "--rate", "1.5"]].concat(),
            &["100%"],
        ),
        (
            [&q4[..], &["--seed", "7", "--rate", "0"]].concat(),
            &["大于 0"],
        ),
        (
            [&q4[..], &["--seed", "7", "--rate", "三成"]].concat(),
            &["三成"],
        ),
        (
            vec!["--quarter", "2026Q5", "--seed", "7"],
            &["2026Q5", "季度"],
        ),
        ([&q4[..], &["--seed", "abc"]].concat(), &["abc", "随机种子"]),
        (
            [&q4[..], &["--seed", "7", "--by", "county2"]].concat(),
            &["county2", "分层"],
        ),
        (
            [&q4[..], &["--seed", "7"]].concat(),
            &["2026年第四季度", "理由"],
        ),
        (
            [&q4[..], &["--seed", "7", "--reason", "  "]].concat(),
            &["2026年第四季度", "理由"],
        ),
    ];
    for (extra, wanted) in cases {
        let mut args = vec!["sample"];
        args.extend(extra);
        args.push("--json");
        let out = run(&db, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?} must fail: {err}");
        assert!(has_cjk(&err), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        for w in wanted {
            assert!(err.contains(w), "{args:?}: {err} should mention {w}");
        }
        assert!(
            stdout(&out).trim().is_empty(),
            "{args:?}: no JSON on failure"
        );
        assert_eq!(show(), before, "{args:?} changed the draw");
    }
    let rate_message = stderr(&run(
        &db,
        &["sample", "--quarter", "2026Q4", "--rate", "0.2"],
    ));
    assert!(
        rate_message.contains(sampling::RATE_RULE),
        "the rule is quoted: {rate_message}"
    );

    let store = Store::open(&db).expect("open");
    assert_eq!(
        store
            .draw_history(quarter("2026Q4"))
            .expect("history")
            .len(),
        1
    );
    assert_eq!(store.log_entries().expect("log").len(), log_before);
    assert!(
        store
            .current_draw(quarter("2026Q1"))
            .expect("read")
            .is_none()
    );
    drop(store);

    // An empty database: nothing to draw from, and nothing to show.
    let empty = dir.path().join("empty.db");
    let out = run(&empty, &["sample", "--quarter", "2026Q4", "--seed", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("没有在运行") && err.contains("导入"), "{err}");
    let out = run(&empty, &["sample", "--quarter", "2026Q4", "--show"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("还没有抽样"), "{}", stderr(&out));
    let store = Store::open(&empty).expect("open");
    assert!(
        store
            .draw_history(quarter("2026Q4"))
            .expect("history")
            .is_empty()
    );
    assert!(store.log_entries().expect("log").is_empty());
}

#[test]
fn cli_assign_shows_inspectors_and_out_writes_the_list() {
    let dir = TempDir::new().expect("tempdir");
    let db = cli_db(dir.path(), &demo_roster());

    // assign before any draw is refused.
    let out = run(
        &db,
        &["assign", "--quarter", "2026Q4", "--inspectors", "张三,李四"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("还没有抽样"), "{}", stderr(&out));

    let draw = json(&run(
        &db,
        &["sample", "--quarter", "2026Q4", "--seed", "42", "--json"],
    ));

    // Duplicate and missing names are refused.
    for bad in ["张三,张三", " ,， "] {
        let out = run(&db, &["assign", "--quarter", "2026Q4", "--inspectors", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(stderr(&out).contains("检查人员"), "{}", stderr(&out));
    }

    let out = run(
        &db,
        &[
            "assign",
            "--quarter",
            "2026Q4",
            "--inspectors",
            "张三,李四",
            "--keep-county",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let plain = stdout(&out);
    assert!(
        plain.contains("张三：") && plain.contains("李四："),
        "{plain}"
    );

    let shown = json(&run(
        &db,
        &["sample", "--quarter", "2026Q4", "--show", "--json"],
    ));
    assert_eq!(
        json_keys(&shown),
        json_keys(&draw),
        "the sample is unchanged"
    );
    let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut loads: BTreeMap<String, usize> = BTreeMap::new();
    for a in shown["accounts"].as_array().expect("accounts") {
        let who = a["inspector"]
            .as_str()
            .unwrap_or_else(|| panic!("no inspector: {a}"));
        assert!(who == "张三" || who == "李四", "{who}");
        *loads.entry(who.to_owned()).or_insert(0) += 1;
        owners
            .entry(a["county"].as_str().expect("county").to_owned())
            .or_default()
            .insert(who.to_owned());
    }
    assert!(
        owners.values().all(|w| w.len() == 1),
        "--keep-county: {owners:?}"
    );
    assert_eq!(loads.len(), 2, "both inspectors get accounts: {loads:?}");
    for (name, count) in &loads {
        assert!(
            plain.contains(&format!("{name}：{count} 个账号")),
            "{plain}"
        );
    }

    // --out writes the list of the stored draw, with inspectors, and --reason redraws.
    let list = dir.path().join("名单.xlsx");
    let out = run(
        &db,
        &[
            "sample",
            "--quarter",
            "2026Q4",
            "--show",
            "--out",
            path_str(&list),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = sheet(&list, "抽查名单");
    assert!(
        text(&rows[0][0]).contains("示例市2026年第四季度政务新媒体抽查名单"),
        "{:?}",
        rows[0][0]
    );
    let header_at = rows
        .iter()
        .position(|r| text(&r[0]) == "序号")
        .expect("header");
    let body = &rows[header_at + 1..];
    let accounts = shown["accounts"].as_array().expect("accounts");
    assert_eq!(body.len(), accounts.len());
    // The list shows strata by pinyin; the JSON keeps the draw's order.
    let listed: std::collections::HashMap<String, String> = body
        .iter()
        .map(|row| (text(&row[7]), text(&row[9])))
        .collect();
    assert_eq!(listed.len(), accounts.len());
    for a in accounts {
        let id = a["account_id"].as_str().expect("id");
        assert_eq!(
            listed.get(id).map(String::as_str),
            a["inspector"].as_str(),
            "{id}"
        );
    }

    let redrawn_list = dir.path().join("重新抽样名单.xlsx");
    let redraw = json(&run(
        &db,
        &[
            "sample",
            "--quarter",
            "2026Q4",
            "--seed",
            "43",
            "--reason",
            "名录有误",
            "--out",
            path_str(&redrawn_list),
            "--json",
        ],
    ));
    assert_eq!(redraw["reason"], "名录有误");
    assert_eq!(redraw["seed"], 43);
    assert_ne!(redraw["draw_id"], draw["draw_id"]);
    let rows = sheet(&redrawn_list, "抽查名单");
    let method: String = rows.iter().take(8).map(|r| text(&r[0])).collect();
    assert!(
        method.contains("重新抽样理由：名录有误") && method.contains("随机种子：43"),
        "{method}"
    );
    let store = Store::open(&db).expect("open");
    let history = store.draw_history(quarter("2026Q4")).expect("history");
    assert_eq!(history.len(), 2);
    assert!(history[0].superseded_at.is_some());
    // The redraw, then the export of its list, each logged.
    let log = store.log_entries().expect("log");
    let latest: Vec<&str> = log
        .iter()
        .rev()
        .take(2)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(latest, ["导出抽查名单", "重新抽样"]);
    assert_eq!(store.verify_log().expect("verify"), None);
}
