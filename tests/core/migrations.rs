//! A database made by any earlier schema version opens with the current program and keeps its
//! data: for each version N, a database is built as spotcheck left it at N (the migrations as
//! that build applied them, copied from the history of `src/store/schema.rs` into
//! `tests/fixtures/schema/`), filled with raw SQL with what that version wrote (settings, a
//! roster with history, a redrawn quarter, checks with findings and evidence, problems sent for
//! 整改, packages, a chained operation log), closed, and opened with [`Store::open`]: every
//! account, draw, finding, problem and log entry reads back with its values, the schema is the
//! one a new database gets, and `log verify` passes.
//!
//! Migrations 1, 4 and 5 were edited in place before later ones were added, so databases made
//! by the builds in between differ from the released text: they are kept as their own eras,
//! and the tests at the end say what the current program does with them.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDateTime;
use rusqlite::{Connection, params};
use spotcheck::checklist::Checklist;
use spotcheck::model::time::{day_text, time_text};
use spotcheck::model::{
    Account, AccountStatus, Answer, ChangeKind, EvidenceKind, InspectionStatus, PackageEvent,
    Quarter, Rate, Reply, State, Strata, Verdict, entry_hash,
};
use spotcheck::store::{Store, settings};
use tempfile::TempDir;

use crate::support::clock::{at, on};

/// Each migration as the builds named in its first line applied it.
const M1: &str = include_str!("../fixtures/schema/1.sql");
const M2: &str = include_str!("../fixtures/schema/2.sql");
const M3: &str = include_str!("../fixtures/schema/3.sql");
const M4: &str = include_str!("../fixtures/schema/4.sql");
/// Migration 4 from 875bbcf to 49d3064: problem codes without AUTOINCREMENT.
const M4_875BBCF: &str = include_str!("../fixtures/schema/4-875bbcf.sql");
const M5: &str = include_str!("../fixtures/schema/5.sql");
const M6: &str = include_str!("../fixtures/schema/6.sql");
const M7: &str = include_str!("../fixtures/schema/7.sql");
const M8: &str = include_str!("../fixtures/schema/8.sql");

/// The migrations as the last build whose newest migration was N applied them (N = index + 1).
/// A database of version 4 was made by 875bbcf..363711c, before problem codes became
/// AUTOINCREMENT (49d3064): that is what version 4 left, and what later migrations upgrade.
const RELEASED: [&[&str]; 8] = [
    &[M1],
    &[M1, M2],
    &[M1, M2, M3],
    &[M1, M2, M3, M4_875BBCF],
    &[M1, M2, M3, M4, M5],
    &[M1, M2, M3, M4, M5, M6],
    &[M1, M2, M3, M4, M5, M6, M7],
    &[M1, M2, M3, M4, M5, M6, M7, M8],
];

const SUPERVISOR: &str = "王主任";
const INSPECTOR: &str = "李检查";
const OTHER_INSPECTOR: &str = "张检查";
const QUARTER: &str = "2026Q4";
const URL: &str = "https://mp.example.cn/s/0001";
const SCREENSHOT_SHA: &str = "5d41402abc4b2a76b9719d911017c592aa3f1b2c3d4e5f60718293a4b5c6d7e8";
const REPLACED_HASH: &str = "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a09080706050403020100f";

/// The roster's four accounts as the second import left them, in id order.
fn accounts() -> [Account; 4] {
    let account = |platform: &str, id: &str, name: &str, host: &str, county: &str| Account {
        platform: platform.to_owned(),
        account_id: id.to_owned(),
        name: name.to_owned(),
        host_unit: host.to_owned(),
        city: "示例市".to_owned(),
        county: county.to_owned(),
        opened_on: None,
        filed_on: None,
        status: AccountStatus::Normal,
        fans: None,
        operator: String::new(),
        extra: Vec::new(),
    };
    let city = Account {
        opened_on: Some(on("2019-03-05")),
        filed_on: Some(on("2019-04-01")),
        fans: Some(12_000),
        operator: "示例市融媒体中心".to_owned(),
        extra: vec![("公众号类型".to_owned(), "服务号".to_owned())],
        ..account(
            "微信公众号",
            "gh_0001",
            "示例市发布",
            "示例市人民政府办公室",
            "",
        )
    };
    let mut county = account("新浪微博", "", "示例县政务", "示例县人民政府", "示例县");
    county.status = AccountStatus::Changed;
    let mut closed = account("抖音", "dy_0003", "示例区发布", "示例区人民政府", "示例区");
    closed.status = AccountStatus::Stopped;
    closed.fans = Some(300);
    let town = account(
        "微信公众号",
        "gh_0004",
        "示例镇",
        "示例镇人民政府",
        "示例县",
    );
    [city, county, closed, town]
}

/// The county account before the second import renamed it.
fn county_before() -> Account {
    let [_, county, ..] = accounts();
    Account {
        name: "示例县发布".to_owned(),
        status: AccountStatus::Normal,
        ..county
    }
}

