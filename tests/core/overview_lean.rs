//! 概况 is read lean (each sampled account's check without its texts, earlier quarters counted
//! by where their checks stand): on a database with unfinished, not started, failed, rechecked
//! and first-algorithm draws (no region recorded), with problems answered on time and late,
//! every figure equals the one built from the notices' own reports. And a region renamed
//! between two quarters is one line of the trend once the user says so (地区更名).

use std::path::{Path, PathBuf};

use spotcheck::checklist::{Answer, Finding, Verdict};
use spotcheck::model::{DrawRecord, DrawRequest, IdSet, ProblemCount, Quarter};
use spotcheck::overview::{Overview, QuarterFigures, points_change};
use spotcheck::report::QuarterCounts;
use spotcheck::sampling::DrawOptions;
use spotcheck::steps::notice::report_alone;
use spotcheck::steps::overview::{TREND_QUARTERS, load_overview, quarter_counts};
use spotcheck::steps::rectification::{SheetTarget, export_rectification};
use spotcheck::store::{Store, settings};

use crate::support::clock::{at, on};
use crate::support::{json, run, stdout};

fn sql(db: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.execute_batch(statement).expect(statement);
}

fn draw(store: &mut Store, quarter: &str, seed: u64, when: &str) -> DrawRecord {
    let request = DrawRequest {
        quarter: quarter.parse().expect("quarter"),
        options: DrawOptions::default(),
        seed,
        reason: None,
        void_work: false,
    };
    spotcheck::steps::draw::make_draw(store, &request, at(when)).expect("draw")
}

fn import(store: &mut Store, dir: &Path, accounts: &[spotcheck::model::Account], when: &str) {
    let roster = dir.join(format!("名录-{}.xlsx", when.replace([' ', ':'], "-")));
    spotcheck::steps::demo::write_roster_xlsx(accounts, &roster).expect("roster");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut preview =
        spotcheck::steps::roster_import::preview(store, &roster, None, &mut |_| {}, &cancel)
            .expect("read");
    preview.allow_shrink = true;
    spotcheck::steps::roster_import::commit(store, &preview, at(when)).expect("import");
}

