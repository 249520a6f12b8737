//! `results import` and `results --quarter` on the real binary, against a database in a
//! temporary directory holding the demo roster and a 2026Q4 draw made through the CLI.

// Each test walks one scenario from files to JSON; splitting them would hide the story.
#![allow(clippy::too_many_lines)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::clock::now;
use crate::support::{has_cjk, json, path_str, run, stderr, stdout};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use spotcheck::checklist::{Checklist, Verdict};
use spotcheck::model::InspectionStatus;
use spotcheck::model::Quarter;
use spotcheck::store::Store;
use tempfile::TempDir;

fn ok(o: &Output) -> &Output {
    assert!(
        o.status.success(),
        "exit {:?}; stderr: {}",
        o.status,
        stderr(o)
    );
    o
}

/// An account as `sample --json` and `roster --json` print it.
#[derive(Debug, Clone)]
struct Acct {
    platform: String,
    id: String,
    name: String,
}

impl Acct {
    fn of(v: &Value) -> Self {
        let s = |k: &str| v[k].as_str().expect(k).to_owned();
        Self {
            platform: s("platform"),
            id: s("account_id"),
            name: s("name"),
        }
    }
}

struct Setup {
    db: PathBuf,
    /// A sampled 微信公众号 account (id gh_…).
    wechat: Acct,
    /// A sampled account on another platform (not an app) with a numeric id.
    numeric: Acct,
    /// A roster account the draw did not pick.
    outsider: Acct,
    sampled: usize,
}

/// The demo roster imported and 2026Q4 drawn, all through the binary.
fn setup(dir: &Path) -> Setup {
    let db = dir.join("t.db");
    let roster = dir.join("名录.xlsx");
    ok(&run(
        &db,
        &["demo", "--out", path_str(&roster), "--accounts", "60"],
    ));
    ok(&run(&db, &["import", path_str(&roster)]));
    let draw = json(ok(&run(
        &db,
        &["sample", "--quarter", "2026Q4", "--seed", "1", "--json"],
    )));
    let sampled: Vec<Acct> = draw["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(Acct::of)
        .collect();
    let wechat = sampled
        .iter()
        .find(|a| a.platform == "微信公众号")
        .expect("a sampled 微信公众号 account")
        .clone();
    let numeric = sampled
        .iter()
        .find(|a| {
            a.platform != "移动客户端"
                && a.platform != "微信公众号"
                && a.id.bytes().all(|b| b.is_ascii_digit())
        })
        .expect("a sampled account with a numeric id")
        .clone();
    let roster = json(ok(&run(&db, &["roster", "--json"])));
    let outsider = roster
        .as_array()
        .expect("roster")
        .iter()
        .map(Acct::of)
        .find(|a| !sampled.iter().any(|s| s.id == a.id))
        .expect("an account outside the sample");
    Setup {
        db,
        wechat,
        numeric,
        outsider,
        sampled: sampled.len(),
    }
}

/// The results sheet a shared workbook would hold. Excel rows:
/// 1 title (merged), 2 填报单位, 3 header, 4 微信 V01 符合, 5 微信 更新时效 by date (blank result,
/// computed 不符合, no note; 平台 and 账号ID merged with row 4, the id in upper case), 6 numeric id (a number cell) P07 不符合 with a note, 7 blank,
/// 8 unknown account, 9 unknown item V99, 10 result 合格, 11 bad date, 12 an account outside
/// the sample, 13 填表人 line.
fn write_results_xlsx(path: &Path, s: &Setup) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("检查结果").expect("name");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.merge_range(
        0,
        0,
        0,
        8,
        "示例市2026年第四季度政务新媒体检查结果",
        &Format::new(),
    )
    .expect("title");
    ws.write_string(1, 0, "填报单位：示例市政务公开办")
        .expect("w");
    let header = [
        "序号",
        "平台类型",
        "账号ID",
        "账号名称",
        "检查项",
        "检查结果",
        "问题描述",
        "最后更新时间",
        "监测时间",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, u16::try_from(c).expect("col"), *h)
            .expect("w");
    }
    let upper = s.wechat.id.to_ascii_uppercase();
    let rows: [(u32, &str, &str, &str, &str, &str); 8] = [
        (3, "微信", &upper, "V01", "符合", ""),
        (4, "", "", "更新时效", "", ""),
        (
            5,
            &s.numeric.platform,
            "",
            "P07 商业广告或链接",
            "不符合",
            "发布商业广告",
        ),
        (7, "微信公众号", "gh_nobody", "V01", "符合", ""),
        (8, "微信公众号", &s.wechat.id, "V99", "符合", ""),
        (9, &s.numeric.platform, "", "V01", "合格", ""),
        (10, &s.numeric.platform, "", "V02", "符合", ""),
        (11, &s.outsider.platform, &s.outsider.id, "V01", "符合", ""),
    ];
    for (n, (r, platform, id, item, result, note)) in rows.iter().enumerate() {
        ws.write_number(*r, 0, f64::from(u32::try_from(n + 1).expect("n")))
            .expect("w");
        if *r == 3 {
            // The 微信 account's two rows (Excel 4 and 5) share merged 平台 and 账号ID cells.
            let plain = Format::new();
            ws.merge_range(3, 1, 4, 1, platform, &plain).expect("merge");
            ws.merge_range(3, 2, 4, 2, id, &plain).expect("merge");
        } else if *r == 4 {
            // Covered by the merged cells above.
        } else if id.is_empty() {
            // Excel keeps a numeric id as a number.
            ws.write_string(*r, 1, *platform).expect("w");
            let n: f64 = s.numeric.id.parse().expect("numeric id");
            ws.write_number(*r, 2, n).expect("w");
        } else {
            ws.write_string(*r, 1, *platform).expect("w");
            ws.write_string(*r, 2, *id).expect("w");
        }
        ws.write_string(*r, 4, *item).expect("w");
        if !result.is_empty() {
            ws.write_string(*r, 5, *result).expect("w");
        }
        if !note.is_empty() {
            ws.write_string(*r, 6, *note).expect("w");
        }
        ws.write_string(*r, 8, "2026年10月20日").expect("w");
    }
    let last = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
    ws.write_date_with_format(4, 7, last, &date).expect("w");
    ws.write_string(10, 7, "2026年13月5日").expect("w");
    ws.write_string(12, 0, "填表人：张三　联系电话：12345678")
        .expect("w");
    book.save(path).expect("save");
}

