//! What leaves the office after a quarter's checks and what comes back, on real files in a
//! temporary directory: the notice (its numbers against the store, its print settings, text that
//! stays text), the rectification sheets (one workbook or one file per unit, protection,
//! dropdown, deadline), the units' filled-in sheets read back, the office's review, and the
//! 复查 of the next quarter.

// Each test walks one scenario from roster to file; splitting them would hide the story.
#![allow(clippy::too_many_lines)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::support::clock::{at, on};
use calamine::{Data, Reader, open_workbook_auto};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook};
use spotcheck::checklist::{Answer, Checklist, Finding, ItemKind, Verdict};
use spotcheck::model::{Account, AccountStatus, Quarter};
use spotcheck::model::{DrawRecord, DrawRequest, Inspection, InspectionStatus};
use spotcheck::rectification::{
    Rectification, Reply, State, Status, add_working_days, code, parse_code,
};
use spotcheck::sampling::{DrawOptions, Rate, Strata};
use spotcheck::steps::notice;
use spotcheck::steps::rectification::{
    self, AnswerCounts, FeedbackReport, RectifyError, SheetTarget,
};
use spotcheck::store::{Store, settings};
use tempfile::TempDir;

const USER: &str = "王科员";
const REGION: &str = "示例市";

/// The columns of a rectification sheet, 问题编号 last (hidden).
const SHEET_HEADERS: [&str; 14] = [
    "序号",
    "主办单位",
    "账号名称",
    "平台",
    "账号标识",
    "问题类别",
    "问题描述",
    "整改要求",
    "整改时限",
    "整改情况",
    "完成时间",
    "联系人",
    "联系电话",
    "问题编号",
];
/// Zero-based columns of the rectification sheet.
const COL_NAME: usize = 2;
const COL_ACCOUNT_ID: usize = 4;
const COL_DEADLINE: usize = 8;
const COL_REPLY: usize = 9;
const COL_CODE: usize = 13;
/// Zero-based row of the rectification sheet's header (Excel row 4).
const SHEET_HEADER_ROW: usize = 3;

fn quarter(text: &str) -> Quarter {
    text.parse().expect("valid quarter")
}

// ---------------------------------------------------------------------------------------------
// Setup: a roster imported through the real reader, a draw, finished checks.

/// A database in `dir` holding `accounts`, imported from a real roster xlsx, with the user
/// and region names set.
fn store_with(dir: &Path, accounts: &[Account]) -> Store {
    let roster = dir.join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(accounts, &roster).expect("write roster");
    let mut store = Store::open(&dir.join("t.db")).expect("open store");
    store
        .set_setting(settings::USER_NAME, USER)
        .expect("user name");
    store
        .set_setting(settings::REGION_NAME, REGION)
        .expect("region name");
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("preview");
    spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-10-01 09:00"))
        .expect("import");
    store
}

fn draw(store: &mut Store, q: &str, rate: Rate, seed: u64, when: NaiveDateTime) -> DrawRecord {
    let request = DrawRequest {
        quarter: quarter(q),
        options: DrawOptions {
            rate,
            strata: Strata::County,
            prefer_not_drawn_in: 0,
        },
        seed,
        reason: None,
        void_work: false,
    };
    spotcheck::steps::draw::make_draw(store, &request, when).expect("draw")
}

/// A quarter whose checks are all finished.
struct Checked {
    dir: TempDir,
    store: Store,
    draw: DrawRecord,
    roster: Vec<Account>,
}

/// 200 demo accounts, 2026Q4 drawn at 30% on 2 October, every check finished on 20 November.
fn checked_quarter() -> Checked {
    let dir = TempDir::new().expect("tempdir");
    let roster = spotcheck::steps::demo::accounts(200, 11);
    let mut store = store_with(dir.path(), &roster);
    assert_eq!(store.accounts().expect("accounts").len(), roster.len());
    let record = draw(
        &mut store,
        "2026Q4",
        Rate::MINIMUM,
        42,
        at("2026-10-02 09:00"),
    );
    let finished =
        spotcheck::steps::demo::complete_checks(&mut store, &record, at("2026-11-20 10:00"))
            .expect("complete checks");
    assert_eq!(finished, record.accounts.len());
    Checked {
        dir,
        store,
        draw: record,
        roster,
    }
}

/// The findings answered 不符合, per account, with the item titles of the built-in checklist.
fn failing_items(ins: &Inspection) -> Vec<String> {
    let checklist = Checklist::builtin();
    ins.findings
        .iter()
        .filter(|f| f.finding.answer == Some(Answer::Fail))
        .map(|f| {
            checklist
                .item(&f.finding.item)
                .map_or_else(|| f.finding.item.clone(), |i| i.problem_text().to_owned())
        })
        .collect()
}

fn inspections_by_account(store: &Store, draw: i64) -> HashMap<i64, Inspection> {
    store
        .inspections(draw)
        .expect("inspections")
        .into_iter()
        .map(|i| (i.account, i))
        .collect()
}

fn export_sheets(
    store: &mut Store,
    q: &str,
    target: &SheetTarget,
    now: NaiveDateTime,
) -> rectification::Issued {
    rectification::export_rectification(store, quarter(q), target, now)
        .expect("export rectification")
}

fn import(store: &mut Store, files: &[PathBuf], now: NaiveDateTime) -> FeedbackReport {
    rectification::import_feedback(store, files, now, &mut |_| {}).expect("import feedback")
}

fn by_id(rows: &[Rectification]) -> HashMap<i64, &Rectification> {
    rows.iter().map(|r| (r.id, r)).collect()
}

// ---------------------------------------------------------------------------------------------
// Reading files back: calamine for values, the zip for the raw XML.

