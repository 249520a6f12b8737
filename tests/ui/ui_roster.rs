//! Clicks through the 名录 screen with `egui_kittest`: a dropped roster file, the preview,
//! confirmation, search and filters, all against a real database and worker thread.

use std::fmt::Write as _;

use crate::common::{app, drop_file, harness, step_until};
use egui_kittest::kittest::Queryable;

#[test]
fn dropped_roster_is_previewed_confirmed_and_searchable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("名录.xlsx");
    let accounts = spotcheck::steps::demo::accounts(40, 7);
    spotcheck::steps::demo::write_roster_xlsx(&accounts, &roster).expect("write roster");

    let mut h = harness(dir.path().join("t.db"));
    step_until(&mut h, "the database to open", |a| !a.busy());
    // The first run explains the five steps.
    h.get_by_label_contains("欢迎使用");
    h.get_by_label("五、协作");

    drop_file(&mut h, &roster);
    step_until(&mut h, "the preview", |a| a.preview().is_some());
    assert_eq!(app(&h).preview().map(|r| r.added), Some(40));
    h.get_by_label("新增账号");

    h.get_by_label("确认导入 40 个账号").click();
    step_until(&mut h, "the import", |a| {
        !a.busy() && a.roster.accounts().len() == 40
    });
    let status = app(&h).status().cloned().expect("a status line");
    assert!(
        !status.0 && status.1.contains("已导入 40 个账号"),
        "{status:?}"
    );

    // Search by a name's distinctive part.
    let target = &accounts[17];
    let needle = format!("示例{}）", 17);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text(&needle);
    h.run_steps(3);
    let shown: Vec<String> = app(&h)
        .roster
        .visible()
        .map(|a| a.account.name.clone())
        .collect();
    assert_eq!(shown, vec![target.name.clone()]);

    // Clicking the row's text opens the detail panel with the account's import history.
    h.get_by_label(&target.name).click();
    step_until(&mut h, "the detail panel", |a| {
        a.roster.selected().is_some()
    });
    h.run_steps(3);
    h.get_by_label("导入记录");
    h.get_by_label("复制账号标识");
    h.get_by_label_contains("首次导入");
}

#[test]
fn cancelled_preview_changes_nothing_and_bad_files_explain_themselves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("r.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(5, 1), &roster)
        .expect("write roster");
    let empty = dir.path().join("空.xlsx");
    std::fs::write(&empty, b"").expect("write empty file");

    let db = dir.path().join("t.db");
    let mut h = harness(db.clone());
    step_until(&mut h, "the database to open", |a| !a.busy());

    drop_file(&mut h, &roster);
    step_until(&mut h, "the preview", |a| a.preview().is_some());
    h.get_by_label("取消").click();
    step_until(&mut h, "the preview to close", |a| a.preview().is_none());
    assert!(app(&h).roster.accounts().is_empty());

    drop_file(&mut h, &empty);
    step_until(&mut h, "the error", |a| a.status().is_some_and(|s| s.0));
    let message = app(&h).status().expect("status").1.clone();
    assert!(message.contains("文件是空的"), "{message}");
    h.get_by_label_contains("文件是空的");
    drop(h);

    let store = spotcheck::store::Store::open(&db).expect("reopen");
    assert_eq!(store.account_count().expect("count"), 0);
}

#[test]
fn first_run_offers_a_demo_roster_marked_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(dir.path().join("t.db"));
    step_until(&mut h, "the database to open", |a| !a.busy());
    h.get_by_label("先用示例名录试一试").click();
    step_until(&mut h, "the demo preview", |a| a.preview().is_some());
    let report = app(&h).preview().expect("preview").clone();
    assert_eq!(report.added, 600);
    assert!(report.file.contains("示例"), "{}", report.file);
    h.get_by_label("确认导入 600 个账号").click();
    step_until(&mut h, "the import", |a| {
        !a.busy() && a.roster.accounts().len() == 600
    });
    assert!(
        app(&h)
            .roster
            .accounts()
            .iter()
            .all(|a| a.account.name.contains("示例")),
        "every demo account says it is an example"
    );
}

