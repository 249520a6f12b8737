//! Reading an xlsx sheet in one pass over its inflated XML.
//!
//! The sheet part is inflated in chunks cut after a `</row>` (never one inside a comment, CDATA
//! section, processing instruction or DOCTYPE: [`last_row_end`]), each chunk read by our own
//! scanner of sheet XML ([`scan`]; the smaller parts are read with quick-xml): the sheet is
//! inflated once, its CRC checked when the stream ends, and the merged areas (which follow the
//! cell data) found in the same pass. The values are read as
//! calamine reads them (shared and inline strings, rich text without its phonetic guide,
//! numbers, dates by cell style, 1904 dates, `_xHHHH_` escapes); `tests/core/xlsx_reader.rs`
//! compares the two on every kind of cell and every spelling of the XML. calamine still reads
//! `.xls`, after [`super::xls_extent`] has checked the size of what it would lay out.
//!
//! quick-xml's reader of sheet XML is kept as the reference ([`SheetXml::QuickXml`], chosen by
//! the hidden `SPOTCHECK_SHEET_XML=quick-xml`, or per book by the tests): the tests read every
//! book they build with both readers, whole and in chunks of a few bytes, to the same cells or
//! the same error, and `benches/import_cli.rs` measures both. The scanner stays the default
//! while it saves at least 15% of an import's instructions: measured on the 100,000-row import,
//! 5.83 against 9.35 billion for the whole process (37.7% saved).

mod cells;
mod parts;
mod scan;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use cells::{Flow, SheetParser};
use parts::{
    SharedStrings, office_document, parse_rels, parse_styles, parse_workbook, read_shared_strings,
    read_text,
};

use super::SheetError;
use super::grid::Grid;
use super::source::{MAX_ENTRY_INFLATED, ReadProgress, bomb, damaged};

/// An xlsx archive, read from its file as it is needed.
pub(crate) type Zip = zip::ZipArchive<BufReader<File>>;

/// Opens the archive of the xlsx at `path` (its directory only; parts are read when asked).
pub(crate) fn archive_of(path: &Path) -> Result<Zip, SheetError> {
    let file = File::open(path).map_err(|source| SheetError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|_| damaged(path, "压缩包的结构无法读取".to_owned()))?;
    // Parts compressed another way (bzip2, LZMA, zstd: a zip tool's choice, never Excel's)
    // are named as such, not reported as damaged when their bytes cannot be inflated.
    for i in 0..zip.len() {
        let method = zip
            .by_index_raw(i)
            .map_err(|_| damaged(path, "压缩包的目录无法读取".to_owned()))?
            .compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            return Err(SheetError::Compression {
                path: path.to_owned(),
                method: method.to_string().to_uppercase(),
            });
        }
    }
    Ok(zip)
}

/// Inflated bytes read at a time; what is parsed ends after the last complete row read.
const CHUNK: usize = 1 << 20;
/// Longest stretch of a sheet without a row end (one row, or what precedes the first).
const MAX_ROW_BYTES: usize = 64 << 20;

/// A workbook's parts needed to read its sheets, read and checked once.
pub struct XlsxBook {
    /// The file, opened again for each sheet read, and its size and time when it was opened:
    /// a file saved over while it is read is refused rather than read half old, half new.
    file: PathBuf,
    stamp: Option<(u64, std::time::SystemTime)>,
    /// Sheet names in workbook order, each with its archive part.
    sheets: Vec<(String, String)>,
    /// The sheets hidden in Excel (hidden or veryHidden).
    hidden: Vec<String>,
    strings: SharedStrings,
    /// Per cell style (`s`): whether its number format shows a date or time.
    date_styles: Vec<bool>,
    date1904: bool,
    /// The reader of sheet XML, when set for this book; otherwise [`SheetXml::from_env`].
    sheet_xml: Option<SheetXml>,
    /// Inflated bytes read at a time ([`CHUNK`]; tests use a few).
    chunk: usize,
}

/// Which reader tokenizes a sheet's XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SheetXml {
    /// Our own scanner ([`scan`]), the default.
    Scan,
    /// quick-xml's borrowing reader: the reference the scanner is compared with.
    QuickXml,
}

impl SheetXml {
    /// `SPOTCHECK_SHEET_XML=quick-xml` (for the bench, undocumented to users) chooses the
    /// reference reader; anything else, or nothing, the scanner.
    fn from_env() -> Self {
        match std::env::var_os("SPOTCHECK_SHEET_XML") {
            Some(v) if v == "quick-xml" => Self::QuickXml,
            _ => Self::Scan,
        }
    }
}

