//! Integration tests of roster import: real files written into a temporary directory, read by
//! `roster::read_roster`, previewed and committed by `import`, stored by `store::Store`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::support::clock::{at, on};
use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use spotcheck::model::{Account, AccountStatus};
use spotcheck::roster::{ParsedRoster, RosterError, read_roster};
use spotcheck::sheet::SheetError;
use spotcheck::steps::roster_import::{self as import, ImportError, ImportPreview};
use spotcheck::store::Store;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One cell to write.
#[derive(Clone, Debug)]
enum V {
    /// Text (empty text writes nothing).
    T(&'static str),
    /// A plain number.
    N(f64),
    /// A real Excel date with a date format.
    D(NaiveDate),
}
use crate::support::has_cjk;
use V::{D, N, T};

fn write_cells(ws: &mut Worksheet, first_row: u32, rows: &[Vec<V>]) {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (i, row) in rows.iter().enumerate() {
        let r = first_row + u32::try_from(i).expect("few rows");
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).expect("few columns");
            match v {
                T("") => {}
                T(s) => {
                    ws.write_string(r, c, *s).expect("write string");
                }
                N(n) => {
                    ws.write_number(r, c, *n).expect("write number");
                }
                D(d) => {
                    ws.write_date_with_format(r, c, d, &date)
                        .expect("write date");
                }
            }
        }
    }
}

/// An xlsx with the given sheets, each filled from row 1 with plain strings ("" = blank cell).
fn simple_xlsx(path: &Path, sheets: &[(&str, &[&[&str]])]) {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    ws.write_string(
                        u32::try_from(r).expect("few rows"),
                        u16::try_from(c).expect("few columns"),
                        *text,
                    )
                    .expect("write string");
                }
            }
        }
    }
    book.save(path).expect("save xlsx");
}

/// The office-style roster (sheet 名录). Excel rows:
///  1 title (merged A1:L1)
///  2 填报单位 / 填报日期
///  3 序号 | 主办单位名称 | 账号信息 (C3:E3) | 地市 | 县（市、区） | 开通时间 | 粉丝量 | 运营状态 | 运维单位 | 负责人
///    (the single-level headers merged down over rows 3–4)
///  4 under 账号信息: 账号名称 | 平台类型 | 账号ID
///  5–7 三个账号 of 示例市教育局 (B5:B7 merged)
///  8 blank
///  9 卫生健康局, 10 公安局 (no id), 11 missing 主办单位, 12 民政局, 13 duplicate of row 9
/// 14 合计, 15 填表人：张三　联系电话：123
fn write_office_roster(path: &Path, merged_footer: bool) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("名录").expect("sheet name");
    let plain = Format::new();
    ws.merge_range(
        0,
        0,
        0,
        11,
        "示例市政务新媒体账号名录（2025年第一季度）",
        &plain,
    )
    .expect("merge title");
    ws.write_string(
        1,
        0,
        "填报单位：示例市人民政府办公室　　　填报日期：2025年1月5日",
    )
    .expect("write");
    for (c, h) in [
        (0u16, "序号"),
        (1, "主办单位名称"),
        (5, "地市"),
        (6, "县（市、区）"),
        (7, "开通时间"),
        (8, "粉丝量"),
        (9, "运营状态"),
        (10, "运维单位"),
        (11, "负责人"),
    ] {
        ws.merge_range(2, c, 3, c, h, &plain).expect("merge header");
    }
    ws.merge_range(2, 2, 2, 4, "账号信息", &plain)
        .expect("merge header");
    ws.write_string(3, 2, "账号名称").expect("write");
    ws.write_string(3, 3, "平台类型").expect("write");
    ws.write_string(3, 4, "账号ID").expect("write");

    // 主办单位 merged over the three accounts of rows 5–7.
    ws.merge_range(4, 1, 6, 1, "示例市教育局", &plain)
        .expect("merge unit");
    let c = "示例市";
    write_cells(
        ws,
        4,
        &[
            // row 5: real Excel date, 12,345 as text
            vec![
                N(1.0),
                T(""),
                T("示例教育"),
                T("微信"),
                T("gh_edu001"),
                T(c),
                T("东城区"),
                D(on("2019-03-05")),
                T("12,345"),
                T("正常"),
                T("示例文化传媒有限公司"),
                T("王五"),
            ],
            // row 6: full-width spaces around the name, id typed as a number, serial date, 1.2万
            vec![
                N(2.0),
                T(""),
                T("\u{3000}示例教育微博\u{3000}"),
                T("微博"),
                N(3_805_829_634.0),
                T(c),
                T("东城区"),
                N(43529.0),
                T("1.2万"),
                T("运营中"),
            ],
            // row 7: date as 2019年3月5日, fans blank
            vec![
                N(3.0),
                T(""),
                T("示例教育头条"),
                T("头条"),
                T("toutiao_edu"),
                T(c),
                T("东城区"),
                T("2019年3月5日"),
                T(""),
                T("停更"),
            ],
        ],
    );
    // row 8 left blank
    write_cells(
        ws,
        8,
        &[
            // row 9
            vec![
                N(4.0),
                T("示例市卫生健康局"),
                T("健康示例"),
                T("公众号"),
                T("gh_health"),
                T(c),
                T("西城区"),
                T("2019.3.5"),
                N(500.0),
                T("已注销"),
            ],
            // row 10: APP without id
            vec![
                N(5.0),
                T("示例市公安局"),
                T("平安示例"),
                T("APP"),
                T(""),
                T(c),
                T("南山区"),
                T("2019/03/05"),
            ],
            // row 11: 主办单位 missing
            vec![
                N(6.0),
                T(""),
                T("无主账号"),
                T("微信"),
                T("gh_orphan"),
                T(c),
                T("南山区"),
                T("2019-03-05"),
            ],
            // row 12: 20190305 as text
            vec![
                N(7.0),
                T("示例市民政局"),
                T("民政示例"),
                T("微信"),
                T("gh_civil"),
                T(c),
                T("北湖区"),
                T("20190305"),
            ],
            // row 13: the account of row 9 again (same platform, id in another case)
            vec![
                N(8.0),
                T("示例市卫生健康局"),
                T("健康示例"),
                T("微信公众号"),
                T("GH_Health"),
                T(c),
                T("西城区"),
                T("2019.3.5"),
            ],
        ],
    );
    // row 14: 合计 (merged over 序号 and 主办单位, as offices do), count under 账号名称
    ws.merge_range(13, 0, 13, 1, "合计", &plain)
        .expect("merge total");
    ws.write_string(13, 2, "7个").expect("write");
    // row 15: who filled the form
    let footer = "填表人：张三　　联系电话：123";
    if merged_footer {
        ws.merge_range(14, 0, 14, 11, footer, &plain)
            .expect("merge footer");
    } else {
        ws.write_string(14, 0, footer).expect("write");
    }
    book.save(path).expect("save xlsx");
}

