//! The page of a 通报: GB/T 9704-2012's A4 with its margins and document grid (22 lines of 28
//! characters), the fonts and sizes of each kind of paragraph, the 落款 kept with the last lines
//! of 正文, page numbers 「— 1 —」 in 4号宋体 on the outer side of each page, and the package's
//! properties (the issuing office as author, the export time). Shared by the city's notice and
//! the level's (which adds landscape attachment pages, `table`).

use std::path::Path;

use chrono::{NaiveDateTime, TimeZone};
use docx_rs::{
    AlignmentType, DocGrid, DocGridType, Docx, FieldCharType, Footer, FooterReference, InstrPAGE,
    InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts, SectionProperty,
    SpecialIndentType,
};

use super::{DocxError, Kind};

/// Fonts of a 公文 (GB/T 9704-2012). Where one is not installed, Word and WPS print with their
/// substitute (宋体 for 小标宋); the text stays the same.
pub(super) const TITLE_FONT: &str = "方正小标宋简体";
pub(super) const BODY_FONT: &str = "仿宋";
pub(super) const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体";
const PAGE_NUMBER_FONT: &str = "宋体";

/// Sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt.
pub(super) const SIZE_2: usize = 44;
pub(super) const SIZE_3: usize = 32;
const SIZE_4: usize = 28;

/// A4 and the margins of GB/T 9704, in twentieths of a point (1 mm ≈ 56.69).
pub(super) const A4: (u32, u32) = (11_906, 16_838);
pub(super) const MARGIN_TOP: i32 = 2_098; // 37 mm
pub(super) const MARGIN_BOTTOM: i32 = 1_984; // 35 mm
pub(super) const MARGIN_LEFT: i32 = 1_587; // 28 mm
pub(super) const MARGIN_RIGHT: i32 = 1_474; // 26 mm
/// 22 lines in the 225 mm 版心: 28.95 pt a line.
const LINE: i32 = 579;
/// 28 characters in the 156 mm 版心 (8,845 twips): 315.9 twips a character.
const CELL: i32 = (A4.0.cast_signed() - MARGIN_LEFT - MARGIN_RIGHT) / 28;
/// The document grid's character pitch relative to 3号 (16 pt), in 4096ths of a point:
/// 15.795 pt − 16 pt.
const CHAR_SPACE: isize = -842;
/// 3号 characters condensed by 0.3 pt (in twentieths of a point), so that 28 of them fill a line
/// without the document grid (28 × 15.7 pt ≤ 442.25 pt < 29 × 15.7 pt). Word and WPS would squeeze
/// 3号 text into the grid's 15.8 pt cells; `LibreOffice` gives each 16 pt character two cells of a
/// grid narrower than it (18 characters a line), so paragraphs do not snap to the character grid
/// and get their 28 characters from this instead, in all three.
const CONDENSE: i32 = -6;
/// 成文日期 右空四字.
const DATE_RIGHT: i32 = 4 * CELL;
/// Page numbers: 一字线 上距版心下边缘 7 mm, the line one 4号 character (14 pt) tall, so the
/// footer's foot is the bottom margin − 7 mm − 14 pt from the page's foot; 单页码居右空一字、
/// 双页码居左空一字.
const PAGE_NUMBER_GAP: i32 = 397;
const PAGE_NUMBER_LINE: i32 = 280;
/// One 4号 character (14 pt): how far the page number stands in from the outer margin.
const SIZE_4_CHAR: i32 = 280;
/// Paragraphs begin two characters in.
const FIRST_LINE: SpecialIndentType = SpecialIndentType::FirstLine(2 * CELL);

pub(super) fn fonts(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii(name).hi_ansi(name)
}

/// A run of `text`; 3号 text condensed by [`CONDENSE`].
pub(super) fn run(text: &str, font: &str, size: usize) -> Run {
    let r = Run::new().add_text(text).fonts(fonts(font)).size(size);
    if size == SIZE_3 {
        r.character_spacing(CONDENSE)
    } else {
        r
    }
}

pub(super) fn exact_lines(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(twips)
}

/// A body paragraph: 仿宋 三号, first line indented two characters.
fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, BODY_FONT, SIZE_3))
        .line_spacing(exact_lines(LINE))
        .indent(None, Some(FIRST_LINE), None, None)
        .align(AlignmentType::Both)
}

/// A paragraph that begins with a heading in `font` and goes on in the body font.
fn headed(heading: &str, font: &str, rest: &str) -> Paragraph {
    let p = Paragraph::new()
        .add_run(run(heading, font, SIZE_3))
        .line_spacing(exact_lines(LINE))
        .indent(None, Some(FIRST_LINE), None, None)
        .align(AlignmentType::Both);
    if rest.is_empty() {
        p.keep_next(true)
    } else {
        p.add_run(run(rest, BODY_FONT, SIZE_3))
    }
}

