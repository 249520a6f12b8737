//! A draw is data anyone can re-derive: the golden roster (a committed CSV through the real
//! import) drawn with fixed seeds by algorithm versions 1 and 2 gives the committed samples;
//! every draw keeps its population, and `sample --verify` re-derives the draw in force and
//! names the first difference when the record was tampered with.
//!
//! To regenerate the golden samples after a deliberate change of algorithm (which needs a new
//! version): `SPOTCHECK_BLESS=1 cargo test --test core draw_verify::`.

// Each test walks one scenario from roster to verdict; splitting them would hide the story.
#![allow(clippy::too_many_lines)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::support::{json, run, stderr, stdout};
use chrono::{NaiveDate, NaiveDateTime};
use spotcheck::model::{DrawRequest, Quarter};
use spotcheck::sampling::verify::{Mismatch, RecordedDraw, key_label, verify};
use spotcheck::sampling::{self, Candidate, DrawOptions, Rate, Sample, Strata};
use spotcheck::steps::draw::{NotVerified, make_draw, verify_draw};
use spotcheck::store::{Store, settings};
use tempfile::TempDir;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
/// Accounts in the golden roster, and those in operation (已关停 4, 已注销 5 left out).
const ROSTER_ROWS: usize = 197;
const IN_OPERATION: usize = 188;

fn at(day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, day)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid time")
}

fn quarter(text: &str) -> Quarter {
    text.parse().expect("valid quarter")
}

/// A database in `dir` with the golden roster imported through the real reader.
fn golden_store(dir: &Path, name: &str) -> Store {
    let mut store = Store::open(&dir.join(name)).expect("open store");
    store
        .set_setting(settings::USER_NAME, "王督查")
        .expect("user name");
    let roster = Path::new(FIXTURES).join("golden_roster.csv");
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read the golden roster");
    let report =
        spotcheck::steps::roster_import::commit(&mut store, &preview, at(1)).expect("import");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.duplicates.is_empty(), "{:?}", report.duplicates);
    assert_eq!(report.imported as usize, ROSTER_ROWS);
    store
}

fn request(q: &str, strata: Strata, seed: u64, prefer: u32, reason: Option<&str>) -> DrawRequest {
    DrawRequest {
        quarter: quarter(q),
        options: DrawOptions {
            rate: Rate::MINIMUM,
            strata,
            prefer_not_drawn_in: prefer,
        },
        seed,
        reason: reason.map(str::to_owned),
        void_work: true,
    }
}

/// The population of the store's roster as algorithm `version` sees it under `strata`.
fn population(store: &Store, strata: Strata, version: u32) -> Vec<Candidate> {
    store
        .listed_accounts()
        .expect("accounts")
        .iter()
        .filter(|a| a.account.status.in_operation())
        .map(|a| Candidate {
            key: a.account.key(),
            stratum: sampling::stratum_of(strata, version, &a.account).expect("known version"),
            recently_drawn: false,
        })
        .collect()
}

/// A draw written out as the golden files keep it: the population hash, each stratum's
/// counts, then the drawn accounts in order with their strata.
fn golden_text(population: &[Candidate], sample: &Sample) -> String {
    let mut text = format!(
        "总体指纹\t{}\n",
        sampling::population_hash(population.iter().map(|c| c.key.as_str()))
    );
    for s in &sample.strata {
        writeln!(text, "分层\t{}\t{}\t{}", s.key, s.population, s.sampled).expect("write");
    }
    for &(c, h) in &sample.picks {
        writeln!(
            text,
            "抽中\t{}\t{}",
            sample.strata[h].key,
            key_label(&population[c].key)
        )
        .expect("write");
    }
    text
}

/// Compares `text` with the committed golden file (or writes it with `SPOTCHECK_BLESS`).
fn check_golden(name: &str, text: &str) {
    let path = Path::new(FIXTURES).join(name);
    if std::env::var_os("SPOTCHECK_BLESS").is_some() {
        std::fs::write(&path, text).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{name} is missing ({e}); see the module doc to make it"));
    assert!(
        expected == text,
        "the draw changed: {name} no longer matches (a changed draw needs a new algorithm version)"
    );
}

/// Strata keys of a golden text with their sizes.
fn strata_of(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("分层\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[1].parse().expect("count"))
        })
        .collect()
}

