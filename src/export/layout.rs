//! How an office prints a table: A4 landscape, the header row repeated on every page, fit to
//! the page width, thin borders, 宋体, a frozen header, columns as wide as their Chinese text,
//! and 第 N 页 共 M 页 at the foot. Shared by every workbook spotcheck writes.

use rust_xlsxwriter::{
    ColNum, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};

pub(super) const FONT: &str = "宋体";

/// The formats of a printed table.
pub(super) struct Formats {
    pub title: Format,
    pub note: Format,
    /// A heading inside a sheet: 一、按区县统计.
    pub section: Format,
    pub head: Format,
    pub text: Format,
    pub number: Format,
    pub percent: Format,
    pub date: Format,
}

impl Formats {
    pub fn new() -> Self {
        let cell = Format::new()
            .set_font_name(FONT)
            .set_font_size(11)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Self {
            title: Format::new()
                .set_font_name(FONT)
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            note: Format::new()
                .set_font_name(FONT)
                .set_font_size(10)
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter),
            section: Format::new()
                .set_font_name(FONT)
                .set_font_size(12)
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter),
            head: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_background_color("#D9E1F2")
                .set_align(FormatAlign::Center),
            text: cell.clone().set_text_wrap(),
            number: cell.clone().set_align(FormatAlign::Center),
            percent: cell
                .clone()
                .set_num_format("0.00%")
                .set_align(FormatAlign::Center),
            date: cell
                .set_num_format("yyyy\"年\"m\"月\"d\"日\"")
                .set_align(FormatAlign::Center),
        }
    }
}

/// A workbook whose default font is the tables' own (宋体 11, Excel's default for it: digits 8
/// pixels wide, columns 72 pixels, rows 13.5 points), so that a column's width in characters
/// means the same to Excel and to `LibreOffice` as to [`text_width`].
pub(super) fn workbook() -> Workbook {
    let mut book = Workbook::new();
    let default = Format::new().set_font_name(FONT).set_font_size(11);
    // Only fails after a worksheet is added, and this book has none yet.
    let _ = book.set_default_format(&default, 18, 72);
    book
}

/// Roughly how many character widths a spreadsheet needs for `text` in 宋体 11: a Chinese
/// character about 1.9 (15 pixels against 8 for a digit, in Excel with 宋体; about 1.6 in
/// `LibreOffice` with a fallback font, so its rows have room to spare, never too little).
pub(super) fn text_width(text: &str) -> f64 {
    text.lines()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 1.05 } else { 1.9 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// How many printed lines `text` takes in a column `width` wide (its own line breaks, and the
/// wrapping of each line).
pub(super) fn lines_in(text: &str, width: f64) -> usize {
    text.lines()
        .map(|l| wrapped_lines(text_width(l), width))
        .sum::<usize>()
        .max(1)
}

/// How many printed lines one line of text `line_width` wide takes in a column `width` wide
/// (a cell keeps about a character of its width for its margins). Whole lines only: a line
/// just over the width takes two.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // whole, at least 1.0, small
pub(super) fn wrapped_lines(line_width: f64, width: f64) -> usize {
    (line_width / (width - 1.0).max(1.0)).ceil().max(1.0) as usize
}

/// The height of a row whose cells take `lines` lines (Excel's 15-point line), so that wrapped
/// text never runs into the next row: `LibreOffice` does not fit rows by itself.
pub(super) fn row_height(lines: usize) -> f64 {
    15.0 * lines.max(1) as f64 + 2.0
}

/// Tracks the widest text of each column, to size columns once the table is written.
pub(super) struct Widths(Vec<f64>);

impl Widths {
    pub fn new(headers: &[&str]) -> Self {
        Self(headers.iter().map(|h| text_width(h) + 2.0).collect())
    }

    pub fn see(&mut self, col: usize, text: &str) {
        if let Some(w) = self.0.get_mut(col) {
            *w = w.max(text_width(text) + 2.0);
        }
    }

    /// Sets the widths, each capped at `max` (longer text wraps).
    pub fn apply(&self, sheet: &mut Worksheet, max: f64) -> Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            sheet.set_column_width(col(c), w.min(max))?;
        }
        Ok(())
    }
}

/// Sets the column widths.
pub(super) fn set_widths(sheet: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c), *w)?;
    }
    Ok(())
}

/// How wide a landscape A4 sheet's columns may be in all (character widths of 宋体 11) for it
/// to print at about 84% with the margins of [`page_setup`]: 11-point text at 9 points or more
/// (measured in `LibreOffice`'s PDF, whose fallback font makes columns wider than Excel's).
pub(super) const PRINT_WIDTH: f64 = 122.0;

pub(super) fn col(c: usize) -> ColNum {
    ColNum::try_from(c).unwrap_or(ColNum::MAX)
}

pub(super) fn row(r: usize) -> RowNum {
    RowNum::try_from(r).unwrap_or(RowNum::MAX)
}

/// Writes the header row of a table at `at`.
pub(super) fn header(
    sheet: &mut Worksheet,
    at: RowNum,
    headers: &[&str],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(at, col(c), *h, &formats.head)?;
    }
    sheet.set_row_height(at, 28)?;
    Ok(())
}

/// The height (points of the sheet's rows) of an A4 landscape page printed at `scale` percent
/// with `margin` inches at the top and at the bottom, a little kept back because applications
/// round row heights differently.
pub(super) fn page_height(scale: u16, margin: f64) -> f64 {
    (595.0 - 144.0 * margin) * 100.0 / f64::from(scale) * 0.97
}

/// A4 landscape, fit to the page width, page numbers at the foot.
pub(super) fn page_setup(sheet: &mut Worksheet) {
    sheet
        .set_paper_size(9) // A4
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.5, 0.5, 0.7, 0.7, 0.3, 0.3)
        .set_footer("&C第 &P 页 共 &N 页");
}

/// Page setup for a table whose header row is `header_row`: [`page_setup`], the header row
/// printed on every page and frozen on screen.
pub(super) fn print_setup(sheet: &mut Worksheet, header_row: RowNum) -> Result<(), XlsxError> {
    page_setup(sheet);
    sheet.set_repeat_rows(header_row, header_row)?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(())
}
