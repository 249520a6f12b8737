//! 概况 and the 统计分析 workbook over three drawn quarters (2025Q4, 2026Q3, 2026Q4), made through
//! the real steps with the clock passed in: every figure equals the notice's, the notice states
//! the change against last quarter and last year in 百分点, and the workbook's charts point at
//! the tables they draw.

use std::io::Read;
use std::path::{Path, PathBuf};

use spotcheck::model::{DrawRequest, Quarter};
use spotcheck::overview::points_change;
use spotcheck::sampling::DrawOptions;
use spotcheck::steps::notice::load_report;
use spotcheck::steps::overview::load_overview;
use spotcheck::steps::rectification::{SheetTarget, export_rectification};
use spotcheck::store::{Store, settings};

use crate::support::clock::{at, on};
use crate::support::{json, path_str, run, stdout};

/// A roster of `n` demo accounts and the three quarters drawn and checked; 2026Q3's problems
/// issued and one answered on time.
fn three_quarters(dir: &Path, n: usize) -> PathBuf {
    let roster = dir.join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(n, 5), &roster)
        .expect("roster");
    let db = dir.join("t.db");
    let mut store = Store::open(&db).expect("open");
    store
        .set_setting(settings::REGION_NAME, "示例市")
        .expect("region");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read");
    spotcheck::steps::roster_import::commit(&mut store, &preview, at("2025-10-08 09:00"))
        .expect("import");
    for (quarter, seed, when) in [
        ("2025Q4", 1, "2025-11-10 09:00"),
        ("2026Q3", 2, "2026-08-10 09:00"),
        ("2026Q4", 3, "2026-11-10 09:00"),
    ] {
        let request = DrawRequest {
            quarter: quarter.parse().expect("quarter"),
            options: DrawOptions::default(),
            seed,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at(when)).expect("draw");
        spotcheck::steps::demo::complete_checks(&mut store, &draw, at(when)).expect("checks");
        if quarter == "2026Q3" {
            export_rectification(
                &mut store,
                request.quarter,
                &SheetTarget::Book(dir.join("整改表.xlsx")),
                at("2026-08-20 09:00"),
            )
            .expect("issue");
        }
    }
    db
}

