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
use super::grid::{Cell, Grid, Row};
use super::xlsx::XlsxBook;

/// Largest spreadsheet accepted, as stored on disk.
const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Largest size one part of an xlsx may inflate to (a 100,000-row roster's sheet is about 20 MiB).
pub(super) const MAX_ENTRY_INFLATED: u64 = 256 * 1024 * 1024;
/// Largest size all parts of an xlsx together may inflate to.
const MAX_TOTAL_INFLATED: u64 = 512 * 1024 * 1024;
/// Columns beyond this are ignored: no roster has that many, and a hostile file cannot make us store them.
pub(super) const MAX_COLUMNS: u32 = 256;
/// Non-empty cells a sheet may hold (ten times a 100,000-account roster).
pub(super) const MAX_CELLS: usize = 12_000_000;
/// Text a sheet's cells may hold in all.
pub(super) const MAX_TEXT_BYTES: usize = 256 * 1024 * 1024;
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
    Csv(Grid),
}

impl Workbook {
    /// Opens `path`, deciding its format from its first bytes.
    pub fn open(path: &Path) -> Result<Self, SheetError> {
        Self::from_bytes(path, read_file(path)?)
    }

    /// Opens a spreadsheet already read into memory; `path` names it in messages and gives its
    /// extension. No bytes at all is an empty file, as [`read_file`] says of one on disk.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, SheetError> {
        if bytes.is_empty() {
            return Err(SheetError::Empty {
                path: path.to_owned(),
            });
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if let Some((kind, advice)) = unsupported(&bytes) {
            return Err(SheetError::Unsupported {
                path: path.to_owned(),
                kind,
                advice,
            });
        }
        if bytes.starts_with(b"PK") {
            check_zip(path, &bytes)?;
            return Ok(Self::Xlsx(Box::new(XlsxBook::open(path, bytes)?)));
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            if contains_utf16(&bytes, "EncryptedPackage")
                || contains_utf16(&bytes, "EncryptionInfo")
            {
                return Err(SheetError::Encrypted {
                    path: path.to_owned(),
                });
            }
            let xls = Xls::new(Cursor::new(bytes)).map_err(|e| xls_error(path, e))?;
            return Ok(Self::Xls(Box::new(xls)));
        }
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "et") {
            return Err(SheetError::NotASpreadsheet {
                path: path.to_owned(),
                detail: format!("文件名是 .{ext}，但内容不是 Excel 工作簿"),
            });
        }
        let text = decode_text(path, &bytes)?;
        Ok(Self::Csv(parse_csv(path, &text)?))
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

    /// The sheet that looks most like the wanted table: of each sheet's top [`PEEK_ROWS`] rows,
    /// the one `score` rates highest (the first of equals). A book of one sheet is not peeked at.
    pub fn choose_sheet(
        &mut self,
        path: &Path,
        cancel: &AtomicBool,
        score: impl Fn(&Grid) -> usize,
    ) -> Result<String, SheetError> {
        let names = self.sheet_names();
        if names.len() == 1 {
            return Ok(names[0].clone());
        }
        let mut best: Option<(usize, &String)> = None;
        for name in &names {
            let peek = self.read(path, name, Some(PEEK_ROWS), &mut |_| {}, cancel)?;
            let score = score(&peek);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, name));
            }
        }
        best.map(|(_, n)| n.clone())
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
            Self::Csv(grid) => Ok(match max_rows {
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
            }),
            Self::Xls(x) => {
                let range = x.worksheet_range(sheet).map_err(|e| xls_error(path, e))?;
                let merges = x.merge_cells_by_sheet_name(sheet).unwrap_or_default();
                let mut grid = grid_from_range(sheet, &range, max_rows);
                fill_merged(&mut grid, &merges);
                Ok(grid)
            }
            Self::Xlsx(x) => x.read(path, sheet, max_rows, progress, cancel),
        }
    }
}

/// Reads a whole spreadsheet file, refusing an empty or implausibly large one.
pub fn read_file(path: &Path) -> Result<Vec<u8>, SheetError> {
    let io = |source| SheetError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
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
    std::fs::read(path).map_err(io)
}

