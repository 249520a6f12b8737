//! Reading a CSV table as a stream, so that memory follows what the table holds rather than the
//! file's size: the bytes are decoded as they are read (UTF-8 with or without BOM, UTF-16 with
//! BOM, else GB18030, which covers GBK; a byte the encoding does not allow is refused, never
//! replaced), split into lines, and each line into fields.
//!
//! A quoted field may run over line breaks; a record whose quotes stay open across a line with
//! the delimiter in it is a quote left open (the rest of the file would become one cell) and
//! is refused with its line, as is an absurdly long line. Row numbers are the physical line a
//! record starts on, as a text editor shows it.

use std::io::{self, BufRead, BufReader, Cursor, Read};
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
/// the delimiter, the line terminator and the encoding.
struct Text<R> {
    lines: BufReader<Decoding<std::io::Chain<Cursor<Vec<u8>>, R>>>,
    delimiter: u8,
    terminator: u8,
    encoding: &'static Encoding,
}

/// Decides the encoding (a byte order mark, else UTF-8 when the head reads as UTF-8, else
/// GB18030), the delimiter and the line terminator from the head of `input`.
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
        if head[..head.len().min(8192)].contains(&0) {
            return Err(not_sheet("内容是二进制数据，不是文字表格"));
        }
        // Valid UTF-8 but for a character the head cuts in two.
        let utf8 = std::str::from_utf8(&head).map_or_else(|e| e.error_len().is_none(), |_| true);
        let encoding = if utf8 {
            encoding_rs::UTF_8
        } else {
            encoding_rs::GB18030
        };
        (encoding, 0)
    };
    let sample = encoding.decode_without_bom_handling(&head[bom..]).0;
    let delimiter = delimiter_of(&sample);
    // Lines end in \n (or \r\n); a file with no \n at all in its head may use a lone \r.
    let terminator = if !sample.contains('\n') && sample.contains('\r') {
        b'\r'
    } else {
        b'\n'
    };
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
    };
    Ok(Text {
        lines: BufReader::with_capacity(64 * 1024, decoded),
        delimiter,
        terminator,
        encoding,
    })
}

