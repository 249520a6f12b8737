//! Reading an office's roster file into typed accounts and a report of its problems.
//!
//! Owns the roster's column table ([`header`]), value cleaning ([`values`]) and the rules
//! that turn rows into accounts ([`parse`]). Files, sheets, grids and the header finder are
//! the shared [`crate::sheet`] reader's. Must not touch the database: what to add, update or
//! mark as unlisted is decided by [`crate::store`].

mod error;
pub mod header;
pub mod mapping;
mod parse;
pub mod plan;
pub mod report;
pub mod values;

use std::path::Path;
use std::sync::atomic::AtomicBool;

pub use crate::sheet::grid;
pub use crate::sheet::{ReadProgress, Workbook, is_note_line};
pub use error::{MissingColumns, RosterError};
pub use mapping::ColumnMap;
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
    read_roster_mapped(path, sheet, &|_| ColumnMap::default(), progress, cancel)
}

/// As [`read_roster`], with the user's choice of field per column: `map_for` gives it for
/// the header found (by [`mapping::setting_key`]), applied over what was recognised.
pub fn read_roster_mapped(
    path: &Path,
    sheet: Option<&str>,
    map_for: &dyn Fn(&str) -> ColumnMap,
    progress: &mut dyn FnMut(ReadProgress),
    cancel: &AtomicBool,
) -> Result<ParsedRoster, RosterError> {
    let mut book = Workbook::open(path)?;
    let file_sha256 = crate::sheet::file_sha256(path)?;
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
    let Some(mut found) = header::find(&grid) else {
        return Err(RosterError::NoHeader {
            path: path.to_owned(),
            found: format!(
                "{}中找到的内容：{}",
                sheet_phrase(&chosen),
                header::best_guess_names(&grid)
            ),
        });
    };
    let columns_key = mapping::setting_key(&found);
    // Without a recognised 账号标识 column, a column whose name says it holds ids is read as
    // one (the user may choose otherwise): accounts are then told apart by their ids, never
    // merged by name and unit.
    let mut notices = Vec::new();
    if found.column_of(header::Field::AccountId).is_none()
        && let Some(c) = id_like_column(&found)
    {
        found.columns[c].1 = Some(header::Field::AccountId);
        notices.push(format!(
            "表头中没有可识别的“账号标识”列，已把“{}”列作为账号标识读取；如不对，请在“列的对应”中改选。",
            found.columns[c].0
        ));
    }
    let map = map_for(&columns_key);
    map.apply(&mut found);
    let missing = found.missing_required();
    if !missing.is_empty() {
        return Err(RosterError::MissingColumns(Box::new(MissingColumns {
            columns: found.columns.clone(),
            columns_key,
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
        })));
    }
    let mut parsed = parse(grid, &found);
    parsed.file_sha256 = file_sha256;
    notices.append(&mut parsed.notices);
    parsed.notices = notices;
    parsed.columns = found.columns.clone();
    parsed.columns_key = columns_key;
    parsed.mapped = map;
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

/// A column the header did not match whose name says it holds account ids (账号代码,
/// 抖音号码, 主页URL…), not a phone number or a serial number.
fn id_like_column(header: &header::Header) -> Option<usize> {
    header.columns.iter().position(|(text, field)| {
        let t = crate::sheet::header::clean(text);
        field.is_none()
            && ["id", "号", "码", "链接", "网址", "地址", "url"]
                .iter()
                .any(|k| t.contains(k))
            && ![
                "电话", "手机", "联系", "邮", "证", "序", "编号", "传真", "qq",
            ]
            .iter()
            .any(|k| t.contains(k))
    })
}
