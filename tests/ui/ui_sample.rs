//! Clicks through the 抽样 screen with `egui_kittest`: the preview, a refused rate, the draw, a
//! redraw that needs a reason, the split between inspectors and one account moved to another.

use crate::common::{app, app_mut, db_with_roster, harness, step_until};
use egui_kittest::kittest::{NodeT, Queryable};
use spotcheck::sampling::Rate;

#[test]
fn draw_redraw_and_assign() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_roster(dir.path(), 80);
    let mut h = harness(db.clone());
    step_until(&mut h, "the roster to load", |a| !a.busy());

    h.get_by_label("抽样").click();
    h.run_steps(2);
    {
        let s = &mut app_mut(&mut h).sample;
        s.quarter = "2026Q4".to_owned();
        s.seed = "20261125".to_owned();
    }
    h.run_steps(2);
    step_until(&mut h, "the quarter's (empty) draw", |a| !a.busy());
    h.get_by_label("2026年第四季度还没有抽样");

    // The preview: every stratum's ⌈30%⌉, summed.
    let accounts = spotcheck::steps::demo::accounts(80, 7);
    let mut sizes = std::collections::BTreeMap::<String, usize>::new();
    for a in accounts.iter().filter(|a| a.status.in_operation()) {
        *sizes.entry(a.region()).or_default() += 1;
    }
    let expected: usize = sizes.values().map(|&n| Rate::MINIMUM.sample_size(n)).sum();
    h.get_by_label(&format!("预计抽取 {expected} 个账号"));

    // A rate below the rule is refused, citing it, and 抽取 is disabled.
    app_mut(&mut h).sample.rate = "20%".to_owned();
    h.run_steps(2);
    h.get_by_label_contains("不低于30%");
    assert!(h.get_by_label("抽取").accesskit_node().is_disabled());
    app_mut(&mut h).sample.rate = "30%".to_owned();
    h.run_steps(2);

    h.get_by_label("抽取").click();
    step_until(&mut h, "the draw", |a| {
        a.sample.draw().is_some() && !a.busy()
    });
    let draw = app(&h).sample.draw().expect("drawn").clone();
    assert_eq!(draw.info.sampled, expected);
    assert_eq!(draw.info.seed, 20_261_125);
    assert!(
        app(&h)
            .status()
            .is_some_and(|(err, t)| !err && t.contains("已抽取"))
    );
    h.get_by_label(&draw.accounts[0].account.account.name);

    // A redraw needs a reason: the button stays disabled until one is typed.
    assert!(h.get_by_label("重新抽取").accesskit_node().is_disabled());
    h.get_by_label("重新抽样理由").click();
    h.run_steps(1);
    h.get_by_label("重新抽样理由")
        .type_text("名录更新后重新抽取");
    h.run_steps(2);
    h.get_by_label("重新抽取").click();
    step_until(&mut h, "the redraw", |a| {
        a.sample.draw().is_some_and(|d| d.info.id != draw.info.id) && !a.busy()
    });
    let redrawn = app(&h).sample.draw().expect("redrawn").clone();
    assert_eq!(redrawn.info.reason.as_deref(), Some("名录更新后重新抽取"));
    h.get_by_label("本季度共抽样 2 次");

    // Split between two inspectors.
    h.get_by_label("检查人员姓名").click();
    h.run_steps(1);
    h.get_by_label("检查人员姓名").type_text("张三，李四");
    h.run_steps(2);
    h.get_by_label("分配").click();
    step_until(&mut h, "the assignment", |a| {
        a.sample
            .draw()
            .is_some_and(|d| d.accounts.iter().all(|x| x.inspector.is_some()))
    });
    let assigned = app(&h).sample.draw().expect("draw").clone();
    let zhang = assigned
        .accounts
        .iter()
        .filter(|x| x.inspector.as_deref() == Some("张三"))
        .count();
    assert!(zhang.abs_diff(assigned.accounts.len() - zhang) <= 1);

    // 改派: the first row's 检查人员 cell opens a menu of the other inspectors; choosing one
    // moves that account alone.
    let first = &assigned.accounts[assigned.accounts_shown()[0]];
    let was = first.inspector.clone().expect("assigned");
    let to = if was == "张三" { "李四" } else { "张三" };
    let cells: Vec<String> = h
        .get_all_by_label(to)
        .map(|n| format!("{:?}", n.accesskit_node().bounding_box()))
        .collect();
    h.get_all_by_label(&was)
        .next()
        .expect("the first row's cell")
        .click();
    h.run_steps(2);
    h.get_by_label("改派给：");
    // The menu's choice: the one button of that name that is not a row's cell.
    let choice = h
        .get_all_by_label(to)
        .find(|n| !cells.contains(&format!("{:?}", n.accesskit_node().bounding_box())))
        .expect("the menu's choice");
    choice.click();
    step_until(&mut h, "the reassignment", |a| {
        a.sample.draw().is_some_and(|d| {
            d.accounts
                .iter()
                .find(|x| x.account.id == first.account.id)
                .is_some_and(|x| x.inspector.as_deref() == Some(to))
        }) && !a.busy()
    });
    let moved = app(&h).sample.draw().expect("draw").clone();
    let changed: Vec<_> = moved
        .accounts
        .iter()
        .zip(&assigned.accounts)
        .filter(|(a, b)| a.inspector != b.inspector)
        .collect();
    assert_eq!(changed.len(), 1, "one account moved");
    assert!(
        app(&h)
            .status()
            .is_some_and(|(err, t)| !err && t.contains("改派给")),
        "{:?}",
        app(&h).status()
    );

    // Everything is in the database, not only on screen.
    drop(h);
    let store = spotcheck::store::Store::open(&db).expect("reopen");
    let q = "2026Q4".parse().expect("quarter");
    let stored = store.current_draw(q).expect("read").expect("a draw");
    assert_eq!(stored.info.id, redrawn.info.id);
    assert_eq!(store.draw_history(q).expect("history").len(), 2);
    assert!(stored.accounts.iter().all(|x| x.inspector.is_some()));
    let log = store.log_entries().expect("log");
    assert!(log.iter().any(|e| e.action == "改派检查人员"));
}

