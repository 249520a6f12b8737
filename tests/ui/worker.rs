//! The database worker as the window uses it: a roster read can be cancelled and then
//! changes nothing; a confirmed preview is written and the roster reloaded; a panic in a
//! handler is reported in Chinese and the worker goes on; a worker that died is reported.

use std::time::Duration;

use crate::common::{Bomb, OPENED};
use crate::support::clock::now;
use spotcheck::steps::notice::ExportNotice;
use spotcheck::steps::rectification::IssueRectification;
use spotcheck::steps::results_import::ImportResults;
use spotcheck::steps::roster_import::PreviewRoster;
use spotcheck::worker::{Command, Event, Job, WorkerHandle};

fn next(worker: &WorkerHandle, want: impl Fn(&Event) -> bool) -> Event {
    loop {
        let event = worker
            .recv_timeout(Duration::from_mins(1))
            .expect("the worker answers");
        if want(&event) {
            return event;
        }
    }
}

#[test]
fn a_cancelled_read_changes_nothing_and_a_confirmed_one_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("roster.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(
        &spotcheck::steps::demo::accounts(20_000, 3),
        &roster,
    )
    .expect("write roster");
    let worker = WorkerHandle::spawn(dir.path().join("t.db"), Box::new(|| {})).expect("spawn");
    let loaded = next(&worker, |e| matches!(e, Event::RosterLoaded(_)));
    assert!(matches!(loaded, Event::RosterLoaded(a) if a.is_empty()));

    worker.send(Command::PreviewImport(PreviewRoster {
        path: roster.clone(),
        sheet: None,
        map: spotcheck::roster::ColumnMap::default(),
    }));
    worker.cancel();
    let failed = next(&worker, |e| {
        matches!(e, Event::Failed { .. } | Event::ImportPreviewed { .. })
    });
    match failed {
        Event::Failed {
            job: Job::ReadRoster,
            message,
        } => assert!(message.contains("已取消导入"), "{message}"),
        other => panic!("expected the read to be cancelled, got {other:?}"),
    }
    // Nothing is pending: confirming now is refused.
    worker.send(Command::CommitImport {
        allow_shrink: false,
    });
    let refused = next(&worker, |e| matches!(e, Event::Failed { .. }));
    assert!(
        matches!(
            refused,
            Event::Failed {
                job: Job::WriteRoster,
                ..
            }
        ),
        "{refused:?}"
    );

    worker.send(Command::PreviewImport(PreviewRoster {
        path: roster,
        sheet: None,
        map: spotcheck::roster::ColumnMap::default(),
    }));
    let previewed = next(&worker, |e| {
        matches!(e, Event::ImportPreviewed { .. } | Event::Failed { .. })
    });
    assert!(
        matches!(&previewed, Event::ImportPreviewed { report, .. } if report.added == 20_000),
        "{previewed:?}"
    );
    worker.send(Command::CommitImport {
        allow_shrink: false,
    });
    let committed = next(&worker, |e| {
        matches!(e, Event::ImportCommitted(_) | Event::Failed { .. })
    });
    assert!(
        matches!(&committed, Event::ImportCommitted(r) if r.written && r.imported == 20_000),
        "{committed:?}"
    );
    let reloaded = next(&worker, |e| matches!(e, Event::RosterLoaded(_)));
    assert!(matches!(reloaded, Event::RosterLoaded(a) if a.len() == 20_000));
}

/// The window's 导入检查结果… path: valid rows written, problem rows reported by Excel row
/// number, and the quarter reloaded with the new states.
#[test]
fn results_import_through_the_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("roster.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(50, 3), &roster)
        .expect("write roster");
    let db = dir.path().join("t.db");
    let quarter: spotcheck::model::Quarter = "2026Q4".parse().expect("quarter");
    let first = {
        let mut store = spotcheck::store::Store::open(&db).expect("open");
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let preview =
            spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
                .expect("read");
        let at = now();
        spotcheck::steps::roster_import::commit(&mut store, &preview, at).expect("import");
        let request = spotcheck::model::DrawRequest {
            quarter,
            options: spotcheck::sampling::DrawOptions::default(),
            seed: 5,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        draw.accounts[0].account.clone()
    };
    let sheet = dir.path().join("结果.csv");
    std::fs::write(
        &sheet,
        format!(
            "平台,账号标识,检查项,结果,说明\n{},{},V01,不符合,职务写错\n{},{},V99,符合,\n",
            first.account.platform,
            first.account.account_id,
            first.account.platform,
            first.account.account_id
        ),
    )
    .expect("write results");
    let worker = WorkerHandle::spawn(db, Box::new(|| {})).expect("spawn");
    next(&worker, |e| matches!(e, Event::RosterLoaded(_)));
    worker.send(Command::ImportResults(ImportResults {
        path: sheet,
        quarter,
    }));
    let Event::ResultsImported(report) = next(&worker, |e| {
        matches!(e, Event::ResultsImported(_) | Event::Failed { .. })
    }) else {
        panic!("the import failed");
    };
    assert_eq!(report.written, 1);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].row, 3);
    let Event::InspectionsLoaded { states, .. } =
        next(&worker, |e| matches!(e, Event::InspectionsLoaded { .. }))
    else {
        unreachable!()
    };
    assert_eq!(
        states.get(&first.id).map(|s| s.1),
        Some(Some(spotcheck::checklist::Verdict::Fail))
    );
}