#[test]
fn every_figure_of_the_overview_is_the_notices_and_the_changes_are_in_points() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = three_quarters(dir.path(), 240);
    let store = Store::open(&db).expect("open");
    let q4: Quarter = "2026Q4".parse().expect("quarter");
    let report = load_report(&store, q4).expect("report");
    let o = load_overview(&store, q4, on("2026-12-07")).expect("overview");

    assert_eq!(o.total, report.total);
    let rows = |groups: &[spotcheck::model::TallyGroup]| -> Vec<spotcheck::model::Tally> {
        groups.iter().flat_map(|g| g.rows.iter().cloned()).collect()
    };
    assert_eq!(o.by_region, rows(&report.by_region));
    assert_eq!(o.by_platform, rows(&report.by_platform));
    // Progress per region adds up to the region's 抽查数, and in all to the sample.
    for (p, t) in o.progress_by_region.iter().zip(&o.by_region) {
        assert_eq!((p.name.as_str(), p.drawn), (t.name.as_str(), t.checked));
    }
    assert_eq!(o.progress.drawn, report.total.checked);
    assert_eq!(
        o.by_inspector.iter().map(|p| p.drawn).sum::<usize>(),
        o.progress.drawn
    );
    // Problem types: each once, veto first, shares adding to one.
    let counted: usize = o.problem_types.iter().map(|t| t.count).sum();
    assert_eq!(counted, report.problems.len());
    let shares: f64 = o.problem_types.iter().map(|t| t.share).sum();
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    let first_plain = o.problem_types.iter().position(|t| !t.veto);
    assert!(
        o.problem_types
            .iter()
            .skip(first_plain.unwrap_or(usize::MAX))
            .all(|t| !t.veto)
    );

    // The trend: the three quarters, each rate its own notice's.
    let quarters: Vec<String> = o.trend.iter().map(|t| t.quarter.to_string()).collect();
    assert_eq!(quarters, ["2025Q4", "2026Q3", "2026Q4"]);
    for t in &o.trend {
        let r = load_report(&store, t.quarter).expect("report");
        assert_eq!((t.passed, t.failed), (r.total.passed, r.total.failed));
    }
    // 2026Q3's problems: issued, one window to answer; none answered, all past the deadline.
    let q3 = o.trend.iter().find(|t| t.quarter.to_string() == "2026Q3");
    assert_eq!(q3.and_then(|t| t.on_time_rate), Some(0.0));

    // The change in 百分点, against 2026Q3 and against 2025Q4, in the notice and in 概况.
    let last = load_report(&store, q4.previous()).expect("report");
    let year_ago = load_report(&store, "2025Q4".parse().expect("quarter")).expect("report");
    let now = report.total.pass_rate();
    let (q, y) = o.changes();
    assert_eq!(q, points_change(now, last.total.pass_rate()));
    assert_eq!(y, points_change(now, year_ago.total.pass_rate()));
    let line = spotcheck::export::overview_line(&report);
    for (label, change) in [("上季度", q), ("去年同期", y)] {
        let change = change.expect("both quarters have results");
        let said = if change.abs() < 0.05 {
            format!("与{label}持平")
        } else if change > 0.0 {
            format!("比{label}提高{change:.1}个百分点")
        } else {
            format!("比{label}下降{:.1}个百分点", -change)
        };
        assert!(line.contains(&said), "{said} in {line}");
    }
    // Region changes compare a region with itself.
    for r in &o.region_trend {
        let before = last
            .by_region
            .iter()
            .flat_map(|g| &g.rows)
            .find(|t| t.key == r.key)
            .and_then(spotcheck::model::Tally::pass_rate);
        assert_eq!(r.change, points_change(r.rate, before), "{}", r.name);
    }
    // Repeat failures are 不合格 now and last quarter.
    let failed_last = store.failed_in(q4.previous()).expect("failed");
    assert!(
        !o.repeat_offenders.is_empty(),
        "the demo fails some accounts twice"
    );
    for r in &o.repeat_offenders {
        assert!(failed_last.contains(&r.account));
        assert!(r.quarters >= 2);
    }

    // The command line says the same.
    let out = run(&db, &["overview", "--quarter", "2026Q4", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let j = json(&out);
    assert_eq!(j["total"]["passed"], report.total.passed);
    assert_eq!(j["total"]["failed"], report.total.failed);
    assert_eq!(
        j["by_region"].as_array().map(Vec::len),
        Some(o.by_region.len())
    );
    assert_eq!(j["trend"].as_array().map(Vec::len), Some(3));
    assert_eq!(j["change_vs_last_quarter"].as_f64(), q);
    let text = stdout(&run(&db, &["overview", "--quarter", "2026Q4"]));
    assert!(text.contains("比上季度"), "{text}");
}

/// The part of `zip` named `name`, as text.
fn part(zip: &Path, name: &str) -> String {
    let file = std::fs::File::open(zip).expect("open xlsx");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the workbook"))
        .read_to_string(&mut text)
        .expect("read part");
    text
}

#[test]
fn the_stats_workbook_has_charts_over_its_own_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = three_quarters(dir.path(), 120);
    let out = dir.path().join("统计分析.xlsx");
    let o = run(
        &db,
        &[
            "export",
            "stats",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&out),
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("统计分析已保存"));
    let overview = load_overview(
        &Store::open(&db).expect("open"),
        "2026Q4".parse().expect("quarter"),
        on("2026-12-07"),
    )
    .expect("overview");

    let book = part(&out, "xl/workbook.xml");
    for sheet in ["按地区", "按平台", "趋势", "问题类型", "整改", "连续不合格"] {
        assert!(book.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
    // Four charts, each titled, each series over its sheet's table.
    let regions = overview.by_region.len() + 3;
    let platforms = overview.by_platform.len() + 3;
    let trend = overview.trend.len() + 3;
    let expected = [
        ("各地区合格率", vec![format!("按地区!$G$4:$G${regions}")]),
        ("各平台合格率", vec![format!("按平台!$G$4:$G${platforms}")]),
        (
            "合格率和按期反馈率趋势",
            vec![
                format!("趋势!$E$4:$E${trend}"),
                format!("趋势!$F$4:$F${trend}"),
            ],
        ),
        (
            "整改情况",
            vec![format!(
                "整改!$B$4:$B${}",
                3 + spotcheck::rectification::Status::ALL.len()
            )],
        ),
    ];
    let charts: Vec<String> = (1..=4)
        .map(|n| part(&out, &format!("xl/charts/chart{n}.xml")))
        .collect();
    for (title, ranges) in &expected {
        let chart = charts
            .iter()
            .find(|c| c.contains(title))
            .unwrap_or_else(|| panic!("a chart titled {title}"));
        for r in ranges {
            assert!(chart.contains(r.as_str()), "{title}: {r} in\n{chart}");
        }
    }
    // The region × type table is shaded by count.
    let sheets: Vec<String> = (1..=5)
        .map(|n| part(&out, &format!("xl/worksheets/sheet{n}.xml")))
        .collect();
    assert!(sheets.iter().any(|s| s.contains("colorScale")));
}

/// One rule for 不合格 across quarters: an account the notice counts 不合格 — here a veto
/// 不符合 whose evidence is still missing, so its check cannot be finished — is rechecked
/// next quarter, and the next notice's 复查 counts every one of them.
#[test]
fn every_account_the_notice_counts_failed_is_rechecked_next_quarter() {
    use spotcheck::checklist::{Answer, Finding, Verdict};
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(120, 5), &roster)
        .expect("roster");
    let db = dir.path().join("t.db");
    let mut store = Store::open(&db).expect("open");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read");
    spotcheck::steps::roster_import::commit(&mut store, &preview, at("2026-08-01 09:00"))
        .expect("import");
    let q3: Quarter = "2026Q3".parse().expect("quarter");
    let request = |quarter: Quarter, seed| DrawRequest {
        quarter,
        options: DrawOptions::default(),
        seed,
        reason: None,
        void_work: false,
    };
    let when = at("2026-08-10 09:00");
    let draw = spotcheck::steps::draw::make_draw(&mut store, &request(q3, 4), when).expect("draw");
    spotcheck::steps::demo::complete_checks(&mut store, &draw, when).expect("checks");
    // A passing account reopened and found failing a veto item, its evidence not yet added.
    let passed = load_report(&store, q3)
        .expect("report")
        .accounts
        .iter()
        .find(|a| a.verdict == Some(Verdict::Pass))
        .map(|a| a.account)
        .expect("a passing account");
    let later = at("2026-08-12 10:00");
    spotcheck::steps::inspect::reopen_inspection(&mut store, draw.info.id, passed, later)
        .expect("reopen");
    let finding = Finding {
        item: "V01".to_owned(),
        answer: Some(Answer::Fail),
        note: "发布内容存在严重表述错误".to_owned(),
        ..Finding::default()
    };
    spotcheck::steps::inspect::save_finding(&mut store, draw.info.id, passed, &finding, later)
        .expect("save");
    assert!(
        spotcheck::steps::inspect::finish_inspection(&mut store, draw.info.id, passed, later)
            .is_err(),
        "a veto 不符合 without evidence cannot be finished"
    );
    let notice = load_report(&store, q3).expect("report");
    let counted = notice
        .accounts
        .iter()
        .find(|a| a.account == passed)
        .and_then(|a| a.verdict);
    assert_eq!(counted, Some(Verdict::Fail), "the notice counts it 不合格");

    let draw4 = spotcheck::steps::draw::make_draw(
        &mut store,
        &request(q3.next(), 5),
        at("2026-11-10 09:00"),
    )
    .expect("draw");
    let rechecked: Vec<i64> = draw4
        .accounts
        .iter()
        .filter(|d| d.recheck)
        .map(|d| d.account.id)
        .collect();
    assert_eq!(rechecked.len(), notice.total.failed);
    assert!(rechecked.contains(&passed));
    let next = load_report(&store, q3.next()).expect("report");
    assert_eq!(next.rechecks.len(), notice.total.failed);
    // 概况 says what the notice says: the random draw, and 复查 apart.
    let extra = draw4
        .accounts
        .iter()
        .filter(|d| !d.drawn && d.recheck)
        .count();
    let random = draw4.accounts.iter().filter(|d| d.drawn).count();
    let words = load_overview(&store, q3.next(), on("2026-12-07"))
        .expect("overview")
        .checked_words();
    if extra > 0 {
        assert_eq!(
            words,
            format!(
                "共检查 {} 个（随机抽查 {random} 个，另复查上季度不合格账号 {extra} 个）",
                random + extra
            )
        );
    } else {
        assert_eq!(words, format!("抽查 {random} 个"));
    }
    assert_eq!((next.total.drawn(), next.total.rechecked), (random, extra));
    // The 复查 table in order: by region, then unit, in pinyin.
    let keys: Vec<(String, String)> = next
        .rechecks
        .iter()
        .map(|r| {
            (
                spotcheck::model::collate::pinyin_key(&r.county),
                spotcheck::model::collate::pinyin_key(&r.host_unit),
            )
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
    let line = spotcheck::export::notice_paragraphs(
        &next,
        &spotcheck::export::NoticeText {
            region: "示例市".to_owned(),
            deadline: on("2026-12-01"),
            dated: on("2026-11-20"),
            exported: on("2026-11-20").and_hms_opt(9, 30, 0).expect("a time"),
            office: String::new(),
            addressees: String::new(),
            contact: String::new(),
        },
    )
    .into_iter()
    .map(|(_, text)| text)
    .find(|t| t.contains("对上季度"))
    .expect("the 复查 sentence");
    assert!(
        line.contains(&format!("对上季度{}个不合格账号", notice.total.failed)),
        "{line}"
    );
}

/// An official document is not produced by accident: with checks unfinished the notice and
/// the 整改表 are refused, naming how many, until the user confirms; without a region the
/// notice is refused rather than titled 「关于本地区…」.
#[test]
fn a_notice_mid_quarter_or_without_a_region_is_asked_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let roster = dir.path().join("名录.xlsx");
    let ok = |o: std::process::Output| {
        assert!(o.status.success(), "{}", crate::support::stderr(&o));
        o
    };
    ok(run(
        &db,
        &["demo", "--out", path_str(&roster), "--accounts", "60"],
    ));
    ok(run(&db, &["import", path_str(&roster)]));
    ok(run(&db, &["sample", "--quarter", "2026Q4", "--seed", "3"]));
    let docx = dir.path().join("通报.docx");
    let out = run(
        &db,
        &[
            "export",
            "notice",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&docx),
        ],
    );
    assert!(!out.status.success());
    let said = crate::support::stderr(&out);
    assert!(said.contains("还没有填写地区名称"), "{said}");
    assert!(!docx.exists());

    ok(run(&db, &["settings", "--region", "示例市"]));
    let out = run(
        &db,
        &[
            "export",
            "notice",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&docx),
        ],
    );
    assert!(!out.status.success());
    let said = crate::support::stderr(&out);
    assert!(
        said.contains("2026年第四季度还有") && said.contains("个抽查账号没有完成检查"),
        "{said}"
    );
    assert!(said.contains("--allow-unfinished"), "{said}");
    assert!(!docx.exists());
    let folder = dir.path().join("整改表");
    let out = run(
        &db,
        &[
            "export",
            "rectification",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&folder),
        ],
    );
    assert!(!out.status.success());
    assert!(crate::support::stderr(&out).contains("整改表通常在全部检查完成后印发"));

    // Confirmed: written, and it says the figures are not final.
    let out = ok(run(
        &db,
        &[
            "export",
            "notice",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&docx),
            "--allow-unfinished",
        ],
    ));
    assert!(docx.is_file());
    assert!(
        stdout(&out).contains("不是本季度的最终结果"),
        "{}",
        stdout(&out)
    );
}

