//! Frame time of the 名录 screen with 100,000 accounts: draws the screen headless with egui
//! (layout and tessellation, no GPU), scrolling and changing the search as a user would,
//! and prints the mean and worst frame.
//!
//! Run: `cargo bench --bench roster_frame`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use spotcheck::model::StoredAccount;
use spotcheck::ui::roster_screen::RosterScreen;

fn main() {
    let accounts: Vec<StoredAccount> = spotcheck::steps::demo::accounts(100_000, 2026)
        .into_iter()
        .enumerate()
        .map(|(i, account)| StoredAccount {
            id: i64::try_from(i).unwrap_or(0),
            account,
            listed: true,
        })
        .collect();
    let ctx = egui::Context::default();
    spotcheck::ui::fonts::install(&ctx);
    let mut screen = RosterScreen::default();
    screen.set_accounts(Arc::new(accounts));

    let frame = |screen: &mut RosterScreen, scroll: f32, search: Option<&str>| -> Duration {
        let start = Instant::now();
        if let Some(s) = search {
            s.clone_into(&mut screen.search);
            screen.refilter();
        }
        let mut input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            ..Default::default()
        };
        if scroll != 0.0 {
            input
                .events
                .push(egui::Event::PointerMoved(egui::pos2(500.0, 400.0)));
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

    // Warm up: font atlas, caches.
    for _ in 0..20 {
        frame(&mut screen, 0.0, None);
    }
    let mut scrolling = Vec::new();
    for _ in 0..300 {
        scrolling.push(frame(&mut screen, 120.0, None));
    }
    let mut filtering = Vec::new();
    for needle in [
        "教育",
        "教育局",
        "示例1",
        "示例12",
        "南山",
        "",
        "gh_",
        "公安",
        "示例99999",
        "",
    ]
    .iter()
    .cycle()
    .take(100)
    {
        filtering.push(frame(&mut screen, 0.0, Some(needle)));
    }
    let report = |name: &str, times: &[Duration]| {
        let mean = times.iter().sum::<Duration>().as_secs_f64() * 1000.0 / times.len() as f64;
        let worst = times
            .iter()
            .max()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1000.0;
        println!(
            "roster screen, 100000 accounts, {name}: mean {mean:.2} ms per frame, worst {worst:.2} ms"
        );
    };
    report("scrolling", &scrolling);
    report("search changing every frame", &filtering);
}