/// The rows of a report's `errors` or `warnings` as (row, field).
fn rows_of(list: &Value) -> Vec<(u64, String)> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().expect("row"),
                p["field"].as_str().expect("field").to_owned(),
            )
        })
        .collect()
}

fn message_at(list: &Value, row: u64) -> String {
    list.as_array()
        .expect("array")
        .iter()
        .find(|p| p["row"] == row)
        .and_then(|p| p["message"].as_str())
        .unwrap_or_else(|| panic!("no problem at row {row}: {list:#}"))
        .to_owned()
}

fn account<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .expect("results array")
        .iter()
        .find(|a| a["account_id"] == id)
        .unwrap_or_else(|| panic!("account {id} not listed"))
}

fn finding<'a>(account: &'a Value, item: &str) -> &'a Value {
    account["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["item"] == item)
        .unwrap_or_else(|| panic!("no finding {item} in {account:#}"))
}

fn results_json(db: &Path) -> Value {
    json(ok(&run(db, &["results", "--quarter", "2026Q4", "--json"])))
}

#[test]
fn import_reports_bad_rows_by_excel_row_and_writes_the_good_ones() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());
    let file = dir.path().join("检查结果.xlsx");
    write_results_xlsx(&file, &s);

    let out = run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&file),
            "--quarter",
            "2026Q4",
            "--json",
        ],
    );
    let report = json(ok(&out));
    assert_eq!(report["file"], "检查结果.xlsx");
    assert_eq!(report["quarter"], "2026Q4");
    assert_eq!(report["sheet"], "检查结果");
    assert_eq!(report["header_row"], 3);
    assert_eq!(report["written"], 3, "{report:#}");
    assert_eq!(report["accounts"], 2);
    assert_eq!(report["skipped_blank"], 1);
    assert_eq!(report["skipped_notes"], 1);

    let errors = &report["errors"];
    assert_eq!(
        rows_of(errors),
        [
            (8, "账号ID".to_owned()),
            (9, "检查项".to_owned()),
            (10, "检查结果".to_owned()),
            (11, "最后更新时间".to_owned()),
            (12, "账号ID".to_owned()),
        ],
        "{errors:#}"
    );
    for p in errors.as_array().expect("errors") {
        for key in ["row", "field", "value", "message"] {
            assert!(p.get(key).is_some(), "{key} missing in {p}");
        }
    }
    assert_eq!(errors[0]["value"], "gh_nobody");
    assert!(
        message_at(errors, 8).contains("名录中没有账号标识为“gh_nobody”的微信公众号账号"),
        "{errors:#}"
    );
    assert_eq!(errors[1]["value"], "V99");
    assert!(
        message_at(errors, 9).contains("没有检查项“V99”"),
        "{errors:#}"
    );
    assert_eq!(errors[2]["value"], "合格");
    assert!(
        message_at(errors, 10).contains("符合、不符合 或 不适用"),
        "{errors:#}"
    );
    assert_eq!(errors[3]["value"], "2026年13月5日");
    assert!(
        message_at(errors, 11).contains("不是可识别的日期"),
        "{errors:#}"
    );
    assert_eq!(errors[4]["value"], s.outsider.id);
    assert!(
        message_at(errors, 12).contains("不在2026年第四季度的抽查名单中"),
        "{errors:#}"
    );
    assert!(message_at(errors, 12).contains(&s.outsider.name));
    for p in errors.as_array().expect("errors") {
        assert!(
            p["message"]
                .as_str()
                .is_some_and(|m| m.ends_with("这一行没有导入")),
            "{p}"
        );
    }

    // 更新时效 decided by its dates (19 days): 不符合 without a note is written, and needs
    // none (the date is its description).
    let warnings = &report["warnings"];
    assert_eq!(rows_of(warnings), [], "{warnings:#}");

    // The good rows are in the database.
    let list = results_json(&s.db);
    assert_eq!(list.as_array().map(Vec::len), Some(s.sampled));
    let w = account(&list, &s.wechat.id);
    assert_eq!(w["status"], "进行中");
    // 单项否决: V04 不符合 makes the account 不合格 while other items are still open.
    assert_eq!(w["verdict"], "不合格", "{w:#}");
    assert_eq!(w["findings"].as_array().map(Vec::len), Some(2));
    assert_eq!(finding(w, "V01")["result"], "符合");
    let v04 = finding(w, "V04");
    assert_eq!(v04["result"], "不符合");
    assert_eq!(v04["last_update"], "2026-10-01");
    assert_eq!(v04["checked_on"], "2026-10-20");
    assert_eq!(v04["note"], "");
    let n = account(&list, &s.numeric.id);
    let p07 = finding(n, "P07");
    assert_eq!(p07["result"], "不符合");
    assert_eq!(p07["note"], "发布商业广告");
    assert!(p07["last_update"].is_null());
    assert!(
        !list
            .as_array()
            .expect("list")
            .iter()
            .any(|a| a["account_id"] == s.outsider.id),
        "only the sample is listed"
    );

    // One log entry for the whole import.
    let store = Store::open(&s.db).expect("open");
    let bulk: Vec<_> = store
        .log_entries()
        .expect("log")
        .into_iter()
        .filter(|e| e.action == "批量导入检查结果")
        .collect();
    assert_eq!(bulk.len(), 1);
    assert!(
        bulk[0].detail.contains("3 条检查结果"),
        "{}",
        bulk[0].detail
    );
    assert!(
        store
            .log_entries()
            .expect("log")
            .iter()
            .all(|e| e.action != "检查结果"),
        "no entry per finding"
    );

    // Without --json: a Chinese summary and the problem lines.
    let out = ok(&run(
        &s.db,
        &["results", "--quarter", "2026Q4", "import", path_str(&file)],
    ))
    .clone();
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "已导入 3 条检查结果（2 个账号）；5 行有错误未导入（第 8、9、10、11、12 行）"
        ),
        "{text}"
    );
    assert!(text.contains("  第 10 行 检查结果："), "{text}");
    assert!(!text.contains("（提醒）"), "{text}");
}

