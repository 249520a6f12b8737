//! The window when the worker fails, with `egui_kittest`: a panic while the worker makes the
//! 示例 roster ends the job with a Chinese message and the next try works; a worker thread that
//! has died is said plainly, in red, and no spinner turns for ever (not even 正在打开数据库…
//! when the worker is gone before its first answer).

use std::sync::Arc;

use crate::common::{Bomb, OPENED, app, step_until};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spotcheck::ui::App;
use spotcheck::worker::WorkerHandle;

/// A window with no app yet.
fn empty_harness() -> Harness<'static, Option<App>> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut Option<App>| {
                if let Some(app) = app {
                    app.logic(ui.ctx());
                    app.draw(ui);
                }
            },
            None,
        )
}

/// The app on a new, empty database, its worker's reports to the window going through `bomb`;
/// returned once the worker has answered (the empty roster) and is idle.
fn harness_with(bomb: &Arc<Bomb>, dir: &std::path::Path) -> Harness<'static, Option<App>> {
    let mut h = empty_harness();
    let ctx = h.ctx.clone();
    let notify = bomb.notify_with(move || ctx.request_repaint());
    let db = dir.join("t.db");
    crate::common::seed_user(&db);
    let worker = WorkerHandle::spawn(db.clone(), notify).expect("start worker");
    *h.state_mut() = Some(App::with_worker(&h.ctx, db, worker));
    step_until(&mut h, "the roster", |a| !a.busy());
    h
}

fn internal_error() -> String {
    format!(
        "内部错误：{}，数据库没有改动。请把这条消息告诉技术人员。",
        Bomb::TEXT
    )
}

#[test]
fn a_panic_in_the_worker_ends_the_job_and_the_window_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bomb = Bomb::new();
    let mut h = harness_with(&bomb, dir.path());

    // The worker said what it says on opening; the next command's handler panics.
    bomb.arm(Bomb::ONCE, OPENED);
    h.get_by_label("先用示例名录试一试").click();
    step_until(&mut h, "the failure", |a| {
        !a.busy() && a.status().is_some_and(|(error, _)| *error)
    });
    assert_eq!(app(&h).status(), Some(&(true, internal_error())));
    h.get_by_label(&internal_error());
    // The panic goes off at the worker's first report: the reading progress, or (if reading
    // was too quick to report any) the preview itself, which is then closed like any other.
    if app(&h).preview().is_some() {
        h.get_by_label("取消").click();
        h.run_steps(2);
    }

    // The worker goes on: the same click now shows the preview.
    h.get_by_label("先用示例名录试一试").click();
    step_until(&mut h, "the preview", |a| {
        !a.busy() && a.preview().is_some()
    });
    assert!(!app(&h).worker_stopped());
}

#[test]
fn a_worker_that_died_is_said_plainly_instead_of_a_spinner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bomb = Bomb::new();
    let mut h = harness_with(&bomb, dir.path());

    // Reporting the panic panics too: the worker thread dies while the spinner turns.
    bomb.arm(Bomb::ALWAYS, OPENED);
    h.get_by_label("先用示例名录试一试").click();
    step_until(&mut h, "the stopped worker", App::worker_stopped);
    h.run_steps(2);
    assert!(!app(&h).busy(), "no job is shown as running");
    h.get_by_label(spotcheck::ui::WORKER_STOPPED);
    h.get_by_label("后台处理已停止");
    h.get_by_label(&format!("最后一条错误：{}", internal_error()));
    assert!(
        h.query_by_role(egui::accesskit::Role::ProgressIndicator)
            .is_none(),
        "no spinner or progress bar is left turning"
    );
}

#[test]
fn a_worker_gone_before_it_answered_ends_the_spinner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = empty_harness();
    let window = App::with_worker(
        &h.ctx,
        dir.path().join("t.db"),
        WorkerHandle::already_stopped(),
    );
    assert!(
        window.busy(),
        "the window starts with 正在打开数据库… and its spinner"
    );
    *h.state_mut() = Some(window);
    h.run_steps(2);
    assert!(app(&h).worker_stopped());
    assert!(!app(&h).busy());
    h.get_by_label(spotcheck::ui::WORKER_STOPPED);
    assert!(
        h.query_by_role(egui::accesskit::Role::ProgressIndicator)
            .is_none(),
        "no spinner or progress bar is left turning"
    );
}

/// A second window on a database another spotcheck holds: it says who, and 只读打开 shows the
/// roster marked 只读.
#[test]
fn a_second_window_says_who_holds_the_database_and_opens_it_read_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::common::db_with_roster(dir.path(), 30);
    let now = crate::support::clock::at("2026-12-02 08:15");
    let held = spotcheck::store::lock(&db, "窗口", now).expect("lock");
    let mut h = crate::common::harness(db.clone());
    step_until(&mut h, "the open to be refused", |a| !a.busy());
    h.run_steps(2);
    h.get_by_label("数据库正被本软件的另一个窗口或命令使用");
    h.get_by_label_contains("2026-12-02 08:15");
    h.get_by_label("只读打开（只能查看，不能修改）").click();
    step_until(&mut h, "the read-only open", |a| !a.busy());
    h.run_steps(2);
    h.get_by_label("只读");
    assert!(
        app(&h)
            .status()
            .is_some_and(|(err, t)| !err && t.contains("只读方式打开")),
        "{:?}",
        app(&h).status()
    );
    drop(held);
}
