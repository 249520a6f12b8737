//! Old-format Excel (.xls) rosters: a roster written as BIFF8 records reads as the same rows
//! written as CSV do; a book `LibreOffice` saved as .xls reads as the same book saved as .xlsx;
//! files that would make calamine lay out a huge rectangle (in one sheet or all together),
//! reserve memory for a lying dimensions record or hold more cells than the read budget are
//! refused with a Chinese message before calamine reads them; calamine reads only the
//! workbook that was checked.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use spotcheck::roster::{ParsedRoster, RosterError, read_roster};
use spotcheck::sheet::{Cell, Grid, SheetError, Workbook};
use tempfile::TempDir;

use crate::support::xls;

fn read(path: &Path) -> Result<ParsedRoster, RosterError> {
    read_roster(path, None, &mut |_| {}, &AtomicBool::new(false))
}

fn rows() -> Vec<Vec<String>> {
    let text = "示例市政务新媒体账号名录\n\
                序号,主办单位,账号名称,平台,账号ID,地市,区县,开设时间,粉丝数\n\
                1,示例市教育局,示例教育,微信订阅号,gh_edu001,示例市,,2019-03-05,12345\n\
                2,示例市公安局,平安示例,微博,3805829634,示例市,东区,2019年3月5日,1.2万\n\
                3,示例市民政局,民政示例,头条,,示例市,西区,20190305,\n\
                4,东区人民政府,东区发布,抖音,dy_0042,示例市,东区,2020/1/2,7\n";
    text.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn an_xls_roster_reads_as_the_same_rows_in_csv() {
    let dir = TempDir::new().expect("tempdir");
    let csv = dir.path().join("名录.csv");
    let rows = rows();
    let text: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    std::fs::write(&csv, text.join("\n")).expect("write csv");
    let book = dir.path().join("名录.xls");
    xls::write(&book, &[("名录", xls::table(&rows))]);

    let (a, b) = (read(&csv).expect("csv"), read(&book).expect("xls"));
    assert_eq!(b.sheet, "名录");
    assert_eq!(b.header_row, 2);
    let accounts = |p: &ParsedRoster| {
        p.accounts
            .iter()
            .map(|a| (a.row, a.account.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(accounts(&b).len(), 4);
    assert_eq!(accounts(&a), accounts(&b));
    assert_eq!(b.accounts[0].account.wechat_type(), Some("订阅号"));
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn grid(path: &Path, sheet: &str) -> Grid {
    let mut book = Workbook::open(path).expect("open");
    book.read(path, sheet, None, &mut |_| {}, &AtomicBool::new(false))
        .expect("read sheet")
}

#[test]
fn a_book_libreoffice_saved_as_xls_reads_as_its_xlsx() {
    let (xls, xlsx) = (fixture("libreoffice.xls"), fixture("libreoffice.xlsx"));
    let names = Workbook::open(&xls).expect("open xls").sheet_names();
    assert_eq!(
        names,
        Workbook::open(&xlsx).expect("open xlsx").sheet_names()
    );
    for sheet in &names {
        let (old, new) = (grid(&xls, sheet), grid(&xlsx, sheet));
        assert!(!new.rows.is_empty(), "{sheet}");
        assert_eq!(old.rows.len(), new.rows.len(), "{sheet}");
        for (o, n) in old.rows.iter().zip(&new.rows) {
            assert_eq!(o.number, n.number, "{sheet}");
            // Calc saves a carriage return in a cell as a line feed in the old format.
            let trimmed = |cells: &[Cell]| {
                let end = cells
                    .iter()
                    .rposition(|c| *c != Cell::Empty)
                    .map_or(0, |i| i + 1);
                cells[..end]
                    .iter()
                    .map(|c| match c {
                        Cell::Text(t) => Cell::Text(t.replace('\r', "\n")),
                        other => other.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                trimmed(&o.cells),
                trimmed(&n.cells),
                "{sheet} row {}",
                o.number
            );
        }
    }
}

fn refused(path: &Path) -> SheetError {
    match Workbook::open(path) {
        Ok(_) => panic!("{} was opened", path.display()),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                crate::support::has_cjk(&msg) && msg.contains(".xls"),
                "{msg}"
            );
            // No English from the libraries: every word but the file's name and Excel's is
            // Chinese.
            let words = msg
                .replace(&path.display().to_string(), "")
                .replace("Excel", "");
            let english = words
                .split(|c: char| !c.is_ascii_alphabetic())
                .find(|w| w.len() >= 4);
            assert_eq!(english, None, "{msg}");
            e
        }
    }
}

#[test]
fn two_cells_far_apart_are_refused_before_calamine_lays_out_the_rectangle() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("corner.xls");
    xls::write(&path, &[("Sheet1", xls::corners(65_535, 255))]);
    assert!(std::fs::metadata(&path).expect("size").len() < 10_000);
    let err = refused(&path);
    assert!(
        matches!(&err, SheetError::TooMuchContent { row: 65_536, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("区域"), "{err}");

    // The same two cells close together are an ordinary sheet.
    xls::write(&path, &[("Sheet1", xls::corners(999, 25))]);
    assert_eq!(grid(&path, "Sheet1").rows.len(), 2);
}

#[test]
fn a_later_sheet_is_checked_too() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("second.xls");
    let mut bomb = xls::label(3, 0, "远处");
    bomb.extend(xls::label(60_000, 200, "更远处"));
    xls::write(&path, &[("名录", xls::table(&rows())), ("附表", bomb)]);
    assert!(matches!(refused(&path), SheetError::TooMuchContent { .. }));
}

#[test]
fn a_dimensions_record_past_the_format_is_damaged_not_a_crash() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("dimensions.xls");
    for (rows, cols) in [
        ((0, 0xFFFF_FFF0), (0, 10)),
        ((5_000, 10), (0, 10)),
        ((0, 100), (0, 0xFFFF)),
    ] {
        let mut body = xls::dimensions(rows, cols);
        body.extend(xls::label(0, 0, "名录"));
        xls::write(&path, &[("Sheet1", body)]);
        let err = refused(&path);
        assert!(matches!(err, SheetError::Damaged { .. }), "{err:?}");
    }
}

#[test]
fn more_cells_than_the_budget_are_refused() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("dense.xls");
    // MulRk records of 200 cells each, 10,001 rows: 2,000,200 cells in 12 MB.
    let mut body = Vec::new();
    for row in 0..10_001u16 {
        let mut d = Vec::new();
        d.extend(row.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        for _ in 0..200 {
            d.extend(0u16.to_le_bytes());
            d.extend(0x3FF0_0000u32.to_le_bytes());
        }
        d.extend(199u16.to_le_bytes());
        body.extend(xls::record(0x00BD, &d));
    }
    xls::write(&path, &[("Sheet1", body)]);
    let err = refused(&path);
    assert!(
        matches!(err, SheetError::TooMuchContent { row: 10_001, .. }),
        "{err:?}"
    );
}

#[test]
fn a_file_that_is_not_a_compound_file_after_its_signature_is_damaged() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("cut.xls");
    xls::write(&path, &[("名录", xls::table(&rows()))]);
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..600]).expect("truncate");
    assert!(matches!(refused(&path), SheetError::Damaged { .. }));
}

#[test]
fn sheets_are_counted_together_as_calamine_keeps_them_all() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("three.xls");
    // Each sheet spans 40,000 rows × 20 columns (800,000 cells) with two cells: one is fine,
    // three are more than the budget together.
    let corners = || xls::corners(39_999, 19);
    xls::write(&path, &[("一", corners())]);
    assert_eq!(grid(&path, "一").rows.len(), 2);
    xls::write(
        &path,
        &[("一", corners()), ("二", corners()), ("三", corners())],
    );
    let err = refused(&path);
    assert!(err.to_string().contains("各工作表合计"), "{err}");

    let many: Vec<(String, Vec<u8>)> = (0..1001)
        .map(|i| (format!("表{i}"), xls::number(0, 0, 1.0)))
        .collect();
    xls::write(&path, &many);
    assert!(matches!(
        refused(&path),
        SheetError::TooManySheets { count: 1001, .. }
    ));
}

