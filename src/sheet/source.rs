//! Opening a spreadsheet of any format users send (xlsx, xls, csv in UTF-8/GB18030/UTF-16)
//! and reading one sheet of it into a [`Grid`], within bounded memory and time.
//!
//! The format is decided by the file's bytes, not its name. Nothing here interprets
//! headers or values: headers are [`super::header`], values each import's own.

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::AtomicBool;

use calamine::{Data, Dimensions, Reader, Xls, XlsError};

use super::SheetError;
use super::csv_text::read_csv;
use super::grid::{Cell, Grid, Row};
use super::xlsx::{XlsxBook, Zip, archive_of};

/// Largest spreadsheet accepted, as stored on disk.
const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Largest size one part of an xlsx may inflate to (a 100,000-row roster's sheet is about 20 MiB).
pub(super) const MAX_ENTRY_INFLATED: u64 = 256 * 1024 * 1024;
/// Largest size all parts of an xlsx together may inflate to.
const MAX_TOTAL_INFLATED: u64 = 512 * 1024 * 1024;
/// Columns beyond this are ignored: no roster has that many, and a hostile file cannot make us store them.
pub(super) const MAX_COLUMNS: u32 = 256;
/// Non-empty cells a sheet may hold, merged areas counted cell by cell (twice a
/// 100,000-account roster of 10 columns); with [`MAX_TEXT_BYTES`], what bounds the memory a
/// read takes whatever the file holds.
pub(super) const MAX_CELLS: usize = 2_000_000;
/// Text a sheet's cells may hold in all.
pub(super) const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Largest old-format (.xls) workbook accepted: the format holds at most 65,536 rows.
const MAX_XLS_BYTES: u64 = 48 * 1024 * 1024;
/// Excel's own row limit.
pub(super) const MAX_ROWS: u32 = 1_048_576;
/// Rows read from each sheet to judge whether it holds the wanted table (as many as the header
/// finder searches).
pub const PEEK_ROWS: u32 = 40;

/// What a long read reports, at most every few thousand rows.
#[derive(Debug, Clone, Copy)]
pub struct ReadProgress {
    pub rows: u32,
    /// Share of the sheet read, where the format tells the sheet's size.
    pub fraction: Option<f32>,
}

/// An opened spreadsheet, before a sheet is chosen.
pub enum Workbook {
    Xlsx(Box<XlsxBook>),
    Xls(Box<Xls<Cursor<Vec<u8>>>>),
    /// A csv: the text still to read (read at the first [`Workbook::read`], where it can be
    /// cancelled), then the table read.
    Csv(Csv),
}

pub enum Csv {
    Unread(Box<dyn Read + Send>),
    Read(Grid),
}

impl Workbook {
    /// Opens `path`, deciding its format from its first bytes. An xlsx and a csv are read from
    /// the file as they are needed (never the whole file into memory); an xls is read whole.
    pub fn open(path: &Path) -> Result<Self, SheetError> {
        let io = |source| SheetError::Io {
            path: path.to_owned(),
            source,
        };
        let size = checked_size(path)?;
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut head = Vec::with_capacity(8192);
        (&mut file).take(8192).read_to_end(&mut head).map_err(io)?;
        if head.is_empty() {
            return Err(SheetError::Empty {
                path: path.to_owned(),
            });
        }
        if let Some((kind, advice)) = unsupported(&head) {
            return Err(SheetError::Unsupported {
                path: path.to_owned(),
                kind,
                advice,
            });
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if head.starts_with(b"PK") {
            let mut zip = archive_of(path)?;
            if let Some((kind, advice)) = unsupported_zip(&zip) {
                return Err(SheetError::Unsupported {
                    path: path.to_owned(),
                    kind,
                    advice,
                });
            }
            check_zip(path, &mut zip)?;
            drop(zip);
            return Ok(Self::Xlsx(Box::new(XlsxBook::open(path)?)));
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            if size > MAX_XLS_BYTES {
                return Err(SheetError::XlsTooLarge {
                    path: path.to_owned(),
                    size_mib: size / (1024 * 1024),
                    limit_mib: MAX_XLS_BYTES / (1024 * 1024),
                });
            }
            head.clear();
            let mut bytes = head;
            std::fs::File::open(path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(io)?;
            if contains_utf16(&bytes, "EncryptedPackage")
                || contains_utf16(&bytes, "EncryptionInfo")
            {
                return Err(SheetError::Encrypted {
                    path: path.to_owned(),
                });
            }
            let book = super::xls_extent::checked_book(path, bytes)?;
            let xls = Xls::new(Cursor::new(book)).map_err(|e| xls_error(path, &e))?;
            return Ok(Self::Xls(Box::new(xls)));
        }
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "et") {
            return Err(SheetError::NotASpreadsheet {
                path: path.to_owned(),
                detail: format!("文件名是 .{ext}，但内容不是 Excel 工作簿"),
            });
        }
        let text = Cursor::new(head).chain(file);
        Ok(Self::Csv(Csv::Unread(Box::new(text))))
    }

    /// Sheet names in workbook order (a csv has one, unnamed sheet).
    #[must_use]
    pub fn sheet_names(&self) -> Vec<String> {
        match self {
            Self::Xlsx(x) => x.sheet_names(),
            Self::Xls(x) => x.sheet_names(),
            Self::Csv(_) => vec![String::new()],
        }
    }

    /// The sheets hidden in Excel (hidden or veryHidden): never read unless named.
    #[must_use]
    pub fn hidden_sheets(&self) -> Vec<String> {
        match self {
            Self::Xlsx(x) => x.hidden_sheets().to_vec(),
            Self::Xls(x) => x
                .sheets_metadata()
                .iter()
                .filter(|s| s.visible != calamine::SheetVisible::Visible)
                .map(|s| s.name.clone())
                .collect(),
            Self::Csv(_) => Vec::new(),
        }
    }

    /// The sheet that looks most like the wanted table: of each visible sheet's top
    /// [`PEEK_ROWS`] rows, the one `score` rates highest. Hidden sheets (an old quarter kept
    /// out of sight) are passed over; when two visible sheets rate equally high, the user is
    /// asked to choose rather than given the first. A book of one sheet is not peeked at.
    pub fn choose_sheet(
        &mut self,
        path: &Path,
        cancel: &AtomicBool,
        score: impl Fn(&Grid) -> usize,
    ) -> Result<String, SheetError> {
        let hidden = self.hidden_sheets();
        let mut names: Vec<String> = self
            .sheet_names()
            .into_iter()
            .filter(|n| !hidden.contains(n))
            .collect();
        if names.is_empty() {
            // Every sheet hidden: the book shows nothing, but its sheets are all there is.
            names = self.sheet_names();
        }
        if names.len() == 1 {
            return Ok(names[0].clone());
        }
        let mut scored = Vec::with_capacity(names.len());
        for name in &names {
            let peek = self.read(path, name, Some(PEEK_ROWS), &mut |_| {}, cancel)?;
            scored.push((score(&peek), name));
        }
        let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
        let tied: Vec<&String> = scored
            .iter()
            .filter(|(s, _)| *s == best)
            .map(|(_, n)| *n)
            .collect();
        if best > 0 && tied.len() > 1 {
            return Err(SheetError::WhichSheet {
                path: path.to_owned(),
                sheets: tied
                    .iter()
                    .map(|n| format!("“{n}”"))
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
        tied.first()
            .map(|n| (*n).clone())
            .ok_or_else(|| SheetError::NoContent {
                path: path.to_owned(),
            })
    }

    /// Reads one sheet; `max_rows` stops early (used to peek at headers when choosing a sheet).
    pub fn read(
        &mut self,
        path: &Path,
        sheet: &str,
        max_rows: Option<u32>,
        progress: &mut dyn FnMut(ReadProgress),
        cancel: &AtomicBool,
    ) -> Result<Grid, SheetError> {
        match self {
            Self::Csv(csv) => {
                if let Csv::Unread(text) = csv {
                    *csv = Csv::Read(read_csv(path, text, cancel)?);
                }
                let Csv::Read(grid) = csv else {
                    unreachable!("read just above")
                };
                Ok(match max_rows {
                    // A peek copies the top rows; a full read hands the grid over.
                    Some(max) => Grid {
                        sheet: grid.sheet.clone(),
                        rows: grid
                            .rows
                            .iter()
                            .take_while(|r| r.number <= max)
                            .cloned()
                            .collect(),
                    },
                    None => std::mem::take(grid),
                })
            }
            Self::Xls(x) => {
                let range = x.worksheet_range(sheet).map_err(|e| xls_error(path, &e))?;
                let merges = x.merge_cells_by_sheet_name(sheet).unwrap_or_default();
                let mut budget = Budget::default();
                let mut grid = grid_from_range(path, sheet, &range, max_rows, &mut budget)?;
                fill_merged(path, &mut grid, &merges, &mut budget)?;
                Ok(grid)
            }
            Self::Xlsx(x) => x.read(path, sheet, max_rows, progress, cancel),
        }
    }
}

/// The size of a spreadsheet file, refusing an empty or implausibly large one.
fn checked_size(path: &Path) -> Result<u64, SheetError> {
    let size = std::fs::metadata(path)
        .map_err(|source| SheetError::Io {
            path: path.to_owned(),
            source,
        })?
        .len();
    if size == 0 {
        return Err(SheetError::Empty {
            path: path.to_owned(),
        });
    }
    if size > MAX_FILE_BYTES {
        return Err(SheetError::TooLarge {
            path: path.to_owned(),
            size_mib: size / (1024 * 1024),
            limit_mib: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    Ok(size)
}

/// The SHA-256 of a file, read in pieces.
pub fn file_sha256(path: &Path) -> Result<String, SheetError> {
    use sha2::Digest;
    let io = |source| SheetError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hash = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hash).map_err(io)?;
    Ok(format!("{:x}", hash.finalize()))
}

/// What a sheet's cells have taken so far: a read stops with [`SheetError::TooMuchContent`]
/// once they pass [`MAX_CELLS`] or [`MAX_TEXT_BYTES`].
#[derive(Debug, Default)]
pub(super) struct Budget {
    cells: usize,
    text: usize,
}

impl Budget {
    /// One more non-empty cell, of `text` bytes, in sheet row `row`.
    pub(super) fn charge(&mut self, path: &Path, row: u32, text: usize) -> Result<(), SheetError> {
        self.charge_many(path, row, 1, text)
    }

    pub(super) fn charge_many(
        &mut self,
        path: &Path,
        row: u32,
        cells: usize,
        text: usize,
    ) -> Result<(), SheetError> {
        self.cells = self.cells.saturating_add(cells);
        self.text = self.text.saturating_add(text);
        let what = if self.cells > MAX_CELLS {
            format!("超过 {} 万个有内容的单元格", MAX_CELLS / 10_000)
        } else if self.text > MAX_TEXT_BYTES {
            format!("文字超过 {} MB", MAX_TEXT_BYTES / (1024 * 1024))
        } else {
            return Ok(());
        };
        Err(SheetError::TooMuchContent {
            path: path.to_owned(),
            row,
            what,
        })
    }
}

/// A calamine value as a [`Cell`]; `None` for an empty cell.
fn cell_from(value: &Data) -> Option<Cell> {
    Some(match value {
        Data::Empty => return None,
        // As the xlsx reader keeps them: the error's text, for the caller to refuse.
        Data::Error(e) => Cell::Text(e.to_string()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.to_owned()),
        Data::DateTime(d) => d
            .as_datetime()
            .map_or(Cell::Number(d.as_f64()), |dt| Cell::Date(dt.date())),
    })
}

/// Appends a cell to the grid, which is filled in row order.
pub(super) fn push_cell(grid: &mut Grid, number: u32, column: usize, value: Cell) {
    if grid.rows.last().is_none_or(|r| r.number != number) {
        grid.rows.push(Row {
            number,
            cells: Vec::with_capacity(12),
        });
    }
    let row = grid.rows.last_mut().expect("pushed above");
    if row.cells.len() <= column {
        row.cells.resize(column + 1, Cell::Empty);
    }
    row.cells[column] = value;
}

fn grid_from_range(
    path: &Path,
    sheet: &str,
    range: &calamine::Range<Data>,
    max_rows: Option<u32>,
    budget: &mut Budget,
) -> Result<Grid, SheetError> {
    let mut grid = Grid {
        sheet: sheet.to_owned(),
        rows: Vec::new(),
    };
    let Some((r0, c0)) = range.start() else {
        return Ok(grid);
    };
    for (i, row) in range.rows().enumerate() {
        let number = r0 + u32::try_from(i).unwrap_or(u32::MAX) + 1;
        if max_rows.is_some_and(|m| number > m) {
            break;
        }
        for (j, value) in row.iter().enumerate().take(MAX_COLUMNS as usize) {
            let Some(cell) = cell_from(value) else {
                continue;
            };
            budget.charge(path, number, text_len(&cell))?;
            push_cell(&mut grid, number, c0 as usize + j, cell);
        }
    }
    Ok(grid)
}

/// The bytes of text a cell holds.
pub(super) fn text_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(t) => t.len(),
        _ => 0,
    }
}

/// Copies each merged area's value (held by its top-left cell) into every cell of the area,
/// so that a 主办单位 merged over five accounts belongs to all five. The copies count against
/// the read's `budget`: a merged area over a million rows cannot fill the memory.
pub(super) fn fill_merged(
    path: &Path,
    grid: &mut Grid,
    merges: &[Dimensions],
    budget: &mut Budget,
) -> Result<(), SheetError> {
    if merges.is_empty() || grid.rows.is_empty() {
        return Ok(());
    }
    let last_row = grid.rows.last().map_or(0, |r| r.number);
    let width = grid.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    for m in merges {
        let (top, left) = (m.start.0 + 1, m.start.1 as usize);
        let bottom = (m.end.0 + 1).min(last_row);
        let right = (m.end.1 as usize).min(width.saturating_sub(1));
        if bottom < top || right < left {
            continue;
        }
        let Some(value) = grid
            .rows
            .binary_search_by_key(&top, |r| r.number)
            .ok()
            .map(|i| grid.rows[i].cell(left).clone())
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        let span = (bottom - top + 1) as usize;
        let cells = span.saturating_mul(right - left + 1);
        budget.charge_many(path, top, cells, cells.saturating_mul(text_len(&value)))?;
        // The rows of the area the sheet has no cell in, added in one pass.
        let first = grid.rows.partition_point(|r| r.number < top);
        let present = grid.rows[first..]
            .iter()
            .take_while(|r| r.number <= bottom)
            .count();
        if present < span {
            let mut rest = grid.rows.split_off(first).into_iter().peekable();
            for number in top..=bottom {
                match rest.next_if(|r| r.number == number) {
                    Some(row) => grid.rows.push(row),
                    None => grid.rows.push(Row {
                        number,
                        cells: Vec::new(),
                    }),
                }
            }
            grid.rows.extend(rest);
        }
        for row in &mut grid.rows[first..first + span] {
            if row.cells.len() <= right {
                row.cells.resize(right + 1, Cell::Empty);
            }
            for cell in &mut row.cells[left..=right] {
                if cell.is_empty() {
                    *cell = value.clone();
                }
            }
        }
    }
    Ok(())
}

/// Refuses an xlsx whose parts would inflate past the limits, or any of whose parts is
/// damaged, so that a file with one flipped bit is refused instead of read differently. Every
/// part but the worksheets is inflated here and its CRC checked; a worksheet is checked when it
/// is read in full ([`XlsxBook::read`] inflates it once, to its end). The sizes the archive
/// declares bound the work: the zip reader stops with an error at a part's declared size.
fn check_zip(path: &Path, archive: &mut Zip) -> Result<(), SheetError> {
    if archive.has_duplicate_names() {
        return Err(damaged(path, "压缩包中有重名的部分".to_owned()));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|_| damaged(path, "压缩包中有无法读取的部分".to_owned()))?;
        let declared = entry.size();
        if declared > MAX_ENTRY_INFLATED {
            return Err(bomb(path, declared));
        }
        total += declared;
        if total > MAX_TOTAL_INFLATED {
            return Err(bomb(path, total));
        }
        let name = entry
            .name()
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default();
        if name.starts_with("xl/worksheets/") && !name.contains("/_rels/") {
            continue;
        }
        let read = std::io::copy(
            &mut (&mut entry).take(MAX_ENTRY_INFLATED + 1),
            &mut std::io::sink(),
        )
        .map_err(|_| damaged(path, format!("其中“{name}”部分的数据已损坏（校验不符）")))?;
        if read != declared {
            return Err(damaged(path, format!("其中“{name}”部分的长度与登记的不符")));
        }
    }
    Ok(())
}

/// Formats people pick by mistake, named so that the message says what to do.
fn unsupported(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const PICK: &str = "请选择 Excel（xlsx、xls）或 CSV 表格文件。";
    if bytes.starts_with(b"%PDF") {
        return Some(("PDF 文件", PICK));
    }
    if bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF8")
    {
        return Some(("图片", PICK));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) && contains_utf16(bytes, "WordDocument") {
        return Some(("Word 文档（doc）", PICK));
    }
    None
}

/// Archives people pick by mistake: what an xlsx-looking zip holds instead of a workbook.
fn unsupported_zip(archive: &Zip) -> Option<(&'static str, &'static str)> {
    const SAVE_AS: &str = "请用 WPS 或 Excel 打开，另存为 xlsx 后再导入。";
    const PICK: &str = "请选择 Excel（xlsx、xls）或 CSV 表格文件。";
    let has = |name: &str| archive.index_for_name(name).is_some();
    if has("xl/workbook.xml") {
        return None;
    }
    if has("xl/workbook.bin") {
        return Some(("Excel 二进制工作簿（xlsb）", SAVE_AS));
    }
    if has("word/document.xml") {
        return Some(("Word 文档（docx）", PICK));
    }
    if has("ppt/presentation.xml") {
        return Some(("PowerPoint 演示文稿", PICK));
    }
    if has("content.xml") && has("mimetype") {
        return Some(("ODS 等开放文档格式文件", SAVE_AS));
    }
    if has("Index/Document.iwa")
        || archive
            .file_names()
            .any(|n| n.is_ok_and(|n| n.starts_with("Index/")))
    {
        return Some((
            "苹果 Numbers 文件",
            "请在 Numbers 中导出为 Excel（xlsx）后再导入。",
        ));
    }
    None
}

pub(super) fn bomb(path: &Path, bytes: u64) -> SheetError {
    SheetError::Bomb {
        path: path.to_owned(),
        what: format!("至少 {} MB", bytes / (1024 * 1024)),
    }
}

pub(super) fn damaged(path: &Path, detail: String) -> SheetError {
    SheetError::Damaged {
        path: path.to_owned(),
        detail,
    }
}

fn xls_error(path: &Path, e: &XlsError) -> SheetError {
    match e {
        XlsError::Password => SheetError::Encrypted {
            path: path.to_owned(),
        },
        _ => damaged(path, "旧版 Excel（.xls）的内容无法读取".to_owned()),
    }
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}
