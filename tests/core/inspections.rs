//! Inspections in the store, on a real database in a temporary directory: findings saved one
//! by one (and in bulk) and read back after reopening, the update rule, the verdict, finishing,
//! checklist versions, evidence by content hash, and 复查 of last quarter's failures.

// Each test walks one scenario from roster to result; splitting them would hide the story.
#![allow(clippy::too_many_lines)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::support::answered;
use crate::support::clock::{at, minutes, on};
use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};
use spotcheck::checklist::{Answer, Checklist, Finding, Item, ItemKind, Verdict};
use spotcheck::model::Quarter;
use spotcheck::model::{
    DrawRecord, DrawRequest, DrawnAccount, EvidenceKind, InspectionStatus, MAX_EVIDENCE_BYTES,
    NewEvidence, StoredAccount,
};
use spotcheck::sampling::{DrawOptions, Rate, Strata};
use spotcheck::steps::inspect::InspectError;
use spotcheck::store::{Store, settings};
use tempfile::TempDir;

const INSPECTOR: &str = "李检查";

fn quarter(text: &str) -> Quarter {
    text.parse().expect("valid quarter")
}

fn db_path(dir: &Path) -> PathBuf {
    dir.join("t.db")
}

/// A database with the demo roster imported through the real reader, the user name set.
fn store_with_roster(dir: &Path) -> Store {
    let roster = dir.join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(200, 5), &roster)
        .expect("write roster");
    let mut store = Store::open(&db_path(dir)).expect("open store");
    store
        .set_setting(settings::USER_NAME, INSPECTOR)
        .expect("set user name");
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("preview");
    spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-10-01 10:00"))
        .expect("import");
    store
}

fn draw(store: &mut Store, q: &str, seed: u64, when: NaiveDateTime) -> DrawRecord {
    let request = DrawRequest {
        quarter: quarter(q),
        options: DrawOptions {
            rate: Rate::MINIMUM,
            strata: Strata::County,
            prefer_not_drawn_in: 0,
        },
        seed,
        reason: None,
        void_work: false,
    };
    spotcheck::steps::draw::make_draw(store, &request, when).expect("draw")
}

/// A database with the roster and a 2026Q4 draw.
fn setup(dir: &Path) -> (Store, DrawRecord) {
    let mut store = store_with_roster(dir);
    let record = draw(&mut store, "2026Q4", 42, at("2026-10-02 10:00"));
    (store, record)
}

/// Sampled accounts that are not apps (so V07 does not apply: 17 items).
fn non_app(record: &DrawRecord) -> Vec<&DrawnAccount> {
    record
        .accounts
        .iter()
        .filter(|d| d.account.account.platform != "移动客户端")
        .collect()
}

/// A listed account the draw did not pick.
fn outsider(store: &Store, record: &DrawRecord) -> StoredAccount {
    store
        .accounts()
        .expect("accounts")
        .into_iter()
        .find(|a| !record.accounts.iter().any(|d| d.account.id == a.id))
        .expect("an account outside the sample")
}

/// The V04 finding with its dates (the rule decides the answer).
fn update(last: NaiveDate, checked: NaiveDate) -> Finding {
    Finding {
        item: "V04".to_owned(),
        answer: None,
        note: String::new(),
        last_update: Some(last),
        checked_on: Some(checked),
        longest_gap: None,
    }
}

/// Answers every applicable item 符合 (V04 by its dates), except `fail` with a note.
fn answer_all(
    store: &mut Store,
    draw: i64,
    d: &DrawnAccount,
    fail: Option<&str>,
    when: NaiveDateTime,
) {
    let platform = d.account.account.platform.clone();
    let items: Vec<Item> = Checklist::builtin()
        .applicable(&platform)
        .cloned()
        .collect();
    for item in items {
        let finding = if Some(item.id.as_str()) == fail {
            answered(&item.id, Answer::Fail, "问题描述")
        } else if item.id == "V04" {
            update(on("2026-10-10"), on("2026-10-20"))
        } else {
            answered(&item.id, Answer::Pass, "")
        };
        spotcheck::steps::inspect::save_finding(store, draw, d.account.id, &finding, when)
            .expect("save");
        if Some(item.id.as_str()) == fail {
            // A 不符合 is backed by evidence (required for a veto item to finish).
            spotcheck::steps::inspect::add_evidence(
                store,
                draw,
                d.account.id,
                &item.id,
                NewEvidence::Url("https://www.example.gov.cn/问题页面".to_owned()),
                when,
            )
            .expect("evidence");
        }
    }
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
    out
}

