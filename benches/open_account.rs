//! Opening the next account in the 检查 screen with 100,000 accounts in the roster: the time
//! from sending `OpenInspection` to the worker until its answer (the stored check and its
//! checklist) arrives, measured over 50 accounts with findings and evidence already saved.
//!
//! Run: `cargo bench --bench open_account` (add `-- 20000` for another roster size).

use std::time::{Duration, Instant};

use spotcheck::checklist::{Answer, Finding};
use spotcheck::model::DrawRequest;
use spotcheck::sampling::DrawOptions;
use spotcheck::store::Store;
use spotcheck::worker::{Command, Event, WorkerHandle};

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("roster.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(n, 1), &roster)
        .expect("roster");
    let db = dir.path().join("b.db");
    let quarter = "2026Q4".parse().expect("quarter");
    let (draw_id, accounts) = {
        let mut store = Store::open(&db).expect("open");
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let preview =
            spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
                .expect("read");
        let at = chrono::Local::now().naive_local();
        spotcheck::steps::roster_import::commit(&mut store, &preview, at).expect("import");
        let request = DrawRequest {
            quarter,
            options: DrawOptions::default(),
            seed: 9,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        let accounts: Vec<i64> = draw
            .accounts
            .iter()
            .take(50)
            .map(|d| d.account.id)
            .collect();
        for &a in &accounts {
            for item in ["V01", "V02", "V03", "P01"] {
                let f = Finding {
                    item: item.to_owned(),
                    answer: Some(Answer::Pass),
                    note: "已核查".to_owned(),
                    ..Finding::default()
                };
                spotcheck::steps::inspect::save_finding(&mut store, draw.info.id, a, &f, at)
                    .expect("save");
            }
            let evidence = spotcheck::model::NewEvidence::Url("https://example.gov.cn/a".into());
            spotcheck::steps::inspect::add_evidence(
                &mut store,
                draw.info.id,
                a,
                "V01",
                evidence,
                at,
            )
            .expect("evidence");
        }
        (draw.info.id, accounts)
    };

    let worker = WorkerHandle::spawn(db, Box::new(|| {})).expect("worker");
    let wait = |what: &str, done: &dyn Fn(&Event) -> bool| loop {
        match worker.recv_timeout(Duration::from_mins(1)) {
            Some(e) if done(&e) => return,
            Some(Event::Failed { message, .. }) => panic!("{what}: {message}"),
            Some(_) => {}
            None => panic!("timed out waiting for {what}"),
        }
    };
    wait("the roster", &|e| matches!(e, Event::RosterLoaded(_)));
    worker.send(Command::LoadInspections(quarter));
    wait("the draw", &|e| {
        matches!(e, Event::InspectionsLoaded { .. })
    });
    let mut times = Vec::new();
    for &account in &accounts {
        let start = Instant::now();
        worker.send(Command::OpenInspection {
            draw: draw_id,
            account,
        });
        wait("the check", &|e| {
            matches!(e, Event::InspectionUpdated { .. })
        });
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let worst = times.iter().copied().fold(0.0, f64::max);
    println!(
        "open the next account with {n} accounts in the roster: mean {mean:.2} ms, worst {worst:.2} ms over {} accounts",
        times.len()
    );
}
