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
/// text never runs into the next row: `LibreOffice` does not fit rows by itself. At most 409
/// points, the tallest row Excel allows.
pub(super) fn row_height(lines: usize) -> f64 {
    (15.0 * lines.max(1) as f64 + 2.0).min(409.0)
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
    (595.0 - 144.0 * margin) * 100.0 / f64::from(scale) * 0.98
}

/// The print scale (percent, at most 100) at which columns `widths` wide fill an A4 landscape
/// page between the margins of [`page_setup`]. Set instead of fitting to the width, so that
/// pages break where they were planned in Excel and `LibreOffice` alike: 7.2 points a character
/// width, as measured in `LibreOffice`'s PDF, the wider of the two.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 10..=100
pub(super) fn scale_for(widths: &[f64]) -> u16 {
    // Each column's width as stored carries about 0.7 of a character's padding.
    let total: f64 = widths.iter().map(|w| w + 0.7).sum();
    (770.0 / (7.2 * total.max(1.0)) * 100.0)
        .floor()
        .clamp(10.0, 100.0) as u16
}

/// Where a printed table's pages break: rows kept together (a heading with its first rows)
/// start a new page rather than being parted, and the header row repeats on every page.
pub(super) struct Pages {
    page: f64,
    header: f64,
    used: f64,
    breaks: Vec<RowNum>,
}

impl Pages {
    /// A page `page` points tall (of the sheet's rows), whose repeated header is `header` tall;
    /// `used` already on the first.
    pub fn new(page: f64, header: f64, used: f64) -> Self {
        Self {
            page,
            header,
            used,
            breaks: Vec::new(),
        }
    }

    /// Before rows from `at` that must stay together, `height` in all: a new page starts at
    /// `at` when they do not fit on this one and it holds more than its header.
    pub fn keep(&mut self, at: RowNum, height: f64) {
        if self.used + height > self.page && self.used > self.header {
            self.breaks.push(at);
            self.used = self.header;
        }
    }

    /// A row of `height` at `at`, on a new page when it does not fit on this one.
    pub fn row(&mut self, at: RowNum, height: f64) {
        self.keep(at, height);
        self.used += height;
    }

    pub fn breaks(&self) -> &[RowNum] {
        &self.breaks
    }
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

#[cfg(test)]
mod tests {
    use super::{Pages, page_height, scale_for};

    #[test]
    fn a_heading_goes_over_with_its_first_rows() {
        // A page of 100 points, a 10-point header; a heading (10) and rows of 20.
        let mut pages = Pages::new(100.0, 10.0, 10.0);
        let mut r = 0;
        for _ in 0..3 {
            pages.row(r, 20.0);
            r += 1;
        }
        // 70 used: the heading and two rows (50) do not fit, so the heading starts a page.
        pages.keep(r, 50.0);
        pages.row(r, 10.0);
        assert_eq!(pages.breaks(), [3]);
        // Rows that no longer fit start the next page: 20 used, four rows fill it.
        for n in 0..5 {
            pages.row(r + 1 + n, 20.0);
        }
        assert_eq!(pages.breaks(), [3, 8]);
        // At the top of a page nothing is moved, even what does not fit on one.
        let mut top = Pages::new(100.0, 10.0, 10.0);
        top.keep(0, 500.0);
        assert!(top.breaks().is_empty());
    }

    #[test]
    fn the_scale_keeps_text_at_nine_points_for_a_planned_table() {
        // The tables are planned to PRINT_WIDTH characters: they print at 82% or more.
        let widths = [super::PRINT_WIDTH / 8.0; 8];
        assert!(scale_for(&widths) >= 82, "{}", scale_for(&widths));
        assert_eq!(scale_for(&[10.0, 10.0]), 100);
        // A page at a smaller scale holds more of the sheet's points.
        assert!(page_height(82, 0.7) > page_height(100, 0.7));
    }
}