fn read(path: &Path, sheet: Option<&str>) -> Result<ParsedRoster, RosterError> {
    read_roster(path, sheet, &mut |_| {}, &AtomicBool::new(false))
}

fn read_ok(path: &Path) -> ParsedRoster {
    read(path, None).unwrap_or_else(|e| panic!("{} should read: {e}", path.display()))
}

fn open_store(dir: &TempDir) -> Store {
    Store::open(&dir.path().join("t.db")).expect("open store")
}

fn preview_ok(store: &Store, path: &Path) -> ImportPreview {
    import::preview(store, path, None, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_or_else(|e| panic!("{} should preview: {e}", path.display()))
}

fn import_file(store: &mut Store, path: &Path, when: NaiveDateTime) -> import::ImportReport {
    let p = preview_ok(store, path);
    import::commit(store, &p, when).expect("commit")
}

fn account<'a>(parsed: &'a ParsedRoster, name: &str) -> &'a Account {
    &parsed
        .accounts
        .iter()
        .find(|a| a.account.name == name)
        .unwrap_or_else(|| panic!("account {name} not found"))
        .account
}

fn row_of(parsed: &ParsedRoster, name: &str) -> u32 {
    parsed
        .accounts
        .iter()
        .find(|a| a.account.name == name)
        .unwrap_or_else(|| panic!("account {name} not found"))
        .row
}

// ---------------------------------------------------------------------------------------------
// The office-style xlsx
// ---------------------------------------------------------------------------------------------