#[test]
fn findings_saved_one_by_one_survive_reopening_with_who_and_verdict() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let target = non_app(&record)[0].clone();
    let (draw_id, account) = (record.info.id, target.account.id);
    let items: Vec<String> = Checklist::builtin()
        .applicable(&target.account.account.platform)
        .map(|i| i.id.clone())
        .collect();
    assert_eq!(items.len(), 17);

    for (n, item) in items.iter().enumerate() {
        let finding = if item == "V04" {
            update(on("2026-10-15"), on("2026-10-20"))
        } else {
            answered(item, Answer::Pass, "")
        };
        let ins = spotcheck::steps::inspect::save_finding(
            &mut store,
            draw_id,
            account,
            &finding,
            at("2026-10-20 10:00") + minutes(n),
        )
        .expect("save");
        assert_eq!(ins.status, InspectionStatus::InProgress);
        if n + 1 < items.len() {
            assert_eq!(ins.verdict, None, "undecided while {item} is not the last");
        } else {
            assert_eq!(ins.verdict, Some(Verdict::Pass));
        }
    }
    drop(store);

    let store = Store::open(&db_path(dir.path())).expect("reopen");
    let ins = store
        .inspection(draw_id, account)
        .expect("read")
        .expect("started");
    assert_eq!(ins.findings.len(), items.len());
    for (n, item) in items.iter().enumerate() {
        let stored = ins.finding(item).expect("every item is there");
        assert_eq!(stored.updated_by, INSPECTOR);
        assert_eq!(stored.updated_at, at("2026-10-20 10:00") + minutes(n));
        assert_eq!(stored.finding.answer, Some(Answer::Pass), "{item}");
    }
    let v04 = &ins.finding("V04").expect("V04").finding;
    assert_eq!(v04.last_update, Some(on("2026-10-15")));
    assert_eq!(v04.checked_on, Some(on("2026-10-20")));
    assert_eq!(ins.verdict, Some(Verdict::Pass));
    assert_eq!(ins.score, None, "the default checklist does not score");
    assert_eq!(ins.inspector, INSPECTOR);
    assert_eq!(ins.started_at, at("2026-10-20 10:00"));
    assert_eq!(ins.checklist_id, "gov-new-media-veto");
    assert_eq!(ins.checklist_version, "2019.2");
    let states = store.inspection_states(draw_id).expect("states");
    assert_eq!(
        states.get(&account),
        Some(&(InspectionStatus::InProgress, Some(Verdict::Pass)))
    );
    let logged = store
        .log_entries()
        .expect("log")
        .iter()
        .filter(|e| e.action == "检查结果")
        .count();
    assert_eq!(logged, items.len(), "one entry per answer that changed");
    assert_eq!(store.verify_log().expect("verify"), None);
}

#[test]
fn the_update_rule_fails_15_days_and_passes_14() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let target = non_app(&record)[1].clone();
    let (draw_id, account) = (record.info.id, target.account.id);

    let ins = spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        account,
        &update(on("2026-10-05"), on("2026-10-20")),
        at("2026-10-20 10:00"),
    )
    .expect("save");
    assert_eq!(
        ins.finding("V04").expect("V04").finding.answer,
        Some(Answer::Fail),
        "15 days before the check: 不符合 by itself"
    );
    assert_eq!(ins.verdict, Some(Verdict::Fail), "V04 is a veto");

    // The rule overrides what was typed: 14 days is still in time.
    let mut in_time = update(on("2026-10-06"), on("2026-10-20"));
    in_time.answer = Some(Answer::Fail);
    let ins = spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        account,
        &in_time,
        at("2026-10-20 10:01"),
    )
    .expect("save");
    assert_eq!(
        ins.finding("V04").expect("V04").finding.answer,
        Some(Answer::Pass)
    );
    assert_eq!(ins.verdict, None, "the other items are still open");
}

