//! Clicks through the 通报与整改 screen with `egui_kittest`: the quarter's problems listed with
//! their status, a unit's filled-in sheet dropped onto the window, the status filter, and the
//! review (a rejection needs a note; a close is final), each checked in the database.

use crate::common::{app, app_mut, db_with_roster, drop_file, harness, step_until};
use egui_kittest::kittest::Queryable;
use rust_xlsxwriter::Workbook;
use spotcheck::model::DrawRequest;
use spotcheck::rectification::{Rectification, State, Status, code};
use spotcheck::sampling::DrawOptions;
use spotcheck::steps::rectification::{SheetTarget, export_rectification};
use spotcheck::store::{Store, settings};

/// A sheet as a unit might send it back without the code column: title, header, the answers
/// (the last without its phone when `last_lacks_phone`).
fn write_feedback(path: &std::path::Path, answered: &[&Rectification], last_lacks_phone: bool) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "整改情况反馈表").expect("w");
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
            .write_string(1, u16::try_from(c).expect("a column"), *h)
            .expect("w");
    }
    for (n, r) in answered.iter().enumerate() {
        let row = 2 + u32::try_from(n).expect("a row");
        sheet.write_string(row, 0, &r.name).expect("w");
        sheet.write_string(row, 1, &r.platform).expect("w");
        sheet.write_string(row, 2, &r.category).expect("w");
        sheet.write_string(row, 3, "已整改，已恢复更新").expect("w");
        // 已整改 is taken with a date since the problem went out, a contact and a phone. The
        // window sends problems out on the real clock's day (the worker reads the clock), so
        // the answer is dated by it too.
        let today = chrono::Local::now().date_naive().to_string();
        sheet.write_string(row, 4, &today).expect("w");
        sheet.write_string(row, 5, "王五").expect("w");
        if !(last_lacks_phone && n + 1 == answered.len()) {
            sheet.write_string(row, 6, "020-12345678").expect("w");
        }
    }
    book.save(path).expect("save feedback");
}

