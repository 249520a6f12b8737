//! spotcheck reads xlsx sheets with its own one-pass reader (`src/sheet/xlsx/`); calamine is
//! the reference. Every sheet of books written by `rust_xlsxwriter` (shared strings, and inline
//! strings as its constant-memory mode writes them), `openpyxl` and `LibreOffice` Calc (committed
//! fixtures, `scripts/make-xlsx-fixtures`) must read as calamine reads it: every value the
//! same, merged areas filled, nothing else added.
//!
//! The sheet XML has two readers, our scanner (the default) and quick-xml's (the reference):
//! every book these tests build must read alike with both, whole or in chunks of a few bytes,
//! to the same cells or the same error.

// Rows and columns of the small sheets these tests write fit u16 and u32 many times over.
#![allow(clippy::cast_possible_truncation)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Formula, Workbook};
use spotcheck::sheet::{Cell, Grid, Row, Workbook as Book};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// What calamine's value becomes as a grid cell (as spotcheck read xlsx before its own reader).
fn expected(value: &Data) -> Option<Cell> {
    Some(match value {
        Data::Empty => return None,
        // Kept as their text, for the roster to refuse the row.
        Data::Error(e) => Cell::Text(e.to_string()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.to_owned()),
        Data::DateTime(d) => d
            .as_datetime()
            .map_or(Cell::Number(d.as_f64()), |dt| Cell::Date(dt.date())),
    })
}

fn cell_at(grid: &Grid, row: u32, column: usize) -> Option<&Cell> {
    let r = grid.rows.iter().find(|r| r.number == row)?;
    r.cells.get(column).filter(|c| **c != Cell::Empty)
}

/// The chunk sizes (inflated bytes read at a time) every book is also read in: a byte, a few,
/// about a row.
const TINY_CHUNKS: [usize; 3] = [1, 7, 64];

/// As imports read a sheet: [`spotcheck`]'s chunk of a MiB.
const IMPORT_CHUNK: usize = 1 << 20;

/// How reading `sheet` of `path` with quick-xml's reader (`quick_xml`) or the scanner, `chunk`
/// bytes at a time, ends: its rows, or the error's message with the reader's own account of
/// malformed XML left out (the two word it differently).
fn read_as(path: &Path, sheet: &str, quick_xml: bool, chunk: usize) -> Result<Vec<Row>, String> {
    let mut book = Book::open(path).map_err(|e| e.to_string())?;
    let Book::Xlsx(xlsx) = &mut book else {
        panic!("{} is an xlsx", path.display());
    };
    xlsx.set_reading(quick_xml, chunk);
    book.read(path, sheet, None, &mut |_| {}, &AtomicBool::new(false))
        .map(|g| g.rows)
        .map_err(|e| {
            let msg = e.to_string();
            match msg.split_once("格式不正确（") {
                Some((head, rest)) => format!(
                    "{head}格式不正确{}",
                    rest.split_once('）').map_or("", |(_, tail)| tail)
                ),
                None => msg,
            }
        })
}

/// Every sheet of `path` read by both readers, in the chunks imports use and in `chunks`:
/// always the same rows, or the same error. Returns the first sheet's reading.
fn readers_agree(path: &Path, chunks: &[usize]) -> Result<Vec<Row>, String> {
    let names = Book::open(path).expect("opens").sheet_names();
    let mut first = None;
    for name in names {
        let reference = read_as(path, &name, true, IMPORT_CHUNK);
        for quick_xml in [false, true] {
            for &chunk in std::iter::once(&IMPORT_CHUNK).chain(chunks) {
                let reader = if quick_xml { "quick-xml" } else { "scanner" };
                assert_eq!(
                    read_as(path, &name, quick_xml, chunk),
                    reference,
                    "{} {name}: the {reader} in chunks of {chunk} bytes",
                    path.display()
                );
            }
        }
        first.get_or_insert(reference);
    }
    first.expect("a sheet")
}

/// Compares every sheet of `path` as spotcheck reads it with calamine, and both readers with
/// each other in tiny chunks; returns the cells seen.
fn same_as_calamine(path: &Path) -> usize {
    same_as_calamine_in(path, &TINY_CHUNKS)
}