/// A city's checklist loaded from the file its supervisor sent: updates within 10 days (not
/// 14), and commercial ads a veto item of its own for 微信公众号 and 抖音 only. Checks started
/// after loading use it, at its boundary (10 days 符合, 11 不符合); the extra veto fails an
/// account of those platforms and does not apply to others.
#[test]
fn a_loaded_checklist_sets_the_threshold_and_adds_a_veto_for_some_platforms() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let mut city = serde_json::to_value(Checklist::builtin()).expect("json");
    city["version"] = "2027.1".into();
    city["title"] = "某市政务新媒体检查指标".into();
    let items = city["items"].as_array_mut().expect("items");
    for item in items.iter_mut() {
        if item["id"] == "V04" {
            item["rule"] = serde_json::json!({"update_within": {"days": 10}});
        }
    }
    items.push(serde_json::json!({
        "id": "L01",
        "area": "内容建设",
        "title": "商业广告",
        "criterion": "不得发布商业广告。",
        "problem": "发布商业广告",
        "remedy": "立即删除商业广告，并说明审核把关情况。",
        "kind": "veto",
        "applies_to": ["微信公众号", "抖音"]
    }));
    let file = dir.path().join("本市检查表.json");
    std::fs::write(&file, city.to_string()).expect("write");
    let loaded = spotcheck::steps::inspect::install_checklist_file(
        &mut store,
        &file,
        at("2026-10-03 10:00"),
    )
    .expect("load");
    assert_eq!(loaded.version, "2027.1");

    let of = |platform: &str| {
        record
            .accounts
            .iter()
            .find(|d| d.account.account.platform == platform)
            .unwrap_or_else(|| panic!("a sampled {platform} account"))
            .account
            .id
    };
    let (wechat, weibo) = (of("微信公众号"), of("新浪微博"));
    for (last, answer) in [
        (on("2026-10-10"), Answer::Pass),
        (on("2026-10-09"), Answer::Fail),
    ] {
        let ins = spotcheck::steps::inspect::save_finding(
            &mut store,
            record.info.id,
            weibo,
            &update(last, on("2026-10-20")),
            at("2026-10-20 10:00"),
        )
        .expect("save");
        assert_eq!(ins.checklist_version, "2027.1");
        assert_eq!(
            ins.finding("V04").expect("V04").finding.answer,
            Some(answer),
            "last update {last}, checked 10-20"
        );
    }
    let ins = spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        wechat,
        &answered("L01", Answer::Fail, "推文末尾插入商业广告"),
        at("2026-10-20 10:05"),
    )
    .expect("save");
    assert_eq!(ins.verdict, Some(Verdict::Fail), "the city's own veto");
    // An answer on it for a 微博 account (as a careless results file might give) is kept but
    // never counts: the item does not apply there.
    spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        weibo,
        &answered("L01", Answer::Fail, "广告"),
        at("2026-10-20 10:06"),
    )
    .expect("save");
    let weibo_check = store
        .inspection(record.info.id, weibo)
        .expect("read")
        .expect("started");
    let checklist = store
        .checklist("gov-new-media-veto", "2027.1")
        .expect("stored")
        .expect("known");
    assert!(!checklist.item("L01").expect("L01").applies("新浪微博"));
    let eval = spotcheck::checklist::evaluate(
        &checklist,
        "新浪微博",
        &weibo_check
            .findings
            .iter()
            .map(|f| f.finding.clone())
            .collect::<Vec<_>>(),
    );
    assert_eq!(eval.vetoes, ["V04"], "{eval:?}");
}

#[test]
fn a_failed_veto_fails_the_account_at_once() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let target = non_app(&record)[2].clone();
    let ins = spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        target.account.id,
        &answered("V02", Answer::Fail, "转发内容涉密"),
        at("2026-10-21 10:00"),
    )
    .expect("save");
    assert_eq!(ins.status, InspectionStatus::InProgress);
    assert_eq!(ins.verdict, Some(Verdict::Fail));
    assert_eq!(ins.findings.len(), 1);

    // A problem item fails nothing.
    let other = non_app(&record)[3].clone();
    let ins = spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        other.account.id,
        &answered("P07", Answer::Fail, "发布商业广告"),
        at("2026-10-21 10:01"),
    )
    .expect("save");
    assert_eq!(ins.verdict, None);
}