#[test]
fn golden_draws_are_pinned_for_both_versions() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = golden_store(dir.path(), "golden.db");
    let cases = [
        (1, Strata::County, 20_261_001, "golden_draw_v1.txt"),
        (2, Strata::County, 20_261_001, "golden_draw_v2_county.txt"),
        (2, Strata::Platform, 777, "golden_draw_v2_platform.txt"),
    ];
    let mut texts = Vec::new();
    for (version, strata, seed, file) in cases {
        let population = population(&store, strata, version);
        assert_eq!(population.len(), IN_OPERATION);
        let options = DrawOptions {
            rate: Rate::MINIMUM,
            strata,
            prefer_not_drawn_in: 0,
        };
        let sample = sampling::sample(&population, &options, seed, version).expect("draw");
        let text = golden_text(&population, &sample);
        check_golden(file, &text);
        // The pure verification accepts its own draw.
        let keys: Vec<String> = sample
            .picks
            .iter()
            .map(|&(c, _)| population[c].key.clone())
            .collect();
        let hash = sampling::population_hash(population.iter().map(|c| c.key.as_str()));
        let verified = verify(&RecordedDraw {
            algorithm: sampling::ALGORITHM,
            algorithm_version: version,
            options,
            seed,
            population: &population,
            population_count: IN_OPERATION,
            population_hash: &hash,
            strata: &sample.strata,
            sampled: &keys,
        })
        .expect("verifies");
        assert_eq!(verified.sampled, keys.len());
        texts.push((text, keys, sample.strata, hash));
    }

    // Version 1 drew the two 城区 (and the two 新区) as one stratum; version 2 apart.
    let v1 = strata_of(&texts[0].0);
    let v2 = strata_of(&texts[1].0);
    let size = |strata: &[(String, usize)], key: &str| {
        strata
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| panic!("no stratum {key} in {strata:?}"), |&(_, n)| n)
    };
    assert_eq!(
        size(&v1, "城区"),
        size(&v2, "东川市城区") + size(&v2, "西川市城区")
    );
    assert_eq!(
        size(&v1, "新区"),
        size(&v2, "东川市新区") + size(&v2, "西川市新区")
    );
    assert!(v2.iter().all(|(k, _)| k != "城区" && k != "新区"));
    // Both name the 地市's own accounts after the 地市, and keep the same population.
    assert_eq!(size(&v1, "东川市"), size(&v2, "东川市"));
    assert_eq!(texts[0].3, texts[1].3);
    assert_ne!(texts[0].0, texts[1].0);
    // Mixed-case ids are keyed in lower case.
    assert!(texts[1].1.iter().all(|k| !k.contains("GH_")));

    // The real step draws exactly the golden samples of version 2.
    for (i, (q, strata, seed)) in [
        ("2026Q1", Strata::County, 20_261_001),
        ("2026Q2", Strata::Platform, 777),
    ]
    .into_iter()
    .enumerate()
    {
        let (_, keys, strata_counts, hash) = &texts[i + 1];
        let record =
            make_draw(&mut store, &request(q, strata, seed, 0, None), at(2)).expect("draw");
        assert_eq!(record.info.algorithm_version, sampling::ALGORITHM_VERSION);
        assert_eq!(&record.info.population_hash, hash);
        assert_eq!(record.info.population, IN_OPERATION);
        assert_eq!(&record.strata, strata_counts);
        let drawn: Vec<String> = record
            .accounts
            .iter()
            .filter(|a| a.drawn)
            .map(|a| a.account.account.key())
            .collect();
        assert_eq!(&drawn, keys);
        let check = verify_draw(&store, quarter(q)).expect("verify");
        assert!(check.outcome.is_ok(), "{:?}", check.outcome);
    }
}

/// A database in `dir` with the golden roster and a draw of 2026Q4 by 区县, seed 42; closed.
fn drawn_db(dir: &Path, name: &str) -> PathBuf {
    let mut store = golden_store(dir, name);
    make_draw(
        &mut store,
        &request("2026Q4", Strata::County, 42, 0, None),
        at(3),
    )
    .expect("draw");
    dir.join(name)
}

