//! Regressions found in review: restores that keep every earlier database, pruning that spares
//! what it must, problem codes never reused, the 复查 count stated once, refused merges and
//! altered packages leaving nothing behind and named for what they are.

#![allow(clippy::too_many_lines, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::support::clock::{at, minutes, on};
use chrono::{NaiveDate, NaiveDateTime};
use spotcheck::checklist::{Answer, Finding};
use spotcheck::model::{Account, Quarter};
use spotcheck::model::{DrawRecord, DrawRequest};
use spotcheck::rectification::feedback::{FeedbackRow, match_feedback};
use spotcheck::roster::grid::Cell;
use spotcheck::sampling::{DrawOptions, Rate, Strata};
use spotcheck::steps::rectification::{self, SheetTarget};
use spotcheck::store::{Store, settings};
use tempfile::TempDir;

fn quarter(text: &str) -> Quarter {
    text.parse().unwrap()
}

fn store_with(dir: &Path, accounts: &[Account]) -> Store {
    let roster = dir.join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(accounts, &roster).unwrap();
    let mut store = Store::open(&dir.join("t.db")).unwrap();
    store.set_setting(settings::USER_NAME, "王科员").unwrap();
    store.set_setting(settings::REGION_NAME, "示例市").unwrap();
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .unwrap();
    spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-07-01 09:00")).unwrap();
    store
}