/// [`same_as_calamine`], the readers compared in `chunks`.
fn same_as_calamine_in(path: &Path, chunks: &[usize]) -> usize {
    readers_agree(path, chunks).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ours = Book::open(path).expect("spotcheck opens the book");
    let mut theirs: Xlsx<_> = open_workbook(path).expect("calamine opens the book");
    assert_eq!(
        ours.sheet_names(),
        theirs.sheet_names(),
        "{}",
        path.display()
    );
    let mut seen = 0;
    for name in theirs.sheet_names() {
        let grid = ours
            .read(path, &name, None, &mut |_| {}, &AtomicBool::new(false))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let range = theirs
            .worksheet_range(&name)
            .expect("calamine reads the sheet");
        let merges = theirs.merge_cells_by_sheet_name(&name).unwrap_or_default();
        let in_merge = |r: u32, c: u32| {
            merges
                .iter()
                .find(|m| m.start.0 <= r && r <= m.end.0 && m.start.1 <= c && c <= m.end.1)
        };
        let value_of = |r: u32, c: u32| range.get_value((r, c)).and_then(expected);
        // Every calamine value is ours, at the same row and column as Excel numbers them.
        for (r, c, value) in range.used_cells() {
            let (r, c) = (
                range.start().unwrap().0 + r as u32,
                range.start().unwrap().1 + c as u32,
            );
            let Some(want) = expected(value) else {
                continue;
            };
            seen += 1;
            assert_eq!(
                cell_at(&grid, r + 1, c as usize),
                Some(&want),
                "{} {name} row {} column {}",
                path.display(),
                r + 1,
                c + 1
            );
        }
        // Nothing of ours that calamine does not have, but the merged areas' copies.
        for row in &grid.rows {
            for (c, cell) in row.cells.iter().enumerate() {
                if *cell == Cell::Empty {
                    continue;
                }
                let (r, c) = (row.number - 1, c as u32);
                if let Some(v) = value_of(r, c) {
                    assert_eq!(&v, cell);
                } else if *cell == Cell::Text(spotcheck::sheet::UNCALCULATED.to_owned()) {
                    // A formula with no result saved: calamine reads nothing, ours says so.
                    seen += 1;
                } else {
                    let m = in_merge(r, c).unwrap_or_else(|| {
                        panic!(
                            "{} {name}: extra cell {cell:?} at row {} column {}",
                            path.display(),
                            r + 1,
                            c + 1
                        )
                    });
                    assert_eq!(value_of(m.start.0, m.start.1).as_ref(), Some(cell));
                }
            }
        }
    }
    seen
}

