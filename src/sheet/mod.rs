//! Reading any spreadsheet users send, for every import: the roster, bulk results and the
//! units' rectification feedback.
//!
//! Owns the way from a file to a header: the file's bytes and their format, decided by content
//! (xlsx, xls, csv in UTF-8/GB18030/UTF-16), with size caps against damaged or hostile files;
//! its sheets ([`Workbook`]); one sheet as a [`Grid`] of typed cells whose rows keep the
//! numbers Excel shows, merged areas filled in ([`grid`]); and the header row found by an
//! import's table of column names ([`header`]). What the columns mean and how their values are
//! checked belong to each import ([`crate::roster`], [`crate::results`],
//! [`crate::rectification::feedback`]). Must not touch the database.

mod csv_text;
mod error;
pub mod grid;
pub mod header;
mod source;
mod xls_extent;
mod xlsx;

pub use error::SheetError;
pub use grid::{Cell, Grid, Row, UNCALCULATED, is_excel_error, is_note_line};
pub use header::{Choice, Columns, Header};
pub use source::{PEEK_ROWS, ReadProgress, Workbook, file_sha256};

/// How messages name a sheet: 工作表“名录”, or 文件 for a csv, which has no sheets.
#[must_use]
pub fn sheet_phrase(sheet: &str) -> String {
    if sheet.is_empty() {
        "文件".to_owned()
    } else {
        format!("工作表“{sheet}”")
    }
}
