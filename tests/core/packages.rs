//! Work packages between laptops, offline, on real databases in separate temporary directories:
//! the supervisor exports a work package per inspector, each inspector opens theirs on a laptop
//! that has nothing else (no roster), checks accounts with the normal store API and exports a
//! result package, and the supervisor merges the results back: counts, findings, verdicts,
//! evidence files, conflicts and their resolution, idempotence, and every refusal (with a
//! Chinese message and nothing written).

// Each test walks one scenario from roster to merged results; splitting them would hide the story.
#![allow(clippy::too_many_lines)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::support::clock::{at, days, minutes, on};
use crate::support::{answered, has_cjk};
use chrono::NaiveDateTime;
use spotcheck::checklist::{Answer, Checklist, Finding, PointScheme, Verdict};
use spotcheck::exchange::{
    self, FORMAT_VERSION, Manifest, Package, PackageError, PackageKind, read_package,
};
use spotcheck::model::Quarter;
use spotcheck::model::{
    Conflict, DrawInfo, DrawRecord, DrawRequest, DrawnAccount, EvidenceKind, InspectionStatus,
    NewEvidence, StoredFinding,
};
use spotcheck::sampling::{DrawOptions, Rate, Strata};
use spotcheck::steps::exchange::{ExchangeError, MergeReport, OpenReport};
use spotcheck::store::{Store, settings};
use tempfile::TempDir;

const SUPERVISOR: &str = "王组长";
const ZHANG: &str = "张三";
const LI: &str = "李四";
const QUARTER_LABEL: &str = "2026年第四季度";

fn q4() -> Quarter {
    "2026Q4".parse().expect("valid quarter")
}

// ---------------------------------------------------------------------------------------------
// Setup: the supervisor's office database, the inspectors' laptops.

/// The supervisor's database: the demo roster imported through the real reader, 2026Q4 drawn on
/// 2 October and split between 张三 and 李四 on 3 October.
struct Office {
    dir: TempDir,
    store: Store,
}

impl Office {
    /// With the built-in checklist stored in the database, as it is once the supervisor has
    /// started any check here. Without it, merging fails: see
    /// `merging_into_a_database_where_no_check_was_ever_started`.
    fn new() -> Self {
        Self::with_checklist(Some(Checklist::builtin()))
    }

    /// With `checklist` installed (and active) before the draw.
    fn with_checklist(checklist: Option<&Checklist>) -> Self {
        let dir = TempDir::new().expect("tempdir");
        let roster = dir.path().join("名录.xlsx");
        spotcheck::steps::demo::write_roster_xlsx(
            &spotcheck::steps::demo::accounts(200, 5),
            &roster,
        )
        .expect("write roster");
        let mut store = Store::open(&dir.path().join("t.db")).expect("open store");
        store
            .set_setting(settings::USER_NAME, SUPERVISOR)
            .expect("user name");
        let cancel = AtomicBool::new(false);
        let preview =
            spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
                .expect("preview");
        spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-10-01 10:00"))
            .expect("import");
        if let Some(c) = checklist {
            spotcheck::steps::inspect::install_checklist(&mut store, c, at("2026-10-01 10:30"))
                .expect("install checklist");
        }
        let request = DrawRequest {
            quarter: q4(),
            options: DrawOptions {
                rate: Rate::MINIMUM,
                strata: Strata::County,
                prefer_not_drawn_in: 0,
            },
            seed: 42,
            reason: None,
            void_work: false,
        };
        spotcheck::steps::draw::make_draw(&mut store, &request, at("2026-10-02 10:00"))
            .expect("draw");
        spotcheck::steps::draw::assign(
            &mut store,
            q4(),
            &[ZHANG.to_owned(), LI.to_owned()],
            true,
            at("2026-10-03 10:00"),
        )
        .expect("assign");
        Self { dir, store }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn draw(&self) -> DrawRecord {
        current(&self.store)
    }

    fn export(&mut self, inspector: &str, when: NaiveDateTime) -> (PathBuf, Manifest) {
        let path = self.path(&format!(
            "{inspector}-{}.spotcheck",
            when.format("%m%d%H%M")
        ));
        let manifest = spotcheck::steps::exchange::export_work_package(
            &mut self.store,
            q4(),
            inspector,
            &path,
            when,
            spotcheck::seed::fresh_seed(),
        )
        .expect("export work package");
        (path, manifest)
    }

    fn merge(&mut self, results: &Path, when: NaiveDateTime) -> MergeReport {
        let package = read_package(results).expect("read results");
        spotcheck::steps::exchange::merge_results_package(&mut self.store, &package, when)
            .expect("merge results")
    }

    /// What `backups/` beside the database holds (a backup is a file or a folder, depending
    /// on the version of the backup code).
    fn backups(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.path("backups")) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        out.sort();
        out
    }
}

/// An inspector's laptop: an empty database in its own directory.
struct Laptop {
    dir: TempDir,
    store: Store,
}

impl Laptop {
    fn new() -> Self {
        let dir = TempDir::new().expect("tempdir");
        let store = Store::open(&dir.path().join("t.db")).expect("open laptop store");
        Self { dir, store }
    }

    /// A laptop whose user name is set before any package is opened.
    fn named(user: &str) -> Self {
        let mut laptop = Self::new();
        laptop
            .store
            .set_setting(settings::USER_NAME, user)
            .expect("user name");
        laptop
    }

    fn open(&mut self, work: &Path, when: NaiveDateTime) -> OpenReport {
        let package = read_package(work).expect("read work package");
        spotcheck::steps::exchange::open_work_package(&mut self.store, &package, when)
            .expect("open work package")
    }

    fn draw(&self) -> DrawRecord {
        current(&self.store)
    }

    /// The laptop's account with this key.
    fn account(&self, key: &str) -> DrawnAccount {
        self.draw()
            .accounts
            .into_iter()
            .find(|d| d.account.account.key() == key)
            .unwrap_or_else(|| panic!("{key} is on the laptop"))
    }

    fn results(&mut self, name: &str, when: NaiveDateTime) -> (PathBuf, Manifest) {
        let path = self.dir.path().join(name);
        let manifest = spotcheck::steps::exchange::export_results_package(
            &mut self.store,
            &path,
            when,
            spotcheck::seed::fresh_seed(),
        )
        .expect("export results");
        (path, manifest)
    }
}

fn current(store: &Store) -> DrawRecord {
    store
        .current_draw(q4())
        .expect("read draw")
        .expect("a draw")
}

fn assigned<'a>(draw: &'a DrawRecord, who: &str) -> Vec<&'a DrawnAccount> {
    draw.accounts
        .iter()
        .filter(|d| d.inspector.as_deref() == Some(who))
        .collect()
}

fn key_of(d: &DrawnAccount) -> String {
    d.account.account.key()
}

/// Answers every applicable item of the active checklist: 符合 (V04 by dates, updated within two
/// weeks), except `fails` (item, note) answered 不符合. Returns how many findings were saved.
fn answer_all(
    store: &mut Store,
    draw: i64,
    d: &DrawnAccount,
    fails: &[(&str, &str)],
    when: NaiveDateTime,
) -> usize {
    let checklist = store.active_checklist().expect("checklist");
    let items: Vec<String> = checklist
        .applicable(&d.account.account.platform)
        .map(|i| i.id.clone())
        .collect();
    for item in &items {
        let finding = if let Some((_, note)) = fails.iter().find(|(i, _)| i == item) {
            answered(item, Answer::Fail, note)
        } else if item == "V04" {
            Finding {
                item: "V04".to_owned(),
                answer: None,
                note: String::new(),
                last_update: Some(on("2026-11-10")),
                checked_on: Some(on("2026-11-20")),
                longest_gap: None,
            }
        } else {
            answered(item, Answer::Pass, "")
        };
        spotcheck::steps::inspect::save_finding(store, draw, d.account.id, &finding, when)
            .expect("save finding");
    }
    items.len()
}

/// A small file that looks like a PNG, different for every `tag`.
fn png(tag: &str) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(tag.as_bytes());
    bytes.extend((0..=255u8).cycle().take(4096));
    bytes
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Copies a closed database (and its evidence folder) into `to`.
fn copy_db(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let src = PathBuf::from(format!("{}{suffix}", from.join("t.db").display()));
        if src.exists() {
            std::fs::copy(&src, format!("{}{suffix}", to.join("t.db").display())).expect("copy db");
        }
    }
    let evidence = from.join("evidence");
    for f in files_under(&evidence) {
        let target = to
            .join("evidence")
            .join(f.strip_prefix(&evidence).expect("under"));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&f, &target).expect("copy evidence");
    }
}

// ---------------------------------------------------------------------------------------------
// What a database holds, compared before and after.

/// The check of one account, without database ids.
#[derive(Debug, Clone, PartialEq)]
struct Check {
    checklist: (String, String),
    status: InspectionStatus,
    verdict: Option<Verdict>,
    score: Option<f64>,
    inspector: String,
    started_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
    findings: BTreeMap<String, StoredFinding>,
    /// (item, kind, added by, added at), in the order they were added.
    evidence: Vec<(String, EvidenceKind, String, NaiveDateTime)>,
}

/// Every started check of `draw`, by account key.
fn checks(store: &Store, draw: i64) -> BTreeMap<String, Check> {
    let keys: HashMap<i64, String> = store
        .draw_record(draw)
        .expect("draw record")
        .accounts
        .iter()
        .map(|d| (d.account.id, key_of(d)))
        .collect();
    store
        .inspections(draw)
        .expect("inspections")
        .into_iter()
        .map(|i| {
            (
                keys[&i.account].clone(),
                Check {
                    checklist: (i.checklist_id.clone(), i.checklist_version.clone()),
                    status: i.status,
                    verdict: i.verdict,
                    score: i.score,
                    inspector: i.inspector.clone(),
                    started_at: i.started_at,
                    finished_at: i.finished_at,
                    // Whether a version has left a laptop is that laptop's own bookkeeping: the
                    // findings and their lineage are what must agree.
                    findings: i
                        .findings
                        .iter()
                        .map(|f| {
                            let mut f = f.clone();
                            f.shared = false;
                            (f.finding.item.clone(), f)
                        })
                        .collect(),
                    evidence: i
                        .evidence
                        .iter()
                        .map(|e| {
                            (
                                e.item.clone(),
                                e.kind.clone(),
                                e.added_by.clone(),
                                e.added_at,
                            )
                        })
                        .collect(),
                },
            )
        })
        .collect()
}

/// Status, verdict and the content of every finding (not who saved an identical answer first):
/// what must not depend on the order of merges.
type Outcome = BTreeMap<String, (InspectionStatus, Option<Verdict>, BTreeMap<String, Finding>)>;

fn outcome(store: &Store, draw: i64) -> Outcome {
    checks(store, draw)
        .into_iter()
        .map(|(k, c)| {
            let findings = c
                .findings
                .into_iter()
                .map(|(item, f)| (item, f.finding))
                .collect();
            (k, (c.status, c.verdict, findings))
        })
        .collect()
}

/// Everything a refused operation must leave as it was.
#[derive(Debug, PartialEq)]
struct DbState {
    draws: Vec<DrawInfo>,
    checks: BTreeMap<String, Check>,
    log: usize,
    conflicts: Vec<Conflict>,
    accounts: i64,
    evidence_files: Vec<PathBuf>,
    user: Option<String>,
}

fn state(store: &Store) -> DbState {
    let draws = store.draw_history(q4()).expect("history");
    let checks = store
        .current_draw(q4())
        .expect("read draw")
        .map(|d| checks(store, d.info.id))
        .unwrap_or_default();
    DbState {
        draws,
        checks,
        log: store.log_entries().expect("log").len(),
        conflicts: spotcheck::steps::exchange::conflicts(store).expect("conflicts"),
        accounts: store.account_count().expect("count"),
        evidence_files: files_under(&store.evidence_dir()),
        user: store.setting(settings::USER_NAME).expect("setting"),
    }
}

fn last_log_action(store: &Store) -> String {
    store
        .log_entries()
        .expect("log")
        .last()
        .expect("an entry")
        .action
        .clone()
}

// ---------------------------------------------------------------------------------------------
// 1. Round trip.

