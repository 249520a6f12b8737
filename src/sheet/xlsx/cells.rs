//! One sheet's XML, chunk by chunk, into a [`Grid`]: rows, cells and their values as calamine
//! reads them, the merged areas, and the limits on what a sheet may hold.

use std::borrow::Cow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use calamine::Dimensions;
use quick_xml::Reader;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};

use super::parts::{parse_cell, parse_ref};
use super::scan::{Token, Tokens, attr_values, push_cdata, push_text};
use super::{SheetXml, XlsxBook};
use crate::sheet::SheetError;
use crate::sheet::grid::{Cell, Grid};
use crate::sheet::source::{
    Budget, MAX_COLUMNS, MAX_ROWS, ReadProgress, damaged, fill_merged, push_cell, text_len,
};

#[derive(PartialEq, Eq)]
pub(super) enum Flow {
    Go,
    Stop,
}

/// A cell's `t` attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Shared,
    Formula,
    Inline,
    Bool,
    Error,
    IsoDate,
}

struct CellStart {
    row: u32,
    column: u32,
    kind: Kind,
    style: usize,
}

#[allow(clippy::struct_excessive_bools)] // one flag per open element of the sheet XML, read per byte
pub(super) struct SheetParser<'a> {
    book: &'a XlsxBook,
    path: &'a Path,
    part: &'a str,
    grid: Grid,
    merges: Vec<Dimensions>,
    limit: u32,
    peek: bool,
    declared_rows: u32,
    row: u32,
    next_row: u32,
    next_column: u32,
    cell: Option<CellStart>,
    /// Text of the current `<v>`, and whether one is open.
    value: String,
    in_value: bool,
    /// Whether the current cell holds a formula (`<f>`).
    formula: bool,
    /// The row and column of the cell before, to refuse a cell given twice (Excel refuses
    /// such a file; read last-wins, one of two values would be dropped without a word).
    last_cell: Option<(u32, u32)>,
    /// The current `<is>`: its text so far (`None` before any `<t>`), and its state.
    inline: Option<String>,
    in_inline: bool,
    in_phonetic: bool,
    in_text: bool,
    preserve: bool,
    piece: String,
    cells: usize,
    budget: Budget,
}

impl<'a> SheetParser<'a> {
    pub(super) fn new(
        book: &'a XlsxBook,
        path: &'a Path,
        part: &'a str,
        sheet: &str,
        max_rows: Option<u32>,
    ) -> Self {
        Self {
            book,
            path,
            part,
            grid: Grid {
                sheet: sheet.to_owned(),
                rows: Vec::new(),
            },
            merges: Vec::new(),
            limit: max_rows.unwrap_or(MAX_ROWS),
            peek: max_rows.is_some(),
            declared_rows: 0,
            row: 1,
            next_row: 1,
            next_column: 0,
            cell: None,
            value: String::new(),
            in_value: false,
            formula: false,
            last_cell: None,
            inline: None,
            in_inline: false,
            in_phonetic: false,
            in_text: false,
            preserve: false,
            piece: String::new(),
            cells: 0,
            budget: Budget::default(),
        }
    }

    pub(super) fn finish(mut self) -> Result<Grid, SheetError> {
        fill_merged(self.path, &mut self.grid, &self.merges, &mut self.budget)?;
        Ok(self.grid)
    }

