//! Shared by the `egui_kittest` tests: a harness around the real app (real database, real
//! worker thread), waiting for the worker, and dropping files onto the window.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spotcheck::ui::App;

#[derive(Debug)]
pub struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// A window on `db`, whose user has given a name already (the first-start question is
/// tried in its own test, with [`harness_as_new`]).
pub fn harness(db: PathBuf) -> Harness<'static, Option<App>> {
    seed_user(&db);
    harness_as_new(db)
}

/// A window on `db` as it opens: on a database without a user name, it asks for one.
pub fn harness_as_new(db: PathBuf) -> Harness<'static, Option<App>> {
    harness_sized(db, egui::vec2(1280.0, 800.0))
}

/// A window of `size` on `db` as it opens.
pub fn harness_sized(db: PathBuf, size: egui::Vec2) -> Harness<'static, Option<App>> {
    let mut harness = Harness::builder().with_size(size).build_ui_state(
        |ui, app: &mut Option<App>| {
            if let Some(app) = app {
                app.logic(ui.ctx());
                app.draw(ui);
            }
        },
        None,
    );
    let app = App::new(&harness.ctx, db).expect("start worker");
    *harness.state_mut() = Some(app);
    harness
}

pub fn app<'h>(h: &'h Harness<'_, Option<App>>) -> &'h App {
    h.state().as_ref().expect("app is set")
}

/// Steps frames until `done` holds (the worker answers on its own thread).
pub fn step_until(h: &mut Harness<'_, Option<App>>, what: &str, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    loop {
        h.step();
        if done(app(h)) {
            h.step();
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what} (status: {:?})",
            app(h).status()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn drop_file(h: &mut Harness<'_, Option<App>>, path: &Path) {
    h.input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(path.to_owned())));
}

pub fn app_mut<'h>(h: &'h mut Harness<'_, Option<App>>) -> &'h mut App {
    h.state_mut().as_mut().expect("app is set")
}