/// Four quarters: 2026Q1–Q3 checked and their problems issued (2026Q2's answered, some on
/// time, some late), 2026Q3 as a first-algorithm draw left it (no region recorded), and
/// 2026Q4 half way: assigned, some checks not started, some in progress, one failing a veto
/// item without evidence yet, half its accounts without a recorded region.
fn mixed(dir: &Path) -> PathBuf {
    let db = dir.join("t.db");
    let mut store = Store::open(&db).expect("open");
    store
        .set_setting(settings::REGION_NAME, "示例市")
        .expect("region");
    // Some accounts in a second 地市 with the same 区县 names: two regions of one name.
    let mut accounts = spotcheck::steps::demo::accounts(300, 11);
    for a in accounts.iter_mut().step_by(7) {
        "另一市".clone_into(&mut a.city);
    }
    import(&mut store, dir, &accounts, "2026-01-05 09:00");
    let mut draws = Vec::new();
    for (quarter, seed, when) in [
        ("2026Q1", 1, "2026-02-10 09:00"),
        ("2026Q2", 2, "2026-05-11 09:00"),
        ("2026Q3", 3, "2026-08-10 09:00"),
    ] {
        let d = draw(&mut store, quarter, seed, when);
        spotcheck::steps::demo::complete_checks(&mut store, &d, at(when)).expect("checks");
        export_rectification(
            &mut store,
            d.info.quarter,
            &SheetTarget::Book(dir.join(format!("整改表-{quarter}.xlsx"))),
            at(when) + chrono::TimeDelta::days(3),
        )
        .expect("issue");
        draws.push(d);
    }
    drop(store);
    // 2026Q2's problems answered: a third on time, a third late, the rest not at all.
    sql(
        &db,
        &format!(
            "UPDATE rectification SET state = 'replied', reply = 'done', replied_at = '2026-05-20 10:00:00'
               WHERE draw = {0} AND id % 3 = 0;
             UPDATE rectification SET state = 'replied', reply = 'in_progress', replied_at = '2026-07-01 10:00:00'
               WHERE draw = {0} AND id % 3 = 1;
             UPDATE draw SET algorithm_version = 1 WHERE id = {1};
             UPDATE draw_account SET counted_region = NULL, counted_platform = NULL WHERE draw = {1};",
            draws[1].info.id, draws[2].info.id
        ),
    );
    let mut store = Store::open(&db).expect("open");
    // A 2026Q3 problem found fixed after all: issued again, it is withdrawn.
    let q3 = &draws[2];
    let fixed = store
        .rectifications(q3.info.id)
        .expect("problems")
        .into_iter()
        .find(|p| p.item == "P01")
        .expect("a P01 problem");
    let when = at("2026-08-20 09:00");
    spotcheck::steps::inspect::reopen_inspection(&mut store, q3.info.id, fixed.account, when)
        .expect("reopen");
    let pass = Finding {
        item: "P01".to_owned(),
        answer: Some(Answer::Pass),
        ..Finding::default()
    };
    spotcheck::steps::inspect::save_finding(&mut store, q3.info.id, fixed.account, &pass, when)
        .expect("save");
    spotcheck::steps::inspect::finish_inspection(&mut store, q3.info.id, fixed.account, when)
        .expect("finish");
    export_rectification(
        &mut store,
        q3.info.quarter,
        &SheetTarget::Book(dir.join("整改表-2026Q3-再次.xlsx")),
        when,
    )
    .expect("issue again");
    // 2026Q4 drawn, some checks made, then drawn again (the checks carried).
    let d = draw(&mut store, "2026Q4", 4, "2026-11-09 09:00");
    let mut some = d.clone();
    some.accounts.truncate(20);
    spotcheck::steps::demo::complete_checks(&mut store, &some, at("2026-11-09 10:00"))
        .expect("checks");
    let request = DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options: DrawOptions::default(),
        seed: 4,
        reason: Some("名录更新后重新抽样".to_owned()),
        void_work: true,
    };
    let d = spotcheck::steps::draw::make_draw(&mut store, &request, at("2026-11-10 09:00"))
        .expect("redraw");
    spotcheck::steps::draw::assign(
        &mut store,
        d.info.quarter,
        &["张三".to_owned(), "李四".to_owned()],
        true,
        at("2026-11-10 10:00"),
    )
    .expect("assign");
    // Two thirds checked and finished; the rest not started.
    let mut part = d.clone();
    part.accounts.truncate(d.accounts.len() * 2 / 3);
    spotcheck::steps::demo::complete_checks(&mut store, &part, at("2026-11-12 09:00"))
        .expect("checks");
    let later = at("2026-11-20 10:00");
    for (n, a) in part.accounts.iter().take(12).enumerate() {
        let account = a.account.id;
        spotcheck::steps::inspect::reopen_inspection(&mut store, d.info.id, account, later)
            .expect("reopen");
        if n % 3 == 0 {
            // 不合格 at once (a veto item), not finished: its evidence is still missing.
            let veto = Finding {
                item: "V01".to_owned(),
                answer: Some(Answer::Fail),
                note: "发布内容存在严重表述错误".to_owned(),
                ..Finding::default()
            };
            spotcheck::steps::inspect::save_finding(&mut store, d.info.id, account, &veto, later)
                .expect("save");
        }
    }
    drop(store);
    sql(
        &db,
        &format!(
            "UPDATE draw_account SET counted_region = NULL, counted_platform = NULL
               WHERE draw = {} AND account % 2 = 0",
            d.info.id
        ),
    );
    db
}

/// The counts the triggers keep equal those of the rows, for every draw (superseded ones
/// too): sampled accounts by region with those counted 合格 and 不合格, and problems by
/// deadline and the day answered.
fn kept_counts_are_the_rows(db: &Path) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let rows = |sql: &str| -> Vec<Vec<String>> {
        let mut stmt = conn.prepare(sql).expect(sql);
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect()
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    };
    let kept = rows(
        "SELECT draw, region, sampled, passed, failed FROM draw_tally
         WHERE sampled <> 0 OR passed <> 0 OR failed <> 0 ORDER BY 1, 2",
    );
    assert!(!kept.is_empty());
    assert_eq!(
        kept,
        rows(
            "SELECT da.draw, COALESCE(da.counted_region, ''), COUNT(*),
                    SUM(i.status IS 'done' AND i.verdict IS 'pass'), SUM(i.verdict IS 'fail')
             FROM draw_account da LEFT JOIN inspection i ON i.draw = da.draw AND i.account = da.account
             GROUP BY 1, 2 ORDER BY 1, 2"
        )
    );
    assert_eq!(
        rows(
            "SELECT draw, deadline, replied_on, problems FROM draw_answers WHERE problems <> 0
             ORDER BY 1, 2, 3"
        ),
        rows(
            "SELECT draw, deadline, COALESCE(substr(replied_at, 1, 10), ''), COUNT(*)
             FROM rectification GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
    );
}