fn sheet_names(path: &Path) -> Vec<String> {
    open_workbook_auto(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
        .sheet_names()
}

/// Every cell of a sheet, indexed from A1 (row, column), padded with `Data::Empty`.
fn grid(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut book =
        open_workbook_auto(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    let (Some((r0, c0)), Some((r1, c1))) = (range.start(), range.end()) else {
        return Vec::new();
    };
    let (r0, c0) = (r0 as usize, c0 as usize);
    let mut out = vec![vec![Data::Empty; c1 as usize + 1]; r1 as usize + 1];
    for (r, row) in range.rows().enumerate() {
        for (c, value) in row.iter().enumerate() {
            out[r0 + r][c0 + c] = value.clone();
        }
    }
    out
}

fn cell(grid: &[Vec<Data>], r: usize, c: usize) -> &Data {
    grid.get(r)
        .and_then(|row| row.get(c))
        .unwrap_or(&Data::Empty)
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        #[allow(clippy::cast_precision_loss)]
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn count(d: &Data) -> usize {
    let n = number(d);
    assert!(n >= 0.0 && n.fract() == 0.0, "not a count: {n}");
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = n as usize;
    n
}

fn date(d: &Data) -> NaiveDate {
    match d {
        Data::DateTime(dt) => dt.as_datetime().expect("a date").date(),
        other => panic!("not a date cell: {other:?}"),
    }
}

/// A 整改表's 整改时限 cell: text, so that it wraps in its column.
fn deadline_text(d: NaiveDate) -> String {
    format!("{}年{}月{}日前", d.year(), d.month(), d.day())
}

/// One part of an xlsx (a zip), as text.
fn xml(path: &Path, entry: &str) -> String {
    let file = std::fs::File::open(path).expect("open xlsx");
    let mut zip = zip::ZipArchive::new(file).expect("xlsx is a zip");
    let mut part = zip
        .by_name(entry)
        .unwrap_or_else(|e| panic!("{entry} in {}: {e}", path.display()));
    let mut out = String::new();
    part.read_to_string(&mut out).expect("read part");
    out
}

/// The XML of every worksheet of an xlsx, in sheet order.
fn sheet_xmls(path: &Path) -> Vec<String> {
    (1..=sheet_names(path).len())
        .map(|n| xml(path, &format!("xl/worksheets/sheet{n}.xml")))
        .collect()
}

/// The `<tag .../>` or `<tag ...>` element starting at the first occurrence of `<tag ` or `<tag>`.
fn element<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let start = xml
        .find(&format!("<{tag} "))
        .or_else(|| xml.find(&format!("<{tag}>")))?;
    let end = xml[start..].find('>')? + start + 1;
    Some(&xml[start..end])
}

// ---------------------------------------------------------------------------------------------
// A unit's copy of its rectification sheet.

/// Where a problem's row is in a rectification workbook.
#[derive(Debug, Clone)]
struct Place {
    sheet: String,
    /// As Excel shows it (1-based).
    row: u32,
}

/// The rows of every sheet of a rectification workbook, by problem id (from 问题编号).
fn locate(path: &Path) -> HashMap<i64, Place> {
    let mut out = HashMap::new();
    for sheet in sheet_names(path) {
        for (r, row) in grid(path, &sheet).iter().enumerate() {
            if let Some(id) = row.get(COL_CODE).and_then(|d| parse_code(&text(d))) {
                let place = Place {
                    sheet: sheet.clone(),
                    row: u32::try_from(r + 1).expect("small"),
                };
                assert!(out.insert(id, place).is_none(), "{} listed twice", code(id));
            }
        }
    }
    out
}

/// What a unit types in the four columns it fills in.
#[derive(Debug, Clone)]
struct Fill {
    reply: &'static str,
    done: Option<NaiveDate>,
    contact: &'static str,
    phone: &'static str,
}

fn fill(reply: &'static str, done: Option<NaiveDate>) -> Fill {
    Fill {
        reply,
        done,
        contact: "李联络",
        phone: "020-12345678",
    }
}

/// Copies a rectification workbook cell by cell (as a unit's Excel saves it again), writing
/// `answers` into the rows whose 问题编号 they name.
fn unit_copy(src: &Path, dst: &Path, answers: &HashMap<i64, Fill>) {
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let mut book = Workbook::new();
    for name in sheet_names(src) {
        let cells = grid(src, &name);
        let sheet = book.add_worksheet();
        sheet.set_name(&name).expect("sheet name");
        for (r, row) in cells.iter().enumerate() {
            let r32 = u32::try_from(r).expect("row");
            for (c, value) in row.iter().enumerate() {
                let c16 = u16::try_from(c).expect("col");
                match value {
                    Data::String(s) => sheet.write_string(r32, c16, s).map(|_| ()),
                    Data::Float(f) => sheet.write_number(r32, c16, *f).map(|_| ()),
                    #[allow(clippy::cast_precision_loss)]
                    Data::Int(i) => sheet.write_number(r32, c16, *i as f64).map(|_| ()),
                    Data::Bool(b) => sheet.write_boolean(r32, c16, *b).map(|_| ()),
                    Data::DateTime(d) => sheet
                        .write_datetime_with_format(
                            r32,
                            c16,
                            d.as_datetime().expect("a date"),
                            &date_format,
                        )
                        .map(|_| ()),
                    _ => Ok(()),
                }
                .expect("write cell");
            }
            let Some(answer) = row
                .get(COL_CODE)
                .and_then(|d| parse_code(&text(d)))
                .and_then(|id| answers.get(&id))
            else {
                continue;
            };
            let c = |n: usize| u16::try_from(COL_REPLY + n).expect("small");
            sheet.write_string(r32, c(0), answer.reply).expect("w");
            if let Some(d) = answer.done {
                sheet
                    .write_date_with_format(r32, c(1), d, &date_format)
                    .expect("w");
            }
            sheet.write_string(r32, c(2), answer.contact).expect("w");
            sheet.write_string(r32, c(3), answer.phone).expect("w");
        }
    }
    book.save(dst).expect("save unit copy");
}

// ---------------------------------------------------------------------------------------------
// The notice.

/// The rows of the 总体情况 table whose header starts with `first` (区县 or 平台), down to and
/// including its 合计 row.
fn tally_table(summary: &[Vec<Data>], first: &str) -> Vec<Vec<Data>> {
    let header = summary
        .iter()
        .position(|row| text(&row[0]) == first)
        .unwrap_or_else(|| panic!("no {first} table in 总体情况"));
    let heads: Vec<String> = (0..7).map(|c| text(cell(summary, header, c))).collect();
    assert_eq!(
        heads,
        [
            first,
            "账号总数",
            "抽查数",
            "抽查比例",
            "合格数",
            "不合格数",
            "合格率"
        ]
    );
    let mut rows = Vec::new();
    for row in &summary[header + 1..] {
        rows.push(row.clone());
        if text(&row[0]) == "合计" {
            return rows;
        }
        assert!(
            !text(&row[0]).is_empty(),
            "the {first} table ends before 合计"
        );
    }
    panic!("the {first} table has no 合计 row");
}

/// 账号总数, 抽查数, 合格数, 不合格数.
type Tally = [usize; 4];

fn assert_tally_rows(table: &[Vec<Data>], expected: &BTreeMap<String, Tally>, what: &str) {
    let mut total: Tally = [0; 4];
    for t in expected.values() {
        for i in 0..4 {
            total[i] += t[i];
        }
    }
    let (last, all_rows) = table.split_last().expect("rows");
    let kind = |name: &str| spotcheck::model::platform::kind_of(name);
    // 小计 rows: each the sum of its kind's rows (platforms; the demo has one 地市, so its
    // regions have none).
    let (subtotals, rows): (Vec<&Vec<Data>>, Vec<&Vec<Data>>) =
        all_rows.iter().partition(|r| text(&r[0]).ends_with("小计"));
    for s in &subtotals {
        let group = text(&s[0]).trim_end_matches("小计").to_owned();
        assert_eq!(what, "按平台", "no 小计 with one 地市: {group}");
        let mut sum: Tally = [0; 4];
        for (name, t) in expected {
            if kind(name) == group {
                for i in 0..4 {
                    sum[i] += t[i];
                }
            }
        }
        let got = [count(&s[1]), count(&s[2]), count(&s[4]), count(&s[5])];
        assert_eq!(got, sum, "{group}小计");
    }
    let names: Vec<String> = rows.iter().map(|r| text(&r[0])).collect();
    let mut wanted: Vec<String> = expected.keys().cloned().collect();
    // Regions by pinyin; platforms by kind (微信: 公众号, 视频号, 小程序…), then in the usual order.
    if what == "按平台" {
        let position =
            |list: &[&str], p: &str| list.iter().position(|k| *k == p).unwrap_or(usize::MAX);
        wanted.sort_by_key(|p| {
            (
                position(spotcheck::model::platform::KINDS, kind(p)),
                position(spotcheck::model::platform::PLATFORMS, p),
            )
        });
    } else {
        wanted.sort_by(|a, b| spotcheck::model::collate::cmp_pinyin(a, b));
    }
    assert_eq!(names, wanted, "{what}: one row per name, in order");
    let checks = rows
        .iter()
        .map(|r| (*r, expected[&text(&r[0])]))
        .chain(std::iter::once((last, total)));
    for (row, t) in checks {
        let name = text(&row[0]);
        let got = [
            count(&row[1]),
            count(&row[2]),
            count(&row[4]),
            count(&row[5]),
        ];
        assert_eq!(got, t, "{what} {name}: 账号总数/抽查数/合格数/不合格数");
        #[allow(clippy::cast_precision_loss)]
        let ratio = t[1] as f64 / t[0] as f64;
        assert!(
            (number(&row[3]) - ratio).abs() < 1e-9,
            "{what} {name}: 抽查比例"
        );
        let finished = t[2] + t[3];
        if finished == 0 {
            assert_eq!(
                text(&row[6]),
                "—",
                "{what} {name}: 合格率 without finished checks"
            );
        } else {
            #[allow(clippy::cast_precision_loss)]
            let rate = t[2] as f64 / finished as f64;
            assert!(
                (number(&row[6]) - rate).abs() < 1e-9,
                "{what} {name}: 合格率"
            );
        }
    }
}

/// The column of a notice sheet headed `name` (its header is Excel row 2).
fn column(sheet: &[Vec<Data>], name: &str) -> usize {
    sheet[1]
        .iter()
        .position(|c| text(c) == name)
        .unwrap_or_else(|| panic!("no column {name}: {:?}", sheet[1]))
}

/// A problem sheet of the notice read back: (heading, rows under it as (账号名称, 问题类别)).
fn problem_groups(sheet: &[Vec<Data>]) -> Vec<(String, Vec<(String, String)>)> {
    let mut heads: Vec<String> = sheet[1]
        .iter()
        .map(text)
        .filter(|h| !h.is_empty())
        .collect();
    // One 地市 in all: it is in the title, not a column of its own; 最后更新日期 only where
    // some problem has one.
    if heads.last().is_some_and(|h| h == "最后更新日期") {
        heads.pop();
    }
    assert_eq!(
        heads,
        [
            "序号",
            "区县",
            "主办单位",
            "账号名称",
            "平台",
            "问题类别",
            "问题描述",
        ]
    );
    let (name, category) = (column(sheet, "账号名称"), column(sheet, "问题类别"));
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for row in sheet.iter().skip(2) {
        match &row[0] {
            Data::Float(_) | Data::Int(_) => {
                let group = groups.last_mut().expect("a data row under a heading");
                assert_eq!(count(&row[0]), group.1.len() + 1, "序号 restarts per group");
                group.1.push((text(&row[name]), text(&row[category])));
            }
            Data::String(s) if !s.is_empty() => groups.push((s.clone(), Vec::new())),
            _ => {}
        }
    }
    groups
}

/// The N of a heading ending in “（N 个）”.
fn heading_count(heading: &str) -> usize {
    let inner = heading
        .strip_suffix(" 个）")
        .and_then(|h| h.rsplit_once('（'))
        .unwrap_or_else(|| panic!("heading without a count: {heading}"))
        .1;
    inner.parse().expect("a number")
}

/// Checks a problem sheet against the (账号名称, 问题类别) pairs expected in it.
fn assert_problem_sheet(sheet: &[Vec<Data>], expected: &BTreeSet<(String, String)>, what: &str) {
    let groups = problem_groups(sheet);
    let mut seen_plain = false;
    let mut found = BTreeSet::new();
    for (heading, rows) in &groups {
        let veto = heading.contains("（单项否决）");
        assert!(
            !(veto && seen_plain),
            "{what}: veto group after a plain one: {heading}"
        );
        seen_plain |= !veto;
        assert_eq!(heading_count(heading), rows.len(), "{what}: {heading}");
        for (name, category) in rows {
            assert!(
                heading.contains(category.as_str()),
                "{what}: {category} listed under {heading}"
            );
            assert!(
                found.insert((name.clone(), category.clone())),
                "{what}: {name} {category} twice"
            );
        }
    }
    assert_eq!(&found, expected, "{what}: the problems listed");
    let title = text(cell(sheet, 0, 0));
    let accounts: BTreeSet<&String> = expected.iter().map(|(n, _)| n).collect();
    assert!(
        title.ends_with(&format!(
            "（{} 个账号，{} 个问题）",
            accounts.len(),
            expected.len()
        )),
        "{what}: {title}"
    );
}

#[test]
fn notice_numbers_match_the_store() {
    let Checked {
        dir,
        mut store,
        draw: record,
        roster,
    } = checked_quarter();
    let path = dir.path().join("通报.xlsx");
    let report =
        notice::export_notice(&mut store, quarter("2026Q4"), &path, at("2026-12-20 09:00"))
            .expect("export");
    assert_eq!(report.total.unfinished(), 0);
    assert_eq!(
        sheet_names(&path),
        ["总体情况", "问题账号", "其他问题", "全部结果"]
    );

    // What the store says, counted here without the report.
    let draw = store
        .current_draw(quarter("2026Q4"))
        .expect("read")
        .expect("a draw");
    assert_eq!(draw, record);
    let inspections = inspections_by_account(&store, draw.info.id);
    assert_eq!(inspections.len(), draw.accounts.len());
    let verdict = |id: i64| {
        let ins = &inspections[&id];
        assert_eq!(ins.status, InspectionStatus::Done);
        ins.verdict.expect("a finished check has a verdict")
    };
    let mut by_county: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_platform: BTreeMap<String, Tally> = BTreeMap::new();
    for a in roster.iter().filter(|a| {
        !matches!(
            a.status,
            AccountStatus::Stopped | AccountStatus::Deregistered
        )
    }) {
        by_county.entry(a.county.clone()).or_default()[0] += 1;
        by_platform.entry(a.platform.clone()).or_default()[0] += 1;
    }
    let mut failed_pairs = BTreeSet::new();
    let mut other_pairs = BTreeSet::new();
    for d in &draw.accounts {
        let a = &d.account.account;
        let v = verdict(d.account.id);
        for t in [
            by_county.entry(a.county.clone()).or_default(),
            by_platform.entry(a.platform.clone()).or_default(),
        ] {
            t[1] += 1;
            match v {
                Verdict::Pass => t[2] += 1,
                Verdict::Fail => t[3] += 1,
            }
        }
        for category in failing_items(&inspections[&d.account.id]) {
            let pairs = if v == Verdict::Fail {
                &mut failed_pairs
            } else {
                &mut other_pairs
            };
            pairs.insert((a.name.clone(), category));
        }
    }
    assert!(
        !failed_pairs.is_empty() && !other_pairs.is_empty(),
        "the demo quarter has both"
    );

    // 总体情况: the two tables.
    let summary = grid(&path, "总体情况");
    assert_eq!(
        text(cell(&summary, 0, 0)),
        "示例市2026年第四季度政务新媒体抽查情况统计表"
    );
    assert_tally_rows(&tally_table(&summary, "地区"), &by_county, "按区县");
    assert_tally_rows(&tally_table(&summary, "平台"), &by_platform, "按平台");
    assert!(
        summary
            .iter()
            .any(|r| text(&r[0]) == "上季度没有需要复查的不合格账号。"),
        "no 2026Q3 draw, so no 复查"
    );

    // 问题账号 and 其他问题.
    assert_problem_sheet(&grid(&path, "问题账号"), &failed_pairs, "问题账号");
    assert_problem_sheet(&grid(&path, "其他问题"), &other_pairs, "其他问题");

    // 全部结果: one row per sampled account, in the 抽查名单's order, with its verdict.
    let results = grid(&path, "全部结果");
    let heads: Vec<String> = results[1].iter().map(text).collect();
    assert!(
        !heads.iter().any(|h| h == "检查人员"),
        "published: no staff names"
    );
    // Every check finished, all drawn at random, one 地市: those columns would say nothing.
    for silent in ["检查进度", "类型", "地市"] {
        assert!(!heads.iter().any(|h| h == silent), "{silent}: {heads:?}");
    }
    let (name, platform, verdict_at) = (
        column(&results, "账号名称"),
        column(&results, "平台"),
        column(&results, "检查结论"),
    );
    let rows: Vec<&Vec<Data>> = results.iter().skip(2).collect();
    assert_eq!(rows.len(), draw.accounts.len());
    let shown = draw.accounts_shown();
    for (row, d) in rows.iter().zip(shown.iter().map(|&i| &draw.accounts[i])) {
        let a = &d.account.account;
        assert_eq!(text(&row[name]), a.name);
        assert_eq!(text(&row[platform]), a.platform);
        assert_eq!(
            text(&row[verdict_at]),
            verdict(d.account.id).label(),
            "{}",
            a.name
        );
    }
}

#[test]
fn notice_and_sheets_print_on_a4_landscape_with_titles() {
    let Checked { dir, mut store, .. } = checked_quarter();
    let notice = dir.path().join("通报.xlsx");
    notice::export_notice(
        &mut store,
        quarter("2026Q4"),
        &notice,
        at("2026-12-20 09:00"),
    )
    .expect("export notice");
    let book = dir.path().join("整改表.xlsx");
    export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(book.clone()),
        at("2026-11-25 10:00"),
    );

    // (file, Excel row of the table header, sheets holding a table): the notice's 总体情况 is
    // a page of text and small tables, its three other sheets are tables; every sheet of the
    // rectification book is one unit's table.
    for (path, header_row, table_sheets) in [(&notice, 2, 1..4), (&book, 4, 0..usize::MAX)] {
        let what = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let sheets = sheet_xmls(path);
        for (n, sheet) in sheets.iter().enumerate() {
            let setup = element(sheet, "pageSetup")
                .unwrap_or_else(|| panic!("{what} sheet {n}: no pageSetup"));
            assert!(
                setup.contains(r#"paperSize="9""#),
                "{what} {n}: A4: {setup}"
            );
            assert!(
                setup.contains(r#"orientation="landscape""#),
                "{what} {n}: {setup}"
            );
            if path == &book {
                // A fixed scale, so that its pages break where the sign-off was planned; each
                // unit numbered from 1, without a total that would count every unit's pages.
                assert!(setup.contains(r#"scale="82""#), "{what} {n}: {setup}");
                assert!(
                    sheet.contains("<oddFooter>&amp;C第 &amp;P 页</oddFooter>"),
                    "{what} {n}: page numbers at the foot"
                );
            } else if (1..3).contains(&n) {
                // 问题账号 and 其他问题: a scale planned from their widths (9 points or more),
                // so that their group headings are kept with their first rows.
                let scale: u32 = setup
                    .split(r#"scale=""#)
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                assert!((82..=100).contains(&scale), "{what} {n}: {setup}");
            } else {
                assert!(setup.contains(r#"fitToHeight="0""#), "{what} {n}: {setup}");
                // One page wide: fitToWidth="1" is the OOXML default, which writers leave out.
                assert!(
                    !setup.contains("fitToWidth") || setup.contains(r#"fitToWidth="1""#),
                    "{what} {n}: {setup}"
                );
                assert!(
                    sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
                    "{what} {n}: fit to page"
                );
                assert!(
                    sheet.contains("<oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter>"),
                    "{what} {n}: page numbers at the foot"
                );
            }
            if table_sheets.contains(&n) {
                let pane =
                    element(sheet, "pane").unwrap_or_else(|| panic!("{what} {n}: no frozen pane"));
                assert!(pane.contains(r#"state="frozen""#), "{what} {n}: {pane}");
                assert!(
                    pane.contains(&format!(r#"ySplit="{header_row}""#)),
                    "{what} {n}: {pane}"
                );
            }
        }
        let workbook = xml(path, "xl/workbook.xml");
        let titles: Vec<&str> = workbook
            .match_indices(r#"<definedName name="_xlnm.Print_Titles""#)
            .map(|(i, _)| {
                let end = workbook[i..].find("</definedName>").expect("closed") + i;
                &workbook[i..end]
            })
            .collect();
        let with_titles: BTreeSet<usize> = titles
            .iter()
            .map(|t| {
                let id = t.split(r#"localSheetId=""#).nth(1).expect("localSheetId");
                id[..id.find('"').expect("quoted")]
                    .parse()
                    .expect("a number")
            })
            .collect();
        let tables: BTreeSet<usize> = (0..sheets.len())
            .filter(|n| table_sheets.contains(n))
            .collect();
        assert_eq!(with_titles, tables, "{what}: {titles:?}");
        assert_eq!(titles.len(), tables.len(), "{what}: {titles:?}");
        for t in &titles {
            assert!(
                t.ends_with(&format!("!${header_row}:${header_row}")),
                "{what}: {t}"
            );
        }
        let styles = xml(path, "xl/styles.xml");
        assert!(
            styles.contains(r#"<name val="宋体"/>"#),
            "{what}: 宋体 in styles"
        );
    }
}

#[test]
fn text_starting_with_an_equals_sign_stays_text() {
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(12, 3);
    let odd_name = "=1+1";
    let odd_unit = "=HYPERLINK(\"http://x\")";
    let odd_note = "=SUM(A1:A2) 链接无法打开";
    roster[0].name = odd_name.to_owned();
    roster[0].host_unit = odd_unit.to_owned();
    roster[0].status = AccountStatus::Normal;
    let mut store = store_with(dir.path(), &roster);
    let rate: Rate = "100%".parse().expect("rate");
    let record = draw(&mut store, "2026Q4", rate, 42, at("2026-10-02 09:00"));
    let odd = record
        .accounts
        .iter()
        .find(|d| d.account.account.name == odd_name)
        .expect("drawn at 100%")
        .clone();
    assert_eq!(
        odd.account.account.host_unit, odd_unit,
        "the roster reader kept the text"
    );
    spotcheck::steps::demo::complete_checks(&mut store, &record, at("2026-11-20 10:00"))
        .expect("checks");
    // The veto 不符合 below is backed by evidence, so the check stays finished.
    spotcheck::steps::inspect::add_evidence(
        &mut store,
        record.info.id,
        odd.account.id,
        "V01",
        spotcheck::model::NewEvidence::Bytes {
            file_name: "截图.png".to_owned(),
            bytes: vec![0x89, b'P', b'N', b'G', 9],
        },
        at("2026-11-20 10:00"),
    )
    .expect("evidence");
    let failed = spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        odd.account.id,
        &Finding {
            item: "V01".to_owned(),
            answer: Some(Answer::Fail),
            note: odd_note.to_owned(),
            last_update: None,
            checked_on: None,
            longest_gap: None,
        },
        at("2026-11-20 11:00"),
    )
    .expect("save");
    assert_eq!(failed.verdict, Some(Verdict::Fail));
    assert_eq!(failed.status, InspectionStatus::Done);

    let notice = dir.path().join("通报.xlsx");
    notice::export_notice(
        &mut store,
        quarter("2026Q4"),
        &notice,
        at("2026-12-20 09:00"),
    )
    .expect("notice");
    let book = dir.path().join("整改表.xlsx");
    export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(book.clone()),
        at("2026-11-25 10:00"),
    );
    let folder = dir.path().join("各单位");
    let issued = export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Folder(folder),
        at("2026-11-25 10:00"),
    );

    for path in [&notice, &book].into_iter().chain(&issued.files) {
        for (n, sheet) in sheet_xmls(path).iter().enumerate() {
            assert!(
                !sheet.contains("<f>") && !sheet.contains("<f "),
                "{} sheet {n} holds a formula",
                path.display()
            );
        }
    }

    // The notice: the name, unit and note read back exactly, as strings.
    let problems = grid(&notice, "问题账号");
    let name = column(&problems, "账号名称");
    let row = problems
        .iter()
        .find(|r| r[name] == Data::String(odd_name.to_owned()))
        .expect("the account in 问题账号");
    assert_eq!(
        row[column(&problems, "主办单位")],
        Data::String(odd_unit.to_owned())
    );
    assert_eq!(
        text(&row[column(&problems, "问题类别")]),
        "存在严重表述错误"
    );
    assert_eq!(text(&row[column(&problems, "问题描述")]), odd_note);
    let results = grid(&notice, "全部结果");
    let (name, verdict_at) = (column(&results, "账号名称"), column(&results, "检查结论"));
    assert!(
        results
            .iter()
            .any(|r| r[name] == Data::String(odd_name.to_owned())
                && text(&r[verdict_at]) == "不合格")
    );

    // The rectification workbook: the unit's sheet holds the account's rows.
    let places = locate(&book);
    let rows = store.rectifications(record.info.id).expect("rows");
    let mine: Vec<&Rectification> = rows.iter().filter(|r| r.name == odd_name).collect();
    assert!(!mine.is_empty());
    for r in &mine {
        let place = &places[&r.id];
        let sheet = grid(&book, &place.sheet);
        let row = &sheet[place.row as usize - 1];
        assert_eq!(row[1], Data::String(odd_unit.to_owned()));
        assert_eq!(row[COL_NAME], Data::String(odd_name.to_owned()));
    }
    // The unit's file in the folder is named after it, made safe for Windows.
    assert!(
        issued.files.iter().any(|f| f
            .file_name()
            .expect("name")
            .to_string_lossy()
            .starts_with("=HYPERLINK(_http___x_)")),
        "{:?}",
        issued.files
    );
}

#[test]
fn rectification_sheets_go_out_come_back_and_are_reviewed() {
    let Checked {
        dir,
        mut store,
        draw: record,
        ..
    } = checked_quarter();
    let now = at("2026-11-25 10:00");
    let path = dir.path().join("整改表.xlsx");
    let issued = export_sheets(&mut store, "2026Q4", &SheetTarget::Book(path.clone()), now);
    let deadline = add_working_days(now.date(), 10);
    assert_eq!(deadline, on("2026-12-09"));
    let rows = store.rectifications(record.info.id).expect("rows");
    assert!(
        rows.len() >= 6,
        "the demo quarter has problems: {}",
        rows.len()
    );
    assert_eq!(issued.counts.added, rows.len());
    assert_eq!((issued.counts.kept, issued.counts.withdrawn), (0, 0));
    assert_eq!(issued.problems, rows.len());
    assert_eq!(issued.files, std::slice::from_ref(&path));
    assert_eq!(issued.deadline, Some(deadline));
    assert_eq!(issued.unfinished, 0);
    for r in &rows {
        assert_eq!(
            (r.issued_on, r.deadline, r.state),
            (now.date(), deadline, State::Open)
        );
        assert_eq!(r.status(now.date()), Status::Pending);
    }

    // One sheet per host unit, each with the unit's problems.
    let units: BTreeSet<&str> = rows.iter().map(|r| r.host_unit.as_str()).collect();
    assert_eq!(issued.units, units.len());
    let names = sheet_names(&path);
    assert_eq!(
        names.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        units
    );
    let xmls = sheet_xmls(&path);
    let ids = by_id(&rows);
    let mut listed = 0;
    for (name, sheet_xml) in names.iter().zip(&xmls) {
        let sheet = grid(&path, name);
        let heads: Vec<String> = (0..14)
            .map(|c| text(cell(&sheet, SHEET_HEADER_ROW, c)))
            .collect();
        assert_eq!(heads, SHEET_HEADERS, "{name}");
        assert_eq!(
            text(cell(&sheet, 0, 0)),
            "示例市2026年第四季度政务新媒体检查问题整改表"
        );
        // The problems, then a blank row and the form's 盖章/签字/日期 block.
        let body: Vec<&Vec<Data>> = sheet[SHEET_HEADER_ROW + 1..]
            .iter()
            .take_while(|r| !text(&r[0]).is_empty())
            .collect();
        let after: Vec<String> = sheet[SHEET_HEADER_ROW + 1 + body.len()..]
            .iter()
            .flat_map(|r| r.iter().map(text))
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(
            after,
            [
                "填报单位（盖章）：",
                "负责人（签字）：",
                "填报日期：　　年　　月　　日"
            ],
            "{name}"
        );
        for row in body {
            let id = parse_code(&text(&row[COL_CODE])).expect("every row has its code");
            let r = ids[&id];
            assert_eq!(text(&row[1]), *name);
            assert_eq!(text(&row[COL_NAME]), r.name);
            assert_eq!(text(&row[COL_ACCOUNT_ID]), r.account_id, "账号标识");
            assert_eq!(text(&row[5]), r.category);
            assert_eq!(
                text(&row[COL_DEADLINE]),
                deadline_text(deadline),
                "整改时限"
            );
            assert_eq!(text(&row[COL_REPLY]), "", "nothing answered yet");
            listed += 1;
        }
        let hidden = sheet_xml
            .match_indices("<col ")
            .map(|(i, _)| element(&sheet_xml[i..], "col").expect("col"))
            .find(|c| c.contains(r#"min="14""#))
            .unwrap_or_else(|| panic!("{name}: no <col> for 问题编号"));
        assert!(
            hidden.contains(r#"max="14""#) && hidden.contains(r#"hidden="1""#),
            "{name}: {hidden}"
        );
        assert!(sheet_xml.contains("<sheetProtection"), "{name}: protected");
        let validation = element(sheet_xml, "dataValidation").expect("dropdown");
        assert!(
            validation.contains(r#"type="list""#),
            "{name}: {validation}"
        );
        let formula = sheet_xml
            .split("<formula1>")
            .nth(1)
            .and_then(|f| f.split("</formula1>").next())
            .expect("formula1")
            .replace("&quot;", "\"");
        assert_eq!(formula, "\"已整改,正在整改,无法整改并说明理由\"", "{name}");
    }
    assert_eq!(listed, rows.len());

    // A unit fills in its rows: three done, one in progress, one unreadable answer.
    let places = locate(&path);
    let (done, doing, unclear) = (&rows[0..3], &rows[3], &rows[4]);
    let finished_on = on("2026-11-28");
    let mut answers: HashMap<i64, Fill> = done
        .iter()
        .map(|r| (r.id, fill("已整改", Some(finished_on))))
        .collect();
    answers.insert(doing.id, fill("正在整改", None));
    answers.insert(unclear.id, fill("看情况", None));
    let copy = dir.path().join("反馈.xlsx");
    unit_copy(&path, &copy, &answers);

    let report = import(
        &mut store,
        std::slice::from_ref(&copy),
        at("2026-11-30 09:00"),
    );
    assert_eq!(report.files, ["反馈.xlsx"]);
    assert!(report.unreadable.is_empty(), "{:?}", report.unreadable);
    assert_eq!(
        report.counts,
        AnswerCounts {
            updated: 4,
            unchanged: 0,
            already_closed: 0
        }
    );
    assert_eq!(report.unanswered, rows.len() - 5);
    assert_eq!(report.issues.len(), 1, "{:?}", report.issues);
    let place = &places[&unclear.id];
    let issue = &report.issues[0];
    assert!(issue.place.contains("反馈.xlsx"), "{issue:?}");
    assert!(
        issue.place.contains(&format!("“{}”", place.sheet)),
        "{issue:?}"
    );
    assert!(
        issue.place.contains(&format!("第 {} 行", place.row)),
        "{issue:?}"
    );
    assert!(issue.message.contains("看情况"), "{issue:?}");

    let stored = store.rectifications(record.info.id).expect("rows");
    let now_ids = by_id(&stored);
    for r in done {
        let s = now_ids[&r.id];
        assert_eq!(s.state, State::Replied);
        assert_eq!(s.reply, Some(Reply::Done));
        assert_eq!(s.reply_text, "已整改");
        assert_eq!(s.completed_on, Some(finished_on));
        assert_eq!(
            (s.contact.as_str(), s.phone.as_str()),
            ("李联络", "020-12345678")
        );
        assert_eq!(s.replied_at, Some(at("2026-11-30 09:00")));
    }
    assert_eq!(now_ids[&doing.id].reply, Some(Reply::InProgress));
    let answered: BTreeSet<i64> = done.iter().chain([doing]).map(|r| r.id).collect();
    let before = on("2026-12-09");
    let after = on("2026-12-10");
    for s in &stored {
        if answered.contains(&s.id) {
            assert_eq!(s.status(before), Status::Replied, "{}", code(s.id));
        } else {
            assert_eq!(s.state, State::Open, "{}", code(s.id));
            assert_eq!(s.status(before), Status::Pending, "{}", code(s.id));
        }
        // Past the deadline only a reported fix is not overdue; no answer at all is told
        // from an answer without a fix.
        let expected = match s.reply {
            Some(Reply::Done) => Status::Replied,
            Some(_) => Status::NotFixed,
            None => Status::Overdue,
        };
        assert_eq!(s.status(after), expected, "{}", code(s.id));
    }

    // The office reviews: closes one fix, rejects another (a note is required).
    let review_at = at("2026-12-01 15:00");
    let closed = spotcheck::steps::rectification::review_rectification(
        &mut store, done[0].id, true, "", review_at,
    )
    .expect("close");
    assert_eq!(closed.state, State::Closed);
    assert_eq!(closed.status(after), Status::Closed);
    assert_eq!(closed.reviewed_by, USER);
    let refused = spotcheck::steps::rectification::review_rectification(
        &mut store, done[1].id, false, "  ", review_at,
    );
    assert!(
        matches!(refused, Err(RectifyError::NeedsNote)),
        "{refused:?}"
    );
    assert_eq!(
        store
            .rectification(done[1].id)
            .expect("read")
            .expect("row")
            .state,
        State::Replied,
        "a refused review changes nothing"
    );
    let note = "抽查时仍未恢复更新";
    let rejected = spotcheck::steps::rectification::review_rectification(
        &mut store, done[1].id, false, note, review_at,
    )
    .expect("reject");
    assert_eq!(rejected.state, State::Reopened);
    assert_eq!(rejected.status(before), Status::Rejected);
    assert_eq!(rejected.review_note, note);

    // The unit sends the same file again.
    let again = import(&mut store, &[copy], at("2026-12-02 09:00"));
    assert_eq!(
        again.counts,
        AnswerCounts {
            updated: 0,
            unchanged: 3,
            already_closed: 1
        }
    );
    assert_eq!(again.issues.len(), 1);
    let after_again = store.rectifications(record.info.id).expect("rows");
    let after_ids = by_id(&after_again);
    assert_eq!(after_ids[&done[0].id].state, State::Closed);
    assert_eq!(
        after_ids[&done[1].id].state,
        State::Reopened,
        "the old answer is no new fix"
    );
    assert_eq!(after_ids[&done[2].id].state, State::Replied);
    assert_eq!(
        after_ids[&done[2].id].replied_at,
        Some(at("2026-11-30 09:00")),
        "unchanged"
    );

    // Exported again: the closed problem is gone, the rejected one asks for a new answer.
    let second = dir.path().join("整改表2.xlsx");
    let reissued = export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(second.clone()),
        at("2026-12-03 09:00"),
    );
    assert_eq!(
        (reissued.counts.added, reissued.counts.kept),
        (0, rows.len())
    );
    assert_eq!(reissued.problems, rows.len() - 1);
    let places = locate(&second);
    assert!(
        !places.contains_key(&done[0].id),
        "closed problems are not sent again"
    );
    let p = &places[&done[1].id];
    let sheet = grid(&second, &p.sheet);
    let row = &sheet[p.row as usize - 1];
    assert!(
        text(&row[7]).contains(&format!("复核未通过：{note}")),
        "{}",
        text(&row[7])
    );
    assert_eq!(
        text(&row[COL_REPLY]),
        "",
        "a rejected fix needs a new answer"
    );
    let p = &places[&done[2].id];
    let row = &grid(&second, &p.sheet)[p.row as usize - 1];
    assert_eq!(
        text(&row[COL_REPLY]),
        "已整改",
        "the earlier answer is shown"
    );
    assert_eq!(date(&row[COL_REPLY + 1]), finished_on);
    assert_eq!(
        text(&row[COL_DEADLINE]),
        deadline_text(deadline),
        "the deadline is kept"
    );
}

#[test]
fn folder_export_writes_one_file_per_unit_and_reads_them_all_back() {
    let Checked {
        dir,
        mut store,
        draw: record,
        ..
    } = checked_quarter();
    let folder = dir.path().join("整改表");
    let issued = export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Folder(folder.clone()),
        at("2026-11-25 10:00"),
    );
    let rows = store.rectifications(record.info.id).expect("rows");
    let units: BTreeSet<&str> = rows.iter().map(|r| r.host_unit.as_str()).collect();
    assert_eq!(issued.units, units.len());
    assert_eq!(issued.files.len(), units.len());
    let mut on_disk: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .collect();
    on_disk.sort();
    let mut files = issued.files.clone();
    files.sort();
    assert_eq!(on_disk, files, "exactly the files reported");

    let mut answers = HashMap::new();
    let mut seen = BTreeSet::new();
    for file in &files {
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(name.ends_with("-2026年第四季度整改表.xlsx"), "{name}");
        let sheets = sheet_names(file);
        assert_eq!(sheets.len(), 1, "{name}");
        let unit = &sheets[0];
        assert!(
            name.starts_with(unit.as_str()),
            "{name} is named after {unit}"
        );
        assert!(units.contains(unit.as_str()));
        seen.insert(unit.clone());
        // Each unit answers its first problem.
        let first = locate(file)
            .into_iter()
            .min_by_key(|(_, p)| p.row)
            .expect("a problem")
            .0;
        answers.insert(first, fill("已整改，已恢复更新", Some(on("2026-12-01"))));
    }
    assert_eq!(seen.len(), units.len(), "one file per unit");

    let copies: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            let copy = dir.path().join(f.file_name().expect("name"));
            unit_copy(f, &copy, &answers);
            copy
        })
        .collect();
    let report = import(&mut store, &copies, at("2026-12-02 09:00"));
    assert_eq!(report.files.len(), copies.len());
    assert!(
        report.unreadable.is_empty() && report.issues.is_empty(),
        "{report:?}"
    );
    assert_eq!(report.counts.updated, units.len());
    assert_eq!(report.unanswered, rows.len() - units.len());
    for r in store.rectifications(record.info.id).expect("rows") {
        let answered = answers.contains_key(&r.id);
        assert_eq!(r.state == State::Replied, answered, "{}", code(r.id));
        if answered {
            assert_eq!(r.reply, Some(Reply::Done));
            assert_eq!(r.reply_text, "已整改，已恢复更新");
        }
    }
}

#[test]
fn feedback_without_codes_is_matched_by_name_platform_and_category() {
    let Checked {
        dir,
        mut store,
        draw: record,
        ..
    } = checked_quarter();
    export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(dir.path().join("整改表.xlsx")),
        at("2026-11-25 10:00"),
    );
    let rows = store.rectifications(record.info.id).expect("rows");
    let (a, b) = (&rows[0], &rows[rows.len() - 1]);

    // A unit's own sheet: a title, then only the columns it cares about.
    let path = dir.path().join("自制反馈.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("反馈").expect("name");
    sheet
        .write_string(0, 0, "关于政务新媒体问题整改情况的报告")
        .expect("w");
    // 已整改 is taken with its date, contact and phone (without them it is 待补充).
    for (c, h) in [
        "账号名称",
        "平台",
        "问题类别",
        "整改情况",
        "完成时间",
        "联系人",
        "联系电话",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string(1, u16::try_from(c).expect("c"), *h)
            .expect("w");
    }
    let lines = [
        [
            a.name.as_str(),
            &a.platform,
            &a.category,
            "已完成整改",
            "2026年12月1日",
            "张科长",
            "020-12345678",
        ],
        [
            b.name.as_str(),
            &b.platform,
            &b.category,
            "整改中",
            "",
            "",
            "",
        ],
        [
            "不存在的账号",
            "微信公众号",
            "更新时效",
            "已整改",
            "2026-12-01",
            "李科长",
            "020-87654321",
        ],
    ];
    for (r, line) in lines.iter().enumerate() {
        for (c, value) in line.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(
                        u32::try_from(r + 2).expect("r"),
                        u16::try_from(c).expect("c"),
                        *value,
                    )
                    .expect("w");
            }
        }
    }
    book.save(&path).expect("save");

    let report = import(&mut store, &[path], at("2026-12-02 09:00"));
    assert_eq!(report.files, ["自制反馈.xlsx"]);
    assert_eq!(report.counts.updated, 2, "{report:?}");
    assert_eq!(report.issues.len(), 1, "{:?}", report.issues);
    let issue = &report.issues[0];
    assert!(issue.place.contains("第 5 行"), "{issue:?}");
    assert!(issue.place.contains("“反馈”"), "{issue:?}");
    assert!(issue.message.contains("不存在的账号"), "{issue:?}");

    let a = store.rectification(a.id).expect("read").expect("row");
    assert_eq!((a.state, a.reply), (State::Replied, Some(Reply::Done)));
    assert_eq!(a.completed_on, Some(on("2026-12-01")));
    assert_eq!(a.reply_text, "已完成整改");
    let b = store.rectification(b.id).expect("read").expect("row");
    assert_eq!(
        (b.state, b.reply),
        (State::Replied, Some(Reply::InProgress))
    );
    assert_eq!(b.completed_on, None);
    let others = store
        .rectifications(record.info.id)
        .expect("rows")
        .into_iter()
        .filter(|r| r.state != State::Open)
        .count();
    assert_eq!(others, 2, "nothing else was touched");
}

#[test]
fn files_that_are_not_feedback_are_reported_and_change_nothing() {
    let Checked {
        dir,
        mut store,
        draw: record,
        ..
    } = checked_quarter();
    let sheets = dir.path().join("整改表.xlsx");
    export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(sheets.clone()),
        at("2026-11-25 10:00"),
    );
    let before = store.rectifications(record.info.id).expect("rows");
    let log_before = store.log_entries().expect("log").len();

    let roster = dir.path().join("名录.xlsx");
    let truncated = dir.path().join("截断.xlsx");
    let bytes = std::fs::read(&sheets).expect("read");
    std::fs::write(&truncated, &bytes[..200]).expect("write");

    for (file, expect) in [(&roster, "整改情况"), (&truncated, "")] {
        let report = import(
            &mut store,
            std::slice::from_ref(file),
            at("2026-12-02 09:00"),
        );
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(report.files.is_empty(), "{name}: {report:?}");
        assert_eq!(report.counts, AnswerCounts::default());
        assert!(report.issues.is_empty());
        assert_eq!(report.unreadable.len(), 1, "{name}");
        let u = &report.unreadable[0];
        assert_eq!(u.place, name);
        assert!(
            u.message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "a Chinese message: {}",
            u.message
        );
        assert!(u.message.contains(expect), "{}", u.message);
        assert!(!u.message.contains("panicked"));
        assert!(
            report.summary().contains("1 个文件无法读取"),
            "{}",
            report.summary()
        );
    }
    // Both at once, next to a good file: the good one is read.
    let report = import(
        &mut store,
        &[roster, sheets, truncated],
        at("2026-12-02 09:00"),
    );
    assert_eq!(report.files, ["整改表.xlsx"]);
    assert_eq!(report.unreadable.len(), 2);
    assert_eq!(report.counts, AnswerCounts::default());
    assert_eq!(report.unanswered, before.len());

    assert_eq!(store.rectifications(record.info.id).expect("rows"), before);
    assert_eq!(
        store.log_entries().expect("log").len(),
        log_before,
        "nothing logged"
    );
}

#[test]
fn the_deadline_follows_the_setting_and_is_kept_on_a_later_export() {
    let Checked {
        dir,
        mut store,
        draw: record,
        ..
    } = checked_quarter();
    store
        .set_setting(settings::RECTIFICATION_DAYS, "15")
        .expect("setting");
    let now = at("2026-11-25 10:00"); // a Wednesday
    let first = export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(dir.path().join("一.xlsx")),
        now,
    );
    let deadline = on("2026-12-16");
    assert_eq!(add_working_days(now.date(), 15), deadline);
    assert_eq!(first.deadline, Some(deadline));
    assert!(first.counts.added > 0);
    assert!(
        first.summary().contains("整改时限 2026年12月16日"),
        "{}",
        first.summary()
    );

    let week_later = at("2026-12-02 10:00");
    let path = dir.path().join("二.xlsx");
    let second = export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(path.clone()),
        week_later,
    );
    assert_eq!(second.counts.added, 0);
    assert_eq!(second.counts.kept, first.counts.added);
    assert_eq!(second.counts.withdrawn, 0);
    assert_eq!(
        second.deadline,
        Some(deadline),
        "not 15 working days after the second export"
    );
    let rows = store.rectifications(record.info.id).expect("rows");
    assert_eq!(rows.len(), first.counts.added);
    for r in &rows {
        assert_eq!((r.issued_on, r.deadline), (now.date(), deadline));
    }
    for (id, p) in locate(&path) {
        let row = &grid(&path, &p.sheet)[p.row as usize - 1];
        assert_eq!(
            text(&row[COL_DEADLINE]),
            deadline_text(deadline),
            "{}",
            code(id)
        );
    }
    let issued_logs = store
        .log_entries()
        .expect("log")
        .iter()
        .filter(|e| e.action == "下发整改")
        .count();
    assert_eq!(issued_logs, 1, "the second export issued nothing");

    // Sent again after the deadline: the date it was due is kept and said to be passed,
    // never printed as if it were still to come.
    let late = dir.path().join("三.xlsx");
    export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(late.clone()),
        at("2027-01-04 10:00"),
    );
    let places = locate(&late);
    for (id, p) in &places {
        let sheet = grid(&late, &p.sheet);
        let row = &sheet[p.row as usize - 1];
        assert_eq!(
            text(&row[COL_DEADLINE]),
            format!("{}（已逾期）", deadline_text(deadline)),
            "{}",
            code(*id)
        );
        assert!(
            text(&sheet[1][0]).contains(&format!(
                "整改时限：{}（已逾期，请立即整改并报送）",
                deadline_text(deadline)
            )),
            "{}",
            text(&sheet[1][0])
        );
    }
    assert!(!places.is_empty());
}

#[test]
fn next_quarter_rechecks_last_quarters_failures_in_its_notice() {
    let Checked {
        dir,
        mut store,
        draw: q4,
        ..
    } = checked_quarter();
    let q4_inspections = inspections_by_account(&store, q4.info.id);
    let failed: HashMap<i64, Vec<String>> = q4_inspections
        .values()
        .filter(|i| i.verdict == Some(Verdict::Fail))
        .map(|i| (i.account, failing_items(i)))
        .collect();
    assert!(!failed.is_empty());

    let q1 = draw(
        &mut store,
        "2027Q1",
        Rate::MINIMUM,
        2027,
        at("2027-01-05 09:00"),
    );
    let rechecked: HashMap<i64, &str> = q1
        .accounts
        .iter()
        .filter(|d| d.recheck)
        .map(|d| (d.account.id, d.account.account.name.as_str()))
        .collect();
    assert_eq!(
        rechecked.keys().copied().collect::<BTreeSet<_>>(),
        failed.keys().copied().collect::<BTreeSet<_>>(),
        "every account failed in 2026Q4 is re-checked"
    );
    assert_eq!(q1.info.rechecks, failed.len());
    spotcheck::steps::demo::complete_checks(&mut store, &q1, at("2027-02-20 10:00"))
        .expect("checks");
    // The demo fails an account the same way every quarter: one unit fixed its account
    // (posted again, nothing else wrong), so its 复查 passes.
    let fixed = *rechecked.keys().min().expect("a recheck");
    let checklist = store.active_checklist().expect("checklist");
    let items: Vec<String> = failed[&fixed]
        .iter()
        .filter_map(|title| {
            checklist
                .items
                .iter()
                .find(|i| i.problem_text() == title)
                .map(|i| i.id.clone())
        })
        .collect();
    for item in items {
        let mut finding = spotcheck::checklist::Finding {
            item: item.clone(),
            answer: Some(spotcheck::checklist::Answer::Pass),
            ..Default::default()
        };
        if item == "V04" {
            finding.answer = None;
            finding.checked_on = Some(on("2027-02-20"));
            finding.last_update = Some(on("2027-02-18"));
        }
        spotcheck::steps::inspect::save_finding(
            &mut store,
            q1.info.id,
            fixed,
            &finding,
            at("2027-02-21 09:00"),
        )
        .expect("the fix");
    }
    let q1_inspections = inspections_by_account(&store, q1.info.id);

    let path = dir.path().join("2027Q1通报.xlsx");
    notice::export_notice(&mut store, quarter("2027Q1"), &path, at("2026-12-20 09:00"))
        .expect("notice");
    // 总体情况 says how many were rechecked and where the list is; 复查情况 lists them.
    let summary = grid(&path, "总体情况");
    let section = summary
        .iter()
        .position(|r| text(&r[0]) == "三、上季度不合格账号复查情况")
        .expect("the 复查 section");
    assert_eq!(
        text(cell(&summary, section + 1, 0)),
        format!(
            "对上季度 {} 个不合格账号进行了复查，名单和结果见“复查情况”表（附件1续）。",
            failed.len()
        )
    );
    let table = grid(&path, "复查情况");
    let header = 1;
    let heads: Vec<String> = (0..7).map(|c| text(cell(&table, header, c))).collect();
    assert_eq!(
        heads,
        [
            "序号",
            "区县",
            "主办单位",
            "账号名称",
            "平台",
            "上季度问题",
            "复查结果"
        ]
    );
    let rows: Vec<&Vec<Data>> = table[header + 1..]
        .iter()
        .take_while(|r| !text(&r[0]).is_empty())
        .collect();
    assert_eq!(rows.len(), failed.len(), "one row per 复查");
    let mut outcomes = BTreeSet::new();
    let by_name: HashMap<&str, i64> = rechecked.iter().map(|(id, n)| (*n, *id)).collect();
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(count(&row[0]), n + 1);
        let id = by_name[text(&row[3]).as_str()];
        let previous: BTreeSet<String> = text(&row[5]).split('、').map(str::to_owned).collect();
        let expected: BTreeSet<String> = failed[&id].iter().cloned().collect();
        assert_eq!(previous, expected, "上季度问题 of {}", text(&row[3]));
        let outcome = match q1_inspections[&id].verdict {
            Some(Verdict::Pass) => "已整改，复查合格",
            Some(Verdict::Fail) => "仍不合格（连续 2 个季度不合格）",
            None => "尚未完成复查",
        };
        assert_eq!(text(&row[6]), outcome, "{}", text(&row[3]));
        outcomes.insert(outcome);
    }
    // One was fixed; the others still fail.
    assert_eq!(
        outcomes,
        BTreeSet::from(["仍不合格（连续 2 个季度不合格）", "已整改，复查合格"])
    );

    // 全部结果 marks them: 复查 alone, or 抽取、复查 when drawn again at random.
    let results = grid(&path, "全部结果");
    assert_eq!(results.len() - 2, q1.accounts.len());
    let shown = q1.accounts_shown();
    let (name, kind_at) = (column(&results, "账号名称"), column(&results, "类型"));
    for (row, d) in results
        .iter()
        .skip(2)
        .zip(shown.iter().map(|&i| &q1.accounts[i]))
    {
        assert_eq!(text(&row[name]), d.account.account.name);
        let kind = match (d.drawn, d.recheck) {
            (true, true) => "抽取、复查",
            (false, true) => "复查",
            _ => "抽取",
        };
        assert_eq!(text(&row[kind_at]), kind, "{}", d.account.account.name);
    }
    assert!(q1.accounts.iter().any(|d| d.recheck && d.drawn));
    assert!(q1.accounts.iter().any(|d| d.recheck && !d.drawn));
    // The checklist's veto items are what made these accounts fail.
    let vetoes: BTreeSet<&str> = Checklist::builtin()
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Veto)
        .map(spotcheck::checklist::Item::problem_text)
        .collect();
    for titles in failed.values() {
        assert!(
            titles.iter().any(|t| vetoes.contains(t.as_str())),
            "{titles:?}"
        );
    }
}

#[test]
fn notice_counts_the_sample_by_the_same_county_as_the_population() {
    // The roster is imported again mid-quarter and one sampled account now names another
    // 区县. 账号总数 is frozen at the draw; 抽查数 must be counted on the same basis, or the
    // signed notice shows a county sampled below 30% and one with 0 accounts but 1 checked.
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(200, 11);
    let mut store = store_with(dir.path(), &roster);
    let record = draw(
        &mut store,
        "2026Q4",
        Rate::MINIMUM,
        42,
        at("2026-10-02 09:00"),
    );
    let moved = record.accounts[0].account.account.clone();
    let mut drawn_in_county: BTreeMap<String, usize> = BTreeMap::new();
    for d in &record.accounts {
        *drawn_in_county
            .entry(d.account.account.county.clone())
            .or_default() += 1;
    }
    for a in roster.iter_mut().filter(|a| a.name == moved.name) {
        a.county = "新城区".to_owned();
    }
    let again = dir.path().join("名录（11月）.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&roster, &again).expect("write roster");
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &again, None, &mut |_| {}, &cancel)
            .expect("preview");
    spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-11-01 09:00"))
        .expect("import");
    spotcheck::steps::demo::complete_checks(&mut store, &record, at("2026-11-20 10:00"))
        .expect("checks");

    let path = dir.path().join("通报.xlsx");
    notice::export_notice(&mut store, quarter("2026Q4"), &path, at("2026-12-20 09:00"))
        .expect("export");
    let table = tally_table(&grid(&path, "总体情况"), "地区");
    let (_, rows) = table.split_last().expect("rows");
    let checked: BTreeMap<String, usize> =
        rows.iter().map(|r| (text(&r[0]), count(&r[2]))).collect();
    for row in rows {
        assert!(
            count(&row[2]) <= count(&row[1]),
            "{}: 抽查数 {} of 账号总数 {}",
            text(&row[0]),
            count(&row[2]),
            count(&row[1])
        );
    }
    assert_eq!(checked, drawn_in_county, "抽查数 per 区县 as drawn");
}

/// An interim notice while checks are still open: an account with a veto item 不符合 is
/// 不合格 at once and listed; 检查时间 is the 检查日期 of the findings, not the day they were
/// typed in.
#[test]
fn an_interim_notice_lists_veto_failures_and_prints_the_days_checked() {
    let dir = TempDir::new().expect("tempdir");
    let roster = spotcheck::steps::demo::accounts(12, 5);
    let mut store = store_with(dir.path(), &roster);
    let rate: Rate = "100%".parse().expect("rate");
    let record = draw(&mut store, "2026Q4", rate, 42, at("2026-10-02 09:00"));
    let failing = record
        .accounts
        .iter()
        .find(|d| d.account.account.platform != "移动客户端")
        .expect("an account")
        .clone();
    let typed_in = at("2026-12-02 16:00");
    let failed = spotcheck::steps::inspect::save_finding(
        &mut store,
        record.info.id,
        failing.account.id,
        &Finding {
            item: "V01".to_owned(),
            answer: Some(Answer::Fail),
            note: "把“区长”写成“县长”".to_owned(),
            last_update: None,
            checked_on: Some(on("2027-01-20")),
            longest_gap: None,
        },
        typed_in,
    )
    .expect("save");
    assert_eq!(
        failed.status,
        InspectionStatus::InProgress,
        "other items open"
    );
    assert_eq!(failed.verdict, Some(Verdict::Fail), "单项否决");

    let notice = dir.path().join("通报.xlsx");
    spotcheck::steps::notice::export_notice(&mut store, quarter("2026Q4"), &notice, typed_in)
        .expect("notice");
    let summary = grid(&notice, "总体情况");
    let lines: Vec<String> = summary.iter().map(|r| text(&r[0])).collect();
    assert!(
        lines.iter().any(|l| l == "检查时间：2027年1月20日"),
        "{lines:#?}"
    );
    let problems = grid(&notice, "问题账号");
    assert!(
        problems
            .iter()
            .any(|r| r.iter().any(|c| text(c) == failing.account.account.name)),
        "the 不合格 account is listed: {problems:?}"
    );
    assert!(
        !problems
            .iter()
            .any(|r| r.iter().any(|c| text(c) == "本季度没有不合格账号。")),
        "{problems:?}"
    );
}

/// 已整改 is taken only with a completion date between the problem's issue and today, a
/// contact and a phone; otherwise the row is listed as 待补充 and nothing is recorded.
#[test]
fn a_fix_reported_without_date_contact_or_phone_is_listed_as_incomplete() {
    use spotcheck::rectification::feedback::{FeedbackRow, match_feedback};
    use spotcheck::sheet::grid::Cell;
    let mut c = checked_quarter();
    let book = c.dir.path().join("整改表.xlsx");
    export_sheets(
        &mut c.store,
        "2026Q4",
        &SheetTarget::Book(book),
        at("2026-11-25 09:00"),
    );
    let known = c.store.all_rectifications().expect("problems");
    let p = &known[0];
    let issued = p.issued_on;
    let today = issued + chrono::Duration::days(5);
    let row = |done: Cell, contact: &str, phone: &str| FeedbackRow {
        file: "单位.xlsx".to_owned(),
        sheet: "反馈".to_owned(),
        row: 4,
        code: Some(p.id),
        host_unit: p.host_unit.clone(),
        name: p.name.clone(),
        platform: p.platform.clone(),
        category: p.category.clone(),
        reply_text: "已整改".to_owned(),
        completed_on: done,
        contact: contact.to_owned(),
        phone: phone.to_owned(),
    };
    let on = |d: NaiveDate| Cell::Date(d);
    let cases = [
        (
            row(on(issued + chrono::Duration::days(2)), "张科长", "020-1234"),
            true,
            "",
        ),
        (row(Cell::Empty, "张科长", "020-1234"), false, "完成时间"),
        (
            row(on(issued - chrono::Duration::days(1)), "张科长", "020-1234"),
            false,
            "早于问题下发",
        ),
        (
            row(on(today + chrono::Duration::days(1)), "张科长", "020-1234"),
            false,
            "晚于今天",
        ),
        (row(on(issued), "", "020-1234"), false, "联系人"),
        (row(on(issued), "张科长", " "), false, "联系电话"),
    ];
    for (i, (r, taken, why)) in cases.into_iter().enumerate() {
        let m = match_feedback(&[r], &known, today);
        assert_eq!(
            m.answers.len(),
            usize::from(taken),
            "case {i}: {:?}",
            m.issues
        );
        assert_eq!(m.incomplete, usize::from(!taken), "case {i}");
        if !taken {
            let message = &m.issues[0].message;
            assert!(
                message.starts_with("待补充") && message.contains(why),
                "case {i}: {message}"
            );
        }
    }
    // 正在整改 needs none of them.
    let mut doing = row(Cell::Empty, "", "");
    doing.reply_text = "正在整改".to_owned();
    assert_eq!(match_feedback(&[doing], &known, today).answers.len(), 1);
}

/// A sheet whose 已整改 row lacks the phone is not taken, but the reply stays on the problem
/// (已反馈，待补充：联系电话) in the list, `--json`-able fields and the log, and the unit is not
/// named as one that never answered; the complete reply sent later replaces it.
#[test]
fn a_reply_that_came_back_incomplete_stays_visible_until_a_complete_one_comes() {
    let mut c = checked_quarter();
    let book = c.dir.path().join("整改表.xlsx");
    export_sheets(
        &mut c.store,
        "2026Q4",
        &SheetTarget::Book(book.clone()),
        at("2026-11-25 09:00"),
    );
    let p = c.store.all_rectifications().expect("problems")[0].clone();
    let done = Some(p.issued_on + chrono::Duration::days(1));
    let lacking_phone = Fill {
        phone: "",
        ..fill("已整改", done)
    };
    let sent = c.dir.path().join("单位反馈（缺电话）.xlsx");
    unit_copy(&book, &sent, &HashMap::from([(p.id, lacking_phone)]));
    let report = import(&mut c.store, &[sent], at("2026-11-28 10:00"));
    assert_eq!(
        (report.incomplete, report.counts.updated),
        (1, 0),
        "{report:?}"
    );
    let kept = c.store.rectification(p.id).expect("read").expect("kept");
    assert_eq!(kept.state, State::Open, "not taken");
    assert_eq!(kept.incomplete, "联系电话");
    assert_eq!(kept.incomplete_at, Some(at("2026-11-28 10:00")));
    assert_eq!(
        kept.status_text(on("2026-11-28")),
        "已反馈，待补充：联系电话"
    );
    let late = on("2027-03-01");
    assert_eq!(kept.status(late), Status::Overdue);
    assert_eq!(
        kept.status_text(late),
        "已反馈，待补充：联系电话（已过整改时限）"
    );
    let f = spotcheck::rectification::follow_up::follow_up(std::slice::from_ref(&kept), late);
    assert!(f.silent_units.is_empty(), "it did answer: {f:?}");
    let log = c.store.log_entries().expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == "导入整改反馈" && e.detail.contains("1 个问题的反馈待补充")),
        "{:?}",
        log.last()
    );
    // The complete reply replaces it.
    let complete = c.dir.path().join("单位反馈（补充）.xlsx");
    unit_copy(
        &book,
        &complete,
        &HashMap::from([(p.id, fill("已整改", done))]),
    );
    let report = import(&mut c.store, &[complete], at("2026-11-30 10:00"));
    assert_eq!(report.counts.updated, 1, "{report:?}");
    let answered = c.store.rectification(p.id).expect("read").expect("kept");
    assert_eq!(answered.state, State::Replied);
    assert!(answered.incomplete.is_empty() && answered.incomplete_at.is_none());
    assert_eq!(answered.status_text(on("2026-11-30")), "已反馈");
}

/// A problem the unit never answered is closed only with a note saying on what grounds; a
/// closed problem can be reopened with a reason; each step is logged.
#[test]
fn closing_without_a_reply_needs_grounds_and_a_closed_problem_can_be_reopened() {
    let mut c = checked_quarter();
    let book = c.dir.path().join("整改表.xlsx");
    export_sheets(
        &mut c.store,
        "2026Q4",
        &SheetTarget::Book(book),
        at("2026-11-25 09:00"),
    );
    let p = c.store.all_rectifications().expect("problems")[0].clone();
    assert!(p.reply.is_none());
    let err =
        rectification::review_rectification(&mut c.store, p.id, true, " ", at("2026-11-26 09:00"))
            .expect_err("no reply, no note");
    assert!(matches!(err, RectifyError::CloseWithoutReply), "{err:?}");
    assert!(err.to_string().contains("写明依据"), "{err}");
    let closed = rectification::review_rectification(
        &mut c.store,
        p.id,
        true,
        "现场核实已恢复更新",
        at("2026-11-26 10:00"),
    )
    .expect("closed with grounds");
    assert_eq!(closed.state, spotcheck::rectification::State::Closed);
    let err =
        rectification::review_rectification(&mut c.store, p.id, false, "", at("2026-11-27 09:00"))
            .expect_err("a reason is needed");
    assert!(matches!(err, RectifyError::ReopenNeedsReason), "{err:?}");
    let reopened = rectification::review_rectification(
        &mut c.store,
        p.id,
        false,
        "复查发现仍未更新",
        at("2026-11-27 10:00"),
    )
    .expect("reopened");
    assert_eq!(reopened.state, spotcheck::rectification::State::Reopened);
    let actions: Vec<String> = c
        .store
        .log_entries()
        .expect("log")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.ends_with(&["复核关闭".to_owned(), "重新打开整改问题".to_owned()]),
        "{actions:?}"
    );
}

/// Two quarters: a 2026Q4 problem whose account passes its 复查 in 2027Q1 is closed as
/// 复查合格 (never 逾期); one found again stays open, and the new problem says it is the
/// second quarter running.
#[test]
fn a_passing_recheck_closes_last_quarters_problem_and_a_repeat_says_so() {
    let Checked {
        dir,
        mut store,
        draw: q4,
        ..
    } = checked_quarter();
    export_sheets(
        &mut store,
        "2026Q4",
        &SheetTarget::Book(dir.path().join("2026Q4整改表.xlsx")),
        at("2026-11-25 09:00"),
    );
    let q4_problems = store.rectifications(q4.info.id).expect("problems");
    assert!(!q4_problems.is_empty());
    // One unit replies 已整改 for a problem its account still has.
    let claimed = q4_problems
        .iter()
        .filter(|p| p.item == "V04")
        .nth(1)
        .expect("two V04 problems")
        .id;
    store
        .transaction(|tx| {
            tx.record_answer(
                claimed,
                &spotcheck::store::StoredAnswer {
                    state: spotcheck::rectification::State::Replied,
                    reply: Some(spotcheck::model::Reply::Done),
                    reply_text: "已整改".to_owned(),
                    completed_on: Some(on("2026-12-01")),
                    contact: "王五".to_owned(),
                    phone: "020-12345678".to_owned(),
                },
                at("2026-12-02 09:00"),
            )
        })
        .expect("reply");
    let q1 = draw(
        &mut store,
        "2027Q1",
        Rate::MINIMUM,
        2027,
        at("2027-01-05 09:00"),
    );
    spotcheck::steps::demo::complete_checks(&mut store, &q1, at("2027-02-20 10:00"))
        .expect("checks");
    // The demo fails each account the same way every quarter; one unit fixed its account.
    let v04: Vec<&Rectification> = q4_problems.iter().filter(|p| p.item == "V04").collect();
    let fixed = v04[0].account;
    let finding = Finding {
        item: "V04".to_owned(),
        answer: None,
        note: String::new(),
        last_update: Some(on("2027-02-18")),
        checked_on: Some(on("2027-02-20")),
        longest_gap: None,
    };
    spotcheck::steps::inspect::save_finding(
        &mut store,
        q1.info.id,
        fixed,
        &finding,
        at("2027-02-21 09:00"),
    )
    .expect("the fix");
    let after: HashMap<i64, Rectification> = store
        .rectifications(q4.info.id)
        .expect("problems")
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let closed = &after[&v04[0].id];
    assert_eq!(closed.state, spotcheck::rectification::State::Closed);
    assert!(
        closed
            .review_note
            .starts_with("复查合格：2027年第一季度检查"),
        "{}",
        closed.review_note
    );
    assert_eq!(
        closed.status(on("2027-03-01")),
        Status::Closed,
        "not 逾期 once the 复查 passed"
    );
    for p in v04.iter().skip(1) {
        assert_ne!(
            after[&p.id].state,
            spotcheck::rectification::State::Closed,
            "still failing"
        );
    }
    // The reply 已整改 does not stand against the recheck: 复核未通过, saying why.
    let contradicted = &after[&claimed];
    assert_eq!(
        contradicted.state,
        spotcheck::rectification::State::Reopened,
        "{contradicted:?}"
    );
    assert_eq!(contradicted.status(on("2027-03-01")), Status::Rejected);
    assert!(
        contradicted
            .review_note
            .starts_with("复查未通过：单位反馈已整改，2027年第一季度复查"),
        "{}",
        contradicted.review_note
    );
    // 2027Q1's problems: a repeat says how many quarters running.
    export_sheets(
        &mut store,
        "2027Q1",
        &SheetTarget::Book(dir.path().join("2027Q1整改表.xlsx")),
        at("2027-02-25 09:00"),
    );
    let q1_problems = store.rectifications(q1.info.id).expect("problems");
    let repeat = q1_problems
        .iter()
        .find(|p| p.item == "V04" && p.account == v04[1].account)
        .expect("found again");
    assert!(
        repeat.description.starts_with("连续 2 个季度存在此问题"),
        "{}",
        repeat.description
    );
    // One open problem per account and item: last quarter's continues as this one.
    let old = store.rectification(v04[1].id).expect("read").expect("kept");
    assert_eq!(old.carried_to, Some(repeat.id), "{old:?}");
    assert_eq!(old.status(on("2027-03-01")), Status::Carried);
    assert!(
        repeat
            .description
            .contains(&spotcheck::rectification::code(v04[1].id)),
        "{}",
        repeat.description
    );
    let mut open: HashMap<(i64, String), usize> = HashMap::new();
    for p in store
        .rectifications(q4.info.id)
        .expect("problems")
        .iter()
        .chain(&q1_problems)
    {
        if !matches!(p.status(on("2027-03-01")), Status::Closed | Status::Carried) {
            *open.entry((p.account, p.item.clone())).or_default() += 1;
        }
    }
    assert!(open.values().all(|n| *n == 1), "{open:?}");
    // Exported again (the per-unit files a minute later): the count stays.
    export_sheets(
        &mut store,
        "2027Q1",
        &SheetTarget::Folder(dir.path().join("2027Q1整改表")),
        at("2027-02-25 09:01"),
    );
    let again = store.rectification(repeat.id).expect("read").expect("kept");
    assert!(
        again.description.starts_with("连续 2 个季度存在此问题"),
        "{}",
        again.description
    );
    assert!(
        !q1_problems
            .iter()
            .any(|p| p.item == "V04" && p.account == fixed),
        "the fixed account has no new V04 problem"
    );
    // The account's detail: newest first, the repeat with its count, last quarter's as it is.
    let shown = spotcheck::steps::rectification::recheck::account_problems(&store, v04[1].account)
        .expect("account problems");
    let (newest, running) = shown
        .iter()
        .find(|(p, _)| p.item == "V04")
        .expect("the V04 problem");
    assert_eq!((newest.quarter, *running), (quarter("2027Q1"), 2));
    assert!(
        shown
            .iter()
            .any(|(p, n)| p.item == "V04" && p.quarter == quarter("2026Q4") && *n == 1)
    );
    let (_, fixed_running) =
        spotcheck::steps::rectification::recheck::account_problems(&store, fixed)
            .expect("account problems")
            .into_iter()
            .find(|(p, _)| p.item == "V04")
            .expect("the old problem");
    assert_eq!(fixed_running, 1, "fixed: no repeat");
    let log = store.log_entries().expect("log");
    assert!(log.iter().any(|e| e.action == "复查合格关闭整改问题"));
    second_notice_opens_with_last_quarters_problems(&store, &q1);
}

/// The 2027Q1 notice (dated 2027-03-01, after every 2026Q4 deadline): it opens with where
/// 2026Q4's problems stand, as the store has them; names the units that never answered; its
/// 抽查比例 counts the random draw, 复查 counted apart.
fn second_notice_opens_with_last_quarters_problems(store: &Store, q1: &DrawRecord) {
    let report = notice::load_report(store, quarter("2027Q1")).expect("report");
    let previous = store
        .rectifications(report.previous_problems[0].draw)
        .expect("2026Q4's problems");
    assert_eq!(report.previous_problems.len(), previous.len());
    let day = on("2027-03-01");
    let paragraphs: Vec<String> = spotcheck::export::notice_paragraphs(
        &report,
        &spotcheck::export::NoticeText {
            region: "示例市".to_owned(),
            deadline: on("2027-03-15"),
            dated: day,
            exported: at("2027-03-01 09:00"),
            office: String::new(),
            addressees: String::new(),
            contact: String::new(),
        },
    )
    .into_iter()
    .map(|(_, text)| text)
    .collect();
    let at_line = |start: &str| {
        paragraphs
            .iter()
            .position(|p| p.starts_with(start))
            .unwrap_or_else(|| panic!("no {start}: {paragraphs:#?}"))
    };
    let opening = at_line("一、上季度通报问题整改情况");
    assert!(opening < at_line("二、总体情况"));
    assert!(at_line("三、存在的主要问题") < at_line("四、工作要求"));
    let figures = &paragraphs[opening + 1];
    let count = |status: Status| previous.iter().filter(|p| p.status(day) == status).count();
    let units: BTreeSet<&str> = previous.iter().map(|p| p.host_unit.as_str()).collect();
    assert!(
        figures.starts_with(&format!(
            "2026年第四季度通报问题{}个，涉及{}个单位。截至2027年3月1日，",
            previous.len(),
            units.len()
        )),
        "{figures}"
    );
    for (status, words) in [
        (Status::Closed, "已整改并复核关闭"),
        (Status::Overdue, "逾期未反馈"),
        (Status::Carried, "本季度复查仍不合格、转入本季度继续整改"),
    ] {
        let n = count(status);
        assert!(n > 0, "the scenario has {words}: {figures}");
        assert!(
            figures.contains(&format!("{words}{n}个")),
            "{words} {n}: {figures}"
        );
    }
    // The units that never answered, by name.
    let silent: BTreeSet<&str> = previous
        .iter()
        .filter(|p| p.reply.is_none() && matches!(p.status(day), Status::Overdue | Status::Carried))
        .map(|p| p.host_unit.as_str())
        .collect();
    let named = &paragraphs[opening + 2];
    assert!(
        named.starts_with(&format!("逾期未报送整改情况的单位（{}个）：", silent.len())),
        "{named}"
    );
    for unit in &silent {
        assert!(named.contains(unit), "{unit}: {named}");
    }
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("上季度逾期未报送整改情况的单位，请一并报送"))
    );
    // Accounts failing again are marked where 二、 names them.
    let repeats = report.repeat_failures();
    assert!(!repeats.is_empty(), "the scenario has repeat failures");
    let problems_section =
        paragraphs[at_line("三、存在的主要问题")..at_line("四、工作要求")].join("\n");
    // A problem type of more than ten accounts names only some of those failing again (the
    // list is in 附件2).
    let groups = report.groups(true);
    let crowded = |category: &str| {
        groups.iter().any(|g| {
            g.category == category
                && g.problems
                    .iter()
                    .map(|p| p.account)
                    .collect::<BTreeSet<_>>()
                    .len()
                    > 10
        })
    };
    for p in report.problems.iter().filter(|p| p.account_failed) {
        let named = format!("“{}”（{}", p.name, p.platform);
        if crowded(&p.category) {
            // Where they are, and at most five of those failing again by name.
            if repeats.contains_key(&p.account) {
                assert!(problems_section.contains("其中连续多个季度不合格的有"));
            }
            continue;
        }
        assert!(problems_section.contains(&named), "{named}");
        let marked = format!(
            "{named}，连续{}个季度不合格）",
            repeats.get(&p.account).copied().unwrap_or(0)
        );
        assert_eq!(
            problems_section.contains(&marked),
            repeats.contains_key(&p.account),
            "{marked}: {problems_section}"
        );
    }
    // 抽查比例 from the random draw; 复查-only accounts counted apart.
    let drawn = q1.accounts.iter().filter(|d| d.drawn).count();
    let extra = q1.accounts.iter().filter(|d| !d.drawn && d.recheck).count();
    assert_eq!(report.total.drawn(), drawn);
    assert_eq!(report.total.rechecked, extra);
    let line = &paragraphs[at_line("二、总体情况") + 1];
    if extra > 0 {
        assert!(
            line.contains(&format!("随机抽查{drawn}个（占"))
                && line.contains(&format!(
                    "另复查上季度不合格账号{extra}个，共检查{}个",
                    drawn + extra
                )),
            "{line}"
        );
    } else {
        assert!(line.contains(&format!("抽查{drawn}个（占")), "{line}");
    }
}