#[test]
fn finishing_needs_every_item_answered_and_every_failure_described() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let target = non_app(&record)[0].clone();
    let (draw_id, account) = (record.info.id, target.account.id);

    let err = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        draw_id,
        account,
        at("2026-10-22 10:00"),
    )
    .expect_err("nothing answered");
    assert!(err.to_string().starts_with("还不能完成："), "{err}");

    spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        account,
        &answered("V01", Answer::Pass, ""),
        at("2026-10-22 10:01"),
    )
    .expect("save");
    let err = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        draw_id,
        account,
        at("2026-10-22 10:02"),
    )
    .expect_err("16 items open");
    let msg = err.to_string();
    assert!(
        msg.starts_with("还不能完成：还有 16 项没有填写：V02 泄露国家秘密"),
        "{msg}"
    );
    assert!(matches!(err, InspectError::Unfinished(ref u) if u.unanswered.len() == 16));

    // Everything answered, but a 不符合 without a note.
    answer_all(&mut store, draw_id, &target, None, at("2026-10-22 10:03"));
    spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        account,
        &answered("P07", Answer::Fail, "  "),
        at("2026-10-22 10:04"),
    )
    .expect("save");
    let msg = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        draw_id,
        account,
        at("2026-10-22 10:05"),
    )
    .expect_err("P07 has no note")
    .to_string();
    assert_eq!(
        msg,
        "还不能完成：有 1 项判定为不符合但没有填写问题描述：P07 商业广告或链接。"
    );
    let ins = store
        .inspection(draw_id, account)
        .expect("read")
        .expect("started");
    assert_eq!(
        ins.status,
        InspectionStatus::InProgress,
        "a refusal changes nothing"
    );

    spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        account,
        &answered("P07", Answer::Fail, "置顶商业广告"),
        at("2026-10-22 10:06"),
    )
    .expect("save");
    let ins = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        draw_id,
        account,
        at("2026-10-22 10:07"),
    )
    .expect("complete");
    assert_eq!(ins.status, InspectionStatus::Done);
    assert_eq!(ins.finished_at, Some(at("2026-10-22 10:07")));
    assert_eq!(
        ins.verdict,
        Some(Verdict::Pass),
        "a problem item does not fail"
    );
    let last = store.log_entries().expect("log").pop().expect("entry");
    assert_eq!(last.action, "完成检查");
    assert!(last.detail.ends_with("合格"), "{}", last.detail);
}