#[test]
fn a_gb18030_csv_completes_an_account_and_the_listing_shows_it_finished() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());

    // Every item for the 微信 account, by id or by title, V04 late and described, and one
    // row for an account nobody knows. Lines: 1 title, 2 header, 3 the unknown account, then items.
    let mut csv = String::from("2026年第四季度检查结果导出,,,,,,,\r\n");
    csv.push_str("平台,微信号,账号名称,检查项,结果,说明,最后更新日期,检查日期\r\n");
    csv.push_str("新浪微博,9999999999,无名账号,V01,符合,,,\r\n");
    let items: Vec<_> = Checklist::builtin().applicable("微信公众号").collect();
    for (n, item) in items.iter().enumerate() {
        let named = if n % 2 == 0 {
            item.id.clone()
        } else {
            item.title.clone()
        };
        let line = if item.id == "V04" {
            format!(
                "公众号,{},{},{named},不符合,超过两周未更新,2026/9/30,2026.10.20\r\n",
                s.wechat.id, s.wechat.name
            )
        } else {
            format!(
                "公众号,{},{},{named},符合,,,2026-10-20\r\n",
                s.wechat.id, s.wechat.name
            )
        };
        csv.push_str(&line);
    }
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&csv);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let file = dir.path().join("结果导出.csv");
    std::fs::write(&file, &bytes).expect("write csv");

    let report = json(ok(&run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&file),
            "--quarter",
            "2026Q4",
            "--json",
        ],
    )));
    assert_eq!(report["header_row"], 2);
    assert_eq!(report["written"], items.len(), "{report:#}");
    assert_eq!(report["accounts"], 1);
    assert_eq!(rows_of(&report["errors"]), [(3, "微信号".to_owned())]);
    assert!(
        message_at(&report["errors"], 3).contains("名录中没有"),
        "{report:#}"
    );
    assert_eq!(report["warnings"], Value::Array(Vec::new()), "{report:#}");

    // Every item answered: the inspector can finish it (here through the store).
    let mut store = Store::open(&s.db).expect("open");
    let draw = store
        .current_draw(Quarter::new(2026, 4).expect("quarter"))
        .expect("read")
        .expect("draw");
    let wechat = draw
        .accounts
        .iter()
        .find(|d| d.account.account.account_id == s.wechat.id)
        .expect("sampled");
    let unfinished = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        draw.info.id,
        wechat.account.id,
        now(),
    )
    .expect_err("a veto 不符合 needs evidence");
    assert!(unfinished.to_string().contains("证据"), "{unfinished}");
    spotcheck::steps::inspect::add_evidence(
        &mut store,
        draw.info.id,
        wechat.account.id,
        "V04",
        spotcheck::model::NewEvidence::Url("https://mp.weixin.qq.com/s/abc".to_owned()),
        now(),
    )
    .expect("evidence");
    let ins = spotcheck::steps::inspect::finish_inspection(
        &mut store,
        draw.info.id,
        wechat.account.id,
        now(),
    )
    .expect("complete");
    assert_eq!(ins.status, InspectionStatus::Done);
    assert_eq!(ins.verdict, Some(Verdict::Fail));
    drop(store);

    let list = results_json(&s.db);
    let w = account(&list, &s.wechat.id);
    assert_eq!(w["status"], "已完成");
    assert_eq!(w["verdict"], "不合格");
    assert_eq!(w["findings"].as_array().map(Vec::len), Some(items.len()));
    let v04 = finding(w, "V04");
    assert_eq!(v04["result"], "不符合");
    assert_eq!(v04["note"], "超过两周未更新");
    assert_eq!(v04["last_update"], "2026-09-30");
    let ids: Vec<&str> = w["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["item"].as_str().expect("item"))
        .collect();
    let expected: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, expected, "findings in checklist order");

    let text = stdout(ok(&run(&s.db, &["results", "--quarter", "2026Q4"])));
    assert!(
        text.starts_with(&format!(
            "2026年第四季度：抽查 {} 个账号；已完成 1 个（不合格 1 个），进行中 0 个，未开始 {} 个",
            s.sampled,
            s.sampled - 1
        )),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains(&s.wechat.name))
        .expect("the account's line");
    assert!(line.contains("已完成\t不合格"), "{line}");
    assert!(line.ends_with("V04"), "{line}");

    // Importing into a finished check warns: its verdict is recomputed.
    let again = dir.path().join("补充.csv");
    std::fs::write(
        &again,
        format!(
            "平台,账号标识,检查项,结果,说明\n微信,{},V01,不适用,\n",
            s.wechat.id
        ),
    )
    .expect("write");
    let report = json(ok(&run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&again),
            "--quarter",
            "2026Q4",
            "--json",
        ],
    )));
    assert_eq!(report["written"], 1);
    assert_eq!(rows_of(&report["warnings"]), [(2, "账号标识".to_owned())]);
    assert!(
        message_at(&report["warnings"], 2).contains("检查已经完成"),
        "{report:#}"
    );
    let list = results_json(&s.db);
    let w = account(&list, &s.wechat.id);
    assert_eq!(w["status"], "已完成");
    assert_eq!(finding(w, "V01")["result"], "不适用");
}

