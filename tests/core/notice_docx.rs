//! The documents an office sends, made from the command line as a supervisor would and read
//! back from the files: the 通报 as a Word document (page set up as GB/T 9704 asks, the title
//! with the region, the sections in order, the figures the xlsx attachments print, the deadline
//! as a date, page numbers, nothing internal) and the 整改表 as a paper form.

use std::io::Read;

use crate::support::{path_str, run, stderr, stdout};
use spotcheck::store::Store;

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
    // The docx sets figures without the xlsx wording's half-width spaces.
    assert_eq!(text[one + 1], overview.replace(' ', ""));
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
    // 二: problem types with their counts, each account named with its unit and platform, or
    // past ten of them where they are, with the list in 附件2.
    let first_type = text[two + 1];
    assert!(first_type.starts_with("（一）"), "{first_type}");
    assert!(
        first_type.contains("属单项否决情形")
            && (first_type.contains("“") || first_type.contains("名单详见附件2")),
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
    // 主送 by level (a city's counties and departments), no contact line unless set.
    assert!(text.contains(&"各县（市、区）人民政府办公室，市直各有关单位："));
    assert!(!text.iter().any(|p| p.starts_with("联系人")));
    // With a 发文机关 set, it signs; 主送 and the contact as set (pasted with a line break).
    ok(&[
        "settings",
        "--office",
        "示例市政务服务数据管理局",
        "--addressees",
        "各区人民政府，\n市直各有关单位",
        "--contact",
        "联系人：张三，020-12345678",
    ]);
    let signed = dir.path().join("通报（数据局）.docx");
    ok(&[
        "export",
        "notice",
        "--quarter",
        "2026Q4",
        "--out",
        path_str(&signed),
        "--allow-unfinished",
    ]);
    let (by_office, _) = paragraphs(&signed);
    let by_office: Vec<&String> = by_office.iter().filter(|p| !p.is_empty()).collect();
    assert_eq!(by_office[by_office.len() - 2], "示例市政务服务数据管理局");
    assert!(
        by_office.contains(&&"各区人民政府，市直各有关单位：".to_owned()),
        "{by_office:#?}"
    );
    let contact = by_office
        .iter()
        .position(|p| p.as_str() == "联系人：张三，020-12345678。")
        .expect("the contact line");
    let attachments = by_office
        .iter()
        .position(|p| p.starts_with("附件："))
        .expect("附件");
    assert!(by_office[contact - 1].starts_with("各单位要落实主体责任") && contact < attachments);

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
        // 宋体 11 columns: about 131 print at 82% (9 points) in LibreOffice, whose fallback
        // font makes them wider than Excel does.
        assert!(visible < 131.0, "columns {visible} wide print below 82%");
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
fn the_rectification_form_prints_at_nine_points_with_room_to_write_and_a_stamp_block() {
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
        // A4 landscape at 82%, numbered from 1 in each unit's sheet, 附件3 on top.
        let setup = elements(&xml, "pageSetup")[0];
        assert!(
            setup.contains(r#"paperSize="9""#) && setup.contains("landscape"),
            "{setup}"
        );
        assert!(
            setup.contains(r#"useFirstPageNumber="1""#),
            "{name}: {setup}"
        );
        assert!(setup.contains(r#"scale="82""#), "{name}: {setup}");
        assert!(xml.contains("&amp;L附件3"), "{name}: 附件3 in the header");
        // The visible columns fit the page at 82% (9 points): about 7.2 points a character
        // width in LibreOffice's PDF, the wider of it and Excel, on 798 points of paper.
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
            visible * 7.2 * 0.82 <= 798.0,
            "{name}: columns {visible} wide do not fit the page"
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

/// The text of `name` in the zip at `docx`.
fn part(docx: &std::path::Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).expect("open")).expect("zip");
    let mut xml = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no {name}"))
        .read_to_string(&mut xml)
        .expect("read");
    xml
}

/// The 通报 of a small 示例市 quarter, exported from the command line.
fn small_notice(dir: &std::path::Path) -> std::path::PathBuf {
    let db = demo_quarter(dir, "120", "3");
    let docx = dir.join("通报.docx");
    ok(
        &db,
        &[
            "export",
            "notice",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&docx),
        ],
    );
    docx
}

/// The value of `name="…"` in `element`, as text.
fn value<'x>(element: &'x str, name: &str) -> Option<&'x str> {
    let key = format!(" {name}=\"");
    let at = element.find(&key)? + key.len();
    element[at..].split('"').next()
}

#[test]
fn the_signature_and_date_stay_on_the_page_of_the_last_lines_with_the_office_centred() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docx = small_notice(dir.path());
    let (paras, xml) = paragraphs(&docx);
    let pieces: Vec<&str> = xml.split("</w:p>").collect();
    let last_body = paras
        .iter()
        .position(|p| p.starts_with("各单位要落实主体责任"))
        .expect("the last body paragraph");
    let office = paras
        .iter()
        .position(|p| p == "示例市人民政府办公室")
        .expect("the 署名");
    assert!(paras[office + 1].starts_with("20"), "{}", paras[office + 1]);
    // Kept with the next: the last body paragraph, the blank lines, the 附件说明 and the 署名.
    for (i, piece) in pieces.iter().enumerate().take(office + 1).skip(last_body) {
        assert!(piece.contains("<w:keepNext"), "{}: {piece}", paras[i]);
    }
    assert!(
        !pieces[last_body - 1].contains("<w:keepNext"),
        "only the end is kept together"
    );
    // 成文日期 右空四字 (four 28-a-line characters of the 156 mm 版心), 署名 centred over it.
    let right = |i: usize| -> i32 {
        let ind = elements(pieces[i], "w:ind")[0];
        value(ind, "w:right")
            .expect("w:right")
            .parse()
            .expect("twips")
    };
    let cell = (11_906 - 1_587 - 1_474) / 28;
    assert_eq!(right(office + 1), 4 * cell, "右空四字");
    for i in [office, office + 1] {
        assert!(pieces[i].contains(r#"<w:jc w:val="right""#), "{}", paras[i]);
    }
    // The date is 6.5 to 8 characters wide (half-width digits, the gaps beside them), the office
    // 10: its centre over the date's.
    let office_right = right(office);
    assert!(
        (4 * cell + 13 * cell / 4 - 5 * cell..=4 * cell + 4 * cell - 5 * cell)
            .contains(&office_right),
        "署名 right indent {office_right}"
    );
}

#[test]
fn page_numbers_are_4hao_songti_on_the_outer_side_seven_mm_under_the_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docx = small_notice(dir.path());
    let document = part(&docx, "word/document.xml");
    let settings = part(&docx, "word/settings.xml");
    let rels = part(&docx, "word/_rels/document.xml.rels");
    assert!(settings.contains("<w:evenAndOddHeaders"), "{settings}");
    let footer = |kind: &str| -> String {
        let reference = elements(&document, "w:footerReference")
            .into_iter()
            .find(|r| value(r, "w:type") == Some(kind))
            .unwrap_or_else(|| panic!("no {kind} footer"));
        let id = value(reference, "r:id").expect("r:id");
        let rel = elements(&rels, "Relationship")
            .into_iter()
            .find(|r| value(r, "Id") == Some(id))
            .expect("the footer's relationship");
        part(
            &docx,
            &format!("word/{}", value(rel, "Target").expect("target")),
        )
    };
    // Odd pages (the default footer) right, even pages left, each 空一字 (one 14 pt character).
    for (kind, side, indent) in [("default", "right", "w:right"), ("even", "left", "w:left")] {
        let xml = footer(kind);
        assert!(
            xml.contains(&format!(r#"<w:jc w:val="{side}""#)),
            "{kind}: {xml}"
        );
        let ind = elements(&xml, "w:ind")[0];
        assert_eq!(value(ind, indent), Some("280"), "{kind}: {ind}");
        // 「— N —」, every run (the page number's too) in 4号宋体.
        let runs: Vec<&str> = xml.split("<w:r>").skip(1).collect();
        assert_eq!(runs.len(), 3, "{kind}: {xml}");
        assert!(
            runs[0].contains(">— <") && runs[2].contains("> —<"),
            "{xml}"
        );
        assert!(runs[1].contains("<w:instrText>PAGE</w:instrText>"), "{xml}");
        for run in runs {
            assert!(run.contains(r#"<w:sz w:val="28""#), "{kind}: {run}");
            assert!(
                run.contains(r#"w:ascii="宋体""#) && run.contains(r#"w:eastAsia="宋体""#),
                "{kind}: {run}"
            );
        }
    }
    // The footer's foot 35 mm − 7 mm − one 14 pt line from the page's foot: the dashes' line
    // begins 7 mm under the 版心.
    let margins = elements(&document, "w:pgMar")[0];
    assert_eq!(value(margins, "w:footer"), Some("1307"), "{margins}");
    assert_eq!(1_984 - 397 - 280, 1_307);
}

#[test]
fn the_page_has_a_grid_of_22_lines_of_28_characters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docx = small_notice(dir.path());
    let document = part(&docx, "word/document.xml");
    let grid = elements(&document, "w:docGrid")[0];
    assert_eq!(value(grid, "w:type"), Some("linesAndChars"), "{grid}");
    let pitch: i32 = value(grid, "w:linePitch")
        .expect("pitch")
        .parse()
        .expect("n");
    let space: i32 = value(grid, "w:charSpace")
        .expect("space")
        .parse()
        .expect("n");
    // 22 lines in the 225 mm between the margins, 28 characters of 16 pt + charSpace/4096 pt in
    // the 156 mm.
    let height = 16_838 - 2_098 - 1_984;
    assert!(22 * pitch <= height && 23 * pitch > height, "{pitch}");
    let width = f64::from(11_906 - 1_587 - 1_474);
    let cell = (16.0 + f64::from(space) / 4096.0) * 20.0;
    assert!((width / cell - 28.0).abs() < 0.01, "{cell}");
    // The pitch is taken from the Normal style's size: 3号.
    let styles = part(&docx, "word/styles.xml");
    let normal = styles
        .split(r#"w:styleId="Normal""#)
        .nth(1)
        .and_then(|s| s.split("</w:style>").next())
        .expect("Normal");
    assert!(normal.contains(r#"<w:sz w:val="32""#), "{normal}");
    // No extra space between Chinese and figures or Latin letters (it pushes text off the grid).
    assert!(
        normal.contains(r#"<w:autoSpaceDE w:val="0""#)
            && normal.contains(r#"<w:autoSpaceDN w:val="0""#),
        "{normal}"
    );
    // 3号 text is condensed so 28 characters fill a line where the grid is not applied.
    assert!(document.contains(r#"<w:spacing w:val="-6""#));
}

#[test]
fn the_properties_name_the_issuing_office_and_the_export_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docx = small_notice(dir.path());
    let core = part(&docx, "docProps/core.xml");
    for tag in ["dc:creator", "cp:lastModifiedBy"] {
        assert!(
            core.contains(&format!("<{tag}>示例市人民政府办公室</{tag}>")),
            "{tag}: {core}"
        );
    }
    let now = chrono::Utc::now().naive_utc();
    for tag in ["dcterms:created", "dcterms:modified"] {
        let at = core
            .split(&format!("<{tag} "))
            .nth(1)
            .and_then(|s| s.split('>').nth(1))
            .and_then(|s| s.split('<').next())
            .expect(tag);
        let at = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%SZ").expect(tag);
        assert!((now - at).num_minutes().abs() < 10, "{tag} {at}, now {now}");
    }
}

#[test]
fn no_half_width_spaces_between_chinese_and_figures() {
    assert_eq!(
        spotcheck::export::tight("其中合格 132 个、合格率 85.71%，Web 端（3 个）, a b"),
        "其中合格132个、合格率85.71%，Web端（3个）, a b"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let docx = small_notice(dir.path());
    let (paras, _) = paragraphs(&docx);
    let wide = |c: char| !c.is_ascii();
    for p in &paras {
        let chars: Vec<char> = p.chars().collect();
        for w in chars.windows(3) {
            assert!(
                !(w[1] == ' '
                    && ((wide(w[0]) && w[2].is_ascii_alphanumeric())
                        || (w[0].is_ascii_alphanumeric() && wide(w[2])))),
                "a half-width space in {p}"
            );
        }
    }
    assert!(
        paras
            .iter()
            .any(|p| p.contains("其中合格") && !p.contains("其中合格 ")),
        "{paras:#?}"
    );
}

/// The docx notice keeps where the operation log stood, as the xlsx 附表 does: `log verify
/// --against 通报.docx` compares with it, and finds entries deleted after it was exported.
#[test]
fn the_docx_keeps_the_log_record_that_log_verify_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docx = small_notice(dir.path());
    let db = dir.path().join("t.db");
    let head = spotcheck::export::notice_log_head(&docx).expect("a log record in the docx");
    let entries = Store::open(&db)
        .expect("open")
        .log_chain()
        .expect("chain")
        .len();
    assert_eq!(
        head.entries + 1,
        entries,
        "recorded before its own export entry"
    );
    let out = run(&db, &["log", "verify", "--against", path_str(&docx)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("没有用来对照"), "{}", stderr(&out));
    // The entries after the first are deleted: the notice says how many are missing.
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute("DELETE FROM operation_log WHERE id > 1", [])
        .expect("delete");
    let out = run(&db, &["log", "verify", "--against", path_str(&docx)]);
    assert!(!out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("日志在第 1 条之后少了") && err.contains(&docx.display().to_string()),
        "{err}"
    );
}

/// A large quarter's notice stays a few pages: past ten accounts of a problem type the body
/// says where they are and leaves the names to 附件2; the 附件说明 names the attachments as
/// they are headed.
#[test]
fn a_large_quarter_names_where_the_problems_are_and_leaves_the_list_to_the_attachment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_quarter(dir.path(), "1500", "7");
    let docx = dir.path().join("通报.docx");
    let book = dir.path().join("附件.xlsx");
    for out in [&docx, &book] {
        ok(
            &db,
            &[
                "export",
                "notice",
                "--quarter",
                "2026Q4",
                "--out",
                path_str(out),
            ],
        );
    }
    let (paragraphs, _) = paragraphs(&docx);
    let mut summarised = 0;
    for p in &paragraphs {
        // Each account named is quoted: “账号名称”.
        let named = p.matches('“').count();
        assert!(named <= 10, "{named} accounts named in one paragraph: {p}");
        if p.contains("分布在") {
            assert!(p.contains("名单详见附件2"), "{p}");
            summarised += 1;
            // The places add up to the accounts: 「共 N 个」 (problems), or 「涉及 M 个账号」
            // where one account has two problems of the type.
            let number_before = |text: &str, end: &str| -> usize {
                let head = &text[..text.find(end).expect(end)];
                let digits: String = head
                    .chars()
                    .rev()
                    .take_while(char::is_ascii_digit)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                digits.parse().expect("a number")
            };
            let accounts = match p.find("涉及") {
                Some(at) => number_before(&p[at..], "个账号"),
                None => number_before(&p[p.find("共").expect("共")..], "个"),
            };
            let places = &p[p.find("分布在").expect("分布在") + "分布在".len()..];
            let places = &places[..places.find(['；', '，']).expect("end of the places")];
            let in_places: usize = places
                .split('、')
                .map(|place| number_before(place, "个"))
                .sum();
            assert_eq!(in_places, accounts, "{p}");
        }
    }
    assert!(
        summarised > 0,
        "some problem type has more than ten accounts"
    );
    // About 600 characters fill a page of 22 lines of 28: the whole text within six pages.
    let characters: usize = paragraphs.iter().map(|p| p.chars().count()).sum();
    assert!(characters < 6 * 600, "{characters} characters");

    // The attachments are published as they are: no internal log record in them (the docx
    // keeps it, for `log verify --against`).
    assert!(spotcheck::export::notice_log_head(&book).is_none());
    assert!(spotcheck::export::notice_log_head(&docx).is_some());

    // 附件说明: the titles the attachments carry.
    let titles: Vec<&String> = paragraphs
        .iter()
        .filter(|p| p.starts_with("附件：1．") || p.starts_with("2．") || p.starts_with("3．"))
        .collect();
    assert_eq!(titles.len(), 3, "{paragraphs:#?}");
    let summary = calamine_title(&book, "总体情况");
    assert_eq!(titles[0].trim_start_matches("附件：1．"), summary);
    let problems = calamine_title(&book, "问题账号");
    assert!(
        problems.starts_with(titles[1].trim_start_matches("2．")),
        "{problems} / {}",
        titles[1]
    );
    assert_eq!(
        titles[2].trim_start_matches("3．"),
        "示例市2026年第四季度政务新媒体检查问题整改表"
    );
}

/// The title (cell A1) of sheet `name` of the workbook at `path`.
fn calamine_title(path: &std::path::Path, name: &str) -> String {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).expect("open xlsx");
    let range = book.worksheet_range(name).expect("sheet");
    range
        .get_value((0, 0))
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Exporting while a veto item is 不符合 without evidence names the account: it cannot be
/// finished (and is not counted 不合格) until the evidence is attached.
#[test]
fn a_veto_failure_without_evidence_is_named_when_the_notice_is_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::support::demo_db(dir.path(), "60");
    let drawn: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["sample", "--quarter", "2026Q4", "--seed", "3", "--json"],
    ))
    .expect("json");
    let first = &drawn["accounts"][0];
    let (platform, id, name) = (
        first["platform"].as_str().expect("platform"),
        first["account_id"].as_str().expect("id"),
        first["name"].as_str().expect("name"),
    );
    let results = dir.path().join("结果.csv");
    std::fs::write(
        &results,
        format!("平台,账号标识,检查项,结果,说明,检查日期\n{platform},{id},V01,不符合,领导姓名错误,2026-11-20\n"),
    )
    .expect("write");
    ok(
        &db,
        &[
            "results",
            "import",
            path_str(&results),
            "--quarter",
            "2026Q4",
        ],
    );
    let out = run(
        &db,
        &[
            "export",
            "notice",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&dir.path().join("通报.docx")),
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("其中 1 个判定了单项否决项不符合、还没有附证据")
            && err.contains(&format!("“{name}”（{platform}）")),
        "{err}"
    );
}