fn write_book(path: &Path, constant_memory: bool) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let chinese_date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let builtin_date = Format::new().set_num_format_index(14);
    let time = Format::new().set_num_format("hh:mm:ss");
    let duration = Format::new().set_num_format("[h]:mm");
    let money = Format::new().set_num_format("#,##0.00;[Red]-#,##0.00");
    let quoted = Format::new().set_num_format("\"第\"0\"号\"");
    let bold = Format::new().set_bold();
    let sheet = if constant_memory {
        book.add_worksheet_with_constant_memory().unwrap()
    } else {
        book.add_worksheet()
    };
    sheet.set_name("名录&说明").unwrap();
    sheet
        .merge_range(0, 0, 0, 5, "某某市政务新媒体名录", &Format::new())
        .unwrap();
    let header = [
        "序号",
        "主办单位",
        "平台",
        "账号名称",
        "账号ID",
        "开设日期",
        "备注",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let texts = [
        "  前后有空格  ",
        "市教育局 <教研室> & \"办公室\" 'x'",
        "换行\n第二行\r\n第三行",
        "制表\t符",
        "控制\u{1}字符",
        "表情😀",
        "_x000D_ 像转义",
        "",
        "１２３全角",
    ];
    for (i, t) in texts.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_number(r, 0, (i + 1) as f64).unwrap();
        sheet.write_string(r, 1, *t).unwrap();
        sheet.write_string(r, 2, "微信公众号").unwrap();
        sheet
            .write_number(r, 4, 3_805_829_634.0 + i as f64)
            .unwrap();
    }
    let r = 3 + texts.len() as u32;
    sheet.write_number(r, 0, 0.1 + 0.2).unwrap();
    sheet.write_number(r, 1, -12.5e-7).unwrap();
    sheet.write_boolean(r, 2, true).unwrap();
    sheet.write_boolean(r, 3, false).unwrap();
    sheet
        .write_number_with_format(r, 4, 12345.678, &money)
        .unwrap();
    sheet.write_number_with_format(r, 5, 7.0, &quoted).unwrap();
    let r = r + 1;
    let day = NaiveDate::from_ymd_opt(2019, 3, 8).unwrap();
    sheet.write_date_with_format(r, 0, day, &date).unwrap();
    sheet
        .write_date_with_format(r, 1, day, &chinese_date)
        .unwrap();
    sheet
        .write_date_with_format(r, 2, day, &builtin_date)
        .unwrap();
    sheet
        .write_datetime_with_format(r, 3, day.and_hms_opt(13, 45, 0).unwrap(), &time)
        .unwrap();
    sheet
        .write_number_with_format(r, 4, 1.5, &duration)
        .unwrap();
    sheet.write_number_with_format(r, 5, 30.0, &date).unwrap();
    sheet.write_number_with_format(r, 6, 60.0, &date).unwrap();
    let r = r + 1;
    sheet
        .write_formula(r, 0, Formula::new("=\"A\"&\"B\"").set_result("AB"))
        .unwrap();
    sheet
        .write_formula(r, 1, Formula::new("=1+1").set_result("2"))
        .unwrap();
    sheet.write_string_with_format(r, 2, "加粗", &bold).unwrap();
    sheet
        .write_rich_string(r, 3, &[(&bold, "加粗"), (&Format::new(), " 普通 ")])
        .unwrap();
    sheet.write_blank(r, 4, &bold).unwrap();
    sheet.write_string(r + 3, 27, "远处的单元格").unwrap();
    sheet.write_string(r + 500, 0, "很远的一行").unwrap();
    if !constant_memory {
        sheet
            .merge_range(r + 5, 1, r + 7, 1, "合并的主办单位", &Format::new())
            .unwrap();
    }
    let second = book.add_worksheet();
    second.set_name("第二页").unwrap();
    second.write_string(0, 0, "只有一格").unwrap();
    second.set_hidden(true);
    let third = book.add_worksheet();
    third.set_name("空白").unwrap();
    book.save(path).unwrap();
}

#[test]
fn books_written_by_rust_xlsxwriter_read_as_calamine_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    for constant_memory in [false, true] {
        let path = dir.path().join(format!("book-{constant_memory}.xlsx"));
        write_book(&path, constant_memory);
        assert!(same_as_calamine(&path) > 40);
    }
}

#[test]
fn books_written_by_openpyxl_and_libreoffice_read_as_calamine_reads_them() {
    for name in ["openpyxl.xlsx", "libreoffice.xlsx"] {
        assert!(same_as_calamine(&fixture(name)) > 30, "{name}");
    }
    // openpyxl writes formulas without their results: H9 (=1+1) is marked, not blank.
    let path = fixture("openpyxl.xlsx");
    let mut book = Book::open(&path).expect("open");
    let name = book.sheet_names()[0].clone();
    let grid = book
        .read(&path, &name, None, &mut |_| {}, &AtomicBool::new(false))
        .expect("read");
    assert_eq!(
        cell_at(&grid, 9, 7),
        Some(&Cell::Text(spotcheck::sheet::UNCALCULATED.to_owned()))
    );
}

#[test]
fn a_long_sheet_is_read_across_chunks_with_its_merged_areas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for r in 0..30_000u32 {
        sheet
            .write_string(
                r,
                0,
                format!("第{r}行 & 某某单位的一个相当长的名称，让这一页超过一兆字节"),
            )
            .unwrap();
        sheet.write_number(r, 1, f64::from(r)).unwrap();
    }
    sheet
        .merge_range(29_990, 3, 29_995, 3, "末尾的合并单元格", &Format::new())
        .unwrap();
    book.save(&path).unwrap();
    let inflated = {
        let file = std::fs::File::open(&path).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        zip.by_name("xl/worksheets/sheet1.xml").unwrap().size()
    };
    assert!(inflated > 2 << 20, "the sheet spans several chunks");
    same_as_calamine_in(&path, &[4096]);
    let mut ours = Book::open(&path).unwrap();
    let grid = ours
        .read(&path, "Sheet1", None, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert_eq!(grid.rows.len(), 30_000);
    assert_eq!(
        cell_at(&grid, 29_996, 3),
        Some(&Cell::Text("末尾的合并单元格".to_owned()))
    );
}