fn columns(conn: &Connection, table: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .expect("table info");
    stmt.query_map([], |r| r.get(0))
        .expect("columns")
        .collect::<Result<_, _>>()
        .expect("columns")
}

fn has_table(conn: &Connection, table: &str) -> bool {
    !columns(conn, table).is_empty()
}

/// Appends a log entry as the program does, chained to the one before.
fn log(conn: &Connection, when: NaiveDateTime, actor: &str, action: &str, detail: &str) {
    let (last, previous): (i64, String) = conn
        .query_row(
            "SELECT id, hash FROM operation_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or((0, String::new()));
    let id = last + 1;
    let when = time_text(when);
    let hash = entry_hash(&previous, id, &when, actor, action, detail);
    conn.execute(
        "INSERT INTO operation_log (id, at, actor, action, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, when, actor, action, detail, hash],
    )
    .expect("log entry");
}

/// The log entries `fill` writes on a database with these tables, oldest first.
fn expected_log(version: usize) -> Vec<(NaiveDateTime, &'static str, &'static str)> {
    let mut log = Vec::new();
    if version >= 2 {
        log.extend([
            (at("2026-09-01 10:00"), SUPERVISOR, "导入名录"),
            (at("2026-10-08 09:30"), SUPERVISOR, "导入名录"),
            (at("2026-10-09 09:00"), SUPERVISOR, "抽样"),
            (at("2026-10-09 15:00"), SUPERVISOR, "重新抽样"),
            (at("2026-10-09 15:10"), SUPERVISOR, "分配检查人员"),
        ]);
    }
    if version >= 3 {
        log.extend([
            (at("2026-10-20 09:40"), INSPECTOR, "保存检查结果"),
            (at("2026-10-20 10:00"), INSPECTOR, "完成检查"),
        ]);
    }
    if version >= 4 {
        log.extend([
            (at("2026-11-02 09:00"), SUPERVISOR, "下发整改"),
            (at("2026-11-12 14:00"), SUPERVISOR, "导入整改反馈"),
        ]);
    }
    if version >= 7 {
        log.push((at("2026-11-20 16:00"), SUPERVISOR, "从备份恢复"));
    }
    log
}

/// Builds the database at `path` by applying `migrations` as the program did (each in a
/// transaction that records the new `user_version`), then fills it with what a user of that
/// version had: every table the schema has gets rows.
fn build(path: &Path, migrations: &[&str]) {
    let mut conn = Connection::open(path).expect("create");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("WAL");
    for (i, sql) in migrations.iter().enumerate() {
        let tx = conn.transaction().expect("transaction");
        tx.execute_batch(sql).expect("migration");
        tx.pragma_update(None, "user_version", i64::try_from(i + 1).expect("few"))
            .expect("version");
        tx.commit().expect("commit");
    }
    fill(&conn, migrations.len());
    conn.close().expect("close");
}

#[allow(clippy::too_many_lines)] // one database's whole content, table by table
fn fill(conn: &Connection, version: usize) {
    let [city, county, closed, town] = accounts();
    let exec = |sql: &str, p: &[&dyn rusqlite::ToSql]| {
        conn.execute(sql, p)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    };

    // 1: settings, two imports, the accounts and their history.
    exec(
        "INSERT INTO setting (key, value) VALUES (?1, ?2), (?3, ?4)",
        &[
            &settings::USER_NAME,
            &SUPERVISOR,
            &settings::REGION_NAME,
            &"示例市",
        ],
    );
    for (id, file, sha, sheet, when, counts) in [
        (
            1,
            "名录-第三季度.xlsx",
            "a1",
            "名录",
            "2026-09-01 10:00",
            [3, 0, 0, 0, 1],
        ),
        (
            2,
            "名录-第四季度.xlsx",
            "b2",
            "Sheet1",
            "2026-10-08 09:30",
            [1, 1, 1, 1, 0],
        ),
    ] {
        exec(
            "INSERT INTO roster_import (id, file_name, file_sha256, sheet, imported_at, added, updated, unchanged, unlisted, problems)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            &[
                &id,
                &file,
                &sha.repeat(32),
                &sheet,
                &time_text(at(when)),
                &counts[0],
                &counts[1],
                &counts[2],
                &counts[3],
                &counts[4],
            ],
        );
    }
    for (id, a, listed, first, last) in [
        (1, &city, true, 1, 2),
        (2, &county, true, 1, 2),
        (3, &closed, false, 1, 1),
        (4, &town, true, 2, 2),
    ] {
        exec(
            "INSERT INTO account (id, key, platform, account_id, name, host_unit, city, county, opened_on, filed_on,
                                  status, fans, operator, extra, listed, first_import, last_import, source_row)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            &[
                &id,
                &a.key(),
                &a.platform,
                &a.account_id,
                &a.name,
                &a.host_unit,
                &a.city,
                &a.county,
                &a.opened_on.map(day_text),
                &a.filed_on.map(day_text),
                &a.status.label(),
                &a.fans,
                &a.operator,
                &serde_json::to_string(&a.extra).expect("extra"),
                &listed,
                &first,
                &last,
                &(id + 1),
            ],
        );
    }
    // Before 68dd90b an import also wrote an `added` row for every new account.
    let added_rows = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'account_change'",
            [],
            |r| r.get::<_, String>(0),
        )
        .expect("account_change")
        .contains("'added'");
    if added_rows {
        exec(
            "INSERT INTO account_change (account, import, kind, before) VALUES (1, 1, 'added', NULL), (2, 1, 'added', NULL), (3, 1, 'added', NULL)",
            &[],
        );
    }
    let before = serde_json::to_string(&county_before()).expect("before");
    exec(
        "INSERT INTO account_change (account, import, kind, before) VALUES (2, 2, 'updated', ?1), (3, 2, 'unlisted', NULL)",
        &[&before],
    );
    if added_rows {
        exec(
            "INSERT INTO account_change (account, import, kind, before) VALUES (4, 2, 'added', NULL)",
            &[],
        );
    }
    if version < 2 {
        return;
    }

    // 2: a draw, redrawn with a reason, its strata, accounts and the account left out; the log.
    log(
        conn,
        at("2026-09-01 10:00"),
        SUPERVISOR,
        "导入名录",
        "名录-第三季度.xlsx：新增 3",
    );
    log(
        conn,
        at("2026-10-08 09:30"),
        SUPERVISOR,
        "导入名录",
        "名录-第四季度.xlsx：新增 1，更新 1，移出 1",
    );
    for (id, seed, drawn_at, reason, superseded) in [
        (
            1,
            "42",
            "2026-10-09 09:00",
            None,
            Some(time_text(at("2026-10-09 15:00"))),
        ),
        (2, "7", "2026-10-09 15:00", Some("名录有误，重新抽样"), None),
    ] {
        exec(
            "INSERT INTO draw (id, quarter, rate_bp, strata, seed, algorithm, algorithm_version, prefer_not_drawn_in,
                               population, population_hash, excluded, sampled, rechecks, drawn_by, drawn_at, reason, superseded_at)
             VALUES (?1, ?2, 3000, 'county', ?3, 'stratified-sorted-chacha20', 1, 0, 3, ?4, 1, 2, 0, ?5, ?6, ?7, ?8)",
            &[
                &id,
                &QUARTER,
                &seed,
                &"c3".repeat(32),
                &SUPERVISOR,
                &time_text(at(drawn_at)),
                &reason,
                &superseded,
            ],
        );
        exec(
            "INSERT INTO draw_stratum (draw, position, key, population, sampled) VALUES (?1, 0, '示例县', 2, 1), (?1, 1, '示例市', 1, 1)",
            &[&id],
        );
        exec(
            "INSERT INTO draw_excluded (draw, account) VALUES (?1, 3)",
            &[&id],
        );
    }
    exec(
        "INSERT INTO draw_account (draw, account, position, stratum, drawn, recheck, inspector)
         VALUES (1, 4, 0, '示例县', 1, 0, NULL), (1, 1, 1, '示例市', 1, 0, NULL),
                (2, 2, 0, '示例县', 1, 0, ?1), (2, 1, 1, '示例市', 1, 0, ?2)",
        &[&OTHER_INSPECTOR, &INSPECTOR],
    );
    if columns(conn, "draw_account").contains(&"counted_region".to_owned()) {
        exec(
            "UPDATE draw_account SET counted_region = (SELECT CASE county WHEN '' THEN city ELSE county END FROM account WHERE id = account),
                                     counted_platform = (SELECT platform FROM account WHERE id = account)",
            &[],
        );
    }
    log(
        conn,
        at("2026-10-09 09:00"),
        SUPERVISOR,
        "抽样",
        "2026年第四季度：抽取 2 个",
    );
    log(
        conn,
        at("2026-10-09 15:00"),
        SUPERVISOR,
        "重新抽样",
        "理由：名录有误，重新抽样",
    );
    log(
        conn,
        at("2026-10-09 15:10"),
        SUPERVISOR,
        "分配检查人员",
        "李检查 1 个，张检查 1 个",
    );
    if version < 3 {
        return;
    }

    // 3: the checklist, a finished check with findings and evidence, one begun.
    let checklist = Checklist::builtin();
    exec(
        "INSERT INTO checklist (id, version, definition, added_at) VALUES (?1, ?2, ?3, ?4)",
        &[
            &checklist.id,
            &checklist.version,
            &serde_json::to_string(checklist).expect("checklist"),
            &time_text(at("2026-10-09 15:10")),
        ],
    );
    exec(
        "INSERT INTO inspection (id, draw, account, checklist_id, checklist_version, status, verdict, score, inspector, started_at, finished_at)
         VALUES (1, 2, 1, ?1, ?2, 'done', 'fail', NULL, ?3, ?4, ?5),
                (2, 2, 2, ?1, ?2, 'in_progress', NULL, NULL, ?6, ?7, NULL)",
        &[
            &checklist.id,
            &checklist.version,
            &INSPECTOR,
            &time_text(at("2026-10-20 09:00")),
            &time_text(at("2026-10-20 10:00")),
            &OTHER_INSPECTOR,
            &time_text(at("2026-10-21 14:00")),
        ],
    );
    exec(
        "INSERT INTO finding (inspection, item, answer, note, last_update, checked_on, updated_by, updated_at)
         VALUES (1, 'V01', 'pass', '', NULL, NULL, ?1, ?2),
                (1, 'V04', 'fail', '九月初以后没有更新', '2026-09-01', '2026-10-20', ?1, ?3),
                (2, 'P01', 'na', '', NULL, NULL, ?4, ?5)",
        &[
            &INSPECTOR,
            &time_text(at("2026-10-20 09:10")),
            &time_text(at("2026-10-20 09:40")),
            &OTHER_INSPECTOR,
            &time_text(at("2026-10-21 14:05")),
        ],
    );
    exec(
        "INSERT INTO evidence (id, inspection, item, sha256, file_name, url, added_by, added_at)
         VALUES (1, 1, 'V04', ?1, '截图1.png', NULL, ?2, ?3), (2, 1, 'V04', NULL, NULL, ?4, ?2, ?5)",
        &[
            &SCREENSHOT_SHA,
            &INSPECTOR,
            &time_text(at("2026-10-20 09:41")),
            &URL,
            &time_text(at("2026-10-20 09:42")),
        ],
    );
    log(
        conn,
        at("2026-10-20 09:40"),
        INSPECTOR,
        "保存检查结果",
        "示例市发布：V04 不符合",
    );
    log(
        conn,
        at("2026-10-20 10:00"),
        INSPECTOR,
        "完成检查",
        "示例市发布：不合格",
    );
    if version < 4 {
        return;
    }

    // 4: the draw's population cells, the deadline setting, two problems sent for 整改 (one
    // answered, one closed on review).
    exec(
        "INSERT INTO setting (key, value) VALUES (?1, '10')",
        &[&settings::RECTIFICATION_DAYS],
    );
    exec(
        "INSERT INTO draw_population (draw, region, platform, accounts)
         VALUES (2, '示例市', '微信公众号', 1), (2, '示例县', '微信公众号', 1), (2, '示例县', '新浪微博', 1)",
        &[],
    );
    exec(
        "INSERT INTO rectification (id, draw, account, item, category, veto, description, requirement, issued_on, deadline,
                                    state, reply, reply_text, completed_on, contact, phone, replied_at)
         VALUES (1, 2, 1, 'V04', '内容更新', 1, '监测时间点前2周内无更新', '立即更新', '2026-11-02', '2026-11-16',
                 'replied', 'done', '已恢复更新', '2026-11-10', '赵联系', '0000-1234567', ?1)",
        &[&time_text(at("2026-11-12 14:00"))],
    );
    exec(
        "INSERT INTO rectification (id, draw, account, item, category, veto, description, requirement, issued_on, deadline,
                                    state, review_note, reviewed_by, reviewed_at)
         VALUES (2, 2, 1, 'P01', '账号管理', 0, '账号信息不完整', '补全账号信息', '2026-11-02', '2026-11-16',
                 'closed', '已核实', ?1, ?2)",
        &[&SUPERVISOR, &time_text(at("2026-11-13 09:00"))],
    );
    log(
        conn,
        at("2026-11-02 09:00"),
        SUPERVISOR,
        "下发整改",
        "2 个问题",
    );
    log(
        conn,
        at("2026-11-12 14:00"),
        SUPERVISOR,
        "导入整改反馈",
        "1 条",
    );
    if version < 5 {
        return;
    }

    // 5: a work package sent, the base it carried, a conflict settled.
    exec(
        "INSERT INTO package (id, kind, draw, inspector, at, summary) VALUES ('wp-0001', 'work_sent', 2, ?1, ?2, '1 个账号')",
        &[&INSPECTOR, &time_text(at("2026-10-10 09:00"))],
    );
    if has_table(conn, "package_base") {
        exec(
            "INSERT INTO package_base (package, account, item, answer, note, last_update, checked_on)
             VALUES ('wp-0001', 1, 'V01', NULL, '', NULL, NULL)",
            &[],
        );
    }
    let finished = if columns(conn, "merge_conflict").contains(&"package_finished_at".to_owned()) {
        ", package_finished_at"
    } else {
        ""
    };
    let finished_value = if finished.is_empty() {
        ""
    } else {
        ", '2026-10-20 10:00:00'"
    };
    exec(
        format!(
            "INSERT INTO merge_conflict (id, draw, account, item, package, local, incoming, created_at{finished},
                                         resolution, resolved_by, resolved_at)
             VALUES (1, 2, 1, 'V04', 'rp-0001', '{{}}', '{{}}', '2026-10-20 11:00:00'{finished_value}, 'local', ?1, ?2)"
        )
        .as_str(),
        &[&SUPERVISOR, &time_text(at("2026-10-20 11:30"))],
    );
    if version < 6 {
        return;
    }

    // 6: a finding edited from a version that left the laptop.
    exec(
        "UPDATE finding SET shared = (item = 'V01'), lineage = CASE item WHEN 'V04' THEN '[\"v-0001\"]' ELSE lineage END
         WHERE inspection = 1",
        &[],
    );
    if version < 7 {
        return;
    }

    // 7: an entry a restore replaced, and the restore (whose entry, in that version, did not
    // say how many it marked).
    exec(
        "INSERT INTO log_replaced (hash, replaced_at) VALUES (?1, ?2)",
        &[&REPLACED_HASH, &time_text(at("2026-11-20 16:00"))],
    );
    log(
        conn,
        at("2026-11-20 16:00"),
        SUPERVISOR,
        "从备份恢复",
        "/media/U盘/备份-20261120-150000-手动备份（2026-11-20 15:00 手动备份）",
    );
    if version < 8 {
        return;
    }

    // 8: the longest gap between posts.
    exec(
        "UPDATE finding SET longest_gap = 21 WHERE inspection = 2 AND item = 'P01'",
        &[],
    );
}

