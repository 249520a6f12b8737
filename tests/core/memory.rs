//! Memory stays bounded whatever a file holds: large junk files up to the 200 MiB file cap
//! (a roster-like CSV of two million rows, a CSV of tiny cells in every column, the same in
//! GB18030, an xlsx of 190 MiB stored without compression, a merged area over a million rows,
//! an old-format .xls of two cells at opposite corners of the sheet)
//! are refused with a Chinese message naming the row, and the files that are just within the
//! content limits are imported; the `spotcheck import` process never passes 300 MiB. The peak
//! is the process's own (Linux's `VmHWM`, printed with `SPOTCHECK_PEAK_MEMORY`).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

const LIMIT_KIB: u64 = 300 * 1024;
const JUNK_BYTES: usize = 190 * 1024 * 1024;

/// Runs `spotcheck import file` on a fresh database: (succeeded, stderr, peak KiB).
fn import(dir: &Path, file: &Path) -> (bool, String, u64) {
    let db = dir.join(format!(
        "{}.db",
        file.file_stem().unwrap_or_default().to_string_lossy()
    ));
    let out = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .env("SPOTCHECK_PEAK_MEMORY", "1")
        .args(["--db", &db.to_string_lossy(), "--user", "测试", "import"])
        .arg(file)
        .output()
        .expect("run spotcheck");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("内存峰值 "))
        .and_then(|l| l.trim_end_matches(" KiB").parse().ok())
        .unwrap_or_else(|| panic!("no peak reported: {stderr}"));
    (out.status.success(), stderr, peak)
}

/// Writes `header` then `line(i)` for i = 0, 1, … until the file holds `bytes`.
fn write_lines(path: &Path, header: &[u8], bytes: usize, line: impl Fn(usize) -> Vec<u8>) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    f.write_all(header).expect("write");
    let (mut n, mut i) = (header.len(), 0);
    while n < bytes {
        let l = line(i);
        f.write_all(&l).expect("write");
        n += l.len();
        i += 1;
    }
    f.flush().expect("flush");
}

const HEADER: &str =
    "主办单位,账号名称,平台,账号标识,地市,区县,开设时间,备案时间,状态,粉丝数,运维单位\n";

fn roster_line(i: usize) -> String {
    format!(
        "单位{},账号{i},抖音,id{i:09},示例市,区{},2020-01-01,2020-02-01,正常,{i},运维{}\n",
        i % 5000,
        i % 30,
        i % 100
    )
}