/// A calamine value as a [`Cell`]; `None` for an empty or error cell.
fn cell_from(value: &Data) -> Option<Cell> {
    Some(match value {
        Data::Empty | Data::Error(_) => return None,
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

fn grid_from_range(sheet: &str, range: &calamine::Range<Data>, max_rows: Option<u32>) -> Grid {
    let mut grid = Grid {
        sheet: sheet.to_owned(),
        rows: Vec::new(),
    };
    let Some((r0, c0)) = range.start() else {
        return grid;
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
            push_cell(&mut grid, number, c0 as usize + j, cell);
        }
    }
    grid
}

/// Copies each merged area's value (held by its top-left cell) into every cell of the area,
/// so that a 主办单位 merged over five accounts belongs to all five.
pub(super) fn fill_merged(grid: &mut Grid, merges: &[Dimensions]) {
    if merges.is_empty() || grid.rows.is_empty() {
        return;
    }
    let last_row = grid.rows.last().map_or(0, |r| r.number);
    let width = grid.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    for m in merges {
        let (top, left) = (m.start.0 + 1, m.start.1 as usize);
        let bottom = (m.end.0 + 1).min(last_row);
        let right = (m.end.1 as usize).min(width.saturating_sub(1));
        let Some(value) = grid
            .rows
            .binary_search_by_key(&top, |r| r.number)
            .ok()
            .map(|i| grid.rows[i].cell(left).clone())
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        for number in top..=bottom {
            let i = match grid.rows.binary_search_by_key(&number, |r| r.number) {
                Ok(i) => i,
                Err(i) => {
                    grid.rows.insert(
                        i,
                        Row {
                            number,
                            cells: Vec::new(),
                        },
                    );
                    i
                }
            };
            let row = &mut grid.rows[i];
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
}

/// Refuses an xlsx whose parts would inflate past the limits, or any of whose parts is
/// damaged, so that a file with one flipped bit is refused instead of read differently. Every
/// part but the worksheets is inflated here and its CRC checked; a worksheet is checked when it
/// is read in full ([`XlsxBook::read`] inflates it once, to its end). The sizes the archive
/// declares bound the work: the zip reader stops with an error at a part's declared size.
fn check_zip(path: &Path, bytes: &[u8]) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| damaged(path, format!("压缩包结构无法读取（{e}）")))?;
    if archive.has_duplicate_names() {
        return Err(damaged(path, "压缩包中有重名的部分".to_owned()));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| damaged(path, format!("压缩包条目无法读取（{e}）")))?;
        let declared = entry.size();
        if declared > MAX_ENTRY_INFLATED {
            return Err(bomb(path, declared));
        }
        total += declared;
        if total > MAX_TOTAL_INFLATED {
            return Err(bomb(path, total));
        }
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
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
    const SAVE_AS: &str = "请用 WPS 或 Excel 打开，另存为 xlsx 后再导入。";
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
    if !bytes.starts_with(b"PK") {
        return None;
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
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

fn xls_error(path: &Path, e: XlsError) -> SheetError {
    match e {
        XlsError::Password => SheetError::Encrypted {
            path: path.to_owned(),
        },
        other => damaged(path, format!("旧版 Excel（.xls）内容无法读取（{other}）")),
    }
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}

/// Decodes a text table: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which covers GBK).
fn decode_text(path: &Path, bytes: &[u8]) -> Result<String, SheetError> {
    let not_sheet = |detail: &str| SheetError::NotASpreadsheet {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(not_sheet("文字编码有误"));
        }
        return Ok(text.into_owned());
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(not_sheet("内容是二进制数据，不是文字表格"));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
        .ok_or_else(|| not_sheet("文字编码无法识别（既不是 UTF-8 也不是 GBK/GB18030）"))
}

/// Longest CSV line accepted, and most fields on one line: a roster line is a few hundred
/// bytes; a file of nothing but commas must not make the reader hold millions of fields.
const MAX_CSV_LINE: usize = 1024 * 1024;
const MAX_CSV_FIELDS: usize = 1024;

/// Splits csv text into rows, guessing the delimiter (comma, tab or semicolon) from the first
/// lines. A quote left open is refused with its line (the csv reader would take everything up
/// to the next quote as one cell, swallowing rows); so is an absurdly long line.
fn parse_csv(path: &Path, text: &str) -> Result<Grid, SheetError> {
    let sample: String = text.lines().take(30).collect::<Vec<_>>().join("\n");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| sample.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    for (i, line) in text.split('\n').enumerate() {
        let fields = line.bytes().filter(|b| *b == delimiter).count() + 1;
        if line.len() > MAX_CSV_LINE || fields > MAX_CSV_FIELDS {
            return Err(SheetError::CsvLine {
                path: path.to_owned(),
                line: i + 1,
                what: if fields > MAX_CSV_FIELDS {
                    format!("{fields} 列")
                } else {
                    format!("{} KB", line.len() / 1024)
                },
            });
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Grid::default();
    let mut record = csv::StringRecord::new();
    let bytes = text.as_bytes();
    // Line numbers are counted from the text itself: the reader's own position is where the
    // previous record ended, before any line ending or blank lines that follow it.
    let (mut counted_to, mut newlines) = (0usize, 0usize);
    loop {
        let mut start = usize::try_from(reader.position().byte())
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line_of = |start: usize, newlines: usize, counted_to: usize| {
            newlines
                + bytes[counted_to..start]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                + 1
        };
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => {
                return Err(SheetError::CsvQuote {
                    path: path.to_owned(),
                    line: line_of(start, newlines, counted_to),
                });
            }
        }
        newlines += bytes[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = start;
        // A field running over a line break with the delimiter in it is a quote left open:
        // the rows after it were swallowed into one cell.
        if record
            .iter()
            .any(|f| f.contains('\n') && f.as_bytes().contains(&delimiter))
        {
            return Err(SheetError::CsvQuote {
                path: path.to_owned(),
                line: newlines + 1,
            });
        }
        let cells: Vec<Cell> = record
            .iter()
            .take(MAX_COLUMNS as usize)
            .map(|f| {
                if f.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f.to_owned())
                }
            })
            .collect();
        if cells.iter().any(|c| !c.is_empty()) {
            grid.rows.push(Row {
                number: u32::try_from(newlines + 1).unwrap_or(u32::MAX),
                cells,
            });
        }
    }
    Ok(grid)
}