#[test]
fn drop_feedback_filter_and_review() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_roster(dir.path(), 120);
    let quarter = "2026Q4".parse().expect("quarter");
    let rows = {
        let mut store = Store::open(&db).expect("open");
        store
            .set_setting(settings::USER_NAME, "张三")
            .expect("name");
        store
            .set_setting(settings::REGION_NAME, "示例市")
            .expect("region");
        let at = crate::support::clock::now();
        let request = DrawRequest {
            quarter,
            options: DrawOptions::default(),
            seed: 3,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        spotcheck::steps::demo::complete_checks(&mut store, &draw, at).expect("checks");
        export_rectification(
            &mut store,
            quarter,
            &SheetTarget::Book(dir.path().join("整改表.xlsx")),
            at,
        )
        .expect("issue");
        store.rectifications(draw.info.id).expect("rows")
    };
    assert!(rows.len() >= 3, "the demo checks leave problems to fix");
    // Two problems of different accounts are answered.
    let first = &rows[0];
    let second = rows
        .iter()
        .find(|r| r.account != first.account)
        .expect("a second account");
    // A third answers 已整改 without its phone: not taken, but shown.
    let third = rows
        .iter()
        .find(|r| r.account != first.account && r.account != second.account)
        .expect("a third account");
    let feedback = dir.path().join("反馈.xlsx");
    write_feedback(&feedback, &[first, second, third], true);

    let mut h = harness(db.clone());
    step_until(&mut h, "the roster", |a| !a.busy());
    h.get_by_label("通报与整改").click();
    h.run_steps(1);
    app_mut(&mut h).rectify.quarter = "2026Q4".to_owned();
    step_until(&mut h, "the quarter's problems", |a| {
        a.rectify.rows().len() == rows.len()
    });
    // Everything is 待整改 until the units answer.
    let pending = format!("待整改 {}", rows.len());
    h.get_by_label(&pending);
    h.get_by_label("导出通报正文（Word）…");
    h.get_by_label("导出通报附表…");
    h.get_by_label("导出整改表（一个工作簿）…");

    drop_file(&mut h, &feedback);
    step_until(&mut h, "the feedback import", |a| {
        a.status().is_some_and(|(_, s)| s.contains("更新 2 个问题"))
    });
    step_until(&mut h, "the reloaded list", |a| {
        a.rectify
            .rows()
            .iter()
            .filter(|r| r.state == State::Replied)
            .count()
            == 2
    });
    // The import's report names the row not taken, and is closed.
    h.get_by_label("整改反馈导入报告");
    h.get_by_label_contains("但联系电话不对或没有填写");
    h.get_by_label("关闭").click();
    h.run_steps(2);
    // The incomplete reply is in the list as such, and its details say what it lacks.
    h.get_by_label("已反馈，待补充：联系电话");
    // Found by its code (the list may be longer than the window).
    app_mut(&mut h).rectify.search = code(third.id);
    h.run_steps(2);
    h.get_by_label(&code(third.id)).click();
    h.run_steps(2);
    assert_eq!(
        app(&h)
            .rectify
            .selected()
            .map(|r| (r.id, r.incomplete.clone())),
        Some((third.id, "联系电话".to_owned()))
    );
    h.get_by_label_contains("单位的反馈缺少联系电话，待补充");
    h.get_by_label("关闭详情").click();
    app_mut(&mut h).rectify.search.clear();
    h.run_steps(1);
    h.get_by_label("已反馈 2").click();
    h.run_steps(2);
    assert_eq!(app(&h).rectify.filter, Some(Status::Replied));

    // Reject the first fix: not without a note.
    h.get_by_label(&code(first.id)).click();
    h.run_steps(2);
    assert_eq!(
        app(&h).rectify.selected().map(|r| r.id),
        Some(first.id),
        "clicking a row opens its details"
    );
    h.get_by_label("复核未通过，退回").click();
    h.run_steps(2);
    let stored = |id: i64| {
        Store::open(&db)
            .expect("open")
            .rectification(id)
            .expect("read")
            .expect("exists")
    };
    assert_eq!(
        stored(first.id).state,
        State::Replied,
        "no note, no rejection"
    );
    h.get_by_label("复核意见（退回时必填）").focus();
    h.get_by_label("复核意见（退回时必填）")
        .type_text("账号仍未更新");
    h.run_steps(1);
    h.get_by_label("复核未通过，退回").click();
    step_until(&mut h, "the rejection", |a| {
        a.rectify
            .rows()
            .iter()
            .any(|r| r.id == first.id && r.state == State::Reopened)
    });
    let rejected = stored(first.id);
    assert_eq!(rejected.review_note, "账号仍未更新");
    assert_eq!(rejected.reviewed_by, "张三");

    // Close the second.
    h.get_by_label(&code(second.id)).click();
    h.run_steps(2);
    h.get_by_label("复核通过，关闭").click();
    step_until(&mut h, "the close", |a| {
        a.rectify
            .rows()
            .iter()
            .any(|r| r.id == second.id && r.state == State::Closed)
    });
    assert_eq!(stored(second.id).state, State::Closed);
    h.get_by_label("已复核关闭 1");
    h.get_by_label("复核未通过 1");
}

/// Exporting the notice before every check is finished asks first, naming how many are
/// open; 取消 leaves everything as it was (no file dialog opened).
#[test]
fn exporting_the_notice_mid_quarter_asks_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_roster(dir.path(), 60);
    {
        let mut store = Store::open(&db).expect("open");
        store
            .set_setting(settings::USER_NAME, "张三")
            .expect("name");
        store
            .set_setting(settings::REGION_NAME, "示例市")
            .expect("region");
        let request = DrawRequest {
            quarter: "2026Q4".parse().expect("quarter"),
            options: DrawOptions::default(),
            seed: 3,
            reason: None,
            void_work: false,
        };
        spotcheck::steps::draw::make_draw(&mut store, &request, crate::support::clock::now())
            .expect("draw");
    }
    let mut h = harness(db);
    step_until(&mut h, "the roster", |a| {
        !a.busy() && !a.roster.accounts().is_empty()
    });
    h.get_by_label("通报与整改").click();
    h.run_steps(2);
    app_mut(&mut h).rectify.quarter = "2026Q4".to_owned();
    h.run_steps(2);
    step_until(&mut h, "the problems", |a| !a.busy());
    h.run_steps(2);
    h.get_by_label("导出通报正文（Word）…").click();
    // The question's window is laid out in its first frame and shown from the next.
    h.run_steps(4);
    h.get_by_label_contains("个账号没有完成检查");
    h.get_by_label_contains("文件中写明不是最终结果");
    h.get_by_label("取消").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("个账号没有完成检查").is_none());
    assert!(!app(&h).busy(), "no file dialog was opened");
}