#[test]
fn results_json_has_the_stable_fields() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());
    ok(&run(
        &s.db,
        &["assign", "--quarter", "2026Q4", "--inspectors", "张三,李四"],
    ));
    let list = results_json(&s.db);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), s.sampled);
    for a in list {
        for key in [
            "platform",
            "account_id",
            "name",
            "inspector",
            "status",
            "verdict",
            "score",
            "recheck",
            "findings",
        ] {
            assert!(a.get(key).is_some(), "missing key {key} in {a}");
        }
        assert_eq!(a["status"], "未开始");
        assert!(a["verdict"].is_null());
        assert!(a["score"].is_null());
        assert_eq!(a["recheck"], false);
        assert_eq!(a["findings"], Value::Array(Vec::new()));
        assert!(
            matches!(a["inspector"].as_str(), Some("张三" | "李四")),
            "{a}"
        );
    }

    // A finding's fields.
    let file = dir.path().join("一行.csv");
    std::fs::write(
        &file,
        format!(
            "平台,账号标识,检查项,结果,说明\n{},{},V05,不适用,评论区已关闭但有留言渠道\n",
            s.numeric.platform, s.numeric.id
        ),
    )
    .expect("write");
    ok(&run(
        &s.db,
        &["results", "import", path_str(&file), "--quarter", "2026Q4"],
    ));
    let list = results_json(&s.db);
    let f = finding(account(&list, &s.numeric.id), "V05");
    for key in ["item", "result", "note", "last_update"] {
        assert!(f.get(key).is_some(), "missing key {key} in {f}");
    }
    assert_eq!(f["result"], "不适用");
    assert_eq!(f["note"], "评论区已关闭但有留言渠道");
    assert!(f["last_update"].is_null());
    assert_eq!(f["title"], "互动功能");
}

