//! The window: a thin layer that reads state, draws it and sends commands to the worker.
//! It never touches `SQLite` or files on the frame thread.
//!
//! Each frame: [`App::logic`] takes the worker's events, answered dialogs and dropped files;
//! [`App::draw`] draws the bars and the screen shown, and each screen pushes what the user
//! asked for into the app's [`CommandQueue`]; at the end of the frame the whole queue runs,
//! in order ([`commands`]).

pub mod clipboard;
mod commands;
mod dialogs;
mod events;
pub mod exchange_screen;
mod file_drop;
pub mod fonts;
mod import_preview;
mod import_reports;
pub mod inspect_screen;
pub mod overview_screen;
pub mod rectify_screen;
mod region_alias;
mod rollup_dialogs;
pub mod rollup_screen;
pub mod roster_screen;
pub mod sample_screen;
pub mod settings_screen;
mod status_bar;
mod top_bar;
mod window;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::steps::roster_import::ImportReport;
use crate::worker::{Command, Job, WorkerHandle};
pub use commands::{CommandQueue, FileRequest, UiCommand};
use dialogs::PendingDialog;
use exchange_screen::ExchangeScreen;
use inspect_screen::InspectScreen;
use overview_screen::OverviewScreen;
use rectify_screen::RectifyScreen;
use rollup_screen::RollupScreen;
use roster_screen::RosterScreen;
use sample_screen::SampleScreen;
use settings_screen::SettingsScreen;
use status_bar::Running;
pub use status_bar::WORKER_STOPPED;
pub use top_bar::Screen;

/// Why an editing control is disabled, and what a change is refused with, while the
/// database is open read-only.
pub(crate) const READ_ONLY: &str =
    "数据库是以只读方式打开的（另一个程序正在使用它），只能查看，不能修改。";

pub const TITLE: &str = "政务新媒体季度抽查";

/// Opens the window on the database at `db`; `compat`: drawn with OpenGL instead of the GPU
/// path (wgpu: Vulkan, or OpenGL ES where Vulkan is missing).
pub fn run(db: PathBuf, started: Instant, compat: bool) -> eframe::Result {
    let options = eframe::NativeOptions {
        renderer: if compat {
            eframe::Renderer::Glow
        } else {
            eframe::Renderer::Wgpu
        },
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            // Inside a 1366×768 office laptop's screen with its taskbar; maximised on screens
            // up to 1440 px wide (see `fit_to_screen`).
            .with_inner_size([1200.0, 680.0])
            .with_min_inner_size([900.0, 560.0])
            .with_clamp_size_to_monitor_size(true)
            .with_app_id("spotcheck")
            .with_icon(app_icon()),
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| {
            let mut app = App::new(&cc.egui_ctx, db)?;
            app.started = Some(started);
            Ok(Box::new(app))
        }),
    )
}

/// Whether the window failed because its GPU renderer could not start (then compatibility
/// mode may open it).
#[must_use]
pub fn renderer_failed(e: &eframe::Error) -> bool {
    matches!(e, eframe::Error::Wgpu(_))
}

/// The window icon (assets/icon.png).
fn app_icon() -> egui::IconData {
    const PNG: &[u8] = include_bytes!("../../assets/icon.png");
    image::load_from_memory(PNG).map_or_else(
        |_| egui::IconData::default(),
        |img| {
            let rgba = img.to_rgba8();
            egui::IconData {
                width: rgba.width(),
                height: rgba.height(),
                rgba: rgba.into_raw(),
            }
        },
    )
}

#[allow(clippy::struct_excessive_bools)] // independent flags of the window, read once a frame
pub struct App {
    worker: WorkerHandle,
    pub screen: Screen,
    pub overview: OverviewScreen,
    pub roster: RosterScreen,
    pub sample: SampleScreen,
    pub inspect: InspectScreen,
    pub rectify: RectifyScreen,
    pub exchange: ExchangeScreen,
    pub rollup: RollupScreen,
    pub settings: SettingsScreen,
    /// What the screens asked for this frame, run once it is drawn.
    commands: CommandQueue,
    running: Option<Running>,
    preview: Option<(Box<ImportReport>, PathBuf)>,
    /// In the preview: the user ticked that the accounts it unlists may leave the roster.
    shrink_confirmed: bool,
    /// The columns the user chose a field for in the preview, and the file they belong to.
    mapping: (Option<PathBuf>, crate::roster::ColumnMap),
    /// A screenshot being read from the clipboard, for (draw, account, item).
    paste: Option<(i64, i64, String, dialogs::PendingPaste)>,
    /// A results import with problem rows, shown until closed.
    results_report: Option<Box<crate::results::ResultsReport>>,
    /// A feedback import with rows not taken, shown until closed.
    feedback_report: Option<Box<crate::steps::rectification::FeedbackReport>>,
    /// A file dialog in flight, and what to send with its answer.
    dialog: Option<(PendingDialog, commands::Then)>,
    /// The last outcome, shown in the status bar.
    status: Option<(bool, String)>,
    /// The status bar's recent messages (最近的消息): when, whether an error, what.
    messages: Vec<(chrono::NaiveDateTime, bool, String)>,
    /// Set when the database could not be opened: the window shows only this.
    fatal: Option<String>,
    /// Set while another spotcheck holds the database: the window offers to wait or to open
    /// it read-only.
    locked: Option<String>,
    /// The database is open for reading only.
    read_only: bool,
    /// Asked once, while the settings hold no name: who works here (姓名, 地区).
    identity: Option<(String, String)>,
    /// The folder an export in flight writes into, with its job: once it is done, the status
    /// bar offers 打开所在文件夹.
    writing: Option<(Job, PathBuf)>,
    /// The message of a finished export and its folder (shown with 打开所在文件夹 while that
    /// message is the current one).
    written: Option<(String, PathBuf)>,
    /// Where Ctrl+V reads from.
    clipboard: clipboard::ClipboardSource,
    /// The theme saved in 设置, to apply at the next frame.
    theme_pending: Option<egui::Theme>,
    /// Whether the window has been fitted to the screen (once the screen's size is known).
    fitted: bool,
    /// Set when the worker thread is gone: nothing can be saved any more.
    stopped: bool,
    /// The first roster has been read (the window then opens on 概况 if it is not empty).
    opened: bool,
    db: PathBuf,
    started: Option<Instant>,
}

