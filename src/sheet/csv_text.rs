//! Reading a CSV table as a stream, so that memory follows what the table holds rather than the
//! file's size: the bytes are decoded as they are read (UTF-8 with or without BOM, UTF-16 with
//! BOM, else GB18030, which covers GBK; a byte the encoding does not allow is refused, never
//! replaced) and split into records by `csv-core`, in time linear in the file whatever its
//! quotes, as Excel splits them: \r, \n and \r\n each end a record, a quoted field may run over
//! line breaks.
//!
//! A quoted field that runs over a line break with the delimiter in it is a quote left open
//! (the rest of the file would become one cell) and is refused with its row, as is an
//! absurdly long record and a control character (a NUL byte above all: what an interrupted
//! copy leaves). Rows are numbered as Excel numbers them: one per record and per blank line.

use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::sync::atomic::{AtomicBool, Ordering};

use csv_core::{ReadRecordResult, ReaderBuilder, Terminator};
use std::path::Path;

use encoding_rs::{Decoder, DecoderResult, Encoding};

use super::SheetError;
use super::grid::{Cell, Grid, Row};
use super::source::{Budget, MAX_COLUMNS};

/// Longest CSV line accepted, and most fields on one line: a roster line is a few hundred
/// bytes; a file of nothing but commas must not make the reader hold millions of fields.
const MAX_CSV_LINE: usize = 1024 * 1024;
const MAX_CSV_FIELDS: usize = 1024;
/// What is read before deciding the encoding and the delimiter.
const HEAD: usize = 64 * 1024;

/// The text of a CSV file, decoded as it is read, as the lines of it are split: the reader,
/// the delimiter and the encoding.
struct Text<R> {
    lines: BufReader<Decoding<std::io::Chain<Cursor<Vec<u8>>, R>>>,
    delimiter: u8,
    encoding: &'static Encoding,
}

/// Decides the encoding (a byte order mark, else UTF-8 when the head reads as UTF-8, else
/// GB18030) and the delimiter from the head of `input`.
fn open_text<R: Read>(path: &Path, mut input: R) -> Result<Text<R>, SheetError> {
    let not_sheet = |detail: &str| SheetError::NotASpreadsheet {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let mut head = Vec::with_capacity(HEAD);
    (&mut input)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|source| SheetError::Io {
            path: path.to_owned(),
            source,
        })?;
    if head.is_empty() {
        return Err(SheetError::Empty {
            path: path.to_owned(),
        });
    }
    let (encoding, bom) = if let Some(found) = Encoding::for_bom(&head) {
        found
    } else {
        // Text up to a run of NUL bytes to the end of the head is an interrupted copy (the
        // reader names its row); NUL bytes between text are binary data.
        let text_end = memchr::memchr(0, &head).unwrap_or(head.len());
        if text_end == 0 || head[text_end..].iter().any(|&b| b != 0) {
            return Err(not_sheet("内容是二进制数据，不是文字表格"));
        }
        let text = &head[..text_end];
        // Valid UTF-8 but for a character the head cuts in two.
        let utf8 = std::str::from_utf8(text).map_or_else(|e| e.error_len().is_none(), |_| true);
        let encoding = if utf8 {
            encoding_rs::UTF_8
        } else {
            encoding_rs::GB18030
        };
        (encoding, 0)
    };
    // UTF-16 holds NUL bytes in every ASCII character; other encodings end at a NUL tail.
    let utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
    let sample_end = if utf16 {
        head.len()
    } else {
        memchr::memchr(0, &head[bom..]).map_or(head.len(), |n| n + bom)
    };
    let sample = encoding
        .decode_without_bom_handling(&head[bom..sample_end])
        .0;
    let delimiter = delimiter_of(&sample);
    drop(sample);
    let decoded = Decoding {
        inner: Cursor::new(head).chain(input),
        decoder: encoding.new_decoder_without_bom_handling(),
        skip: bom,
        raw: vec![0; 64 * 1024],
        out: Vec::new(),
        at: 0,
        done: false,
        malformed: false,
        cut_by_nul: false,
    };
    Ok(Text {
        lines: BufReader::with_capacity(64 * 1024, decoded),
        delimiter,
        encoding,
    })
}