impl XlsxBook {
    /// Reads the workbook, its relations, shared strings and styles of an archive whose parts
    /// were already checked ([`super::source`]'s `check_zip`).
    pub fn open(path: &Path) -> Result<Self, SheetError> {
        let mut zip = archive_of(path)?;
        let workbook_part = office_document(path, &mut zip)?;
        let dir = workbook_part
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| format!("{d}/"));
        let workbook = read_text(path, &mut zip, &workbook_part)?
            .ok_or_else(|| damaged(path, format!("缺少工作簿的“{workbook_part}”部分")))?;
        let (names, date1904) = parse_workbook(path, &workbook_part, &workbook)?;
        let rels_part = match workbook_part.rsplit_once('/') {
            Some((d, f)) => format!("{d}/_rels/{f}.rels"),
            None => format!("_rels/{workbook_part}.rels"),
        };
        let rels = match read_text(path, &mut zip, &rels_part)? {
            Some(xml) => parse_rels(path, &rels_part, &xml, &dir)?,
            None => Vec::new(),
        };
        let target = |id: &str| rels.iter().find(|r| r.id == id).map(|r| r.target.clone());
        let of_type = |kind: &str, default: &str| {
            rels.iter()
                .find(|r| r.kind.ends_with(kind))
                .map_or_else(|| format!("{dir}{default}"), |r| r.target.clone())
        };
        let hidden = names
            .iter()
            .filter(|(_, _, hidden)| *hidden)
            .map(|(name, _, _)| name.clone())
            .collect();
        let sheets = names
            .into_iter()
            .filter_map(|(name, id, _)| Some((name, target(&id)?)))
            .collect();
        let strings_part = of_type("/sharedStrings", "sharedStrings.xml");
        let strings = read_shared_strings(path, &mut zip, &strings_part)?.unwrap_or_default();
        let styles_part = of_type("/styles", "styles.xml");
        let date_styles = match read_text(path, &mut zip, &styles_part)? {
            Some(xml) => parse_styles(path, &styles_part, &xml)?,
            None => Vec::new(),
        };
        drop(zip);
        Ok(Self {
            file: path.to_owned(),
            stamp: stamp_of(path),
            sheets,
            hidden,
            strings,
            date_styles,
            date1904,
            sheet_xml: None,
            chunk: CHUNK,
        })
    }

    /// For the tests: this book's sheets read by quick-xml's reader (`quick_xml`) or by the
    /// scanner, `chunk` inflated bytes (at least 1) read at a time.
    #[doc(hidden)]
    pub fn set_reading(&mut self, quick_xml: bool, chunk: usize) {
        self.sheet_xml = Some(if quick_xml {
            SheetXml::QuickXml
        } else {
            SheetXml::Scan
        });
        self.chunk = chunk.max(1);
    }

    #[must_use]
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The sheets hidden in Excel.
    #[must_use]
    pub fn hidden_sheets(&self) -> &[String] {
        &self.hidden
    }

    /// Reads `sheet`, its merged areas filled in; `max_rows` stops early (a peek, which does
    /// not reach the end of the part and so does not check its CRC).
    pub fn read(
        &self,
        path: &Path,
        sheet: &str,
        max_rows: Option<u32>,
        progress: &mut dyn FnMut(ReadProgress),
        cancel: &AtomicBool,
    ) -> Result<Grid, SheetError> {
        let part = &self
            .sheets
            .iter()
            .find(|(n, _)| n == sheet)
            .ok_or_else(|| {
                damaged(
                    path,
                    format!("工作簿登记了工作表“{sheet}”，但找不到它的内容"),
                )
            })?
            .1;
        if stamp_of(&self.file) != self.stamp {
            return Err(damaged(
                path,
                "文件在读取过程中被修改了（可能正在另存），请等保存完成后重新导入".to_owned(),
            ));
        }
        let mut zip = archive_of(&self.file)?;
        let mut entry = zip.by_name(part).map_err(|_| {
            damaged(
                path,
                format!("工作簿登记了工作表“{sheet}”，但找不到它的内容"),
            )
        })?;
        let declared = entry.size();
        let broken = || damaged(path, format!("其中“{part}”部分的数据已损坏（校验不符）"));
        let reader = self.sheet_xml.unwrap_or_else(SheetXml::from_env);
        let mut parser = SheetParser::new(self, path, part, sheet, max_rows);
        let mut buf: Vec<u8> = Vec::with_capacity(self.chunk + self.chunk / 2);
        let mut total = 0u64;
        loop {
            let got = (&mut entry)
                .take(self.chunk as u64)
                .read_to_end(&mut buf)
                .map_err(|_| broken())?;
            total += got as u64;
            if total > MAX_ENTRY_INFLATED {
                return Err(bomb(path, total));
            }
            let end = got == 0;
            let cut = if end { buf.len() } else { last_row_end(&buf) };
            if cut == 0 {
                if end {
                    break;
                }
                if buf.len() > MAX_ROW_BYTES {
                    return Err(damaged(path, format!("其中“{part}”部分有一行长得不合理")));
                }
                continue;
            }
            let text = simdutf8::basic::from_utf8(&buf[..cut])
                .map_err(|_| damaged(path, format!("其中“{part}”部分的文字编码有误")))?;
            if parser.feed(reader, text, progress, cancel)? == Flow::Stop {
                return parser.finish();
            }
            buf.drain(..cut);
            if end {
                break;
            }
        }
        if total != declared {
            return Err(damaged(path, format!("其中“{part}”部分的长度与登记的不符")));
        }
        parser.finish()
    }
}

