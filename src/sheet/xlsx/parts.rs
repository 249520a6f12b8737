//! The small parts of an xlsx: which part is the workbook, its sheets and their parts, the
//! shared strings, and which cell styles show dates.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use calamine::Dimensions;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{XmlVersion, escape::resolve_xml_entity};

use super::cells::unescape_excel;
use crate::sheet::SheetError;
use crate::sheet::source::{MAX_ENTRY_INFLATED, MAX_TEXT_BYTES, damaged};

use super::Zip;

/// An attribute's value by local name, entities resolved.
pub(super) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name).then(|| {
            a.normalized_value(XmlVersion::Implicit1_0).map_or_else(
                |_| a.value.clone().into_owned(),
                std::borrow::Cow::into_owned,
            )
        })
    })
}

/// The text of the small part `name` (workbook, relations, styles), at most
/// [`MAX_SMALL_PART`]; `None` when the archive has no such part.
pub(super) fn read_text(
    path: &Path,
    zip: &mut Zip,
    name: &str,
) -> Result<Option<String>, SheetError> {
    let Ok(mut entry) = zip.by_name(name) else {
        return Ok(None);
    };
    let mut out =
        Vec::with_capacity(usize::try_from(entry.size().min(MAX_SMALL_PART)).unwrap_or(0));
    (&mut entry)
        .take(MAX_SMALL_PART + 1)
        .read_to_end(&mut out)
        .map_err(|_| damaged(path, format!("其中“{name}”部分的数据已损坏（校验不符）")))?;
    if out.len() as u64 > MAX_SMALL_PART {
        return Err(crate::sheet::source::bomb(path, MAX_SMALL_PART));
    }
    // The byte-order mark dropped in place: no second copy of the part.
    if out.starts_with("\u{feff}".as_bytes()) {
        out.drain(..3);
    }
    let text = String::from_utf8(out)
        .map_err(|_| damaged(path, format!("其中“{name}”部分的文字编码有误")))?;
    Ok(Some(text))
}

/// Largest size a workbook, relations or styles part may inflate to (the sheets and shared
/// strings are read as they inflate).
const MAX_SMALL_PART: u64 = 64 * 1024 * 1024;

/// Events of a small part, its errors in Chinese.
fn each_event(
    path: &Path,
    part: &str,
    xml: &str,
    mut f: impl FnMut(Event<'_>) -> Result<(), SheetError>,
) -> Result<(), SheetError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|_| damaged(path, format!("其中“{part}”部分的内容格式不正确")))?;
        if matches!(event, Event::Eof) {
            return Ok(());
        }
        f(event)?;
    }
}

/// The workbook part named by the package relations (`xl/workbook.xml` when they say nothing).
pub(super) fn office_document(path: &Path, zip: &mut Zip) -> Result<String, SheetError> {
    let mut found = None;
    if let Some(xml) = read_text(path, zip, "_rels/.rels")? {
        each_event(path, "_rels/.rels", &xml, |e| {
            if let Event::Start(e) | Event::Empty(e) = e
                && e.local_name().as_ref() == "Relationship"
                && attr(&e, "Type").is_some_and(|t| t.ends_with("/officeDocument"))
                && found.is_none()
            {
                found = attr(&e, "Target").map(|t| t.trim_start_matches('/').to_owned());
            }
            Ok(())
        })?;
    }
    Ok(found
        .filter(|p| zip.index_for_name(p).is_some())
        .unwrap_or_else(|| "xl/workbook.xml".to_owned()))
}

/// A sheet as the workbook lists it: its name, its relation id, and whether it is hidden
/// (hidden or veryHidden).
pub(super) type SheetEntry = (String, String, bool);

/// The workbook's sheets, and whether dates count from 1904.
pub(super) fn parse_workbook(
    path: &Path,
    part: &str,
    xml: &str,
) -> Result<(Vec<SheetEntry>, bool), SheetError> {
    let mut sheets = Vec::new();
    let mut date1904 = false;
    each_event(path, part, xml, |e| {
        if let Event::Start(e) | Event::Empty(e) = e {
            match e.local_name().as_ref() {
                "sheet" => {
                    if let (Some(name), Some(id)) = (attr(&e, "name"), attr(&e, "id")) {
                        let hidden = attr(&e, "state").is_some_and(|s| s != "visible");
                        sheets.push((name, id, hidden));
                    }
                }
                "workbookPr" => {
                    if let Some(v) = attr(&e, "date1904") {
                        date1904 = v == "1" || v == "true";
                    }
                }
                _ => {}
            }
        }
        Ok(())
    })?;
    Ok((sheets, date1904))
}

pub(super) struct Rel {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) target: String,
}

pub(super) fn parse_rels(
    path: &Path,
    part: &str,
    xml: &str,
    dir: &str,
) -> Result<Vec<Rel>, SheetError> {
    let mut rels = Vec::new();
    each_event(path, part, xml, |e| {
        if let Event::Start(e) | Event::Empty(e) = e
            && e.local_name().as_ref() == "Relationship"
            && let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target"))
        {
            let target = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_owned(),
                None => format!("{dir}{target}"),
            };
            rels.push(Rel {
                id,
                kind: attr(&e, "Type").unwrap_or_default(),
                target,
            });
        }
        Ok(())
    })?;
    Ok(rels)
}

