//! A sheet as spotcheck sees it before any interpretation: rows of typed cells, each row
//! carrying its number as Excel shows it (1-based), and the one judgement every import makes
//! of a row before knowing its columns: whether it is a note line (合计, 填表人…) rather than data.

use chrono::NaiveDate;

/// One cell's value, as far as the file format tells it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => clean_text(t).is_empty(),
            Cell::Number(_) | Cell::Date(_) => false,
        }
    }

    /// The cell as text a user would recognise: numbers without a spurious `.0`,
    /// dates as YYYY-MM-DD.
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => clean_text(t).to_owned(),
            Cell::Number(n) => format_number(*n),
            Cell::Date(d) => crate::model::time::day_text(*d),
        }
    }
}

/// Formats a number the way the user typed it: integers as their digits (never `3.8e9`
/// or `3805829634.0`), other values in the shortest form that round-trips.
#[must_use]
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e17 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "checked to be integral and in range"
        )]
        let i = n as i64;
        i.to_string()
    } else {
        n.to_string()
    }
}

/// Trims ASCII and full-width spaces, no-break spaces and stray line breaks.
#[must_use]
pub fn clean_text(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
}

/// One row of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number as Excel (or a text editor, for csv) shows it, starting at 1.
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl Row {
    #[must_use]
    pub fn cell(&self, column: usize) -> &Cell {
        self.cells.get(column).unwrap_or(&Cell::Empty)
    }

    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
}

/// A whole sheet: its name and its non-empty rows in order.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub sheet: String,
    pub rows: Vec<Row>,
}

impl Grid {
    /// Whether the sheet holds nothing but blank cells.
    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.rows.iter().all(Row::is_blank)
    }
}

/// Words that open a line which is not data: totals, who filled the form, notes.
const NOTE_PREFIXES: &[&str] = &[
    "合计",
    "总计",
    "小计",
    "共计",
    "填表人",
    "填报人",
    "制表人",
    "制表",
    "审核人",
    "审核",
    "负责人",
    "联系人",
    "联系电话",
    "电话",
    "备注",
    "注：",
    "注:",
    "说明",
    "填表说明",
    "填报说明",
    "单位负责人",
    "分管领导",
    // The sign-off line of a form (the 整改表 spotcheck writes ends with it).
    "填报单位（盖章）",
    "填报单位(盖章)",
    "填报日期",
    "盖章",
];

/// Whether a row is a 合计/填表人/联系电话/备注… line rather than data (any sheet an office
/// fills in ends with some).
#[must_use]
pub fn is_note_line(row: &Row) -> bool {
    row.cells
        .iter()
        .map(Cell::display)
        .find(|t| !t.is_empty())
        .is_some_and(|first| {
            let first: String = first.chars().filter(|c| !c.is_whitespace()).collect();
            NOTE_PREFIXES.iter().any(|p| first.starts_with(p))
        })
}

/// What a cell reads as when it holds a formula with no result saved (a file written by a
/// program and never opened and saved in Excel or WPS): never a value an office means.
pub const UNCALCULATED: &str = "#未计算";

/// Whether `text` is an Excel error value (#N/A, #REF!, #VALUE!…): what a formula shows when
/// it fails or the cell it refers to is gone, never a value an office means; or a formula with
/// no result saved ([`UNCALCULATED`]).
#[must_use]
pub fn is_excel_error(text: &str) -> bool {
    matches!(
        text.trim(),
        UNCALCULATED
            | "#N/A"
            | "#REF!"
            | "#VALUE!"
            | "#DIV/0!"
            | "#NAME?"
            | "#NULL!"
            | "#NUM!"
            | "#GETTING_DATA"
            | "#SPILL!"
            | "#CALC!"
    )
}