#[test]
fn inspections_keep_the_checklist_version_they_were_made_with() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let accounts = non_app(&record);
    let (old, new) = (accounts[0].clone(), accounts[1].clone());
    let draw_id = record.info.id;
    spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        old.account.id,
        &answered("V01", Answer::Pass, ""),
        at("2026-10-23 10:00"),
    )
    .expect("save");

    // A city adds an item: a new version.
    let mut city = Checklist::builtin().clone();
    city.version = "2026.1".to_owned();
    city.title = "某市政务新媒体检查指标".to_owned();
    city.items.push(Item {
        id: "P12".to_owned(),
        area: "内容建设".to_owned(),
        title: "错别字".to_owned(),
        criterion: "文章无错别字".to_owned(),
        problem: "存在错别字".to_owned(),
        remedy: "更正错别字，加强校对。".to_owned(),
        kind: ItemKind::Problem,
        applies_to: Vec::new(),
        rule: None,
    });
    spotcheck::steps::inspect::install_checklist(&mut store, &city, at("2026-10-23 10:01"))
        .expect("install");
    assert_eq!(store.active_checklist().expect("active"), city);
    let last = store.log_entries().expect("log").pop().expect("entry");
    assert_eq!(last.action, "启用检查表");

    // The check already started keeps its checklist; the extra item is not in it.
    let ins = store
        .inspection(draw_id, old.account.id)
        .expect("read")
        .expect("started");
    assert_eq!(
        (ins.checklist_id.as_str(), ins.checklist_version.as_str()),
        ("gov-new-media-veto", "2019.2")
    );
    let theirs = store
        .checklist(&ins.checklist_id, &ins.checklist_version)
        .expect("old checklist")
        .expect("known");
    assert_eq!(&theirs, Checklist::builtin());
    assert_eq!(theirs.items.len(), 18);
    let err = spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        old.account.id,
        &answered("P12", Answer::Pass, ""),
        at("2026-10-23 10:02"),
    )
    .expect_err("P12 is not in the old checklist");
    assert!(matches!(err, InspectError::UnknownItem(ref i) if i == "P12"));
    assert_eq!(err.to_string(), "检查表中没有编号为 P12 的检查项。");
    spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        old.account.id,
        &answered("V02", Answer::Pass, ""),
        at("2026-10-23 10:03"),
    )
    .expect("the old items still save");

    // A check started now uses the new version.
    let ins = spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        new.account.id,
        &answered("P12", Answer::Fail, "错字"),
        at("2026-10-23 10:04"),
    )
    .expect("save on the new checklist");
    assert_eq!(ins.checklist_version, "2026.1");
    assert_eq!(
        store
            .checklist("gov-new-media-veto", "2026.1")
            .expect("stored")
            .expect("known")
            .items
            .len(),
        19
    );

    // Installing the same definition again is fine; another one under the same version is not.
    spotcheck::steps::inspect::install_checklist(&mut store, &city, at("2026-10-23 10:05"))
        .expect("same again");
    let mut changed = city.clone();
    changed.items[0].title = "表述错误".to_owned();
    let err =
        spotcheck::steps::inspect::install_checklist(&mut store, &changed, at("2026-10-23 10:06"))
            .expect_err("same id and version, different content");
    assert!(matches!(err, InspectError::ChecklistConflict { .. }));
    assert_eq!(
        err.to_string(),
        "检查表“gov-new-media-veto”版本 2026.1 已经存在，但内容不同。修改检查表后请同时修改版本号。"
    );
    assert_eq!(store.active_checklist().expect("active"), city, "unchanged");

    // The built-in checklist's id and version are taken too, even before a check stored it.
    let dir2 = TempDir::new().expect("tempdir");
    let mut fresh = Store::open(&dir2.path().join("fresh.db")).expect("open");
    let mut fake = Checklist::builtin().clone();
    fake.items.pop();
    let err =
        spotcheck::steps::inspect::install_checklist(&mut fresh, &fake, at("2026-10-23 10:07"))
            .expect_err("a different built-in");
    assert!(
        matches!(err, InspectError::ChecklistConflict { .. }),
        "{err}"
    );
    spotcheck::steps::inspect::install_checklist(
        &mut fresh,
        Checklist::builtin(),
        at("2026-10-23 10:08"),
    )
    .expect("the built-in itself");
}

