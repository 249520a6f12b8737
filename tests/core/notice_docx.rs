//! The documents an office sends, made from the command line as a supervisor would and read
//! back from the files: the 通报 as a Word document (page set up as GB/T 9704 asks, the title
//! with the region, the sections in order, the figures the xlsx attachments print, the deadline
//! as a date, page numbers, nothing internal) and the 整改表 as a paper form.

use std::io::Read;

use crate::support::{path_str, run, stderr, stdout};

/// The text of each paragraph of `word/document.xml`, and the XML itself.
fn paragraphs(docx: &std::path::Path) -> (Vec<String>, String) {
    let file = std::fs::File::open(docx).expect("open docx");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("read");
    let mut out = Vec::new();
    for p in xml.split("</w:p>") {
        let mut text = String::new();
        for piece in p.split("<w:t").skip(1) {
            let Some(start) = piece.find('>') else {
                continue;
            };
            let body = &piece[start + 1..];
            let end = body.find("</w:t>").unwrap_or(body.len());
            text.push_str(&body[..end]);
        }
        out.push(
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&"),
        );
    }
    (out, xml)
}

/// Runs a command on `db` as the supervisor would; its standard output.
fn ok(db: &std::path::Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// A database in `dir` with a 示例 roster of `accounts`, 2026Q4 drawn with `seed`, assigned to
/// 张三 and 李四 and every check filled in, as the headless commands make it.
fn demo_quarter(dir: &std::path::Path, accounts: &str, seed: &str) -> std::path::PathBuf {
    let db = dir.join("t.db");
    let roster = dir.join("示例名录.xlsx");
    ok(
        &db,
        &[
            "settings",
            "--user-name",
            "王组长",
            "--region",
            "示例市",
            "--deadline-days",
            "10",
        ],
    );
    ok(
        &db,
        &["demo", "--out", path_str(&roster), "--accounts", accounts],
    );
    ok(&db, &["import", path_str(&roster)]);
    ok(&db, &["sample", "--quarter", "2026Q4", "--seed", seed]);
    ok(
        &db,
        &["assign", "--quarter", "2026Q4", "--inspectors", "张三,李四"],
    );
    ok(&db, &["demo", "--fill-checks", "2026Q4"]);
    db
}

#[test]
#[allow(clippy::too_many_lines)] // one document, read top to bottom
fn the_notice_docx_is_a_gongwen_with_the_xlsx_figures_and_nothing_internal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_quarter(dir.path(), "300", "20261001");
    let ok = |args: &[&str]| ok(&db, args);
    let sheets = dir.path().join("整改表.xlsx");
    ok(&[
        "export",
        "rectification",
        "--quarter",
        "2026Q4",
        "--out",
        path_str(&sheets),
    ]);
    let docx = dir.path().join("通报.docx");
    let said = ok(&[
        "export",
        "notice",
        "--quarter",
        "2026Q4",
        "--out",
        path_str(&docx),
    ]);
    let book = dir.path().join("通报附表.xlsx");
    ok(&[
        "export",
        "notice",
        "--quarter",
        "2026Q4",
        "--out",
        path_str(&book),
    ]);

    let (paras, xml) = paragraphs(&docx);
    let text: Vec<&str> = paras
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(text[0], "关于示例市2026年第四季度政务新媒体抽查情况的通报");
    assert!(text[1].ends_with("有关单位："), "主送: {}", text[1]);
    assert!(text[2].contains("粤办函〔2019〕90号"), "basis: {}", text[2]);
    let at = |heading: &str| {
        text.iter()
            .position(|p| *p == heading)
            .unwrap_or_else(|| panic!("no {heading} in {text:#?}"))
    };
    let (one, two, three) = (
        at("一、总体情况"),
        at("二、存在的主要问题"),
        at("三、工作要求"),
    );
    assert!(one < two && two < three, "sections in order");

    // The figures: the sentence the command printed and the xlsx prints.
    let overview = said.lines().nth(1).expect("the overview line");
    assert_eq!(text[one + 1], overview);
    let summary = {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(&book).expect("open xlsx");
        wb.worksheet_range("总体情况").expect("总体情况")
    };
    assert!(
        summary.rows().any(|r| r
            .iter()
            .any(|c| *c == calamine::Data::String(overview.to_owned()))),
        "the xlsx prints the same sentence"
    );
    // The attachments are published too: no fingerprint, algorithm or names in 附件1.
    let printed: String = summary
        .rows()
        .flat_map(|r| r.iter().map(ToString::to_string))
        .collect::<Vec<_>>()
        .join("\n");
    for internal in ["SHA-256", "指纹", "算法", "王组长", "张三"] {
        assert!(!printed.contains(internal), "{internal} in 附件1");
    }
    assert!(
        text[one + 2].starts_with("分平台看，微信公众号抽查"),
        "{}",
        text[one + 2]
    );
    // 二: problem types with their counts, each account named with its unit and platform.
    let first_type = text[two + 1];
    assert!(first_type.starts_with("（一）"), "{first_type}");
    assert!(
        first_type.contains("属单项否决情形") && first_type.contains("“"),
        "{first_type}"
    );
    // 三: the deadline of the problems issued, as a date.
    let conn = rusqlite::Connection::open(&db).expect("db");
    let deadline: String = conn
        .query_row("SELECT MAX(deadline) FROM rectification", [], |r| r.get(0))
        .expect("deadline");
    let d = chrono::NaiveDate::parse_from_str(&deadline, "%Y-%m-%d").expect("a date");
    let written = d.format("%Y年%-m月%-d日").to_string();
    assert!(
        text[three + 1].contains(&format!("于{written}前")),
        "{}",
        text[three + 1]
    );
    assert!(text.iter().any(|p| p.starts_with("附件：1．")));
    assert_eq!(text[text.len() - 2], "示例市人民政府办公室");

    // Nothing internal: no fingerprint, seed or staff names.
    let all = text.join("\n");
    for internal in ["20261001", "SHA", "指纹", "种子", "王组长", "张三", "李四"] {
        assert!(
            !all.contains(internal),
            "{internal} in the published notice"
        );
    }

    // The attachments print at a readable size: 附件 in each page header, the columns of every
    // sheet within what an A4 landscape page holds at about 88%.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).expect("open")).expect("zip");
    let mut headers = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        if !f.name().expect("name").starts_with("xl/worksheets/sheet") {
            continue;
        }
        let mut sheet = String::new();
        f.read_to_string(&mut sheet).expect("read");
        let visible: f64 = elements(&sheet, "col")
            .iter()
            .filter(|c| !c.contains(r#"hidden="1""#))
            .map(|c| {
                let span =
                    attribute(c, "max").unwrap_or(0.0) - attribute(c, "min").unwrap_or(0.0) + 1.0;
                attribute(c, "width").unwrap_or(0.0) * span
            })
            .sum();
        assert!(visible < 125.0, "columns {visible} wide print below 85%");
        let header = sheet
            .split("<oddHeader>")
            .nth(1)
            .and_then(|h| h.split("</oddHeader>").next())
            .unwrap_or_default()
            .to_owned();
        headers.push(header);
    }
    assert_eq!(
        headers,
        [
            "&amp;L附件1",
            "&amp;L附件2",
            "&amp;L附件2（续）",
            "&amp;L附件1（续）"
        ]
    );

    // The header rows of the long tables repeat on every printed page.
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .expect("workbook")
        .read_to_string(&mut workbook)
        .expect("read");
    for sheet in ["问题账号", "其他问题", "全部结果"] {
        assert!(
            workbook.contains(&format!("{sheet}!$2:$2"))
                || workbook.contains(&format!("'{sheet}'!$2:$2")),
            "{sheet}: header repeated: {workbook}"
        );
    }

    // GB/T 9704: A4, its margins, 3号 body, 22 lines a page, page numbers.
    assert!(
        xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#),
        "A4"
    );
    assert!(
        xml.contains(r#"w:top="2098""#) && xml.contains(r#"w:left="1587""#),
        "margins"
    );
    assert!(xml.contains(r#"w:line="579""#) && xml.contains(r#"w:lineRule="exact""#));
    assert!(xml.contains("仿宋") && xml.contains("黑体") && xml.contains("方正小标宋简体"));
    let mut footer = String::new();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).expect("open")).expect("zip");
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        if f.name().expect("name").starts_with("word/footer") {
            f.read_to_string(&mut footer).expect("read footer");
        }
    }
    assert!(footer.contains("PAGE"), "a page number field: {footer}");
    // Where a 公文 font is missing, the document names its standard fallback.
    let mut fonts = String::new();
    zip.by_name("word/fontTable.xml")
        .expect("font table")
        .read_to_string(&mut fonts)
        .expect("read");
    for (font, fallback) in [
        ("方正小标宋简体", "宋体"),
        ("仿宋", "仿宋_GB2312"),
        ("楷体", "楷体_GB2312"),
    ] {
        assert!(
            fonts.contains(&format!(
                r#"<w:font w:name="{font}"><w:altName w:val="{fallback}"/>"#
            )),
            "{font} → {fallback}: {fonts}"
        );
    }
}

/// The attributes of every `<tag …>` element in `xml`.
fn elements<'x>(xml: &'x str, tag: &str) -> Vec<&'x str> {
    let open = format!("<{tag} ");
    xml.match_indices(&open)
        .map(|(i, _)| {
            let rest = &xml[i..];
            &rest[..rest.find('>').unwrap_or(rest.len())]
        })
        .collect()
}

