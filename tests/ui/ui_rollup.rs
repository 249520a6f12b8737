//! Clicks through 上报与汇总 with `egui_kittest`: a 汇总 workspace with one reporter's package
//! imported and a 复核 list drawn (through the real binary) shows the reporter verified, and
//! the conclusions entered on the screen (合格, and 不合格 with what was found, typed after
//! the layout changed) are saved and counted in the accuracy.

use crate::common::{app, app_mut, db_with_roster, harness_sized, seed_user, step_until};
use crate::support::{path_str, run};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use spotcheck::model::DrawRequest;
use spotcheck::sampling::DrawOptions;
use spotcheck::store::{Store, settings};
use spotcheck::ui::Screen;

fn ok(o: &std::process::Output) {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A reporting city (2026Q4 drawn and checked, its key and package exported) and a 汇总
/// workspace with it registered, its package imported and a 复核 list drawn.
fn workspace(dir: &std::path::Path) -> std::path::PathBuf {
    let city = db_with_roster(dir, 80);
    {
        let mut store = Store::open(&city).expect("open");
        store
            .set_setting(settings::REGION_NAME, "甲市")
            .expect("region");
        let at = crate::support::clock::at("2026-11-20 09:00");
        let request = DrawRequest {
            quarter: "2026Q4".parse().expect("quarter"),
            options: DrawOptions::default(),
            seed: 3,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        spotcheck::steps::demo::complete_checks(&mut store, &draw, at).expect("checks");
    }
    let pem = dir.join("甲市公钥.pem");
    let package = dir.join("甲市-2026Q4-上报.spotcheck");
    ok(&run(&city, &["key", "export", "--out", path_str(&pem)]));
    ok(&run(
        &city,
        &[
            "package",
            "report",
            "--quarter",
            "2026Q4",
            "--out",
            path_str(&package),
        ],
    ));
    let top = dir.join("汇总.db");
    ok(&run(
        &top,
        &["rollup", "register", "甲市", path_str(&pem), "--expected"],
    ));
    ok(&run(&top, &["rollup", "import", path_str(&package)]));
    ok(&run(
        &top,
        &[
            "rollup",
            "recheck",
            "--quarter",
            "2026Q4",
            "--rate",
            "0.05",
            "--min",
            "2",
            "--seed",
            "5",
            "--out",
            path_str(&dir.join("复核名单.xlsx")),
        ],
    ));
    top
}

#[test]
fn the_rollup_screen_shows_reporters_and_records_rechecks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let top = workspace(dir.path());
    seed_user(&top);
    let mut h = harness_sized(top, egui::vec2(1280.0, 1400.0));
    step_until(&mut h, "opened", |a| !a.busy());
    h.get_by_label("上报与汇总").click();
    app_mut(&mut h).rollup.quarter = "2026Q4".to_owned();
    h.run_steps(2);
    step_until(&mut h, "the roll-up", |a| a.rollup.view().is_some());
    h.run_steps(2);
    assert_eq!(app(&h).screen, Screen::Rollup);
    let view = app(&h).rollup.view().expect("loaded").clone();
    assert_eq!(view.table.reporters.len(), 1);
    assert!(
        view.table.reporters[0].verified,
        "{:?}",
        view.table.reporters[0]
    );
    assert_eq!(h.get_all_by_label("通过").count(), 2, "甲市 and the total");
    h.get_by_label_contains("本单位还没有签名密钥");
    let n = view.entries.len();
    assert!(n >= 2, "{n} on the list");
    h.get_by_label_contains(&format!("甲市：名单 {n} 个，已复核 0 个"));

    // 合格 on the first account.
    h.get_all_by_role_and_label(Role::Button, "合格")
        .next()
        .expect("a 合格 button")
        .click();
    h.run_steps(2);
    step_until(&mut h, "the first conclusion", |a| {
        !a.busy()
            && a.rollup
                .view()
                .is_some_and(|v| v.entries[0].passed == Some(true))
    });
    h.run_steps(2);

    // 不合格 on the second: the note field appears (the layout changes), then the text is
    // typed, digits and all; saving is refused until it is written.
    // The first account (合格 now) offers 不合格… too: the second account's is the second.
    h.get_all_by_role_and_label(Role::Button, "不合格…")
        .nth(1)
        .expect("the second account's 不合格 button")
        .click();
    h.run_steps(2);
    let save = h.get_by_role_and_label(Role::Button, "保存为不合格");
    assert!(
        save.accesskit_node().is_disabled(),
        "a 不合格 needs its reason"
    );
    h.get_by_role_and_label(Role::TextInput, "复核发现的问题")
        .click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "复核发现的问题")
        .type_text("首页3个栏目空白");
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "保存为不合格")
        .click();
    h.run_steps(2);
    step_until(&mut h, "the second conclusion", |a| {
        !a.busy()
            && a.rollup
                .view()
                .is_some_and(|v| v.entries[1].passed == Some(false))
    });
    h.run_steps(2);
    let v = app(&h).rollup.view().expect("loaded");
    assert_eq!(v.entries[1].note, "首页3个栏目空白");
    assert_eq!(v.entries[0].passed, Some(true), "the first is kept");
    let s = &v.table.rechecks[0];
    assert_eq!((s.checked, s.overturned.len()), (2, 1));
    h.get_by_label_contains("复核不合格 1 个，准确率 50.00%");
}
