//! Clicks through 概况 with `egui_kittest` on a database with two quarters of known results:
//! the window opens on it, the figures shown are the notice's, the change against last quarter
//! is stated in 百分点, and a click on a region or a 整改 status opens the list it counts.

use crate::common::{app, app_mut, db_with_roster, harness_sized, step_until};
use egui_kittest::kittest::Queryable;
use spotcheck::model::{DrawRequest, Quarter};
use spotcheck::rectification::Status;
use spotcheck::sampling::DrawOptions;
use spotcheck::steps::notice::load_report;
use spotcheck::steps::rectification::{SheetTarget, export_rectification};
use spotcheck::store::{Store, settings};
use spotcheck::ui::Screen;

/// Two quarters drawn and checked (2026Q3, then 2026Q4 with its problems issued).
fn two_quarters(dir: &std::path::Path) -> std::path::PathBuf {
    let db = db_with_roster(dir, 150);
    let mut store = Store::open(&db).expect("open");
    store
        .set_setting(settings::REGION_NAME, "示例市")
        .expect("region");
    for (quarter, seed, at) in [
        ("2026Q3", 11, "2026-08-20 09:00"),
        ("2026Q4", 12, "2026-11-20 09:00"),
    ] {
        let at = crate::support::clock::at(at);
        let request = DrawRequest {
            quarter: quarter.parse().expect("quarter"),
            options: DrawOptions::default(),
            seed,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        spotcheck::steps::demo::complete_checks(&mut store, &draw, at).expect("checks");
    }
    export_rectification(
        &mut store,
        "2026Q4".parse().expect("quarter"),
        &SheetTarget::Book(dir.join("整改表.xlsx")),
        crate::support::clock::at("2026-11-25 10:00"),
    )
    .expect("issue");
    db
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

#[test]
fn overview_shows_the_notices_figures_and_each_figure_opens_its_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = two_quarters(dir.path());
    let q4: Quarter = "2026Q4".parse().expect("quarter");
    let report = load_report(&Store::open(&db).expect("open"), q4).expect("report");
    let last = load_report(&Store::open(&db).expect("open"), q4.previous()).expect("report");

    // Tall enough to show the whole screen (its layout at 1024×768 is `ui_layout`'s).
    crate::common::seed_user(&db);
    let mut h = harness_sized(db, egui::vec2(1280.0, 1600.0));
    step_until(&mut h, "the roster", |a| {
        !a.busy() && !a.roster.accounts().is_empty()
    });
    assert_eq!(
        app(&h).screen,
        Screen::Overview,
        "a database with a roster opens on 概况"
    );
    app_mut(&mut h).overview.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the overview", |a| a.overview.overview().is_some());
    h.run_steps(2);

    // The figures are the notice's.
    let o = app(&h).overview.overview().expect("loaded").clone();
    assert_eq!(o.total, report.total);
    assert_eq!(o.progress.drawn, report.total.checked);
    let t = &report.total;
    let change = spotcheck::overview::points_change(t.pass_rate(), last.total.pass_rate())
        .expect("both quarters have finished checks");
    let stated = if change > 0.0 {
        format!("比上季度提高{change:.1}个百分点")
    } else {
        format!("比上季度下降{:.1}个百分点", -change)
    };
    h.get_by_label_contains(&format!(
        "合格 {} 个，不合格 {} 个，合格率 {}，{stated}",
        t.passed,
        t.failed,
        percent(t.pass_rate())
    ));
    assert_eq!(o.trend.len(), 2);
    let notice = spotcheck::export::overview_line(&report);
    assert!(notice.contains(&stated), "the notice says it too: {notice}");
    let problems: usize = o.problem_types.iter().map(|p| p.count).sum();
    assert_eq!(problems, report.problems.len());

    // A region of the comparison table opens 检查 filtered to it.
    h.get_by_label("各地区与上季度比较").click();
    h.run_steps(2);
    let region = o
        .by_region
        .iter()
        .find(|r| r.checked > 0)
        .expect("a region")
        .clone();
    h.get_by_label(&region.name).click();
    h.run_steps(3);
    assert_eq!(app(&h).screen, Screen::Inspect);
    assert_eq!(app(&h).inspect.county.as_deref(), Some(region.key.as_str()));
    step_until(&mut h, "the checks", |a| a.inspect.draw().is_some());
    h.run_steps(2);
    let listed = app(&h).inspect.listed().len();
    assert_eq!(
        listed, region.checked,
        "the list counts what the row counts"
    );

    // A 整改 status opens the problem list filtered to it.
    h.get_by_label("概况").click();
    h.run_steps(2);
    step_until(&mut h, "the overview", |a| {
        !a.busy() && a.overview.overview().is_some()
    });
    h.run_steps(2);
    let pending = o.follow_up.count(Status::Pending) + o.follow_up.count(Status::Overdue);
    assert!(pending > 0, "problems were issued");
    let label = format!("待整改 {}", o.follow_up.count(Status::Pending));
    h.get_by_label(&label).click();
    h.run_steps(3);
    assert_eq!(app(&h).screen, Screen::Rectify);
    assert_eq!(app(&h).rectify.filter, Some(Status::Pending));

    // A problem type opens the problems of that type.
    h.get_by_label("概况").click();
    h.run_steps(2);
    step_until(&mut h, "the overview", |a| {
        !a.busy() && a.overview.overview().is_some()
    });
    h.run_steps(2);
    let kind = o
        .problem_types
        .iter()
        .find(|p| !p.veto)
        .expect("a problem type")
        .category
        .clone();
    h.get_by_label(&kind).click();
    h.run_steps(3);
    assert_eq!(app(&h).screen, Screen::Rectify);
    assert_eq!(app(&h).rectify.search, kind);
    assert_eq!(app(&h).rectify.filter, None);
}

/// 2026Q3 drawn and checked; then 东城区 renamed 东湖区 in the roster, and 2026Q4 drawn and
/// checked under the new name.
fn renamed_region(dir: &std::path::Path) -> std::path::PathBuf {
    let db = db_with_roster(dir, 150);
    let mut store = Store::open(&db).expect("open");
    let draw = |store: &mut Store, quarter: &str, seed: u64, at: &str| {
        let at = crate::support::clock::at(at);
        let request = DrawRequest {
            quarter: quarter.parse().expect("quarter"),
            options: DrawOptions::default(),
            seed,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(store, &request, at).expect("draw");
        spotcheck::steps::demo::complete_checks(store, &draw, at).expect("checks");
    };
    draw(&mut store, "2026Q3", 11, "2026-08-20 09:00");
    let renamed: Vec<spotcheck::model::Account> = spotcheck::steps::demo::accounts(150, 7)
        .into_iter()
        .map(|mut a| {
            if a.county == "东城区" {
                "东湖区".clone_into(&mut a.county);
            }
            a
        })
        .collect();
    let roster = dir.join("名录-更名.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&renamed, &roster).expect("roster");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read");
    spotcheck::steps::roster_import::commit(
        &mut store,
        &preview,
        crate::support::clock::at("2026-11-01 09:00"),
    )
    .expect("import");
    draw(&mut store, "2026Q4", 12, "2026-11-20 09:00");
    db
}

#[test]
fn a_renamed_region_is_matched_on_the_overview_and_read_only_cannot_save_it() {
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = renamed_region(dir.path());
    let (old, new) = ("示例市东城区", "示例市东湖区");
    crate::common::seed_user(&db);

    // Read-only: the names are listed, saving is disabled.
    let held = spotcheck::store::lock(&db, "窗口", crate::support::clock::now()).expect("lock");
    let mut h = harness_sized(db.clone(), egui::vec2(1280.0, 1600.0));
    step_until(&mut h, "the open to be refused", |a| !a.busy());
    h.run_steps(2);
    h.get_by_label("只读打开（只能查看，不能修改）").click();
    step_until(&mut h, "the read-only open", |a| !a.busy());
    app_mut(&mut h).overview.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the overview", |a| a.overview.overview().is_some());
    h.run_steps(2);
    h.get_by_label_contains("地区更名").click();
    h.run_steps(2);
    h.get_by_label(old);
    let save = h.get_by_role_and_label(egui::accesskit::Role::Button, "保存更名");
    assert!(save.accesskit_node().is_disabled(), "保存更名 is enabled");
    drop(h);
    drop(held);

    // Open for writing: choose the new name for the old one and save.
    let mut h = harness_sized(db.clone(), egui::vec2(1280.0, 1600.0));
    step_until(&mut h, "the roster", |a| {
        !a.busy() && !a.roster.accounts().is_empty()
    });
    app_mut(&mut h).overview.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the overview", |a| a.overview.overview().is_some());
    h.run_steps(2);
    let before = app(&h).overview.overview().expect("loaded").clone();
    assert_eq!(before.earlier_regions, [old]);
    let line =
        |o: &spotcheck::overview::Overview| o.region_trend.iter().find(|r| r.key == new).cloned();
    assert_eq!(line(&before).and_then(|r| r.previous), None);
    h.get_by_label_contains("地区更名").click();
    h.run_steps(2);
    let save = h.get_by_role_and_label(egui::accesskit::Role::Button, "保存更名");
    assert!(save.accesskit_node().is_disabled(), "nothing chosen yet");
    // The one name to match: its choice stands at 「（不对应）」.
    let choice = h.get_by_role(egui::accesskit::Role::ComboBox);
    assert_eq!(
        choice.accesskit_node().value().as_deref(),
        Some("（不对应）")
    );
    choice.click();
    h.run_steps(2);
    h.get_by_label(new).click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "保存更名")
        .click();
    h.run_steps(2);
    step_until(&mut h, "the overview with the match", |a| {
        !a.busy()
            && a.overview
                .overview()
                .is_some_and(|o| o.aliases.get(old).map(String::as_str) == Some(new))
    });
    let after = app(&h).overview.overview().expect("loaded").clone();
    let r = line(&after).expect("the new name's line");
    assert!(r.previous.is_some(), "compared with the old name's quarter");
    assert_eq!(
        r.change,
        spotcheck::overview::points_change(r.rate, r.previous)
    );
    drop(h);
    let store = Store::open(&db).expect("open");
    let logged = store.last_log_entry().expect("log").expect("an entry");
    assert_eq!(logged.action, "地区更名");
    assert!(logged.detail.contains(old) && logged.detail.contains(new));
}