/// Every table's columns (name, type, not null, default, key) and every index's name and
/// columns, as `SQLite` reports them.
fn shape(path: &Path) -> BTreeMap<String, Vec<String>> {
    let conn = Connection::open(path).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .expect("schema");
    let objects: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("objects")
        .collect::<Result<_, _>>()
        .expect("objects");
    let mut out = BTreeMap::new();
    for (kind, name) in objects {
        let pragma = if kind == "index" {
            format!("SELECT name FROM pragma_index_info('{name}') ORDER BY seqno")
        } else {
            format!(
                "SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || coalesce(dflt_value, '-') || ' ' || pk
                 FROM pragma_table_info('{name}') ORDER BY cid"
            )
        };
        let mut stmt = conn.prepare(&pragma).expect("pragma");
        let rows = stmt
            .query_map([], |r| r.get::<_, Option<String>>(0))
            .expect("rows")
            .map(|r| r.expect("row").unwrap_or_default())
            .collect();
        out.insert(format!("{kind} {name}"), rows);
    }
    out
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .expect("open")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version")
}

/// The schema and version a new database gets from the current program.
fn fresh(dir: &Path) -> (i64, BTreeMap<String, Vec<String>>) {
    let path = dir.join("new.db");
    drop(Store::open(&path).expect("new database"));
    (user_version(&path), shape(&path))
}