/// An empty line of the body's height.
pub(super) fn blank() -> Paragraph {
    Paragraph::new()
        .add_run(run("", BODY_FONT, SIZE_3))
        .line_spacing(exact_lines(LINE))
}

/// A title in 2号小标宋, centred; a `\n` in it is where its lines break (GB/T 9704: 回行时词意
///完整、排列对称).
pub(super) fn title(line: &str) -> Paragraph {
    let mut p = Paragraph::new()
        .align(AlignmentType::Center)
        .snap_to_grid(false)
        .line_spacing(exact_lines(700));
    for (i, part) in line.split('\n').enumerate() {
        if i > 0 {
            p = p.add_run(Run::new().add_break(docx_rs::BreakType::TextWrapping));
        }
        p = p.add_run(run(part, TITLE_FONT, SIZE_2));
    }
    p
}

/// A notice's title with its line break (`\n`) before 「政务新媒体……的通报」 when it is longer
/// than a line of 2号 (20 characters): 「关于示例市2026年第四季度」「政务新媒体抽查情况的通报」,
/// not a line broken inside 「抽查情况」.
pub(super) fn title_lines(title: &str) -> String {
    const SUBJECT: &str = "政务新媒体";
    match title.find(SUBJECT) {
        Some(at) if at > 0 && quarter_cells(title) > 20 * 4 => {
            format!("{}\n{}", &title[..at], &title[at..])
        }
        _ => title.to_owned(),
    }
}

/// 「— 1 —」: the dashes and the page number in one run style, 4号宋体 (digits half-width).
fn page_number(align: AlignmentType, outer: i32) -> Footer {
    let style = |r: Run| r.fonts(fonts(PAGE_NUMBER_FONT)).size(SIZE_4);
    let number = style(Run::new())
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false);
    let (left, right) = if matches!(align, AlignmentType::Left) {
        (Some(outer), None)
    } else {
        (None, Some(outer))
    };
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(align)
            .indent(left, None, right, None)
            .snap_to_grid(false)
            .line_spacing(exact_lines(PAGE_NUMBER_LINE).before(0).after(0))
            .add_run(style(Run::new().add_text("— ")))
            .add_run(number)
            .add_run(style(Run::new().add_text(" —"))),
    )
}

/// How wide `text` prints, in quarter characters: Chinese four, ASCII two, and one more where
/// Chinese meets a digit or letter (the gap Word, WPS and `LibreOffice` put there).
fn quarter_cells(text: &str) -> i32 {
    let mut width = 0;
    let mut last: Option<bool> = None;
    for c in text.chars() {
        let ascii = c.is_ascii();
        width += if ascii { 2 } else { 4 };
        if last.is_some_and(|was| was != ascii) {
            width += 1;
        }
        last = Some(ascii);
    }
    width
}

/// The right indents of 署名 and 成文日期: the date 右空四字, the office centred over it (as far
/// right as the margin allows when it is the longer by more than eight characters).
fn signature_indents(office: &str, date: &str) -> (i32, i32) {
    let office_at = DATE_RIGHT + (quarter_cells(date) - quarter_cells(office)) * CELL / 8;
    (office_at.max(0), DATE_RIGHT)
}

/// The paragraph of `line`, set as its kind is; `right` is the indent of a 署名 or 成文日期.
fn paragraph(kind: &Kind, line: &str, right: i32) -> Paragraph {
    match kind {
        Kind::Title => title(line),
        Kind::Addressee => Paragraph::new()
            .add_run(run(line, BODY_FONT, SIZE_3))
            .line_spacing(exact_lines(LINE)),
        Kind::Heading => headed(line, HEADING_FONT, ""),
        Kind::Subheading(heading) => headed(heading, SUBHEADING_FONT, line),
        Kind::Body | Kind::Attachment => body(line),
        // Aligned under the first attachment's name (two characters in, then 附件：).
        Kind::AttachmentMore => Paragraph::new()
            .add_run(run(line, BODY_FONT, SIZE_3))
            .line_spacing(exact_lines(LINE))
            .indent(Some(5 * CELL), None, None, None),
        Kind::Signature => Paragraph::new()
            .add_run(run(line, BODY_FONT, SIZE_3))
            .align(AlignmentType::Right)
            .line_spacing(exact_lines(LINE))
            .indent(None, None, Some(right), None),
        Kind::Plain => blank(),
    }
}