/// A roster that says which 公众号 are 订阅号 and which 服务号 (in its platform column, as
/// 微信订阅号 or 服务号): the platform table counts them apart under 微信, those of no stated type
/// as 微信公众号（未注明类型）, each row's 账号总数 what the roster holds; the accounts themselves
/// stay 微信公众号 (the same accounts as in a roster that does not say).
#[test]
fn the_platform_table_counts_subscription_and_service_accounts_apart() {
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(150, 4);
    let spellings = ["微信订阅号", "服务号", "微信公众号", "微信视频号", "抖音"];
    for (i, a) in roster.iter_mut().enumerate() {
        a.platform = spellings[i % spellings.len()].to_owned();
    }
    let mut store = store_with(dir.path(), &roster);
    let stored = store.accounts().expect("accounts");
    assert!(
        stored
            .iter()
            .filter(|a| a.account.platform.contains("号") && a.account.platform != "微信视频号")
            .all(|a| a.account.platform == "微信公众号"),
        "the type is not part of the platform"
    );
    let record = draw(
        &mut store,
        "2026Q4",
        Rate::MINIMUM,
        5,
        at("2026-10-02 09:00"),
    );
    spotcheck::steps::demo::complete_checks(&mut store, &record, at("2026-11-20 10:00"))
        .expect("checks");
    let path = dir.path().join("通报.xlsx");
    notice::export_notice(&mut store, quarter("2026Q4"), &path, at("2026-12-20 09:00"))
        .expect("export");
    let table = tally_table(&grid(&path, "总体情况"), "平台");
    let names: Vec<String> = table.iter().map(|r| text(&r[0])).collect();
    assert_eq!(
        names,
        [
            "微信公众号（订阅号）",
            "微信公众号（服务号）",
            "微信公众号（未注明类型）",
            "微信视频号",
            "微信小计",
            "抖音",
            "合计"
        ]
    );
    let in_operation = |spelling: &str| {
        roster
            .iter()
            .filter(|a| a.platform == spelling && a.status.in_operation())
            .count()
    };
    for (row, spelling) in table.iter().zip(spellings.iter().take(4)) {
        assert_eq!(count(&row[1]), in_operation(spelling), "{}", text(&row[0]));
    }
}