/// Builds the database as `migrations` left it, opens it with the current program and checks
/// that it reads back everything `fill` wrote.
fn opens_with_its_data(migrations: &[&str]) {
    let version = migrations.len();
    let dir = TempDir::new().expect("tempdir");
    let db = dir.path().join("spotcheck.db");
    build(&db, migrations);
    let old_version = user_version(&db);
    assert_eq!(old_version, i64::try_from(version).expect("few"));

    let store = Store::open(&db).unwrap_or_else(|e| panic!("version {version} opens: {e}"));
    assert_store_holds(&store, version);
    let check = spotcheck::steps::admin::verify_log_against(&store, &[]).expect("log verify");
    assert!(check.passed(), "{check:?}");
    assert_eq!(check.entries, expected_log(version).len());
    drop(store);

    let (latest, new_shape) = fresh(dir.path());
    assert!(latest >= old_version, "the current schema is not older");
    assert_eq!(user_version(&db), latest, "upgraded to the current version");
    assert_eq!(
        shape(&db),
        new_shape,
        "a database upgraded from version {version} has the tables, columns and indexes of a new one"
    );

    // The upgraded database takes new work: a changed setting is logged after the old entries
    // and the chain still holds.
    let mut store = Store::open(&db).expect("reopen");
    spotcheck::steps::admin::save_setting(&mut store, settings::RECTIFICATION_DAYS, "12")
        .expect("save setting");
    assert_eq!(
        store
            .setting(settings::RECTIFICATION_DAYS)
            .expect("setting")
            .as_deref(),
        Some("12")
    );
    let check = spotcheck::steps::admin::verify_log_against(&store, &[]).expect("log verify");
    assert!(check.passed(), "{check:?}");
}