/// Reads the table `input` holds; `path` names it in messages. Linear in the input whatever
/// its quotes (`csv-core`); `cancel` stops it between records.
#[allow(clippy::too_many_lines)] // one loop over the input: blank lines, a record, its cells
pub(super) fn read_csv(
    path: &Path,
    input: impl Read,
    cancel: &AtomicBool,
) -> Result<Grid, SheetError> {
    let not_sheet = |detail: &str| SheetError::NotASpreadsheet {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let Text {
        mut lines,
        delimiter,
        encoding,
    } = open_text(path, input)?;
    // The decoder hands on all the text before a bad byte: the record being read holds it.
    let encoding_error = |e: io::Error, row: usize| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            SheetError::CsvControl {
                path: path.to_owned(),
                line: row,
                nul: true,
            }
        } else if e.kind() == io::ErrorKind::InvalidData {
            not_sheet(&format!(
                "第 {row} 行的文字编码有误（按 {} 读到了不允许的字节）",
                encoding.name()
            ))
        } else {
            SheetError::Io {
                path: path.to_owned(),
                source: e,
            }
        }
    };
    // \r, \n and \r\n all end a record, as in Excel.
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(Terminator::CRLF)
        .build();
    let mut grid = Grid::default();
    let mut budget = Budget::default();
    let mut fields: Vec<u8> = vec![0; 4096];
    let mut ends: Vec<usize> = vec![0; 64];
    let (mut out_len, mut ends_len) = (0, 0);
    // Rows as Excel numbers them: each record and each blank line is one row.
    let mut row = 0usize;
    let mut in_record = false;
    let mut record_row = 0usize;
    let mut spans_lines = false;
    let mut last_was_cr = false;
    let mut at_end = false;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(SheetError::Cancelled);
        }
        let input = if at_end {
            &[][..]
        } else {
            lines.fill_buf().map_err(|e| encoding_error(e, row + 1))?
        };
        if input.is_empty() {
            at_end = true;
        }
        let mut skipped = 0;
        if !in_record {
            // Blank lines before the record (the \n of a \r\n ends the last record).
            for &b in input.iter().take_while(|b| matches!(b, b'\r' | b'\n')) {
                if !(b == b'\n' && last_was_cr) {
                    row += 1;
                }
                last_was_cr = b == b'\r';
                skipped += 1;
            }
            if skipped < input.len() {
                in_record = true;
                spans_lines = false;
                record_row = row + 1;
            }
        }
        let input = &input[skipped..];
        let (result, read, written, ended) =
            reader.read_record(input, &mut fields[out_len..], &mut ends[ends_len..]);
        let consumed = &input[..read];
        if let Some(&last) = consumed.last() {
            last_was_cr = last == b'\r';
        }
        if in_record {
            // A line break before the record's own terminator is inside a quoted field.
            let body = consumed
                .strip_suffix(b"\n")
                .or_else(|| consumed.strip_suffix(b"\r"))
                .unwrap_or(consumed);
            spans_lines |= memchr::memchr2(b'\n', b'\r', body).is_some();
        }
        // Field ends count from the record's start (csv-core keeps its place across calls).
        out_len += written;
        ends_len += ended;
        if !at_end {
            lines.consume(skipped + read);
        }
        let too_long = |what: String| {
            if spans_lines {
                SheetError::CsvQuote {
                    path: path.to_owned(),
                    line: record_row,
                }
            } else {
                SheetError::CsvLine {
                    path: path.to_owned(),
                    line: record_row,
                    what,
                }
            }
        };
        match result {
            ReadRecordResult::InputEmpty => {}
            ReadRecordResult::OutputFull => {
                if fields.len() > MAX_CSV_LINE {
                    return Err(too_long(format!("{} KB", fields.len() / 1024)));
                }
                fields.resize(fields.len() * 2, 0);
            }
            ReadRecordResult::OutputEndsFull => {
                if ends.len() > MAX_CSV_FIELDS {
                    return Err(too_long(format!("{} 列", ends.len())));
                }
                ends.resize(ends.len() * 2, 0);
            }
            ReadRecordResult::Record => {
                row = record_row;
                let number = u32::try_from(record_row).unwrap_or(u32::MAX);
                let cells = record_cells(path, &fields[..out_len], &ends[..ends_len], number)?;
                let swallowed = |c: &Cell| match c {
                    Cell::Text(t) => t.contains(['\n', '\r']) && t.contains(char::from(delimiter)),
                    _ => false,
                };
                if spans_lines && cells.iter().any(swallowed) {
                    // A field running over a line break with the delimiter in it is a quote
                    // left open: the rows after it were swallowed into one cell.
                    return Err(SheetError::CsvQuote {
                        path: path.to_owned(),
                        line: record_row,
                    });
                }
                let mut kept = Vec::with_capacity(cells.len().min(MAX_COLUMNS as usize));
                for cell in cells.into_iter().take(MAX_COLUMNS as usize) {
                    if let Cell::Text(t) = &cell {
                        budget.charge(path, number, t.len())?;
                    }
                    kept.push(cell);
                }
                if kept.iter().any(|c| !c.is_empty()) {
                    kept.shrink_to_fit();
                    grid.rows.push(Row {
                        number,
                        cells: kept,
                    });
                }
                (out_len, ends_len) = (0, 0);
                in_record = false;
            }
            ReadRecordResult::End => break,
        }
    }
    Ok(grid)
}