/// A one-sheet xlsx whose sheet starts with a roster header and goes on as `body` writes it,
/// stored or deflated.
fn xlsx(path: &Path, stored: bool, body: impl FnOnce(&mut dyn Write)) {
    crate::support::xlsx_of_sheet(path, stored, |w| {
        w.write_all(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c t="inlineStr"><is><t>主办单位</t></is></c><c t="inlineStr"><is><t>账号名称</t></is></c><c t="inlineStr"><is><t>平台</t></is></c></row>"#.as_bytes())
            .expect("write");
        body(w);
    });
}

#[test]
fn large_junk_files_are_refused_and_files_within_the_limits_imported_in_bounded_memory() {
    let dir = TempDir::new().expect("tempdir");
    let p = |name: &str| dir.path().join(name);
    let mut junk: Vec<(&str, &str)> = Vec::new();

    write_lines(&p("两百万行.csv"), HEADER.as_bytes(), JUNK_BYTES, |i| {
        roster_line(i).into_bytes()
    });
    junk.push(("两百万行.csv", "表格内容太多"));
    write_lines(
        &p("满列.csv"),
        "主办单位,账号名称,平台\n".as_bytes(),
        JUNK_BYTES,
        |_| format!("{}a\n", "a,".repeat(255)).into_bytes(),
    );
    junk.push(("满列.csv", "表格内容太多"));
    let (gb_header, _, _) = encoding_rs::GB18030.encode(HEADER);
    write_lines(&p("国标.csv"), &gb_header, JUNK_BYTES, |i| {
        encoding_rs::GB18030.encode(&roster_line(i)).0.into_owned()
    });
    junk.push(("国标.csv", "表格内容太多"));
    write_lines(
        &p("一行逗号.csv"),
        "主办单位,账号名称,平台\n".as_bytes(),
        JUNK_BYTES,
        |_| vec![b','; 1 << 20],
    );
    junk.push(("一行逗号.csv", "第 2 行过长"));
    xlsx(&p("未压缩.xlsx"), true, |w| {
        let mut n = 0;
        let mut r = 2;
        while n < JUNK_BYTES {
            let row = format!(
                "<row r=\"{r}\">{}</row>",
                (0..12).fold(String::new(), |mut cells, c| {
                    let _ = write!(cells, "<c t=\"inlineStr\"><is><t>x{c}</t></is></c>");
                    cells
                })
            );
            w.write_all(row.as_bytes()).expect("write");
            n += row.len();
            r += 1;
        }
        w.write_all(b"</sheetData></worksheet>").expect("write");
    });
    junk.push(("未压缩.xlsx", "表格内容太多"));
    xlsx(&p("合并百万行.xlsx"), false, |w| {
        let long = "长".repeat(30_000);
        write!(
            w,
            "<row r=\"2\"><c t=\"inlineStr\"><is><t>{long}</t></is></c></row><row r=\"1000000\"><c r=\"IV1000000\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData><mergeCells count=\"1\"><mergeCell ref=\"A2:IV1000000\"/></mergeCells></worksheet>"
        )
        .expect("write");
    });
    junk.push(("合并百万行.xlsx", "表格内容太多"));
    // An old-format book of two cells, A1 and IV65536: calamine would lay out the rectangle.
    let corners = crate::support::xls::corners(65_535, 255);
    crate::support::xls::write(&p("两角.xls"), &[("名录", corners)]);
    junk.push(("两角.xls", "表格内容太多"));

    for (name, says) in junk {
        let (ok, stderr, peak) = import(dir.path(), &p(name));
        eprintln!("{name}: peak {} MiB", peak / 1024);
        assert!(!ok, "{name} refused");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(stderr.contains("行"), "{name} names the row: {stderr}");
        assert!(peak < LIMIT_KIB, "{name}: peak {} MiB", peak / 1024);
        std::fs::remove_file(p(name)).expect("remove");
    }

    // Within the limits: 7,700 rows of 256 columns (nearly two million cells, 253 columns kept
    // as 其他列), imported.
    let mut wide = String::from("主办单位,账号名称,平台,账号标识");
    for i in 0..252 {
        let _ = write!(wide, ",列{i}");
    }
    wide.push('\n');
    write_lines(&p("宽表.csv"), wide.as_bytes(), 0, |_| Vec::new());
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(p("宽表.csv"))
        .expect("open");
    for r in 0..7_700 {
        writeln!(f, "单位{r},账号{r},抖音,id{r}{}", ",a".repeat(252)).expect("write");
    }
    drop(f);
    let (ok, stderr, peak) = import(dir.path(), &p("宽表.csv"));
    eprintln!("宽表.csv: peak {} MiB", peak / 1024);
    assert!(ok, "{stderr}");
    assert!(peak < LIMIT_KIB, "宽表: peak {} MiB", peak / 1024);
}

/// A small xlsx whose shared-strings table holds millions of strings no cell uses (a second
/// program's export, or a crafted file): 3.5 million empty ones, read within the memory
/// bound; past the table's limit (4 million; a crafted file of 14.5 million peaked at 884 MB
/// when each was a string of its own), refused as too large, also within it. The sheet's cells
/// that use the table read as they should.
#[test]
fn a_shared_strings_table_of_millions_is_read_in_bounded_memory() {
    let dir = TempDir::new().expect("tempdir");
    let sheet = |w: &mut dyn Write| {
        w.write_all(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row><row r="2"><c t="s"><v>4</v></c><c t="s"><v>5</v></c><c t="s"><v>6</v></c><c t="s"><v>7</v></c></row></sheetData></worksheet>"#.as_bytes()).expect("write");
    };
    let strings = |empties: usize| {
        move |w: &mut dyn Write| {
            w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#).expect("write");
            for s in [
                "主办单位",
                "账号名称",
                "平台",
                "账号标识",
                "示例市民政局",
                "示例民政",
                "抖音",
                "mz001",
            ] {
                write!(w, "<si><t>{s}</t></si>").expect("write");
            }
            let chunk = "<si/>".repeat(100_000);
            for _ in 0..empties / 100_000 {
                w.write_all(chunk.as_bytes()).expect("write");
            }
            w.write_all(b"</sst>").expect("write");
        }
    };
    let within = dir.path().join("共享文字多.xlsx");
    let many = strings(3_500_000);
    crate::support::xlsx_of_sheet_and_strings(&within, false, Some(&many), sheet);
    assert!(std::fs::metadata(&within).expect("size").len() < 2 * 1024 * 1024);
    let start = std::time::Instant::now();
    let (ok, stderr, peak) = import(dir.path(), &within);
    eprintln!(
        "共享文字多.xlsx: peak {} MiB, {:?}",
        peak / 1024,
        start.elapsed()
    );
    assert!(ok, "{stderr}");
    assert!(peak < LIMIT_KIB, "peak {} MiB", peak / 1024);
    let db = dir.path().join("共享文字多.db");
    let roster = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .args(["--db", &db.to_string_lossy(), "roster", "--json"])
        .output()
        .expect("run");
    let roster = String::from_utf8_lossy(&roster.stdout);
    assert!(
        roster.contains("示例民政") && roster.contains("mz001"),
        "{roster}"
    );

    // One string of 6 MB (a cell holds at most 32,767 characters): refused as it is read.
    let long = dir.path().join("一条很长的共享文字.xlsx");
    let one_long = |w: &mut dyn Write| {
        w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>"#).expect("write");
        let chunk = "长".repeat(1 << 20);
        for _ in 0..2 {
            w.write_all(chunk.as_bytes()).expect("write");
        }
        w.write_all(b"</t></si></sst>").expect("write");
    };
    crate::support::xlsx_of_sheet_and_strings(&long, false, Some(&one_long), sheet);
    let (ok, stderr, peak) = import(dir.path(), &long);
    eprintln!("一条很长的共享文字.xlsx: peak {} MiB", peak / 1024);
    assert!(!ok);
    assert!(stderr.contains("一条共享文字超过"), "{stderr}");
    assert!(peak < LIMIT_KIB, "peak {} MiB", peak / 1024);

    let past = dir.path().join("共享文字过多.xlsx");
    let too_many = strings(4_100_000);
    crate::support::xlsx_of_sheet_and_strings(&past, false, Some(&too_many), sheet);
    let (ok, stderr, peak) = import(dir.path(), &past);
    eprintln!("共享文字过多.xlsx: peak {} MiB", peak / 1024);
    assert!(!ok);
    assert!(stderr.contains("共享文字表超过"), "{stderr}");
    assert!(peak < LIMIT_KIB, "peak {} MiB", peak / 1024);
}