    /// The values of a few attributes of a tag, its malformed attributes the sheet's damage.
    fn attrs<'t, const N: usize>(
        &self,
        attrs: impl TagAttrs<'t>,
        names: [&str; N],
    ) -> Result<[Option<Cow<'t, str>>; N], SheetError> {
        attrs.values(names).map_err(|e| self.malformed(e))
    }

    fn malformed(&self, what: impl std::fmt::Display) -> SheetError {
        damaged(
            self.path,
            format!("其中“{}”部分的内容格式不正确（{what}）", self.part),
        )
    }

    /// Reads `text`, which ends after a row (or is the rest of the part), with `reader`.
    pub(super) fn feed(
        &mut self,
        reader: SheetXml,
        text: &str,
        progress: &mut dyn FnMut(ReadProgress),
        cancel: &AtomicBool,
    ) -> Result<Flow, SheetError> {
        match reader {
            SheetXml::Scan => self.feed_scanned(text, progress, cancel),
            SheetXml::QuickXml => self.feed_quick_xml(text, progress, cancel),
        }
    }

    fn feed_scanned(
        &mut self,
        text: &str,
        progress: &mut dyn FnMut(ReadProgress),
        cancel: &AtomicBool,
    ) -> Result<Flow, SheetError> {
        let mut tokens = Tokens::new(text);
        while let Some(token) = tokens.next_token().map_err(|e| self.malformed(e))? {
            match token {
                Token::Start { name, attrs, empty } => {
                    if self.start(name, attrs, empty)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Token::End { name } => self.end(name, progress, cancel)?,
                Token::Text(t) => {
                    if let Some(out) = self.text_target() {
                        push_text(t, out).map_err(|e| self.malformed(e))?;
                    }
                }
                Token::CData(t) => {
                    if self.in_text {
                        push_cdata(t, &mut self.piece);
                    }
                }
            }
        }
        Ok(Flow::Go)
    }

    /// The reference reader: quick-xml's borrowing reader with its own attribute parser, as the
    /// sheet was read before the scanner (end names unchecked, as for the other parts).
    fn feed_quick_xml(
        &mut self,
        text: &str,
        progress: &mut dyn FnMut(ReadProgress),
        cancel: &AtomicBool,
    ) -> Result<Flow, SheetError> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.trim_text(false);
        loop {
            let event = reader
                .read_event()
                .map_err(|e| self.malformed(quick_xml_error(&e)))?;
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    // quick-xml takes `< c/>` for a tag without a name; XML has none.
                    if e.name().as_ref().is_empty() {
                        return Err(self.malformed("标记没有名称"));
                    }
                    let empty = matches!(event, Event::Empty(_));
                    if self.start(e.local_name().as_ref(), e, empty)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Event::End(e) => self.end(e.local_name().as_ref(), progress, cancel)?,
                Event::Text(t) => {
                    if let Some(out) = self.text_target() {
                        out.push_str(&t.xml10_content());
                    }
                }
                Event::CData(t) => {
                    if self.in_text {
                        self.piece.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if self.text_target().is_some() {
                        let resolved = match resolve_xml_entity(&r) {
                            Some(s) => s.chars().next(),
                            None => r.resolve_char_ref().ok().flatten(),
                        }
                        .ok_or_else(|| self.malformed(format!("&{};", &*r)))?;
                        if let Some(out) = self.text_target() {
                            out.push(resolved);
                        }
                    }
                }
                Event::Eof => return Ok(Flow::Go),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Where character data goes: the open `<v>`, the open `<t>` of an inline string, or
    /// nowhere.
    #[inline]
    fn text_target(&mut self) -> Option<&mut String> {
        if self.in_value {
            Some(&mut self.value)
        } else if self.in_text {
            Some(&mut self.piece)
        } else {
            None
        }
    }

    /// An end tag, by its local name; a cell's end adds it to the grid.
    #[inline]
    fn end(
        &mut self,
        name: &str,
        progress: &mut dyn FnMut(ReadProgress),
        cancel: &AtomicBool,
    ) -> Result<(), SheetError> {
        match name {
            "v" => self.in_value = false,
            "t" if self.in_text => {
                self.in_text = false;
                let piece = if self.preserve {
                    unescape_excel(&self.piece)
                } else {
                    unescape_excel(self.piece.trim_matches([' ', '\t', '\r', '\n']))
                };
                self.inline.get_or_insert_default().push_str(&piece);
            }
            "rPh" => self.in_phonetic = false,
            "is" => self.in_inline = false,
            "c" => {
                if let Some(cell) = self.cell.take() {
                    self.end_cell(&cell)?;
                    if self.cells.is_multiple_of(4096) {
                        if cancel.load(Ordering::Relaxed) {
                            return Err(SheetError::Cancelled);
                        }
                        progress(ReadProgress {
                            rows: cell.row,
                            fraction: (self.declared_rows > 1)
                                .then(|| cell.row as f32 / self.declared_rows as f32),
                        });
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    #[inline]
    #[expect(
        clippy::too_many_lines,
        reason = "one match over the tags a sheet uses"
    )]
    fn start<'t>(
        &mut self,
        name: &str,
        attrs: impl TagAttrs<'t>,
        empty: bool,
    ) -> Result<Flow, SheetError> {
        match name {
            "row" => {
                let [r] = self.attrs(attrs, ["r"])?;
                let number = match r {
                    Some(r) => r
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| self.malformed(format!("行号 {r}")))?,
                    None => self.next_row,
                };
                self.row = number;
                self.next_row = number.saturating_add(1);
                self.next_column = 0;
                if number > self.limit {
                    if self.peek {
                        return Ok(Flow::Stop);
                    }
                    return Err(SheetError::Bomb {
                        path: self.path.to_owned(),
                        what: format!("超过 {MAX_ROWS} 行"),
                    });
                }
            }
            "c" => {
                let [r, t, s] = self.attrs(attrs, ["r", "t", "s"])?;
                let (row, column) = match r {
                    Some(r) => {
                        let (row, column) =
                            parse_cell(&r).ok_or_else(|| self.malformed(format!("单元格 {r}")))?;
                        (row.unwrap_or(self.row), column)
                    }
                    None => (self.row, self.next_column),
                };
                self.next_column = column.saturating_add(1);
                if self.last_cell.is_some_and(|last| (row, column) <= last) {
                    return Err(self.malformed(format!(
                        "单元格 {} 重复出现或次序颠倒，Excel 也打不开这样的文件",
                        cell_name(row, column)
                    )));
                }
                self.last_cell = Some((row, column));
                if row > self.limit {
                    if self.peek {
                        return Ok(Flow::Stop);
                    }
                    return Err(SheetError::Bomb {
                        path: self.path.to_owned(),
                        what: format!("超过 {MAX_ROWS} 行"),
                    });
                }
                let kind = match t.as_deref() {
                    None | Some("n") => Kind::Number,
                    Some("s") => Kind::Shared,
                    Some("str") => Kind::Formula,
                    Some("inlineStr" | "is") => Kind::Inline,
                    Some("b") => Kind::Bool,
                    Some("e") => Kind::Error,
                    Some("d") => Kind::IsoDate,
                    Some(other) => return Err(self.malformed(format!("单元格类型 {other}"))),
                };
                let style = s.and_then(|s| s.parse().ok()).unwrap_or(0);
                if !empty {
                    self.cell = Some(CellStart {
                        row,
                        column,
                        kind,
                        style,
                    });
                    self.value.clear();
                    self.inline = None;
                    self.formula = false;
                }
            }
            "v" if self.cell.is_some() && !empty => self.in_value = true,
            "f" if self.cell.is_some() => self.formula = true,
            "is" if self.cell.is_some() => {
                self.inline = None;
                self.in_inline = !empty;
                if empty {
                    self.inline = Some(String::new());
                }
            }
            "rPh" if self.in_inline && !empty => self.in_phonetic = true,
            "t" if self.in_inline && !self.in_phonetic => {
                if empty {
                    self.inline.get_or_insert_default();
                } else {
                    self.in_text = true;
                    let [space] = self.attrs(attrs, ["space"])?;
                    self.preserve = space.as_deref() == Some("preserve");
                    self.piece.clear();
                }
            }
            "mergeCell" => {
                if let [Some(r)] = self.attrs(attrs, ["ref"])?
                    && let Some(d) = parse_ref(&r)
                {
                    self.merges.push(d);
                }
            }
            "dimension" => {
                if let [Some(r)] = self.attrs(attrs, ["ref"])?
                    && let Some(d) = parse_ref(&r)
                {
                    self.declared_rows = d.end.0 + 1;
                }
            }
            _ => {}
        }
        Ok(Flow::Go)
    }

    /// The value of a finished `<c>`, read as calamine reads it, added to the grid.
    fn end_cell(&mut self, cell: &CellStart) -> Result<(), SheetError> {
        let v = self.value.as_str();
        let value = match cell.kind {
            Kind::Inline => self.inline.take().map(Cell::Text),
            // An error value (#N/A, #REF!…) is kept as its text: dropped, it would read as a
            // blank cell and an account would lose its id without a word.
            Kind::Error => (!v.is_empty()).then(|| Cell::Text(v.to_owned())),
            _ if self.inline.is_some() => self.inline.take().map(Cell::Text),
            Kind::Shared => {
                if v.is_empty() {
                    None
                } else {
                    let index: usize = v
                        .trim()
                        .parse()
                        .map_err(|_| self.malformed(format!("共享文字编号 {v}")))?;
                    Some(Cell::Text(
                        self.book
                            .strings
                            .get(index)
                            .ok_or_else(|| self.malformed(format!("共享文字编号 {index} 不存在")))?
                            .to_owned(),
                    ))
                }
            }
            Kind::Bool => match v.trim() {
                "" => None,
                "1" | "true" => Some(Cell::Text("是".to_owned())),
                "0" | "false" => Some(Cell::Text("否".to_owned())),
                other => return Err(self.malformed(format!("逻辑值 {other}"))),
            },
            Kind::IsoDate => Some(Cell::Text(v.to_owned())),
            Kind::Formula => Some(Cell::Text(unescape_excel(v).into_owned())),
            Kind::Number => {
                if v.is_empty() {
                    None
                } else {
                    match v.parse::<f64>() {
                        Ok(n) if self.book.date_styles.get(cell.style) == Some(&true) => Some(
                            excel_date(n, self.book.date1904).map_or(Cell::Number(n), Cell::Date),
                        ),
                        Ok(n) => Some(Cell::Number(n)),
                        Err(_) => Some(Cell::Text(v.to_owned())),
                    }
                }
            }
        };
        // A formula whose result was never worked out (the file was written by a program and
        // never saved in Excel): marked, rather than read as a blank cell.
        let value = match value {
            None if self.formula => Some(Cell::Text(crate::sheet::UNCALCULATED.to_owned())),
            value => value,
        };
        let Some(value) = value else {
            return Ok(());
        };
        if cell.column >= MAX_COLUMNS {
            return Ok(());
        }
        self.cells += 1;
        self.budget.charge(self.path, cell.row, text_len(&value))?;
        push_cell(&mut self.grid, cell.row, cell.column as usize, value);
        Ok(())
    }
}

/// A cell's name as Excel shows it, from its `row` as Excel numbers it (from 1) and its
/// `column` from 0: row 3, column 2 is C3.
fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &row.to_string()
}

/// An Excel serial date as calamine converts it (1900 system with its leap-year bug, or 1904).
pub(super) fn excel_date(serial: f64, date1904: bool) -> Option<chrono::NaiveDate> {
    let f = if date1904 { serial + 1462.0 } else { serial };
    let f = if f >= 60.0 { f } else { f + 1.0 };
    let ms = (f * 86_400_000.0).round();
    if !ms.is_finite() || ms.abs() > 1e17 {
        return None;
    }
    #[expect(clippy::cast_possible_truncation, reason = "bounded above")]
    let ms = ms as i64;
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?
        .and_time(chrono::NaiveTime::MIN)
        .checked_add_signed(chrono::Duration::try_milliseconds(ms)?)
        .map(|dt| dt.date())
}

/// Excel's escapes of characters XML cannot hold: `_x000D_` is a carriage return.
pub(super) fn unescape_excel(text: &str) -> std::borrow::Cow<'_, str> {
    // A byte loop: most texts have no `_` at all, and this runs for every text cell.
    let b = text.as_bytes();
    if !(1..b.len()).any(|i| b[i] == b'x' && b[i - 1] == b'_') {
        return std::borrow::Cow::Borrowed(text);
    }
    let unit_at = |s: &str, i: usize| -> Option<u16> {
        let b = s.as_bytes();
        if b.len() >= i + 7
            && &b[i..i + 2] == b"_x"
            && b[i + 6] == b'_'
            && b[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit)
        {
            u16::from_str_radix(&s[i + 2..i + 6], 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if let Some(unit) = unit_at(text, i) {
            i += 7;
            let c = match unit {
                0xD800..=0xDBFF => match unit_at(text, i) {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        i += 7;
                        char::from_u32(
                            0x10000
                                + ((u32::from(unit) - 0xD800) << 10)
                                + (u32::from(low) - 0xDC00),
                        )
                    }
                    _ => None,
                },
                _ => char::from_u32(u32::from(unit)),
            };
            out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        } else {
            let c = text[i..].chars().next().expect("i is a char boundary");
            out.push(c);
            i += c.len_utf8();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What quick-xml found wrong, in Chinese (its own messages are English).
fn quick_xml_error(e: &quick_xml::Error) -> &'static str {
    use quick_xml::errors::SyntaxError;
    match e {
        quick_xml::Error::Syntax(SyntaxError::UnclosedComment) => "注释没有结束",
        quick_xml::Error::Syntax(SyntaxError::UnclosedCData) => "CDATA 段没有结束",
        quick_xml::Error::Syntax(SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl) => {
            "处理指令没有结束"
        }
        quick_xml::Error::Syntax(SyntaxError::UnclosedDoctype) => "文档类型声明没有结束",
        quick_xml::Error::Syntax(_) => "标记没有结束",
        _ => "XML 写法有误",
    }
}

/// A start tag's attributes as a reader gives them: the values of a few, by local name, with
/// entities resolved and white space normalised as XML does (a value that cannot be is kept as
/// written); a malformed attribute is an error saying so.
trait TagAttrs<'t>: Copy {
    fn values<const N: usize>(&self, names: [&str; N])
    -> Result<[Option<Cow<'t, str>>; N], String>;
}

/// The scanner's: the text after the tag's name.
impl<'t> TagAttrs<'t> for &'t str {
    #[inline]
    fn values<const N: usize>(
        &self,
        names: [&str; N],
    ) -> Result<[Option<Cow<'t, str>>; N], String> {
        attr_values(self, names)
    }
}

/// quick-xml's, through its own attribute parser (without the duplicate check).
impl<'t> TagAttrs<'t> for &'t BytesStart<'t> {
    fn values<const N: usize>(
        &self,
        names: [&str; N],
    ) -> Result<[Option<Cow<'t, str>>; N], String> {
        let mut found = [const { None }; N];
        for a in (*self).attributes().with_checks(false) {
            let a = a.map_err(|_| {
                format!(
                    "属性写法有误：{}",
                    self.attributes_raw()
                        .trim()
                        .chars()
                        .take(40)
                        .collect::<String>()
                )
            })?;
            if let Some(k) = names.iter().position(|n| *n == a.key.local_name().as_ref()) {
                found[k] = Some(
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap_or(a.value),
                );
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_escapes() {
        assert_eq!(super::unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(super::unescape_excel("_xD83D__xDE00_"), "😀");
        assert_eq!(super::unescape_excel("_x12_"), "_x12_");
    }

    #[test]
    fn serial_dates() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(super::excel_date(45292.0, false), d(2024, 1, 1));
        assert_eq!(super::excel_date(1.0, false), d(1900, 1, 1));
        assert_eq!(super::excel_date(0.0, true), d(1904, 1, 1));
    }
}
