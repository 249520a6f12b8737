//! Changing what a check holds: a finished check asks before it changes and is opened again
//! only when the user confirms; Ctrl+V turns what the clipboard holds into evidence, or says
//! why not.

use crate::common::{app, app_mut, harness, open_check, pass_items, step_until};
use egui_kittest::kittest::Queryable;
use spotcheck::checklist::Answer;
use spotcheck::model::InspectionStatus;
use spotcheck::store::Store;
use spotcheck::ui::clipboard::Clipped;

fn stored_status(db: &std::path::Path, draw: i64, account: i64) -> InspectionStatus {
    Store::open_read_only(db)
        .expect("open")
        .inspection(draw, account)
        .expect("read")
        .expect("started")
        .status
}

#[test]
fn a_finished_check_asks_before_it_changes_and_reopens_only_when_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw) = crate::common::inspector_db(dir.path(), 30, "张三");
    let done = draw.accounts[0].clone();
    pass_items(&db, draw.info.id, done.account.id, None, true);
    let mut h = harness(db.clone());
    open_check(&mut h, &done.account.account.name, done.account.id);
    assert!(app(&h).inspect.locked(), "a finished check is locked");

    // Key 2 (不符合) on a finished check: nothing changes, the question comes up.
    h.key_press(egui::Key::Num2);
    h.run_steps(2);
    h.get_by_label("修改已完成的检查？");
    h.get_by_label("取消").click();
    h.run_steps(2);
    assert!(h.query_by_label("修改已完成的检查？").is_none(), "closed");
    assert_eq!(
        stored_status(&db, draw.info.id, done.account.id),
        InspectionStatus::Done
    );
    let first = app(&h).inspect.inspection().expect("loaded").findings[0]
        .finding
        .answer;
    assert_eq!(first, Some(Answer::Pass), "the answer was not changed");

    // 修改此检查… and confirm: the check is open again and takes the change.
    h.get_by_label("修改此检查…").click();
    h.run_steps(2);
    h.get_by_label("重新打开并修改").click();
    step_until(&mut h, "the check reopened", |a| !a.inspect.locked());
    assert_eq!(
        stored_status(&db, draw.info.id, done.account.id),
        InspectionStatus::InProgress
    );
    h.key_press(egui::Key::Num2);
    step_until(&mut h, "the answer saved", |a| {
        a.inspect.inspection().is_some_and(|i| {
            i.findings
                .iter()
                .any(|f| f.finding.answer == Some(Answer::Fail))
        })
    });
    let log = Store::open_read_only(&db)
        .expect("open")
        .log_entries()
        .expect("log");
    assert!(
        log.iter().any(|e| e.action == "重新打开已完成的检查"),
        "the reopening is logged"
    );
}

#[test]
fn paste_adds_the_clipboard_image_or_says_why_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, draw) = crate::common::inspector_db(dir.path(), 30, "张三");
    let account = draw.accounts[0].clone();
    pass_items(&db, draw.info.id, account.account.id, Some(&["V01"]), false);
    let mut h = harness(db.clone());
    open_check(&mut h, &account.account.account.name, account.account.id);
    let evidence = |h: &egui_kittest::Harness<'_, Option<spotcheck::ui::App>>| {
        app(h).inspect.inspection().map_or(0, |i| i.evidence.len())
    };

    let paste = |h: &mut egui_kittest::Harness<'_, Option<spotcheck::ui::App>>| {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::V);
    };
    // Nothing on the clipboard.
    app_mut(&mut h).set_clipboard(|| Clipped::Nothing);
    paste(&mut h);
    step_until(&mut h, "the message", |a| {
        a.status()
            .is_some_and(|(_, s)| s.contains("剪贴板里没有截图"))
    });
    // Copied files that are not pictures.
    app_mut(&mut h).set_clipboard(|| Clipped::Files(vec!["/tmp/说明.docx".into()]));
    paste(&mut h);
    step_until(&mut h, "the message", |a| {
        a.status()
            .is_some_and(|(_, s)| s.contains("说明.docx") && s.contains("不是图片"))
    });
    // A picture in a form that cannot be read.
    app_mut(&mut h).set_clipboard(|| Clipped::Unreadable);
    paste(&mut h);
    step_until(&mut h, "the message", |a| {
        a.status().is_some_and(|(_, s)| s.contains("格式无法识别"))
    });
    assert_eq!(evidence(&h), 0, "nothing was added");

    // A 3×2 screenshot: kept as a PNG on the current item.
    app_mut(&mut h).set_clipboard(|| Clipped::Image {
        width: 3,
        height: 2,
        rgba: vec![200; 3 * 2 * 4],
    });
    let item = app(&h).inspect.current_item().expect("an item").to_owned();
    paste(&mut h);
    step_until(&mut h, "the screenshot saved", |a| {
        a.inspect
            .inspection()
            .is_some_and(|i| i.evidence.len() == 1)
    });
    let ins = app(&h).inspect.inspection().expect("loaded").clone();
    let e = &ins.evidence[0];
    assert_eq!(e.item, item);
    let spotcheck::model::EvidenceKind::File { sha256, file_name } = &e.kind else {
        panic!("a file: {:?}", e.kind);
    };
    assert!(
        file_name.starts_with("截图-")
            && std::path::Path::new(file_name)
                .extension()
                .is_some_and(|e| e == "png")
    );
    let stored = spotcheck::store::evidence_file(
        &spotcheck::store::evidence_dir_for(&db),
        sha256,
        file_name,
    );
    let png = image::open(&stored).expect("a PNG that reads");
    assert_eq!((png.width(), png.height()), (3, 2));
}
