//! Rosters as a damaged USB stick, a careless export or the wrong file would hand them over:
//! an xlsx with one flipped bit is refused or read exactly as the clean file, never
//! differently; a CSV quote left open is named by its line instead of swallowing the rows
//! after it; a file with no valid row, or one that would take most accounts off the roster,
//! changes nothing unless confirmed; formats people pick by mistake are named; a file of
//! nothing but commas is refused before it fills the memory.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use crate::support::clock::at;
use crate::support::{path_str, run, stderr};
use spotcheck::model::Account;
use spotcheck::roster::{RosterError, read_roster};
use spotcheck::sheet::SheetError;
use spotcheck::steps::roster_import::{self as import, ImportError};
use spotcheck::store::Store;
use tempfile::TempDir;

fn read(path: &Path) -> Result<Vec<(u32, Account)>, RosterError> {
    let cancel = AtomicBool::new(false);
    read_roster(path, None, &mut |_| {}, &cancel)
        .map(|p| p.accounts.into_iter().map(|s| (s.row, s.account)).collect())
}

#[test]
fn an_xlsx_with_one_flipped_bit_is_refused_or_read_exactly_as_the_clean_one() {
    let dir = TempDir::new().expect("tempdir");
    let clean = dir.path().join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(80, 3), &clean)
        .expect("roster");
    let expected = read(&clean).expect("the clean file reads");
    let bytes = std::fs::read(&clean).expect("read");
    let copy = dir.path().join("损坏.xlsx");
    let (mut refused, mut same) = (0, 0);
    let positions = 320;
    for n in 0..positions {
        // Spread over the whole file, each at another bit of its byte.
        let at = (n * 7919) % bytes.len();
        let mut damaged = bytes.clone();
        damaged[at] ^= 1 << (n % 8);
        std::fs::write(&copy, &damaged).expect("write");
        match read(&copy) {
            Err(e) => {
                refused += 1;
                let text = e.to_string();
                assert!(
                    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "byte {at}: {text}"
                );
            }
            Ok(accounts) => {
                assert!(
                    accounts == expected,
                    "byte {at} bit {}: read differently from the clean file",
                    n % 8
                );
                same += 1;
            }
        }
    }
    assert_eq!(refused + same, positions);
    assert!(
        refused > positions / 2,
        "most flips land in compressed data: {refused}"
    );
}

#[test]
fn a_csv_quote_left_open_is_named_by_its_line_and_nothing_is_imported() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("名录.csv");
    let mut text = String::from("主办单位,账号名称,平台,账号ID\n");
    for i in 1..=40 {
        if i == 12 {
            text.push_str("示例市民政局,\"民政示例,微信公众号,gh_12\n");
        } else {
            let _ = writeln!(text, "示例市单位{i},账号{i},微信公众号,gh_{i}");
        }
    }
    text.push_str("示例市末尾,\"补充\",抖音,dy_1\n");
    std::fs::write(&path, text).expect("write");
    let err = read(&path).expect_err("refused");
    assert!(
        matches!(
            err,
            RosterError::Read(SheetError::CsvQuote { line: 13, .. })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("第 13 行的引号没有配对"), "{err}");
}

#[test]
fn a_file_with_no_valid_row_changes_nothing() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let roster = dir.path().join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(30, 3), &roster)
        .expect("roster");
    assert!(run(&db, &["import", path_str(&roster)]).status.success());
    let bad = dir.path().join("空名录.csv");
    std::fs::write(
        &bad,
        "主办单位,账号名称,平台\n,账号一,微信\n示例局,,微博\n示例局,账号三,\n",
    )
    .expect("write");
    let out = run(&db, &["import", path_str(&bad)]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("都不能作为账号导入") && err.contains("名录没有改动"),
        "{err}"
    );
    let store = Store::open(&db).expect("open");
    assert!(
        store.accounts().expect("accounts").iter().all(|a| a.listed),
        "nothing was taken off the roster"
    );
}

