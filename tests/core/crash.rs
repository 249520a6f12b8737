//! Killing the process between saves loses nothing that was reported saved.
//!
//! The test runs itself as a child process (the ignored `child_writer` test, selected by an
//! environment variable) that saves findings one by one through the store, printing a line
//! after each save returns, exactly when the window would show 已保存. The parent kills the
//! child with SIGKILL at several moments and then checks every reported save in the database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::clock::now;
use spotcheck::checklist::{Answer, Finding};
use spotcheck::model::DrawRequest;
use spotcheck::sampling::DrawOptions;
use spotcheck::store::Store;

const DB_VAR: &str = "SPOTCHECK_CRASH_TEST_DB";

fn quarter() -> spotcheck::model::Quarter {
    "2026Q4".parse().expect("quarter")
}

/// The child: saves findings forever (until killed), one line per completed save.
#[test]
#[ignore = "run by `killed_writer_loses_nothing_saved` as a child process"]
fn child_writer() {
    let Some(db) = std::env::var_os(DB_VAR) else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&db)).expect("open");
    let draw = store
        .current_draw(quarter())
        .expect("read")
        .expect("a draw");
    let items = ["V01", "V02", "V03", "V05", "V06", "P01", "P02", "P03"];
    for round in 0u32.. {
        for d in &draw.accounts {
            for item in items {
                let finding = Finding {
                    item: item.to_owned(),
                    answer: Some(if round % 2 == 0 {
                        Answer::Pass
                    } else {
                        Answer::Fail
                    }),
                    note: format!("第{round}轮"),
                    ..Finding::default()
                };
                let at = now();
                spotcheck::steps::inspect::save_finding(
                    &mut store,
                    draw.info.id,
                    d.account.id,
                    &finding,
                    at,
                )
                .expect("save");
                println!("saved {} {item} {round}", d.account.id);
            }
        }
    }
}

#[test]
fn killed_writer_loses_nothing_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(40, 3), &roster)
        .expect("roster");
    let db = dir.path().join("crash.db");
    {
        let mut store = Store::open(&db).expect("open");
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let preview =
            spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
                .expect("read");
        let at = now();
        spotcheck::steps::roster_import::commit(&mut store, &preview, at).expect("import");
        let request = DrawRequest {
            quarter: quarter(),
            options: DrawOptions::default(),
            seed: 1,
            reason: None,
            void_work: false,
        };
        spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
    }
    let exe = std::env::current_exe().expect("test binary");
    for kill_after in [1usize, 17, 90, 260] {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash::child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DB_VAR, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start child");
        let stdout = child.stdout.take().expect("stdout");
        let mut saved: Vec<(i64, String, u32)> = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            if let Some(rest) = line.strip_prefix("saved ") {
                let parts: Vec<&str> = rest.split(' ').collect();
                saved.push((
                    parts[0].parse().expect("account"),
                    parts[1].to_owned(),
                    parts[2].parse().expect("round"),
                ));
                if saved.len() >= kill_after {
                    child.kill().expect("kill");
                    break;
                }
            }
        }
        let _ = child.wait();
        assert!(saved.len() >= kill_after, "the child stopped early");

        // Reopening checks integrity; every save reported before the kill is there.
        let store = Store::open(&db).expect("the database survives the kill");
        let draw = store.current_draw(quarter()).expect("read").expect("draw");
        for (account, item, round) in &saved {
            let ins = store
                .inspection(draw.info.id, *account)
                .expect("read")
                .expect("started");
            let f = ins.finding(item).expect("saved finding is there");
            // A later save may have overwritten it (the child runs on a little after the
            // line is read), never an older one.
            let stored_round: u32 = f
                .finding
                .note
                .trim_start_matches('第')
                .trim_end_matches('轮')
                .parse()
                .expect("round in note");
            assert!(
                stored_round >= *round,
                "{account} {item}: lost round {round}"
            );
        }
    }
}