fn attribute(element: &str, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let at = element.find(&key)? + key.len();
    element[at..].split('"').next()?.parse().ok()
}

#[test]
fn the_rectification_form_prints_at_ten_points_with_room_to_write_and_a_stamp_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_quarter(dir.path(), "200", "7");
    let ok = |args: &[&str]| ok(&db, args);
    let book = dir.path().join("整改表.xlsx");
    ok(&[
        "export",
        "rectification",
        "--quarter",
        "2026Q4",
        "--out",
        path_str(&book),
    ]);

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).expect("open")).expect("zip");
    let names: Vec<String> = (0..zip.len())
        .map(|i| {
            zip.by_index(i)
                .expect("entry")
                .name()
                .expect("name")
                .to_string()
        })
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .collect();
    assert!(names.len() > 1, "one sheet per unit");
    for name in names {
        let mut xml = String::new();
        zip.by_name(&name)
            .expect("sheet")
            .read_to_string(&mut xml)
            .expect("read");
        // A4 landscape, fit to the width, numbered from 1 in each unit's sheet, 附件3 on top.
        let setup = elements(&xml, "pageSetup")[0];
        assert!(
            setup.contains(r#"paperSize="9""#) && setup.contains("landscape"),
            "{setup}"
        );
        assert!(
            setup.contains(r#"useFirstPageNumber="1""#),
            "{name}: {setup}"
        );
        assert!(
            xml.contains("<fitToPage") || xml.contains(r#"fitToPage="1""#),
            "{name}"
        );
        assert!(xml.contains("&amp;L附件3"), "{name}: 附件3 in the header");
        // The visible columns: narrow enough that the page is printed at 10 pt or more (the
        // widths were measured in LibreOffice's PDF at 116 in all).
        let visible: f64 = elements(&xml, "col")
            .iter()
            .filter(|c| !c.contains(r#"hidden="1""#))
            .map(|c| {
                let span =
                    attribute(c, "max").unwrap_or(0.0) - attribute(c, "min").unwrap_or(0.0) + 1.0;
                attribute(c, "width").unwrap_or(0.0) * span
            })
            .sum();
        assert!(
            visible < 125.0,
            "{name}: columns {visible} wide print below 10 pt"
        );
        // Problem rows (from Excel row 5) at least three lines tall, until the blank row.
        let rows = elements(&xml, "row");
        let problem_rows: Vec<&&str> = rows
            .iter()
            .filter(|r| attribute(r, "r").is_some_and(|n| n >= 5.0))
            .take_while(|r| attribute(r, "ht").is_some_and(|h| h >= 47.0))
            .collect();
        assert!(!problem_rows.is_empty(), "{name}: rows of three lines");
    }
    // The stamp block's words are shared strings of the workbook.
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .expect("strings")
        .read_to_string(&mut strings)
        .expect("read");
    for words in ["填报单位（盖章）：", "负责人（签字）：", "账号标识"] {
        assert!(strings.contains(words), "{words}");
    }
}