/// Checks begun after the draw: the redraw names what it voids and waits for the tick box;
/// the accounts drawn again keep their checks.
#[test]
fn a_redraw_over_begun_checks_waits_for_the_tick_box() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_roster(dir.path(), 80);
    let mut h = harness(db.clone());
    step_until(&mut h, "the roster to load", |a| !a.busy());
    h.get_by_label("抽样").click();
    h.run_steps(2);
    {
        let s = &mut app_mut(&mut h).sample;
        s.quarter = "2026Q4".to_owned();
        s.seed = "1".to_owned();
    }
    h.run_steps(2);
    step_until(&mut h, "the quarter's (empty) draw", |a| !a.busy());
    h.get_by_label("抽取").click();
    step_until(&mut h, "the draw", |a| {
        a.sample.draw().is_some() && !a.busy()
    });
    let draw = app(&h).sample.draw().expect("drawn").clone();

    // Meanwhile the checks are done (as the 检查 screen would).
    {
        let mut store = spotcheck::store::Store::open(&db).expect("open");
        let now = crate::support::clock::at("2026-11-26 09:00");
        spotcheck::steps::demo::complete_checks(&mut store, &draw, now).expect("checks");
    }
    h.get_by_label("名录").click();
    h.run_steps(2);
    h.get_by_label("抽样").click();
    step_until(&mut h, "the draw read again", |a| !a.busy());
    h.run_steps(2);
    h.get_by_label_contains(&format!("已开始 {} 个账号的检查", draw.accounts.len()));
    h.get_by_label("重新抽样理由").click();
    h.run_steps(1);
    h.get_by_label("重新抽样理由").type_text("补录账号");
    h.run_steps(2);
    assert!(
        h.get_by_label("重新抽取").accesskit_node().is_disabled(),
        "the redraw waits for the tick box"
    );
    h.get_by_label("我已了解，作废这些工作并重新抽样").click();
    h.run_steps(2);
    h.get_by_label("重新抽取").click();
    step_until(&mut h, "the redraw", |a| {
        a.sample.draw().is_some_and(|d| d.info.id != draw.info.id) && !a.busy()
    });
    let redrawn = app(&h).sample.draw().expect("redrawn").clone();
    drop(h);
    let store = spotcheck::store::Store::open(&db).expect("open");
    let old: std::collections::HashSet<i64> = draw.accounts.iter().map(|d| d.account.id).collect();
    for d in redrawn
        .accounts
        .iter()
        .filter(|d| old.contains(&d.account.id))
    {
        let carried = store
            .inspection(redrawn.info.id, d.account.id)
            .expect("read")
            .expect("the check came along");
        assert_eq!(carried.status, spotcheck::model::InspectionStatus::Done);
    }
}