#[test]
fn evidence_files_are_kept_once_by_content_hash() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let target = non_app(&record)[0].clone();
    let (draw_id, account) = (record.info.id, target.account.id);

    let shot = dir.path().join("截图.png");
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&shot, &bytes).expect("write screenshot");
    let sha: String = format!("{:x}", Sha256::digest(&bytes));

    spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw_id,
        account,
        "V01",
        NewEvidence::Path(shot.clone()),
        at("2026-10-24 10:00"),
    )
    .expect("attach");
    let ins = spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw_id,
        account,
        "V01",
        NewEvidence::Path(shot.clone()),
        at("2026-10-24 10:01"),
    )
    .expect("attach again");
    assert_eq!(ins.evidence.len(), 2, "two records");
    for e in &ins.evidence {
        assert_eq!(e.item, "V01");
        assert_eq!(e.added_by, INSPECTOR);
        assert_eq!(
            e.kind,
            EvidenceKind::File {
                sha256: sha.clone(),
                file_name: "截图.png".to_owned()
            }
        );
    }
    // Pasted from the clipboard: the same bytes, the same file.
    spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw_id,
        account,
        "V01",
        NewEvidence::Bytes {
            file_name: "粘贴.png".to_owned(),
            bytes: bytes.clone(),
        },
        at("2026-10-24 10:02"),
    )
    .expect("paste");
    let stored = files_under(&store.evidence_dir());
    assert_eq!(stored.len(), 1, "one file for one content: {stored:?}");
    let path = store.evidence_path(&sha, "截图.png");
    assert_eq!(stored[0], path);
    assert!(
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&sha))
    );
    assert_eq!(
        std::fs::read(&path).expect("read back"),
        bytes,
        "byte-identical"
    );

    // URLs must be web addresses.
    let err = spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw_id,
        account,
        "V01",
        NewEvidence::Url("www.example.gov.cn/a".into()),
        at("2026-10-24 10:03"),
    )
    .expect_err("no scheme");
    assert!(matches!(err, InspectError::BadUrl(_)));
    assert!(
        err.to_string().contains("请以 http:// 或 https:// 开头"),
        "{err}"
    );
    let ins = spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw_id,
        account,
        "V01",
        NewEvidence::Url("https://www.example.gov.cn/a".into()),
        at("2026-10-24 10:04"),
    )
    .expect("a real URL");
    assert_eq!(
        ins.evidence.last().map(|e| &e.kind),
        Some(&EvidenceKind::Url("https://www.example.gov.cn/a".into()))
    );

    // Over 50 MB is refused before reading it (a sparse file costs no disk).
    let big = dir.path().join("录屏.mp4");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(MAX_EVIDENCE_BYTES + 1))
        .expect("sparse file");
    let err = spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw_id,
        account,
        "V01",
        NewEvidence::Path(big),
        at("2026-10-24 10:05"),
    )
    .expect_err("too large");
    assert!(matches!(err, InspectError::EvidenceTooLarge { .. }));
    assert!(err.to_string().contains("不能超过 50 MB"), "{err}");
    assert_eq!(
        files_under(&store.evidence_dir()).len(),
        1,
        "nothing more kept"
    );
    let ins = store
        .inspection(draw_id, account)
        .expect("read")
        .expect("started");
    assert_eq!(ins.evidence.len(), 4);

    // An account outside the sample takes neither findings nor evidence.
    let stranger = outsider(&store, &record);
    let err = spotcheck::steps::inspect::save_finding(
        &mut store,
        draw_id,
        stranger.id,
        &answered("V01", Answer::Pass, ""),
        at("2026-10-24 10:06"),
    )
    .expect_err("not sampled");
    assert!(matches!(err, InspectError::NotSampled));
    assert_eq!(err.to_string(), "这个账号不在本次抽查名单中。");
    assert!(
        store
            .inspection(draw_id, stranger.id)
            .expect("read")
            .is_none()
    );
    let err = spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw_id,
        stranger.id,
        "V01",
        NewEvidence::Url("https://www.example.gov.cn/b".into()),
        at("2026-10-24 10:07"),
    )
    .expect_err("not sampled");
    assert!(matches!(err, InspectError::NotSampled));
}

#[test]
fn last_quarters_failure_is_rechecked() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = store_with_roster(dir.path());
    let q3 = draw(&mut store, "2026Q3", 9, at("2026-07-02 10:00"));
    let accounts = non_app(&q3);
    let (failed, passed) = (accounts[0].clone(), accounts[1].clone());
    answer_all(
        &mut store,
        q3.info.id,
        &failed,
        Some("V01"),
        at("2026-07-20 10:00"),
    );
    let ins = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        q3.info.id,
        failed.account.id,
        at("2026-07-20 10:30"),
    )
    .expect("finish");
    assert_eq!(ins.verdict, Some(Verdict::Fail));
    answer_all(
        &mut store,
        q3.info.id,
        &passed,
        None,
        at("2026-07-21 10:00"),
    );
    let ins = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        q3.info.id,
        passed.account.id,
        at("2026-07-21 10:30"),
    )
    .expect("finish");
    assert_eq!(ins.verdict, Some(Verdict::Pass));

    let q4 = draw(&mut store, "2026Q4", 10, at("2026-10-02 10:00"));
    let again = q4
        .accounts
        .iter()
        .find(|d| d.account.id == failed.account.id)
        .expect("last quarter's failure is in the draw");
    assert!(again.recheck, "{again:?}");
    assert_eq!(q4.info.rechecks, 1);
    assert_eq!(q4.accounts.iter().filter(|d| d.recheck).count(), 1);
    assert!(
        q4.accounts
            .iter()
            .filter(|d| d.account.id == passed.account.id)
            .all(|d| !d.recheck),
        "a pass is not re-checked"
    );
    assert!(
        q4.accounts.len() >= q4.info.sampled,
        "rechecks come on top of the random sample when not drawn"
    );
}

