//! Reading an office's roster file into typed accounts and a report of its problems.
//!
//! Owns the roster's column table ([`header`]), value cleaning ([`values`]) and the rules
//! that turn rows into accounts ([`parse`]). Files, sheets, grids and the header finder are
//! the shared [`crate::sheet`] reader's. Must not touch the database: what to add, update or
//! mark as unlisted is decided by [`crate::store`].

mod error;
pub mod header;
mod parse;
pub mod plan;
pub mod report;
pub mod values;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use sha2::{Digest, Sha256};

pub use crate::sheet::grid;
pub use crate::sheet::{ReadProgress, Workbook, is_note_line, read_file};
pub use error::RosterError;
pub use parse::{Duplicate, ParsedRoster, RowProblem, SourcedAccount, parse};

use crate::sheet::{SheetError, sheet_phrase};

/// Reads a roster file. `sheet` names the sheet to read; without it, the sheet that looks
/// most like a roster is chosen.
pub fn read_roster(
    path: &Path,
    sheet: Option<&str>,
    progress: &mut dyn FnMut(ReadProgress),
    cancel: &AtomicBool,
) -> Result<ParsedRoster, RosterError> {
    let bytes = read_file(path)?;
    let file_sha256 = format!("{:x}", Sha256::digest(&bytes));
    let mut book = Workbook::from_bytes(path, bytes)?;
    let chosen = match sheet {
        Some(s) => {
            let names = book.sheet_names();
            names
                .iter()
                .find(|n| n.as_str() == s)
                .cloned()
                .ok_or_else(|| RosterError::NoSuchSheet {
                    path: path.to_owned(),
                    sheet: s.to_owned(),
                    available: names.join("、"),
                })?
        }
        None => book.choose_sheet(path, cancel, header::score)?,
    };
    let grid = book.read(path, &chosen, None, progress, cancel)?;
    drop(book);
    if grid.is_blank() {
        return Err(SheetError::NoContent {
            path: path.to_owned(),
        }
        .into());
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
    if parsed.accounts.is_empty() {
        // Nothing to import would take every account off the roster: refuse instead.
        return Err(match parsed.errors.first() {
            None => RosterError::NoRows {
                path: path.to_owned(),
                row: found.last_row,
            },
            Some(first) => RosterError::NoValidRows {
                path: path.to_owned(),
                rows: parsed
                    .errors
                    .iter()
                    .map(|e| e.row)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                example: format!("第 {} 行：{}", first.row, first.message),
            },
        });
    }
    Ok(parsed)
}