/// Two 地市, each with city-level accounts (区县 blank) and 区县: the 地区 table lists each 地市's
/// own accounts first as 某某市（市直）, then its 区县 by pinyin, then the 地市's 小计; 地市 by
/// pinyin; a 区县 name both 地市 have is two rows, one in each; and the platform table groups 公众号, 视频号 and 小程序 under 微信 with a 小计.
#[test]
fn notice_tables_group_counties_under_their_city_and_platforms_under_their_kind() {
    let dir = TempDir::new().expect("tempdir");
    let mut roster = spotcheck::steps::demo::accounts(120, 3);
    let platforms = ["微信公众号", "微信视频号", "小程序", "抖音", "南方号"];
    for (i, a) in roster.iter_mut().enumerate() {
        a.city = if i % 2 == 0 { "中山市" } else { "东莞市" }.to_owned();
        if i % 5 == 0 {
            a.county = String::new();
        } else if i % 2 == 1 && a.county != "北湖区" {
            // 东莞's 区县 have names of their own, except 北湖区, which both have.
            a.county = format!("莞{}", a.county);
        }
        a.platform = platforms[i % platforms.len()].to_owned();
    }
    let mut store = store_with(dir.path(), &roster);
    let record = draw(
        &mut store,
        "2026Q4",
        Rate::MINIMUM,
        9,
        at("2026-10-02 09:00"),
    );
    spotcheck::steps::demo::complete_checks(&mut store, &record, at("2026-11-20 10:00"))
        .expect("checks");
    let path = dir.path().join("通报.xlsx");
    notice::export_notice(&mut store, quarter("2026Q4"), &path, at("2026-12-20 09:00"))
        .expect("export");
    let summary = grid(&path, "总体情况");

    let names = |first: &str| -> Vec<String> {
        tally_table(&summary, first)
            .iter()
            .map(|r| text(&r[0]))
            .collect()
    };
    let regions = names("地区");
    let counties = |city: &str| -> Vec<String> {
        let mut c: Vec<String> = roster
            .iter()
            .filter(|a| a.city == city && !a.county.is_empty())
            .map(|a| a.county.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        c.sort_by(|a, b| spotcheck::model::collate::cmp_pinyin(a, b));
        c
    };
    let mut expected = Vec::new();
    for city in ["东莞市", "中山市"] {
        expected.push(format!("{city}（市直）"));
        expected.extend(counties(city));
        expected.push(format!("{city}小计"));
    }
    // 北湖区, a name both 地市 have, is counted in each of them, never together.
    assert!(counties("东莞市").contains(&"北湖区".to_owned()));
    assert!(counties("中山市").contains(&"北湖区".to_owned()));
    expected.push("合计".to_owned());
    assert_eq!(regions, expected);
    let table = tally_table(&summary, "地区");
    let sum_of = |range: std::ops::Range<usize>, col: usize| -> usize {
        table[range].iter().map(|r| count(&r[col])).sum()
    };
    let first_city = counties("东莞市").len() + 1;
    for col in [1, 2, 4, 5] {
        assert_eq!(
            count(&table[first_city][col]),
            sum_of(0..first_city, col),
            "东莞市小计"
        );
    }

    assert_eq!(
        names("平台"),
        [
            "微信公众号",
            "微信视频号",
            "小程序",
            "微信小计",
            "抖音",
            "南方号",
            "合计"
        ],
        "南方号 is counted as 其他, alone, so without a 小计"
    );

    // The 抽查名单 names a 地市's own stratum 某某市（市直）, in its list and its strata sheet.
    let list = dir.path().join("名单.xlsx");
    spotcheck::export::write_sample_list(&record, "示例", &list).expect("sample list");
    let strata: Vec<String> = grid(&list, "分层统计")
        .iter()
        .map(|r| text(&r[0]))
        .collect();
    assert!(strata.iter().any(|s| s == "东莞市（市直）"), "{strata:?}");
    let city_level = record
        .accounts
        .iter()
        .find(|d| d.account.account.county.is_empty())
        .expect("a city-level account drawn");
    let rows = grid(&list, "抽查名单");
    let row = rows
        .iter()
        .find(|r| text(&r[5]) == city_level.account.account.name)
        .expect("listed");
    assert_eq!(
        text(&row[1]),
        format!("{}（市直）", city_level.account.account.city)
    );
}

/// The sheets spotcheck wrote, sent back as they are (one file per unit and one workbook):
/// their title, instructions and sign-off line are the form's own and never reported; every
/// problem row is counted as not yet answered.
#[test]
fn returned_sheets_report_only_their_rows_never_the_forms_own_lines() {
    let mut c = checked_quarter();
    let folder = c.dir.path().join("整改表");
    let issued = export_sheets(
        &mut c.store,
        "2026Q4",
        &SheetTarget::Folder(folder.clone()),
        at("2026-11-25 10:00"),
    );
    let book = c.dir.path().join("整改表.xlsx");
    export_sheets(
        &mut c.store,
        "2026Q4",
        &SheetTarget::Book(book.clone()),
        at("2026-11-25 10:05"),
    );
    let problems = c
        .store
        .rectifications(c.draw.info.id)
        .expect("problems")
        .len();
    for files in [issued.files.clone(), vec![book]] {
        let report = import(&mut c.store, &files, at("2026-11-26 09:00"));
        assert!(
            report.issues.is_empty(),
            "{:?}",
            report.issues.iter().take(3).collect::<Vec<_>>()
        );
        assert_eq!(report.unanswered, problems);
    }
}

/// A row bound to its sheet: a code changed to another unit's problem, its other cells
/// blank, or under another unit's name, is refused; the other unit's problem is untouched.
#[test]
fn a_code_from_another_unit_is_refused_not_taken() {
    let mut c = checked_quarter();
    let book = c.dir.path().join("整改表.xlsx");
    export_sheets(
        &mut c.store,
        "2026Q4",
        &SheetTarget::Book(book),
        at("2026-11-25 10:00"),
    );
    let rows = c.store.rectifications(c.draw.info.id).expect("problems");
    let first = &rows[0];
    let other = rows
        .iter()
        .find(|r| r.host_unit != first.host_unit)
        .expect("a second unit");
    let csv = format!(
        "问题编号,主办单位,账号名称,平台,问题类别,整改情况,完成时间,联系人,联系电话\n\
         {},,,,,已整改,2026-11-26,王五,020-12345678\n\
         {},{},{},{},{},已整改,2026-11-26,王五,020-12345678\n",
        code(other.id),
        code(other.id),
        first.host_unit,
        other.name,
        other.platform,
        other.category
    );
    let file = c.dir.path().join("反馈.csv");
    std::fs::write(&file, csv).expect("write");
    let report = import(&mut c.store, &[file], at("2026-11-26 09:00"));
    assert_eq!(report.issues.len(), 2, "{:?}", report.issues);
    assert!(
        report.issues[0].message.contains("无法核对"),
        "{:?}",
        report.issues
    );
    assert!(
        report.issues[1]
            .message
            .contains(&format!("是“{}”的问题", other.host_unit)),
        "{:?}",
        report.issues
    );
    let still = c
        .store
        .rectification(other.id)
        .expect("read")
        .expect("kept");
    assert!(
        still.reply.is_none(),
        "the other unit's problem is untouched"
    );
}