fn sql(db: &Path, statements: &str) {
    rusqlite::Connection::open(db)
        .expect("open database")
        .execute_batch(statements)
        .expect("tamper");
}

fn query<T: rusqlite::types::FromSql>(db: &Path, statement: &str) -> T {
    rusqlite::Connection::open(db)
        .expect("open database")
        .query_row(statement, [], |r| r.get(0))
        .expect("query")
}

/// Runs `sample --verify` on `db`: its exit code, message and JSON `difference`.
fn cli_verify(db: &Path) -> (bool, String, serde_json::Value) {
    let text = run(db, &["sample", "--verify", "--quarter", "2026Q4"]);
    let as_json = run(db, &["sample", "--verify", "--quarter", "2026Q4", "--json"]);
    assert_eq!(text.status.success(), as_json.status.success());
    let message = if text.status.success() {
        stdout(&text)
    } else {
        assert!(stdout(&text).is_empty());
        stderr(&text)
    };
    (text.status.success(), message, json(&as_json))
}

#[test]
fn a_fresh_draw_verifies_by_the_step_and_the_command() {
    let dir = TempDir::new().expect("tempdir");
    let db = drawn_db(dir.path(), "fresh.db");
    let store = Store::open(&db).expect("open");
    let check = verify_draw(&store, quarter("2026Q4")).expect("verify");
    let verified = check.outcome.expect("consistent");
    let record = store
        .current_draw(quarter("2026Q4"))
        .expect("read")
        .expect("a draw");
    assert_eq!(verified.population, IN_OPERATION);
    assert_eq!(verified.strata, record.strata.len());
    assert_eq!(verified.sampled, record.info.sampled);
    assert_eq!(verified.seed, 42);
    drop(store);

    let (ok, message, json) = cli_verify(&db);
    assert!(ok, "{message}");
    assert!(message.starts_with("一致："), "{message}");
    for part in [
        format!("{IN_OPERATION} 个账号"),
        format!("{} 个分层", record.strata.len()),
        format!("随机抽取的 {} 个账号", record.info.sampled),
        "随机种子 42".to_owned(),
    ] {
        assert!(message.contains(&part), "{part} not in {message}");
    }
    assert_eq!(json["consistent"], true);
    assert_eq!(json["difference"], serde_json::Value::Null);
    assert_eq!(json["population"], IN_OPERATION);
    assert_eq!(json["strata_checked"], record.strata.len());
    assert_eq!(json["sampled"], record.info.sampled);
    assert_eq!(json["seed"], 42);
    assert_eq!(json["algorithm_version"], sampling::ALGORITHM_VERSION);
    assert_eq!(
        json["population_hash"],
        record.info.population_hash.as_str()
    );

    // Not an option of drawing: --verify with --seed is refused before anything runs.
    let both = run(
        &db,
        &["sample", "--verify", "--quarter", "2026Q4", "--seed", "1"],
    );
    assert!(!both.status.success());
    // A quarter without a draw says so.
    let none = run(&db, &["sample", "--verify", "--quarter", "2026Q3"]);
    assert!(!none.status.success());
    assert!(stderr(&none).contains("还没有抽样"), "{}", stderr(&none));
}