#[test]
fn office_roster_reads_every_account_with_clean_values() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("示例市名录.xlsx");
    write_office_roster(&path, false);
    let p = read_ok(&path);

    assert_eq!(p.sheet, "名录");
    assert_eq!(p.header_row, 4, "two-level header ends on Excel row 4");

    let names: Vec<(&str, u32)> = p
        .accounts
        .iter()
        .map(|a| (a.account.name.as_str(), a.row))
        .collect();
    assert_eq!(
        names,
        vec![
            ("示例教育", 5),
            ("示例教育微博", 6),
            ("示例教育头条", 7),
            ("健康示例", 9),
            ("平安示例", 10),
            ("民政示例", 12),
        ],
        "accounts and their Excel row numbers"
    );

    // 主办单位 merged over rows 5–7 belongs to all three.
    for name in ["示例教育", "示例教育微博", "示例教育头条"] {
        assert_eq!(account(&p, name).host_unit, "示例市教育局", "{name}");
    }
    assert_eq!(account(&p, "健康示例").host_unit, "示例市卫生健康局");

    // Every spelling of 2019-03-05.
    for a in &p.accounts {
        assert_eq!(
            a.account.opened_on,
            Some(on("2019-03-05")),
            "row {} ({})",
            a.row,
            a.account.name
        );
        assert_eq!(a.account.filed_on, None);
        assert_eq!(a.account.city, "示例市");
    }

    // Platforms normalised.
    let platforms: Vec<&str> = p
        .accounts
        .iter()
        .map(|a| a.account.platform.as_str())
        .collect();
    assert_eq!(
        platforms,
        vec![
            "微信公众号",
            "新浪微博",
            "今日头条",
            "微信公众号",
            "移动客户端",
            "微信公众号"
        ]
    );

    // Follower counts.
    assert_eq!(account(&p, "示例教育").fans, Some(12_345));
    assert_eq!(account(&p, "示例教育微博").fans, Some(12_000));
    assert_eq!(account(&p, "示例教育头条").fans, None);
    assert_eq!(account(&p, "健康示例").fans, Some(500));

    // Ids.
    assert_eq!(account(&p, "示例教育").account_id, "gh_edu001");
    assert_eq!(account(&p, "示例教育微博").account_id, "3805829634");
    assert_eq!(account(&p, "平安示例").account_id, "");

    // County from 县（市、区）, status, operator.
    assert_eq!(account(&p, "示例教育").county, "东城区");
    assert_eq!(account(&p, "平安示例").county, "南山区");
    assert_eq!(account(&p, "示例教育").status, AccountStatus::Normal);
    assert_eq!(account(&p, "示例教育微博").status, AccountStatus::Normal);
    assert_eq!(account(&p, "示例教育头条").status, AccountStatus::Stopped);
    assert_eq!(account(&p, "健康示例").status, AccountStatus::Deregistered);
    assert_eq!(account(&p, "示例教育").operator, "示例文化传媒有限公司");
    assert_eq!(account(&p, "示例教育微博").operator, "");

    // The unknown column 负责人 is kept as an extra.
    assert_eq!(
        account(&p, "示例教育").extra,
        vec![("负责人".to_owned(), "王五".to_owned())]
    );
    assert!(account(&p, "示例教育微博").extra.is_empty());

    // Row problems.
    assert_eq!(p.errors.len(), 1, "errors: {:?}", p.errors);
    assert_eq!(p.errors[0].row, 11);
    assert_eq!(p.errors[0].field, "主办单位名称");
    assert!(
        p.errors[0].message.contains("主办单位"),
        "{}",
        p.errors[0].message
    );
    assert!(p.warnings.is_empty(), "warnings: {:?}", p.warnings);
    assert_eq!(p.duplicates.len(), 1, "duplicates: {:?}", p.duplicates);
    assert_eq!(p.duplicates[0].row, 13);
    assert_eq!(p.duplicates[0].first_row, 9);
    assert_eq!(p.duplicates[0].name, "健康示例");
    assert_eq!(p.skipped_blank, 1, "row 8");
    assert_eq!(p.skipped_notes, 2, "合计 and 填表人 lines");
    assert!(p.has_problems());
}

#[test]
fn office_roster_imports_once_per_account() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("名录.xlsx");
    write_office_roster(&path, false);
    let mut store = open_store(&dir);
    let report = import_file(&mut store, &path, at("2025-01-05 10:00"));
    assert_eq!(report.imported, 6);
    assert_eq!(report.added, 6);
    assert!(report.written);
    assert_eq!(store.account_count().expect("count"), 6);

    let stored = store.accounts().expect("accounts");
    let health: Vec<_> = stored
        .iter()
        .filter(|a| a.account.name == "健康示例")
        .collect();
    assert_eq!(health.len(), 1, "the duplicate row is imported once");
    assert_eq!(health[0].account.account_id, "gh_health", "first row wins");
    // What is stored is what was read, field for field.
    let parsed = read_ok(&path);
    let from_db: Vec<Account> = stored.into_iter().map(|a| a.account).collect();
    let from_file: Vec<Account> = parsed.accounts.into_iter().map(|a| a.account).collect();
    assert_eq!(from_db, from_file);
}

#[test]
fn footer_merged_across_the_table_is_a_note_not_an_account() {
    // Offices often merge the 填表人/联系电话 line across the whole table width.
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("名录.xlsx");
    write_office_roster(&path, true);
    let p = read_ok(&path);
    let names: Vec<&str> = p.accounts.iter().map(|a| a.account.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "示例教育",
            "示例教育微博",
            "示例教育头条",
            "健康示例",
            "平安示例",
            "民政示例"
        ],
        "the merged footer must not become an account"
    );
    assert_eq!(p.skipped_notes, 2);
}

// ---------------------------------------------------------------------------------------------
// Sheet choice
// ---------------------------------------------------------------------------------------------

const ROSTER_ROWS: &[&[&str]] = &[
    &["示例市政务新媒体账号名录"],
    &["序号", "主办单位", "账号名称", "平台", "账号ID"],
    &["1", "示例市教育局", "示例教育", "微信公众号", "gh_edu001"],
    &["2", "示例市公安局", "平安示例", "新浪微博", "1000000001"],
];

fn two_sheet_book(path: &Path) {
    simple_xlsx(
        path,
        &[
            (
                "说明",
                &[
                    &["填表说明"],
                    &["一、请各单位如实填写本单位开设的全部政务新媒体账号。"],
                    &["二、平台类型请填写微信公众号、新浪微博、抖音等，账号名称与平台显示一致。"],
                    &["三、主办单位请填写全称，不要使用简称。"],
                    &["四、本表于每季度末报送。"],
                ],
            ),
            ("名录", ROSTER_ROWS),
        ],
    );
}