#[test]
fn bulk_findings_are_one_transaction_and_one_log_entry() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let accounts = non_app(&record);
    let (a, b) = (accounts[0].account.id, accounts[1].account.id);
    let draw_id = record.info.id;
    let log_before = store.log_entries().expect("log").len();

    let rows = vec![
        (a, answered("V01", Answer::Pass, "")),
        (a, update(on("2026-10-01"), on("2026-10-20"))),
        (b, answered("P07", Answer::Fail, "发布商业广告")),
    ];
    let written = spotcheck::steps::inspect::save_findings_bulk(
        &mut store,
        draw_id,
        &rows,
        at("2026-10-25 10:00"),
    )
    .expect("bulk");
    assert_eq!(written, 3);
    let log = store.log_entries().expect("log");
    assert_eq!(log.len(), log_before + 1, "one entry for the whole import");
    let last = log.last().expect("entry");
    assert_eq!(last.action, "批量导入检查结果");
    assert_eq!(last.actor, INSPECTOR);
    assert_eq!(last.detail, "2026年第四季度：3 条检查结果，涉及 2 个账号");

    let all = store.inspections(draw_id).expect("inspections");
    assert_eq!(all.len(), 2);
    let ins_a = all.iter().find(|i| i.account == a).expect("a");
    assert_eq!(ins_a.findings.len(), 2);
    assert_eq!(
        ins_a.finding("V04").expect("V04").finding.answer,
        Some(Answer::Fail),
        "rules apply in bulk too"
    );
    assert_eq!(ins_a.verdict, Some(Verdict::Fail));
    assert_eq!(ins_a.finding("V01").expect("V01").updated_by, INSPECTOR);

    // One refused row refuses them all.
    let stranger = outsider(&store, &record);
    let c = accounts[2].account.id;
    let rows = vec![
        (c, answered("V01", Answer::Pass, "")),
        (stranger.id, answered("V01", Answer::Pass, "")),
    ];
    let err = spotcheck::steps::inspect::save_findings_bulk(
        &mut store,
        draw_id,
        &rows,
        at("2026-10-25 10:01"),
    )
    .expect_err("an outsider");
    assert!(matches!(err, InspectError::NotSampled));
    assert!(
        store.inspection(draw_id, c).expect("read").is_none(),
        "rolled back"
    );
    assert_eq!(store.inspections(draw_id).expect("read").len(), 2);
    assert_eq!(store.log_entries().expect("log").len(), log_before + 1);
    let rows = vec![(c, answered("V99", Answer::Pass, ""))];
    assert!(matches!(
        spotcheck::steps::inspect::save_findings_bulk(
            &mut store,
            draw_id,
            &rows,
            at("2026-10-25 10:02")
        ),
        Err(InspectError::UnknownItem(_))
    ));
    assert!(
        store.inspection(draw_id, c).expect("read").is_none(),
        "rolled back"
    );
    assert_eq!(
        spotcheck::steps::inspect::save_findings_bulk(
            &mut store,
            draw_id,
            &[],
            at("2026-10-25 10:03")
        )
        .expect("empty"),
        0
    );
    assert_eq!(store.verify_log().expect("verify"), None);
}

/// Finishing a check nobody has started names the items still to answer, as the form does,
/// rather than one item called 全部检查项.
#[test]
fn finishing_an_unstarted_check_names_the_items_to_answer() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, record) = setup(dir.path());
    let a = non_app(&record)[0];
    let err = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        record.info.id,
        a.account.id,
        at("2026-11-20 09:00"),
    )
    .expect_err("nothing answered");
    let items = Checklist::builtin()
        .applicable(&a.account.account.platform)
        .count();
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "还不能完成：还有 {items} 项没有填写：V01 严重表述错误、"
        )),
        "{message}"
    );
    assert!(!message.contains("全部检查项"), "{message}");
}