#[test]
fn an_unreadable_file_changes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());
    let good = dir.path().join("完整.xlsx");
    write_results_xlsx(&good, &s);
    let bytes = std::fs::read(&good).expect("read");
    let cut = dir.path().join("截断.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let before = results_json(&s.db);
    let log_before = Store::open(&s.db)
        .expect("open")
        .log_entries()
        .expect("log")
        .len();

    let out = run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&cut),
            "--quarter",
            "2026Q4",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "an error, not a crash");
    let err = stderr(&out);
    assert!(err.starts_with("错误：表格文件已损坏或不完整"), "{err}");
    assert!(err.contains("截断.xlsx"), "names the file: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        stdout(&out).trim().is_empty(),
        "no report: {}",
        stdout(&out)
    );

    // A table without the columns, an empty file, a missing one.
    let no_header = dir.path().join("无表头.csv");
    std::fs::write(&no_header, "甲,乙,丙\n1,2,3\n").expect("write");
    let err = stderr(&run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&no_header),
            "--quarter",
            "2026Q4",
        ],
    ));
    assert!(err.contains("没有找到检查结果的表头行"), "{err}");
    let missing = dir.path().join("缺列.csv");
    std::fs::write(&missing, "平台,账号标识,说明\n微信,gh_a,无\n").expect("write");
    let err = stderr(&run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&missing),
            "--quarter",
            "2026Q4",
        ],
    ));
    assert!(err.contains("缺少必需的列：检查项、结果"), "{err}");
    let empty = dir.path().join("空.xlsx");
    std::fs::write(&empty, b"").expect("write");
    let out = run(
        &s.db,
        &["results", "import", path_str(&empty), "--quarter", "2026Q4"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("文件是空的"), "{}", stderr(&out));
    let out = run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&dir.path().join("不存在.xlsx")),
            "--quarter",
            "2026Q4",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("无法读取文件"), "{}", stderr(&out));

    // A quarter given must be one (without one, the latest drawn is taken).
    let out = run(
        &s.db,
        &["results", "import", path_str(&good), "--quarter", "明年"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("季度“明年”的写法不正确"),
        "{}",
        stderr(&out)
    );

    assert_eq!(results_json(&s.db), before, "nothing written");
    assert_eq!(
        Store::open(&s.db)
            .expect("open")
            .log_entries()
            .expect("log")
            .len(),
        log_before
    );
}