/// Reads the table `input` holds; `path` names it in messages.
pub(super) fn read_csv(path: &Path, input: impl Read) -> Result<Grid, SheetError> {
    let not_sheet = |detail: &str| SheetError::NotASpreadsheet {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let Text {
        mut lines,
        delimiter,
        terminator,
        encoding,
    } = open_text(path, input)?;
    // The decoder hands on all the text before a bad byte: the line being read holds it.
    let encoding_error = |e: io::Error, line: usize| {
        if e.kind() == io::ErrorKind::InvalidData {
            not_sheet(&format!(
                "第 {line} 行的文字编码有误（按 {} 读到了不允许的字节）",
                encoding.name()
            ))
        } else {
            SheetError::Io {
                path: path.to_owned(),
                source: e,
            }
        }
    };

    let mut grid = Grid::default();
    let mut budget = Budget::default();
    let mut line = Vec::new();
    let mut record = String::new();
    let mut line_number = 0usize;
    loop {
        line.clear();
        let got = read_line(&mut lines, &mut line, terminator)
            .map_err(|e| encoding_error(e, line_number + 1))?;
        if got == 0 {
            break;
        }
        line_number += 1;
        let fields = memchr::memchr_iter(delimiter, &line).count() + 1;
        if line.len() > MAX_CSV_LINE || fields > MAX_CSV_FIELDS {
            return Err(SheetError::CsvLine {
                path: path.to_owned(),
                line: line_number,
                what: if fields > MAX_CSV_FIELDS {
                    format!("{fields} 列")
                } else {
                    format!("{} KB", line.len() / 1024)
                },
            });
        }
        let text = std::str::from_utf8(&line).map_err(|_| not_sheet("文字编码有误"))?;
        let text = text.strip_suffix(char::from(terminator)).unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let start = line_number;
        record.clear();
        record.push_str(text);
        // A quoted field running over the line break: join the next lines to it.
        let (mut fields, mut open) = split_record(&record, char::from(delimiter));
        while open {
            line.clear();
            let got = read_line(&mut lines, &mut line, terminator)
                .map_err(|e| encoding_error(e, line_number + 1))?;
            let more = std::str::from_utf8(&line).map_err(|_| not_sheet("文字编码有误"))?;
            if got == 0 || record.len() + more.len() > MAX_CSV_LINE {
                return Err(SheetError::CsvQuote {
                    path: path.to_owned(),
                    line: start,
                });
            }
            line_number += 1;
            let more = more.strip_suffix(char::from(terminator)).unwrap_or(more);
            record.push('\n');
            record.push_str(more.strip_suffix('\r').unwrap_or(more));
            (fields, open) = split_record(&record, char::from(delimiter));
        }
        // A field running over a line break with the delimiter in it is a quote left open:
        // the rows after it were swallowed into one cell.
        if fields
            .iter()
            .any(|f| f.contains('\n') && f.contains(char::from(delimiter)))
        {
            return Err(SheetError::CsvQuote {
                path: path.to_owned(),
                line: start,
            });
        }
        let number = u32::try_from(start).unwrap_or(u32::MAX);
        let mut cells = Vec::with_capacity(fields.len().min(MAX_COLUMNS as usize));
        for f in fields.into_iter().take(MAX_COLUMNS as usize) {
            if f.trim().is_empty() {
                cells.push(Cell::Empty);
            } else {
                budget.charge(path, number, f.len())?;
                cells.push(Cell::Text(f));
            }
        }
        if cells.iter().any(|c| !c.is_empty()) {
            cells.shrink_to_fit();
            grid.rows.push(Row { number, cells });
        }
    }
    Ok(grid)
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

/// Reads up to and including the next `terminator` into `line`, at most one byte past
/// [`MAX_CSV_LINE`] (the caller refuses a longer line); 0 at the end of the input.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>, terminator: u8) -> io::Result<usize> {
    let mut read = 0;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(read);
        }
        let room = (MAX_CSV_LINE + 1).saturating_sub(line.len());
        let (used, done) = match memchr::memchr(terminator, available) {
            Some(i) if i < room => (i + 1, true),
            _ => (available.len().min(room), room <= available.len()),
        };
        line.extend_from_slice(&available[..used]);
        input.consume(used);
        read += used;
        if done {
            return Ok(read);
        }
    }
}

/// The fields of one record, as the csv crate splits them: a field that starts with a quote
/// runs to the matching quote (`""` inside is one quote), anything after it to the delimiter
/// is kept; any other field (a quote inside it too) is taken as it is. And whether the record
/// ends inside a quoted field, i.e. the next line belongs to it.
fn split_record(record: &str, delimiter: char) -> (Vec<String>, bool) {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = record.chars().peekable();
    let mut at_start = true;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == delimiter {
            fields.push(std::mem::take(&mut field));
            at_start = true;
            continue;
        } else if c == '"' && at_start {
            quoted = true;
        } else {
            field.push(c);
        }
        at_start = false;
    }
    fields.push(field);
    (fields, quoted)
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
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if self.malformed {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "malformed"));
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
            let (result, _, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out, last);
            self.out.truncate(written);
            if let DecoderResult::Malformed(..) = result {
                self.malformed = true;
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
    use super::split_record;

    #[test]
    fn records_split_as_csv_does() {
        let fields = |r: &str, d: char| split_record(r, d).0;
        assert_eq!(fields("a,b,,c", ','), ["a", "b", "", "c"]);
        assert_eq!(
            fields(r#""a,b","say ""hi""",c"#, ','),
            ["a,b", r#"say "hi""#, "c"]
        );
        assert_eq!(fields(r#"ab"c,d"#, ','), [r#"ab"c"#, "d"]);
        assert_eq!(fields("\"多\n行\",x", ','), ["多\n行", "x"]);
        assert_eq!(fields("a\tb", '\t'), ["a", "b"]);
        assert_eq!(fields("", ','), [""]);
        assert!(split_record("a,\"b", ',').1, "a quote left open");
        assert!(!split_record(r#"a,b"c"#, ',').1, "a quote inside a field");
        assert!(!split_record(r#""a""b",c"#, ',').1);
    }
}
