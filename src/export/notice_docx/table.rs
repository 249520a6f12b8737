//! Attachment pages with a table (附件), after a notice's 落款: A4 landscape, the 225 × 156 mm
//! 版心 of the portrait page turned, 「附件」 in 3号黑体 at the top left, the table's title in
//! 2号小标宋, the table in 五号 (10.5 pt: 仿宋, its head and 合计 in 黑体) filling the 版心's
//! width, its head repeated on every page and no row split across pages, notes under it; the
//! same page numbers as the text.

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, PageOrientationType, Paragraph, Run,
    SpecialIndentType, Table, TableAlignmentType, TableBorder, TableBorderPosition, TableBorders,
    TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};

use super::page::{
    A4, BODY_FONT, HEADING_FONT, SIZE_3, blank, exact_lines, footer_distance, run, title,
};

/// Landscape margins: the portrait ones turned, so the 版心 stays 225 × 156 mm.
const TOP: i32 = super::page::MARGIN_LEFT;
const BOTTOM: i32 = super::page::MARGIN_RIGHT;
const LEFT: i32 = super::page::MARGIN_TOP;
const RIGHT: i32 = super::page::MARGIN_BOTTOM;
/// The 版心's width on a landscape page, in twips (225 mm).
const WIDTH: i32 = A4.1.cast_signed() - LEFT - RIGHT;
/// 五号 (10.5 pt) in half-points, and its lines (15 pt) in twips.
const CELL_SIZE: usize = 21;
const CELL_LINE: i32 = 300;
/// 小四 (12 pt) for the notes under a table, 18 pt lines.
const NOTE_SIZE: usize = 24;
const NOTE_LINE: i32 = 360;
/// 「注：」 in 小四: two 12 pt characters.
const NOTE_INDENT: i32 = 480;
/// Rows at least 8 mm tall (the head 10 mm): room to read and to mark by hand.
const ROW: f32 = 454.0;
const HEAD_ROW: f32 = 567.0;
/// 0.5 mm each side of a cell's text (Word's default is 1.9 mm).
const CELL_MARGIN: usize = 28;
/// Borders of 0.5 pt (eighths of a point).
const BORDER: usize = 4;

/// An attachment: its label (附件 or 附件1), the table's title, its columns (heads and relative
/// widths), its rows, a 合计 row when it has one, and notes under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentTable {
    pub label: String,
    pub title: String,
    pub columns: Vec<(String, u32)>,
    pub rows: Vec<Vec<String>>,
    pub total: Option<Vec<String>>,
    pub notes: Vec<String>,
}

/// `doc` with its last section on the landscape page.
pub(super) fn landscape(doc: Docx) -> Docx {
    doc.page_size(A4.1, A4.0)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(TOP)
                .bottom(BOTTOM)
                .left(LEFT)
                .right(RIGHT)
                .header(851)
                .footer(footer_distance(BOTTOM)),
        )
}

/// One cell: its text centred in `font`, 五号; `keep` keeps its row with what follows.
fn cell(text: &str, font: &str, width: usize, keep: bool) -> TableCell {
    let mut p = Paragraph::new()
        .align(AlignmentType::Center)
        .snap_to_grid(false)
        .keep_next(keep)
        .line_spacing(exact_lines(CELL_LINE));
    // One run a line: a cell's own line breaks (「在运行\n账号数」) kept.
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            p = p.add_run(Run::new().add_break(BreakType::TextWrapping));
        }
        p = p.add_run(run(line, font, CELL_SIZE));
    }
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .add_paragraph(p)
}

fn row(texts: &[String], font: &str, widths: &[usize], height: f32, keep: bool) -> TableRow {
    TableRow::new(
        texts
            .iter()
            .zip(widths)
            .map(|(t, w)| cell(t, font, *w, keep))
            .collect(),
    )
    .cant_split()
    .row_height(height)
}

/// Column widths in twips, the relative `weights` spread over the 版心's width.
fn widths(weights: &[u32]) -> Vec<usize> {
    let sum: u32 = weights.iter().sum::<u32>().max(1);
    let width = WIDTH.unsigned_abs();
    weights.iter().map(|w| (width * w / sum) as usize).collect()
}

/// `doc` with `attachment` added; `first` begins right after a section break, the others on a
/// page of their own.
pub(super) fn add_attachment(doc: Docx, attachment: &AttachmentTable, first: bool) -> Docx {
    let label = Paragraph::new()
        .add_run(run(&attachment.label, HEADING_FONT, SIZE_3))
        .snap_to_grid(false)
        .line_spacing(exact_lines(560));
    let label = if first {
        label
    } else {
        label.page_break_before(true)
    };
    let weights: Vec<u32> = attachment.columns.iter().map(|(_, w)| *w).collect();
    let widths = widths(&weights);
    let heads: Vec<String> = attachment.columns.iter().map(|(h, _)| h.clone()).collect();
    // The head, the rows, the 合计 in 黑体; the last two rows kept with the notes, so that no
    // page holds notes alone.
    let mut lines: Vec<(&[String], &str, f32)> = vec![(&heads, HEADING_FONT, HEAD_ROW)];
    lines.extend(
        attachment
            .rows
            .iter()
            .map(|r| (r.as_slice(), BODY_FONT, ROW)),
    );
    if let Some(total) = &attachment.total {
        lines.push((total, HEADING_FONT, ROW));
    }
    let kept_from = if attachment.notes.is_empty() {
        lines.len()
    } else {
        lines.len().saturating_sub(2).max(1)
    };
    let rows: Vec<TableRow> = lines
        .iter()
        .enumerate()
        .map(|(i, (texts, font, height))| row(texts, font, &widths, *height, i >= kept_from))
        .collect();
    let border = |p: TableBorderPosition| TableBorder::new(p).size(BORDER);
    let borders = [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::new(), |b, p| b.set(border(p)));
    let table = Table::new(rows)
        .margins(TableCellMargins::new().margin(0, CELL_MARGIN, 0, CELL_MARGIN))
        .set_grid(widths.clone())
        .width(widths.iter().sum(), WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .set_borders(borders);
    let mut doc = doc
        .add_paragraph(label)
        .add_paragraph(title(&attachment.title))
        .add_paragraph(blank().snap_to_grid(false).line_spacing(exact_lines(240)))
        .add_table(table);
    for (i, note) in attachment.notes.iter().enumerate() {
        let p = Paragraph::new()
            .add_run(run(note, BODY_FONT, NOTE_SIZE))
            .keep_next(i + 1 < attachment.notes.len())
            .snap_to_grid(false)
            .line_spacing(exact_lines(NOTE_LINE))
            .align(AlignmentType::Both);
        // Every note's lines under the first's text (after 「注：」), the first hanging.
        let p = if i == 0 {
            p.line_spacing(exact_lines(NOTE_LINE).before(120)).indent(
                Some(NOTE_INDENT),
                Some(SpecialIndentType::Hanging(NOTE_INDENT)),
                None,
                None,
            )
        } else {
            p.indent(Some(NOTE_INDENT), None, None, None)
        };
        doc = doc.add_paragraph(p);
    }
    doc
}
