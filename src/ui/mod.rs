//! The window: a thin layer that reads state, draws it and sends commands to the worker.
//! It never touches `SQLite` or files on the frame thread.

mod dialogs;
pub mod exchange_screen;
pub mod fonts;
mod import_preview;
pub mod inspect_screen;
pub mod rectify_screen;
pub mod roster_screen;
pub mod sample_screen;
pub mod settings_screen;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::import::ImportReport;
use crate::worker::{Command, Event, Job, WorkerHandle};
use dialogs::PendingDialog;
use exchange_screen::{ExchangeAction, ExchangeScreen};
use import_preview::PreviewAction;
use inspect_screen::{InspectAction, InspectScreen};
use rectify_screen::{RectifyAction, RectifyScreen};
use roster_screen::{RosterAction, RosterScreen};
use sample_screen::{SampleAction, SampleScreen};
use settings_screen::{SettingsAction, SettingsScreen};

pub const TITLE: &str = "政务新媒体季度抽查";

/// Opens the window on the database at `db`.
pub fn run(db: PathBuf, started: Instant) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 560.0])
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

/// A long job in progress, shown in the status bar.
struct Running {
    job: Job,
    text: String,
    fraction: Option<f32>,
    cancellable: bool,
}

/// What the app is waiting for from a file dialog.
enum DialogPurpose {
    ImportRoster,
    SaveProblems,
    SaveSampleList(crate::model::Quarter),
    Evidence {
        draw: i64,
        account: i64,
        item: String,
    },
    Checklist(crate::model::Quarter),
    Results(crate::model::Quarter),
    Notice(crate::model::Quarter),
    RectificationBook(crate::model::Quarter),
    RectificationFolder(crate::model::Quarter),
    Feedback(crate::model::Quarter),
    WorkPackage(crate::model::Quarter, String),
    ResultsPackage(crate::model::Quarter),
    ImportPackage(crate::model::Quarter),
    BackupFolder,
    RestoreFolder,
    ExportLog,
}

/// The screens, one per step of the work, in the order of the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Roster,
    Sample,
    Inspect,
    Rectify,
    Exchange,
    Settings,
}

impl Screen {
    const ALL: [Self; 6] = [
        Self::Roster,
        Self::Sample,
        Self::Inspect,
        Self::Rectify,
        Self::Exchange,
        Self::Settings,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Roster => "名录",
            Self::Sample => "抽样",
            Self::Inspect => "检查",
            Self::Rectify => "通报与整改",
            Self::Exchange => "协作",
            Self::Settings => "设置与备份",
        }
    }
}

pub struct App {
    worker: WorkerHandle,
    pub screen: Screen,
    pub roster: RosterScreen,
    pub sample: SampleScreen,
    pub inspect: InspectScreen,
    pub rectify: RectifyScreen,
    pub exchange: ExchangeScreen,
    pub settings: SettingsScreen,
    running: Option<Running>,
    preview: Option<(Box<ImportReport>, PathBuf)>,
    /// A screenshot being read from the clipboard, for (draw, account, item).
    paste: Option<(i64, i64, String, dialogs::PendingPaste)>,
    /// A results import with problem rows, shown until closed.
    results_report: Option<Box<crate::results::ResultsReport>>,
    /// A feedback import with rows not taken, shown until closed.
    feedback_report: Option<Box<crate::followup::FeedbackReport>>,
    dialog: Option<(DialogPurpose, PendingDialog)>,
    /// The last outcome, shown in the status bar.
    status: Option<(bool, String)>,
    /// Set when the database could not be opened: the window shows only this.
    fatal: Option<String>,
    db: PathBuf,
    started: Option<Instant>,
}

