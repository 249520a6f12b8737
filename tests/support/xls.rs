//! Old-format (.xls, BIFF8) workbooks written record by record, as hostile or damaged files
//! can be: a compound file (the `cfb` crate) holding a Workbook stream of globals (one
//! `BoundSheet` per sheet) and one substream per sheet whose records the test supplies.

use std::io::Write;
use std::path::Path;

/// One record: type, length, data.
pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("record fits");
    let mut r = Vec::with_capacity(4 + data.len());
    r.extend(typ.to_le_bytes());
    r.extend(len.to_le_bytes());
    r.extend(data);
    r
}

fn bof(kind: u16) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(0x0600u16.to_le_bytes()); // BIFF8
    d.extend(kind.to_le_bytes());
    d.extend(0x0DBBu16.to_le_bytes());
    d.extend(0x07CCu16.to_le_bytes());
    d.extend([0; 8]);
    record(0x0809, &d)
}

fn eof() -> Vec<u8> {
    record(0x000A, &[])
}

/// A text cell (Label record, the string as UTF-16).
pub fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = Vec::new();
    d.extend(row.to_le_bytes());
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(
        u16::try_from(units.len())
            .expect("short text")
            .to_le_bytes(),
    );
    d.push(1);
    for u in units {
        d.extend(u.to_le_bytes());
    }
    record(0x0204, &d)
}

/// A number cell.
pub fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(row.to_le_bytes());
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(value.to_le_bytes());
    record(0x0203, &d)
}

/// Two numbers, at A1 and at (`last_row`, `last_col`) counted from 0: a sheet that spans the
/// rectangle between them and holds nothing else.
pub fn corners(last_row: u16, last_col: u16) -> Vec<u8> {
    let mut body = number(0, 0, 1.0);
    body.extend(number(last_row, last_col, 2.0));
    body
}

/// A BIFF8 Dimensions record: rows `first..last` and columns `first..last`, both ends exclusive.
pub fn dimensions(rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(rows.0.to_le_bytes());
    d.extend(rows.1.to_le_bytes());
    d.extend(cols.0.to_le_bytes());
    d.extend(cols.1.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    record(0x0200, &d)
}

/// A sheet's records for a table of text, row 1 first (empty strings are no cell).
pub fn table(rows: &[Vec<String>]) -> Vec<u8> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut body = dimensions(
        (0, u32::try_from(rows.len()).expect("rows")),
        (0, u16::try_from(width).expect("columns")),
    );
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                let (r, c) = (
                    u16::try_from(r).expect("row"),
                    u16::try_from(c).expect("col"),
                );
                body.extend(label(r, c, text));
            }
        }
    }
    body
}

/// Writes a workbook of `sheets` (name, the sheet's records between its BOF and EOF) to `path`.
pub fn write(path: &Path, sheets: &[(impl AsRef<str>, Vec<u8>)]) {
    let bound_sheet = |pos: u32, name: &str| {
        let units: Vec<u16> = name.encode_utf16().collect();
        let mut d = Vec::new();
        d.extend(pos.to_le_bytes());
        d.extend([0, 0]); // visible worksheet
        d.push(u8::try_from(units.len()).expect("short name"));
        d.push(1);
        for u in units {
            d.extend(u.to_le_bytes());
        }
        record(0x0085, &d)
    };
    let codepage = record(0x0042, &1200u16.to_le_bytes());
    let globals_len = bof(5).len()
        + codepage.len()
        + sheets
            .iter()
            .map(|(name, _)| bound_sheet(0, name.as_ref()).len())
            .sum::<usize>()
        + eof().len();
    let mut globals = bof(5);
    globals.extend(&codepage);
    let mut substreams = Vec::new();
    for (name, body) in sheets {
        let pos = u32::try_from(globals_len + substreams.len()).expect("offset");
        globals.extend(bound_sheet(pos, name.as_ref()));
        substreams.extend(bof(0x10));
        substreams.extend(body);
        substreams.extend(eof());
    }
    globals.extend(eof());
    assert_eq!(globals.len(), globals_len);
    globals.extend(substreams);
    // Version 3 (512-byte sectors), as Excel and WPS write them.
    let file = std::fs::File::create(path).expect("create");
    let mut file = cfb::CompoundFile::create_with_version(cfb::Version::V3, file)
        .expect("create compound file");
    let mut stream = file.create_stream("/Workbook").expect("workbook stream");
    stream.write_all(&globals).expect("write workbook");
    drop(stream);
    file.flush().expect("flush");
}