/// The overview built from each quarter's report, as the notice reads it.
fn from_reports(store: &Store, quarter: Quarter, today: chrono::NaiveDate) -> Overview {
    let all = store.all_rectifications().expect("problems");
    let problems_of = |draw: i64| -> Vec<ProblemCount> {
        all.iter()
            .filter(|p| p.draw == draw)
            .map(ProblemCount::of)
            .collect()
    };
    let report = report_alone(store, quarter).expect("report");
    let history: Vec<QuarterFigures> = store
        .drawn_quarters()
        .expect("quarters")
        .into_iter()
        .filter(|q| *q < quarter)
        .rev()
        .take(TREND_QUARTERS)
        .map(|q| {
            let r = report_alone(store, q).expect("report");
            QuarterFigures::of(&QuarterCounts::of(&r), &problems_of(r.draw.id), today)
        })
        .collect();
    Overview::build(
        &QuarterCounts::of(&report),
        &history,
        &problems_of(report.draw.id),
        &store.region_aliases().expect("aliases"),
        today,
    )
}

fn sorted(mut c: QuarterCounts) -> QuarterCounts {
    c.accounts.sort_by_key(|a| a.account);
    c
}

#[test]
fn the_lean_overview_has_the_figures_of_the_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = mixed(dir.path());
    kept_counts_are_the_rows(&db);
    let store = Store::open(&db).expect("open");
    let today = on("2026-12-07");
    let q4: Quarter = "2026Q4".parse().expect("quarter");

    // The quarter shown: every figure the notice's, account by account.
    let info = store.current_draw_info(q4).expect("read").expect("drawn");
    let lean = sorted(quarter_counts(&store, &info).expect("lean"));
    let report = report_alone(&store, q4).expect("report");
    assert!(
        report.total.unfinished() > 0,
        "some checks are not finished"
    );
    assert!(
        report
            .accounts
            .iter()
            .any(|a| a.status == spotcheck::model::InspectionStatus::NotStarted)
    );
    assert_eq!(lean, sorted(QuarterCounts::of(&report)));

    // Earlier quarters counted in SQL (the notice's rule, counted_verdict, as the store writes
    // it): the same 合格 and 不合格 accounts, by region and in all.
    for q in ["2026Q1", "2026Q2", "2026Q3"] {
        let q: Quarter = q.parse().expect("quarter");
        let draw = store.current_draw_info(q).expect("read").expect("drawn").id;
        let report = report_alone(&store, q).expect("report");
        let full = QuarterFigures::of(&QuarterCounts::of(&report), &[], today);
        let failed = store.failed_accounts(draw).expect("failed");
        let passed = store.passed_accounts(draw).expect("passed");
        let counted = |verdict| -> IdSet {
            report
                .accounts
                .iter()
                .filter(|a| a.verdict == Some(verdict))
                .map(|a| a.account)
                .collect()
        };
        assert_eq!(failed, counted(Verdict::Fail), "{q}");
        assert_eq!(passed, counted(Verdict::Pass), "{q}");
        let by_places = QuarterFigures::by_region(
            q,
            &store.drawn_places(draw).expect("places"),
            &passed,
            failed.clone(),
            &[],
            today,
        );
        let kept = store.region_counts(draw).expect("counts");
        let whole = QuarterFigures::from_counts(q, &kept, false, failed.clone(), &[], today);
        let by_kept = QuarterFigures::from_counts(q, &kept, true, failed, &[], today);
        assert!(whole.regions.is_empty());
        let counts = |t: &spotcheck::model::Tally| (t.checked, t.passed, t.failed);
        for lean in [&by_places, &whole, &by_kept] {
            assert_eq!(counts(&lean.total), counts(&full.total), "{q}");
            assert_eq!(lean.failed, full.failed, "{q}");
        }
        let by_key = |f: &QuarterFigures| -> Vec<(String, (usize, usize, usize))> {
            let mut v: Vec<_> = f
                .regions
                .iter()
                .map(|t| (t.key.clone(), counts(t)))
                .collect();
            v.sort();
            v
        };
        assert_eq!(by_key(&by_places), by_key(&full), "{q}");
        // 2026Q3 recorded no regions (the first algorithm): its counts have none to give.
        if kept.iter().all(|c| c.region.is_some()) {
            assert_eq!(by_key(&by_kept), by_key(&full), "{q}");
        } else {
            assert!(by_kept.regions.is_empty(), "{q}");
        }
    }

    // The whole overview, trend, 整改 and repeat failures included.
    let lean = load_overview(&store, q4, today).expect("overview");
    let full = from_reports(&store, q4, today);
    assert_eq!(lean, full);
    let q2 = lean
        .trend
        .iter()
        .find(|t| t.quarter.to_string() == "2026Q2");
    let on_time = q2
        .and_then(|t| t.on_time_rate)
        .expect("2026Q2's problems are due");
    assert!(on_time > 0.0 && on_time < 1.0, "{on_time}");
    assert!(!lean.repeat_offenders.is_empty());
    // The same a quarter back, where the quarter before was drawn by the first algorithm, and
    // two back, where problems found again by the next 复查 were carried into its problems.
    for q in ["2026Q3", "2026Q2"] {
        let q: Quarter = q.parse().expect("quarter");
        let lean = load_overview(&store, q, today).expect("overview");
        assert_eq!(lean, from_reports(&store, q, today), "{q}");
        if q.to_string() == "2026Q2" {
            let carried = lean
                .follow_up
                .count(spotcheck::rectification::Status::Carried);
            assert!(carried > 0, "2026Q3's 复查 found some again");
        }
    }
}