#[test]
fn a_tampered_draw_is_named_with_its_first_difference() {
    let dir = TempDir::new().expect("tempdir");

    // One drawn account swapped for one the seed did not draw.
    let db = drawn_db(dir.path(), "swapped.db");
    let drawn_12: String = query(
        &db,
        "SELECT a.key FROM draw_account da JOIN account a ON a.id = da.account WHERE da.position = 11",
    );
    let other: String = query(
        &db,
        "SELECT m.key FROM draw_member m WHERE m.stratum = (SELECT stratum FROM draw_account WHERE position = 11)
         AND m.key NOT IN (SELECT a.key FROM draw_account da JOIN account a ON a.id = da.account) ORDER BY m.key LIMIT 1",
    );
    sql(
        &db,
        &format!(
            "UPDATE draw_account SET account = (SELECT id FROM account WHERE key = '{other}') WHERE position = 11"
        ),
    );
    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert!(
        message.contains(&format!(
            "第 12 个随机抽中的账号不同：记录为 {}，按随机种子重新推算为 {}。",
            key_label(&other),
            key_label(&drawn_12)
        )),
        "{message}"
    );
    assert!(!message.contains('\u{1f}'));
    assert_eq!(json["consistent"], false);
    assert_eq!(json["difference"], "account");

    // The seed changed: the same strata, other accounts.
    let db = drawn_db(dir.path(), "seed.db");
    sql(&db, "UPDATE draw SET seed = '43'");
    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert!(message.contains("个随机抽中的账号不同"), "{message}");
    assert_eq!(json["difference"], "account");
    assert_eq!(json["seed"], 43);

    // A population row deleted: the fingerprint no longer matches.
    let db = drawn_db(dir.path(), "deleted.db");
    let recorded: String = query(&db, "SELECT population_hash FROM draw");
    sql(
        &db,
        "DELETE FROM draw_member WHERE key = (SELECT MIN(key) FROM draw_member)",
    );
    let store = Store::open(&db).expect("open");
    let left = store.draw_members(1).expect("read").expect("kept");
    drop(store);
    assert_eq!(left.len(), IN_OPERATION - 1);
    let computed = sampling::population_hash(left.iter().map(|c| c.key.as_str()));
    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert!(
        message.contains(&format!(
            "总体指纹不符：记录为 {recorded}，按记录的总体计算为 {computed}。"
        )),
        "{message}"
    );
    assert_eq!(json["difference"], "population_hash");

    // A population row moved to another stratum: the stratum sizes no longer match.
    let db = drawn_db(dir.path(), "stratum.db");
    let size: i64 = query(
        &db,
        "SELECT population FROM draw_stratum WHERE key = '东川市新区'",
    );
    sql(
        &db,
        "UPDATE draw_member SET stratum = '西川市新区'
         WHERE key = (SELECT MIN(key) FROM draw_member WHERE stratum = '东川市新区')",
    );
    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert!(
        message.contains(&format!(
            "分层“东川市新区”按记录的总体有 {} 个账号，记录为 {size} 个。",
            size - 1
        )),
        "{message}"
    );
    assert_eq!(json["difference"], "stratum_population");

    // A stratum's recorded sample size changed.
    let db = drawn_db(dir.path(), "count.db");
    let sampled: i64 = query(
        &db,
        "SELECT sampled FROM draw_stratum WHERE key = '东川市城区'",
    );
    sql(
        &db,
        "UPDATE draw_stratum SET sampled = sampled - 1 WHERE key = '东川市城区'",
    );
    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert!(
        message.contains(&format!(
            "分层“东川市城区”应抽取 {sampled} 个，记录为 {} 个。",
            sampled - 1
        )),
        "{message}"
    );
    assert_eq!(json["difference"], "stratum_sampled");

    // A drawn account removed from the record.
    let db = drawn_db(dir.path(), "missing.db");
    let last: String = query(
        &db,
        "SELECT a.key FROM draw_account da JOIN account a ON a.id = da.account ORDER BY da.position DESC LIMIT 1",
    );
    let n: i64 = query(&db, "SELECT COUNT(*) FROM draw_account");
    sql(
        &db,
        "DELETE FROM draw_account WHERE position = (SELECT MAX(position) FROM draw_account)",
    );
    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert!(
        message.contains(&format!(
            "记录中缺少账号 {}：按随机种子重新推算，它是第 {n} 个随机抽中的账号。",
            key_label(&last)
        )),
        "{message}"
    );
    assert_eq!(json["difference"], "missing_account");
}

