//! The database file as users meet it: damaged or foreign files are refused with a Chinese
//! message and left as they were; a database from a newer version is refused; the problem list
//! saved for a roster reads back with every problem row.

use calamine::{Data, Reader, Xlsx, open_workbook};
use spotcheck::store::{Store, StoreError};

#[test]
fn a_damaged_database_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("damaged.db");
    let junk: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&db, &junk).expect("write junk");

    let err = Store::open(&db)
        .err()
        .expect("a damaged file must be refused");
    assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("数据库文件已损坏") && message.contains("damaged.db"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&db).expect("read back"),
        junk,
        "the file is not modified"
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("new.db");
    drop(Store::open(&db).expect("create"));
    let conn = rusqlite::Connection::open(&db).expect("raw open");
    conn.pragma_update(None, "user_version", 999)
        .expect("bump version");
    drop(conn);

    let err = Store::open(&db)
        .err()
        .expect("a newer schema must be refused");
    assert!(
        matches!(err, StoreError::TooNew { found: 999, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("升级程序"), "{err}");
}

#[test]
fn reopening_keeps_the_schema_and_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    Store::open(&db)
        .expect("create")
        .set_setting("region", "示例市")
        .expect("set");
    let store = Store::open(&db).expect("reopen");
    assert_eq!(
        store.setting("region").expect("get").as_deref(),
        Some("示例市")
    );
    assert_eq!(store.account_count().expect("count"), 0);
}

#[test]
fn problem_list_reads_back_with_every_problem_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("名录.csv");
    std::fs::write(
        &roster,
        "主办单位,账号名称,平台,开设时间\n\
         示例市教育局,示例教育,微信,2019-03-05\n\
         ,无主账号,微博,\n\
         示例市公安局,平安示例,微博,明年\n\
         示例市教育局,示例教育,微信,2019-03-05\n\
         示例市民政局,=HYPERLINK(\"x\"),抖音,\n",
    )
    .expect("write roster");
    let store = Store::open(&dir.path().join("t.db")).expect("open");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("preview");
    let report = preview.report(false);
    let out = dir.path().join("问题清单.xlsx");
    spotcheck::export::write_problem_list(&report, &out).expect("write problem list");

    let mut book: Xlsx<_> = open_workbook(&out).expect("open problem list");
    let range = book.worksheet_range("问题清单").expect("sheet");
    let rows: Vec<Vec<String>> = range
        .rows()
        .skip(4)
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    // Row 3 lacks 主办单位, row 4 has an unreadable date, row 5 repeats row 2: sorted by row.
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        (
            rows[0][0].as_str(),
            rows[0][1].as_str(),
            rows[0][4].as_str()
        ),
        ("3", "主办单位", "未导入")
    );
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][1].as_str(),
            rows[1][2].as_str()
        ),
        ("4", "开设时间", "明年")
    );
    assert!(rows[1][3].contains("不是可识别的日期"), "{:?}", rows[1]);
    assert_eq!((rows[2][0].as_str(), rows[2][1].as_str()), ("5", "整行"));
    assert!(rows[2][3].contains("第 2 行"), "{:?}", rows[2]);
    // The account named like a formula was imported as text, not as a formula.
    assert!(
        preview
            .parsed
            .accounts
            .iter()
            .any(|a| a.account.name == "=HYPERLINK(\"x\")")
    );
}

#[test]
fn a_new_database_has_16k_pages_and_one_made_by_an_earlier_version_keeps_its_4k_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = crate::support::clock::at("2026-12-03 09:00");
    let page_size = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("PRAGMA page_size", [], |r| r.get(0)))
            .expect("page size")
    };

    let new = dir.path().join("new.db");
    let mut store = Store::open(&new).expect("open new");
    crate::support::import_demo(&mut store, dir.path(), 300, 1, at);
    drop(store);
    assert_eq!(page_size(&new), 16_384);

    // A database as the earlier versions made them: 4 KiB pages, WAL, already written.
    let old = dir.path().join("old.db");
    rusqlite::Connection::open(&old)
        .and_then(|c| {
            c.execute_batch(
                "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;
                 CREATE TABLE scratch (a); DROP TABLE scratch;",
            )
        })
        .expect("old database");
    let mut store = Store::open(&old).expect("open old");
    crate::support::import_demo(&mut store, dir.path(), 300, 1, at);
    drop(store);
    assert_eq!(page_size(&old), 4096);
    let count = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("SELECT count(*) FROM account", [], |r| r.get(0)))
            .expect("count")
    };
    assert_eq!(count(&old), count(&new));
    assert!(count(&old) > 250, "{}", count(&old));
}