/// The exports the 通报与整改 tab starts run on the worker and report how far they are, then
/// what they did; the rectification list is sent again with the problems just issued.
#[test]
fn exports_report_progress_then_what_they_wrote() {
    use spotcheck::model::DrawRequest;
    use spotcheck::steps::rectification::SheetTarget;
    use spotcheck::store::Store;

    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("roster.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(3_000, 4), &roster)
        .expect("write roster");
    let db = dir.path().join("t.db");
    let quarter = "2026Q4".parse().expect("quarter");
    {
        let mut store = Store::open(&db).expect("open");
        store
            .set_setting(spotcheck::store::settings::REGION_NAME, "示例市")
            .expect("region");
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let preview =
            spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
                .expect("read");
        let at = now();
        spotcheck::steps::roster_import::commit(&mut store, &preview, at).expect("import");
        let request = DrawRequest {
            quarter,
            options: spotcheck::sampling::DrawOptions::default(),
            seed: 4,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        spotcheck::steps::demo::complete_checks(&mut store, &draw, at).expect("checks");
    }
    let worker = WorkerHandle::spawn(db, Box::new(|| {})).expect("spawn");
    next(&worker, |e| matches!(e, Event::RosterLoaded(_)));

    let notice = dir.path().join("通报.xlsx");
    worker.send(Command::ExportNotice(ExportNotice {
        quarter,
        path: notice.clone(),
        allow_unfinished: false,
    }));
    let mut fractions = Vec::new();
    let done = loop {
        match next(&worker, |_| true) {
            Event::Progress {
                job: Job::Export,
                fraction,
                ..
            } => fractions.push(fraction.expect("a share")),
            Event::Done {
                job: Job::Export,
                message,
            } => break message,
            Event::Failed { message, .. } => panic!("{message}"),
            _ => {}
        }
    };
    assert!(!fractions.is_empty(), "progress is reported");
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    assert!(done.contains("通报已保存"), "{done}");
    assert!(notice.is_file());

    let folder = dir.path().join("整改表");
    worker.send(Command::ExportRectification(IssueRectification {
        quarter,
        target: SheetTarget::Folder(folder.clone()),
        allow_unfinished: false,
    }));
    let loaded = next(&worker, |e| {
        matches!(e, Event::RectificationsLoaded(_) | Event::Failed { .. })
    });
    let Event::RectificationsLoaded(view) = loaded else {
        panic!("{loaded:?}");
    };
    assert!(!view.rows.is_empty());
    let done = next(&worker, |e| matches!(e, Event::Done { .. }));
    let Event::Done { message, .. } = done else {
        unreachable!()
    };
    assert!(message.contains("个单位"), "{message}");
    let files = std::fs::read_dir(&folder).expect("folder").count();
    let units: std::collections::BTreeSet<&str> =
        view.rows.iter().map(|r| r.host_unit.as_str()).collect();
    assert_eq!(files, units.len());
}

/// What the worker says when a command panicked with `text`.
fn internal_error(text: &str) -> String {
    format!("内部错误：{text}，数据库没有改动。请把这条消息告诉技术人员。")
}

#[test]
fn a_panic_while_handling_a_command_is_reported_and_the_worker_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bomb = Bomb::new();
    let worker = WorkerHandle::spawn(dir.path().join("t.db"), bomb.notify()).expect("spawn");
    next(&worker, |e| matches!(e, Event::RosterLoaded(_)));

    bomb.arm(Bomb::ONCE, OPENED);
    worker.send(Command::LoadSettings);
    let failed = next(&worker, |e| matches!(e, Event::Failed { .. }));
    match failed {
        Event::Failed { job, message } => {
            assert_eq!(job, Job::Settings);
            assert_eq!(message, internal_error(Bomb::TEXT));
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    // The worker is still there: the next command is answered.
    worker.send(Command::LoadSettings);
    let loaded = next(&worker, |e| {
        matches!(e, Event::SettingsLoaded(_) | Event::Failed { .. })
    });
    assert!(
        matches!(&loaded, Event::SettingsLoaded(view) if view.open),
        "{loaded:?}"
    );
}

#[test]
fn a_worker_that_died_is_reported_once_as_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bomb = Bomb::new();
    let worker = WorkerHandle::spawn(dir.path().join("t.db"), bomb.notify()).expect("spawn");
    next(&worker, |e| matches!(e, Event::RosterLoaded(_)));

    // Reporting the panic panics too: the thread ends.
    bomb.arm(Bomb::ALWAYS, OPENED);
    worker.send(Command::LoadSettings);
    let start = std::time::Instant::now();
    let mut seen = Vec::new();
    while !seen.iter().any(|e| matches!(e, Event::Stopped)) {
        assert!(start.elapsed() < Duration::from_mins(1), "{seen:?}");
        seen.extend(worker.poll());
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        seen.iter().any(|e| matches!(
            e,
            Event::Failed { job: Job::Settings, message } if *message == internal_error(Bomb::TEXT)
        )),
        "{seen:?}"
    );
    // Said once; sending more changes nothing and does not panic.
    worker.send(Command::LoadSettings);
    assert!(worker.poll().next().is_none());
}

/// A second window on a database another spotcheck holds says who holds it; read-only it
/// shows the data and refuses changes in Chinese; waiting opens it once the other lets go.
#[test]
fn a_second_window_waits_or_opens_read_only_while_another_holds_the_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    {
        let mut store = spotcheck::store::Store::open(&db).expect("open");
        store
            .set_setting(spotcheck::store::settings::USER_NAME, "张三")
            .expect("setting");
    }
    let held = spotcheck::store::lock(&db, "命令 spotcheck results import", now()).expect("lock");

    let worker = WorkerHandle::spawn(db.clone(), Box::new(|| {})).expect("spawn");
    let locked = next(&worker, |e| {
        matches!(e, Event::Locked(_) | Event::RosterLoaded(_))
    });
    match &locked {
        Event::Locked(message) => {
            assert!(
                message.contains("正被本软件的另一个窗口或命令使用"),
                "{message}"
            );
            assert!(message.contains("results import"), "{message}");
            assert!(message.contains("2026-12-02 09:30"), "{message}");
        }
        other => panic!("opened a database another program holds: {other:?}"),
    }
    worker.send(Command::OpenReadOnly);
    next(&worker, |e| matches!(e, Event::OpenedReadOnly));
    next(&worker, |e| matches!(e, Event::RosterLoaded(_)));
    worker.send(Command::SaveSetting(spotcheck::steps::admin::SaveSetting {
        key: spotcheck::store::settings::USER_NAME,
        value: "李四".to_owned(),
    }));
    let refused = next(&worker, |e| {
        matches!(e, Event::Failed { .. } | Event::SettingSaved { .. })
    });
    match refused {
        Event::Failed { message, .. } => assert!(message.contains("只读"), "{message}"),
        other => panic!("a read-only window changed the database: {other:?}"),
    }
    worker.send(Command::Restore(dir.path().join("备份")));
    let refused = next(&worker, |e| {
        matches!(e, Event::Failed { .. } | Event::Restored(_))
    });
    assert!(
        matches!(&refused, Event::Failed { message, .. } if message.contains("只读")),
        "{refused:?}"
    );
    drop(worker);

    let worker = WorkerHandle::spawn(db.clone(), Box::new(|| {})).expect("spawn");
    next(&worker, |e| matches!(e, Event::Locked(_)));
    worker.send(Command::WaitAndOpen);
    // It says it waits (no sleep needed to know it has begun), then opens once let go.
    next(
        &worker,
        |e| matches!(e, Event::Progress { job: Job::Open, text, .. } if text.contains("正在等待")),
    );
    drop(held);
    next(&worker, |e| matches!(e, Event::RosterLoaded(_)));
    // Now this window holds it.
    let err = spotcheck::store::lock(&db, "命令", now()).expect_err("held by the window");
    assert!(err.to_string().contains("窗口"), "{err}");
}