#[test]
fn a_roster_that_would_unlist_many_accounts_needs_confirming() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let all = spotcheck::steps::demo::accounts(100, 3);
    let full = dir.path().join("全部.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&all, &full).expect("roster");
    assert!(run(&db, &["import", path_str(&full)]).status.success());
    // Half the file: half the accounts would leave the roster.
    let half = dir.path().join("一半.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&all[..50], &half).expect("roster");
    let out = run(&db, &["import", path_str(&half)]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("被标为“已移出名录”") && err.contains("--allow-shrink"),
        "{err}"
    );
    {
        let store = Store::open(&db).expect("open");
        assert!(store.accounts().expect("accounts").iter().all(|a| a.listed));
        // The preview says so before anything is asked.
        let cancel = AtomicBool::new(false);
        let preview = import::preview(&store, &half, None, &mut |_| {}, &cancel).expect("read");
        let shrink = preview.report(false).shrink.expect("flagged");
        assert_eq!((shrink.unlisted, shrink.listed), (50, 100));
        assert_eq!(shrink.examples.len(), 5);
        let mut store = store;
        let err = import::commit(&mut store, &preview, at("2026-11-25 09:00"))
            .expect_err("not confirmed");
        assert!(matches!(err, ImportError::Shrink(_)), "{err:?}");
    }
    let out = run(&db, &["import", path_str(&half), "--allow-shrink"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = Store::open(&db).expect("open");
    assert_eq!(
        store
            .accounts()
            .expect("accounts")
            .iter()
            .filter(|a| !a.listed)
            .count(),
        50
    );
}

/// A zip holding `entries` (name, bytes), as other programs write their documents.
fn zip_of(path: &Path, entries: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

/// A file's name, how to write it, and what the error must say.
type Case = (&'static str, Box<dyn Fn(&Path)>, &'static str);

#[test]
fn formats_picked_by_mistake_are_named() {
    let dir = TempDir::new().expect("tempdir");
    let cases: Vec<Case> = vec![
        (
            "名录.ods",
            Box::new(|p: &Path| {
                zip_of(
                    p,
                    &[
                        (
                            "mimetype",
                            b"application/vnd.oasis.opendocument.spreadsheet",
                        ),
                        ("content.xml", b"<office:document-content/>"),
                    ],
                );
            }),
            "ODS",
        ),
        (
            "名录.xlsb",
            Box::new(|p: &Path| zip_of(p, &[("xl/workbook.bin", b"\x83\x01")])),
            "xlsb",
        ),
        (
            "名录.docx",
            Box::new(|p: &Path| zip_of(p, &[("word/document.xml", b"<w:document/>")])),
            "Word",
        ),
        (
            "名录.numbers",
            Box::new(|p: &Path| zip_of(p, &[("Index/Document.iwa", b"\x00")])),
            "Numbers",
        ),
        (
            "名录.pdf",
            Box::new(|p: &Path| std::fs::write(p, b"%PDF-1.7\n%...").expect("write")),
            "PDF",
        ),
        (
            "名录.png",
            Box::new(|p: &Path| std::fs::write(p, b"\x89PNG\r\n\x1a\n\0\0").expect("write")),
            "图片",
        ),
    ];
    for (name, make, kind) in cases {
        let path = dir.path().join(name);
        make(&path);
        let err = read(&path).expect_err(name);
        assert!(
            matches!(err, RosterError::Read(SheetError::Unsupported { .. })),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(kind), "{name}: {err}");
    }
}

#[test]
fn a_csv_of_nothing_but_commas_is_refused_before_it_fills_the_memory() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("逗号.csv");
    let mut text = String::from("主办单位,账号名称,平台\n");
    text.push_str(&",".repeat(20 * 1024 * 1024));
    std::fs::write(&path, text).expect("write");
    let err = read(&path).expect_err("refused");
    assert!(
        matches!(err, RosterError::Read(SheetError::CsvLine { line: 2, .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("第 2 行过长"), "{err}");
}

/// Writes a one-sheet xlsx of `rows` (the first is the header).
fn xlsx_of(path: &Path, rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet
                .write_string(
                    u32::try_from(r).expect("row"),
                    u16::try_from(c).expect("col"),
                    v,
                )
                .expect("write");
        }
    }
    book.save(path).expect("save");
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| (*s).to_owned()).collect()
}

/// Eight accounts of one unit, one platform and one name, told apart only by an id column
/// whose header the table does not list: all eight arrive, and the preview says which column
/// it took the ids from.
#[test]
fn ids_under_an_unlisted_header_keep_accounts_apart() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("名录.xlsx");
    let mut rows = vec![strings(&[
        "主办单位（盖章）",
        "所在平台",
        "账号名称（全称）",
        "账号代码",
        "联系电话",
    ])];
    for i in 0..8 {
        rows.push(vec![
            "示例市融媒体中心".to_owned(),
            "抖音".to_owned(),
            "示例发布".to_owned(),
            format!("dy_{i:04}"),
            format!("1380000{i:04}"),
        ]);
    }
    xlsx_of(&path, &rows);
    let cancel = AtomicBool::new(false);
    let parsed = read_roster(&path, None, &mut |_| {}, &cancel).expect("read");
    assert_eq!(parsed.accounts.len(), 8, "{:?}", parsed.duplicates);
    assert!(parsed.duplicates.is_empty());
    assert!(
        parsed
            .notices
            .iter()
            .any(|n| n.contains("“账号代码”列作为账号标识")),
        "{:?}",
        parsed.notices
    );
    let ids: std::collections::BTreeSet<&str> = parsed
        .accounts
        .iter()
        .map(|a| a.account.account_id.as_str())
        .collect();
    assert_eq!(ids.len(), 8);
    assert!(parsed.accounts.iter().all(|a| a.account.platform == "抖音"));
}

/// Without any id, two rows of one unit, platform and name that differ elsewhere are two
/// accounts the file cannot tell apart: reported, never silently merged as a duplicate.
#[test]
fn same_name_rows_that_differ_are_reported_not_merged() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("名录.xlsx");
    xlsx_of(
        &path,
        &[
            strings(&["主办单位", "平台", "账号名称", "开设时间"]),
            strings(&["示例市教育局", "微信公众号", "示例教育", "2019-03-05"]),
            strings(&["示例市教育局", "微信公众号", "示例教育", "2021-07-01"]),
            strings(&["示例市教育局", "微信公众号", "示例教育", "2019-03-05"]),
        ],
    );
    let cancel = AtomicBool::new(false);
    let parsed = read_roster(&path, None, &mut |_| {}, &cancel).expect("read");
    assert_eq!(parsed.accounts.len(), 1);
    assert_eq!(parsed.duplicates.len(), 1, "row 4 repeats row 2 exactly");
    assert_eq!(parsed.duplicates[0].row, 4);
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    assert_eq!(parsed.errors[0].row, 3);
    assert!(
        parsed.errors[0]
            .message
            .contains("同一单位在同一平台的两个账号")
    );
    assert!(parsed.notices.iter().any(|n| n.contains("没有“账号标识”")));
}

/// A cell longer than Excel holds is cut at import and reported by row; every later export of
/// the account then works.
#[test]
fn a_cell_longer_than_excel_holds_is_cut_and_reported_and_exports_still_work() {
    let dir = TempDir::new().expect("tempdir");
    let long = "很".repeat(40_000);
    let csv = dir.path().join("名录.csv");
    std::fs::write(
        &csv,
        format!("主办单位,平台,账号名称,账号ID,备注\n示例市教育局,微信公众号,示例教育,gh_1,{long}\n示例市民政局,抖音,民政示例,dy_2,\n"),
    )
    .expect("write");
    let db = dir.path().join("t.db");
    let mut store = Store::open(&db).expect("open");
    let cancel = AtomicBool::new(false);
    let preview = import::preview(&store, &csv, None, &mut |_| {}, &cancel).expect("read");
    let report = preview.report(false);
    let w = report
        .warnings
        .iter()
        .find(|w| w.row == 2)
        .expect("row 2 reported");
    assert_eq!(w.field, "备注");
    assert!(w.message.contains("32767"), "{}", w.message);
    import::commit(&mut store, &preview, at("2026-11-25 09:00")).expect("commit");
    let stored = store.accounts().expect("accounts");
    let kept = stored
        .iter()
        .find(|a| a.account.name == "示例教育")
        .expect("imported");
    assert_eq!(kept.account.extra[0].1.chars().count(), 32_767);
    // Every export of it still works.
    let request = spotcheck::model::DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options: spotcheck::model::DrawOptions {
            rate: "100%".parse().expect("rate"),
            ..spotcheck::model::DrawOptions::default()
        },
        seed: 1,
        reason: None,
        void_work: false,
    };
    store
        .set_setting(spotcheck::store::settings::USER_NAME, "王督查")
        .expect("name");
    let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at("2026-11-25 09:00"))
        .expect("draw");
    spotcheck::steps::notice::export_sample_list(
        &mut store,
        &draw,
        &dir.path().join("抽查名单.xlsx"),
        at("2026-11-25 09:00"),
    )
    .expect("sample list");
    spotcheck::steps::demo::complete_checks(&mut store, &draw, at("2026-11-25 09:00"))
        .expect("checks");
    spotcheck::steps::notice::export_notice(
        &mut store,
        draw.info.quarter,
        &dir.path().join("通报.xlsx"),
        at("2026-11-25 09:00"),
    )
    .expect("notice");
    spotcheck::steps::rectification::export_rectification(
        &mut store,
        draw.info.quarter,
        &spotcheck::steps::rectification::SheetTarget::Book(dir.path().join("整改.xlsx")),
        at("2026-11-25 09:00"),
    )
    .expect("rectification");
}