/// 检查时间 is the span of the 检查日期 of the counted checks, passing ones included: a check
/// dated 11-18 and finished on 11-25 makes the notice say 11-18 to 11-20, never the day its
/// results were entered.
#[test]
fn the_check_period_is_the_days_checked_not_the_days_entered() {
    use spotcheck::checklist::{Finding, Verdict};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = three_quarters(dir.path(), 90);
    let mut store = Store::open(&db).expect("open");
    let q4: Quarter = "2026Q4".parse().expect("quarter");
    // The demo dates every V04 finding on the day it checks (2026-11-10).
    let before = load_report(&store, q4).expect("report");
    assert_eq!(
        before.check_period,
        Some((on("2026-11-10"), on("2026-11-10")))
    );
    let passed = before
        .accounts
        .iter()
        .find(|a| a.verdict == Some(Verdict::Pass))
        .map(|a| a.account)
        .expect("a passing account");
    let draw = before.draw.id;
    let later = at("2026-11-25 10:00");
    spotcheck::steps::inspect::reopen_inspection(&mut store, draw, passed, later).expect("reopen");
    let v04 = Finding {
        item: "V04".to_owned(),
        answer: None,
        last_update: Some(on("2026-11-01")),
        checked_on: Some(on("2026-11-08")),
        ..Finding::default()
    };
    spotcheck::steps::inspect::save_finding(&mut store, draw, passed, &v04, later).expect("save");
    spotcheck::steps::inspect::finish_inspection(&mut store, draw, passed, later).expect("finish");
    let after = load_report(&store, q4).expect("report");
    let account = after.accounts.iter().find(|a| a.account == passed);
    assert_eq!(account.and_then(|a| a.verdict), Some(Verdict::Pass));
    assert_eq!(
        after.check_period,
        Some((on("2026-11-08"), on("2026-11-10"))),
        "the days checked, not 11-25 when it was entered"
    );
}