/// The paragraphs of a notice's text, title to 成文日期, set as their kinds are. The 落款 stays on
/// the page of the last lines of 正文: every paragraph from the last body paragraph to the 署名
/// is kept with the next, so a page never holds only the date.
pub(super) fn text_paragraphs(paragraphs: &[(Kind, String)]) -> Vec<Paragraph> {
    let office_at = paragraphs
        .iter()
        .position(|(k, _)| *k == Kind::Signature)
        .unwrap_or(paragraphs.len());
    let keep_from = paragraphs[..office_at]
        .iter()
        .rposition(|(k, _)| matches!(k, Kind::Body | Kind::Subheading(_)))
        .unwrap_or(office_at);
    let dates: Vec<&str> = paragraphs
        .iter()
        .filter(|(k, _)| *k == Kind::Signature)
        .map(|(_, l)| l.as_str())
        .collect();
    let (office_right, date_right) = signature_indents(
        dates.first().copied().unwrap_or_default(),
        dates.last().copied().unwrap_or_default(),
    );
    paragraphs
        .iter()
        .enumerate()
        .map(|(i, (kind, line))| {
            let right = if i == office_at {
                office_right
            } else {
                date_right
            };
            let p = paragraph(kind, line, right).snap_to_grid(false);
            if i >= keep_from && i <= office_at {
                p.keep_next(true)
            } else {
                p
            }
        })
        .collect()
}

/// The distance of the page number's line from the page's foot under a bottom margin.
pub(super) const fn footer_distance(bottom_margin: i32) -> i32 {
    bottom_margin - PAGE_NUMBER_GAP - PAGE_NUMBER_LINE
}

/// A document with the fonts and sizes of a 公文, its odd and even page numbers registered on its
/// last section (the first two footers: [`page_number_references`] names them), and the export
/// time as its created and modified properties. The caller sets the last section's page.
pub(super) fn document(exported: NaiveDateTime) -> Docx {
    Docx::new()
        .default_fonts(fonts(BODY_FONT))
        .default_size(SIZE_3)
        .footer(page_number(AlignmentType::Right, SIZE_4_CHAR))
        .even_footer(page_number(AlignmentType::Left, SIZE_4_CHAR))
        .created_at(&w3c_time(exported))
        .updated_at(&w3c_time(exported))
}

/// The portrait 版面 of GB/T 9704: A4, its margins, footers and 22 × 28 document grid.
fn portrait_margin() -> PageMargin {
    PageMargin::new()
        .top(MARGIN_TOP)
        .bottom(MARGIN_BOTTOM)
        .left(MARGIN_LEFT)
        .right(MARGIN_RIGHT)
        .header(851)
        .footer(footer_distance(MARGIN_BOTTOM))
}

fn portrait_grid() -> DocGrid {
    DocGrid::new()
        .grid_type(DocGridType::LinesAndChars)
        .line_pitch(LINE.unsigned_abs() as usize)
        .char_space(CHAR_SPACE)
}

/// `doc` with its last (only) section on the portrait page.
pub(super) fn portrait(doc: Docx) -> Docx {
    let mut doc = doc.page_size(A4.0, A4.1).page_margin(portrait_margin());
    doc.document = doc.document.doc_grid(portrait_grid());
    doc
}

/// The page numbers [`document`] registered, for a section that ends before the last.
fn page_number_references() -> (FooterReference, FooterReference) {
    (
        FooterReference::new("default", docx_rs::create_footer_rid(1)),
        FooterReference::new("even", docx_rs::create_footer_rid(2)),
    )
}

/// The portrait page as a section that ends at the paragraph carrying it (the notice's text
/// before its landscape attachments), with the same page numbers.
pub(super) fn portrait_section() -> SectionProperty {
    let (odd, even) = page_number_references();
    let mut section = SectionProperty::new()
        .page_size(docx_rs::PageSize::new().size(A4.0, A4.1))
        .page_margin(portrait_margin())
        .doc_grid(portrait_grid());
    section.footer_reference = Some(odd);
    section.even_footer_reference = Some(even);
    section
}

/// Writes `doc` to `path` whole or not at all (`export::atomic`), with [`finished`]'s parts and
/// `office` as author.
pub(super) fn save(doc: Docx, office: &str, path: &Path) -> Result<(), DocxError> {
    let fail = |detail: String| DocxError::Write {
        path: path.display().to_string(),
        detail,
    };
    let mut packed = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut packed)
        .map_err(|e| fail(e.to_string()))?;
    let bytes = finished(&packed.into_inner(), office).map_err(|e| fail(e.to_string()))?;
    crate::export::atomic::write_atomically(path, &bytes)
        .map_err(|e| fail(crate::model::os_error::describe(&e)))
}