/// What one inspector did on their laptop, to check against the supervisor's database.
struct Done {
    findings: usize,
    finished: usize,
    evidence: usize,
    /// (sha256, file name, bytes) of the files attached.
    files: Vec<(String, String, Vec<u8>)>,
    checks: BTreeMap<String, Check>,
}

/// The inspector's day on `laptop`: the first three accounts answered in full and finished
/// (one with a 不符合 problem, one with a failed veto item), evidence attached (a file and a
/// link), a fourth started; then the results exported.
fn inspect(laptop: &mut Laptop, who: &str, file_by_path: bool) -> (PathBuf, Manifest, Done) {
    let draw = laptop.draw();
    assert!(
        draw.accounts.len() >= 4,
        "{who} has {}",
        draw.accounts.len()
    );
    let id = draw.info.id;
    let a: Vec<DrawnAccount> = draw.accounts.iter().take(4).cloned().collect();
    let mut findings = 0;
    let mut files = Vec::new();

    findings += answer_all(&mut laptop.store, id, &a[0], &[], at("2026-11-10 10:00"));
    let bytes = png(&format!("{who}-首页"));
    let evidence = if file_by_path {
        let p = laptop.dir.path().join("首页截图.png");
        std::fs::write(&p, &bytes).expect("write screenshot");
        NewEvidence::Path(p)
    } else {
        NewEvidence::Bytes {
            file_name: "首页截图.png".to_owned(),
            bytes: bytes.clone(),
        }
    };
    spotcheck::steps::inspect::add_evidence(
        &mut laptop.store,
        id,
        a[0].account.id,
        "V01",
        evidence,
        at("2026-11-10 10:05"),
    )
    .expect("file evidence");
    files.push((
        exchange::sha256_hex(&bytes),
        "首页截图.png".to_owned(),
        bytes,
    ));
    spotcheck::steps::inspect::add_evidence(
        &mut laptop.store,
        id,
        a[0].account.id,
        "V05",
        NewEvidence::Url(format!("https://www.example.gov.cn/{who}/留言")),
        at("2026-11-10 10:06"),
    )
    .expect("url evidence");
    let done = spotcheck::steps::inspect::finish_inspection(
        &mut laptop.store,
        id,
        a[0].account.id,
        at("2026-11-10 10:30"),
    )
    .expect("finish");
    assert_eq!(done.verdict, Some(Verdict::Pass));

    let note = format!("备案信息中的运维单位未更新（{who}）");
    findings += answer_all(
        &mut laptop.store,
        id,
        &a[1],
        &[("P01", &note)],
        at("2026-11-11 10:00"),
    );
    let bytes = png(&format!("{who}-备案"));
    spotcheck::steps::inspect::add_evidence(
        &mut laptop.store,
        id,
        a[1].account.id,
        "P01",
        NewEvidence::Bytes {
            file_name: "备案.PNG".to_owned(),
            bytes: bytes.clone(),
        },
        at("2026-11-11 10:05"),
    )
    .expect("file evidence");
    files.push((exchange::sha256_hex(&bytes), "备案.PNG".to_owned(), bytes));
    let done = spotcheck::steps::inspect::finish_inspection(
        &mut laptop.store,
        id,
        a[1].account.id,
        at("2026-11-11 10:30"),
    )
    .expect("finish");
    assert_eq!(done.verdict, Some(Verdict::Pass), "P01 is not a veto item");

    let note = format!("留言三个月无人回复（{who}）");
    findings += answer_all(
        &mut laptop.store,
        id,
        &a[2],
        &[("V05", &note)],
        at("2026-11-12 10:00"),
    );
    // A veto 不符合 is finished only with its evidence.
    spotcheck::steps::inspect::add_evidence(
        &mut laptop.store,
        id,
        a[2].account.id,
        "V05",
        NewEvidence::Url(format!("https://www.example.gov.cn/{who}/留言无人回复")),
        at("2026-11-12 10:10"),
    )
    .expect("url evidence");
    let done = spotcheck::steps::inspect::finish_inspection(
        &mut laptop.store,
        id,
        a[2].account.id,
        at("2026-11-12 10:30"),
    )
    .expect("finish");
    assert_eq!(done.verdict, Some(Verdict::Fail));

    spotcheck::steps::inspect::save_finding(
        &mut laptop.store,
        id,
        a[3].account.id,
        &answered("V01", Answer::Pass, ""),
        at("2026-11-13 10:00"),
    )
    .expect("start a fourth");
    findings += 1;

    let checks = checks(&laptop.store, id);
    assert_eq!(checks.len(), 4);
    let (path, manifest) = laptop.results(
        &format!("{who}-2026Q4-结果.spotcheck"),
        at("2026-11-21 10:00"),
    );
    (
        path,
        manifest,
        Done {
            findings,
            finished: 3,
            evidence: 4, // two files, two links
            files,
            checks,
        },
    )
}

#[test]
fn round_trip_two_inspectors_work_offline_and_the_supervisor_merges_both() {
    // A local checklist (with a point scheme), so that the laptop can only know it from the
    // package.
    let mut local = Checklist::builtin().clone();
    local.id = "shi-gov-new-media".to_owned();
    local.version = "2026.1".to_owned();
    local.title = "示例市政务新媒体检查表".to_owned();
    local.scoring = Some(PointScheme::default());
    let mut office = Office::with_checklist(Some(&local));
    let draw = office.draw();
    let zhang = assigned(&draw, ZHANG);
    let li = assigned(&draw, LI);
    assert!(
        zhang.len() >= 4 && li.len() >= 4,
        "{} / {}",
        zhang.len(),
        li.len()
    );
    assert_eq!(zhang.len() + li.len(), draw.accounts.len());
    let zhang_keys: Vec<String> = zhang.iter().map(|d| key_of(d)).collect();
    let li_keys: Vec<String> = li.iter().map(|d| key_of(d)).collect();
    assert!(zhang_keys.iter().all(|k| !li_keys.contains(k)), "disjoint");

    let backups_before = office.backups();
    let (work_z, m_z) = office.export(ZHANG, at("2026-11-01 10:00"));
    let (work_l, m_l) = office.export(LI, at("2026-11-01 10:05"));
    assert_eq!(
        office.backups(),
        backups_before,
        "exporting takes no backup"
    );
    for (m, who) in [(&m_z, ZHANG), (&m_l, LI)] {
        assert_eq!(m.kind, PackageKind::Work);
        assert_eq!(m.format, exchange::FORMAT);
        assert_eq!(m.format_version, FORMAT_VERSION);
        assert_eq!(m.inspector, who);
        assert_eq!(m.created_by, SUPERVISOR);
        assert_eq!(m.quarter.to_string(), "2026Q4");
        assert_eq!(m.checklist_id, local.id);
        assert_eq!(m.checklist_version, local.version);
        assert!(m.evidence.is_empty(), "nothing attached yet");
        assert!(m.based_on.is_empty());
    }
    assert_ne!(m_z.package_id, m_l.package_id);
    assert_eq!(m_z.draw_uid, m_l.draw_uid, "one draw");
    assert_eq!(last_log_action(&office.store), "导出工作包");

    let mut results = Vec::new();
    for (who, work, manifest, keys, by_path) in [
        (ZHANG, &work_z, &m_z, &zhang_keys, false),
        (LI, &work_l, &m_l, &li_keys, true),
    ] {
        let mut laptop = Laptop::new();
        let package = read_package(work).expect("read work package");
        assert_eq!(&package.manifest, manifest);
        assert_eq!(package.data.accounts.len(), keys.len());
        let report = spotcheck::steps::exchange::open_work_package(
            &mut laptop.store,
            &package,
            at("2026-11-02 10:00"),
        )
        .expect("open");
        assert_eq!(
            report,
            OpenReport {
                package_id: manifest.package_id.clone(),
                quarter: QUARTER_LABEL.to_owned(),
                inspector: who.to_owned(),
                accounts: keys.len(),
                already_opened: false,
            }
        );
        // The laptop knows the inspector, the checklist, the draw and exactly their accounts
        // with their roster data.
        assert_eq!(
            laptop
                .store
                .setting(settings::USER_NAME)
                .expect("setting")
                .as_deref(),
            Some(who)
        );
        assert_eq!(spotcheck::steps::actor(&laptop.store).expect("user"), who);
        assert_eq!(laptop.store.active_checklist().expect("active"), local);
        assert_eq!(
            laptop
                .store
                .checklist(&local.id, &local.version)
                .expect("installed")
                .expect("known"),
            local
        );
        let here = laptop.draw();
        let here_keys: Vec<String> = here.accounts.iter().map(key_of).collect();
        assert_eq!(&here_keys, keys, "{who}'s accounts, in draw order");
        for d in &here.accounts {
            let there = draw
                .accounts
                .iter()
                .find(|s| key_of(s) == key_of(d))
                .expect("same account");
            assert_eq!(d.account.account, there.account.account, "roster data");
            assert!(d.account.listed);
            assert_eq!(d.stratum, there.stratum);
            assert_eq!((d.drawn, d.recheck), (there.drawn, there.recheck));
            assert_eq!(d.inspector.as_deref(), Some(who));
        }
        assert_eq!(
            laptop.store.account_count().expect("count"),
            i64::try_from(keys.len()).expect("small"),
            "no other account of the roster"
        );
        let (i, s) = (&here.info, &draw.info);
        assert_eq!(
            (
                i.quarter,
                i.rate,
                i.strata,
                i.seed,
                &i.population_hash,
                i.drawn_at,
                &i.drawn_by
            ),
            (
                s.quarter,
                s.rate,
                s.strata,
                s.seed,
                &s.population_hash,
                s.drawn_at,
                &s.drawn_by
            )
        );
        assert_eq!((i.population, i.sampled), (s.population, s.sampled));
        assert!(checks(&laptop.store, here.info.id).is_empty());
        assert_eq!(last_log_action(&laptop.store), "打开工作包");

        let (path, m, done) = inspect(&mut laptop, who, by_path);
        assert_eq!(m.kind, PackageKind::Results);
        assert_eq!(m.inspector, who);
        assert_eq!(m.created_by, who);
        assert_eq!(m.created_at, at("2026-11-21 10:00"));
        assert_eq!(m.based_on, vec![manifest.package_id.clone()]);
        assert_eq!(m.draw_uid, manifest.draw_uid);
        let carried: BTreeSet<&str> = m.evidence.iter().map(|e| e.sha256.as_str()).collect();
        let attached: BTreeSet<&str> = done.files.iter().map(|(s, _, _)| s.as_str()).collect();
        assert_eq!(carried, attached);
        assert_eq!(last_log_action(&laptop.store), "导出结果包");
        // The checks were made with the local checklist, and scored by it.
        for c in done.checks.values() {
            assert_eq!(c.checklist, (local.id.clone(), local.version.clone()));
            assert_eq!(c.inspector, who);
        }
        results.push((who, path, m, done, laptop));
    }

    let draw_id = draw.info.id;
    let backups_before = office.backups();
    for (n, (who, path, manifest, done, _laptop)) in results.iter().enumerate() {
        let before = checks(&office.store, draw_id);
        let report = office.merge(path, at("2026-11-25 10:00") + minutes(n));
        let backup = report.backup.clone().expect("a backup");
        assert_eq!(
            report,
            MergeReport {
                package_id: manifest.package_id.clone(),
                inspector: (*who).to_owned(),
                quarter: QUARTER_LABEL.to_owned(),
                added: done.findings,
                updated: 0,
                unchanged: 0,
                conflicts: 0,
                evidence_added: done.evidence,
                finished: done.finished,
                already_merged: false,
                backup: Some(backup.clone()),
            }
        );
        assert!(has_cjk(&report.summary()), "{}", report.summary());
        assert!(backup.exists(), "{}", backup.display());
        assert_eq!(backup.parent(), Some(office.path("backups").as_path()));
        {
            // The backup is the database as it was before this merge (opened from a copy, so
            // that the backup itself stays untouched).
            let db = if backup.is_file() {
                backup.clone()
            } else {
                backup.join("spotcheck.db")
            };
            let scratch = TempDir::new().expect("tempdir");
            std::fs::copy(&db, scratch.path().join("t.db")).expect("copy backup");
            let copy = Store::open(&scratch.path().join("t.db")).expect("open backup");
            assert_eq!(checks(&copy, draw_id), before);
        }
        assert_eq!(last_log_action(&office.store), "合并结果包");
        let log = office.store.log_entries().expect("log");
        assert_eq!(log.last().expect("entry").actor, SUPERVISOR);
    }
    let backups_after = office.backups();
    assert_eq!(
        backups_after.len(),
        backups_before.len() + 2,
        "{backups_after:?}"
    );

    // Everything both inspectors did is in the supervisor's database, exactly as they left it:
    // findings with who and when, verdicts, scores, status, evidence.
    let merged = checks(&office.store, draw_id);
    assert_eq!(merged.len(), 8);
    for (who, _, _, done, _) in &results {
        for (key, check) in &done.checks {
            assert_eq!(merged.get(key), Some(check), "{who}: {key}");
        }
        let finished = done
            .checks
            .values()
            .filter(|c| c.status == InspectionStatus::Done)
            .count();
        assert_eq!(finished, 3);
        let fails: Vec<_> = done
            .checks
            .values()
            .filter(|c| c.verdict == Some(Verdict::Fail))
            .collect();
        assert_eq!(fails.len(), 1);
        assert!(
            fails[0].findings["V05"].finding.note.contains(who),
            "{:?}",
            fails[0].findings["V05"]
        );
        // Evidence files are stored under their hash, byte for byte.
        for (sha, name, bytes) in &done.files {
            let path = office.store.evidence_path(sha, name);
            assert_eq!(
                std::fs::read(&path).expect("evidence file"),
                *bytes,
                "{}",
                path.display()
            );
        }
    }
    let statuses = office.store.inspection_states(draw_id).expect("states");
    assert_eq!(
        statuses
            .values()
            .filter(|(s, _)| *s == InspectionStatus::Done)
            .count(),
        6
    );
    assert!(
        spotcheck::steps::exchange::conflicts(&office.store)
            .expect("conflicts")
            .is_empty()
    );
    assert_eq!(office.store.verify_log().expect("verify"), None);
}

