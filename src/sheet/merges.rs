//! Finding an xlsx sheet's merged areas quickly.
//!
//! calamine finds them by parsing the whole sheet XML a second time, which costs as much as
//! reading the cells. The `<mergeCells>` element sits after the cell data, so here the sheet is
//! only inflated and searched for it; the small workbook parts are parsed with quick-xml to find
//! which archive part holds the sheet. Any surprise returns `None` and the caller falls back to calamine.

use std::io::{Cursor, Read};

use calamine::Dimensions;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// The merged areas of `sheet`, or `None` if the archive is not laid out as expected.
#[must_use]
pub fn merged_regions(bytes: &[u8], sheet: &str) -> Option<Vec<Dimensions>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let workbook = read_part(&mut zip, "xl/workbook.xml")?;
    let rels = read_part(&mut zip, "xl/_rels/workbook.xml.rels")?;
    let rel_id = attribute_of(&workbook, "sheet", "name", sheet, "r:id")?;
    let target = attribute_of(&rels, "Relationship", "Id", &rel_id, "Target")?;
    let path = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    };
    let xml = read_part(&mut zip, &path)?;
    let Some(start) = memfind(&xml, b"<mergeCells") else {
        return Some(Vec::new());
    };
    let mut regions = Vec::new();
    let mut reader = Reader::from_reader(&xml[start..]);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "mergeCell" => {
                let value = e
                    .try_get_attribute("ref")
                    .ok()??
                    .normalized_value(XmlVersion::Implicit1_0)
                    .ok()?;
                regions.push(parse_ref(&value)?);
            }
            Event::End(e) if e.local_name().as_ref() == "mergeCells" => return Some(regions),
            Event::Eof => return Some(regions),
            _ => {}
        }
    }
}

fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut entry = zip.by_name(name).ok()?;
    let mut out = Vec::with_capacity(usize::try_from(entry.size()).ok()?);
    entry.read_to_end(&mut out).ok()?;
    Some(out)
}

/// The `want` attribute of the first `element` whose `key` attribute equals `value`.
fn attribute_of(xml: &[u8], element: &str, key: &str, value: &str, want: &str) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == element => {
                let mut matched = false;
                let mut found = None;
                for a in e.attributes().flatten() {
                    let v = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .ok()?
                        .into_owned();
                    if a.key.as_ref() == key && v == value {
                        matched = true;
                    }
                    if a.key.as_ref() == want {
                        found = Some(v);
                    }
                }
                if matched {
                    return found;
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

fn memfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// "B3:D7" → rows 2..=6, columns 1..=3 (0-based).
fn parse_ref(text: &str) -> Option<Dimensions> {
    let (a, b) = text.split_once(':').unwrap_or((text, text));
    Some(Dimensions::new(parse_cell(a)?, parse_cell(b)?))
}

fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = text[..letters].bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = text[letters..].parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cell_references() {
        assert_eq!(super::parse_cell("A1"), Some((0, 0)));
        assert_eq!(super::parse_cell("AB10"), Some((9, 27)));
        assert_eq!(super::parse_cell("1A"), None);
    }
}