#[test]
fn without_a_draw_results_are_refused_in_chinese() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let roster = dir.path().join("名录.xlsx");
    ok(&run(
        &db,
        &["demo", "--out", path_str(&roster), "--accounts", "30"],
    ));
    ok(&run(&db, &["import", path_str(&roster)]));

    let out = run(&db, &["results", "--quarter", "2026Q4", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("2026年第四季度 还没有抽样，请先抽样"), "{err}");
    assert!(stdout(&out).trim().is_empty());

    let file = dir.path().join("结果.csv");
    std::fs::write(&file, "平台,账号标识,检查项,结果\n微信,gh_a,V01,符合\n").expect("write");
    let out = run(
        &db,
        &["results", "import", path_str(&file), "--quarter", "2026Q4"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("还没有抽样"), "{}", stderr(&out));

    let out = run(&db, &["results"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("还没有任何季度抽过样，请先抽样，或用 --quarter 指定季度"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rows_may_name_the_account_and_the_update_rule_overrules_the_result() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());
    let (p, id, name) = (&s.numeric.platform, &s.numeric.id, &s.numeric.name);
    let csv = format!(
        "平台,账号标识,账号名称,检查项,结果,说明,最后更新日期,检查日期\n\
         {p},,{name},V01,符合,,,\n\
         {p},{id},,V07,符合,,,\n\
         {p},{id},,V04,符合,,2026-09-01,2026-10-20\n\
         {p},{id},,严重表述错误,不适用,,,\n\
         抖音,,不存在的账号,V01,符合,,,\n\
         {p},{id},,V02,,,,\n\
         某某平台,{id},,V02,符合,,,\n"
    );
    let file = dir.path().join("结果.csv");
    std::fs::write(&file, csv).expect("write");
    let report = json(ok(&run(
        &s.db,
        &[
            "results",
            "import",
            path_str(&file),
            "--quarter",
            "2026Q4",
            "--json",
        ],
    )));
    assert_eq!(report["written"], 2, "{report:#}");
    let errors = &report["errors"];
    assert_eq!(
        rows_of(errors),
        [
            (3, "检查项".to_owned()),
            (6, "账号名称".to_owned()),
            (7, "结果".to_owned()),
            (8, "平台".to_owned()),
        ],
        "{errors:#}"
    );
    assert!(
        message_at(errors, 3).contains("只适用于移动客户端"),
        "{errors:#}"
    );
    assert!(
        message_at(errors, 6).contains("名录中没有名为“不存在的账号”的抖音账号"),
        "{errors:#}"
    );
    assert!(message_at(errors, 7).starts_with("缺少结果"), "{errors:#}");
    assert!(
        message_at(errors, 8).contains("无法识别平台“某某平台”"),
        "{errors:#}"
    );
    let warnings = &report["warnings"];
    assert_eq!(
        rows_of(warnings),
        [(4, "结果".to_owned()), (5, "检查项".to_owned())],
        "{warnings:#}"
    );
    assert!(
        message_at(warnings, 4).contains("应为“不符合”，已按计算结果保存"),
        "{warnings:#}"
    );
    assert!(
        message_at(warnings, 5).contains("第 2 行已填写同一账号的同一检查项，以本行为准"),
        "{warnings:#}"
    );

    let list = results_json(&s.db);
    let a = account(&list, id);
    assert_eq!(a["findings"].as_array().map(Vec::len), Some(2));
    assert_eq!(finding(a, "V01")["result"], "不适用", "the later row wins");
    assert_eq!(finding(a, "V04")["result"], "不符合");
    assert_eq!(a["status"], "进行中");
    assert_eq!(a["verdict"], "不合格", "单项否决 while unfinished");
}

/// `results import --finish` finishes every check the file completes and lists the others
/// with why; `results finish --account` finishes chosen ones; the quarter defaults to the
/// latest drawn.
#[test]
fn checks_are_finished_in_bulk_and_those_that_cannot_be_are_listed_with_why() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());
    let mut csv = String::from("平台,账号标识,检查项,结果,说明,最后更新日期,检查日期\n");
    for item in Checklist::builtin().applicable("微信公众号") {
        let date = if item.id == "V04" { "2026-10-18" } else { "" };
        let _ = writeln!(
            csv,
            "微信公众号,{},{},符合,,{date},2026-10-20",
            s.wechat.id, item.id
        );
    }
    let _ = writeln!(
        csv,
        "{},{},V01,不符合,把“区长”写成“县长”,,2026-10-21",
        s.numeric.platform, s.numeric.id
    );
    let file = dir.path().join("结果.csv");
    std::fs::write(&file, csv).expect("write");

    let out = json(ok(&run(
        &s.db,
        &["results", "import", path_str(&file), "--finish", "--json"],
    )));
    assert_eq!(out["import"]["accounts"], 2, "{out:#}");
    let finished = out["finish"]["finished"].as_array().expect("finished");
    assert_eq!(finished.len(), 1, "{out:#}");
    assert!(finished[0].as_str().expect("name").contains(&s.wechat.name));
    let cannot = out["finish"]["cannot"].as_array().expect("cannot");
    assert_eq!(cannot.len(), s.sampled - 1, "every other account, with why");
    let why = |name: &str| {
        cannot
            .iter()
            .find(|c| c[0].as_str().is_some_and(|n| n.contains(name)))
            .map(|c| c[1].as_str().expect("why").to_owned())
            .expect("listed")
    };
    assert!(
        why(&s.numeric.name).contains("证据"),
        "{}",
        why(&s.numeric.name)
    );

    let list = results_json(&s.db);
    assert_eq!(account(&list, &s.wechat.id)["status"], "已完成");
    assert_eq!(
        account(&list, &s.numeric.id)["verdict"],
        "不合格",
        "单项否决"
    );

    // Chosen accounts only, the quarter left to default; text output names the reason.
    let key = format!("{}:{}", s.numeric.platform, s.numeric.id);
    let out = run(&s.db, &["results", "finish", "--account", &key]);
    let text = stdout(ok(&out));
    assert!(
        text.starts_with("2026年第四季度：已完成 0 个账号的检查；1 个还不能完成"),
        "{text}"
    );
    assert!(
        text.contains(&s.numeric.name) && text.contains("证据"),
        "{text}"
    );
    let bad = run(
        &s.db,
        &["results", "finish", "--account", "微信公众号:gh_nobody"],
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("抽查名单中没有账号"),
        "{}",
        stderr(&bad)
    );
}

/// A 检查人员 column records each finding (and a check it starts) under the inspector named.
#[test]
fn an_inspector_column_names_who_checked() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());
    let file = dir.path().join("结果.csv");
    std::fs::write(
        &file,
        format!(
            "平台,账号标识,检查项,结果,说明,检查日期,检查人员\n微信公众号,{},V01,符合,,2026-10-20,李四\n",
            s.wechat.id
        ),
    )
    .expect("write");
    ok(&run(&s.db, &["results", "import", path_str(&file)]));
    let list = results_json(&s.db);
    let w = account(&list, &s.wechat.id);
    assert_eq!(w["inspector"], "李四", "{w:#}");
    let store = Store::open(&s.db).expect("open");
    let draw = store
        .current_draw(Quarter::new(2026, 4).expect("quarter"))
        .expect("read")
        .expect("draw");
    let d = draw
        .accounts
        .iter()
        .find(|d| d.account.account.account_id == s.wechat.id)
        .expect("sampled");
    let ins = store
        .inspection(draw.info.id, d.account.id)
        .expect("read")
        .expect("started");
    assert_eq!(ins.inspector, "李四");
    assert_eq!(ins.finding("V01").expect("V01").updated_by, "李四");
}