/// The usual case: the supervisor only draws, assigns and sends packages, and never starts a
/// check on their own laptop, so the built-in checklist was never written to its database.
#[test]
fn merging_into_a_database_where_no_check_was_ever_started() {
    let mut office = Office::with_checklist(None);
    let draw_id = office.draw().info.id;
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, done) = inspect(&mut laptop, ZHANG, false);
    let package = read_package(&results).expect("read");
    let report = spotcheck::steps::exchange::merge_results_package(
        &mut office.store,
        &package,
        at("2026-11-25 10:00"),
    )
    .unwrap_or_else(|e| panic!("merge refused: {e}"));
    assert_eq!(
        (
            report.added,
            report.finished,
            report.evidence_added,
            report.conflicts
        ),
        (done.findings, done.finished, done.evidence, 0)
    );
    let merged = checks(&office.store, draw_id);
    for (key, check) in &done.checks {
        assert_eq!(merged.get(key), Some(check), "{key}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Order independence.

#[test]
#[allow(clippy::many_single_char_names)] // a and b: the two identical copies of one database
fn merging_in_either_order_gives_the_same_findings_and_verdicts() {
    let mut office = Office::new();
    let draw = office.draw();
    let draw_id = draw.info.id;
    // The supervisor started one account of each before sending the packages.
    for who in [ZHANG, LI] {
        let first = assigned(&draw, who)[0].account.id;
        spotcheck::steps::inspect::save_finding(
            &mut office.store,
            draw_id,
            first,
            &answered("V01", Answer::Pass, ""),
            at("2026-10-20 10:00"),
        )
        .expect("supervisor's finding");
    }
    let (work_z, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let (work_l, _) = office.export(LI, at("2026-11-01 10:05"));

    let shared = png("两人都用到的同一张截图");
    let mut packages = Vec::new();
    for (who, work) in [(ZHANG, &work_z), (LI, &work_l)] {
        let mut laptop = Laptop::new();
        laptop.open(work, at("2026-11-02 10:00"));
        let here = laptop.draw();
        assert_eq!(
            checks(&laptop.store, here.info.id).len(),
            1,
            "the supervisor's start travels"
        );
        let id = here.info.id;
        let mut total = 0;
        for (n, d) in here.accounts.iter().take(3).enumerate() {
            let note = format!("{who}：链接无法打开");
            let fails: &[(&str, &str)] = if n == 1 { &[("P09", &note)] } else { &[] };
            total += answer_all(
                &mut laptop.store,
                id,
                d,
                fails,
                at("2026-11-10 10:00") + days(n),
            );
            spotcheck::steps::inspect::finish_inspection(
                &mut laptop.store,
                id,
                d.account.id,
                at("2026-11-10 10:30") + days(n),
            )
            .expect("finish");
        }
        // The same screenshot attached by both, to different accounts.
        spotcheck::steps::inspect::add_evidence(
            &mut laptop.store,
            id,
            here.accounts[0].account.id,
            "V01",
            NewEvidence::Bytes {
                file_name: "通用截图.png".to_owned(),
                bytes: shared.clone(),
            },
            at("2026-11-14 10:00"),
        )
        .expect("evidence");
        let (path, _) = laptop.results("结果.spotcheck", at("2026-11-21 10:00"));
        packages.push((who, path, total, laptop));
    }

    // Two identical copies of the supervisor's database.
    let Office { dir, store } = office;
    drop(store);
    let other = TempDir::new().expect("tempdir");
    copy_db(dir.path(), other.path());
    let mut a = Store::open(&dir.path().join("t.db")).expect("reopen");
    let mut b = Store::open(&other.path().join("t.db")).expect("open copy");
    assert_eq!(state(&a), state(&b));

    let merge = |store: &mut Store, path: &Path, when: NaiveDateTime| {
        let package = read_package(path).expect("read");
        spotcheck::steps::exchange::merge_results_package(store, &package, when).expect("merge")
    };
    let (z, l) = (&packages[0], &packages[1]);
    let a1 = merge(&mut a, &z.1, at("2026-11-25 10:00"));
    let a2 = merge(&mut a, &l.1, at("2026-11-25 10:01"));
    let b1 = merge(&mut b, &l.1, at("2026-11-25 10:00"));
    let b2 = merge(&mut b, &z.1, at("2026-11-25 10:01"));
    for (r, total) in [(&a1, z.2), (&b2, z.2), (&a2, l.2), (&b1, l.2)] {
        // The supervisor's V01 came back unchanged; everything else is new.
        assert_eq!(
            (r.added, r.unchanged, r.updated, r.conflicts),
            (total - 1, 1, 0, 0),
            "{r:?}"
        );
        assert_eq!(r.finished, 3);
    }
    assert_eq!(a1.evidence_added, 1);
    assert_eq!(a2.evidence_added, 1);
    assert_eq!(b1.evidence_added, 1);
    assert_eq!(b2.evidence_added, 1);

    let (ca, cb) = (checks(&a, draw_id), checks(&b, draw_id));
    assert_eq!(ca.len(), 6);
    assert_eq!(ca, cb, "same checks whatever the order");
    assert_eq!(outcome(&a, draw_id), outcome(&b, draw_id));
    // As the inspectors left them (the supervisor's V01, answered alike by the inspector, keeps
    // the supervisor's name).
    for (who, _, _, laptop) in &packages {
        let theirs = outcome(&laptop.store, laptop.draw().info.id);
        assert_eq!(theirs.len(), 3);
        for (key, o) in theirs {
            assert_eq!(outcome(&a, draw_id).get(&key), Some(&o), "{who}: {key}");
            let c = &ca[&key];
            for (item, f) in &c.findings {
                let by = if item == "V01" && c.inspector == SUPERVISOR {
                    SUPERVISOR
                } else {
                    who
                };
                assert_eq!(f.updated_by, by, "{key} {item}");
            }
        }
    }
    // The shared screenshot is stored once, the same in both.
    let sha = exchange::sha256_hex(&shared);
    for store in [&a, &b] {
        let path = store.evidence_path(&sha, "通用截图.png");
        assert_eq!(std::fs::read(path).expect("shared file"), shared);
        assert_eq!(files_under(&store.evidence_dir()).len(), 1);
    }
    assert!(
        spotcheck::steps::exchange::conflicts(&a)
            .expect("conflicts")
            .is_empty()
    );
    assert!(
        spotcheck::steps::exchange::conflicts(&b)
            .expect("conflicts")
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Overlap and conflicts.

#[test]
#[allow(clippy::many_single_char_names)] // x and y: the accounts X and Y the comments name
fn the_same_account_checked_on_two_laptops_gives_a_conflict_resolved_alike_in_either_order() {
    let mut office = Office::new();
    let (work_z, m_z) = office.export(ZHANG, at("2026-11-01 10:00"));
    let zhang_keys: Vec<String> = assigned(&office.draw(), ZHANG)
        .iter()
        .map(|d| key_of(d))
        .collect();
    // 张三 falls ill: the whole sample goes to 李四, who gets 张三's accounts too.
    spotcheck::steps::draw::assign(
        &mut office.store,
        q4(),
        &[LI.to_owned()],
        true,
        at("2026-11-03 10:00"),
    )
    .expect("reassign");
    let (work_l, m_l) = office.export(LI, at("2026-11-03 10:05"));
    let draw = office.draw();
    assert_eq!(assigned(&draw, LI).len(), draw.accounts.len());

    let mut zhang = Laptop::new();
    zhang.open(&work_z, at("2026-11-02 10:00"));
    let mut li = Laptop::new();
    let report = li.open(&work_l, at("2026-11-04 10:00"));
    assert_eq!(report.accounts, draw.accounts.len());

    // Both check the same account X; they disagree on P01 only. 李四 also checks Y.
    let x = zhang_keys[0].clone();
    let y = zhang_keys[1].clone();
    let url = "https://www.example.gov.cn/备案查询".to_owned();
    let zx = zhang.account(&x);
    let zdraw = zhang.draw().info.id;
    let items_x = answer_all(
        &mut zhang.store,
        zdraw,
        &zx,
        &[("P01", "张三：备案主体与主办单位不符")],
        at("2026-11-10 10:00"),
    );
    spotcheck::steps::inspect::add_evidence(
        &mut zhang.store,
        zdraw,
        zx.account.id,
        "P01",
        NewEvidence::Url(url.clone()),
        at("2026-11-10 10:10"),
    )
    .expect("url");
    spotcheck::steps::inspect::finish_inspection(
        &mut zhang.store,
        zdraw,
        zx.account.id,
        at("2026-11-10 10:30"),
    )
    .expect("finish");
    let (res_z, rm_z) = zhang.results("张三-结果.spotcheck", at("2026-11-21 10:00"));
    assert_eq!(rm_z.based_on, vec![m_z.package_id.clone()]);

    let ldraw = li.draw().info.id;
    let lx = li.account(&x);
    answer_all(&mut li.store, ldraw, &lx, &[], at("2026-11-12 10:00"));
    spotcheck::steps::inspect::add_evidence(
        &mut li.store,
        ldraw,
        lx.account.id,
        "P01",
        NewEvidence::Url(url.clone()),
        at("2026-11-12 10:10"),
    )
    .expect("url");
    spotcheck::steps::inspect::add_evidence(
        &mut li.store,
        ldraw,
        lx.account.id,
        "P01",
        NewEvidence::Bytes {
            file_name: "备案.png".to_owned(),
            bytes: png("李四-备案"),
        },
        at("2026-11-12 10:11"),
    )
    .expect("file");
    spotcheck::steps::inspect::finish_inspection(
        &mut li.store,
        ldraw,
        lx.account.id,
        at("2026-11-12 10:30"),
    )
    .expect("finish");
    let ly = li.account(&y);
    let items_y = answer_all(&mut li.store, ldraw, &ly, &[], at("2026-11-13 10:00"));
    spotcheck::steps::inspect::finish_inspection(
        &mut li.store,
        ldraw,
        ly.account.id,
        at("2026-11-13 10:30"),
    )
    .expect("finish");
    let (res_l, rm_l) = li.results("李四-结果.spotcheck", at("2026-11-22 10:00"));
    assert_eq!(rm_l.based_on, vec![m_l.package_id.clone()]);

    let zhang_p01 = checks(&zhang.store, zdraw)[&x].findings["P01"].clone();
    let li_p01 = checks(&li.store, ldraw)[&x].findings["P01"].clone();
    assert_eq!(zhang_p01.updated_by, ZHANG);
    assert_eq!(li_p01.updated_by, LI);
    assert_eq!(zhang_p01.finding.answer, Some(Answer::Fail));
    assert_eq!(li_p01.finding.answer, Some(Answer::Pass));

    let Office { dir, store } = office;
    drop(store);
    let other = TempDir::new().expect("tempdir");
    copy_db(dir.path(), other.path());
    let mut a = Store::open(&dir.path().join("t.db")).expect("reopen");
    let mut b = Store::open(&other.path().join("t.db")).expect("open copy");
    let draw_id = draw.info.id;
    let merge = |store: &mut Store, path: &Path, when: NaiveDateTime| {
        let package = read_package(path).expect("read");
        spotcheck::steps::exchange::merge_results_package(store, &package, when).expect("merge")
    };
    let p01 = |store: &Store| checks(store, draw_id)[&x].findings["P01"].clone();

    // Order 1: 张三 then 李四.
    let r = merge(&mut a, &res_z, at("2026-11-25 10:00"));
    assert_eq!(
        (r.added, r.conflicts, r.finished, r.evidence_added),
        (items_x, 0, 1, 1)
    );
    let r = merge(&mut a, &res_l, at("2026-11-25 10:01"));
    assert_eq!(
        (r.added, r.updated, r.unchanged, r.conflicts, r.finished),
        (items_y, 0, items_x - 1, 1, 1),
        "{r:?}"
    );
    // The URL both attached is not doubled; 李四's file is added.
    assert_eq!(r.evidence_added, 1);
    assert!(r.summary().contains("请逐项选择"), "{}", r.summary());
    assert_eq!(p01(&a), zhang_p01, "nothing overwritten");
    assert_eq!(checks(&a, draw_id)[&x].verdict, Some(Verdict::Pass));
    let conflicts = spotcheck::steps::exchange::conflicts(&a).expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
    let c = &conflicts[0];
    let xa = &draw
        .accounts
        .iter()
        .find(|d| key_of(d) == x)
        .expect("x")
        .account
        .account;
    assert_eq!(c.quarter, QUARTER_LABEL);
    assert_eq!(c.account_name, xa.name);
    assert_eq!(c.platform, xa.platform);
    assert_eq!(c.item, "P01");
    assert_eq!(c.package, rm_l.package_id);
    let local = c.local.as_ref().expect("answered here");
    assert_eq!(local.answer, Some(Answer::Fail));
    assert_eq!(local.note, "张三：备案主体与主办单位不符");
    assert_eq!(
        (local.updated_by.as_str(), local.updated_at),
        (ZHANG, zhang_p01.updated_at)
    );
    assert_eq!(c.incoming.answer, Some(Answer::Pass));
    assert_eq!(c.incoming.note, "");
    assert_eq!(
        (c.incoming.updated_by.as_str(), c.incoming.updated_at),
        (LI, li_p01.updated_at)
    );
    let evidence_x = checks(&a, draw_id)[&x].evidence.clone();
    assert_eq!(evidence_x.len(), 2, "{evidence_x:?}");

    spotcheck::steps::exchange::resolve_conflict(&mut a, c.id, true, at("2026-11-26 10:00"))
        .expect("take 李四's");
    // 李四's version, who and when; its lineage now also names the version it was chosen over.
    let taken = p01(&a);
    assert_eq!(
        (&taken.finding, &taken.updated_by, taken.updated_at),
        (&li_p01.finding, &li_p01.updated_by, li_p01.updated_at)
    );
    assert!(taken.lineage.len() > li_p01.lineage.len());
    assert!(
        spotcheck::steps::exchange::conflicts(&a)
            .expect("conflicts")
            .is_empty()
    );
    assert_eq!(last_log_action(&a), "处理合并冲突");
    let err =
        spotcheck::steps::exchange::resolve_conflict(&mut a, c.id, false, at("2026-11-26 10:01"))
            .expect_err("already resolved");
    assert!(
        matches!(err, ExchangeError::NoConflict(id) if id == c.id),
        "{err:?}"
    );
    assert!(has_cjk(&err.to_string()), "{err}");
    assert_eq!(p01(&a), taken, "a refused second choice changes nothing");

    // Order 2: 李四 then 张三; keeping 李四's version, which is now the local one.
    let r = merge(&mut b, &res_l, at("2026-11-25 10:00"));
    assert_eq!(
        (r.added, r.conflicts, r.finished),
        (items_x + items_y, 0, 2)
    );
    let r = merge(&mut b, &res_z, at("2026-11-25 10:01"));
    assert_eq!(
        (r.added, r.unchanged, r.conflicts, r.finished),
        (0, items_x - 1, 1, 0)
    );
    assert_eq!(p01(&b), li_p01);
    let conflicts = spotcheck::steps::exchange::conflicts(&b).expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.local.as_ref().map(|l| l.updated_by.as_str()), Some(LI));
    assert_eq!(c.incoming.updated_by, ZHANG);
    assert_eq!(c.package, rm_z.package_id);
    spotcheck::steps::exchange::resolve_conflict(&mut b, c.id, false, at("2026-11-26 10:00"))
        .expect("keep 李四's");
    assert!(
        spotcheck::steps::exchange::conflicts(&b)
            .expect("conflicts")
            .is_empty()
    );

    // The same final findings and verdicts, whatever the order.
    assert_eq!(outcome(&a, draw_id), outcome(&b, draw_id));
    assert_eq!(p01(&b), taken);
    let evidence = |s: &Store| {
        let mut e: Vec<_> = checks(s, draw_id)[&x]
            .evidence
            .iter()
            .map(|(item, kind, _, _)| format!("{item} {kind:?}"))
            .collect();
        e.sort();
        e
    };
    assert_eq!(evidence(&a), evidence(&b));
}

/// The supervisor changed findings after sending the work package; the inspector changed some
/// of the same: changed on both sides → conflict (the supervisor's kept), on the inspector's
/// side only → updated, on the supervisor's side only → unchanged.
#[test]
#[allow(clippy::similar_names)] // findings named by checklist item: V01, P01, P02
fn changes_on_both_sides_conflict_and_one_sided_changes_do_not() {
    let mut office = Office::new();
    let draw = office.draw();
    let draw_id = draw.info.id;
    let s = assigned(&draw, ZHANG)[0].clone();
    let key = key_of(&s);
    for item in ["V01", "P01", "P02"] {
        spotcheck::steps::inspect::save_finding(
            &mut office.store,
            draw_id,
            s.account.id,
            &answered(item, Answer::Pass, ""),
            at("2026-10-20 10:00"),
        )
        .expect("supervisor's finding");
    }
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    // After the export, the supervisor revises V01 and P02.
    let sup_v01 = answered("V01", Answer::Fail, "组长复核：标题有严重表述错误");
    let sup_p02 = answered("P02", Answer::Fail, "组长：同一单位在该平台有两个账号");
    spotcheck::steps::inspect::save_finding(
        &mut office.store,
        draw_id,
        s.account.id,
        &sup_v01,
        at("2026-11-05 10:00"),
    )
    .expect("revise");
    spotcheck::steps::inspect::save_finding(
        &mut office.store,
        draw_id,
        s.account.id,
        &sup_p02,
        at("2026-11-05 10:01"),
    )
    .expect("revise");

    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let ls = laptop.account(&key);
    let lid = laptop.draw().info.id;
    let carried = checks(&laptop.store, lid);
    let carried = &carried[&key].findings;
    assert_eq!(carried.len(), 3, "the work so far travels");
    for f in carried.values() {
        assert_eq!(f.finding.answer, Some(Answer::Pass));
        assert_eq!(
            (f.updated_by.as_str(), f.updated_at),
            (SUPERVISOR, at("2026-10-20 10:00"))
        );
    }
    // The inspector answers everything: V01 differently from the supervisor's revision, P01
    // changed (the supervisor never touched it after the export), P02 left as sent.
    let items = laptop
        .store
        .active_checklist()
        .expect("checklist")
        .applicable(&ls.account.account.platform)
        .count();
    for item in laptop
        .store
        .active_checklist()
        .expect("checklist")
        .applicable(&ls.account.account.platform)
        .map(|i| i.id.clone())
        .collect::<Vec<_>>()
    {
        let finding = match item.as_str() {
            "V01" => answered("V01", Answer::Pass, "张三：已核实，无严重表述错误"),
            "P01" => answered("P01", Answer::Fail, "张三：备案信息未更新"),
            "P02" => continue,
            "V04" => Finding {
                item: "V04".to_owned(),
                answer: None,
                note: String::new(),
                last_update: Some(on("2026-11-10")),
                checked_on: Some(on("2026-11-20")),
                longest_gap: None,
            },
            _ => answered(&item, Answer::Pass, ""),
        };
        spotcheck::steps::inspect::save_finding(
            &mut laptop.store,
            lid,
            ls.account.id,
            &finding,
            at("2026-11-10 10:00"),
        )
        .expect("save");
    }
    spotcheck::steps::inspect::finish_inspection(
        &mut laptop.store,
        lid,
        ls.account.id,
        at("2026-11-10 10:30"),
    )
    .expect("finish");
    let inspector_v01 = checks(&laptop.store, lid)[&key].findings["V01"].clone();
    let inspector_p01 = checks(&laptop.store, lid)[&key].findings["P01"].clone();
    let (results, rm) = laptop.results("结果.spotcheck", at("2026-11-21 10:00"));

    let before = checks(&office.store, draw_id)[&key].clone();
    let report = office.merge(&results, at("2026-11-25 10:00"));
    assert_eq!(
        (
            report.added,
            report.updated,
            report.unchanged,
            report.conflicts,
            report.finished
        ),
        (items - 3, 1, 1, 1, 0),
        "{report:?}"
    );
    let after = checks(&office.store, draw_id)[&key].clone();
    // V01: both changed → the supervisor's revision stays until resolved.
    assert_eq!(after.findings["V01"], before.findings["V01"]);
    assert_eq!(after.findings["V01"].finding, sup_v01);
    assert_eq!(after.findings["V01"].updated_by, SUPERVISOR);
    // P01: only the inspector changed it → the inspector's version, who and when.
    assert_eq!(after.findings["P01"], inspector_p01);
    // P02: only the supervisor changed it → kept.
    assert_eq!(after.findings["P02"], before.findings["P02"]);
    assert_eq!(after.findings["P02"].finding, sup_p02);
    assert_eq!(after.findings.len(), items);
    assert_eq!(
        after.verdict,
        Some(Verdict::Fail),
        "the supervisor's V01 is a veto"
    );
    assert_eq!(
        after.status,
        InspectionStatus::InProgress,
        "not finished while in conflict"
    );

    let conflicts = spotcheck::steps::exchange::conflicts(&office.store).expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.item, "V01");
    assert_eq!(c.package, rm.package_id);
    let local = c.local.clone().expect("local");
    assert_eq!(
        (
            local.answer,
            local.note.as_str(),
            local.updated_by.as_str(),
            local.updated_at
        ),
        (
            Some(Answer::Fail),
            sup_v01.note.as_str(),
            SUPERVISOR,
            at("2026-11-05 10:00")
        )
    );
    assert_eq!(
        (
            c.incoming.answer,
            c.incoming.note.as_str(),
            c.incoming.updated_by.as_str()
        ),
        (
            Some(Answer::Pass),
            inspector_v01.finding.note.as_str(),
            ZHANG
        )
    );
    assert_eq!(c.incoming.updated_at, inspector_v01.updated_at);

    spotcheck::steps::exchange::resolve_conflict(
        &mut office.store,
        c.id,
        true,
        at("2026-11-26 10:00"),
    )
    .expect("take the inspector's V01");
    let resolved = checks(&office.store, draw_id)[&key].clone();
    // The inspector's version, who and when; its lineage also names the supervisor's it
    // was chosen over.
    let v01 = &resolved.findings["V01"];
    assert_eq!(
        (&v01.finding, &v01.updated_by, v01.updated_at),
        (
            &inspector_v01.finding,
            &inspector_v01.updated_by,
            inspector_v01.updated_at
        )
    );
    assert!(v01.lineage.len() > inspector_v01.lineage.len());
    assert_eq!(resolved.findings["P01"], inspector_p01);
    assert_eq!(resolved.findings["P02"].finding, sup_p02);
    assert_eq!(
        resolved.verdict,
        Some(Verdict::Pass),
        "no veto item fails any more"
    );
    // The inspector had finished this check: the last choice finishes it here too.
    assert_eq!(resolved.status, InspectionStatus::Done);
}

/// After a first result package was merged the supervisor reviews the account and sets a
/// finding back; the inspector, who has not touched that finding since, sends a second result
/// package (another account finished). The supervisor's review must not be undone silently,
/// and a finding the inspector did not touch again must not come back as a conflict.
#[test]
fn a_second_result_package_does_not_undo_the_supervisors_review() {
    let mut office = Office::new();
    let draw = office.draw();
    let draw_id = draw.info.id;
    let mine = assigned(&draw, ZHANG);
    let (s, t) = (mine[0].clone(), mine[1].clone());
    let key = key_of(&s);
    for item in ["P01", "P03"] {
        spotcheck::steps::inspect::save_finding(
            &mut office.store,
            draw_id,
            s.account.id,
            &answered(item, Answer::Pass, ""),
            at("2026-10-20 10:00"),
        )
        .expect("supervisor's finding");
    }
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));

    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let lid = laptop.draw().info.id;
    let ls = laptop.account(&key);
    answer_all(
        &mut laptop.store,
        lid,
        &ls,
        &[
            ("P01", "张三：备案信息未更新"),
            ("P03", "张三：名称与单位不符"),
        ],
        at("2026-11-10 10:00"),
    );
    spotcheck::steps::inspect::finish_inspection(
        &mut laptop.store,
        lid,
        ls.account.id,
        at("2026-11-10 10:30"),
    )
    .expect("finish");
    let (first, _) = laptop.results("结果1.spotcheck", at("2026-11-21 10:00"));
    let r = office.merge(&first, at("2026-11-22 10:00"));
    assert_eq!((r.updated, r.conflicts, r.finished), (2, 0, 1), "{r:?}");

    // The supervisor reviews: P01 set back to 符合 (exactly as it was sent), P03 re-worded.
    let review_p01 = answered("P01", Answer::Pass, "");
    let review_p03 = answered("P03", Answer::Fail, "组长复核：账号名称与主办单位全称不符");
    spotcheck::steps::inspect::save_finding(
        &mut office.store,
        draw_id,
        s.account.id,
        &review_p01,
        at("2026-11-23 10:00"),
    )
    .expect("review");
    spotcheck::steps::inspect::save_finding(
        &mut office.store,
        draw_id,
        s.account.id,
        &review_p03,
        at("2026-11-23 10:01"),
    )
    .expect("review");
    let reviewed = checks(&office.store, draw_id)[&key].clone();

    // The inspector checks another account and sends everything again.
    let lt = laptop.account(&key_of(&t));
    let items_t = answer_all(&mut laptop.store, lid, &lt, &[], at("2026-11-24 10:00"));
    spotcheck::steps::inspect::finish_inspection(
        &mut laptop.store,
        lid,
        lt.account.id,
        at("2026-11-24 10:30"),
    )
    .expect("finish");
    let (second, _) = laptop.results("结果2.spotcheck", at("2026-11-24 10:40"));
    let r = office.merge(&second, at("2026-11-25 10:00"));
    let after = checks(&office.store, draw_id)[&key].clone();
    assert_eq!(
        after.findings["P01"], reviewed.findings["P01"],
        "the supervisor's review of P01 was overwritten by the inspector's unchanged finding"
    );
    assert_eq!(after.findings["P03"], reviewed.findings["P03"]);
    assert_eq!(
        (r.added, r.updated, r.conflicts),
        (items_t, 0, 0),
        "nothing the inspector changed since the first package: {r:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Idempotence.

#[test]
fn opening_or_merging_the_same_package_twice_changes_nothing() {
    let mut office = Office::new();
    let (work, m) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    let first = laptop.open(&work, at("2026-11-02 10:00"));
    assert!(!first.already_opened);
    let opened = state(&laptop.store);
    let again = laptop.open(&work, at("2026-11-02 10:30"));
    assert_eq!(
        again,
        OpenReport {
            already_opened: true,
            ..first.clone()
        }
    );
    assert_eq!(again.package_id, m.package_id);
    assert_eq!(
        state(&laptop.store),
        opened,
        "opening twice changes nothing"
    );

    let (results, rm, done) = inspect(&mut laptop, ZHANG, false);
    let draw_id = office.draw().info.id;
    let r1 = office.merge(&results, at("2026-11-25 10:00"));
    assert_eq!(r1.added, done.findings);
    assert!(!r1.already_merged);
    let merged = state(&office.store);
    let backups = office.backups();

    let r2 = office.merge(&results, at("2026-11-26 10:00"));
    assert_eq!(
        r2,
        MergeReport {
            package_id: rm.package_id.clone(),
            inspector: ZHANG.to_owned(),
            quarter: QUARTER_LABEL.to_owned(),
            already_merged: true,
            ..MergeReport::default()
        }
    );
    assert!(r2.summary().contains("已经合并过"), "{}", r2.summary());
    assert_eq!(
        state(&office.store),
        merged,
        "findings, evidence and log unchanged"
    );
    assert_eq!(
        office.backups(),
        backups,
        "no backup for a merge that changes nothing"
    );

    // The same package id with other content (data.json edited, its checksum updated) is not
    // "merged already": it is refused, nothing changes.
    let forged = office.path("同编号改内容.spotcheck");
    rezip(
        &forged,
        &forge_data(&unzip(&results), |v| {
            v["inspections"][0]["findings"][0]["note"] = "改过的说明".into();
        }),
    );
    let package = read_package(&forged).expect("reads: each checksum matches");
    assert_eq!(package.manifest.package_id, rm.package_id);
    let err = spotcheck::steps::exchange::merge_results_package(
        &mut office.store,
        &package,
        at("2026-11-26 11:00"),
    )
    .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("编号相同的包") && text.contains("2026-11-25 10:00"),
        "{text}"
    );
    assert_eq!(state(&office.store), merged, "nothing changed");

    // A fresh result package with nothing new: every finding is the same, nothing is added.
    let (again, rm2) = laptop.results("再次导出.spotcheck", at("2026-11-27 10:00"));
    assert_ne!(rm2.package_id, rm.package_id);
    let r3 = office.merge(&again, at("2026-11-28 10:00"));
    assert_eq!(
        (
            r3.added,
            r3.updated,
            r3.unchanged,
            r3.conflicts,
            r3.evidence_added,
            r3.finished
        ),
        (0, 0, done.findings, 0, 0, 0),
        "{r3:?}"
    );
    assert_eq!(checks(&office.store, draw_id), merged.checks);
    assert_eq!(
        files_under(&office.store.evidence_dir()),
        merged.evidence_files
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Refusals.

/// The error's message is Chinese.
fn chinese(err: &dyn std::fmt::Display) -> String {
    let text = err.to_string();
    assert!(has_cjk(&text), "not Chinese: {text}");
    text
}

#[test]
fn results_of_a_replaced_draw_or_for_a_database_without_the_draw_are_refused() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, _) = inspect(&mut laptop, ZHANG, false);
    let package = read_package(&results).expect("read");

    // The supervisor redraws the quarter after sending the package.
    let request = DrawRequest {
        quarter: q4(),
        options: DrawOptions {
            rate: Rate::MINIMUM,
            strata: Strata::County,
            prefer_not_drawn_in: 0,
        },
        seed: 42,
        reason: Some("名录更正后重新抽样".to_owned()),
        // A work package went out: the user confirmed voiding it.
        void_work: true,
    };
    spotcheck::steps::draw::make_draw(&mut office.store, &request, at("2026-11-05 10:00"))
        .expect("redraw");
    let before = state(&office.store);
    let backups = office.backups();
    let err = spotcheck::steps::exchange::merge_results_package(
        &mut office.store,
        &package,
        at("2026-11-25 10:00"),
    )
    .expect_err("another draw");
    assert!(matches!(err, ExchangeError::OtherDraw { .. }), "{err:?}");
    let text = chinese(&err);
    assert!(text.contains(QUARTER_LABEL), "{text}");
    assert_eq!(state(&office.store), before);
    assert_eq!(office.backups(), backups, "refused before any backup");

    // The laptop, holding the old draw, cannot open a package of the new one.
    spotcheck::steps::draw::assign(
        &mut office.store,
        q4(),
        &[ZHANG.to_owned()],
        true,
        at("2026-11-05 10:30"),
    )
    .expect("assign new draw");
    let (new_work, _) = office.export(ZHANG, at("2026-11-06 10:00"));
    let on_laptop = state(&laptop.store);
    let new_package = read_package(&new_work).expect("read");
    let err = spotcheck::steps::exchange::open_work_package(
        &mut laptop.store,
        &new_package,
        at("2026-11-07 10:00"),
    )
    .expect_err("a different draw here");
    assert!(
        matches!(err, ExchangeError::DifferentDrawHere { .. }),
        "{err:?}"
    );
    chinese(&err);
    assert_eq!(state(&laptop.store), on_laptop);

    // A database that never drew the quarter.
    let elsewhere = Laptop::named("赵六");
    let mut store = elsewhere.store;
    let before = state(&store);
    let err = spotcheck::steps::exchange::merge_results_package(
        &mut store,
        &package,
        at("2026-11-25 10:00"),
    )
    .expect_err("no draw here");
    assert!(matches!(err, ExchangeError::NoLocalDraw { .. }), "{err:?}");
    chinese(&err);
    assert_eq!(state(&store), before);
    assert!(before.draws.is_empty());

    // Nothing to export before a work package was opened.
    let err = spotcheck::steps::exchange::export_results_package(
        &mut store,
        &elsewhere.dir.path().join("空.spotcheck"),
        at("2026-11-25 10:00"),
        spotcheck::seed::fresh_seed(),
    )
    .expect_err("no work");
    assert!(matches!(err, ExchangeError::NoWork), "{err:?}");
    chinese(&err);
    assert!(!elsewhere.dir.path().join("空.spotcheck").exists());

    // An inspector nobody assigned.
    let mut office = Office::new();
    let before = state(&office.store);
    let path = office.path("王五.spotcheck");
    let err = spotcheck::steps::exchange::export_work_package(
        &mut office.store,
        q4(),
        "王五",
        &path,
        at("2026-11-01 10:00"),
        spotcheck::seed::fresh_seed(),
    )
    .expect_err("nothing assigned");
    assert!(
        matches!(err, ExchangeError::NothingAssigned { .. }),
        "{err:?}"
    );
    assert!(chinese(&err).contains("王五"));
    assert!(!path.exists());
    assert_eq!(state(&office.store), before);
}

#[test]
fn a_package_of_the_wrong_kind_is_refused() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, _) = inspect(&mut laptop, ZHANG, false);

    let before = state(&office.store);
    let backups = office.backups();
    let err = spotcheck::steps::exchange::merge_results_package(
        &mut office.store,
        &read_package(&work).expect("read"),
        at("2026-11-25 10:00"),
    )
    .expect_err("a work package");
    assert!(matches!(err, ExchangeError::WrongKind { .. }), "{err:?}");
    assert!(chinese(&err).contains("工作包"), "{err}");
    assert_eq!(state(&office.store), before);
    assert_eq!(office.backups(), backups);

    let mut other = Laptop::new();
    let before = state(&other.store);
    let err = spotcheck::steps::exchange::open_work_package(
        &mut other.store,
        &read_package(&results).expect("read"),
        at("2026-11-25 10:00"),
    )
    .expect_err("a result package");
    assert!(matches!(err, ExchangeError::WrongKind { .. }), "{err:?}");
    assert!(chinese(&err).contains("结果包"), "{err}");
    assert_eq!(state(&other.store), before);
}

