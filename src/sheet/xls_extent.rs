//! A guard run before calamine reads an old-format (.xls, BIFF) workbook.
//!
//! calamine lays every sheet out as a dense rectangle from its first to its last cell, and does
//! so for all sheets as the workbook opens: a 6 KB file with one cell at A1 and one at IV65536
//! takes a gigabyte, and a sheet's DIMENSIONS record can ask for more memory than the machine
//! has. This module takes the workbook stream out of the compound file, walks the records
//! calamine will (the sheets from the offsets the workbook gives, skipping embedded charts) and
//! refuses the file when the cells, or the rectangles they span, pass [`MAX_CELLS`] in all
//! sheets together, or a DIMENSIONS record is not one the format allows. It reads no values.
//!
//! calamine is then given that stream alone, in a compound file of its own ([`checked_book`]):
//! whatever the original file's directory holds (two streams named Workbook, entries the tree
//! does not reach, embedded workbooks), calamine reads exactly the records checked here.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use super::SheetError;
use super::source::MAX_CELLS;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;
/// A formula's text result, placed by calamine at the last formula's cell.
const STRING: u16 = 0x0207;
/// Records calamine turns into one cell each, their row and column in their first four bytes:
/// `Number`, `Label`, `RString`, `BoolErr`, `Rk`, `LabelSst`, `Formula`.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, FORMULA];
/// The most rows and columns a BIFF8 sheet can have.
const MAX_XLS_ROWS: u64 = 65_536;
const MAX_XLS_COLUMNS: u64 = 256;
/// More sheets than any roster or results workbook has; calamine reads every one as it opens.
const MAX_SHEETS: usize = 1000;

/// The workbook stream of `bytes` (a compound file, already known to start with its
/// signature), checked, in a compound file of its own for calamine to read; refused when the
/// sheets would take calamine more than the read budget.
pub(super) fn checked_book(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, SheetError> {
    let damaged = |detail: &str| SheetError::Damaged {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let limit = bytes.len() as u64;
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|_| damaged("旧版 Excel（.xls）的文件结构无法识别"))?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| file.is_stream(n))
        .ok_or_else(|| damaged("旧版 Excel（.xls）文件中没有工作簿数据"))?;
    let mut stream = Vec::new();
    file.open_stream(name)
        .and_then(|s| s.take(limit).read_to_end(&mut stream))
        .map_err(|_| damaged("旧版 Excel（.xls）的工作簿数据无法读取"))?;
    drop(file);
    check_stream(path, &stream)?;
    let book = cfb::CompoundFile::create_with_version(
        cfb::Version::V3,
        Cursor::new(Vec::with_capacity(stream.len() + stream.len() / 64 + 4096)),
    )
    .and_then(|mut book| {
        book.create_stream("/Workbook")?.write_all(&stream)?;
        book.flush()?;
        Ok(book)
    })
    .map_err(|_| damaged("旧版 Excel（.xls）的工作簿数据无法读取"))?;
    drop(stream);
    Ok(book.into_inner().into_inner())
}

/// One record: its type and its data, the CONTINUE records after it left as records of their own
/// (they hold no cells).
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let typ = u16_at(stream, 0);
        let len = usize::from(u16_at(stream, 2));
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some((typ, data))
    })
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([data[at], data[at + 1]])
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// The workbook stream: its globals name each sheet's offset, each sheet is checked from there
/// (once per offset, however many sheets name it), and all of them together.
fn check_stream(path: &Path, stream: &[u8]) -> Result<(), SheetError> {
    let offsets: Vec<usize> = records(stream)
        .take_while(|&(typ, _)| typ != EOF)
        .filter(|&(typ, data)| typ == BOUND_SHEET && data.len() >= 4)
        .map(|(_, data)| u32_at(data, 0) as usize)
        .collect();
    if offsets.len() > MAX_SHEETS {
        return Err(SheetError::TooManySheets {
            path: path.to_owned(),
            count: offsets.len(),
            limit: MAX_SHEETS,
        });
    }
    let mut seen: HashMap<usize, (u64, u16)> = HashMap::new();
    let mut total = 0u64;
    for offset in offsets {
        let (size, last_row) = if let Some(&known) = seen.get(&offset) {
            known
        } else {
            let extent = match stream.get(offset..) {
                Some(sheet) => check_sheet(path, sheet)?,
                None => Extent::default(),
            };
            let known = (
                extent.cells.max(extent.rectangle()),
                extent.rows.map_or(0, |(_, b)| b),
            );
            seen.insert(offset, known);
            known
        };
        total += size;
        if total > MAX_CELLS as u64 {
            return Err(SheetError::TooMuchContent {
                path: path.to_owned(),
                row: u32::from(last_row) + 1,
                what: format!("各工作表合计超过 {MAX_CELLS} 个单元格"),
            });
        }
    }
    Ok(())
}