fn draw(store: &mut Store, q: &str, rate: Rate, seed: u64, when: NaiveDateTime) -> DrawRecord {
    let request = DrawRequest {
        quarter: quarter(q),
        options: DrawOptions {
            rate,
            strata: Strata::County,
            prefer_not_drawn_in: 0,
        },
        seed,
        reason: None,
        void_work: false,
    };
    spotcheck::steps::draw::make_draw(store, &request, when).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Notice: an account both drawn and re-checked is counted twice in the method line.

/// The method line of the notice says "抽取 X 个，另复查上季度不合格账号 Y 个" while the overview
/// says "抽查 N 个": Y counts re-checked accounts that were also drawn, so X + Y ≠ N.
#[test]
fn notice_recheck_count_does_not_double_count_drawn_rechecks() {
    let dir = TempDir::new().unwrap();
    let roster = spotcheck::steps::demo::accounts(200, 11);
    let mut store = store_with(dir.path(), &roster);
    let q3 = draw(
        &mut store,
        "2026Q3",
        Rate::MINIMUM,
        42,
        at("2026-07-02 09:00"),
    );
    spotcheck::steps::demo::complete_checks(&mut store, &q3, at("2026-08-20 10:00")).unwrap();
    // Every account drawn: every recheck is also drawn.
    let all = Rate::from_basis_points(10_000).unwrap();
    let q4 = draw(&mut store, "2026Q4", all, 7, at("2026-10-02 09:00"));
    assert!(q4.info.rechecks > 0, "the test needs rechecks");
    let report = spotcheck::steps::notice::load_report(&store, quarter("2026Q4")).unwrap();
    let recheck_only = report.accounts.iter().filter(|a| a.kind == "复查").count();
    let method = report.method.join("\n");
    let overview = spotcheck::export::overview_line(&report);
    // "抽取 X 个，另复查 Y 个" must add up to "抽查 N 个": Y counts only the accounts checked
    // on top of the drawn ones; failures drawn again are said to be among them.
    let extra = if recheck_only > 0 {
        format!("另复查上季度不合格账号 {recheck_only} 个")
    } else {
        "另复查".to_owned()
    };
    assert_eq!(
        method.contains(&extra),
        recheck_only > 0,
        "notice says: {method}\n{overview}\n(accounts only re-checked: {recheck_only})"
    );
    assert_eq!(report.draw.sampled + recheck_only, report.total.checked);
    assert!(
        method.contains(&format!(
            "其中 {} 个是上季度不合格账号",
            q4.info.rechecks - recheck_only
        )),
        "{method}"
    );
}

// ---------------------------------------------------------------------------------------------
// Rectification codes: a withdrawn problem's code is given to the next new problem.

fn pass_finding(item: &str, on: NaiveDate) -> Finding {
    Finding {
        item: item.to_owned(),
        answer: Some(Answer::Pass),
        note: String::new(),
        last_update: Some(on),
        checked_on: Some(on),
        longest_gap: None,
    }
}

/// `rectification.id` is `INTEGER PRIMARY KEY` without AUTOINCREMENT and withdrawn problems
/// are `DELETE`d: the next problem issued gets the same id, so the same 问题编号 ZG-…. A unit's
/// old sheet answering the withdrawn problem is then recorded against the new one.
#[test]
fn withdrawn_rectification_code_is_not_reused() {
    let dir = TempDir::new().unwrap();
    let roster = spotcheck::steps::demo::accounts(200, 11);
    let mut store = store_with(dir.path(), &roster);
    let q4 = draw(
        &mut store,
        "2026Q4",
        Rate::MINIMUM,
        42,
        at("2026-10-02 09:00"),
    );
    spotcheck::steps::demo::complete_checks(&mut store, &q4, at("2026-11-20 10:00")).unwrap();
    let book = dir.path().join("整改表.xlsx");
    rectification::export_rectification(
        &mut store,
        quarter("2026Q4"),
        &SheetTarget::Book(book.clone()),
        at("2026-11-25 09:00"),
    )
    .unwrap();
    let issued = store.rectifications(q4.info.id).unwrap();
    let last = issued.iter().max_by_key(|r| r.id).unwrap().clone();
    // The inspector corrects that finding: it passes after all; the next export withdraws it.
    spotcheck::steps::inspect::save_finding(
        &mut store,
        q4.info.id,
        last.account,
        &pass_finding(&last.item, on("2026-11-20")),
        at("2026-11-26 09:00"),
    )
    .unwrap();
    let second = rectification::export_rectification(
        &mut store,
        quarter("2026Q4"),
        &SheetTarget::Book(dir.path().join("整改表2.xlsx")),
        at("2026-11-26 10:00"),
    )
    .unwrap();
    assert_eq!(second.counts.withdrawn, 1);
    // Then the same account is found failing another item: a new problem.
    let other = ["P09", "P01", "P02", "P03"]
        .into_iter()
        .find(|i| {
            !issued
                .iter()
                .any(|r| r.account == last.account && r.item == *i)
        })
        .unwrap();
    spotcheck::steps::inspect::save_finding(
        &mut store,
        q4.info.id,
        last.account,
        &Finding {
            item: other.to_owned(),
            answer: Some(Answer::Fail),
            note: "新发现的问题".to_owned(),
            last_update: None,
            checked_on: None,
            longest_gap: None,
        },
        at("2026-11-27 09:00"),
    )
    .unwrap();
    let third = rectification::export_rectification(
        &mut store,
        quarter("2026Q4"),
        &SheetTarget::Book(dir.path().join("整改表3.xlsx")),
        at("2026-11-27 10:00"),
    )
    .unwrap();
    assert_eq!(third.counts.added, 1);
    let now = store.all_rectifications().unwrap();
    let reused = now.iter().find(|r| r.id == last.id);
    // The unit sends back the first sheet, answering the withdrawn problem.
    let row = FeedbackRow {
        file: "整改表.xlsx".to_owned(),
        sheet: "x".to_owned(),
        row: 5,
        code: Some(last.id),
        host_unit: last.host_unit.clone(),
        name: last.name.clone(),
        platform: last.platform.clone(),
        category: last.category.clone(),
        reply_text: "已整改".to_owned(),
        completed_on: Cell::Empty,
        contact: String::new(),
        phone: String::new(),
    };
    let matched = match_feedback(&[row], &now, on("2026-11-28"));
    assert!(
        reused.is_none() && matched.answers.is_empty(),
        "the withdrawn problem {} ({}) was re-issued under the same code as {:?}; the old sheet's answer is taken as {:?}",
        spotcheck::rectification::code(last.id),
        last.category,
        reused.map(|r| &r.category),
        matched.answers
    );
}

// ---------------------------------------------------------------------------------------------
// Backups and restore.

fn marker(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT value FROM setting WHERE key = 'marker'", [], |r| {
        r.get(0)
    })
    .unwrap()
}

