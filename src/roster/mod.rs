//! Reading an office's roster file into typed accounts and a report of its problems.
//!
//! Owns file formats, header recognition and value cleaning. Must not touch the database:
//! what to add, update or mark as unlisted is decided by [`crate::store`].

mod error;
pub mod grid;
pub mod header;
mod merges;
mod parse;
pub mod plan;
pub mod report;
mod source;
pub mod values;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use sha2::{Digest, Sha256};

pub use error::RosterError;
pub use parse::{Duplicate, ParsedRoster, RowProblem, SourcedAccount, is_note_line, parse};
pub use source::{ReadProgress, Workbook, read_file};

/// Rows read from each sheet to judge whether it holds the roster.
const PEEK_ROWS: u32 = 40;

/// Reads a roster file. `sheet` names the sheet to read; without it, the sheet that looks
/// most like a roster is chosen.
pub fn read_roster(
    path: &Path,
    sheet: Option<&str>,
    progress: &mut dyn FnMut(ReadProgress),
    cancel: &AtomicBool,
) -> Result<ParsedRoster, RosterError> {
    let bytes = source::read_file(path)?;
    let file_sha256 = format!("{:x}", Sha256::digest(&bytes));
    let mut book = Workbook::from_bytes(path, bytes)?;
    let names = book.sheet_names();
    let chosen = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| RosterError::NoSuchSheet {
                path: path.to_owned(),
                sheet: s.to_owned(),
                available: names.join("、"),
            })?,
        None => choose_sheet(&mut book, path, &names, cancel)?,
    };
    let grid = book.read(path, &chosen, None, progress, cancel)?;
    drop(book);
    if grid.rows.iter().all(grid::Row::is_blank) {
        return Err(RosterError::NoContent {
            path: path.to_owned(),
        });
    }
    let Some(found) = header::find(&grid) else {
        return Err(RosterError::NoHeader {
            path: path.to_owned(),
            found: format!(
                "{}中找到的内容：{}",
                sheet_phrase(&chosen),
                header::best_guess_names(&grid)
            ),
        });
    };
    let missing = found.missing_required();
    if !missing.is_empty() {
        return Err(RosterError::MissingColumns {
            path: path.to_owned(),
            sheet: if chosen.is_empty() {
                "（CSV）".to_owned()
            } else {
                chosen
            },
            row: found.last_row,
            missing: missing
                .iter()
                .map(|f| f.label())
                .collect::<Vec<_>>()
                .join("、"),
            found: found.found_names(),
        });
    }
    let mut parsed = parse(&grid, &found);
    parsed.file_sha256 = file_sha256;
    if parsed.accounts.is_empty() && parsed.errors.is_empty() && parsed.duplicates.is_empty() {
        return Err(RosterError::NoRows {
            path: path.to_owned(),
            row: found.last_row,
        });
    }
    Ok(parsed)
}

fn sheet_phrase(sheet: &str) -> String {
    if sheet.is_empty() {
        "文件".to_owned()
    } else {
        format!("工作表“{sheet}”")
    }
}

fn choose_sheet(
    book: &mut Workbook,
    path: &Path,
    names: &[String],
    cancel: &AtomicBool,
) -> Result<String, RosterError> {
    if names.len() == 1 {
        return Ok(names[0].clone());
    }
    let mut best: Option<(usize, &String)> = None;
    for name in names {
        let peek = book.read(path, name, Some(PEEK_ROWS), &mut |_| {}, cancel)?;
        let score = header::score(&peek);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, name));
        }
    }
    best.map(|(_, n)| n.clone())
        .ok_or_else(|| RosterError::NoContent {
            path: path.to_owned(),
        })
}