/// A database in `dir` holding a demo roster of `n` accounts, imported as a user would.
pub fn db_with_roster(dir: &Path, n: usize) -> PathBuf {
    let roster = dir.join("名录.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&spotcheck::steps::demo::accounts(n, 7), &roster)
        .expect("write roster");
    let db = dir.join("t.db");
    let mut store = spotcheck::store::Store::open(&db).expect("open store");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read roster");
    spotcheck::steps::roster_import::commit(&mut store, &preview, crate::support::clock::now())
        .expect("import roster");
    db
}

/// Events a worker sends on opening a database: who works here (Identity), then the roster.
pub const OPENED: usize = 2;

/// Makes the worker panic inside the handler of a command, as a bug would: it is the worker's
/// `notify`, which the worker calls right after sending each event.
#[derive(Default)]
pub struct Bomb {
    mode: std::sync::atomic::AtomicU8,
    /// Calls of `notify` that returned.
    calls: std::sync::atomic::AtomicUsize,
}

impl Bomb {
    pub const OFF: u8 = 0;
    /// The next call panics.
    pub const ONCE: u8 = 1;
    /// Every call panics, the one reporting the first panic too: the worker thread dies.
    pub const ALWAYS: u8 = 2;
    /// What the panic says.
    pub const TEXT: &str = "测试用的故障";

    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// The worker's `notify`; `then` runs first (to wake a window).
    pub fn notify_with(self: &Arc<Self>, then: impl Fn() + Send + 'static) -> Box<dyn Fn() + Send> {
        use std::sync::atomic::Ordering::SeqCst;
        let bomb = Arc::clone(self);
        Box::new(move || {
            then();
            let armed = match bomb.mode.load(SeqCst) {
                Self::ONCE => bomb.mode.swap(Self::OFF, SeqCst) == Self::ONCE,
                Self::ALWAYS => true,
                _ => false,
            };
            assert!(!armed, "{}", Self::TEXT);
            bomb.calls.fetch_add(1, SeqCst);
        })
    }

    pub fn notify(self: &Arc<Self>) -> Box<dyn Fn() + Send> {
        self.notify_with(|| {})
    }

    /// Arms the bomb once the worker is idle: once `notify` has returned for each of the
    /// `events` it was sent so far, so that the bomb goes off in the next command's handler.
    pub fn arm(&self, mode: u8, events: usize) {
        use std::sync::atomic::Ordering::SeqCst;
        let start = Instant::now();
        while self.calls.load(SeqCst) < events {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the worker did not finish reporting"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        self.mode.store(mode, SeqCst);
    }
}

/// Gives the database at `db` a user name unless it has one (a damaged database is left as
/// it is).
pub fn seed_user(db: &Path) {
    if let Ok(mut store) = spotcheck::store::Store::open(db) {
        let key = spotcheck::store::settings::USER_NAME;
        if store
            .setting(key)
            .ok()
            .flatten()
            .is_none_or(|n| n.trim().is_empty())
        {
            store.set_setting(key, "测试员").expect("name");
        }
    }
}

/// A database in `dir` with a demo roster of `n` accounts, `who` as its user, 2026Q4 drawn
/// (seed 11) and every account assigned to `who`; the draw is returned.
pub fn inspector_db(dir: &Path, n: usize, who: &str) -> (PathBuf, spotcheck::model::DrawRecord) {
    let db = db_with_roster(dir, n);
    let mut store = spotcheck::store::Store::open(&db).expect("open");
    store
        .set_setting(spotcheck::store::settings::USER_NAME, who)
        .expect("name");
    let at = crate::support::clock::now();
    let quarter: spotcheck::model::Quarter = "2026Q4".parse().expect("quarter");
    let request = spotcheck::model::DrawRequest {
        quarter,
        options: spotcheck::sampling::DrawOptions::default(),
        seed: 11,
        reason: None,
        void_work: false,
    };
    let draw = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
    spotcheck::steps::draw::assign(&mut store, quarter, &[who.to_owned()], false, at)
        .expect("assign");
    (db, draw)
}

/// On the 检查 screen of 2026Q4, opens the form of the account named `name` and waits until
/// its stored check has been read.
pub fn open_check(h: &mut Harness<'_, Option<App>>, name: &str, account: i64) {
    step_until(h, "the roster", |a| !a.busy());
    h.get_by_label("检查").click();
    h.run_steps(1);
    "2026Q4".clone_into(&mut app_mut(h).inspect.quarter);
    step_until(h, "the quarter's checks", |a| a.inspect.draw().is_some());
    h.run_steps(2);
    h.get_by_label(name).click();
    step_until(h, "the form", |a| {
        a.inspect.opened_account() == Some(account) && a.inspect.loaded()
    });
    h.run_steps(2);
}

/// Answers every item of the check of `account` in `draw` 符合 (with today's last update for
/// the 2-week rule) and, if `finish`, finishes it; only the items in `only` when given.
pub fn pass_items(db: &Path, draw: i64, account: i64, only: Option<&[&str]>, finish: bool) {
    use spotcheck::checklist::{Answer, Checklist, Finding};
    let mut store = spotcheck::store::Store::open(db).expect("open");
    let at = crate::support::clock::now();
    let platform = store.account_platform(account).expect("platform");
    let items: Vec<String> = match only {
        Some(items) => items.iter().map(|i| (*i).to_owned()).collect(),
        None => Checklist::builtin()
            .applicable(&platform)
            .map(|i| i.id.clone())
            .collect(),
    };
    for item in items {
        let dated = item == "V04";
        let finding = Finding {
            answer: Some(Answer::Pass),
            last_update: dated.then(|| at.date()),
            checked_on: dated.then(|| at.date()),
            ..Finding::new(item)
        };
        spotcheck::steps::inspect::save_finding(&mut store, draw, account, &finding, at)
            .expect("save");
    }
    if finish {
        spotcheck::steps::inspect::finish_inspection(&mut store, draw, account, at)
            .expect("finish");
    }
}