/// The entries of a zip file, in order.
fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("entry");
            let name = entry.name().expect("name").into_owned();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read entry");
            (name, bytes)
        })
        .collect()
}

fn rezip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

/// `entries` with the JSON of `name` changed by `edit`.
fn edit_json(
    entries: &[(String, Vec<u8>)],
    name: &str,
    edit: impl Fn(&mut serde_json::Value),
) -> Vec<(String, Vec<u8>)> {
    entries
        .iter()
        .map(|(n, bytes)| {
            if n == name {
                let mut v: serde_json::Value = serde_json::from_slice(bytes).expect("json");
                edit(&mut v);
                (n.clone(), serde_json::to_vec_pretty(&v).expect("json"))
            } else {
                (n.clone(), bytes.clone())
            }
        })
        .collect()
}

fn read_err(path: &Path) -> PackageError {
    match read_package(path) {
        Ok(p) => panic!("{} was accepted: {:?}", path.display(), p.manifest),
        Err(e) => e,
    }
}

#[test]
#[allow(clippy::similar_names)] // `list` and `last`: the JSON array and its last entry
fn damaged_tampered_or_foreign_packages_are_refused_before_anything_is_written() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, _) = inspect(&mut laptop, ZHANG, false);
    let good = unzip(&results);
    let names: Vec<&str> = good.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[..2], ["manifest.json", "data.json"]);
    assert_eq!(names.len(), 4, "two evidence files: {names:?}");
    // Rezipped as it is, the package is still good: the checks below fail for their reason.
    let same = office.path("原样.spotcheck");
    rezip(&same, &good);
    assert!(read_package(&same).is_ok());

    let before = state(&office.store);
    let backups = office.backups();
    let fresh = Laptop::new();
    let fresh_before = state(&fresh.store);
    let dir = office.dir.path().to_owned();
    let bad = |name: &str| dir.join(name);
    let mut cases: Vec<(PathBuf, &str)> = Vec::new();

    // data.json edited (an answer changed), the manifest left as it was.
    let p = bad("改动.spotcheck");
    rezip(
        &p,
        &edit_json(&good, "data.json", |v| {
            v["inspections"][2]["findings"][0]["answer"] = "pass".into();
            v["inspections"][0]["findings"][0]["note"] = "被改过".into();
        }),
    );
    assert!(
        matches!(read_err(&p), PackageError::Tampered { .. }),
        "{:?}",
        read_err(&p)
    );
    cases.push((p, "校验值不符"));

    // An evidence file with other bytes under the same name.
    let p = bad("改证据.spotcheck");
    let mut entries = good.clone();
    entries[2].1[20] ^= 0xff;
    rezip(&p, &entries);
    assert!(
        matches!(read_err(&p), PackageError::Tampered { .. }),
        "{:?}",
        read_err(&p)
    );
    cases.push((p, "证据文件"));

    // An evidence file missing.
    let p = bad("少证据.spotcheck");
    rezip(&p, &good[..3]);
    assert!(
        matches!(read_err(&p), PackageError::Damaged { .. }),
        "{:?}",
        read_err(&p)
    );
    cases.push((p, "缺少证据文件"));

    // The first half of the file (a copy interrupted).
    let p = bad("一半.spotcheck");
    let bytes = std::fs::read(&results).expect("read");
    std::fs::write(&p, &bytes[..bytes.len() / 2]).expect("write");
    read_err(&p);
    cases.push((p, ""));

    // A newer format.
    let p = bad("新格式.spotcheck");
    rezip(
        &p,
        &edit_json(&good, "manifest.json", |v| v["format_version"] = 99.into()),
    );
    match read_err(&p) {
        PackageError::NewerFormat { version, .. } => assert_eq!(version, 99),
        e => panic!("{e:?}"),
    }
    cases.push((p, "升级"));

    // Entries that could leave the evidence folder, or that a package never has.
    for (file, entry) in [
        ("穿越1.spotcheck", "evidence/../../x"),
        ("穿越2.spotcheck", "../evil"),
        ("穿越3.spotcheck", "/etc/evil"),
        ("穿越4.spotcheck", "evidence/..\\..\\evil"),
        ("多余.spotcheck", "说明.txt"),
        ("短名.spotcheck", "evidence/abc"),
    ] {
        let p = bad(file);
        let mut entries = good.clone();
        entries.push((entry.to_owned(), b"x".to_vec()));
        rezip(&p, &entries);
        match read_err(&p) {
            PackageError::BadEntry { entry: e, .. } => assert_eq!(e, entry),
            e => panic!("{entry}: {e:?}"),
        }
        cases.push((p, "不允许的内容"));
    }

    // Not a package at all: text, an empty file, a spreadsheet (a zip of other things), a zip
    // without a manifest.
    let p = bad("文本.spotcheck");
    std::fs::write(&p, "这不是工作包").expect("write");
    assert!(matches!(read_err(&p), PackageError::NotPackage { .. }));
    cases.push((p, "不是本软件的工作包或结果包"));
    let p = bad("空.spotcheck");
    std::fs::write(&p, b"").expect("write");
    assert!(matches!(read_err(&p), PackageError::NotPackage { .. }));
    cases.push((p, "不是本软件的工作包或结果包"));
    let p = bad("名录.spotcheck");
    std::fs::copy(office.path("名录.xlsx"), &p).expect("copy");
    read_err(&p);
    cases.push((p, ""));
    let p = bad("无清单.spotcheck");
    rezip(&p, &good[1..]);
    assert!(matches!(read_err(&p), PackageError::NotPackage { .. }));
    cases.push((p, "manifest.json"));
    let p = bad("不存在.spotcheck");
    assert!(matches!(read_err(&p), PackageError::Read { .. }));
    cases.push((p, "无法读取"));

    for (path, expected) in &cases {
        let err = read_err(path);
        let text = chinese(&err);
        assert!(text.contains(expected), "{}: {text}", path.display());
        let name = path.file_name().expect("name").to_string_lossy();
        assert!(text.contains(name.as_ref()), "names the file: {text}");
    }
    assert_eq!(state(&office.store), before, "nothing written");
    assert_eq!(office.backups(), backups);
    assert_eq!(state(&fresh.store), fresh_before);

    // Consistent but forged: data.json edited and its checksum updated in the manifest. The
    // draw no longer matches its name.
    let p = bad("伪造.spotcheck");
    let forged = edit_json(&good, "data.json", |v| v["draw"]["seed"] = "43".into());
    let data = forged[1].1.clone();
    let forged = edit_json(&forged, "manifest.json", |v| {
        v["data_sha256"] = exchange::sha256_hex(&data).into();
    });
    rezip(&p, &forged);
    let package = read_package(&p).expect("checksums agree");
    let err = spotcheck::steps::exchange::merge_results_package(
        &mut office.store,
        &package,
        at("2026-11-25 10:00"),
    )
    .expect_err("forged draw");
    assert!(matches!(err, ExchangeError::Altered(_)), "{err:?}");
    chinese(&err);
    assert_eq!(state(&office.store), before);

    // Consistent, but the last check is of an account the supervisor's draw does not have:
    // refused as a whole, the checks before it rolled back.
    let p = bad("陌生账号.spotcheck");
    let forged = edit_json(&good, "data.json", |v| {
        let list = v["inspections"].as_array_mut().expect("inspections");
        let last = list.last_mut().expect("one");
        last["account_key"] = "微信公众号|不存在的账号|不存在|某单位".into();
    });
    let data = forged[1].1.clone();
    let forged = edit_json(&forged, "manifest.json", |v| {
        v["data_sha256"] = exchange::sha256_hex(&data).into();
    });
    rezip(&p, &forged);
    let package: Package = read_package(&p).expect("checksums agree");
    let err = spotcheck::steps::exchange::merge_results_package(
        &mut office.store,
        &package,
        at("2026-11-25 10:00"),
    )
    .expect_err("unknown account");
    assert!(
        matches!(err, ExchangeError::UnknownAccount { .. }),
        "{err:?}"
    );
    chinese(&err);
    let after = state(&office.store);
    assert_eq!(after.checks, before.checks, "rolled back");
    assert_eq!(after.log, before.log);
    assert_eq!(after.conflicts, before.conflicts);
    assert_eq!(
        office
            .store
            .setting(settings::USER_NAME)
            .expect("user")
            .as_deref(),
        Some(SUPERVISOR)
    );
}