/// The extent of the cells calamine would read from one sheet's records.
#[derive(Default)]
struct Extent {
    cells: u64,
    rows: Option<(u16, u16)>,
    columns: Option<(u16, u16)>,
}

impl Extent {
    fn add(&mut self, row: u16, first_col: u16, last_col: u16) {
        self.cells += u64::from(last_col.saturating_sub(first_col)) + 1;
        let widen = |span: &mut Option<(u16, u16)>, lo: u16, hi: u16| {
            *span = Some(span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        };
        widen(&mut self.rows, row, row);
        widen(&mut self.columns, first_col, last_col);
    }

    fn rectangle(&self) -> u64 {
        let len = |span: Option<(u16, u16)>| span.map_or(0, |(a, b)| u64::from(b - a) + 1);
        len(self.rows) * len(self.columns)
    }
}

fn check_sheet(path: &Path, sheet: &[u8]) -> Result<Extent, SheetError> {
    let too_much = |row: u16, what: String| SheetError::TooMuchContent {
        path: path.to_owned(),
        row: u32::from(row) + 1,
        what,
    };
    let mut extent = Extent::default();
    let mut formula_at = (0, 0);
    let mut seen_bof = false;
    let mut depth = 0usize;
    for (typ, data) in records(sheet) {
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => check_dimensions(path, data)?,
            // A MulRk whose last column is before its first is refused by calamine itself.
            MUL_RK if data.len() >= 6 && u16_at(data, data.len() - 2) >= u16_at(data, 2) => {
                let last = u16_at(data, data.len() - 2);
                extent.add(u16_at(data, 0), u16_at(data, 2), last);
            }
            t if CELL_RECORDS.contains(&t) && data.len() >= 4 => {
                let col = u16_at(data, 2);
                extent.add(u16_at(data, 0), col, col);
                if t == FORMULA {
                    formula_at = (u16_at(data, 0), col);
                }
            }
            STRING => extent.add(formula_at.0, formula_at.1, formula_at.1),
            _ => continue,
        }
        let last_row = extent.rows.map_or(0, |(_, b)| b);
        if extent.cells > MAX_CELLS as u64 {
            return Err(too_much(last_row, format!("超过 {MAX_CELLS} 个单元格")));
        }
        if extent.rectangle() > MAX_CELLS as u64 {
            return Err(too_much(
                last_row,
                format!("内容分布的区域超过 {MAX_CELLS} 个单元格"),
            ));
        }
    }
    Ok(extent)
}

/// A DIMENSIONS record as calamine reads it (BIFF8: 32-bit rows; earlier: 16-bit), refused when
/// its area is upside down or larger than the format allows: calamine reserves memory for it.
fn check_dimensions(path: &Path, data: &[u8]) -> Result<(), SheetError> {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u64::from(u16_at(data, 0)),
            u64::from(u16_at(data, 2)),
            u64::from(u16_at(data, 4)),
            u64::from(u16_at(data, 6)),
        ),
        14 | 16 => (
            u64::from(u32_at(data, 0)),
            u64::from(u32_at(data, 4)),
            u64::from(u16_at(data, 8)),
            u64::from(u16_at(data, 10)),
        ),
        // calamine refuses the file itself.
        _ => return Ok(()),
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    // last_row and last_col are one past the end; an empty sheet has zeros.
    if last_row == 0 || last_col == 0 {
        return Ok(());
    }
    // Equal bounds (a writer's off-by-one) make calamine reserve nothing; reversed ones or
    // more than the format's rows and columns, a reservation no machine has.
    let plausible = first_row <= last_row
        && first_col <= last_col
        && last_row <= MAX_XLS_ROWS
        && last_col - first_col <= MAX_XLS_COLUMNS;
    if plausible {
        Ok(())
    } else {
        Err(SheetError::Damaged {
            path: path.to_owned(),
            detail: format!(
                "旧版 Excel（.xls）工作表记录的区域不正确（第 {} 至 {} 行）",
                first_row + 1,
                last_row
            ),
        })
    }
}
