//! An office laptop's 1024×768 screen: on every screen, with real content (a roster, a draw,
//! an open check with a failure and its link, issued problems, the log), no button, field,
//! tick box or list lies beyond the window's right edge. What does not fit wraps or scrolls
//! inside its area (tables scroll sideways within their panel).

use crate::common::{app_mut, harness_sized, open_check, pass_items, seed_user, step_until};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};

const WIDTH: f32 = 1024.0;

/// The interactive widgets whose right edge lies beyond the window.
fn beyond_the_edge(h: &egui_kittest::Harness<'_, Option<spotcheck::ui::App>>) -> Vec<String> {
    let mut out = Vec::new();
    for role in [
        Role::Button,
        Role::CheckBox,
        Role::RadioButton,
        Role::TextInput,
        Role::MultilineTextInput,
        Role::ComboBox,
        Role::Link,
    ] {
        for node in h.query_all_by_role(role) {
            let rect = node.rect();
            // Widgets scrolled sideways out of a table's area are clipped by it: only those
            // that begin inside the window count.
            if rect.min.x < WIDTH - 1.0 && rect.max.x > WIDTH + 0.5 {
                out.push(format!(
                    "{role:?} “{}” at x {:.0}–{:.0}",
                    node.accesskit_node().label().unwrap_or_default(),
                    rect.min.x,
                    rect.max.x
                ));
            }
        }
    }
    out
}

#[test]
fn every_screen_fits_1024_by_768() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw) = crate::common::inspector_db(dir.path(), 60, "张三");
    seed_user(&db);
    let failing = draw.accounts[0].clone();
    {
        // One check with a failure, a note and a link; the quarter's problems issued.
        pass_items(&db, draw.info.id, failing.account.id, None, false);
        let mut store = spotcheck::store::Store::open(&db).expect("open");
        let at = crate::support::clock::now();
        let fail = spotcheck::checklist::Finding {
            answer: Some(spotcheck::checklist::Answer::Fail),
            note: "账号简介中单位名称写错，应为示例市人民政府办公室".to_owned(),
            ..spotcheck::checklist::Finding::new("V01".to_owned())
        };
        spotcheck::steps::inspect::save_finding(
            &mut store,
            draw.info.id,
            failing.account.id,
            &fail,
            at,
        )
        .expect("fail");
        spotcheck::steps::inspect::add_evidence(
            &mut store,
            draw.info.id,
            failing.account.id,
            "V01",
            spotcheck::model::NewEvidence::Url(
                "https://www.example.gov.cn/a/very/long/path/to/the/post/that/was/wrong/2026/12/02/index.html"
                    .to_owned(),
            ),
            at,
        )
        .expect("link");
        spotcheck::steps::inspect::finish_inspection(
            &mut store,
            draw.info.id,
            failing.account.id,
            at,
        )
        .expect("finish");
        spotcheck::steps::rectification::export_rectification(
            &mut store,
            draw.info.quarter,
            &spotcheck::steps::rectification::SheetTarget::Book(dir.path().join("整改表.xlsx")),
            at,
        )
        .expect("issue");
    }
    let mut h = harness_sized(db, egui::vec2(WIDTH, 768.0));
    step_until(&mut h, "the roster", |a| !a.busy());
    h.run_steps(3);
    let mut problems = Vec::new();
    let mut look = |h: &egui_kittest::Harness<'_, Option<spotcheck::ui::App>>, screen: &str| {
        for p in beyond_the_edge(h) {
            problems.push(format!("{screen}: {p}"));
        }
    };
    look(&h, "名录");

    h.get_by_label("抽样").click();
    h.run_steps(1);
    app_mut(&mut h).sample.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the draw", |a| a.sample.draw().is_some());
    h.run_steps(3);
    look(&h, "抽样");

    open_check(&mut h, &failing.account.account.name, failing.account.id);
    // The failing item with its link is the current one after a click on it.
    h.get_by_label("修改此检查…").click();
    h.run_steps(2);
    h.get_by_label("重新打开并修改").click();
    step_until(&mut h, "the check open again", |a| !a.inspect.locked());
    h.run_steps(3);
    look(&h, "检查");

    for (tab, screen) in [
        ("通报与整改", "通报与整改"),
        ("协作", "协作"),
        ("设置与备份", "设置与备份"),
    ] {
        h.get_by_label(tab).click();
        step_until(&mut h, screen, |a| !a.busy());
        h.run_steps(4);
        look(&h, screen);
    }
    assert!(
        problems.is_empty(),
        "beyond the right edge at 1024 px:\n{}",
        problems.join("\n")
    );
}

/// The import preview at 1024×768 with a dozen and more problem rows and the warning that
/// accounts will leave the roster: its title, the warning, the tick box and 确认导入/取消 stay
/// inside the window (the body scrolls; the footer does not).
#[test]
fn the_import_preview_keeps_its_footer_in_a_1024_by_768_window() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::common::db_with_roster(dir.path(), 120);
    seed_user(&db);
    // A partial roster: 10 good rows, 40 without a host unit.
    let mut csv = String::from("平台,账号标识,账号名称,主办单位,地市,区县,状态\n");
    for i in 0..10 {
        let _ = writeln!(
            csv,
            "微信公众号,gh_new{i},新账号{i},某局{i},示例市,一区,正常"
        );
    }
    for i in 0..40 {
        let _ = writeln!(csv, "微信公众号,gh_bad{i},坏行{i},,示例市,一区,正常");
    }
    let file = dir.path().join("部分名录.csv");
    std::fs::write(&file, csv).expect("write");
    let mut h = harness_sized(db, egui::vec2(1024.0, 768.0));
    step_until(&mut h, "opened", |a| !a.busy());
    app_mut(&mut h).import_file(file);
    step_until(&mut h, "the preview", |a| {
        !a.busy() && a.preview().is_some()
    });
    h.run_steps(4);
    assert!(
        app_mut(&mut h)
            .preview()
            .is_some_and(|p| p.shrink.is_some())
    );
    // 列的对应 opened, as a user checking the columns would.
    h.get_by_label_contains("列的对应").click();
    h.run_steps(4);
    for label in ["导入预览", "取消"] {
        let node = h.get_by_label(label);
        let r = node.rect();
        assert!(r.min.y >= 0.0 && r.max.y <= 768.0, "{label} at {r:?}");
    }
    let confirm = h
        .get_all_by_role(Role::Button)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("确认导入"))
        })
        .expect("确认导入");
    assert!(confirm.rect().max.y <= 768.0, "{:?}", confirm.rect());
    let tick = h.get_by_role(Role::CheckBox);
    assert!(tick.rect().max.y <= 768.0, "{:?}", tick.rect());
}