/// `local` as the W3CDTF time of the document properties (UTC), as Word writes them.
fn w3c_time(local: NaiveDateTime) -> String {
    chrono::Local
        .from_local_datetime(&local)
        .earliest()
        .map_or(local, |t| t.naive_utc())
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `text` escaped for XML character data.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The fonts of the document with the standard fallback each names (`w:altName`), so that a
/// machine without 方正小标宋简体 or 仿宋 prints with 宋体 or `仿宋_GB2312` instead of a stranger
/// default. docx-rs writes a fixed font table; this one replaces it.
const FONT_TABLE: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="script"/><w:pitch w:val="default"/></w:font>"#,
    r#"<w:font w:name="仿宋"><w:altName w:val="仿宋_GB2312"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="楷体"><w:altName w:val="楷体_GB2312"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>"#,
    r#"<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>"#,
    r#"</w:fonts>"#,
);

/// The Normal style as docx-rs writes it (empty, fixed), and as the document grid needs it: in 3号
/// 仿宋, the size `LibreOffice` and WPS take the grid's character pitch from (with the 12 pt they
/// assume otherwise, each 3号 character takes two grid cells and a line holds 21); and without
/// the extra space word processors put between Chinese and Latin letters or figures
/// (`autoSpaceDE`, `autoSpaceDN`), which stretched 「其中合格132个」 off the grid.
const NORMAL_STYLE: (&str, &str) = (
    r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr />"#,
    r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:pPr><w:autoSpaceDE w:val="0" /><w:autoSpaceDN w:val="0" /></w:pPr><w:rPr><w:rFonts w:ascii="仿宋" w:hAnsi="仿宋" w:eastAsia="仿宋" /><w:sz w:val="32" /><w:szCs w:val="32" /></w:rPr>"#,
);

/// `document` (word/document.xml) with the first row of every table marked as its header, repeated
/// at the top of each page the table runs on (docx-rs has no setter for `w:tblHeader`).
fn with_header_rows(document: &str) -> String {
    const EMPTY: &str = "<w:trPr />";
    const CLOSE: &str = "</w:trPr>";
    let mut out = String::with_capacity(document.len() + 64);
    let mut rest = document;
    while let Some(at) = rest.find("<w:tbl>") {
        let (before, table) = rest.split_at(at);
        out.push_str(before);
        let row = table.find("<w:trPr").unwrap_or(table.len());
        if table[row..].starts_with(EMPTY) {
            out.push_str(&table[..row]);
            out.push_str("<w:trPr><w:tblHeader /></w:trPr>");
            rest = &table[row + EMPTY.len()..];
        } else if let Some(close) = table[row..].find(CLOSE) {
            out.push_str(&table[..row + close]);
            out.push_str("<w:tblHeader />");
            rest = &table[row + close..];
        } else {
            out.push_str(table);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

/// `docx` (a packed document) with what docx-rs cannot say put in: [`FONT_TABLE`] in place of
/// its font table, the 3号 Normal style, tables' header rows, and the issuing office as author
/// and last editor in its core properties (docx-rs writes 「unknown」 and has no setter for them).
fn finished(docx: &[u8], office: &str) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(docx))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let office = escaped(office);
    for i in 0..input.len() {
        let mut entry = input.by_index(i)?;
        let name = entry.name()?.to_string();
        if entry.is_dir() {
            out.add_directory(name.as_str(), options)?;
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        out.start_file(name.as_str(), options)?;
        if name == "word/fontTable.xml" {
            out.write_all(FONT_TABLE.as_bytes())?;
        } else if name == "word/styles.xml" {
            let styles = String::from_utf8_lossy(&bytes).replace(NORMAL_STYLE.0, NORMAL_STYLE.1);
            out.write_all(styles.as_bytes())?;
        } else if name == "word/document.xml" {
            out.write_all(with_header_rows(&String::from_utf8_lossy(&bytes)).as_bytes())?;
        } else if name == "docProps/core.xml" {
            let core = String::from_utf8_lossy(&bytes)
                .replace(
                    "<dc:creator>unknown</dc:creator>",
                    &format!("<dc:creator>{office}</dc:creator>"),
                )
                .replace(
                    "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
                    &format!("<cp:lastModifiedBy>{office}</cp:lastModifiedBy>"),
                );
            out.write_all(core.as_bytes())?;
        } else {
            out.write_all(&bytes)?;
        }
    }
    Ok(out.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::with_header_rows;

    #[test]
    fn the_first_row_of_each_table_repeats() {
        let xml = "<w:tbl><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr></w:tbl>x<w:tbl><w:tr><w:trPr /></w:tr></w:tbl>";
        assert_eq!(
            with_header_rows(xml),
            "<w:tbl><w:tr><w:trPr><w:cantSplit /><w:tblHeader /></w:trPr></w:tr><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr></w:tbl>x<w:tbl><w:tr><w:trPr><w:tblHeader /></w:trPr></w:tr></w:tbl>"
        );
        assert_eq!(with_header_rows("<w:p />"), "<w:p />");
    }
}
