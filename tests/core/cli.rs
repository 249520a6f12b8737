//! The real `spotcheck` binary, run headless against a database in a temporary directory.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::clock::at;
use crate::support::{has_cjk, json, path_str, stderr, stdout};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use tempfile::TempDir;

/// Runs the binary with `--db <db>` (when given) and `args`, never touching the user's own database.
fn run(db: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
    cmd.env_remove("SPOTCHECK_DB");
    if let Some(db) = db {
        cmd.arg("--db").arg(db);
    }
    cmd.args(args).output().expect("run spotcheck")
}

/// A roster xlsx. Excel rows:
/// 1 title, 2 header, 3 教育 (微信, real date, 1.2万), 4 blank, 5 公安 (微博, numeric id),
/// 6 missing 主办单位, 7 duplicate of row 3.
fn write_roster(path: &Path) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("名录").expect("name");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "示例市政务新媒体账号名录")
        .expect("w");
    let header = [
        "序号",
        "主办单位",
        "账号名称",
        "平台",
        "账号ID",
        "地市",
        "区县",
        "开设时间",
        "备案时间",
        "运营状态",
        "粉丝数",
        "运维单位",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, u16::try_from(c).expect("c"), *h)
            .expect("w");
    }
    let d = chrono::NaiveDate::from_ymd_opt(2019, 3, 5).expect("date");
    // row 3
    ws.write_number(2, 0, 1).expect("w");
    ws.write_string(2, 1, "示例市教育局").expect("w");
    ws.write_string(2, 2, "示例教育").expect("w");
    ws.write_string(2, 3, "微信").expect("w");
    ws.write_string(2, 4, "gh_edu001").expect("w");
    ws.write_string(2, 5, "示例市").expect("w");
    ws.write_string(2, 6, "东城区").expect("w");
    ws.write_date_with_format(2, 7, d, &date).expect("w");
    ws.write_string(2, 8, "2019年3月7日").expect("w");
    ws.write_string(2, 9, "正常").expect("w");
    ws.write_string(2, 10, "1.2万").expect("w");
    ws.write_string(2, 11, "示例文化传媒有限公司").expect("w");
    // row 4 blank; row 5
    ws.write_number(4, 0, 2).expect("w");
    ws.write_string(4, 1, "示例市公安局").expect("w");
    ws.write_string(4, 2, "平安示例").expect("w");
    ws.write_string(4, 3, "微博").expect("w");
    ws.write_number(4, 4, 3_805_829_634.0).expect("w");
    ws.write_string(4, 5, "示例市").expect("w");
    ws.write_string(4, 6, "西城区").expect("w");
    ws.write_number(4, 7, 43529).expect("w");
    ws.write_string(4, 9, "停更").expect("w");
    // row 6: 主办单位 missing
    ws.write_number(5, 0, 3).expect("w");
    ws.write_string(5, 2, "无主账号").expect("w");
    ws.write_string(5, 3, "抖音").expect("w");
    ws.write_string(5, 4, "dy_1").expect("w");
    // row 7: the account of row 3 again
    ws.write_number(6, 0, 4).expect("w");
    ws.write_string(6, 1, "示例市教育局").expect("w");
    ws.write_string(6, 2, "示例教育").expect("w");
    ws.write_string(6, 3, "微信公众号").expect("w");
    ws.write_string(6, 4, "gh_edu001").expect("w");
    book.save(path).expect("save");
}

/// A roster with no problems: two accounts.
fn write_clean_csv(path: &Path) {
    std::fs::write(
        path,
        "主办单位,账号名称,平台,账号ID\n示例市教育局,示例教育,微信公众号,gh_edu001\n示例市公安局,平安示例,新浪微博,1000000001\n",
    )
    .expect("write csv");
}

#[test]
fn import_json_reports_rows_errors_and_duplicates() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let file = dir.path().join("名录.xlsx");
    write_roster(&file);

    let out = run(Some(&db), &["import", path_str(&file), "--json"]);
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status,
        stderr(&out)
    );
    let report = json(&out);
    assert_eq!(report["imported"], 2, "{report:#}");
    assert_eq!(report["added"], 2);
    assert_eq!(report["written"], true);
    assert_eq!(report["file"], "名录.xlsx");
    assert_eq!(report["sheet"], "名录");
    assert_eq!(report["header_row"], 2);
    assert_eq!(report["skipped_blank"], 1);

    let errors = report["errors"].as_array().expect("errors array");
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["row"], 6);
    assert_eq!(errors[0]["field"], "主办单位");
    let message = errors[0]["message"].as_str().expect("message");
    assert!(
        message.contains("主办单位") && has_cjk(message),
        "{message}"
    );

    let dups = report["duplicates"].as_array().expect("duplicates array");
    assert_eq!(dups.len(), 1, "{report:#}");
    assert_eq!(dups[0]["row"], 7);
    assert_eq!(dups[0]["first_row"], 3);
}