/// The shared strings of a workbook, kept as one text and where each ends: a table of millions
/// of short or empty strings costs 4 bytes each, not a `String` each.
#[derive(Debug, Default)]
pub(super) struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

/// Most shared strings a workbook may hold, used or not: twice the cells a sheet may hold
/// ([`crate::sheet::source::MAX_CELLS`]), 16 MiB of offsets.
const MAX_SHARED_STRINGS: usize = 4_000_000;

impl SharedStrings {
    /// String `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(before) => self.ends[before] as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    fn push(&mut self, path: &Path, s: &str) -> Result<(), SheetError> {
        self.text.push_str(s);
        if self.ends.len() >= MAX_SHARED_STRINGS || self.text.len() > MAX_TEXT_BYTES {
            return Err(SheetError::Bomb {
                path: path.to_owned(),
                what: format!(
                    "共享文字表超过 {} 万条或 {} MB 文字",
                    MAX_SHARED_STRINGS / 10_000,
                    MAX_TEXT_BYTES / (1024 * 1024)
                ),
            });
        }
        // Below MAX_TEXT_BYTES, so within u32.
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        Ok(())
    }
}

/// The shared strings of part `part`, each `<si>`'s text runs joined, phonetic guides left
/// out: read as the part inflates (never the whole XML in memory), within
/// [`MAX_SHARED_STRINGS`] and [`MAX_TEXT_BYTES`]. `None` when the archive has no such part.
pub(super) fn read_shared_strings(
    path: &Path,
    zip: &mut Zip,
    part: &str,
) -> Result<Option<SharedStrings>, SheetError> {
    let Ok(entry) = zip.by_name(part) else {
        return Ok(None);
    };
    // Bytes read since the last event: one text node of hundreds of MB would otherwise be
    // held whole by the reader before any limit is checked.
    let since = std::rc::Rc::new(std::cell::Cell::new(0_usize));
    let input = std::io::BufReader::with_capacity(
        64 * 1024,
        Budgeted {
            inner: entry.take(MAX_ENTRY_INFLATED + 1),
            since: std::rc::Rc::clone(&since),
        },
    );
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = false;
    let mut strings = SharedStrings::default();
    let (mut current, mut in_si, mut in_phonetic, mut in_text, mut preserve) =
        (None::<String>, false, false, false, false);
    let mut piece = String::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        since.set(0);
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| event_error(path, part, &e, since.get()))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = true;
                    current = None;
                }
                "rPh" => in_phonetic = true,
                "t" if in_si && !in_phonetic => {
                    in_text = true;
                    preserve = attr(&e, "space").as_deref() == Some("preserve");
                    piece.clear();
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "si" => strings.push(path, "")?,
                "t" if in_si && !in_phonetic => {
                    current.get_or_insert_default();
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = false;
                    strings.push(path, current.take().as_deref().unwrap_or_default())?;
                }
                "rPh" => in_phonetic = false,
                "t" if in_text => {
                    in_text = false;
                    let text = if preserve {
                        unescape_excel(&piece)
                    } else {
                        unescape_excel(piece.trim_matches([' ', '\t', '\r', '\n']))
                    };
                    current.get_or_insert_default().push_str(&text);
                }
                _ => {}
            },
            Event::Text(t) if in_text => piece.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => piece.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                let c = match resolve_xml_entity(&r) {
                    Some(s) => s.chars().next(),
                    None => r.resolve_char_ref().ok().flatten(),
                }
                .ok_or_else(|| {
                    damaged(
                        path,
                        format!("其中“{part}”部分的内容格式不正确（&{};）", &*r),
                    )
                })?;
                piece.push(c);
            }
            _ => {}
        }
        // A string of many runs is held to the same bound as one run.
        if piece.len() + current.as_ref().map_or(0, String::len) > MAX_EVENT_BYTES {
            return Err(too_long(path));
        }
    }
    if reader.get_ref().get_ref().inner.limit() == 0 {
        return Err(super::super::source::bomb(path, MAX_ENTRY_INFLATED));
    }
    strings.text.shrink_to_fit();
    strings.ends.shrink_to_fit();
    Ok(Some(strings))
}

/// What a read error of the shared strings means to the user; `since`: bytes read since the
/// last event.
fn event_error(path: &Path, part: &str, e: &quick_xml::Error, since: usize) -> SheetError {
    match e {
        quick_xml::Error::Io(_) if since > MAX_EVENT_BYTES => too_long(path),
        quick_xml::Error::Io(_) => {
            damaged(path, format!("其中“{part}”部分的数据已损坏（校验不符）"))
        }
        quick_xml::Error::Encoding(_) => damaged(path, format!("其中“{part}”部分的文字编码有误")),
        _ => damaged(path, format!("其中“{part}”部分的内容格式不正确")),
    }
}

