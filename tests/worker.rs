//! The database worker as the window uses it: a roster read can be cancelled and then
//! changes nothing; a confirmed preview is written and the roster reloaded.

use std::time::Duration;

use spotcheck::worker::{Command, Event, Job, WorkerHandle};

fn next(worker: &WorkerHandle, want: impl Fn(&Event) -> bool) -> Event {
    loop {
        let event = worker
            .recv_timeout(Duration::from_secs(60))
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
    spotcheck::demo::write_roster_xlsx(&spotcheck::demo::accounts(20_000, 3), &roster)
        .expect("write roster");
    let worker = WorkerHandle::spawn(dir.path().join("t.db"), Box::new(|| {})).expect("spawn");
    let loaded = next(&worker, |e| matches!(e, Event::RosterLoaded(_)));
    assert!(matches!(loaded, Event::RosterLoaded(a) if a.is_empty()));

    worker.send(Command::PreviewImport {
        path: roster.clone(),
        sheet: None,
    });
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
    worker.send(Command::CommitImport);
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

    worker.send(Command::PreviewImport {
        path: roster,
        sheet: None,
    });
    let previewed = next(&worker, |e| {
        matches!(e, Event::ImportPreviewed { .. } | Event::Failed { .. })
    });
    assert!(
        matches!(&previewed, Event::ImportPreviewed { report, .. } if report.added == 20_000),
        "{previewed:?}"
    );
    worker.send(Command::CommitImport);
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