#[test]
fn roster_json_lists_accounts_with_stable_fields() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let file = dir.path().join("名录.xlsx");
    write_roster(&file);
    let out = run(Some(&db), &["import", path_str(&file)]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert!(
        stdout(&out).contains("已导入 2 个账号"),
        "plain summary: {}",
        stdout(&out)
    );

    let out = run(Some(&db), &["roster", "--json"]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let list = json(&out);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2, "{list:#?}");
    for a in list {
        for key in [
            "platform",
            "account_id",
            "name",
            "host_unit",
            "city",
            "county",
            "opened_on",
            "filed_on",
            "status",
            "fans",
            "operator",
        ] {
            assert!(a.get(key).is_some(), "missing key {key} in {a}");
        }
    }
    let edu = &list[0];
    assert_eq!(edu["platform"], "微信公众号");
    assert_eq!(edu["account_id"], "gh_edu001");
    assert_eq!(edu["name"], "示例教育");
    assert_eq!(edu["host_unit"], "示例市教育局");
    assert_eq!(edu["city"], "示例市");
    assert_eq!(edu["county"], "东城区");
    assert_eq!(edu["opened_on"], "2019-03-05");
    assert_eq!(edu["filed_on"], "2019-03-07");
    assert_eq!(edu["status"], "正常");
    assert_eq!(edu["fans"], 12000);
    assert!(edu["fans"].is_i64());
    assert_eq!(edu["operator"], "示例文化传媒有限公司");

    let police = &list[1];
    assert_eq!(police["platform"], "新浪微博");
    assert_eq!(police["account_id"], "3805829634");
    assert_eq!(police["opened_on"], "2019-03-05");
    assert!(police["filed_on"].is_null());
    assert!(police["fans"].is_null());
    assert_eq!(police["status"], "已关停");
    assert_eq!(police["operator"], "");
}