/// A store with a roster (so automatic backups are not skipped) and a marker setting.
fn marked_store(dir: &Path, mark: &str) -> Store {
    let mut store = store_with(dir, &spotcheck::steps::demo::accounts(20, 3));
    store.set_setting("marker", mark).unwrap();
    store
}

fn manual_backup(store: &mut Store, mark: &str, parent: &Path, when: NaiveDateTime) -> PathBuf {
    store.set_setting("marker", mark).unwrap();
    spotcheck::steps::admin::backup_to(store, parent, when)
        .unwrap()
        .path
}

/// Two restores within one second keep the database being replaced in the same folder
/// 恢复前-<seconds>: the second overwrites the first, and the original database is gone.
/// README: "恢复前的数据库不会删除，会另外保存为一份备份".
#[test]
fn two_restores_in_one_second_keep_both_previous_databases() {
    let dir = TempDir::new().unwrap();
    let mut store = marked_store(dir.path(), "x");
    let db = store.path().to_owned();
    let elsewhere = dir.path().join("u盘");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let a = manual_backup(&mut store, "A", &elsewhere, at("2026-01-01 09:00"));
    let b = manual_backup(&mut store, "B", &elsewhere, at("2026-01-01 10:00"));
    store.set_setting("marker", "original").unwrap();
    drop(store);
    // Both within one second: the same instant.
    let now = at("2026-01-01 11:00:30");
    spotcheck::steps::admin::restore(&db, &a, now).unwrap();
    spotcheck::steps::admin::restore(&db, &b, now).unwrap();
    assert_eq!(marker(&db), "B");
    let kept: Vec<String> = spotcheck::store::list_backups(&spotcheck::store::auto_dir(&db))
        .into_iter()
        .filter(|b| b.reason == "恢复前")
        .map(|b| marker(&b.path.join("spotcheck.db")))
        .collect();
    assert!(
        kept.iter().any(|m| m == "original"),
        "the database before the first restore is lost; 恢复前 copies hold {kept:?}"
    );
}

/// Undoing a restore right away (restoring the 恢复前 copy it just made) copies the current
/// database over that very copy before restoring it: nothing is undone and the copy is lost.
#[test]
fn undoing_a_restore_at_once_brings_back_the_previous_database() {
    let dir = TempDir::new().unwrap();
    let mut store = marked_store(dir.path(), "x");
    let db = store.path().to_owned();
    let elsewhere = dir.path().join("u盘");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let a = manual_backup(&mut store, "A", &elsewhere, at("2026-01-01 09:00"));
    store.set_setting("marker", "original").unwrap();
    drop(store);
    // Undone within the same second: the same instant.
    let now = at("2026-01-01 11:00:30");
    let kept = spotcheck::steps::admin::restore(&db, &a, now).unwrap().kept;
    assert_eq!(marker(&db), "A");
    spotcheck::steps::admin::restore(&db, &kept, now).unwrap();
    assert_eq!(
        marker(&db),
        "original",
        "undoing the restore did not bring the database back"
    );
}

/// The 恢复前 copy lives in the automatic-backup folder and counts towards the 20 kept: after
/// 20 more automatic backups (imports, draws, merges) it is deleted. README: "恢复前的数据库不会删除".
#[test]
fn automatic_backups_do_not_prune_the_copy_kept_before_a_restore() {
    let dir = TempDir::new().unwrap();
    let mut store = marked_store(dir.path(), "x");
    let db = store.path().to_owned();
    let elsewhere = dir.path().join("u盘");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let a = manual_backup(&mut store, "A", &elsewhere, at("2026-01-01 09:00"));
    store.set_setting("marker", "original").unwrap();
    drop(store);
    let kept = spotcheck::steps::admin::restore(&db, &a, at("2026-01-01 11:00"))
        .unwrap()
        .kept;
    let store = Store::open(&db).unwrap();
    // Every later backup is newer than the copy: by age it would be the first pruned.
    for n in 0..spotcheck::store::AUTO_KEPT {
        store
            .auto_backup("导入名录前", at("2026-01-01 11:01") + minutes(n), "测试")
            .unwrap();
    }
    assert!(
        kept.join("spotcheck.db").is_file(),
        "the copy kept before the restore ({}) was pruned",
        kept.display()
    );
}