/// A city's checklist with the longest-gap rule (更新间隔不得超过10天), loaded with
/// `checklist load`: the gap column decides 更新时效 at its boundary (10 days 符合, 11 days
/// 不符合), overrules a written result, and a gap that cannot be read is refused by row. A
/// checklist file that is not right is refused and the active one stays.
#[test]
fn a_loaded_longest_gap_rule_decides_at_its_boundary() {
    let dir = TempDir::new().expect("tempdir");
    let s = setup(dir.path());
    let shown = json(ok(&run(&s.db, &["checklist", "--json"])));
    assert_eq!(shown["id"], "gov-new-media-veto");
    let mut city = shown.clone();
    city["version"] = "2027.1".into();
    city["title"] = "某市政务新媒体检查指标".into();
    for item in city["items"].as_array_mut().expect("items") {
        if item["id"] == "V04" {
            item["rule"] = serde_json::json!({"longest_gap": {"days": 10}});
        }
    }
    let file = dir.path().join("本市检查表.json");
    std::fs::write(&file, serde_json::to_string_pretty(&city).expect("json")).expect("write");

    // Files that are not right first: nothing changes.
    let mut zero = city.clone();
    zero["version"] = "2027.0".into();
    for item in zero["items"].as_array_mut().expect("items") {
        if item["id"] == "V04" {
            item["rule"] = serde_json::json!({"longest_gap": {"days": 0}});
        }
    }
    let bad = dir.path().join("错误检查表.json");
    std::fs::write(&bad, zero.to_string()).expect("write");
    let o = run(&s.db, &["checklist", "load", path_str(&bad)]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("更新时限是 0 天"), "{}", stderr(&o));
    let cut = dir.path().join("截断检查表.json");
    let bytes = std::fs::read(&file).expect("read");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let o = run(&s.db, &["checklist", "load", path_str(&cut)]);
    assert!(!o.status.success());
    assert!(has_cjk(&stderr(&o)), "{}", stderr(&o));
    assert!(stdout(&run(&s.db, &["checklist"])).contains("检查日期前 14 天内有无更新"));

    let loaded = stdout(ok(&run(&s.db, &["checklist", "load", path_str(&file)])));
    assert!(
        loaded.contains("已启用检查表“某市政务新媒体检查指标”"),
        "{loaded}"
    );
    assert!(
        loaded.contains("V04 更新时效（单项否决），按“检查期间最长更新间隔是否超过 10 天”自动判定"),
        "{loaded}"
    );

    let (p, w) = (&s.numeric.platform, &s.wechat.platform);
    let (id, wid) = (&s.numeric.id, &s.wechat.id);
    let csv = format!(
        "平台,账号标识,检查项,结果,说明,最长更新间隔（天）,检查日期\n\
         {p},{id},V04,,,10,2026-12-04\n\
         {w},{wid},V04,符合,,11天,2026-12-04\n\
         {p},{id},V01,符合,,十天,2026-12-04\n\
         {w},{wid},V01,符合,,,2026-12-04\n"
    );
    let results = dir.path().join("结果.csv");
    std::fs::write(&results, csv).expect("write");
    let report = json(ok(&run(
        &s.db,
        &["results", "import", path_str(&results), "--json"],
    )));
    assert_eq!(report["written"], 3, "{report:#}");
    let errors = &report["errors"];
    assert_eq!(
        rows_of(errors),
        [(4, "最长更新间隔（天）".to_owned())],
        "{errors:#}"
    );
    assert!(
        message_at(errors, 4).contains("无法识别天数“十天”"),
        "{errors:#}"
    );
    let warnings = &report["warnings"];
    assert!(
        message_at(warnings, 3).contains("按最长更新间隔 11 天计算，这一项应为“不符合”"),
        "{warnings:#}"
    );

    let list = results_json(&s.db);
    assert_eq!(finding(account(&list, id), "V04")["result"], "符合");
    assert_eq!(finding(account(&list, id), "V04")["longest_gap"], 10);
    let wechat = account(&list, wid);
    assert_eq!(finding(wechat, "V04")["result"], "不符合");
    assert_eq!(wechat["verdict"], "不合格");
}