#[test]
fn a_redraw_verifies_against_its_own_record_and_rechecks_are_not_compared() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = golden_store(dir.path(), "redraw.db");
    // Last quarter drawn, so that this quarter's preference has recently-drawn accounts.
    make_draw(
        &mut store,
        &request("2026Q3", Strata::County, 5, 0, None),
        at(2),
    )
    .expect("draw 2026Q3");
    let first = make_draw(
        &mut store,
        &request("2026Q4", Strata::City, 6, 1, None),
        at(3),
    )
    .expect("draw 2026Q4");
    let second = make_draw(
        &mut store,
        &request("2026Q4", Strata::County, 7, 1, Some("分层方式改为按区县")),
        at(4),
    )
    .expect("redraw 2026Q4");
    assert_eq!((first.info.id, second.info.id), (2, 3));
    let members = store
        .draw_members(second.info.id)
        .expect("read")
        .expect("kept");
    assert_eq!(members.len(), IN_OPERATION);
    let recent = members.iter().filter(|m| m.recently_drawn).count();
    assert!(recent > 0 && recent < IN_OPERATION, "{recent}");
    // The superseded draw keeps its own population, with its own strata.
    let old = store
        .draw_members(first.info.id)
        .expect("read")
        .expect("kept");
    assert!(old.iter().all(|m| m.stratum.ends_with('市')));
    let check = verify_draw(&store, quarter("2026Q4")).expect("verify");
    assert_eq!(check.info.id, second.info.id);
    assert_eq!(check.outcome.expect("consistent").seed, 7);
    drop(store);

    let db = dir.path().join("redraw.db");
    let (ok, message, json) = cli_verify(&db);
    assert!(ok, "{message}");
    assert_eq!(json["draw_id"], second.info.id);
    assert_eq!(json["by"], "county");

    // A 复查 account only re-checked (drawn = 0) is not part of the random sample: adding
    // one to the record changes nothing.
    let spare: i64 = query(
        &db,
        "SELECT a.id FROM account a JOIN draw_member m ON m.key = a.key AND m.draw = 3
         WHERE a.id NOT IN (SELECT account FROM draw_account WHERE draw = 3) LIMIT 1",
    );
    sql(
        &db,
        &format!(
            "INSERT INTO draw_account (draw, account, position, stratum, drawn, recheck)
             VALUES (3, {spare}, 10000, '东川市', 0, 1)"
        ),
    );
    let (ok, message, _) = cli_verify(&db);
    assert!(ok, "{message}");

    // The recently-drawn flags feed the draw: clearing them is a difference.
    sql(&db, "UPDATE draw_member SET recent = 0 WHERE draw = 3");
    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert_eq!(json["difference"], "account", "{message}");
}

#[test]
fn a_draw_made_before_populations_were_kept_cannot_be_rederived() {
    let dir = TempDir::new().expect("tempdir");
    let db = drawn_db(dir.path(), "old.db");
    // Back to schema 8, as a database of the previous version with this draw in it; opening
    // it applies the new migration to the old draw. (The index of 13 over carried_to goes
    // first: a column an index names cannot be dropped.)
    sql(
        &db,
        "DROP TABLE draw_member; ALTER TABLE draw DROP COLUMN population_kept;
         DROP INDEX rectification_by_deadline;
         ALTER TABLE rectification DROP COLUMN carried_to;
         ALTER TABLE rectification DROP COLUMN incomplete;
         ALTER TABLE rectification DROP COLUMN incomplete_at;
         ALTER TABLE package DROP COLUMN data_sha256; PRAGMA user_version = 8;",
    );
    let store = Store::open(&db).expect("open and migrate");
    assert_eq!(store.draw_members(1).expect("read"), None);
    let check = verify_draw(&store, quarter("2026Q4")).expect("verify");
    assert_eq!(check.outcome, Err(NotVerified::PopulationNotKept));
    drop(store);

    let (ok, message, json) = cli_verify(&db);
    assert!(!ok);
    assert!(
        message.contains("这次抽样是在保存总体名单之前做出的，无法重新推算"),
        "{message}"
    );
    assert_eq!(json["consistent"], false);
    assert_eq!(json["difference"], "population_not_kept");

    // The pure check names a record that claims a version this build does not know.
    assert!(matches!(
        verify(&RecordedDraw {
            algorithm: sampling::ALGORITHM,
            algorithm_version: 3,
            options: DrawOptions::default(),
            seed: 1,
            population: &[],
            population_count: 0,
            population_hash: &sampling::population_hash([]),
            strata: &[],
            sampled: &[],
        }),
        Err(Mismatch::Algorithm(_))
    ));
}