#[test]
fn strict_import_of_a_file_with_a_bad_row_changes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let file = dir.path().join("名录.xlsx");
    write_roster(&file);

    let out = run(Some(&db), &["import", path_str(&file), "--strict"]);
    assert!(!out.status.success(), "--strict must fail on a bad row");
    let err = stderr(&out);
    assert!(has_cjk(&err), "{err}");
    assert!(
        err.contains("--strict") && err.contains("没有导入"),
        "{err}"
    );
    assert!(err.contains("第 6 行"), "the bad row is named: {err}");
    assert!(!err.contains("panicked"), "{err}");

    let out = run(Some(&db), &["roster", "--json"]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(
        json(&out),
        Value::Array(Vec::new()),
        "database must be empty"
    );

    // The same flag on a clean file imports it.
    let clean = dir.path().join("clean.csv");
    write_clean_csv(&clean);
    let out = run(
        Some(&db),
        &["import", path_str(&clean), "--strict", "--json"],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(json(&out)["imported"], 2);
}

#[test]
fn unreadable_file_fails_with_a_chinese_message_naming_it() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let clean = dir.path().join("clean.csv");
    write_clean_csv(&clean);
    let out = run(Some(&db), &["import", path_str(&clean)]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));

    let empty = dir.path().join("空名录.xlsx");
    std::fs::write(&empty, b"").expect("write");
    let out = run(Some(&db), &["import", path_str(&empty), "--json"]);
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1), "an error, not a crash");
    let err = stderr(&out);
    assert!(err.contains("文件是空的"), "{err}");
    assert!(err.contains("空名录.xlsx"), "message names the file: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        stdout(&out).trim().is_empty(),
        "no report on stdout: {}",
        stdout(&out)
    );

    let missing = dir.path().join("不存在.xlsx");
    let out = run(Some(&db), &["import", path_str(&missing)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("无法读取文件") && err.contains("不存在.xlsx"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    let out = run(Some(&db), &["roster", "--json"]);
    assert_eq!(
        json(&out).as_array().map(Vec::len),
        Some(2),
        "the earlier import is untouched"
    );
}

#[test]
fn spotcheck_db_env_is_used_without_db_flag() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("from-env").join("env.db");
    let clean = dir.path().join("clean.csv");
    write_clean_csv(&clean);

    let out = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env("SPOTCHECK_DB", &db)
        .args(["import", path_str(&clean), "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(json(&out)["imported"], 2);
    assert!(db.exists(), "database created at SPOTCHECK_DB");

    // Read back through the env var, and through --db pointing at the same file.
    let out = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env("SPOTCHECK_DB", &db)
        .args(["roster", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(json(&out).as_array().map(Vec::len), Some(2));
    let out = run(Some(&db), &["roster", "--json"]);
    let list = json(&out);
    assert_eq!(list[0]["name"], "示例教育");
    assert_eq!(list[1]["account_id"], "1000000001");

    // --db wins over the env var.
    let other = dir.path().join("other.db");
    let out = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env("SPOTCHECK_DB", &db)
        .arg("--db")
        .arg(&other)
        .args(["roster", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(json(&out), Value::Array(Vec::new()));
}

/// A database holding the demo roster, a 2026Q4 draw and every check finished, made through
/// the library as the window would.
fn checked_quarter_db(dir: &Path) -> std::path::PathBuf {
    let roster = dir.join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(120, 9), &roster)
        .expect("write roster");
    let db = dir.join("t.db");
    let mut store = spotcheck::store::Store::open(&db).expect("open store");
    store
        .set_setting(spotcheck::store::settings::USER_NAME, "王科员")
        .expect("user");
    store
        .set_setting(spotcheck::store::settings::REGION_NAME, "示例市")
        .expect("region");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read roster");
    spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-10-01 10:00"))
        .expect("import");
    let request = spotcheck::model::DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options: spotcheck::sampling::DrawOptions {
            rate: spotcheck::sampling::Rate::MINIMUM,
            strata: spotcheck::sampling::Strata::County,
            prefer_not_drawn_in: 0,
        },
        seed: 42,
        reason: None,
        void_work: false,
    };
    let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at("2026-10-02 10:00"))
        .expect("draw");
    spotcheck::steps::demo::complete_checks(&mut store, &draw, at("2026-11-20 10:00"))
        .expect("checks");
    db
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario: export, list, then the errors
fn notice_rectification_sheets_and_their_list_from_the_command_line() {
    let dir = TempDir::new().expect("tempdir");
    let db = checked_quarter_db(dir.path());

    let notice = dir.path().join("通报.xlsx");
    let out = run(
        Some(&db),
        &[
            "export",
            "notice",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&notice),
        ],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("通报已保存"), "{text}");
    assert!(text.contains("本季度在运行政务新媒体账号"), "{text}");
    let names = calamine::open_workbook_auto(&notice)
        .map(|b| calamine::Reader::sheet_names(&b))
        .expect("the notice is a workbook");
    assert_eq!(names, ["总体情况", "问题账号", "其他问题", "全部结果"]);

    // No .xlsx at the end: one file per unit in the folder.
    let folder = dir.path().join("整改表");
    let out = run(
        Some(&db),
        &[
            "export",
            "rectification",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&folder),
        ],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let files: Vec<_> = std::fs::read_dir(&folder)
        .expect("folder created")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .all(|f| f.extension().is_some_and(|e| e == "xlsx"))
    );
    assert!(
        stdout(&out).contains(&format!("已导出 {} 个单位", files.len())),
        "{}",
        stdout(&out)
    );

    let out = run(
        Some(&db),
        &["rectification", "--quarter", "2026Q4", "--json"],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let list = json(&out);
    let list = list.as_array().expect("array");
    let store = spotcheck::store::Store::open(&db).expect("open");
    let draw = store
        .current_draw("2026Q4".parse().expect("quarter"))
        .expect("read")
        .expect("draw");
    let mut rows = store.rectifications(draw.info.id).expect("rows");
    // Listed by unit in pinyin order.
    spotcheck::model::in_unit_order(&mut rows);
    assert_eq!(list.len(), rows.len(), "{list:#?}");
    let units: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.host_unit.as_str()).collect();
    assert_eq!(files.len(), units.len());
    for (item, r) in list.iter().zip(&rows) {
        assert_eq!(item["code"], spotcheck::rectification::code(r.id));
        assert_eq!(item["status"], "待整改", "{item}");
        assert_eq!(item["quarter"], "2026Q4");
        assert_eq!(item["name"], r.name.as_str());
        let day = |key: &str| {
            let t = item[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} in {item}"));
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .unwrap_or_else(|e| panic!("{key} {t}: {e}"))
        };
        assert_eq!(
            day("deadline"),
            spotcheck::rectification::add_working_days(day("issued_on"), 10),
            "{item}"
        );
        assert!(item["reply"].is_null());
    }

    // A mistyped quarter: a Chinese error, exit 1, nothing written.
    let bad = dir.path().join("坏.xlsx");
    let out = run(
        Some(&db),
        &[
            "export",
            "notice",
            "--quarter",
            "2026Q5",
            "--out",
            path_str(&bad),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("季度“2026Q5”的写法不正确"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!bad.exists());
    // A quarter never drawn.
    let out = run(
        Some(&db),
        &["rectification", "--quarter", "2025Q1", "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("还没有抽样") && has_cjk(&err), "{err}");
    assert!(stdout(&out).trim().is_empty(), "{}", stdout(&out));
}

/// Work packages from the command line: the supervisor exports 张三's work package, 张三's
/// laptop (another database) opens it, checks an account (through the library, as the window
/// would), exports the results, and the supervisor merges them.
#[test]
#[allow(clippy::too_many_lines)] // one scenario: two databases, four commands, then the errors
fn work_and_result_packages_from_the_command_line() {
    use spotcheck::checklist::{Answer, Checklist, Finding};
    use spotcheck::model::InspectionStatus;
    use spotcheck::store::{Store, settings};

    let office = TempDir::new().expect("tempdir");
    let laptop = TempDir::new().expect("tempdir");
    let db = office.path().join("t.db");
    let laptop_db = laptop.path().join("t.db");
    let assigned = {
        let roster = office.path().join("名录.xlsx");
        spotcheck::steps::demo::write_roster_xlsx(
            &spotcheck::steps::demo::accounts(120, 9),
            &roster,
        )
        .expect("write roster");
        let mut store = Store::open(&db).expect("open store");
        store
            .set_setting(settings::USER_NAME, "王组长")
            .expect("user");
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let preview =
            spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
                .expect("read roster");
        spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-10-01 10:00"))
            .expect("import");
        // The built-in checklist stored, as it is once any check was started here (merging
        // fails without it: see tests/packages.rs).
        spotcheck::steps::inspect::install_checklist(
            &mut store,
            Checklist::builtin(),
            at("2026-10-01 10:00"),
        )
        .expect("checklist");
        let request = spotcheck::model::DrawRequest {
            quarter: "2026Q4".parse().expect("quarter"),
            options: spotcheck::sampling::DrawOptions {
                rate: spotcheck::sampling::Rate::MINIMUM,
                strata: spotcheck::sampling::Strata::County,
                prefer_not_drawn_in: 0,
            },
            seed: 42,
            reason: None,
            void_work: false,
        };
        spotcheck::steps::draw::make_draw(&mut store, &request, at("2026-10-02 10:00"))
            .expect("draw");
        let split = spotcheck::steps::draw::assign(
            &mut store,
            "2026Q4".parse().expect("quarter"),
            &["张三".to_owned(), "李四".to_owned()],
            true,
            at("2026-10-03 10:00"),
        )
        .expect("assign");
        split[0].1
    };
    assert!(assigned > 0);

    // The supervisor exports 张三's work package.
    let work = office.path().join("张三-2026Q4.spotcheck");
    let out = run(
        Some(&db),
        &[
            "package",
            "export",
            "--quarter",
            "2026Q4",
            "--inspector",
            "张三",
            "--out",
            path_str(&work),
        ],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert!(stdout(&out).contains("工作包已保存"), "{}", stdout(&out));
    assert!(work.is_file());

    // 张三's laptop opens it.
    let out = run(
        Some(&laptop_db),
        &["package", "import", path_str(&work), "--json"],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let opened = json(&out);
    assert_eq!(opened["inspector"], "张三", "{opened:#}");
    assert_eq!(opened["quarter"], "2026年第四季度");
    assert_eq!(opened["accounts"], assigned);
    assert_eq!(opened["already_opened"], false);
    let package_id = opened["package_id"].as_str().expect("package id");
    assert_eq!(package_id.len(), 32, "{package_id}");
    let again = run(
        Some(&laptop_db),
        &["package", "import", path_str(&work), "--json"],
    );
    assert!(again.status.success(), "stderr: {}", stderr(&again));
    assert_eq!(json(&again)["already_opened"], true);

    // 张三 checks the first account: P01 不符合.
    let (key, items) = {
        let mut store = Store::open(&laptop_db).expect("open laptop");
        assert_eq!(spotcheck::steps::actor(&store).expect("user"), "张三");
        let draw = store
            .current_draw("2026Q4".parse().expect("quarter"))
            .expect("read")
            .expect("draw");
        assert_eq!(draw.accounts.len(), assigned);
        let d = draw.accounts[0].clone();
        let items: Vec<String> = store
            .active_checklist()
            .expect("checklist")
            .applicable(&d.account.account.platform)
            .map(|i| i.id.clone())
            .collect();
        for item in &items {
            let mut f = Finding::new(item.clone());
            match item.as_str() {
                "V04" => {
                    f.last_update = chrono::NaiveDate::from_ymd_opt(2026, 11, 15);
                    f.checked_on = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
                }
                "P01" => {
                    f.answer = Some(Answer::Fail);
                    f.note = "备案信息未更新".to_owned();
                }
                _ => f.answer = Some(Answer::Pass),
            }
            spotcheck::steps::inspect::save_finding(
                &mut store,
                draw.info.id,
                d.account.id,
                &f,
                at("2026-11-20 10:00"),
            )
            .expect("save");
        }
        spotcheck::steps::inspect::finish_inspection(
            &mut store,
            draw.info.id,
            d.account.id,
            at("2026-11-20 10:00"),
        )
        .expect("finish");
        (d.account.account.key(), items.len())
    };

    let results = laptop.path().join("张三-2026Q4-结果.spotcheck");
    let out = run(
        Some(&laptop_db),
        &["package", "results", "--out", path_str(&results)],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert!(
        stdout(&out).contains("结果包已保存") && stdout(&out).contains("张三"),
        "{}",
        stdout(&out)
    );
    assert!(results.is_file());

    // The supervisor merges them.
    let out = run(
        Some(&db),
        &["package", "import", path_str(&results), "--json"],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let merged = json(&out);
    assert_eq!(merged["inspector"], "张三", "{merged:#}");
    assert_eq!(merged["added"], items);
    assert_eq!(merged["updated"], 0);
    assert_eq!(merged["unchanged"], 0);
    assert_eq!(merged["conflicts"], 0);
    assert_eq!(merged["finished"], 1);
    assert_eq!(merged["already_merged"], false);
    let backup = merged["backup"].as_str().expect("backup path");
    assert!(Path::new(backup).exists(), "{backup}");
    let out = run(
        Some(&db),
        &["package", "import", path_str(&results), "--json"],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(json(&out)["already_merged"], true);
    let out = run(Some(&db), &["package", "conflicts", "--json"]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert_eq!(json(&out), Value::Array(Vec::new()));
    {
        let store = Store::open(&db).expect("open");
        let draw = store
            .current_draw("2026Q4".parse().expect("quarter"))
            .expect("read")
            .expect("draw");
        let d = draw
            .accounts
            .iter()
            .find(|d| d.account.account.key() == key)
            .expect("account");
        let ins = store
            .inspection(draw.info.id, d.account.id)
            .expect("read")
            .expect("merged");
        assert_eq!(ins.status, InspectionStatus::Done);
        let p01 = ins.finding("P01").expect("P01");
        assert_eq!(p01.finding.answer, Some(Answer::Fail));
        assert_eq!(p01.finding.note, "备案信息未更新");
        assert_eq!(p01.updated_by, "张三");
    }

    // Errors: Chinese, exit 1.
    let junk = office.path().join("不是包.spotcheck");
    std::fs::write(&junk, "这不是工作包").expect("write");
    let out = run(Some(&db), &["package", "import", path_str(&junk), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("不是本软件的工作包或结果包") && !err.contains("panicked"),
        "{err}"
    );
    assert!(stdout(&out).trim().is_empty());
    let nowhere = office.path().join("结果.spotcheck");
    let out = run(
        Some(&db),
        &["package", "results", "--out", path_str(&nowhere)],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("没有打开过工作包"),
        "{}",
        stderr(&out)
    );
    assert!(!nowhere.exists());
}

/// `--user NAME` records a headless command's changes under that name, without changing
/// the 本机使用人 setting.
#[test]
fn user_names_the_operator_of_one_command() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let file = dir.path().join("名录.xlsx");
    write_roster(&file);
    let out = run(Some(&db), &["--user", "李四", "import", path_str(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = spotcheck::store::Store::open(&db).expect("open");
    let log = store.log_entries().expect("log");
    assert_eq!(log.last().expect("entry").actor, "李四");
    assert_eq!(
        store
            .setting(spotcheck::store::settings::USER_NAME)
            .expect("read"),
        None
    );
}

/// `spotcheck roster --json | head`: the reader goes away after a few bytes; the command ends
/// quietly (141, as a command whose pipe closed) with no panic or backtrace on stderr.
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let roster = dir.path().join("名录.xlsx");
    let made = run(
        None,
        &["demo", "--out", path_str(&roster), "--accounts", "2000"],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let imported = run(Some(&db), &["import", path_str(&roster)]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let mut child = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env_remove("SPOTCHECK_DB")
        .env("RUST_BACKTRACE", "1")
        .args(["--db", path_str(&db), "roster", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut head = [0u8; 100];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut head)
        .expect("the first bytes");
    // The pipe's reader is dropped here; the rest of the output has nowhere to go.
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

/// A checklist file over 1 MB is refused as too large (it used to be cut at 1 MB and then
/// called malformed), and the checklist in use stays.
#[test]
fn a_checklist_over_a_megabyte_is_refused_as_too_large() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let shown = run(Some(&db), &["checklist", "--json"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let mut text = stdout(&shown);
    // Still a valid checklist: only white space is added after it.
    text.push_str(&" ".repeat(1 << 20));
    let file = dir.path().join("本市检查表.json");
    std::fs::write(&file, text).expect("write");
    let loaded = run(Some(&db), &["checklist", "load", path_str(&file)]);
    assert!(!loaded.status.success());
    assert!(stderr(&loaded).contains("超过 1 MB"), "{}", stderr(&loaded));
    let after = run(Some(&db), &["checklist", "--json"]);
    assert_eq!(stdout(&after), stdout(&shown));
}

/// A second name for the same database file (a hard link), or the lock file deleted under a
/// running program: a second writer is still refused, because the file itself is locked.
#[cfg(unix)]
#[test]
fn a_hard_link_or_a_deleted_lock_file_makes_no_second_writer() {
    let dir = TempDir::new().expect("tempdir");
    let real = dir.path().join("real.db");
    let other = dir.path().join("另一个名字.db");
    let set_name =
        |db: &Path, name: &str| crate::support::run(db, &["settings", "--user-name", name]);
    assert!(set_name(&real, "甲").status.success());
    std::fs::hard_link(&real, &other).expect("hard link");
    let held = spotcheck::store::lock(&real, "窗口", at("2026-12-02 09:30")).expect("lock");
    let refused = |out: &std::process::Output, how: &str| {
        assert!(!out.status.success(), "a second writer {how}");
        assert!(
            stderr(out).contains("正被本软件的另一个窗口或命令使用"),
            "{how}: {}",
            stderr(out)
        );
    };
    refused(&set_name(&other, "乙"), "through a hard link");
    std::fs::remove_file(dir.path().join("real.db.lock")).expect("delete the lock file");
    refused(&set_name(&real, "乙"), "after the lock file was deleted");
    drop(held);
    assert!(set_name(&other, "乙").status.success());
    assert!(set_name(&real, "丙").status.success());
}

/// A pipe given as the database is refused before anything waits on it or writes to it.
#[cfg(unix)]
#[test]
fn a_pipe_as_the_database_is_refused() {
    let dir = TempDir::new().expect("tempdir");
    let fifo = dir.path().join("管道.db");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let out = crate::support::run(&fifo, &["settings", "--user-name", "甲"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("不是普通文件"), "{}", stderr(&out));
}

/// A database opened by another name through a symbolic link is the same file: a writer on
/// the link waits for (is refused by) the lock taken on the file, and writes the file, leaving
/// the link a link.
#[cfg(unix)]
#[test]
fn a_database_opened_through_a_link_shares_the_lock_of_its_file() {
    let dir = TempDir::new().expect("tempdir");
    let real = dir.path().join("real.db");
    let link = dir.path().join("link.db");
    let set_name =
        |db: &Path, name: &str| crate::support::run(db, &["settings", "--user-name", name]);
    assert!(set_name(&real, "甲").status.success());
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let held = spotcheck::store::lock(&real, "窗口", at("2026-12-02 09:30")).expect("lock");
    let out = set_name(&link, "乙");
    assert!(!out.status.success(), "a second writer through the link");
    assert!(
        stderr(&out).contains("正被本软件的另一个窗口或命令使用"),
        "{}",
        stderr(&out)
    );
    drop(held);
    assert!(set_name(&link, "乙").status.success());
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    let store = spotcheck::store::Store::open(&real).expect("open");
    assert_eq!(
        store
            .setting(spotcheck::store::settings::USER_NAME)
            .expect("read"),
        Some("乙".to_owned())
    );
}