impl App {
    /// Creates the app and starts its worker on `db`.
    pub fn new(ctx: &egui::Context, db: PathBuf) -> std::io::Result<Self> {
        fonts::install(ctx);
        egui_extras::install_image_loaders(ctx);
        let repaint = ctx.clone();
        let worker = WorkerHandle::spawn(db.clone(), Box::new(move || repaint.request_repaint()))?;
        Ok(Self {
            worker,
            screen: Screen::Roster,
            roster: RosterScreen::default(),
            sample: SampleScreen::new(chrono::Local::now().date_naive(), crate::seed::fresh_seed()),
            inspect: InspectScreen::new(
                chrono::Local::now().date_naive(),
                crate::store::evidence_dir_for(&db),
            ),
            rectify: RectifyScreen::new(chrono::Local::now().date_naive()),
            exchange: ExchangeScreen::new(chrono::Local::now().date_naive()),
            settings: SettingsScreen::default(),
            running: Some(Running {
                job: Job::Open,
                text: "正在打开数据库…".to_owned(),
                fraction: None,
                cancellable: false,
            }),
            preview: None,
            paste: None,
            results_report: None,
            feedback_report: None,
            dialog: None,
            status: None,
            fatal: None,
            db,
            started: None,
        })
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

    /// Starts reading a roster file (from the dialog or a dropped file).
    pub fn import_file(&mut self, path: PathBuf) {
        self.status = None;
        self.running = Some(Running {
            job: Job::ReadRoster,
            text: "正在读取名录…".to_owned(),
            fraction: None,
            cancellable: true,
        });
        self.worker
            .send(Command::PreviewImport { path, sheet: None });
    }

    /// Drains worker events and dialog results; called once per frame before drawing.
    pub fn logic(&mut self, ctx: &egui::Context) {
        for event in self.worker.poll().collect::<Vec<_>>() {
            self.on_event(event);
        }
        if let Some(result) = self.paste.as_ref().and_then(|p| p.3.poll()) {
            let (draw, account, item, _) = self.paste.take().expect("checked above");
            match result {
                Ok(bytes) => self.worker.send(Command::AddEvidence {
                    draw,
                    account,
                    item,
                    evidence: crate::store::NewEvidence::Bytes {
                        file_name: format!(
                            "截图-{}.png",
                            chrono::Local::now().format("%Y%m%d-%H%M%S")
                        ),
                        bytes,
                    },
                }),
                Err(message) => self.status = Some((true, message)),
            }
        }
        if let Some((_, dialog)) = &self.dialog
            && let Some(result) = dialog.poll()
        {
            let (purpose, _) = self.dialog.take().expect("checked above");
            if let DialogPurpose::Feedback(quarter) = purpose {
                if !result.is_empty() {
                    self.start(Job::Rectify, "正在读取整改反馈…");
                    self.worker.send(Command::ImportFeedback {
                        paths: result,
                        quarter,
                    });
                }
            } else if let Some(path) = result.into_iter().next() {
                match purpose {
                    DialogPurpose::Feedback(_) => {}
                    DialogPurpose::WorkPackage(quarter, inspector) => {
                        self.start(Job::Exchange, "正在导出工作包…");
                        self.worker.send(Command::ExportWorkPackage {
                            quarter,
                            inspector,
                            path,
                        });
                    }
                    DialogPurpose::ResultsPackage(quarter) => {
                        self.start(Job::Exchange, "正在导出结果包…");
                        self.worker
                            .send(Command::ExportResultsPackage { path, quarter });
                    }
                    DialogPurpose::ImportPackage(quarter) => self.import_package(path, quarter),
                    DialogPurpose::BackupFolder => {
                        self.start(Job::Backup, "正在备份数据库和证据文件…");
                        self.worker.send(Command::BackupTo(path));
                    }
                    DialogPurpose::RestoreFolder => {
                        self.worker.send(Command::InspectBackup(path));
                    }
                    DialogPurpose::ExportLog => self.worker.send(Command::ExportLog(path)),
                    DialogPurpose::Notice(quarter) => {
                        self.start(Job::Export, "正在导出通报…");
                        self.worker.send(Command::ExportNotice { quarter, path });
                    }
                    DialogPurpose::RectificationBook(quarter) => {
                        self.start(Job::Export, "正在导出整改表…");
                        self.worker.send(Command::ExportRectification {
                            quarter,
                            target: crate::followup::SheetTarget::Book(path),
                        });
                    }
                    DialogPurpose::RectificationFolder(quarter) => {
                        self.start(Job::Export, "正在导出整改表…");
                        self.worker.send(Command::ExportRectification {
                            quarter,
                            target: crate::followup::SheetTarget::Folder(path),
                        });
                    }
                    DialogPurpose::ImportRoster => self.import_file(path),
                    DialogPurpose::SaveProblems => {
                        self.worker.send(Command::SaveProblemList { path });
                    }
                    DialogPurpose::SaveSampleList(quarter) => {
                        self.worker.send(Command::SaveSampleList { quarter, path });
                    }
                    DialogPurpose::Results(quarter) => {
                        self.running = Some(Running {
                            job: Job::Inspect,
                            text: "正在导入检查结果…".to_owned(),
                            fraction: None,
                            cancellable: false,
                        });
                        self.worker.send(Command::ImportResults { path, quarter });
                    }
                    DialogPurpose::Checklist(quarter) => {
                        self.worker
                            .send(Command::InstallChecklist { path, quarter });
                    }
                    DialogPurpose::Evidence {
                        draw,
                        account,
                        item,
                    } => self.worker.send(Command::AddEvidence {
                        draw,
                        account,
                        item,
                        evidence: crate::store::NewEvidence::Path(path),
                    }),
                }
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if dropped.is_empty() || self.fatal.is_some() {
            return;
        }
        if self.screen == Screen::Inspect {
            // Files dropped on the form are evidence for the current item.
            if let Some((draw, account, item)) = self.inspect.drop_target() {
                for path in dropped {
                    self.worker.send(Command::AddEvidence {
                        draw,
                        account,
                        item: item.clone(),
                        evidence: crate::store::NewEvidence::Path(path),
                    });
                }
            } else {
                self.status = Some((
                    true,
                    "请先在左侧打开一个账号，再把证据文件拖进来。".to_owned(),
                ));
            }
        } else if self.screen == Screen::Exchange {
            if let (Some(quarter), Some(path)) =
                (self.exchange.quarter(), dropped.into_iter().next())
                && self.running.is_none()
            {
                self.import_package(path, quarter);
            }
        } else if self.screen == Screen::Rectify {
            // Files dropped here are the sheets the units sent back.
            if let Some(quarter) = self.rectify.quarter()
                && self.running.is_none()
            {
                self.start(Job::Rectify, "正在读取整改反馈…");
                self.worker.send(Command::ImportFeedback {
                    paths: dropped,
                    quarter,
                });
            }
        } else if let Some(path) = dropped.into_iter().next()
            && self.running.is_none()
            && self.preview.is_none()
        {
            self.screen = Screen::Roster;
            self.import_file(path);
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::RosterLoaded(accounts) => {
                if self
                    .running
                    .as_ref()
                    .is_some_and(|r| matches!(r.job, Job::Open | Job::WriteRoster))
                {
                    self.running = None;
                }
                self.sample.set_accounts(Arc::clone(&accounts));
                self.roster.set_accounts(accounts);
            }
            Event::Progress {
                job,
                fraction,
                text,
            } => {
                let cancellable = job == Job::ReadRoster;
                self.running = Some(Running {
                    job,
                    text,
                    fraction,
                    cancellable,
                });
            }
            Event::ImportPreviewed { report, file } => {
                self.running = None;
                self.preview = Some((report, file));
            }
            Event::ImportCommitted(report) => {
                self.status = Some((false, report.summary()));
            }
            Event::ProblemListSaved(path) => {
                self.status = Some((false, format!("问题清单已保存：{}", path.display())));
            }
            Event::HistoryLoaded { account, changes } => self.roster.set_history(account, changes),
            Event::DrawLoaded {
                quarter,
                draw,
                history,
            } => {
                self.sample.set_draw(quarter, draw, history);
                self.inspect.invalidate();
            }
            Event::InspectionsLoaded {
                quarter,
                draw,
                states,
                me,
                checklist,
            } => self
                .inspect
                .set_loaded(quarter, draw, states, me, checklist),
            Event::InspectionUpdated {
                draw,
                account,
                inspection,
                checklist,
                seq,
            } => {
                let next = self.inspect.set_inspection(
                    draw,
                    account,
                    inspection.map(|i| *i),
                    checklist,
                    seq,
                );
                if let Some(action) = next {
                    self.inspect_action(action);
                }
            }
            Event::ResultsImported(report) => {
                self.running = None;
                self.status = Some((report.written == 0, report.summary()));
                if !report.errors.is_empty() || !report.warnings.is_empty() {
                    self.results_report = Some(report);
                }
                self.inspect.invalidate();
            }
            Event::RectificationsLoaded(view) => self.rectify.set_view(*view),
            Event::ExchangeLoaded(view) => self.exchange.set_view(*view),
            Event::SettingsLoaded(view) => self.settings.set_view(*view),
            Event::BackupFound(info) => {
                self.screen = Screen::Settings;
                self.settings.ask_restore(*info);
            }
            Event::Restored(message) => {
                self.running = None;
                self.fatal = None;
                self.preview = None;
                self.status = Some((false, message));
                self.inspect.invalidate();
                self.rectify.invalidate();
                self.exchange.invalidate();
                // The roster arrives again; screens read their quarter again when shown.
                self.sample =
                    SampleScreen::new(chrono::Local::now().date_naive(), crate::seed::fresh_seed());
                self.settings.invalidate();
            }
            Event::PackageImported { message, conflicts } => {
                self.running = None;
                self.status = Some((false, message));
                if conflicts > 0 {
                    self.screen = Screen::Exchange;
                }
                // Merged findings change every other view.
                self.inspect.invalidate();
                self.rectify.invalidate();
                self.exchange.invalidate();
            }
            Event::FeedbackImported(report) => {
                self.running = None;
                let nothing = report.counts.updated == 0 && report.counts.unchanged == 0;
                self.status = Some((nothing, report.summary()));
                if !report.issues.is_empty() || !report.unreadable.is_empty() {
                    self.feedback_report = Some(report);
                }
            }
            Event::SettingSaved { key, value } => {
                if key == crate::store::settings::USER_NAME {
                    self.inspect.set_name(value);
                }
            }
            Event::Done { job, message } => {
                if self.running.as_ref().is_some_and(|r| r.job == job) {
                    self.running = None;
                }
                self.status = Some((false, message));
            }
            // Nothing will answer any more: no job is running.
            Event::Stopped => self.running = None,
            Event::Failed { job, message } => {
                self.running = None;
                if job == Job::Open {
                    self.fatal = Some(message);
                    // Offer the backups.
                    self.worker.send(Command::LoadSettings);
                } else {
                    self.status = Some((true, message));
                }
            }
        }
    }

    /// Draws the window.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        if let Some(started) = self.started.take()
            && std::env::var_os("SPOTCHECK_STARTUP_TIME").is_some()
        {
            eprintln!("首帧用时 {} 毫秒", started.elapsed().as_millis());
        }
        egui::Panel::top("title_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(TITLE);
                ui.separator();
                let enabled = self.running.is_none() && self.preview.is_none();
                ui.add_enabled_ui(enabled, |ui| {
                    for screen in Screen::ALL {
                        if ui
                            .selectable_value(&mut self.screen, screen, screen.label())
                            .clicked()
                        {
                            // Checks may have finished since: count them again.
                            match screen {
                                Screen::Rectify => self.rectify.invalidate(),
                                Screen::Exchange => self.exchange.invalidate(),
                                Screen::Settings => self.settings.invalidate(),
                                _ => {}
                            }
                        }
                    }
                });
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.small(format!("数据库：{}", self.db.display()));
                });
            });
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_ui(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(message) = &self.fatal {
                ui.add_space(20.0);
                ui.vertical_centered(|ui| {
                    ui.heading("无法打开数据库");
                    ui.label(message);
                });
                ui.add_space(12.0);
                let action = ui
                    .add_enabled_ui(self.running.is_none(), |ui| self.settings.ui(ui))
                    .inner;
                self.settings_action(ui.ctx(), action);
                return;
            }
            let enabled = self.running.is_none() && self.preview.is_none();
            match self.screen {
                Screen::Roster => {
                    let action = ui.add_enabled_ui(enabled, |ui| self.roster.ui(ui)).inner;
                    self.roster_action(ui.ctx(), action);
                }
                Screen::Sample => {
                    let action = ui.add_enabled_ui(enabled, |ui| self.sample.ui(ui)).inner;
                    self.sample_action(ui.ctx(), action);
                }
                Screen::Inspect => {
                    let action = ui.add_enabled_ui(enabled, |ui| self.inspect.ui(ui)).inner;
                    if let Some(InspectAction::PickFiles {
                        draw,
                        account,
                        item,
                    }) = action
                    {
                        if let Some(d) = dialogs::pick_evidence(ui.ctx()) {
                            self.dialog = Some((
                                DialogPurpose::Evidence {
                                    draw,
                                    account,
                                    item,
                                },
                                d,
                            ));
                        }
                    } else if let Some(InspectAction::PasteScreenshot {
                        draw,
                        account,
                        item,
                    }) = action
                    {
                        if self.paste.is_none() {
                            self.paste = dialogs::paste_screenshot(ui.ctx())
                                .map(|p| (draw, account, item, p));
                        }
                    } else if let Some(InspectAction::PickResults(quarter)) = action {
                        if let Some(d) = dialogs::pick_roster(ui.ctx()) {
                            self.dialog = Some((DialogPurpose::Results(quarter), d));
                        }
                    } else if let Some(InspectAction::PickChecklist(quarter)) = action {
                        if let Some(d) = dialogs::pick_checklist(ui.ctx()) {
                            self.dialog = Some((DialogPurpose::Checklist(quarter), d));
                        }
                    } else if let Some(action) = action {
                        self.inspect_action(action);
                    }
                }
                Screen::Rectify => {
                    let action = ui.add_enabled_ui(enabled, |ui| self.rectify.ui(ui)).inner;
                    self.rectify_action(ui.ctx(), action);
                }
                Screen::Settings => {
                    let action = ui.add_enabled_ui(enabled, |ui| self.settings.ui(ui)).inner;
                    self.settings_action(ui.ctx(), action);
                }
                Screen::Exchange => {
                    let action = ui.add_enabled_ui(enabled, |ui| self.exchange.ui(ui)).inner;
                    self.exchange_action(ui.ctx(), action);
                }
            }
            if ui.ctx().input(|i| !i.raw.hovered_files.is_empty()) {
                ui.ctx().debug_painter().text(
                    ui.max_rect().center(),
                    egui::Align2::CENTER_CENTER,
                    match self.screen {
                        Screen::Rectify => "松开鼠标即可导入单位交回的整改表",
                        Screen::Inspect => "松开鼠标即可把文件添加为当前检查项的证据",
                        Screen::Exchange => "松开鼠标即可导入这个工作包或结果包",
                        _ => "松开鼠标即可导入这个名录文件",
                    },
                    egui::FontId::proportional(24.0),
                    ui.visuals().strong_text_color(),
                );
            }
        });
        self.preview_ui(ui.ctx());
        self.results_report_ui(ui.ctx());
        self.feedback_report_ui(ui.ctx());
    }

    fn settings_action(&mut self, ctx: &egui::Context, action: Option<SettingsAction>) {
        let Some(action) = action else { return };
        match action {
            SettingsAction::Load => self.worker.send(Command::LoadSettings),
            SettingsAction::Save { key, value } => {
                self.worker.send(Command::SaveSetting { key, value });
                self.settings.invalidate();
                self.rectify.invalidate();
            }
            SettingsAction::PickBackupFolder => {
                if let Some(d) = dialogs::pick_folder(ctx, "选择备份存放的文件夹（例如 U 盘）")
                {
                    self.dialog = Some((DialogPurpose::BackupFolder, d));
                }
            }
            SettingsAction::PickRestoreFolder => {
                if let Some(d) = dialogs::pick_folder(ctx, "选择要恢复的备份文件夹") {
                    self.dialog = Some((DialogPurpose::RestoreFolder, d));
                }
            }
            SettingsAction::Restore(path) => {
                self.start(Job::Backup, "正在从备份恢复…");
                self.worker.send(Command::Restore(path));
            }
            SettingsAction::ExportLog => {
                let name = format!("操作日志-{}.xlsx", chrono::Local::now().format("%Y%m%d"));
                if let Some(d) = dialogs::save_xlsx(ctx, "导出操作日志", name) {
                    self.dialog = Some((DialogPurpose::ExportLog, d));
                }
            }
        }
    }

    fn import_package(&mut self, path: PathBuf, quarter: crate::model::Quarter) {
        self.start(Job::Exchange, "正在检查并读取包…");
        self.worker.send(Command::ImportPackage { path, quarter });
    }

    fn exchange_action(&mut self, ctx: &egui::Context, action: Option<ExchangeAction>) {
        let Some(action) = action else { return };
        match action {
            ExchangeAction::Load(quarter) => self.worker.send(Command::LoadExchange(quarter)),
            ExchangeAction::ExportWork { quarter, inspector } => {
                let name = crate::exchange::file_name(
                    crate::exchange::PackageKind::Work,
                    &inspector,
                    &quarter.to_string(),
                );
                if let Some(d) = dialogs::save_package(ctx, "导出工作包", name) {
                    self.dialog = Some((DialogPurpose::WorkPackage(quarter, inspector), d));
                }
            }
            ExchangeAction::ExportResults(quarter) => {
                let who = self.inspect_name();
                let name = crate::exchange::file_name(
                    crate::exchange::PackageKind::Results,
                    &who,
                    &quarter.to_string(),
                );
                if let Some(d) = dialogs::save_package(ctx, "导出结果包", name) {
                    self.dialog = Some((DialogPurpose::ResultsPackage(quarter), d));
                }
            }
            ExchangeAction::Import(quarter) => {
                if let Some(d) = dialogs::pick_package(ctx) {
                    self.dialog = Some((DialogPurpose::ImportPackage(quarter), d));
                }
            }
            ExchangeAction::Resolve {
                id,
                take_incoming,
                quarter,
            } => self.worker.send(Command::ResolveConflict {
                id,
                take_incoming,
                quarter,
            }),
        }
    }

    fn inspect_name(&self) -> String {
        self.exchange
            .view()
            .and_then(|v| {
                v.history
                    .iter()
                    .find(|h| h.event == crate::store::PackageEvent::WorkOpened)
            })
            .map_or_else(|| "检查人员".to_owned(), |h| h.inspector.clone())
    }

    /// Shows a job in the status bar until its answer arrives.
    fn start(&mut self, job: Job, text: &str) {
        self.status = None;
        self.running = Some(Running {
            job,
            text: text.to_owned(),
            fraction: None,
            cancellable: false,
        });
    }

    fn feedback_report_ui(&mut self, ctx: &egui::Context) {
        let Some(report) = &self.feedback_report else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("feedback_report")).show(ctx, |ui| {
            ui.heading("整改反馈导入报告");
            ui.label(report.summary());
            ui.label("下列行没有导入（行号为 Excel 左侧显示的行号），其余行已导入。请核对后让单位修改，再重新导入。");
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    egui::Grid::new("feedback_problems")
                        .striped(true)
                        .num_columns(2)
                        .show(ui, |ui| {
                            ui.strong("位置");
                            ui.strong("问题");
                            ui.end_row();
                            for i in report.unreadable.iter().chain(&report.issues) {
                                ui.label(&i.place);
                                ui.add(egui::Label::new(&i.message).wrap());
                                ui.end_row();
                            }
                        });
                });
            if ui.button("关闭").clicked() {
                ui.close();
            }
        });
        if modal.should_close() {
            self.feedback_report = None;
        }
    }

    fn rectify_action(&mut self, ctx: &egui::Context, action: Option<RectifyAction>) {
        let Some(action) = action else { return };
        match action {
            RectifyAction::Load(quarter) => self.worker.send(Command::LoadRectifications(quarter)),
            RectifyAction::ExportNotice(quarter) => {
                let name = crate::export::notice_file_name(quarter);
                if let Some(d) = dialogs::save_xlsx(ctx, "导出通报", name) {
                    self.dialog = Some((DialogPurpose::Notice(quarter), d));
                }
            }
            RectifyAction::ExportSheets { quarter, folder } => {
                let dialog = if folder {
                    dialogs::pick_folder(ctx, "选择保存整改表的文件夹（每个单位一个文件）")
                        .map(|d| (DialogPurpose::RectificationFolder(quarter), d))
                } else {
                    dialogs::save_xlsx(
                        ctx,
                        "导出整改表",
                        crate::export::rectification_file_name(quarter),
                    )
                    .map(|d| (DialogPurpose::RectificationBook(quarter), d))
                };
                if dialog.is_some() {
                    self.dialog = dialog;
                }
            }
            RectifyAction::ImportFeedback(quarter) => {
                if let Some(d) = dialogs::pick_feedback(ctx) {
                    self.dialog = Some((DialogPurpose::Feedback(quarter), d));
                }
            }
            RectifyAction::Review {
                id,
                close,
                note,
                quarter,
            } => self.worker.send(Command::ReviewRectification {
                id,
                close,
                note,
                quarter,
            }),
        }
    }

    fn results_report_ui(&mut self, ctx: &egui::Context) {
        let Some(report) = &self.results_report else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("results_report")).show(ctx, |ui| {
            ui.heading("检查结果导入报告");
            ui.label(report.summary());
            ui.label("行号为 Excel 左侧显示的行号。有错误的行没有导入，请修改后重新导入。");
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    egui::Grid::new("results_problems")
                        .striped(true)
                        .num_columns(4)
                        .show(ui, |ui| {
                            for h in ["行号", "列", "类型", "问题"] {
                                ui.strong(h);
                            }
                            ui.end_row();
                            let rows = report
                                .errors
                                .iter()
                                .map(|p| (p, "错误，未导入"))
                                .chain(report.warnings.iter().map(|p| (p, "提醒，已导入")));
                            for (p, kind) in rows {
                                ui.label(p.row.to_string());
                                ui.label(&p.field);
                                ui.label(kind);
                                ui.label(&p.message);
                                ui.end_row();
                            }
                        });
                });
            if ui.button("关闭").clicked() {
                ui.close();
            }
        });
        if modal.should_close() {
            self.results_report = None;
        }
    }

    fn roster_action(&mut self, ctx: &egui::Context, action: Option<RosterAction>) {
        match action {
            Some(RosterAction::Import) => {
                if let Some(d) = dialogs::pick_roster(ctx) {
                    self.dialog = Some((DialogPurpose::ImportRoster, d));
                }
            }
            Some(RosterAction::Demo) => {
                self.start(Job::ReadRoster, "正在生成示例名录…");
                self.worker.send(Command::PreviewDemo);
            }
            Some(RosterAction::ShowHistory(account)) => {
                self.worker.send(Command::LoadHistory { account });
            }
            None => {}
        }
    }

    fn sample_action(&mut self, ctx: &egui::Context, action: Option<SampleAction>) {
        match action {
            Some(SampleAction::LoadDraw(quarter)) => self.worker.send(Command::LoadDraw(quarter)),
            Some(SampleAction::Draw(request)) => {
                self.status = None;
                self.running = Some(Running {
                    job: Job::Draw,
                    text: "正在抽样…".to_owned(),
                    fraction: None,
                    cancellable: false,
                });
                self.worker.send(Command::MakeDraw(request));
            }
            Some(SampleAction::Assign {
                quarter,
                inspectors,
                keep_county,
            }) => self.worker.send(Command::Assign {
                quarter,
                inspectors,
                keep_county,
            }),
            Some(SampleAction::SaveList(quarter, name)) => {
                if let Some(d) = dialogs::save_xlsx(ctx, "导出抽查名单", name) {
                    self.dialog = Some((DialogPurpose::SaveSampleList(quarter), d));
                }
            }
            None => {}
        }
    }

    fn inspect_action(&mut self, action: InspectAction) {
        let command = match action {
            InspectAction::Load(quarter) => Command::LoadInspections(quarter),
            InspectAction::Open { draw, account } => Command::OpenInspection { draw, account },
            InspectAction::Save {
                draw,
                account,
                finding,
                seq,
            } => Command::SaveFinding {
                draw,
                account,
                finding,
                seq,
            },
            InspectAction::Finish { draw, account } => Command::FinishInspection { draw, account },
            InspectAction::AddEvidence {
                draw,
                account,
                item,
                evidence,
            } => Command::AddEvidence {
                draw,
                account,
                item,
                evidence,
            },
            InspectAction::RemoveEvidence {
                draw,
                account,
                evidence,
            } => Command::RemoveEvidence {
                draw,
                account,
                evidence,
            },
            InspectAction::SetName(name) => Command::SaveSetting {
                key: crate::store::settings::USER_NAME,
                value: name,
            },
            // Handled where the dialog can be opened.
            InspectAction::PickFiles { .. }
            | InspectAction::PickChecklist(_)
            | InspectAction::PickResults(_)
            | InspectAction::PasteScreenshot { .. } => return,
        };
        self.worker.send(command);
    }

    fn preview_ui(&mut self, ctx: &egui::Context) {
        let Some((report, file)) = &self.preview else {
            return;
        };
        match import_preview::preview_ui(ctx, report) {
            Some(PreviewAction::Confirm) => {
                self.preview = None;
                self.running = Some(Running {
                    job: Job::WriteRoster,
                    text: "正在写入数据库…".to_owned(),
                    fraction: None,
                    cancellable: false,
                });
                self.worker.send(Command::CommitImport);
            }
            Some(PreviewAction::SaveProblems) => {
                let stem = file
                    .file_stem()
                    .map_or_else(|| "名录".to_owned(), |s| s.to_string_lossy().into_owned());
                if let Some(d) =
                    dialogs::save_xlsx(ctx, "保存问题清单", format!("{stem}-问题清单.xlsx"))
                {
                    self.dialog = Some((DialogPurpose::SaveProblems, d));
                }
            }
            Some(PreviewAction::Cancel) => {
                self.preview = None;
                self.worker.send(Command::DiscardImport);
                self.status = Some((false, "已取消导入，数据库没有改动。".to_owned()));
            }
            None => {}
        }
    }

    fn status_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(r) = &self.running {
                ui.label(&r.text);
                let bar = egui::ProgressBar::new(r.fraction.unwrap_or(0.0)).desired_width(240.0);
                ui.add(if r.fraction.is_some() {
                    bar.show_percentage()
                } else {
                    bar.animate(true)
                });
                if r.cancellable && ui.button("取消").clicked() {
                    self.worker.cancel();
                }
            } else if let Some((is_error, text)) = &self.status {
                let color = if *is_error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.colored_label(color, text);
            } else {
                ui.label("就绪");
            }
        });
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