/// A file's size and modification time, where the system tells them.
fn stamp_of(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Where the bytes after the last complete row end: just past the last `</row>` (or
/// `</x:row>`) that is markup, or 0. `</` occurs nowhere else but inside comments, CDATA
/// sections, processing instructions and a DOCTYPE (`<` is always escaped in text and attribute
/// values), so those are stepped over from the start of `buf`, where none is open: it starts
/// the part or follows a row's end. A section still open at the end of `buf` ends the search.
fn last_row_end(buf: &[u8]) -> usize {
    let mut best = 0;
    // `buf[from..]` is outside any section up to the next opener.
    let mut from = 0;
    loop {
        // The next `<!` or `<?`: found by their second byte, rare in a sheet.
        let opener = memchr::memchr2_iter(b'!', b'?', &buf[from..])
            .map(|i| from + i)
            .find(|&i| i > from && buf[i - 1] == b'<')
            .map(|i| i - 1);
        let markup = &buf[from..opener.unwrap_or(buf.len())];
        if let Some(end) = last_row_end_in(markup) {
            best = from + end;
        }
        let Some(at) = opener else {
            return best;
        };
        match section_len(&buf[at..]) {
            Some(len) => from = at + len,
            None => return best,
        }
    }
}

/// [`last_row_end`] in bytes known to hold no section.
fn last_row_end_in(markup: &[u8]) -> Option<usize> {
    let mut hay = markup;
    while let Some(at) = memchr::memmem::rfind(hay, b"row>") {
        let before = &hay[..at];
        let ok = before.ends_with(b"</")
            || before.strip_suffix(b":").is_some_and(|prefix| {
                let name_start = prefix
                    .iter()
                    .rposition(|b| {
                        !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' || *b == b'.')
                    })
                    .map_or(0, |i| i + 1);
                name_start < prefix.len() && prefix[..name_start].ends_with(b"</")
            });
        if ok {
            return Some(at + 4);
        }
        hay = before;
    }
    None
}

/// The length of the section `s` opens with (`<?…?>`, `<!--…-->`, `<![CDATA[…]]>`, or a
/// `<!DOCTYPE …>` with its internal subset in brackets), ended as the readers end it (`<!-->`
/// does not end itself); `None` while it does not end in `s`.
fn section_len(s: &[u8]) -> Option<usize> {
    let closed = |open: usize, close: &[u8]| {
        let inside = s.get(open..)?;
        memchr::memmem::find(inside, close).map(|end| open + end + close.len())
    };
    if s.starts_with(b"<?") {
        closed(2, b"?>")
    } else if s.starts_with(b"<!--") {
        closed(4, b"-->")
    } else if s.starts_with(b"<![CDATA[") {
        closed(9, b"]]>")
    } else {
        let mut depth = 0usize;
        for (i, b) in s.iter().enumerate().skip(2) {
            match b {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'>' if depth == 0 => return Some(i + 1),
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn row_ends() {
        assert_eq!(super::last_row_end(b"<row r=\"1\"><c/></row><row>"), 21);
        assert_eq!(super::last_row_end(b"<x:row><x:c/></x:row>ab"), 21);
        assert_eq!(super::last_row_end(b"<row r=\"1\"><c><v>arrow>"), 0);
    }

    #[test]
    fn no_row_end_inside_a_section() {
        let end = |s: &str| super::last_row_end(s.as_bytes());
        // Closed sections are stepped over; the row end after one counts.
        assert_eq!(end("<row></row><![CDATA[</row>]]>x"), 11);
        assert_eq!(end("<row></row><!-- </row> -->x"), 11);
        assert_eq!(end("<row></row><?pi </row> ?>x"), 11);
        assert_eq!(end("<!DOCTYPE x [<!-- </row> -->]><row></row>"), 41);
        assert_eq!(end("<row><!-- a --></row><!---->"), 21);
        // A section still open hides what follows, even a row end.
        assert_eq!(end("<row></row><row><c><is><t><![CDATA[</row>"), 11);
        assert_eq!(end("<row></row><!-- </row>"), 11);
        assert_eq!(end("<row></row><!--></row>"), 11);
        assert_eq!(end("<row></row><!-"), 11);
        assert_eq!(end("<?xml version=\"1.0\""), 0);
        // `!` and `?` in text open nothing.
        assert_eq!(end("<row><c><v>a?b!</v></c></row>"), 29);
    }
}
