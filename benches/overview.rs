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

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use spotcheck::model::{DrawRequest, Quarter};
use spotcheck::sampling::DrawOptions;
use spotcheck::store::{Store, settings};

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;

const QUARTERS: [&str; 8] = [
    "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4",
];

fn build(db: &std::path::Path, n: usize) {
    let started = Instant::now();
    let dir = db.parent().expect("bench-data");
    let roster = dir.join(format!("overview-roster-{n}.xlsx"));
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(n, 1), &roster)
        .expect("roster");
    let partial = db.with_extension("building");
    let _ = std::fs::remove_file(&partial);
    let mut store = Store::open(&partial).expect("open");
    store
        .set_setting(settings::REGION_NAME, "示例市")
        .expect("region");
    let cancel = AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read");
    let first = chrono::NaiveDate::from_ymd_opt(2025, 2, 10)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("time");
    spotcheck::steps::roster_import::commit(&mut store, &preview, first).expect("import");
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
        let o = spotcheck::steps::overview::load_overview(&store, quarter, today).expect("load");
        best = best.min(cpu_seconds() - c0);
        overview = Some(o);
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
        "概况 of {} sampled accounts over {} quarters: read {best:.3} s CPU (best of 5); frame mean {:.2} ms, worst {:.2} ms",
        overview.progress.drawn,
        overview.trend.len(),
        mean.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    );
}

/// Where the read's time goes (`OVERVIEW_PARTS=1`).
fn print_parts(store: &Store, quarter: Quarter) {
    let start = cpu_seconds();
    let report = spotcheck::steps::notice::report_alone(store, quarter).expect("report");
    let after_report = cpu_seconds();
    let _ = store.all_rectifications().expect("problems");
    let after_problems = cpu_seconds();
    for q in &QUARTERS[..7] {
        let q: Quarter = q.parse().expect("quarter");
        let info = store.current_draw_info(q).expect("info").expect("drawn");
        let _ = store.draw_outcomes(info.id).expect("outcomes");
    }
    let after_outcomes = cpu_seconds();
    let _ = store.current_draw(quarter).expect("draw");
    let after_draw = cpu_seconds();
    let _ = store
        .inspections_with_failures(report.draw.id)
        .expect("inspections");
    let after_inspections = cpu_seconds();
    let _ = spotcheck::steps::notice::previous_failures(store, quarter.previous()).expect("prev");
    let after_previous = cpu_seconds();
    eprintln!(
        "report {:.3}, problems {:.3}, outcomes x7 {:.3}; within the report: draw {:.3}, inspections {:.3}, previous failures {:.3}",
        after_report - start,
        after_problems - after_report,
        after_outcomes - after_problems,
        after_draw - after_outcomes,
        after_inspections - after_draw,
        after_previous - after_inspections
    );
}