#[test]
fn an_inspectors_laptop_does_not_draw_or_assign() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-10-04 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-10-05 10:00"));
    let request = DrawRequest {
        quarter: q4(),
        options: DrawOptions::default(),
        seed: 1,
        reason: Some("再抽一次".to_owned()),
        void_work: false,
    };
    let err =
        spotcheck::steps::draw::make_draw(&mut laptop.store, &request, at("2026-10-06 10:00"))
            .expect_err("refused");
    assert!(err.to_string().contains("组长的电脑"), "{err}");
    let err = spotcheck::steps::draw::assign(
        &mut laptop.store,
        q4(),
        &[LI.to_owned()],
        false,
        at("2026-10-06 10:00"),
    )
    .expect_err("refused");
    assert!(err.to_string().contains("工作包"), "{err}");
    assert_eq!(
        laptop.draw().accounts.len(),
        office
            .draw()
            .accounts
            .iter()
            .filter(|d| d.inspector.as_deref() == Some(ZHANG))
            .count()
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Merging by lineage (issue 14): a result package's finding is taken only when it was edited
// from the version the supervisor has now.

/// A colleague helps with 张三's accounts: two laptops open the same work package and check
/// the same account differently. Merging A, then B, must not replace A's findings with B's.
#[test]
fn two_laptops_on_one_work_package_never_overwrite_each_other() {
    let mut office = Office::new();
    let draw = office.draw();
    let draw_id = draw.info.id;
    let s = assigned(&draw, ZHANG)[0].clone();
    let key = key_of(&s);
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));

    let mut a = Laptop::named(ZHANG);
    a.open(&work, at("2026-11-02 10:00"));
    let mut b = Laptop::named(LI);
    b.open(&work, at("2026-11-02 10:01"));
    let (aid, bid) = (a.draw().info.id, b.draw().info.id);
    let sa = a.account(&key);
    let sb = b.account(&key);
    let items = answer_all(
        &mut a.store,
        aid,
        &sa,
        &[("P01", "张三：备案信息未更新")],
        at("2026-11-10 10:00"),
    );
    answer_all(
        &mut b.store,
        bid,
        &sb,
        &[("P03", "李四：名称与单位不符")],
        at("2026-11-11 10:00"),
    );
    let (from_a, _) = a.results("A.spotcheck", at("2026-11-20 10:00"));
    let (from_b, _) = b.results("B.spotcheck", at("2026-11-20 10:01"));

    let r = office.merge(&from_a, at("2026-11-21 10:00"));
    assert_eq!((r.added, r.conflicts), (items, 0), "{r:?}");
    let after_a = checks(&office.store, draw_id)[&key].clone();
    let r = office.merge(&from_b, at("2026-11-22 10:00"));
    let after_b = checks(&office.store, draw_id)[&key].clone();
    assert_eq!(
        after_b.findings, after_a.findings,
        "B's findings replaced A's without a conflict"
    );
    // Every item both answered, each on its own: a conflict wherever the content differs
    // (P01 and P03), the same content elsewhere; nothing updated.
    assert_eq!((r.updated, r.conflicts), (0, 2), "{r:?}");
    let conflicts = spotcheck::steps::exchange::conflicts(&office.store).expect("conflicts");
    let mut items: Vec<&str> = conflicts.iter().map(|c| c.item.as_str()).collect();
    items.sort_unstable();
    assert_eq!(items, ["P01", "P03"]);
    assert!(conflicts.iter().all(|c| c.incoming.updated_by == LI));
}