/// Pruning picks the oldest by the time written in backup.json: when the clock was ahead
/// before (corrected since), the backup just made is the "oldest" and is deleted at once,
/// while `auto_backup` reports it as made.
#[test]
fn automatic_backup_never_prunes_the_backup_it_just_made() {
    let dir = TempDir::new().unwrap();
    let store = marked_store(dir.path(), "x");
    let auto = spotcheck::store::auto_dir(store.path());
    std::fs::create_dir_all(&auto).unwrap();
    let future = at("2027-01-01 00:00");
    for n in 0..spotcheck::store::AUTO_KEPT {
        store
            .backup_into(&auto, "抽样前", true, future + minutes(n), "测试")
            .unwrap();
    }
    let made = store
        .auto_backup("合并前", at("2026-12-02 09:30"), "测试")
        .unwrap()
        .unwrap();
    assert!(
        made.path.join("spotcheck.db").is_file(),
        "auto_backup returned {} but pruned it",
        made.path.display()
    );
}

// ---------------------------------------------------------------------------------------------
// Packages.

fn zip_package(path: &Path, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn sha(bytes: &[u8]) -> String {
    spotcheck::exchange::sha256_hex(bytes)
}

/// A package whose evidence file is larger than its manifest says is refused as "太大……
/// 解压后超过 0 MiB，超过了允许的上限": the file is small; it was altered or damaged.
#[test]
fn evidence_larger_than_declared_is_reported_as_altered_not_too_large() {
    let dir = TempDir::new().unwrap();
    let data = br#"{"draw":{"quarter":"2026Q4","rate_bp":3000,"strata":"county","seed":"1","algorithm":"a","algorithm_version":1,"prefer_not_drawn_in":0,"population":1,"population_hash":"h","excluded":0,"sampled":1,"rechecks":0,"drawn_by":"x","drawn_at":"2026-10-01T09:00:00"},"inspections":[]}"#;
    let evidence = vec![7u8; 300];
    let evidence_sha = sha(&evidence);
    let manifest = serde_json::json!({
        "format": spotcheck::exchange::FORMAT,
        "format_version": spotcheck::exchange::FORMAT_VERSION,
        "kind": "results",
        "package_id": "p1",
        "created_at": "2026-10-01T09:00:00",
        "created_by": "张三",
        "quarter": "2026Q4",
        "draw_uid": "u",
        "inspector": "张三",
        "checklist_id": "c",
        "checklist_version": "1",
        "based_on": [],
        "data_sha256": sha(data),
        "evidence": [{"sha256": evidence_sha, "size": 100}],
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let path = dir.path().join("p.spotcheck");
    let name = format!("evidence/{evidence_sha}");
    zip_package(
        &path,
        &[
            ("manifest.json", &manifest),
            ("data.json", data),
            (&name, &evidence),
        ],
    );
    let err = spotcheck::exchange::read_package(&path).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(
            err,
            spotcheck::exchange::PackageError::Tampered { .. }
                | spotcheck::exchange::PackageError::Damaged { .. }
        ),
        "a 300-byte evidence file declared as 100 bytes is reported as: {message}"
    );
}

/// A result package is merged in one transaction, and a refused merge changes nothing ("包在写入
/// 任何数据之前会先整体检查"). But evidence files are written to `evidence/` while the accounts are
/// walked: when a later account of the package is not in the draw, the merge is refused and
/// rolled back, and the files of the earlier accounts stay on disk, referenced by nothing.
#[test]
fn refused_merge_leaves_no_evidence_files_behind() {
    use spotcheck::exchange::{
        FindingVersion, Manifest, PackageData, PackageDraw, PackageEvidence, PackageInspection,
        PackageKind, draw_uid,
    };
    let dir = TempDir::new().unwrap();
    let mut store = store_with(dir.path(), &spotcheck::steps::demo::accounts(50, 5));
    let checklist = spotcheck::checklist::Checklist::builtin();
    spotcheck::steps::inspect::install_checklist(&mut store, checklist, at("2026-10-01 10:00"))
        .unwrap();
    let record = draw(
        &mut store,
        "2026Q4",
        Rate::MINIMUM,
        42,
        at("2026-10-02 09:00"),
    );
    let i = &record.info;
    let pdraw = PackageDraw {
        quarter: i.quarter,
        rate_bp: i.rate.basis_points(),
        strata: i.strata.as_str().to_owned(),
        seed: i.seed.to_string(),
        algorithm: i.algorithm.clone(),
        algorithm_version: i.algorithm_version,
        prefer_not_drawn_in: i.prefer_not_drawn_in,
        population: i.population,
        population_hash: i.population_hash.clone(),
        excluded: i.excluded,
        sampled: i.sampled,
        rechecks: i.rechecks,
        drawn_by: i.drawn_by.clone(),
        drawn_at: i.drawn_at,
    };
    let uid = draw_uid(
        pdraw.quarter,
        &pdraw.seed,
        &pdraw.population_hash,
        pdraw.drawn_at,
    );
    let bytes = b"\x89PNG screenshot of the home page".to_vec();
    let sha = spotcheck::exchange::sha256_hex(&bytes);
    let when = at("2026-11-10 09:00");
    let inspection = |key: String, evidence: Vec<PackageEvidence>| PackageInspection {
        account_key: key,
        checklist_id: checklist.id.clone(),
        checklist_version: checklist.version.clone(),
        done: false,
        inspector: "张三".to_owned(),
        started_at: when,
        finished_at: None,
        findings: vec![FindingVersion {
            item: "V01".to_owned(),
            answer: Some(spotcheck::checklist::Answer::Pass),
            note: String::new(),
            last_update: None,
            checked_on: None,
            longest_gap: None,
            updated_by: "张三".to_owned(),
            updated_at: when,
            lineage: Vec::new(),
        }],
        evidence,
    };
    let known = record.accounts[0].account.account.key();
    let screenshot = dir.path().join("首页.png");
    std::fs::write(&screenshot, &bytes).unwrap();
    let path = dir.path().join("结果.spotcheck");
    spotcheck::exchange::write_package(
        &path,
        Manifest {
            format: spotcheck::exchange::FORMAT.to_owned(),
            format_version: spotcheck::exchange::FORMAT_VERSION,
            kind: PackageKind::Results,
            package_id: "r1".to_owned(),
            created_at: when,
            created_by: "张三".to_owned(),
            quarter: i.quarter,
            draw_uid: uid,
            inspector: "张三".to_owned(),
            checklist_id: checklist.id.clone(),
            checklist_version: checklist.version.clone(),
            based_on: Vec::new(),
            data_sha256: String::new(),
            evidence: Vec::new(),
            log: None,
        },
        &PackageData {
            draw: pdraw,
            checklist: None,
            accounts: Vec::new(),
            inspections: vec![
                inspection(
                    known,
                    vec![PackageEvidence {
                        item: "V01".to_owned(),
                        sha256: Some(sha.clone()),
                        file_name: Some("首页.png".to_owned()),
                        url: None,
                        added_by: "张三".to_owned(),
                        added_at: when,
                    }],
                ),
                inspection("微信\u{1f}不在名单中的账号".to_owned(), Vec::new()),
            ],
        },
        &[(sha.clone(), screenshot)],
    )
    .unwrap();
    let package = spotcheck::exchange::read_package(&path).unwrap();
    let result = spotcheck::steps::exchange::merge_results_package(
        &mut store,
        &package,
        at("2026-11-20 09:00"),
    );
    assert!(
        matches!(
            result,
            Err(spotcheck::steps::exchange::ExchangeError::UnknownAccount { .. })
        ),
        "{result:?}"
    );
    let left = store.evidence_path(&sha, "首页.png");
    assert!(
        !left.exists(),
        "the merge was refused, yet {} was written",
        left.display()
    );
}