#[test]
fn a_formula_text_result_is_counted_where_calamine_puts_it() {
    // calamine places a String record at the last formula's cell, (0, 0) before any formula:
    // with one number at IV65536 that is the whole sheet.
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("string.xls");
    let mut body = xls::number(65_535, 255, 1.0);
    // The String record: one character, not UTF-16.
    body.extend(xls::record(0x0207, &[1, 0, 0, b'x']));
    xls::write(&path, &[("Sheet1", body)]);
    assert!(matches!(refused(&path), SheetError::TooMuchContent { .. }));
}

#[test]
fn calamine_reads_the_workbook_that_was_checked_and_nothing_else_in_the_file() {
    let dir = TempDir::new().expect("tempdir");
    // A bomb, whose Workbook stream is then embedded in a roster file (as an embedded object's
    // storage holds one): the roster is read, the embedded stream never.
    let bomb = dir.path().join("bomb.xls");
    xls::write(&bomb, &[("Sheet1", xls::corners(65_535, 255))]);
    let mut bomb_stream = Vec::new();
    {
        use std::io::Read;
        let mut f = cfb::open(&bomb).expect("open bomb");
        f.open_stream("/Workbook")
            .expect("stream")
            .read_to_end(&mut bomb_stream)
            .expect("read");
    }
    let path = dir.path().join("名录.xls");
    xls::write(&path, &[("名录", xls::table(&rows()))]);
    {
        use std::io::Write;
        let mut f = cfb::open_rw(&path).expect("open roster");
        f.create_storage("/MBD0001").expect("storage");
        f.create_stream("/MBD0001/Workbook")
            .expect("stream")
            .write_all(&bomb_stream)
            .expect("write");
        f.flush().expect("flush");
    }
    let parsed = read(&path).expect("the roster is read");
    assert_eq!(parsed.accounts.len(), 4);
}