/// A roster of demo accounts, the ones of 东城区 renamed 东湖区 in a later import.
fn renamed(accounts: &[spotcheck::model::Account]) -> Vec<spotcheck::model::Account> {
    accounts
        .iter()
        .cloned()
        .map(|mut a| {
            if a.county == "东城区" {
                "东湖区".clone_into(&mut a.county);
            }
            a
        })
        .collect()
}

#[test]
fn a_region_renamed_between_two_quarters_is_one_line_once_matched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut store = Store::open(&db).expect("open");
    let accounts = spotcheck::steps::demo::accounts(240, 5);
    import(&mut store, dir.path(), &accounts, "2026-08-01 09:00");
    let d = draw(&mut store, "2026Q3", 1, "2026-08-10 09:00");
    spotcheck::steps::demo::complete_checks(&mut store, &d, at("2026-08-10 09:00"))
        .expect("checks");
    import(
        &mut store,
        dir.path(),
        &renamed(&accounts),
        "2026-11-01 09:00",
    );
    let d = draw(&mut store, "2026Q4", 2, "2026-11-10 09:00");
    spotcheck::steps::demo::complete_checks(&mut store, &d, at("2026-11-10 09:00"))
        .expect("checks");
    let (old, new) = ("示例市东城区", "示例市东湖区");
    let q4: Quarter = "2026Q4".parse().expect("quarter");
    let today = on("2026-12-07");

    // Before: the new name has no last quarter, the old one is offered to match.
    let o = load_overview(&store, q4, today).expect("overview");
    let line = |o: &Overview| o.region_trend.iter().find(|r| r.key == new).cloned();
    assert_eq!(line(&o).and_then(|r| r.previous), None);
    assert!(o.region_trend.iter().all(|r| r.key != old));
    assert_eq!(o.earlier_regions, [old]);

    // Matched: one line, compared with the old name's rate last quarter.
    spotcheck::steps::overview::set_region_alias(
        &mut store,
        old,
        Some(new),
        at("2026-12-07 10:00"),
    )
    .expect("alias");
    let o = load_overview(&store, q4, today).expect("overview");
    let before = report_alone(&store, q4.previous())
        .expect("report")
        .by_region
        .iter()
        .flat_map(|g| &g.rows)
        .find(|t| t.key == old)
        .and_then(spotcheck::model::Tally::pass_rate)
        .expect("the old name had finished checks");
    let r = line(&o).expect("the new name's line");
    assert_eq!(r.previous, Some(before));
    assert_eq!(r.change, points_change(r.rate, Some(before)));
    assert!(r.change.is_some());
    assert_eq!(o.region_trend.iter().filter(|r| r.key == new).count(), 1);
    assert_eq!(o.aliases.get(old).map(String::as_str), Some(new));
    let logged = store.last_log_entry().expect("log").expect("an entry");
    assert_eq!(logged.action, "地区更名");
    assert!(logged.detail.contains(old) && logged.detail.contains(new));

    // The command line lists it, sets and removes it, and refuses a loop.
    drop(store);
    let j = json(&run(&db, &["overview", "--quarter", "2026Q4", "--json"]));
    assert_eq!(j["region_aliases"][0]["old"], old);
    assert_eq!(j["region_aliases"][0]["new"], new);
    let row = j["by_region"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == new))
        .cloned()
        .expect("the new name's row");
    assert_eq!(row["change_points"].as_f64(), r.change);
    let out = run(&db, &["overview", "alias", new, old]);
    assert!(!out.status.success());
    assert!(crate::support::stderr(&out).contains("互相对应"));
    let out = run(&db, &["overview", "alias", "--remove", old]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("已取消"), "{}", stdout(&out));
    let j = json(&run(&db, &["overview", "--quarter", "2026Q4", "--json"]));
    assert_eq!(j["region_aliases"].as_array().map(Vec::len), Some(0));
    let out = run(&db, &["overview", "alias", old, new]);
    assert!(out.status.success(), "{out:?}");
    let j = json(&run(&db, &["overview", "--quarter", "2026Q4", "--json"]));
    assert_eq!(j["region_aliases"][0]["new"], new);
}