#[test]
fn roster_on_second_sheet_is_found_automatically() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("two.xlsx");
    two_sheet_book(&path);
    let p = read_ok(&path);
    assert_eq!(p.sheet, "名录");
    assert_eq!(p.header_row, 2);
    let rows: Vec<(u32, &str)> = p
        .accounts
        .iter()
        .map(|a| (a.row, a.account.name.as_str()))
        .collect();
    assert_eq!(rows, vec![(3, "示例教育"), (4, "平安示例")]);
}

#[test]
fn sheet_picked_by_name() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("two.xlsx");
    two_sheet_book(&path);
    let p = read(&path, Some("名录")).expect("read 名录");
    assert_eq!(p.sheet, "名录");
    assert_eq!(p.accounts.len(), 2);
    assert_eq!(p.accounts[1].account.account_id, "1000000001");
    // The prose sheet, asked for by name, has no header.
    assert!(
        matches!(read(&path, Some("说明")), Err(RosterError::NoHeader { .. })),
        "说明 sheet has no roster header"
    );
}

#[test]
fn wrong_sheet_name_is_no_such_sheet() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("two.xlsx");
    two_sheet_book(&path);
    let err = read(&path, Some("Sheet3")).expect_err("no such sheet");
    match &err {
        RosterError::NoSuchSheet {
            sheet, available, ..
        } => {
            assert_eq!(sheet, "Sheet3");
            assert_eq!(available, "说明、名录");
        }
        other => panic!("expected NoSuchSheet, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("工作表") && msg.contains("Sheet3") && msg.contains("名录"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

const CSV_TEXT: &str = "示例市政务新媒体账号名录\n\
序号,主办单位,账号名称,平台,账号ID,开设时间,粉丝数\n\
1,示例市教育局,示例教育,微信,gh_edu001,2019-03-05,\"12,345\"\n\
2,示例市公安局,平安示例,微博,3805829634,2019年3月5日,1.2万\n\
3,示例市民政局,民政示例,头条,,20190305,\n";

fn expected_csv_accounts() -> Vec<(u32, Account)> {
    let acc = |platform: &str, id: &str, name: &str, unit: &str, fans: Option<i64>| Account {
        platform: platform.to_owned(),
        account_id: id.to_owned(),
        name: name.to_owned(),
        host_unit: unit.to_owned(),
        city: String::new(),
        county: String::new(),
        opened_on: Some(on("2019-03-05")),
        filed_on: None,
        status: AccountStatus::Normal,
        fans,
        operator: String::new(),
        extra: Vec::new(),
    };
    vec![
        (
            3,
            acc(
                "微信公众号",
                "gh_edu001",
                "示例教育",
                "示例市教育局",
                Some(12_345),
            ),
        ),
        (
            4,
            acc(
                "新浪微博",
                "3805829634",
                "平安示例",
                "示例市公安局",
                Some(12_000),
            ),
        ),
        (5, acc("今日头条", "", "民政示例", "示例市民政局", None)),
    ]
}

fn accounts_with_rows(p: &ParsedRoster) -> Vec<(u32, Account)> {
    p.accounts
        .iter()
        .map(|a| (a.row, a.account.clone()))
        .collect()
}

#[test]
fn csv_in_utf8_bom_gb18030_and_tabs_give_the_same_accounts() {
    let dir = TempDir::new().expect("tempdir");
    let utf8 = dir.path().join("utf8.csv");
    std::fs::write(&utf8, CSV_TEXT).expect("write");
    let bom = dir.path().join("bom.csv");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(CSV_TEXT.as_bytes());
    std::fs::write(&bom, &bytes).expect("write");
    let gb = dir.path().join("gb18030.csv");
    let (encoded, _, unmappable) = encoding_rs::GB18030.encode(CSV_TEXT);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&encoded).is_err(),
        "the GB18030 file must not also be valid UTF-8"
    );
    std::fs::write(&gb, &encoded).expect("write");
    let tsv = dir.path().join("tabs.txt");
    let tab_text = "示例市政务新媒体账号名录\n\
序号\t主办单位\t账号名称\t平台\t账号ID\t开设时间\t粉丝数\n\
1\t示例市教育局\t示例教育\t微信\tgh_edu001\t2019-03-05\t12,345\n\
2\t示例市公安局\t平安示例\t微博\t3805829634\t2019年3月5日\t1.2万\n\
3\t示例市民政局\t民政示例\t头条\t\t20190305\t\n";
    std::fs::write(&tsv, tab_text).expect("write");

    let expected = expected_csv_accounts();
    for path in [&utf8, &bom, &gb, &tsv] {
        let p = read_ok(path);
        assert_eq!(p.sheet, "", "{}", path.display());
        assert_eq!(p.header_row, 2, "{}", path.display());
        assert_eq!(accounts_with_rows(&p), expected, "{}", path.display());
        assert!(!p.has_problems(), "{}: {:?}", path.display(), p.warnings);
    }
}