/// A workbook saved over between opening it and reading its sheet (Excel saving while the
/// import runs) is refused, never read half from the old file and half from the new.
#[test]
fn a_file_saved_over_while_it_is_read_is_refused() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("名录.xlsx");
    write_book(&path, false);
    let mut book = Book::open(&path).unwrap();
    let name = book.sheet_names()[0].clone();
    // Another program saves a different workbook under the same name.
    let mut other = Workbook::new();
    other
        .add_worksheet()
        .write_string(0, 0, "另存的内容")
        .unwrap();
    other.save(&path).unwrap();
    let err = book
        .read(&path, &name, None, &mut |_| {}, &AtomicBool::new(false))
        .expect_err("refused");
    assert!(err.to_string().contains("在读取过程中被修改"), "{err}");
}

fn book_of_sheet_xml(path: &Path, sheet_xml: &str) {
    crate::support::xlsx_of_sheet(path, false, |w| {
        w.write_all(sheet_xml.as_bytes()).expect("write");
    });
}

#[test]
fn sheet_xml_spelled_every_legal_way_reads_as_calamine_reads_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = [
        // A namespace prefix on every element, as some generators write.
        r#"<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c><x:c r="B1"><x:v>7</x:v></x:c></x:row>"#,
        // Single quotes, spaces around `=`, tabs and line breaks between attributes, a `>`
        // inside a value, an end tag with a space.
        "<row r='2'><c r = 'A2' t = \"inlineStr\"><is><t>单引号</t></is></c ><c\n\tr=\"B2\"\tfoo=\"a>b\" t=\"n\"><v>3.5</v></c></row >",
        // Entities and character references in text (calamine does not resolve them in a
        // cell reference; the scanner's own tests do).
        r#"<row r="3"><c r="A3" t="inlineStr"><is><t>a&amp;b&lt;c&gt;&quot;&apos;&#20013;&#x6587;</t></is></c></row>"#,
        // CDATA, a comment and a processing instruction between cells.
        r#"<row r="4"><c r="A4" t="inlineStr"><is><t><![CDATA[<原样>&amp;]]></t></is></c><!-- 注释 <c r="B4"><v>9</v></c> --><?mso-app x?><c r="C4"><v>4</v></c></row>"#,
        // Line ends inside text, kept and normalised; leading spaces with and without
        // xml:space.
        "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t xml:space=\"preserve\">  第一行\r\n第二行\r第三行</t></is></c><c r=\"B5\" t=\"inlineStr\"><is><t>  去掉空格  </t></is></c></row>",
        // Rich text runs with a phonetic guide, empty cells and values, booleans, errors.
        r#"<row r="6"><c r="A6" t="inlineStr"><is><r><rPr><b/></rPr><t>健</t></r><r><t>康</t></r><rPh sb="0" eb="1"><t>けん</t></rPh></is></c><c r="B6"/><c r="C6"><v/></c><c r="D6" t="b"><v>1</v></c><c r="E6" t="e"><v>#N/A</v></c><c r="F6" t="str"><v>公式_x000D_结果</v></c></row>"#,
        // Cells without references, after a row without its number.
        r#"<row><c t="inlineStr"><is><t>无编号</t></is></c><c><v>-2</v></c></row>"#,
    ];
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x:dimension ref=\"A1:F7\"/><x:sheetData>{}</x:sheetData></x:worksheet>",
        rows.concat()
    );
    let path = dir.path().join("spellings.xlsx");
    book_of_sheet_xml(&path, &xml);
    let seen = same_as_calamine(&path);
    assert_eq!(seen, 15, "cells compared (the error value #N/A among them)");
    let grid = {
        let mut book = Book::open(&path).expect("open");
        book.read(&path, "名录", None, &mut |_| {}, &AtomicBool::new(false))
            .expect("read")
    };
    assert_eq!(
        cell_at(&grid, 3, 0),
        Some(&Cell::Text("a&b<c>\"'中文".to_owned()))
    );
    assert_eq!(
        cell_at(&grid, 4, 0),
        Some(&Cell::Text("<原样>&amp;".to_owned()))
    );
    assert_eq!(
        cell_at(&grid, 4, 1),
        None,
        "a commented-out cell is no cell"
    );
    assert_eq!(
        cell_at(&grid, 5, 0),
        Some(&Cell::Text("  第一行\n第二行\n第三行".to_owned()))
    );
    assert_eq!(cell_at(&grid, 6, 0), Some(&Cell::Text("健康".to_owned())));
}