/// The laptop sends a result package, then corrects a finding and sends another. Merged in
/// the wrong order, the older package must not put the old finding back.
#[test]
fn an_older_result_package_merged_after_a_later_one_changes_nothing() {
    let mut office = Office::new();
    let draw = office.draw();
    let draw_id = draw.info.id;
    let s = assigned(&draw, ZHANG)[0].clone();
    let key = key_of(&s);
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::named(ZHANG);
    laptop.open(&work, at("2026-11-02 10:00"));
    let lid = laptop.draw().info.id;
    let ls = laptop.account(&key);
    answer_all(
        &mut laptop.store,
        lid,
        &ls,
        &[("P01", "张三：备案信息未更新")],
        at("2026-11-10 10:00"),
    );
    let (older, _) = laptop.results("1.spotcheck", at("2026-11-11 10:00"));
    spotcheck::steps::inspect::save_finding(
        &mut laptop.store,
        lid,
        ls.account.id,
        &answered("P01", Answer::Pass, ""),
        at("2026-11-12 10:00"),
    )
    .expect("correct P01");
    let (later, _) = laptop.results("2.spotcheck", at("2026-11-13 10:00"));

    office.merge(&later, at("2026-11-20 10:00"));
    let merged = checks(&office.store, draw_id)[&key].clone();
    assert_eq!(merged.findings["P01"].finding.answer, Some(Answer::Pass));
    let r = office.merge(&older, at("2026-11-21 10:00"));
    assert_eq!((r.added, r.updated, r.conflicts), (0, 0, 0), "{r:?}");
    assert_eq!(
        checks(&office.store, draw_id)[&key].findings,
        merged.findings,
        "the older package put an old finding back"
    );

    // In the right order, the later package follows the earlier one without a conflict.
    let mut office2 = Office::new();
    let (work2, _) = office2.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop2 = Laptop::named(ZHANG);
    laptop2.open(&work2, at("2026-11-02 10:00"));
    let lid2 = laptop2.draw().info.id;
    let ls2 = laptop2.account(&key);
    answer_all(
        &mut laptop2.store,
        lid2,
        &ls2,
        &[("P01", "张三：备案信息未更新")],
        at("2026-11-10 10:00"),
    );
    let (first, _) = laptop2.results("1.spotcheck", at("2026-11-11 10:00"));
    spotcheck::steps::inspect::save_finding(
        &mut laptop2.store,
        lid2,
        ls2.account.id,
        &answered("P01", Answer::Pass, ""),
        at("2026-11-12 10:00"),
    )
    .expect("correct P01");
    let (second, _) = laptop2.results("2.spotcheck", at("2026-11-13 10:00"));
    office2.merge(&first, at("2026-11-20 10:00"));
    let r = office2.merge(&second, at("2026-11-21 10:00"));
    assert_eq!((r.updated, r.conflicts), (1, 0), "{r:?}");
}