/// A required column under a name nobody listed: refused with the columns found; `--map`
/// says which it is; the next file with the same header needs no `--map`; a column can be
/// taken as no field (未使用: kept as 其他列).
#[test]
fn columns_are_mapped_on_the_command_line_and_remembered_for_the_same_header() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let header = ["主办单位", "账号名称", "发布渠道", "账号ID", "备注"];
    let file = |name: &str, n: usize| {
        let path = dir.path().join(name);
        let mut rows = vec![strings(&header)];
        for i in 0..n {
            rows.push(vec![
                format!("示例市单位{i}"),
                format!("账号{i}"),
                "微信公众号".to_owned(),
                format!("gh_{i:03}"),
                "无".to_owned(),
            ]);
        }
        xlsx_of(&path, &rows);
        path
    };
    let first = file("名录一.xlsx", 10);
    let out = run(&db, &["import", path_str(&first)]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("缺少必需的列：平台") && err.contains("发布渠道"),
        "{err}"
    );

    let bad = run(
        &db,
        &["import", path_str(&first), "--map", "发布渠道=渠道名称"],
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("无法识别") && stderr(&bad).contains("账号标识"));

    let out = run(
        &db,
        &[
            "import",
            path_str(&first),
            "--map",
            "发布渠道=平台",
            "--map",
            "备注=未使用",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let store = Store::open(&db).expect("open");
    let accounts = store.accounts().expect("accounts");
    assert_eq!(accounts.len(), 10);
    assert!(accounts.iter().all(|a| a.account.platform == "微信公众号"));
    // 未使用: not read as any field; its text stays with the account as 其他列.
    assert!(
        accounts
            .iter()
            .all(|a| a.account.extra == vec![("备注".to_owned(), "无".to_owned())]),
        "{:?}",
        accounts[0].account.extra
    );
    drop(store);

    // Next quarter's file, same header: read the same way without being told.
    let second = file("名录二.xlsx", 12);
    let out = run(&db, &["import", path_str(&second)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = Store::open(&db).expect("open");
    assert_eq!(store.accounts().expect("accounts").len(), 12);
}

/// A CSV that is UTF-8 for its first hundred kilobytes and then has a GBK line (two files
/// pasted together): refused, never read with the odd bytes replaced, and nothing imported.
#[test]
fn a_csv_that_changes_encoding_part_way_is_refused() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("拼接.csv");
    let mut bytes = "主办单位,账号名称,平台\n".as_bytes().to_vec();
    for i in 0..5000 {
        bytes.extend_from_slice(format!("示例单位{i},示例账号{i},抖音\n").as_bytes());
    }
    assert!(
        bytes.len() > 100 * 1024,
        "past the part the encoding is judged from"
    );
    bytes.extend_from_slice(&encoding_rs::GBK.encode("示例市教育局,教育发布,抖音\n").0);
    std::fs::write(&path, bytes).expect("write");
    let err = read(&path).expect_err("refused");
    assert!(
        matches!(err, RosterError::Read(SheetError::NotASpreadsheet { .. })),
        "{err:?}"
    );
    // The header is line 1, the 5,000 UTF-8 lines 2 to 5001: the GBK line is 5002.
    assert!(
        err.to_string().contains("第 5002 行的文字编码有误"),
        "{err}"
    );
}

/// A 开设时间 in the future or before 1990 (a typo; a year typed where the date goes) is not
/// taken as written: the account is imported with that date blank and a warning naming the
/// row as Excel numbers it; a plausible date is kept.
#[test]
fn an_implausible_opening_date_is_left_blank_with_its_row_named() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let csv = dir.path().join("名录.csv");
    std::fs::write(
        &csv,
        "平台,账号名称,账号ID,主办单位,开设时间\n\
         微信公众号,甲,gh_a,示例市甲局,2019-03-05\n\
         微信公众号,乙,gh_b,示例市乙局,2099-01-01\n\
         微信公众号,丙,gh_c,示例市丙局,1985年5月5日\n",
    )
    .expect("write");
    let out = run(&db, &["import", path_str(&csv)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = format!("{}{}", crate::support::stdout(&out), stderr(&out));
    assert!(
        said.contains("第 3 行 开设时间：2099年1月1日 晚于今天"),
        "{said}"
    );
    assert!(said.contains("第 4 行 开设时间：“1985年5月5日”"), "{said}");
    let store = Store::open(&db).expect("open");
    let opened: Vec<(String, Option<chrono::NaiveDate>)> = store
        .accounts()
        .expect("accounts")
        .into_iter()
        .map(|a| (a.account.name, a.account.opened_on))
        .collect();
    assert_eq!(
        opened,
        [
            ("甲".to_owned(), chrono::NaiveDate::from_ymd_opt(2019, 3, 5)),
            ("乙".to_owned(), None),
            ("丙".to_owned(), None),
        ]
    );
}

/// A formula that failed in a column read (#N/A where the 账号ID went, from a VLOOKUP) refuses
/// its row, named with the error, instead of importing the account with a blank id; a CSV
/// saved from such a sheet, where the error is plain text, is refused the same way; so is a
/// formula whose result was never saved.
#[test]
fn an_excel_error_value_in_a_read_column_refuses_its_row() {
    let dir = TempDir::new().expect("tempdir");
    let cell = |r: u32, c: char, v: &str| {
        format!("<c r=\"{c}{r}\" t=\"inlineStr\"><is><t>{v}</t></is></c>")
    };
    let row = |r: u32, id: &str| {
        format!(
            "<row r=\"{r}\">{}{}{}{}</row>",
            cell(r, 'A', "微信公众号"),
            cell(r, 'B', &format!("账号{r}")),
            id,
            cell(r, 'D', "示例市甲局")
        )
    };
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">{}{}{}{}</row>{}{}</sheetData></worksheet>",
        cell(1, 'A', "平台"),
        cell(1, 'B', "账号名称"),
        cell(1, 'C', "账号ID"),
        cell(1, 'D', "主办单位"),
        row(2, &cell(2, 'C', "gh_ok")),
        row(3, "<c r=\"C3\" t=\"e\"><v>#N/A</v></c>"),
    );
    // A formula whose result was never saved (a program wrote the file): not a blank id.
    let uncalculated = sheet.replace(
        "</sheetData>",
        &format!(
            "{}</sheetData>",
            row(4, "<c r=\"C4\"><f>VLOOKUP(B4,Sheet2!A:B,2,0)</f></c>")
        ),
    );
    let formula = dir.path().join("公式.xlsx");
    crate::support::xlsx_of_sheet(&formula, false, |w| {
        std::io::Write::write_all(w, uncalculated.as_bytes()).expect("write");
    });
    let db = dir.path().join("formula.db");
    let out = run(&db, &["import", path_str(&formula), "--json"]);
    let said = format!("{}{}", crate::support::stdout(&out), stderr(&out));
    assert!(said.contains("没有它的计算结果"), "{said}");
    let names: Vec<String> = Store::open(&db)
        .expect("open")
        .accounts()
        .expect("accounts")
        .into_iter()
        .map(|a| a.account.name)
        .collect();
    assert_eq!(
        names,
        ["账号2"],
        "neither the #N/A row nor the uncalculated one"
    );
    let xlsx = dir.path().join("名录.xlsx");
    crate::support::xlsx_of_sheet(&xlsx, false, |w| {
        std::io::Write::write_all(w, sheet.as_bytes()).expect("write");
    });
    let csv = dir.path().join("名录.csv");
    std::fs::write(
        &csv,
        "平台,账号名称,账号ID,主办单位\n微信公众号,账号2,gh_ok,示例市甲局\n微信公众号,账号3,#N/A,示例市甲局\n",
    )
    .expect("write");
    for file in [&xlsx, &csv] {
        let db = dir
            .path()
            .join(format!("{}.db", file.display().to_string().len()));
        let out = run(&db, &["import", path_str(file), "--json"]);
        let said = format!("{}{}", crate::support::stdout(&out), stderr(&out));
        assert!(
            said.contains("#N/A") && said.contains("Excel 的错误值"),
            "{}: {said}",
            file.display()
        );
        let names: Vec<String> = Store::open(&db)
            .expect("open")
            .accounts()
            .expect("accounts")
            .into_iter()
            .map(|a| a.account.name)
            .collect();
        assert_eq!(names, ["账号2"], "{}", file.display());
    }
}

/// An id typed with full-width characters (１２３４, ｇｈ＿ａ, a Chinese input method's) is the
/// same id as typed in ASCII: a roster that spells it so updates the account, never adds a new
/// one and takes the old off the roster; the report says it read them as half-width.
#[test]
fn full_width_ids_are_the_same_accounts_and_the_report_says_so() {
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("t.db");
    let roster = |name: &str, ids: [&str; 2]| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "平台,账号名称,账号ID,主办单位\n新浪微博,甲,{},示例市甲局\n微信公众号,乙,{},示例市乙局\n",
                ids[0], ids[1]
            ),
        )
        .expect("write");
        path
    };
    let first = roster("一.csv", ["1234", "gh_ab"]);
    let out = run(&db, &["import", path_str(&first)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = roster("二.csv", ["１２３４", "ｇｈ＿ａｂ"]);
    let out = run(&db, &["import", path_str(&second)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = crate::support::stdout(&out);
    assert!(
        said.contains("有 2 个账号标识含全角") && said.contains("第 2 行“１２３４”读作“1234”"),
        "{said}"
    );
    let accounts = Store::open(&db)
        .expect("open")
        .accounts()
        .expect("accounts");
    let ids: Vec<(&str, bool)> = accounts
        .iter()
        .map(|a| (a.account.account_id.as_str(), a.listed))
        .collect();
    assert_eq!(ids, [("1234", true), ("gh_ab", true)]);
}

/// An xlsx whose parts a zip tool recompressed with bzip2 or LZMA is named as such (save it
/// again from Excel or WPS), not called damaged.
#[test]
fn an_xlsx_recompressed_by_a_zip_tool_is_named_not_called_damaged() {
    use std::io::{Read, Write};
    let dir = TempDir::new().expect("tempdir");
    let clean = dir.path().join("名录.xlsx");
    xlsx_of(
        &clean,
        &[
            strings(&["平台", "账号名称", "账号ID", "主办单位"]),
            strings(&["微信公众号", "甲", "gh_a", "示例市甲局"]),
        ],
    );
    let mut input = zip::ZipArchive::new(std::fs::File::open(&clean).expect("open")).expect("zip");
    let recompressed = dir.path().join("压缩工具处理过.xlsx");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&recompressed).expect("create"));
    for i in 0..input.len() {
        let mut entry = input.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        // Stored bytes under a bzip2 header: what matters is the method the entry names.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file(entry.name().expect("name"), options)
            .expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.finish().expect("finish");
    // The method field (offset 8 of each local header, 10 of each central header) set to 12,
    // bzip2, as a zip tool would write it.
    let mut bytes = std::fs::read(&recompressed).expect("read");
    let mut at = 0;
    while at + 4 <= bytes.len() {
        match &bytes[at..at + 4] {
            [0x50, 0x4b, 0x03, 0x04] => {
                bytes[at + 8..at + 10].copy_from_slice(&12u16.to_le_bytes());
            }
            [0x50, 0x4b, 0x01, 0x02] => {
                bytes[at + 10..at + 12].copy_from_slice(&12u16.to_le_bytes());
            }
            _ => {}
        }
        at += 1;
    }
    std::fs::write(&recompressed, bytes).expect("write");
    let err = import::preview(
        &Store::open(&dir.path().join("t.db")).expect("open"),
        &recompressed,
        None,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("不是用 Excel 或 WPS 的方式压缩保存的") && !text.contains("损坏"),
        "{text}"
    );
}
