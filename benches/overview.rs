//! 概况 benchmark: a roster of 100,000 accounts and eight quarters (2025Q1–2026Q4), each drawn
//! at 30% (about 30,000 sampled accounts) with every check finished by `demo::complete_checks`
//! and its problems issued to the units (整改).
//! Prints, for the last quarter, the CPU time of reading the overview from the database (what
//! the worker does off the UI thread when 概况 opens; best of 5) and the mean and worst time of
//! one frame of the 概况 screen drawn headless (layout and tessellation, no GPU).
//!
//! The database is built once and kept in bench-data/ (building it takes several minutes).
//!
//! Run: `cargo bench --bench overview` (add `-- 20000` for another roster size; with
//! `OVERVIEW_PARTS=1` it also prints where the read's time goes).

use std::time::{Duration, Instant};

use spotcheck::model::{DrawRequest, Quarter};
use spotcheck::sampling::DrawOptions;
use spotcheck::store::Store;

#[path = "support/roster_db.rs"]
mod roster_db;
use roster_db::roster_db;

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;

/// The CPU clock ticks in hundredths of a second: each round of the read is the mean of a few.
const READS: u32 = 4;

const QUARTERS: [&str; 8] = [
    "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4",
];

fn build(db: &std::path::Path, n: usize) {
    let started = Instant::now();
    let first = chrono::NaiveDate::from_ymd_opt(2025, 2, 10)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("time");
    let (mut store, partial) = roster_db(db, "overview", n, first);
    let dir = db.parent().expect("bench-data");
    for (n, q) in QUARTERS.iter().enumerate() {
        let at = first + chrono::TimeDelta::days(91 * i64::try_from(n).unwrap_or(0));
        let request = DrawRequest {
            quarter: q.parse().expect("quarter"),
            options: DrawOptions::default(),
            seed: 9 + n as u64,
            reason: None,
            void_work: false,
        };
        let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
        spotcheck::steps::demo::complete_checks(&mut store, &draw, at).expect("checks");
        // The problems go to the units ten days later (the sheets themselves are not kept).
        let sheets = dir.join("overview-整改表.xlsx");
        spotcheck::steps::rectification::export_rectification(
            &mut store,
            request.quarter,
            &spotcheck::steps::rectification::SheetTarget::Book(sheets.clone()),
            at + chrono::TimeDelta::days(10),
        )
        .expect("issue problems");
        let _ = std::fs::remove_file(&sheets);
        eprintln!("{q} drawn, checked and its problems issued");
    }
    drop(store);
    std::fs::rename(&partial, db).expect("keep database");
    eprintln!(
        "built the benchmark database ({n} accounts, 8 quarters) in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("create bench-data/");
    let db = dir.join(format!("overview-{n}.db"));
    if !db.exists() {
        build(&db, n);
    }
    let store = Store::open(&db).expect("open");
    let quarter: Quarter = "2026Q4".parse().expect("quarter");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("day");
    let mut best = f64::MAX;
    let mut overview = None;
    for _ in 0..5 {
        let c0 = cpu_seconds();
        for _ in 0..READS {
            let o =
                spotcheck::steps::overview::load_overview(&store, quarter, today).expect("load");
            overview = Some(o);
        }
        best = best.min((cpu_seconds() - c0) / f64::from(READS));
    }
    let overview = overview.expect("loaded");
    if std::env::var_os("OVERVIEW_PARTS").is_some() {
        print_parts(&store, quarter);
    }

    let ctx = egui::Context::default();
    spotcheck::ui::fonts::install(&ctx);
    let mut screen = spotcheck::ui::overview_screen::OverviewScreen::new(today);
    screen.quarter = quarter.to_string();
    let frame = |screen: &mut spotcheck::ui::overview_screen::OverviewScreen, scroll: f32| {
        let start = Instant::now();
        let mut input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1024.0, 768.0),
            )),
            ..Default::default()
        };
        input
            .events
            .push(egui::Event::PointerMoved(egui::pos2(300.0, 300.0)));
        if scroll != 0.0 {
            input.events.push(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -scroll),
                modifiers: egui::Modifiers::NONE,
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
            });
        }
        let output = ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                screen.ui(ui, &mut spotcheck::ui::CommandQueue::default());
            });
        });
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        start.elapsed()
    };
    // The first frame asks for the overview; it is then handed in as the worker would.
    frame(&mut screen, 0.0);
    screen.set_view(quarter, Some(Box::new(overview.clone())));
    for _ in 0..5 {
        frame(&mut screen, 0.0);
    }
    let mut times: Vec<Duration> = Vec::new();
    for i in 0..200 {
        let scroll = if i % 40 < 20 { 40.0 } else { -40.0 };
        times.push(frame(&mut screen, scroll));
    }
    let mean = times.iter().sum::<Duration>() / u32::try_from(times.len()).unwrap_or(1);
    let worst = times.iter().max().copied().unwrap_or_default();
    println!(
        "概况 of {} sampled accounts over {} quarters: read {best:.3} s CPU (best of 5 rounds of {READS} reads); frame mean {:.2} ms, worst {:.2} ms",
        overview.progress.drawn,
        overview.trend.len(),
        mean.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    );
}

/// Where the read's time goes (`OVERVIEW_PARTS=1`), each part the mean of 10 reads.
fn print_parts(store: &Store, quarter: Quarter) {
    let mean = |read: &mut dyn FnMut()| {
        let start = cpu_seconds();
        for _ in 0..10 {
            read();
        }
        (cpu_seconds() - start) / 10.0
    };
    let info = store
        .current_draw_info(quarter)
        .expect("info")
        .expect("drawn");
    let accounts = mean(&mut || {
        let _ = store.sampled_accounts(info.id).expect("accounts");
        let _ = store.check_states(info.id).expect("checks");
    });
    let failing = mean(&mut || {
        let _ = store.failing_items(info.id).expect("failing");
    });
    let places = mean(&mut || {
        let _ = store.population_cells(info.id).expect("population");
        let _ = store.excluded_places(info.id).expect("excluded");
    });
    let counts = mean(&mut || {
        let _ = spotcheck::steps::overview::quarter_counts(store, &info).expect("counts");
    });
    let problems = mean(&mut || {
        let _ = store.problem_counts(info.id).expect("problems");
    });
    let earlier: Vec<i64> = QUARTERS[..7]
        .iter()
        .map(|q| {
            let q: Quarter = q.parse().expect("quarter");
            store.current_draw_info(q).expect("info").expect("drawn").id
        })
        .collect();
    let last = earlier.last().copied().unwrap_or_default();
    let previous = mean(&mut || {
        let _ = store.region_counts(last).expect("tally");
    });
    let older = mean(&mut || {
        for d in &earlier[..6] {
            let _ = store.region_counts(*d).expect("tally");
        }
    });
    let failed = mean(&mut || {
        for d in &earlier {
            let _ = store.failed_accounts(*d).expect("failed");
            let _ = store.answer_counts(*d).expect("answers");
        }
    });
    eprintln!(
        "quarter shown {counts:.4} (its accounts and checks {accounts:.4}, items failed {failing:.4}, \
         population and excluded {places:.4}), its problems {problems:.4}; quarter before by region \
         {previous:.4}, 6 more {older:.4}, 不合格 accounts and answers of all 7 {failed:.4}"
    );
}