/// Packages of the format before lineage are refused with a Chinese reason, not merged by
/// the old rule.
#[test]
fn a_package_of_the_previous_format_is_refused() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let entries = unzip(&work);
    let entries: Vec<(String, Vec<u8>)> = entries
        .into_iter()
        .map(|(name, bytes)| {
            if name == "manifest.json" {
                let text = String::from_utf8(bytes).expect("utf-8");
                let text = text.replace(
                    &format!("\"format_version\": {FORMAT_VERSION}"),
                    "\"format_version\": 1",
                );
                (name, text.into_bytes())
            } else {
                (name, bytes)
            }
        })
        .collect();
    rezip(&work, &entries);
    let err = read_err(&work);
    assert!(
        matches!(err, PackageError::OlderFormat { version: 1, .. }),
        "{err:?}"
    );
    assert!(
        has_cjk(&err.to_string()) && err.to_string().contains("重新导出"),
        "{err}"
    );
}

/// Bytes of `entries` zipped, with every `from` in the names (and anywhere else) turned into
/// `to` of the same length: the zip writer refuses two entries of one name, an altered file
/// need not.
fn rezip_renamed(path: &Path, entries: &[(String, Vec<u8>)], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    rezip(path, entries);
    let mut bytes = std::fs::read(path).expect("read zip");
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
    std::fs::write(path, bytes).expect("write zip");
}

/// `entries` with every evidence link replaced by `url`, the manifest's checksum of the data
/// made to match (as someone who edits a package on purpose would).
fn with_links(entries: &[(String, Vec<u8>)], url: &str) -> Vec<(String, Vec<u8>)> {
    let edited = edit_json(entries, "data.json", |v| {
        for inspection in v["inspections"].as_array_mut().expect("inspections") {
            for e in inspection["evidence"].as_array_mut().expect("evidence") {
                if e["url"].is_string() {
                    e["url"] = serde_json::Value::String(url.to_owned());
                }
            }
        }
    });
    let data = edited
        .iter()
        .find(|(n, _)| n == "data.json")
        .map(|(_, b)| exchange::sha256_hex(b))
        .expect("data.json");
    edit_json(&edited, "manifest.json", |v| {
        v["data_sha256"] = serde_json::Value::String(data.clone());
    })
}

#[test]
fn duplicate_entries_foreign_links_and_unlisted_evidence_are_refused() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, _) = inspect(&mut laptop, ZHANG, false);
    let good = unzip(&results);
    let dir = office.dir.path().to_owned();

    // Two data.json: the second (the one a zip reader keeps) says something else.
    let data = good
        .iter()
        .find(|(n, _)| n == "data.json")
        .expect("data")
        .1
        .clone();
    let other = String::from_utf8(data)
        .expect("utf-8")
        .replace("张三", "王五");
    let mut twice = good.clone();
    twice.push(("data.jsoX".to_owned(), other.into_bytes()));
    let p = dir.join("重复.spotcheck");
    rezip_renamed(&p, &twice, b"data.jsoX", b"data.json");
    let e = read_err(&p);
    assert!(matches!(e, PackageError::DuplicateEntry { .. }), "{e:?}");
    assert!(e.to_string().contains("重复"), "{e}");

    // A link evidence that is not a web page, with the checksums made to match.
    let sane = with_links(&good, "https://www.example.gov.cn/留言");
    let p = dir.join("链接正常.spotcheck");
    rezip(&p, &sane);
    assert!(read_package(&p).is_ok(), "a web link stays accepted");
    for url in [
        "file:///C:/Windows/system32/calc.exe",
        "javascript:alert(1)",
        r"\\server\share\证据.png",
        "http://",
        "https://www.example.gov.cn/ 留言",
        "ftp://example.gov.cn/a",
    ] {
        let p = dir.join("链接.spotcheck");
        rezip(&p, &with_links(&good, url));
        let e = read_err(&p);
        assert!(matches!(e, PackageError::BadLink { .. }), "{url}: {e:?}");
        assert!(e.to_string().contains("不是网页链接"), "{e}");
    }

    // An evidence file the manifest does not list.
    let mut extra = good.clone();
    let bytes = png("未列出");
    extra.push((format!("evidence/{}", exchange::sha256_hex(&bytes)), bytes));
    let p = dir.join("多余证据.spotcheck");
    rezip(&p, &extra);
    let e = read_err(&p);
    assert!(matches!(e, PackageError::BadEntry { .. }), "{e:?}");
    assert!(e.to_string().contains("清单中没有"), "{e}");
}

/// A checklist whose 更新时效 is the longest gap in the period (更新间隔不得超过10天), as a
/// city might send it.
fn gap_checklist() -> Checklist {
    let mut c = Checklist::builtin().clone();
    "2027.1".clone_into(&mut c.version);
    "某市政务新媒体检查指标（更新间隔）".clone_into(&mut c.title);
    let v04 = c.items.iter_mut().find(|i| i.id == "V04").expect("V04");
    v04.rule = Some(spotcheck::checklist::Rule::LongestGap { days: 10 });
    c
}

/// The longest gap an inspector records travels in the results package and is merged with
/// the rule's answer; the laptop uses the checklist the work package carried.
#[test]
fn a_longest_gap_goes_to_the_inspector_and_back() {
    let checklist = gap_checklist();
    let mut office = Office::with_checklist(Some(&checklist));
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::named(ZHANG);
    laptop.open(&work, at("2026-11-02 10:00"));
    let draw = laptop.draw();
    let mine = assigned(&draw, ZHANG);
    let (ten, eleven) = (mine[0].account.id, mine[1].account.id);
    for (account, gap) in [(ten, 10), (eleven, 11)] {
        let finding = Finding {
            item: "V04".to_owned(),
            checked_on: Some(on("2026-11-20")),
            longest_gap: Some(gap),
            ..Finding::default()
        };
        let saved = spotcheck::steps::inspect::save_finding(
            &mut laptop.store,
            draw.info.id,
            account,
            &finding,
            at("2026-11-20 10:00"),
        )
        .expect("save");
        assert_eq!(saved.checklist_version, "2027.1");
    }
    let (results, _) = laptop.results("张三结果.spotcheck", at("2026-11-21 10:00"));
    office.merge(&results, at("2026-11-22 10:00"));
    let office_draw = office.draw();
    for (key, gap, answer) in [
        (key_of(mine[0]), 10, Answer::Pass),
        (key_of(mine[1]), 11, Answer::Fail),
    ] {
        let d = office_draw
            .accounts
            .iter()
            .find(|d| key_of(d) == key)
            .expect("drawn here");
        let ins = office
            .store
            .inspection(office_draw.info.id, d.account.id)
            .expect("read")
            .expect("merged");
        let f = &ins.finding("V04").expect("V04").finding;
        assert_eq!(
            (f.longest_gap, f.answer),
            (Some(gap), Some(answer)),
            "{key}"
        );
    }
}

/// A package of the previous format (2, before findings could carry the longest gap) is still
/// read: its findings simply have none.
#[test]
fn a_package_of_format_2_is_still_read() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let entries: Vec<(String, Vec<u8>)> = unzip(&work)
        .into_iter()
        .map(|(name, bytes)| {
            if name == "manifest.json" {
                let text = String::from_utf8(bytes).expect("utf-8").replace(
                    &format!("\"format_version\": {FORMAT_VERSION}"),
                    "\"format_version\": 2",
                );
                (name, text.into_bytes())
            } else {
                (name, bytes)
            }
        })
        .collect();
    rezip(&work, &entries);
    let package = read_package(&work).expect("format 2 is read");
    assert_eq!(package.manifest.format_version, 2);
    let mut laptop = Laptop::named(ZHANG);
    laptop.open(&work, at("2026-11-02 10:00"));
    assert!(!assigned(&laptop.draw(), ZHANG).is_empty());
}

/// `entries` with `data.json` changed by `edit` and the manifest's checksum of it updated: only
/// the value edited is wrong.
fn forge_data(
    entries: &[(String, Vec<u8>)],
    edit: impl Fn(&mut serde_json::Value),
) -> Vec<(String, Vec<u8>)> {
    let edited = edit_json(entries, "data.json", edit);
    let data = edited
        .iter()
        .find(|(n, _)| n == "data.json")
        .expect("data.json")
        .1
        .clone();
    edit_json(&edited, "manifest.json", |v| {
        v["data_sha256"] = exchange::sha256_hex(&data).into();
    })
}

/// The typed records write back exactly the JSON they were read from: the manifest and the
/// data of a work package and of a result package (answers, dates, quarters, evidence).
#[test]
fn a_package_read_writes_back_the_same_json() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, _) = inspect(&mut laptop, ZHANG, false);
    for path in [&work, &results] {
        let entries = unzip(path);
        let package = read_package(path).expect("read");
        let json = |name: &str| {
            entries
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, b)| String::from_utf8(b.clone()).expect("utf-8"))
                .expect("entry")
        };
        let manifest = serde_json::to_string_pretty(&package.manifest).expect("json");
        let data = serde_json::to_string_pretty(&package.data).expect("json");
        assert_eq!(manifest, json("manifest.json"));
        assert_eq!(data, json("data.json"));
        assert!(manifest.contains("\"quarter\": \"2026Q4\""));
        if path == &results {
            assert!(data.contains("\"answer\": \"pass\""), "answers as codes");
            assert!(
                data.contains("\"last_update\": \"2026-11-10\""),
                "days as text"
            );
        }
    }
}

/// A forged package: (file, its entries, what the message names, the value quoted).
type Case<'a> = (&'a str, Vec<(String, Vec<u8>)>, Vec<String>, &'a str);