/// The cells of one record: its fields as text (blank ones empty), refusing control
/// characters a table never holds — NUL bytes above all, what an interrupted copy leaves.
fn record_cells(
    path: &Path,
    fields: &[u8],
    ends: &[usize],
    row: u32,
) -> Result<Vec<Cell>, SheetError> {
    let mut cells = Vec::with_capacity(ends.len());
    let mut start = 0;
    for &end in ends {
        let bytes = &fields[start..end];
        start = end;
        if let Some(&bad) = bytes
            .iter()
            .find(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7f)
        {
            return Err(SheetError::CsvControl {
                path: path.to_owned(),
                line: row as usize,
                nul: bad == 0,
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| SheetError::NotASpreadsheet {
            path: path.to_owned(),
            detail: format!("第 {row} 行的文字编码有误"),
        })?;
        cells.push(if text.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text.to_owned())
        });
    }
    Ok(cells)
}

/// The delimiter the first lines use most: comma, tab or semicolon.
fn delimiter_of(sample: &str) -> u8 {
    let head: Vec<&str> = sample.lines().take(30).collect();
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| {
            head.iter()
                .map(|l| l.bytes().filter(|b| b == d).count())
                .sum::<usize>()
        })
        .unwrap_or(b',')
}

/// UTF-8 decoded from `inner` as it is read, refusing (with [`io::ErrorKind::InvalidData`])
/// any byte the encoding does not allow, once the text before it has been read.
struct Decoding<R> {
    inner: R,
    decoder: Decoder,
    /// Bytes of a byte order mark still to skip.
    skip: usize,
    raw: Vec<u8>,
    out: Vec<u8>,
    /// How much of `out` was handed on.
    at: usize,
    done: bool,
    /// A byte the encoding does not allow was met: the error comes after the text before it.
    malformed: bool,
    /// ... and NUL bytes came with it (a copy cut short).
    cut_by_nul: bool,
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if self.malformed {
                let kind = if self.cut_by_nul {
                    io::ErrorKind::UnexpectedEof
                } else {
                    io::ErrorKind::InvalidData
                };
                return Err(io::Error::new(kind, "malformed"));
            }
            if self.done {
                return Ok(0);
            }
            let mut n = self.inner.read(&mut self.raw)?;
            let mut from = 0;
            if self.skip > 0 {
                from = self.skip.min(n);
                self.skip -= from;
            }
            let last = n == 0;
            if last {
                self.done = true;
                n = 0;
            }
            let src = &self.raw[from..n];
            let need = self
                .decoder
                .max_utf8_buffer_length_without_replacement(src.len())
                .unwrap_or(src.len() * 3 + 16);
            self.out.clear();
            self.out.resize(need, 0);
            self.at = 0;
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out, last);
            self.out.truncate(written);
            if let DecoderResult::Malformed(..) = result {
                // A character cut short by NUL bytes is where an interrupted copy stopped.
                let rest = &self.raw[from + read..n];
                self.malformed = true;
                self.cut_by_nul =
                    rest.first() == Some(&0) || self.raw[from..from + read].contains(&0);
            }
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::read_csv;
    use crate::sheet::grid::Cell;

    /// The rows read from `text`: (row number, cells as text).
    fn rows(text: &[u8]) -> Vec<(u32, Vec<String>)> {
        let grid =
            read_csv(std::path::Path::new("t.csv"), text, &AtomicBool::new(false)).expect("read");
        grid.rows
            .iter()
            .map(|r| {
                let cells = r
                    .cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        _ => String::new(),
                    })
                    .collect();
                (r.number, cells)
            })
            .collect()
    }

    #[test]
    fn records_split_as_excel_reads_them() {
        assert_eq!(
            rows(b"a,b,,c\n"),
            [(1, vec!["a".into(), "b".into(), String::new(), "c".into()])]
        );
        assert_eq!(
            rows(br#""a,b","say ""hi""",c"#),
            [(1, vec!["a,b".into(), r#"say "hi""#.into(), "c".into()])]
        );
        assert_eq!(
            rows(b"a\tb\nc\td\n"),
            [
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["c".into(), "d".into()])
            ]
        );
        // A quoted line break stays in its cell; the next record is the next row.
        assert_eq!(
            rows("\"多\n行\",x\ny,z\n".as_bytes()),
            [
                (1, vec!["多\n行".into(), "x".into()]),
                (2, vec!["y".into(), "z".into()])
            ]
        );
    }

    #[test]
    fn every_line_end_ends_a_record_and_blank_lines_count_as_rows() {
        for text in [
            &b"a,b\nc,d\n\ne,f"[..],
            b"a,b\r\nc,d\r\n\r\ne,f\r\n",
            b"a,b\rc,d\r\re,f\r",
        ] {
            let got: Vec<u32> = rows(text).iter().map(|r| r.0).collect();
            assert_eq!(got, [1, 2, 4], "{:?}", String::from_utf8_lossy(text));
        }
        // Read in pieces smaller than a record.
        let text = "名称,平台\r\n".repeat(3000);
        assert_eq!(rows(text.as_bytes()).len(), 3000);
    }
}