/// A roster whose 平台 column is headed as nobody listed: the preview names what is missing,
/// and choosing the column in 列的对应 reads the file again and lets it be imported.
#[test]
fn a_missing_column_is_chosen_in_the_preview() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("名录.csv");
    let mut text = String::from("主办单位,账号名称,发布渠道,账号ID\n");
    for i in 0..6 {
        let _ = writeln!(text, "示例市单位{i},账号{i},抖音,dy_{i}");
    }
    std::fs::write(&roster, text).expect("write");
    let mut h = harness(dir.path().join("t.db"));
    step_until(&mut h, "the database to open", |a| !a.busy());
    drop_file(&mut h, &roster);
    step_until(&mut h, "the preview", |a| a.preview().is_some());
    h.run_steps(2);
    h.get_by_label("列的对应（缺少：平台）");
    h.get_by_label_contains("缺少必需的列：平台");
    // The combo box beside 发布渠道, showing 未使用.
    h.get_by(|n| n.value().as_deref() == Some("未使用")).click();
    h.run_steps(2);
    // The list's 平台 (drawn last, over the preview).
    h.get_all_by_label("平台")
        .last()
        .expect("the option")
        .click();
    step_until(&mut h, "the file read again", |a| {
        a.preview().is_some_and(|r| r.added == 6)
    });
    h.run_steps(2);
    h.get_by_label("确认导入 6 个账号").click();
    step_until(&mut h, "the import", |a| {
        !a.busy() && a.roster.accounts().len() == 6
    });
    assert!(
        app(&h)
            .roster
            .accounts()
            .iter()
            .all(|a| a.account.platform == "抖音")
    );
}

/// The status bar speaks of the screen in front: another screen clears its message, which
/// stays in 最近的消息.
#[test]
fn a_message_clears_on_another_screen_and_stays_in_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(12, 7), &roster)
        .expect("write roster");
    let mut h = harness(dir.path().join("t.db"));
    step_until(&mut h, "the database to open", |a| !a.busy());
    drop_file(&mut h, &roster);
    step_until(&mut h, "the preview", |a| a.preview().is_some());
    h.get_by_label("确认导入 12 个账号").click();
    step_until(&mut h, "the import", |a| {
        !a.busy() && a.roster.accounts().len() == 12
    });
    h.run_steps(2);
    assert!(app(&h).status().is_some());
    h.get_by_label("抽样").click();
    h.run_steps(3);
    assert!(app(&h).status().is_none(), "{:?}", app(&h).status());
    h.get_by_label("最近的消息（1 条）");
}

/// A search that finds nothing says so instead of showing an empty table.
#[test]
fn a_search_that_finds_nothing_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::common::db_with_roster(dir.path(), 12);
    let mut h = harness(db);
    step_until(&mut h, "the roster", |a| {
        !a.busy() && a.roster.accounts().len() == 12
    });
    // A database with a roster opens on 概况.
    h.get_by_label("名录").click();
    h.run_steps(2);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text("不存在的账号名称");
    h.run_steps(3);
    assert_eq!(app(&h).roster.visible().count(), 0);
    h.get_by_label_contains("没有找到符合条件的账号");
}

/// A click on a column heading sorts by it (Chinese by pinyin, as Excel does), a second click
/// the other way, a third back to the roster's order.
#[test]
fn roster_columns_sort_by_pinyin_both_ways_and_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::common::db_with_roster(dir.path(), 60);
    let mut h = harness(db);
    step_until(&mut h, "the roster", |a| a.roster.accounts().len() == 60);
    h.get_by_label("名录").click();
    h.run_steps(2);
    let units = |h: &egui_kittest::Harness<'_, Option<spotcheck::ui::App>>| -> Vec<String> {
        app(h)
            .roster
            .visible()
            .map(|a| a.account.host_unit.clone())
            .collect()
    };
    let original = units(&h);
    let mut by_pinyin = original.clone();
    by_pinyin.sort_by(|a, b| spotcheck::model::collate::cmp_pinyin(a, b));
    assert_ne!(
        original, by_pinyin,
        "the demo roster is not in pinyin order already"
    );

    h.get_by_label("主办单位").click();
    h.run_steps(2);
    assert_eq!(units(&h), by_pinyin);
    h.get_by_label("主办单位（升序）").click();
    h.run_steps(2);
    let mut reversed = by_pinyin.clone();
    reversed.reverse();
    assert_eq!(units(&h), reversed);
    h.get_by_label("主办单位（降序）").click();
    h.run_steps(2);
    assert_eq!(units(&h), original, "back to the roster's order");
}