/// One account of a draw as compared: id, stratum, drawn, 复查, inspector, counted as.
type DrawnRow<'a> = (
    i64,
    &'a str,
    bool,
    bool,
    Option<&'a str>,
    Option<(String, String)>,
);

#[allow(clippy::too_many_lines)] // every table's rows, compared with what was written
fn assert_store_holds(store: &Store, version: usize) {
    let [city, county, closed, town] = accounts();

    // Settings.
    assert_eq!(
        store
            .setting(settings::USER_NAME)
            .expect("setting")
            .as_deref(),
        Some(SUPERVISOR)
    );
    assert_eq!(
        store
            .setting(settings::REGION_NAME)
            .expect("setting")
            .as_deref(),
        Some("示例市")
    );

    // Accounts, listed or not, with every value.
    let stored = store.accounts().expect("accounts");
    let got: Vec<(i64, &Account, bool)> = stored
        .iter()
        .map(|s| (s.id, &s.account, s.listed))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, &city, true),
            (2, &county, true),
            (3, &closed, false),
            (4, &town, true)
        ]
    );
    assert_eq!(
        store.account_id(&town.key()).expect("key"),
        Some(4),
        "accounts are found by key"
    );

    // History: added at the first import, renamed (with the account as it was) at the second.
    let history = store.account_history(2).expect("history");
    let kinds: Vec<(ChangeKind, NaiveDateTime, &str)> = history
        .iter()
        .map(|c| (c.kind, c.at, c.file_name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (
                ChangeKind::Added,
                at("2026-09-01 10:00"),
                "名录-第三季度.xlsx"
            ),
            (
                ChangeKind::Updated,
                at("2026-10-08 09:30"),
                "名录-第四季度.xlsx"
            ),
        ]
    );
    assert_eq!(history[0].before, None);
    assert_eq!(history[1].before, Some(county_before()));
    let history = store.account_history(3).expect("history");
    let kinds: Vec<ChangeKind> = history.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, vec![ChangeKind::Added, ChangeKind::Unlisted]);

    let entries = store.log_entries().expect("log");
    let logged: Vec<(i64, NaiveDateTime, &str, &str)> = entries
        .iter()
        .map(|e| (e.id, e.at, e.actor.as_str(), e.action.as_str()))
        .collect();
    let expected: Vec<(i64, NaiveDateTime, &str, &str)> = expected_log(version)
        .into_iter()
        .zip(1..)
        .map(|((when, actor, action), id)| (id, when, actor, action))
        .collect();
    assert_eq!(logged, expected);
    if version < 2 {
        return;
    }
    assert_eq!(entries[3].detail, "理由：名录有误，重新抽样");

    // The draws: the first superseded by the second, which is in force.
    let quarter: Quarter = QUARTER.parse().expect("quarter");
    let history = store.draw_history(quarter).expect("draws");
    assert_eq!(history.len(), 2);
    for (info, (id, seed, drawn_at, reason, superseded)) in history.iter().zip([
        (
            1,
            42,
            at("2026-10-09 09:00"),
            None,
            Some(at("2026-10-09 15:00")),
        ),
        (
            2,
            7,
            at("2026-10-09 15:00"),
            Some("名录有误，重新抽样"),
            None,
        ),
    ]) {
        assert_eq!(info.id, id);
        assert_eq!(info.quarter, quarter);
        assert_eq!(info.rate, Rate::from_basis_points(3000).expect("rate"));
        assert_eq!(info.strata, Strata::County);
        assert_eq!(info.seed, seed);
        assert_eq!(info.algorithm, "stratified-sorted-chacha20");
        assert_eq!(info.algorithm_version, 1);
        assert_eq!(info.prefer_not_drawn_in, 0);
        assert_eq!(
            (info.population, info.excluded, info.sampled, info.rechecks),
            (3, 1, 2, 0)
        );
        assert_eq!(info.population_hash, "c3".repeat(32));
        assert_eq!(info.drawn_by, SUPERVISOR);
        assert_eq!(info.drawn_at, drawn_at);
        assert_eq!(info.reason.as_deref(), reason);
        assert_eq!(info.superseded_at, superseded);
    }
    let draw = store
        .current_draw(quarter)
        .expect("current draw")
        .expect("a draw in force");
    assert_eq!(draw.info, history[1]);
    let strata: Vec<(&str, usize, usize)> = draw
        .strata
        .iter()
        .map(|s| (s.key.as_str(), s.population, s.sampled))
        .collect();
    assert_eq!(strata, vec![("示例县", 2, 1), ("示例市", 1, 1)]);
    let counted = |region: &str, platform: &str| {
        (version >= 4).then(|| (region.to_owned(), platform.to_owned()))
    };
    let drawn: Vec<DrawnRow<'_>> = draw
        .accounts
        .iter()
        .map(|d| {
            (
                d.account.id,
                d.stratum.as_str(),
                d.drawn,
                d.recheck,
                d.inspector.as_deref(),
                d.counted_as.clone(),
            )
        })
        .collect();
    assert_eq!(
        drawn,
        vec![
            (
                2,
                "示例县",
                true,
                false,
                Some(OTHER_INSPECTOR),
                counted("示例县", "新浪微博")
            ),
            (
                1,
                "示例市",
                true,
                false,
                Some(INSPECTOR),
                counted("示例市", "微信公众号")
            ),
        ]
    );
    assert_eq!(draw.accounts[1].account.account, city);
    let excluded: Vec<i64> = draw.excluded.iter().map(|a| a.id).collect();
    assert_eq!(excluded, vec![3]);
    let first = store.draw_record(1).expect("superseded draw");
    let first_accounts: Vec<(i64, Option<&str>)> = first
        .accounts
        .iter()
        .map(|d| (d.account.id, d.inspector.as_deref()))
        .collect();
    assert_eq!(first_accounts, vec![(4, None), (1, None)]);
    if version < 3 {
        return;
    }

    // Checks, findings and evidence.
    let checklist = Checklist::builtin();
    assert_eq!(
        store
            .checklist(&checklist.id, &checklist.version)
            .expect("checklist")
            .as_ref(),
        Some(checklist)
    );
    let inspections = store.inspections(2).expect("inspections");
    assert_eq!(inspections.len(), 2);
    let done = &inspections[0];
    assert_eq!(
        (done.id, done.draw, done.account),
        (1, 2, 1),
        "{inspections:?}"
    );
    assert_eq!(
        (done.checklist_id.as_str(), done.checklist_version.as_str()),
        (checklist.id.as_str(), checklist.version.as_str())
    );
    assert_eq!(done.status, InspectionStatus::Done);
    assert_eq!(done.verdict, Some(Verdict::Fail));
    assert_eq!(done.score, None);
    assert_eq!(done.inspector, INSPECTOR);
    assert_eq!(done.started_at, at("2026-10-20 09:00"));
    assert_eq!(done.finished_at, Some(at("2026-10-20 10:00")));
    let mut findings: Vec<_> = done.findings.iter().collect();
    findings.sort_by(|a, b| a.finding.item.cmp(&b.finding.item));
    let got: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f.finding.item.as_str(),
                f.finding.answer,
                f.finding.note.as_str(),
                f.finding.last_update,
                f.finding.checked_on,
                f.finding.longest_gap,
                f.updated_by.as_str(),
                f.updated_at,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "V01",
                Some(Answer::Pass),
                "",
                None,
                None,
                None,
                INSPECTOR,
                at("2026-10-20 09:10")
            ),
            (
                "V04",
                Some(Answer::Fail),
                "九月初以后没有更新",
                Some(on("2026-09-01")),
                Some(on("2026-10-20")),
                None,
                INSPECTOR,
                at("2026-10-20 09:40")
            ),
        ]
    );
    // Before lineage (6) every finding counted as shared: migration 6 marks them so.
    let lineage: Vec<(&[String], bool)> = findings
        .iter()
        .map(|f| (f.lineage.as_slice(), f.shared))
        .collect();
    let edited = ["v-0001".to_owned()];
    if version >= 6 {
        assert_eq!(lineage, vec![(&[][..], true), (&edited[..], false)]);
    } else {
        assert_eq!(lineage, vec![(&[][..], true), (&[][..], true)]);
    }
    let evidence: Vec<_> = done
        .evidence
        .iter()
        .map(|e| {
            (
                e.id,
                e.item.as_str(),
                &e.kind,
                e.added_by.as_str(),
                e.added_at,
            )
        })
        .collect();
    assert_eq!(
        evidence,
        vec![
            (
                1,
                "V04",
                &EvidenceKind::File {
                    sha256: SCREENSHOT_SHA.to_owned(),
                    file_name: "截图1.png".to_owned()
                },
                INSPECTOR,
                at("2026-10-20 09:41")
            ),
            (
                2,
                "V04",
                &EvidenceKind::Url(URL.to_owned()),
                INSPECTOR,
                at("2026-10-20 09:42")
            ),
        ]
    );
    let begun = &inspections[1];
    assert_eq!(
        (begun.id, begun.account, begun.status, begun.verdict),
        (2, 2, InspectionStatus::InProgress, None)
    );
    assert_eq!(begun.inspector, OTHER_INSPECTOR);
    assert_eq!(begun.started_at, at("2026-10-21 14:00"));
    assert_eq!(begun.finished_at, None);
    let begun_findings: Vec<_> = begun
        .findings
        .iter()
        .map(|f| {
            (
                f.finding.item.as_str(),
                f.finding.answer,
                f.finding.longest_gap,
                f.updated_at,
            )
        })
        .collect();
    let gap = (version >= 8).then_some(21);
    assert_eq!(
        begun_findings,
        vec![(
            "P01",
            Some(Answer::NotApplicable),
            gap,
            at("2026-10-21 14:05")
        )]
    );
    assert!(begun.evidence.is_empty());
    if version < 4 {
        return;
    }

    // Problems sent for 整改: one answered, one closed on review.
    assert_eq!(
        store
            .setting(settings::RECTIFICATION_DAYS)
            .expect("setting")
            .as_deref(),
        Some("10")
    );
    let cells: Vec<(String, String, usize)> = store
        .population_cells(2)
        .expect("cells")
        .into_iter()
        .map(|c| (c.region, c.platform, c.accounts))
        .collect();
    assert_eq!(
        cells,
        vec![
            ("示例县".to_owned(), "微信公众号".to_owned(), 1),
            ("示例县".to_owned(), "新浪微博".to_owned(), 1),
            ("示例市".to_owned(), "微信公众号".to_owned(), 1),
        ]
    );
    let problems = store.rectifications(2).expect("problems");
    assert_eq!(problems.len(), 2);
    let replied = problems.iter().find(|p| p.id == 1).expect("problem 1");
    assert_eq!(replied.quarter, quarter);
    assert_eq!((replied.draw, replied.account), (2, 1));
    assert_eq!(
        (
            replied.city.as_str(),
            replied.county.as_str(),
            replied.host_unit.as_str(),
            replied.name.as_str(),
            replied.platform.as_str(),
            replied.account_id.as_str()
        ),
        (
            "示例市",
            "",
            "示例市人民政府办公室",
            "示例市发布",
            "微信公众号",
            "gh_0001"
        )
    );
    assert_eq!(
        (
            replied.item.as_str(),
            replied.category.as_str(),
            replied.veto,
            replied.description.as_str(),
            replied.requirement.as_str()
        ),
        (
            "V04",
            "内容更新",
            true,
            "监测时间点前2周内无更新",
            "立即更新"
        )
    );
    assert_eq!(
        (replied.issued_on, replied.deadline),
        (on("2026-11-02"), on("2026-11-16"))
    );
    assert_eq!(
        (replied.state, replied.reply, replied.reply_text.as_str()),
        (State::Replied, Some(Reply::Done), "已恢复更新")
    );
    assert_eq!(replied.completed_on, Some(on("2026-11-10")));
    assert_eq!(
        (replied.contact.as_str(), replied.phone.as_str()),
        ("赵联系", "0000-1234567")
    );
    assert_eq!(replied.replied_at, Some(at("2026-11-12 14:00")));
    assert_eq!(
        (
            replied.review_note.as_str(),
            replied.reviewed_by.as_str(),
            replied.reviewed_at
        ),
        ("", "", None)
    );
    let closed_problem = problems.iter().find(|p| p.id == 2).expect("problem 2");
    assert_eq!(
        (
            closed_problem.item.as_str(),
            closed_problem.category.as_str(),
            closed_problem.veto,
            closed_problem.state,
            closed_problem.reply
        ),
        ("P01", "账号管理", false, State::Closed, None)
    );
    assert_eq!(
        (
            closed_problem.review_note.as_str(),
            closed_problem.reviewed_by.as_str(),
            closed_problem.reviewed_at
        ),
        ("已核实", SUPERVISOR, Some(at("2026-11-13 09:00")))
    );
    assert_eq!(entries[7].detail, "2 个问题");
    if version < 5 {
        return;
    }

    // Packages and a settled conflict.
    let packages: Vec<_> = store
        .package_history()
        .expect("packages")
        .into_iter()
        .map(|p| (p.id, p.event, p.inspector, p.at, p.summary))
        .collect();
    assert_eq!(
        packages,
        vec![(
            "wp-0001".to_owned(),
            PackageEvent::WorkSent,
            INSPECTOR.to_owned(),
            at("2026-10-10 09:00"),
            "1 个账号".to_owned()
        )]
    );
    assert!(store.open_conflicts().expect("conflicts").is_empty());
    if version < 7 {
        return;
    }
    assert!(
        store
            .replaced_log_hashes()
            .expect("replaced")
            .contains(REPLACED_HASH)
    );
}

#[test]
fn a_version_1_database_opens_with_its_roster_and_settings() {
    opens_with_its_data(RELEASED[0]);
}

#[test]
fn a_version_2_database_opens_with_its_draws_and_log() {
    opens_with_its_data(RELEASED[1]);
}

#[test]
fn a_version_3_database_opens_with_its_checks_findings_and_evidence() {
    opens_with_its_data(RELEASED[2]);
}

#[test]
fn a_version_4_database_opens_with_its_problems_and_population_cells() {
    opens_with_its_data(RELEASED[3]);
}

#[test]
fn a_version_5_database_opens_with_its_packages() {
    opens_with_its_data(RELEASED[4]);
}

#[test]
fn a_version_6_database_opens_with_its_lineage() {
    opens_with_its_data(RELEASED[5]);
}

#[test]
fn a_version_7_database_opens_with_its_replaced_log_entries() {
    opens_with_its_data(RELEASED[6]);
}

#[test]
fn a_version_8_database_opens_with_its_longest_gaps() {
    opens_with_its_data(RELEASED[7]);
}