/// 检查日期 and 最后更新日期 as a careless sheet gives them: a future check, a check before
/// the quarter and its draw, and a last update after the check are each refused with the
/// reason, the good row of the same account kept.
#[test]
fn implausible_check_dates_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = setup(dir.path());
    let (p, id) = (&s.numeric.platform, &s.numeric.id);
    let csv = format!(
        "平台,账号标识,检查项,结果,说明,最后更新日期,检查日期\n\
         {p},{id},V01,符合,,,2099-01-01\n\
         {p},{id},V02,符合,,,2020-01-01\n\
         {p},{id},V04,,,2026-12-05,2026-12-01\n\
         {p},{id},V03,符合,,,2026-12-01\n"
    );
    let results = dir.path().join("结果.csv");
    std::fs::write(&results, csv).expect("write");
    let report = json(&run(
        &s.db,
        &["results", "import", path_str(&results), "--json"],
    ));
    let errors = &report["errors"];
    assert!(message_at(errors, 2).contains("晚于今天"), "{errors}");
    assert!(
        message_at(errors, 3).contains("不在2026年第四季度，也早于本季度抽样的日期"),
        "{errors}"
    );
    assert!(message_at(errors, 4).contains("晚于检查日期"), "{errors}");
    assert_eq!(rows_of(errors).len(), 3, "{errors}");
    let listed = results_json(&s.db);
    let a = account(&listed, id);
    assert_eq!(finding(a, "V03")["result"], "符合");
    let saved: Vec<&str> = a["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["item"].as_str())
        .collect();
    assert!(!saved.contains(&"V01") && !saved.contains(&"V02"), "{a}");
}