impl App {
    /// Creates the app and starts its worker on `db`.
    pub fn new(ctx: &egui::Context, db: PathBuf) -> std::io::Result<Self> {
        let repaint = ctx.clone();
        let worker = WorkerHandle::spawn(db.clone(), Box::new(move || repaint.request_repaint()))?;
        Ok(Self::with_worker(ctx, db, worker))
    }

    /// The app around a worker already started on `db` (tests give one that fails on purpose).
    #[doc(hidden)]
    pub fn with_worker(ctx: &egui::Context, db: PathBuf, worker: WorkerHandle) -> Self {
        fonts::install(ctx);
        egui_extras::install_image_loaders(ctx);
        // Office software is light.
        ctx.set_theme(egui::Theme::Light);
        // Chinese is read, not glanced at: egui's 12.5 px body and 9 px small text are too
        // small on an office laptop. Body text 14 px, criteria and hints 12 px.
        ctx.all_styles_mut(|style| {
            use egui::{FontId, TextStyle};
            for (text_style, size) in [
                (TextStyle::Body, 14.0),
                (TextStyle::Button, 14.0),
                (TextStyle::Small, 12.0),
                (TextStyle::Heading, 19.0),
            ] {
                style
                    .text_styles
                    .insert(text_style, FontId::proportional(size));
            }
            style
                .text_styles
                .insert(TextStyle::Monospace, FontId::monospace(13.0));
        });
        Self {
            worker,
            screen: Screen::Roster,
            overview: OverviewScreen::new(chrono::Local::now().date_naive()),
            roster: RosterScreen::default(),
            sample: SampleScreen::new(chrono::Local::now().date_naive(), crate::seed::fresh_seed()),
            inspect: InspectScreen::new(
                chrono::Local::now().date_naive(),
                crate::store::evidence_dir_for(&db),
            ),
            rectify: RectifyScreen::new(chrono::Local::now().date_naive()),
            exchange: ExchangeScreen::new(chrono::Local::now().date_naive()),
            rollup: RollupScreen::new(chrono::Local::now().date_naive()),
            settings: SettingsScreen::default(),
            commands: CommandQueue::default(),
            running: Some(Running {
                job: Job::Open,
                text: "正在打开数据库…".to_owned(),
                fraction: None,
                cancellable: false,
            }),
            preview: None,
            shrink_confirmed: false,
            mapping: (None, crate::roster::ColumnMap::default()),
            paste: None,
            results_report: None,
            feedback_report: None,
            dialog: None,
            status: None,
            fatal: None,
            locked: None,
            read_only: false,
            identity: None,
            writing: None,
            written: None,
            clipboard: clipboard::system(),
            theme_pending: None,
            fitted: false,
            messages: Vec::new(),
            stopped: false,
            opened: false,
            db,
            started: None,
        }
    }

    /// Reads Ctrl+V from `source` instead of the system clipboard (tests).
    #[doc(hidden)]
    pub fn set_clipboard(
        &mut self,
        source: impl Fn() -> clipboard::Clipped + Send + Sync + 'static,
    ) {
        self.clipboard = Arc::new(source);
    }

    /// Whether a long job is running (tests wait on this).
    #[must_use]
    pub fn busy(&self) -> bool {
        self.running.is_some() || self.dialog.is_some()
    }

    /// The preview waiting for confirmation, if any.
    #[must_use]
    pub fn preview(&self) -> Option<&ImportReport> {
        self.preview.as_ref().map(|(r, _)| r.as_ref())
    }

    /// The status line: whether it is an error, and its text.
    #[must_use]
    pub fn status(&self) -> Option<&(bool, String)> {
        self.status.as_ref()
    }

    /// Whether the worker thread is gone (the window says so and saves nothing more).
    #[must_use]
    pub fn worker_stopped(&self) -> bool {
        self.stopped
    }

    /// Starts reading a roster file (from the dialog or a dropped file).
    pub fn import_file(&mut self, path: PathBuf) {
        self.send(Command::PreviewImport(
            crate::steps::roster_import::PreviewRoster {
                path,
                sheet: None,
                map: crate::roster::ColumnMap::default(),
            },
        ));
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        App::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}