#[test]
fn csv_with_windows_line_endings_gives_the_same_accounts() {
    // Excel's "CSV" on Chinese Windows writes GBK with CRLF line endings. Checked with and
    // without the title line above the header; all outcomes are collected, then asserted.
    let dir = TempDir::new().expect("tempdir");
    let without_title = CSV_TEXT.split_once('\n').expect("title line").1;
    let mut failures = Vec::new();
    for (label, text, shift) in [
        ("with title", CSV_TEXT, 0u32),
        ("no title", without_title, 1),
    ] {
        let crlf_text = text.replace('\n', "\r\n");
        let (gb_bytes, _, unmappable) = encoding_rs::GB18030.encode(&crlf_text);
        assert!(!unmappable);
        for (encoding, bytes) in [("utf8", crlf_text.as_bytes()), ("gb18030", &gb_bytes[..])] {
            let path = dir.path().join(format!("{label}-{encoding}.csv"));
            std::fs::write(&path, bytes).expect("write");
            let p = read_ok(&path);
            let expected: Vec<(u32, Account)> = expected_csv_accounts()
                .into_iter()
                .map(|(row, a)| (row - shift, a))
                .collect();
            let got = accounts_with_rows(&p);
            if got != expected || p.header_row != 2 - shift {
                failures.push(format!(
                    "CRLF {label} {encoding}: header_row {} (want {}), accounts (row, name) {:?} (want {:?})",
                    p.header_row,
                    2 - shift,
                    got.iter().map(|(r, a)| (*r, a.name.clone())).collect::<Vec<_>>(),
                    expected.iter().map(|(r, a)| (*r, a.name.clone())).collect::<Vec<_>>(),
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn csv_row_numbers_count_blank_lines() {
    // Row numbers must be the line numbers a text editor shows, blank lines included.
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("blank.csv");
    let text = "主办单位,账号名称,平台\n\
示例市教育局,示例教育,微信\n\
\n\
示例市公安局,平安示例,微博\n\
,,\n\
,无主账号,抖音\n";
    std::fs::write(&path, text).expect("write");
    let p = read_ok(&path);
    assert_eq!(p.header_row, 1);
    assert_eq!(row_of(&p, "示例教育"), 2);
    assert_eq!(row_of(&p, "平安示例"), 4, "line 3 is blank");
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].row, 6, "line 5 holds only commas");
    assert_eq!(p.skipped_blank, 2);
}

// ---------------------------------------------------------------------------------------------
// Files that cannot be read: a specific error, the database untouched
// ---------------------------------------------------------------------------------------------

/// A store holding two accounts, and the count it holds.
fn seeded_store(dir: &TempDir) -> (Store, i64) {
    let seed = dir.path().join("seed.xlsx");
    simple_xlsx(&seed, &[("名录", ROSTER_ROWS)]);
    let mut store = open_store(dir);
    import_file(&mut store, &seed, at("2025-01-01 10:00"));
    let n = store.account_count().expect("count");
    assert_eq!(n, 2);
    (store, n)
}

/// Previews (and would commit) `path`; returns the roster error. Checks the store is untouched
/// and the message is Chinese and names the file.
fn rejected(store: &mut Store, before: i64, path: &Path) -> RosterError {
    let err = match import::preview(store, path, None, &mut |_| {}, &AtomicBool::new(false)) {
        Ok(p) => {
            let _ = import::commit(store, &p, at("2025-01-02 10:00"));
            panic!("{} should be rejected", path.display());
        }
        Err(ImportError::Roster(e)) => e,
        Err(other) => panic!("{}: expected a roster error, got {other:?}", path.display()),
    };
    assert_eq!(
        store.account_count().expect("count"),
        before,
        "database changed after rejecting {}",
        path.display()
    );
    let msg = err.to_string();
    assert!(has_cjk(&msg), "message not Chinese: {msg}");
    let file = path.file_name().expect("name").to_string_lossy();
    assert!(
        msg.contains(file.as_ref()),
        "message does not name {file}: {msg}"
    );
    err
}

#[test]
fn empty_file_is_empty() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let path = dir.path().join("empty.xlsx");
    std::fs::write(&path, b"").expect("write");
    let err = rejected(&mut store, n, &path);
    assert!(
        matches!(err, RosterError::Read(SheetError::Empty { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("文件是空的"), "{err}");
}

#[test]
fn random_bytes_named_xlsx_are_not_a_spreadsheet() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let path = dir.path().join("random.xlsx");
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let mut bytes: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[3]
        })
        .collect();
    bytes[0] = 0x17; // neither "PK" nor the OLE signature
    std::fs::write(&path, &bytes).expect("write");
    let err = rejected(&mut store, n, &path);
    assert!(
        matches!(err, RosterError::Read(SheetError::NotASpreadsheet { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("表格"), "{err}");
}

#[test]
fn truncated_xlsx_is_damaged() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let full = dir.path().join("full.xlsx");
    write_office_roster(&full, false);
    let bytes = std::fs::read(&full).expect("read");
    let path = dir.path().join("half.xlsx");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    let err = rejected(&mut store, n, &path);
    assert!(
        matches!(err, RosterError::Read(SheetError::Damaged { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("表格文件已损坏"), "{err}");
}

#[test]
fn password_protected_xlsx_is_encrypted() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let path = dir.path().join("secret.xlsx");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    bytes.resize(4096, 0);
    std::fs::write(&path, &bytes).expect("write");
    let err = rejected(&mut store, n, &path);
    assert!(
        matches!(err, RosterError::Read(SheetError::Encrypted { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("密码"), "{err}");
}

#[test]
fn header_without_rows_is_no_rows() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let path = dir.path().join("header-only.xlsx");
    simple_xlsx(
        &path,
        &[(
            "名录",
            &[
                &["示例市政务新媒体账号名录"],
                &["序号", "主办单位", "账号名称", "平台", "账号ID"],
            ],
        )],
    );
    let err = rejected(&mut store, n, &path);
    match &err {
        RosterError::NoRows { row, .. } => assert_eq!(*row, 2),
        other => panic!("expected NoRows, got {other:?}"),
    }
    assert!(err.to_string().contains("第 2 行"), "{err}");
}

#[test]
fn unrecognisable_columns_are_no_header() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let path = dir.path().join("people.xlsx");
    simple_xlsx(
        &path,
        &[(
            "Sheet1",
            &[&["姓名", "年龄"], &["张三", "30"], &["李四", "35"]],
        )],
    );
    let err = rejected(&mut store, n, &path);
    assert!(matches!(err, RosterError::NoHeader { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("主办单位"), "{msg}");
    assert!(
        msg.contains("姓名"),
        "the message should show the columns the sheet has (姓名、年龄): {msg}"
    );
}

#[test]
fn header_without_platform_is_missing_columns() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let path = dir.path().join("no-platform.xlsx");
    simple_xlsx(
        &path,
        &[(
            "名录",
            &[
                &["主办单位", "账号名称", "账号ID", "开设时间"],
                &["示例市教育局", "示例教育", "gh_edu001", "2019-03-05"],
            ],
        )],
    );
    let err = rejected(&mut store, n, &path);
    match &err {
        RosterError::MissingColumns(m) => {
            let spotcheck::roster::MissingColumns {
                missing,
                sheet,
                row,
                found,
                ..
            } = &**m;
            assert_eq!(missing, "平台");
            assert_eq!(sheet, "名录");
            assert_eq!(*row, 1);
            assert!(found.contains("账号ID"), "{found}");
        }
        other => panic!("expected MissingColumns, got {other:?}"),
    }
    assert!(err.to_string().contains("缺少必需的列：平台"), "{err}");
}

#[test]
fn decompression_bomb_is_refused_quickly() {
    let dir = TempDir::new().expect("tempdir");
    let (mut store, n) = seeded_store(&dir);
    let path = dir.path().join("bomb.xlsx");
    {
        let file = std::fs::File::create(&path).expect("create");
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("start entry");
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..300 {
            zip.write_all(&zeros).expect("write zeros");
        }
        zip.finish().expect("finish zip");
    }
    let size = std::fs::metadata(&path).expect("metadata").len();
    assert!(size < 1024 * 1024, "bomb is {size} bytes on disk");

    let started = Instant::now();
    let err = rejected(&mut store, n, &path);
    let elapsed = started.elapsed();
    assert!(
        matches!(err, RosterError::Read(SheetError::Bomb { .. })),
        "{err:?}"
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert!(err.to_string().contains("解压后过大"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Re-import and history
// ---------------------------------------------------------------------------------------------

const HEADER: &[&str] = &["主办单位", "账号名称", "平台", "账号ID", "粉丝数"];

#[test]
fn reimport_updates_adds_and_unlists_but_never_deletes() {
    let dir = TempDir::new().expect("tempdir");
    let mut store = open_store(&dir);
    let a = dir.path().join("A.xlsx");
    simple_xlsx(
        &a,
        &[(
            "名录",
            &[
                HEADER,
                &["示例市教育局", "示例教育", "微信公众号", "gh_a1", "100"],
                &["示例市公安局", "平安示例", "新浪微博", "1000000001", "200"],
                &["示例市民政局", "民政示例", "抖音", "", "300"],
            ],
        )],
    );
    let b = dir.path().join("B.xlsx");
    simple_xlsx(
        &b,
        &[(
            "名录",
            &[
                HEADER,
                // renamed (same platform + id)
                &["示例市教育局", "示例教育发布", "微信公众号", "gh_a1", "100"],
                // the id-less account, same platform + name + unit
                &["示例市民政局", "民政示例", "抖音", "", "300"],
                // new
                &["示例市司法局", "司法示例", "快手", "ks_4", "400"],
            ],
        )],
    );

    let ra = import_file(&mut store, &a, at("2025-01-01 10:00"));
    assert_eq!(
        (ra.added, ra.updated, ra.unchanged, ra.unlisted),
        (3, 0, 0, 0)
    );
    let ids: std::collections::HashMap<String, i64> = store
        .accounts()
        .expect("accounts")
        .into_iter()
        .map(|s| (s.account.name.clone(), s.id))
        .collect();
    let (edu, police, civil) = (ids["示例教育"], ids["平安示例"], ids["民政示例"]);

    // The preview says what the commit does.
    let pb = preview_ok(&store, &b);
    assert_eq!(
        (
            pb.counts.added,
            pb.counts.updated,
            pb.counts.unchanged,
            pb.counts.unlisted
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        store.account_count().expect("count"),
        3,
        "preview writes nothing"
    );
    let rb = import::commit(&mut store, &pb, at("2025-01-02 10:00")).expect("commit B");
    assert_eq!(
        (rb.added, rb.updated, rb.unchanged, rb.unlisted),
        (1, 1, 1, 1)
    );
    assert_eq!(rb.imported, 3);

    let all = store.accounts().expect("accounts");
    assert_eq!(all.len(), 4, "nothing deleted");
    let by_id = |id: i64| all.iter().find(|s| s.id == id).expect("account by id");
    assert_eq!(by_id(edu).account.name, "示例教育发布");
    assert!(by_id(edu).listed);
    assert!(
        !by_id(police).listed,
        "missing account kept, marked unlisted"
    );
    assert_eq!(by_id(police).account.name, "平安示例");
    assert!(by_id(civil).listed);
    let new = all
        .iter()
        .find(|s| s.account.name == "司法示例")
        .expect("new account");
    assert!(new.listed);
    assert_eq!(new.account.account_id, "ks_4");

    let history = store.account_history(edu).expect("history");
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].kind.label(), "首次导入");
    assert_eq!(history[0].file_name, "A.xlsx");
    assert_eq!(history[0].at, at("2025-01-01 10:00"));
    assert!(history[0].before.is_none());
    assert_eq!(history[1].kind.label(), "信息更新");
    assert_eq!(history[1].file_name, "B.xlsx");
    assert_eq!(history[1].at, at("2025-01-02 10:00"));
    let before = history[1].before.as_ref().expect("before");
    assert_eq!(before.name, "示例教育");
    assert_eq!(before.account_id, "gh_a1");

    let police_history = store.account_history(police).expect("history");
    assert_eq!(
        police_history
            .iter()
            .map(|c| c.kind.label())
            .collect::<Vec<_>>(),
        vec!["首次导入", "已移出名录"]
    );

    // The same file again changes nothing.
    let rb2 = import_file(&mut store, &b, at("2025-01-03 10:00"));
    assert_eq!(
        (rb2.added, rb2.updated, rb2.unchanged, rb2.unlisted),
        (0, 0, 3, 0)
    );
    assert_eq!(store.account_count().expect("count"), 4);
    assert_eq!(store.account_history(edu).expect("history").len(), 2);

    // A again: 平安示例 comes back, 示例教育 is renamed back, 司法示例 drops out.
    let ra2 = import_file(&mut store, &a, at("2025-01-04 10:00"));
    assert_eq!(
        (ra2.added, ra2.updated, ra2.unchanged, ra2.unlisted),
        (0, 2, 1, 1)
    );
    let all = store.accounts().expect("accounts");
    assert_eq!(all.len(), 4);
    let police_now = all.iter().find(|s| s.id == police).expect("police");
    assert!(police_now.listed, "re-appearing account is listed again");
    let police_history = store.account_history(police).expect("history");
    assert_eq!(
        police_history
            .iter()
            .map(|c| c.kind.label())
            .collect::<Vec<_>>(),
        vec!["首次导入", "已移出名录", "重新列入名录"]
    );
    assert!(
        !all.iter()
            .find(|s| s.account.name == "司法示例")
            .expect("kept")
            .listed
    );
    assert_eq!(
        all.iter().find(|s| s.id == edu).expect("edu").account.name,
        "示例教育"
    );
}

// ---------------------------------------------------------------------------------------------
// Problems and the report
// ---------------------------------------------------------------------------------------------

#[test]
fn report_summarises_problem_rows() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("名录.xlsx");
    write_office_roster(&path, false);
    let store = open_store(&dir);
    let preview = preview_ok(&store, &path);
    assert!(preview.parsed.has_problems());
    assert_eq!(preview.file_name, "名录.xlsx");
    assert_eq!(preview.parsed.file_sha256.len(), 64);

    let report = preview.report(false);
    assert!(!report.written);
    assert_eq!(report.file, "名录.xlsx");
    assert_eq!(report.sheet, "名录");
    assert_eq!(report.header_row, 4);
    assert_eq!(report.imported, 6);
    assert_eq!(report.added, 6);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.duplicates.len(), 1);
    assert_eq!(report.skipped_blank, 1);
    assert_eq!(report.skipped_notes, 2);
    let s = report.summary();
    assert!(s.starts_with("可导入 6 个账号"), "{s}");
    assert!(s.contains("1 行有错误未导入（第 11 行）"), "{s}");
    assert!(s.contains("1 行与前面的行重复"), "{s}");
    assert_eq!(
        store.account_count().expect("count"),
        0,
        "preview wrote nothing"
    );

    // A clean file has no problems and its summary mentions none.
    let clean = dir.path().join("clean.xlsx");
    simple_xlsx(&clean, &[("名录", ROSTER_ROWS)]);
    let p = preview_ok(&store, &clean);
    assert!(!p.parsed.has_problems());
    let s = p.report(false).summary();
    assert_eq!(
        s,
        "可导入 2 个账号（新增 2，更新 0，无变化 0）；读取的是工作表“名录”"
    );
}

#[test]
fn summary_lists_several_error_rows() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("errors.xlsx");
    simple_xlsx(
        &path,
        &[(
            "名录",
            &[
                &["标题"],
                HEADER,
                &["示例市教育局", "示例教育", "微信公众号", "gh_1", ""],
                &["", "缺单位", "微信公众号", "gh_2", ""],
                &["示例市公安局", "", "新浪微博", "3", ""],
                &["示例市民政局", "缺平台", "", "4", ""],
                &["示例市司法局", "司法示例", "快手", "ks_5", "很多"],
            ],
        )],
    );
    let store = open_store(&dir);
    let p = preview_ok(&store, &path);
    let rows: Vec<(u32, &str)> = p
        .parsed
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(rows, vec![(4, "主办单位"), (5, "账号名称"), (6, "平台")]);
    assert_eq!(p.parsed.warnings.len(), 1, "{:?}", p.parsed.warnings);
    assert_eq!(p.parsed.warnings[0].row, 7);
    assert_eq!(p.parsed.warnings[0].field, "粉丝数");
    assert_eq!(p.parsed.warnings[0].value, "很多");
    let s = p.report(false).summary();
    assert!(s.contains("3 行有错误未导入（第 4、5、6 行）"), "{s}");
    assert!(s.contains("1 处内容无法识别"), "{s}");
}

// ---------------------------------------------------------------------------------------------
// A large generated roster
// ---------------------------------------------------------------------------------------------

#[test]
fn twenty_thousand_generated_accounts_all_import() {
    const N: usize = 20_000;
    let dir = TempDir::new().expect("tempdir");
    let path: PathBuf = dir.path().join("demo.xlsx");
    let generated = spotcheck::steps::demo::accounts(N, 42);
    spotcheck::steps::demo::write_roster_xlsx(&generated, &path).expect("write demo roster");
    let mut store = open_store(&dir);
    let report = import_file(&mut store, &path, at("2025-01-01 10:00"));
    assert_eq!(usize::try_from(report.imported).expect("u32"), N);
    assert_eq!(usize::try_from(report.added).expect("u32"), N);
    assert!(
        report.errors.is_empty(),
        "{:?}",
        &report.errors[..report.errors.len().min(5)]
    );
    assert!(
        report.warnings.is_empty(),
        "{:?}",
        &report.warnings[..report.warnings.len().min(5)]
    );
    assert!(report.duplicates.is_empty());
    assert_eq!(report.header_row, 3);
    assert_eq!(
        store.account_count().expect("count"),
        i64::try_from(N).expect("small")
    );

    let stored = store.accounts().expect("accounts");
    for i in [0, 1, N / 2, N - 1] {
        let want = &generated[i];
        let got = &stored[i].account;
        assert_eq!(got.name, want.name, "#{i}");
        assert_eq!(got.platform, want.platform, "#{i}");
        assert_eq!(got.account_id, want.account_id, "#{i}");
        assert_eq!(got.host_unit, want.host_unit, "#{i}");
        assert_eq!(got.county, want.county, "#{i}");
        assert_eq!(got.opened_on, want.opened_on, "#{i}");
        assert_eq!(got.status, want.status, "#{i}");
        assert_eq!(got.fans, want.fans, "#{i}");
        assert_eq!(got.operator, want.operator, "#{i}");
    }
}

/// A 微信公众号's type (订阅号, 服务号), whether the roster gives it in a column of its own or
/// in the platform column, is kept with the account; the account stays 微信公众号, the same
/// account (and key) as in a roster that does not say.
#[test]
fn wechat_account_types_are_kept_from_either_column() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("名录.csv");
    std::fs::write(
        &path,
        "主办单位,账号名称,平台,微信号,公众号类型\n\
         示例市教育局,示例教育,微信公众号,sl_jy,服务号\n\
         示例市卫健局,示例健康,微信订阅号,sl_wj,\n\
         示例市公安局,示例平安,公众号,sl_ga,\n\
         示例市民政局,示例民政,抖音,sl_mz_dy,订阅号\n",
    )
    .expect("write");
    let parsed = read_ok(&path);
    let types: Vec<(&str, &str, Option<&str>)> = parsed
        .accounts
        .iter()
        .map(|a| {
            (
                a.account.name.as_str(),
                a.account.platform.as_str(),
                a.account.wechat_type(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("示例教育", "微信公众号", Some("服务号")),
            ("示例健康", "微信公众号", Some("订阅号")),
            ("示例平安", "微信公众号", None),
            ("示例民政", "抖音", None),
        ]
    );
    assert_eq!(
        account(&parsed, "示例健康").key(),
        spotcheck::model::account_key("微信公众号", "sl_wj", "", ""),
    );
    assert_eq!(
        spotcheck::model::platform_of(account(&parsed, "示例教育")),
        "微信公众号（服务号）"
    );
}