/// A package holding a value the format has no place for (a quarter 2026Q9, an answer 也许, a
/// day 2026-13-01, a work package's quarters at odds) is refused while it is read, with a message
/// naming the package, where the value is (which account and item) and what it is, never the
/// database; nothing is written, no backup is taken.
#[test]
fn a_package_with_a_value_the_format_does_not_hold_is_refused_naming_it() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, _) = inspect(&mut laptop, ZHANG, false);
    let good = unzip(&results);
    let data: serde_json::Value =
        serde_json::from_slice(&good.iter().find(|(n, _)| n == "data.json").expect("data").1)
            .expect("json");
    // The first account's V04 (answered by its dates) and its first item.
    let findings = data["inspections"][0]["findings"]
        .as_array()
        .expect("findings");
    let v04 = findings
        .iter()
        .position(|f| f["item"] == "V04")
        .expect("V04 answered");
    assert_eq!(findings[v04]["last_update"], "2026-11-10");
    let first_item = findings[0]["item"].as_str().expect("item").to_owned();
    let key = data["inspections"][0]["account_key"]
        .as_str()
        .expect("key")
        .to_owned();
    // The account as the message names it: its identity without the key's separators.
    let account_id = key.rsplit('\u{1f}').next().expect("id").to_owned();

    let before = state(&office.store);
    let backups = office.backups();
    let fresh = Laptop::new();
    let fresh_before = state(&fresh.store);
    let cases: Vec<Case> = vec![
        (
            "季度.spotcheck",
            edit_json(&good, "manifest.json", |v| v["quarter"] = "2026Q9".into()),
            vec!["包清单中的季度".to_owned(), "例如 2026Q4".to_owned()],
            "2026Q9",
        ),
        (
            "结果.spotcheck",
            forge_data(&good, |v| {
                v["inspections"][0]["findings"][0]["answer"] = "也许".into();
            }),
            vec![
                format!("检查项 {first_item} 的检查结果"),
                account_id.clone(),
                "符合、不符合或不适用".to_owned(),
            ],
            "也许",
        ),
        (
            "日期.spotcheck",
            forge_data(&good, |v| {
                v["inspections"][0]["findings"][v04]["last_update"] = "2026-13-01".into();
            }),
            vec![
                "检查项 V04 的最后更新日期".to_owned(),
                account_id.clone(),
                "不是有效的日期".to_owned(),
            ],
            "2026-13-01",
        ),
        (
            "检查日期.spotcheck",
            forge_data(&good, |v| {
                v["inspections"][0]["findings"][v04]["checked_on"] = "2026/11/20".into();
            }),
            vec!["检查项 V04 的检查日期".to_owned()],
            "2026/11/20",
        ),
    ];
    for (name, entries, places, value) in &cases {
        let p = office.path(name);
        rezip(&p, entries);
        let err = read_err(&p);
        assert!(
            matches!(&err, PackageError::BadValue { value: v, .. } if v == value),
            "{name}: {err:?}"
        );
        let text = chinese(&err);
        assert!(text.contains(name), "names the file: {text}");
        assert!(
            text.contains(&format!("“{value}”")),
            "quotes the value: {text}"
        );
        for place in places {
            assert!(text.contains(place.as_str()), "{place}: {text}");
        }
        assert!(!text.contains("数据库"), "blames the package: {text}");
    }

    // A work package whose draw is of another quarter than its manifest says.
    let p = office.path("两个季度.spotcheck");
    rezip(
        &p,
        &edit_json(&unzip(&work), "manifest.json", |v| {
            v["quarter"] = "2026Q3".into();
        }),
    );
    let err = read_err(&p);
    assert!(matches!(err, PackageError::Inconsistent { .. }), "{err:?}");
    let text = chinese(&err);
    assert!(
        text.contains("2026年第三季度") && text.contains("2026年第四季度"),
        "{text}"
    );

    assert_eq!(state(&office.store), before, "nothing written");
    assert_eq!(office.backups(), backups, "no backup taken");
    assert_eq!(state(&fresh.store), fresh_before);
}

/// Evidence is streamed, never held in memory: a result package of about 1 GiB of evidence
/// (twenty files of 50 MiB, the largest allowed) is merged by the real
/// `spotcheck package import` process, whose peak memory (Linux's `VmHWM`, printed with
/// `SPOTCHECK_PEAK_MEMORY`) stays under 200 MiB; every file arrives whole, and no temporary
/// file is left in the evidence folder.
#[test]
fn a_result_package_of_a_gigabyte_of_evidence_is_merged_in_bounded_memory() {
    const FILES: usize = 20;
    const LIMIT_KIB: u64 = 200 * 1024;
    let size = usize::try_from(spotcheck::model::MAX_EVIDENCE_BYTES).expect("fits");
    let office = Office::new();
    let (office_dir, mut office_store) = (office.dir, office.store);
    let work = office_dir.path().join("张三-2026Q4.spotcheck");
    spotcheck::steps::exchange::export_work_package(
        &mut office_store,
        q4(),
        ZHANG,
        &work,
        at("2026-11-01 10:00"),
        7,
    )
    .expect("export work package");
    let db = office_store.path().to_owned();
    drop(office_store);

    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let draw = laptop.draw();
    let account = draw.accounts[0].account.id;
    // Different bytes in every file, cheap to make: a block of noise repeated, its first bytes
    // the file's number.
    let block: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut bytes = block.repeat(size / block.len());
    let mut t = std::time::Instant::now();
    let mut lap = |what: &str| {
        eprintln!("{what}: {:.1} s", t.elapsed().as_secs_f64());
        t = std::time::Instant::now();
    };
    for n in 0..FILES {
        bytes[..8].copy_from_slice(&(n as u64).to_le_bytes());
        spotcheck::steps::inspect::add_evidence(
            &mut laptop.store,
            draw.info.id,
            account,
            "V01",
            NewEvidence::Bytes {
                file_name: format!("录屏{n}.mp4"),
                bytes: bytes.clone(),
            },
            at("2026-11-10 10:00"),
        )
        .expect("add evidence");
    }
    drop(bytes);
    lap("evidence attached");
    let (results, manifest) = laptop.results("结果.spotcheck", at("2026-11-20 10:00"));
    assert_eq!(manifest.evidence.len(), FILES);
    let total: u64 = manifest.evidence.iter().map(|e| e.size).sum();
    assert!(total >= 1000 * 1024 * 1024, "{total} bytes of evidence");
    let sent: Vec<String> = manifest.evidence.iter().map(|e| e.sha256.clone()).collect();
    lap("result package written");
    // The laptop's own copies are not needed any more.
    std::fs::remove_dir_all(laptop.store.evidence_dir()).expect("remove laptop evidence");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env("SPOTCHECK_PEAK_MEMORY", "1")
        .args(["--db", &db.to_string_lossy(), "--user", SUPERVISOR])
        .args(["package", "import", "--json"])
        .arg(&results)
        .output()
        .expect("run spotcheck");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    lap("merged");
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["evidence_added"], FILES);
    let peak: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("内存峰值 "))
        .and_then(|l| l.trim_end_matches(" KiB").parse().ok())
        .unwrap_or_else(|| panic!("no peak reported: {stderr}"));
    eprintln!(
        "merging {} MiB of evidence: peak {} MiB",
        total >> 20,
        peak / 1024
    );
    assert!(peak < LIMIT_KIB, "peak {} MiB", peak / 1024);

    let store = Store::open(&db).expect("reopen");
    let files = files_under(&store.evidence_dir());
    assert_eq!(files.len(), FILES, "{files:?}");
    for sha in &sent {
        let path = store.evidence_path(sha, "录屏.mp4");
        let len = std::fs::metadata(&path).expect("evidence file").len();
        assert_eq!(len, spotcheck::model::MAX_EVIDENCE_BYTES);
    }
    // One file read back whole: the bytes sent.
    let first = std::fs::read(store.evidence_path(&sent[0], "录屏.mp4")).expect("read");
    assert_eq!(exchange::sha256_hex(&first), sent[0]);
    lap("checked");
}

/// Evidence is checked again while it is unpacked: a package whose evidence file changed after
/// it was read (copied over from a damaged stick) is refused at the merge, before the backup and
/// the database; the file unpacked before it and the temporary file are removed.
#[test]
fn evidence_changed_after_reading_is_refused_while_unpacked_leaving_nothing() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let mut laptop = Laptop::new();
    laptop.open(&work, at("2026-11-02 10:00"));
    let (results, _, done) = inspect(&mut laptop, ZHANG, false);
    let package = read_package(&results).expect("read");
    assert_eq!(package.manifest.evidence.len(), 2);
    let before = state(&office.store);
    let backups = office.backups();
    for n in [2, 3] {
        let mut entries = unzip(&results);
        entries[n].1[20] ^= 0xff;
        rezip(&results, &entries);
        let err = spotcheck::steps::exchange::merge_results_package(
            &mut office.store,
            &package,
            at("2026-11-25 10:00"),
        )
        .expect_err("changed evidence");
        assert!(
            matches!(err, ExchangeError::Package(PackageError::Tampered { .. })),
            "{err:?}"
        );
        let text = chinese(&err);
        assert!(
            text.contains("证据文件") && !text.contains("数据库"),
            "{text}"
        );
        assert_eq!(state(&office.store), before, "nothing written");
        assert!(
            files_under(&office.store.evidence_dir()).is_empty(),
            "no file left behind"
        );
        assert_eq!(office.backups(), backups, "no backup taken");
        entries[n].1[20] ^= 0xff;
        rezip(&results, &entries);
    }
    // Restored, the same package merges with both files.
    let report = spotcheck::steps::exchange::merge_results_package(
        &mut office.store,
        &package,
        at("2026-11-26 10:00"),
    )
    .expect("merge");
    assert_eq!(report.evidence_added, done.evidence, "files and links");
    let files = files_under(&office.store.evidence_dir());
    assert_eq!(files.len(), 2, "{files:?}");
}

/// A package is one zip and nothing else: another package appended after it (a copy tool that
/// appended instead of replacing), or bytes after its end or before its start, is refused as
/// damaged — never read through whichever central directory the reader finds last.
#[test]
fn a_package_with_another_appended_or_stray_bytes_around_it_is_refused() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let (other, _) = office.export(LI, at("2026-11-01 10:05"));
    let good = std::fs::read(&work).expect("read");
    assert!(read_package(&work).is_ok());
    let dir = office.dir.path().to_owned();
    // Every entry marked bzip2 (method 12), as a zip tool that recompressed it would write.
    let recompressed = {
        let mut b = good.clone();
        for at in 0..b.len().saturating_sub(12) {
            match &b[at..at + 4] {
                [0x50, 0x4b, 0x03, 0x04] => {
                    b[at + 8..at + 10].copy_from_slice(&12u16.to_le_bytes());
                }
                [0x50, 0x4b, 0x01, 0x02] => {
                    b[at + 10..at + 12].copy_from_slice(&12u16.to_le_bytes());
                }
                _ => {}
            }
        }
        b
    };
    let cases: [(&str, Vec<u8>); 4] = [
        ("压缩工具重新压缩.spotcheck", recompressed),
        ("两个包接在一起.spotcheck", {
            let mut b = good.clone();
            b.extend(std::fs::read(&other).expect("read"));
            b
        }),
        ("末尾多了字节.spotcheck", {
            let mut b = good.clone();
            b.extend_from_slice(&[0u8; 100]);
            b
        }),
        ("开头多了字节.spotcheck", {
            let mut b = b"junk before the zip".to_vec();
            b.extend(&good);
            b
        }),
    ];
    for (name, bytes) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        let err = read_err(&path);
        assert!(
            matches!(
                err,
                PackageError::Damaged { .. } | PackageError::NotPackage { .. }
            ),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(name), "{name}: {err}");
        if name.contains("压缩工具") {
            assert!(err.to_string().contains("重新压缩过"), "{err}");
        }
    }
}

/// A work package whose data lists more accounts than its draw sampled (a manifest of 200,000
/// accounts against `sampled: 158`) is refused while it is read, before anything is opened.
#[test]
fn a_package_listing_more_accounts_than_its_draw_sampled_is_refused() {
    let mut office = Office::new();
    let (work, _) = office.export(ZHANG, at("2026-11-01 10:00"));
    let forged = office.path("账号过多.spotcheck");
    rezip(
        &forged,
        &forge_data(&unzip(&work), |v| {
            let sampled = v["draw"]["sampled"].as_u64().expect("sampled")
                + v["draw"]["rechecks"].as_u64().expect("rechecks");
            let one = v["accounts"][0].clone();
            let many: Vec<serde_json::Value> = (0..=sampled).map(|_| one.clone()).collect();
            v["accounts"] = many.into();
        }),
    );
    let err = read_err(&forged);
    assert!(
        matches!(err, PackageError::Damaged { .. }) && err.to_string().contains("多于它所属抽样"),
        "{err}"
    );
}