/// The refusal of a shared string past [`MAX_EVENT_BYTES`].
fn too_long(path: &Path) -> SheetError {
    SheetError::Bomb {
        path: path.to_owned(),
        what: "一条共享文字超过 1 MB（Excel 的一个单元格最多 32767 个字）".to_owned(),
    }
}

/// Most bytes one piece of the shared strings (a tag, a run of text) may take: an Excel cell
/// holds at most 32,767 characters, about 128 KB.
const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// A reader that fails once more than [`MAX_EVENT_BYTES`] are read without `since` being
/// reset (the shared-strings loop resets it at every event).
struct Budgeted<R> {
    inner: R,
    since: std::rc::Rc<std::cell::Cell<usize>>,
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since.get() > MAX_EVENT_BYTES {
            return Err(std::io::Error::other("过长"));
        }
        let n = self.inner.read(buf)?;
        self.since.set(self.since.get() + n);
        Ok(n)
    }
}

/// For each cell style, whether its number format shows a date or time (as calamine decides).
pub(super) fn parse_styles(path: &Path, part: &str, xml: &str) -> Result<Vec<bool>, SheetError> {
    let mut custom: HashMap<String, bool> = HashMap::new();
    let mut styles = Vec::new();
    let (mut in_formats, mut in_xfs) = (false, false);
    each_event(path, part, xml, |e| {
        match e {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmts" => in_formats = true,
                "cellXfs" => in_xfs = true,
                "numFmt" if in_formats => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode")) {
                        custom.insert(id, is_date_format(&code));
                    }
                }
                "xf" if in_xfs => styles.push(attr(&e, "numFmtId").is_some_and(|id| {
                    custom
                        .get(&id)
                        .copied()
                        .unwrap_or_else(|| is_builtin_date(&id))
                })),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "numFmts" => in_formats = false,
                "cellXfs" => in_xfs = false,
                _ => {}
            },
            _ => {}
        }
        Ok(())
    })?;
    Ok(styles)
}

/// The built-in number formats that show dates and times (ECMA-376 18.8.30, with the East
/// Asian date formats 27–36 and 50–58).
fn is_builtin_date(id: &str) -> bool {
    id.parse::<u32>()
        .is_ok_and(|id| matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58))
}

/// Whether a number format code shows a date, time or duration: calamine's
/// `detect_custom_number_format` (first section only; quoted, escaped and bracketed text
/// ignored, except `[h]`, `[m]`, `[s]`).
fn is_date_format(format: &str) -> bool {
    let (mut escaped, mut quoted, mut brackets, mut ap, mut hms) =
        (false, false, 0u8, false, false);
    let mut prev = ' ';
    for c in format.chars() {
        match (c, escaped, quoted, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => (),
            ('"', ..) => quoted = true,
            (';', ..) => return false,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return true,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return true,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return true;
            }
            _ => {
                if !(hms && c.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = c;
    }
    false
}

/// "B3:D7" → rows 2..=6, columns 1..=3 (0-based).
pub(super) fn parse_ref(text: &str) -> Option<Dimensions> {
    let (a, b) = text.split_once(':').unwrap_or((text, text));
    let (ra, ca) = parse_cell(a)?;
    let (rb, cb) = parse_cell(b)?;
    Some(Dimensions::new(
        (ra?.checked_sub(1)?, ca),
        (rb?.checked_sub(1)?, cb),
    ))
}

/// "AB10" → (Some(10), 27): the 1-based row if given, the 0-based column.
pub(super) fn parse_cell(text: &str) -> Option<(Option<u32>, u32)> {
    let text = text.trim().trim_start_matches('$');
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let column = text[..letters].bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let digits = text[letters..].trim_start_matches('$');
    let row = if digits.is_empty() {
        None
    } else {
        Some(digits.parse::<u32>().ok().filter(|r| *r > 0)?)
    };
    Some((row, column - 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn date_formats() {
        assert!(super::is_date_format("yyyy\"年\"m\"月\"d\"日\""));
        assert!(super::is_date_format("[h]:mm:ss"));
        assert!(!super::is_date_format("0.00"));
        assert!(!super::is_date_format("[Red]0"));
        assert!(!super::is_date_format("\"日期\"0"));
    }

    #[test]
    fn cell_references() {
        assert_eq!(super::parse_cell("A1"), Some((Some(1), 0)));
        assert_eq!(super::parse_cell("AB10"), Some((Some(10), 27)));
        assert_eq!(super::parse_cell("C"), Some((None, 2)));
        assert_eq!(super::parse_cell("1A"), None);
        assert_eq!(super::parse_cell("A0"), None);
        assert_eq!(
            super::parse_cell("XFD1048576"),
            Some((Some(1_048_576), 16_383))
        );
        assert_eq!(super::parse_cell("$B$2"), Some((Some(2), 1)));
        assert_eq!(super::parse_cell(" b2 "), Some((Some(2), 1)));
        assert_eq!(
            super::parse_cell("A999999999"),
            Some((Some(999_999_999), 0))
        );
        assert_eq!(super::parse_cell("A4294967296"), None);
        assert_eq!(super::parse_cell("ABCD1"), None);
    }
}
