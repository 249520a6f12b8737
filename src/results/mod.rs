//! Inspection results in bulk: findings imported from a shared sheet or a monitoring tool,
//! and a quarter's results listed account by account.
//!
//! [`sheet`](read_results) holds the results sheet's column table and reads a results file
//! (xlsx, xls or csv, through the shared [`crate::sheet`] reader) into raw rows under the
//! recognised header; [`validate`] checks each row against the quarter's sample and checklists
//! and turns it into a typed finding, reporting every problem row by its Excel row number;
//! [`quarter_results`] shapes a quarter's results. Pure but for reading the file's bytes:
//! `steps::results_import` feeds them from the store. Must not know about egui or the database.

mod error;
mod evidence;
mod listing;
mod outcome;
mod sheet;
mod validate;

pub use error::ResultsError;
pub use listing::{AccountResult, FindingResult, quarter_results};
pub use outcome::{ResultRow, ResultsReport, ValidatedResults};
pub use sheet::{
    Column, RawResult, ResultsHeader, ResultsSheet, column_for, find_header, read_results,
};
pub use validate::{ImportContext, validate};