#[test]
fn sheet_xml_cut_short_or_with_an_unknown_entity_is_damaged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>主办单位</t></is></c></row>"#;
    for (name, tail) in [
        (
            "unclosed",
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row><row r="3"><c r="A3""#,
        ),
        (
            "entity",
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>&nbsp;</t></is></c></row></sheetData></worksheet>"#,
        ),
        (
            "amp",
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>a & b</t></is></c></row></sheetData></worksheet>"#,
        ),
    ] {
        let path = dir.path().join(format!("{name}.xlsx"));
        book_of_sheet_xml(&path, &format!("{head}{tail}"));
        assert!(readers_agree(&path, &TINY_CHUNKS).is_err(), "{name}");
        let mut book = Book::open(&path).expect("open");
        let err = book
            .read(&path, "名录", None, &mut |_| {}, &AtomicBool::new(false))
            .expect_err(name);
        let msg = err.to_string();
        assert!(
            matches!(err, spotcheck::sheet::SheetError::Damaged { .. })
                && msg.contains("格式不正确"),
            "{name}: {msg}"
        );
    }
}

/// A sheet's XML around `rows`, as most writers start and end it.
fn sheet_of_rows(rows: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData></worksheet>"
    )
}

#[test]
#[expect(clippy::too_many_lines, reason = "a table of cases")]
fn odd_and_malformed_sheet_xml_reads_alike_with_both_readers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let row = |cells: &str| sheet_of_rows(&format!("<row r=\"1\">{cells}</row>"));
    let cases = [
        // Attributes: unquoted, without a value, unclosed; entities, tabs and line breaks
        // in values, an unknown entity kept as written, prefixes, duplicates, a `<`.
        ("unquoted", row("<c r=A1><v>1</v></c>"), false),
        ("no value", row(r#"<c hidden r="A1"><v>1</v></c>"#), false),
        ("unclosed quote", row(r#"<c r="A1><v>1</v></c>"#), false),
        (
            "references in attributes",
            row(
                "<c r=\"A&#49;\" t=\"inline&#83;tr\"><is><t>x</t></is></c><c r=\"B1\"\tt=\"n\"\r\n><v>2</v></c>",
            ),
            true,
        ),
        (
            "unknown entity in an attribute",
            row(r#"<c r="A1" s="&foo;"><v>1</v></c>"#),
            true,
        ),
        (
            "spaces in the type",
            row(r#"<c r="A1" t=" s "><v>0</v></c>"#),
            false,
        ),
        (
            "line break in the type",
            row("<c r=\"A1\" t=\"inline\nStr\"><is><t>x</t></is></c>"),
            false,
        ),
        (
            "prefixed attributes",
            row(r#"<x:c x:r="B1" x:t="str"><x:v>p</x:v></x:c>"#),
            true,
        ),
        (
            "duplicate attributes",
            row(r#"<c r="A1" r="C1"><v>1</v></c>"#),
            true,
        ),
        (
            "< in a value",
            row(r#"<c r="A1" foo="a<b"><v>1</v></c>"#),
            true,
        ),
        // Text: references, unknown and signed ones, line ends, CDATA where it is not read.
        (
            "reference in a value",
            row(r#"<c r="A1"><v>1&#48;</v></c>"#),
            true,
        ),
        (
            "unknown entity",
            row(r#"<c r="A1" t="str"><v>&foo;</v></c>"#),
            false,
        ),
        (
            "signed reference",
            row(r#"<c r="A1" t="inlineStr"><is><t>&#+65;</t></is></c>"#),
            false,
        ),
        (
            "line ends in a value",
            row("<c r=\"A1\" t=\"str\"><v>a\r\nb\rc</v></c>"),
            true,
        ),
        (
            "CDATA in a value",
            row(r#"<c r="A1" t="str"><v><![CDATA[x]]>y</v></c>"#),
            true,
        ),
        (
            "]]> in text",
            row(r#"<c r="A1" t="str"><v>a]]>b</v></c>"#),
            true,
        ),
        // Structure: stray and odd end tags, two values, empty elements, no name.
        (
            "stray end tags",
            row(r#"</is></t></v><c r="A1"><v>1</v></c></foo>"#),
            true,
        ),
        ("two values", row(r#"<c r="A1"><v>1</v><v>2</v></c>"#), true),
        (
            "empty elements",
            row(
                r#"<c r="A1" t="inlineStr"><is/></c><c r="B1" t="inlineStr"><is><t/></is></c><c r="C1"><v/></c><c r="D1" t="s"/>"#,
            ),
            true,
        ),
        ("a tag without a name", row(r#"< c r="A1"/>"#), false),
        (
            "unknown type",
            row(r#"<c r="A1" t="x"><v>1</v></c>"#),
            false,
        ),
        (
            "row zero",
            sheet_of_rows(r#"<row r="0"><c r="A1"><v>1</v></c></row>"#),
            false,
        ),
        ("cell reference", row(r#"<c r="1A"><v>1</v></c>"#), false),
        (
            "shared string missing",
            row(r#"<c r="A1" t="s"><v>3</v></c>"#),
            false,
        ),
        // Sections: `<!-->` (alone, and up to a later `-->`), unclosed ones, a DOCTYPE.
        ("<!--> alone", row(r#"<!--><c r="A1"><v>1</v></c>"#), false),
        (
            "<!--> to a later -->",
            row(r#"<!--><c r="A1"><v>1</v></c><!-- --><c r="B1"><v>2</v></c>"#),
            true,
        ),
        ("unclosed PI", row(r#"<c r="A1"><v>1</v></c><?pi "#), false),
        (
            "unclosed CDATA",
            row(r#"<c r="A1" t="inlineStr"><is><t><![CDATA[x</t></is></c>"#),
            false,
        ),
        (
            "CDATA opener in a comment",
            row(r#"<!-- <![CDATA[ --><c r="A1"><v>1</v></c>"#),
            true,
        ),
        (
            "doctype",
            row(r#"<c r="A1"><v>1</v></c>"#).replacen(
                "?>",
                "?><!DOCTYPE worksheet [<!ENTITY a \"b\"><!-- </row> -->]>",
                1,
            ),
            true,
        ),
        (
            "byte order mark",
            format!("\u{feff}{}", row(r#"<c r="A1"><v>1</v></c>"#)),
            true,
        ),
        (
            "cut after a row",
            row(r#"<c r="A1"><v>1</v></c>"#).replace("</sheetData></worksheet>", ""),
            true,
        ),
    ];
    let mut unlike = Vec::new();
    for (name, xml, ok) in cases {
        let path = dir.path().join("odd.xlsx");
        book_of_sheet_xml(&path, &xml);
        let scanner = read_as(&path, "名录", false, IMPORT_CHUNK);
        let quick_xml = read_as(&path, "名录", true, IMPORT_CHUNK);
        if scanner != quick_xml {
            unlike.push(format!(
                "{name}: scanner {scanner:?}, quick-xml {quick_xml:?}"
            ));
            continue;
        }
        let read = readers_agree(&path, &TINY_CHUNKS);
        assert_eq!(read.is_ok(), ok, "{name}: {read:?}");
    }
    assert!(unlike.is_empty(), "{}", unlike.join("\n"));
}

/// A `</row>` inside CDATA, a comment or a processing instruction is no row's end: the sheet is
/// never cut there, whatever the chunk size (the chunks once ended at the last `</row>`, and
/// such a sheet was refused as damaged).
#[test]
fn a_row_end_inside_cdata_or_a_comment_does_not_split_the_sheet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sections.xlsx");
    let xml = sheet_of_rows(concat!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[甲</row><row r="9">]]></t></is></c>"#,
        r#"<!-- </row><row r="8"><c r="A8"><v>8</v></c></row> --><c r="B1"><v>1</v></c></row>"#,
        r#"<?mso </row> ?><row r="2"><c r="A2" t="inlineStr"><is><t>乙</t></is></c><!--</x:row>--></row>"#,
        r#"<!-- a --><row r="3"><c r="A3"><v>3</v></c></row><!-- </row>"#,
        r#" --><x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t><![CDATA[</x:row>]]></x:t></x:is></x:c></x:row>"#,
    ));
    book_of_sheet_xml(&path, &xml);
    same_as_calamine(&path);
    let every_size: Vec<usize> = (1..=xml.len() / 3).collect();
    let rows = readers_agree(&path, &every_size).expect("read");
    let text = |s: &str| Cell::Text(s.to_owned());
    assert_eq!(
        rows,
        vec![
            Row {
                number: 1,
                cells: vec![text("甲</row><row r=\"9\">"), Cell::Number(1.0)]
            },
            Row {
                number: 2,
                cells: vec![text("乙")]
            },
            Row {
                number: 3,
                cells: vec![Cell::Number(3.0)]
            },
            Row {
                number: 4,
                cells: vec![text("</x:row>")]
            },
        ]
    );
}

/// The same across the chunks imports read (a MiB at a time): a CDATA section, a comment and a
/// processing instruction, each holding row ends, across the first, second and third MiB's end.
#[test]
fn a_section_across_a_chunk_boundary_is_read_whole() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("boundaries.xlsx");
    let mut xml = sheet_of_rows("");
    let tail = xml.split_off(xml.find("</sheetData>").expect("tail"));
    let mut r = 0u32;
    let mut sections = Vec::new();
    for (mib, open, close) in [
        (
            1usize,
            r#"<c r="B{r}" t="inlineStr"><is><t><![CDATA["#,
            "]]></t></is></c>",
        ),
        (2, "<!--", "-->"),
        (3, "<?mso-pi", "?>"),
    ] {
        while xml.len() < (mib << 20) - 120 {
            r += 1;
            write!(xml, r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#).expect("write");
        }
        r += 1;
        write!(xml, r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c>"#).expect("write");
        xml.push_str(&open.replace("{r}", &r.to_string()));
        let start = xml.len();
        for i in 0..200 {
            write!(xml, "段{i}</row><row r=\"{}\">", 9_000_000 + i).expect("write");
        }
        sections.push(start..xml.len());
        xml.push_str(close);
        xml.push_str("</row>");
    }
    xml.push_str(&tail);
    for (mib, s) in sections.iter().enumerate() {
        assert!(
            s.contains(&((mib + 1) << 20)),
            "section {mib} spans its MiB's end"
        );
    }
    book_of_sheet_xml(&path, &xml);
    same_as_calamine_in(&path, &[]);
    let rows = readers_agree(&path, &[]).expect("read");
    assert_eq!(rows.len(), r as usize);
    assert!(rows.iter().all(|row| row.number <= r));
    let long = (0..200).fold(String::new(), |mut s, i| {
        write!(s, "段{i}</row><row r=\"{}\">", 9_000_000 + i).expect("write");
        s
    });
    assert!(
        rows.iter()
            .any(|row| row.cells.get(1) == Some(&Cell::Text(long.clone()))),
        "the CDATA text whole"
    );
}

/// A cell given twice, or rows out of order (Excel refuses both): refused, naming the cell,
/// never read last-wins with one of the two values dropped.
#[test]
fn a_cell_given_twice_or_out_of_order_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = |r: &str, t: &str| format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{t}</t></is></c>");
    for (name, rows, cell) in [
        (
            "twice",
            format!(
                "<row r=\"1\">{}{}</row><row r=\"2\">{}{}{}</row>",
                text("A1", "账号名称"),
                text("B1", "账号ID"),
                text("A2", "甲"),
                text("B2", "gh_1"),
                text("B2", "gh_2")
            ),
            "B2",
        ),
        (
            "rows back",
            format!(
                "<row r=\"1\">{}</row><row r=\"3\">{}</row><row r=\"2\">{}</row>",
                text("A1", "账号名称"),
                text("A3", "乙"),
                text("A2", "甲")
            ),
            "A2",
        ),
    ] {
        let path = dir.path().join(format!("{name}.xlsx"));
        book_of_sheet_xml(&path, &sheet_of_rows(&rows));
        assert!(readers_agree(&path, &TINY_CHUNKS).is_err(), "{name}");
        let mut book = Book::open(&path).expect("open");
        let err = book
            .read(&path, "名录", None, &mut |_| {}, &AtomicBool::new(false))
            .expect_err(name);
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("单元格 {cell} 重复出现或次序颠倒")),
            "{name}: {msg}"
        );
    }
}
