//! The one thread that owns the database. Front ends send it [`Command`]s and receive
//! [`Event`]s; long jobs report progress and can be cancelled. No egui here: the window
//! passes a `notify` callback that wakes it when an event is ready.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crate::rectification::Rectification;
use crate::report::Tally;
use crate::steps::followup::{self, FeedbackReport, SheetTarget};
use crate::steps::roster_import::{self, ImportPreview, ImportReport};
use std::collections::HashMap;

use crate::checklist::{Checklist, Finding, Verdict};
use crate::model::Quarter;
use crate::model::{
    AccountChange, DrawInfo, DrawRecord, DrawRequest, Inspection, InspectionStatus, NewEvidence,
    StoredAccount,
};
use crate::store::{Store, settings};

/// What the front end asks for. Verbs.
#[derive(Debug)]
pub enum Command {
    /// Read a roster file and compare it with the database; answered by `ImportPreviewed`.
    PreviewImport {
        path: PathBuf,
        sheet: Option<String>,
    },
    /// Write the previewed roster; answered by `ImportCommitted`.
    CommitImport,
    DiscardImport,
    /// Save the previewed file's problem rows as xlsx.
    SaveProblemList {
        path: PathBuf,
    },
    LoadHistory {
        account: i64,
    },
    /// Read a quarter's draw in force and its history; answered by `DrawLoaded`.
    LoadDraw(Quarter),
    /// Draw (or redraw, with a reason) a quarter; answered by `DrawLoaded` and `Done`.
    MakeDraw(DrawRequest),
    /// Split the quarter's sample between inspectors; answered by `DrawLoaded` and `Done`.
    Assign {
        quarter: Quarter,
        inspectors: Vec<String>,
        keep_county: bool,
    },
    /// The quarter's draw with where each check stands; answered by `InspectionsLoaded`.
    LoadInspections(Quarter),
    /// Open one sampled account's check; answered by `InspectionUpdated`.
    OpenInspection {
        draw: i64,
        account: i64,
    },
    /// Save one finding at once; answered by `InspectionUpdated` carrying `seq`.
    SaveFinding {
        draw: i64,
        account: i64,
        finding: Finding,
        seq: u64,
    },
    /// Attach evidence to an item; answered by `InspectionUpdated`.
    AddEvidence {
        draw: i64,
        account: i64,
        item: String,
        evidence: NewEvidence,
    },
    RemoveEvidence {
        draw: i64,
        account: i64,
        evidence: i64,
    },
    /// Mark the check finished; answered by `InspectionUpdated` and `Done`.
    FinishInspection {
        draw: i64,
        account: i64,
    },
    /// Validate a checklist file and make it the one new checks use; answered by
    /// `InspectionsLoaded` (for `quarter`) and `Done`.
    InstallChecklist {
        path: PathBuf,
        quarter: Quarter,
    },
    /// Import findings from a shared sheet (valid rows in one transaction); answered by
    /// `ResultsImported` and `InspectionsLoaded`.
    ImportResults {
        path: PathBuf,
        quarter: Quarter,
    },
    /// Store a setting (the user's name, the region…); answered by `SettingSaved`.
    SaveSetting {
        key: &'static str,
        value: String,
    },
    /// Write the quarter's 抽查名单 as xlsx; answered by `Done`.
    SaveSampleList {
        quarter: Quarter,
        path: PathBuf,
    },
    /// The quarter's problems sent for rectification; answered by `RectificationsLoaded`.
    LoadRectifications(Quarter),
    /// Write the quarter's notice; answered by `Done`.
    ExportNotice {
        quarter: Quarter,
        path: PathBuf,
    },
    /// Issue the quarter's problems and write the sheets; answered by `Done` and
    /// `RectificationsLoaded`.
    ExportRectification {
        quarter: Quarter,
        target: SheetTarget,
    },
    /// Read the units' filled-in sheets; answered by `FeedbackImported` and
    /// `RectificationsLoaded` (for `quarter`).
    ImportFeedback {
        paths: Vec<PathBuf>,
        quarter: Quarter,
    },
    /// The assignment, conflicts and package history; answered by `ExchangeLoaded`.
    LoadExchange(Quarter),
    /// Write one inspector's work package; answered by `Done` and `ExchangeLoaded`.
    ExportWorkPackage {
        quarter: Quarter,
        inspector: String,
        path: PathBuf,
    },
    /// Open a work package or merge a result package (by its kind); answered by
    /// `PackageImported` and `ExchangeLoaded`.
    ImportPackage {
        path: PathBuf,
        quarter: Quarter,
    },
    /// Write this laptop's result package; answered by `Done` and `ExchangeLoaded`.
    ExportResultsPackage {
        path: PathBuf,
        quarter: Quarter,
    },
    /// Settle a merge conflict; answered by `Done` and `ExchangeLoaded`.
    ResolveConflict {
        id: i64,
        take_incoming: bool,
        quarter: Quarter,
    },
    /// Settings, backups and the operation log (works without a database, to list backups);
    /// answered by `SettingsLoaded`.
    LoadSettings,
    /// Back the database up into a new folder inside this one; answered by `Done` and
    /// `SettingsLoaded`.
    BackupTo(PathBuf),
    /// Replace the database with a backup (the worker closes and reopens it); answered by
    /// `Restored` (then the roster) or `Failed`.
    Restore(PathBuf),
    /// Read a backup's description, to confirm a restore; answered by `BackupFound`.
    InspectBackup(PathBuf),
    /// Write the operation log as xlsx; answered by `Done`.
    ExportLog(PathBuf),
    /// Write a generated 示例 roster beside the database and preview its import; answered by
    /// `ImportPreviewed`.
    PreviewDemo,
    /// Close a problem or reject its fix; answered by `Done` and `RectificationsLoaded`.
    ReviewRectification {
        id: i64,
        close: bool,
        note: String,
        quarter: Quarter,
    },
}

/// Which long job a progress report or failure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Open,
    Roster,
    ReadRoster,
    WriteRoster,
    SaveProblems,
    History,
    Draw,
    Assign,
    SaveSampleList,
    Inspect,
    Evidence,
    Settings,
    Export,
    Rectify,
    Exchange,
    Backup,
}

/// What happened. Past tense.
#[derive(Debug)]
pub enum Event {
    /// The worker thread is gone, so nothing more can be saved. Never sent by the worker:
    /// [`WorkerHandle::poll`] reports it once, when it finds the worker's channel closed.
    Stopped,
    RosterLoaded(Arc<Vec<StoredAccount>>),
    Progress {
        job: Job,
        fraction: Option<f32>,
        text: String,
    },
    ImportPreviewed {
        report: Box<ImportReport>,
        file: PathBuf,
    },
    ImportCommitted(Box<ImportReport>),
    ProblemListSaved(PathBuf),
    HistoryLoaded {
        account: i64,
        changes: Vec<AccountChange>,
    },
    /// The draw in force for a quarter (if any) and every draw of it, the one in force last.
    DrawLoaded {
        quarter: Quarter,
        draw: Option<Arc<DrawRecord>>,
        history: Vec<DrawInfo>,
    },
    InspectionsLoaded {
        quarter: Quarter,
        draw: Option<Arc<DrawRecord>>,
        states: HashMap<i64, (InspectionStatus, Option<Verdict>)>,
        /// The user's name (setting), to show "my" accounts.
        me: String,
        /// The checklist new checks use.
        checklist: Arc<Checklist>,
    },
    /// One check as stored now (`None` if not started), with the checklist it uses.
    InspectionUpdated {
        draw: i64,
        account: i64,
        inspection: Option<Box<Inspection>>,
        checklist: Arc<Checklist>,
        /// The `SaveFinding` this answers, if any.
        seq: Option<u64>,
    },
    SettingSaved {
        key: &'static str,
        value: String,
    },
    ResultsImported(Box<crate::results::ResultsReport>),
    /// The problems issued for a quarter's draw in force, with what the screen shows beside.
    RectificationsLoaded(Box<RectificationView>),
    FeedbackImported(Box<FeedbackReport>),
    ExchangeLoaded(Box<ExchangeView>),
    SettingsLoaded(Box<SettingsView>),
    BackupFound(Box<crate::store::BackupInfo>),
    /// The database was replaced by a backup and reopened.
    Restored(String),
    /// A package was opened or merged; the text says what it did.
    PackageImported {
        message: String,
        conflicts: usize,
    },
    /// A job finished; the text says what it did, for the status bar.
    Done {
        job: Job,
        message: String,
    },
    Failed {
        job: Job,
        message: String,
    },
}

/// What the 整改 screen shows for a quarter.
#[derive(Debug, Clone)]
pub struct RectificationView {
    pub quarter: Quarter,
    /// Whether the quarter has a draw at all.
    pub drawn: bool,
    /// The quarter's totals (抽查数, 合格, 不合格, unfinished), once drawn.
    pub total: Option<Tally>,
    pub rows: Vec<Rectification>,
    pub region: String,
    pub deadline_days: u32,
}

/// What the 设置 screen shows.
#[derive(Debug, Clone, Default)]
pub struct SettingsView {
    /// Whether the database is open (false when it is damaged: only backups are offered).
    pub open: bool,
    pub user_name: String,
    pub region: String,
    pub deadline_days: u32,
    pub db: PathBuf,
    pub backups_dir: PathBuf,
    /// Automatic backups, newest first.
    pub backups: Vec<crate::store::BackupInfo>,
    pub log: Arc<Vec<crate::model::LogEntry>>,
    /// The first log entry that fails the hash chain.
    pub log_broken_at: Option<i64>,
}

/// What the 协作 screen shows.
#[derive(Debug, Clone)]
pub struct ExchangeView {
    pub quarter: Quarter,
    pub drawn: bool,
    /// Inspectors of the quarter's draw and how many accounts each has.
    pub inspectors: Vec<(String, usize)>,
    /// Accounts of the draw not yet assigned.
    pub unassigned: usize,
    pub conflicts: Vec<crate::model::Conflict>,
    pub history: Vec<crate::model::PackageRecord>,
    /// Whether this laptop opened a work package (so it has results to send back).
    pub has_work: bool,
}

impl Command {
    /// The job a failure of this command is reported as (the one its handler reports).
    #[must_use]
    pub fn job(&self) -> Job {
        match self {
            Self::PreviewImport { .. } | Self::DiscardImport | Self::PreviewDemo => Job::ReadRoster,
            Self::CommitImport => Job::WriteRoster,
            Self::SaveProblemList { .. } => Job::SaveProblems,
            Self::LoadHistory { .. } => Job::History,
            Self::LoadDraw(_) | Self::MakeDraw(_) => Job::Draw,
            Self::Assign { .. } => Job::Assign,
            Self::SaveSampleList { .. } => Job::SaveSampleList,
            Self::LoadInspections(_)
            | Self::OpenInspection { .. }
            | Self::SaveFinding { .. }
            | Self::FinishInspection { .. }
            | Self::InstallChecklist { .. }
            | Self::ImportResults { .. } => Job::Inspect,
            Self::AddEvidence { .. } | Self::RemoveEvidence { .. } => Job::Evidence,
            Self::SaveSetting { .. } | Self::LoadSettings | Self::ExportLog(_) => Job::Settings,
            Self::ExportNotice { .. } | Self::ExportRectification { .. } => Job::Export,
            Self::LoadRectifications(_)
            | Self::ImportFeedback { .. }
            | Self::ReviewRectification { .. } => Job::Rectify,
            Self::LoadExchange(_)
            | Self::ExportWorkPackage { .. }
            | Self::ImportPackage { .. }
            | Self::ExportResultsPackage { .. }
            | Self::ResolveConflict { .. } => Job::Exchange,
            Self::BackupTo(_) | Self::Restore(_) | Self::InspectBackup(_) => Job::Backup,
        }
    }
}

/// What the user is told when the worker panicked (a bug) while doing a job. A transaction
/// open at the time was dropped while unwinding, which rolls it back.
fn internal_error(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("未知错误");
    format!("内部错误：{text}，数据库没有改动。请把这条消息告诉技术人员。")
}

/// The front end's side of the worker.
pub struct WorkerHandle {
    commands: Sender<Command>,
    events: Receiver<Event>,
    cancel: Arc<AtomicBool>,
    /// Whether `poll` has reported that the worker thread is gone.
    stopped: std::cell::Cell<bool>,
}

impl WorkerHandle {
    /// Starts the worker on its own thread; it opens the database at `db` first.
    ///
    /// A panic while handling a command is a bug, not the end of the window: it is caught,
    /// reported as `Failed` for the command's job, and the worker goes on with the next
    /// command. The default panic hook still prints it.
    pub fn spawn(db: PathBuf, notify: Box<dyn Fn() + Send>) -> std::io::Result<Self> {
        use std::panic::{AssertUnwindSafe, catch_unwind};
        let (commands, inbox) = channel::<Command>();
        let (outbox, events) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        std::thread::Builder::new()
            .name("spotcheck-db".to_owned())
            .spawn(move || {
                let mut worker = Worker {
                    db: db.clone(),
                    store: None,
                    preview: None,
                    outbox,
                    notify,
                    cancel: flag,
                };
                if let Err(panic) = catch_unwind(AssertUnwindSafe(|| worker.open(&db))) {
                    worker.fail(Job::Open, internal_error(&*panic));
                }
                for command in inbox {
                    let job = command.job();
                    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| worker.handle(command))) {
                        worker.fail(job, internal_error(&*panic));
                    }
                }
            })?;
        Ok(Self {
            commands,
            events,
            cancel,
            stopped: std::cell::Cell::new(false),
        })
    }

    /// A handle whose worker is already gone, as if its thread had died (for tests of the
    /// window).
    #[doc(hidden)]
    #[must_use]
    pub fn already_stopped() -> Self {
        let (commands, _) = channel();
        let (_, events) = channel();
        Self {
            commands,
            events,
            cancel: Arc::default(),
            stopped: std::cell::Cell::new(false),
        }
    }

    pub fn send(&self, command: Command) {
        // A new command starts with a fresh cancel flag. It is cleared here, by the sender, not
        // when the worker picks the command up: a cancel given right after sending must count.
        self.cancel.store(false, Ordering::Relaxed);
        // Fails only if the worker thread is gone; `poll` then reports `Stopped`.
        let _ = self.commands.send(command);
    }

    /// Events ready now, without waiting. Once the worker thread is gone and its last events
    /// are read, yields `Event::Stopped` (once).
    pub fn poll(&self) -> impl Iterator<Item = Event> + '_ {
        std::iter::from_fn(move || match self.events.try_recv() {
            Ok(event) => Some(event),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                (!self.stopped.replace(true)).then_some(Event::Stopped)
            }
        })
    }

    /// Waits for the next event (for tests).
    #[must_use]
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Asks the running job to stop; it answers with `Failed` and changes nothing.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Sends a long job's progress to the window, at most every 100 ms when throttled.
struct Reporter<'a> {
    outbox: &'a Sender<Event>,
    notify: &'a (dyn Fn() + Send),
    job: Job,
    last: Option<Instant>,
}

impl<'a> Reporter<'a> {
    fn new(outbox: &'a Sender<Event>, notify: &'a (dyn Fn() + Send), job: Job) -> Self {
        Self {
            outbox,
            notify,
            job,
            last: None,
        }
    }

    /// Whether 100 ms have passed since the last report (and it is time for another).
    fn due(&mut self) -> bool {
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return false;
        }
        self.last = Some(Instant::now());
        true
    }

    fn send(&self, fraction: Option<f32>, text: &str) {
        let _ = self.outbox.send(Event::Progress {
            job: self.job,
            fraction,
            text: text.to_owned(),
        });
        (self.notify)();
    }

    fn throttled(&mut self, fraction: Option<f32>, text: &str) {
        if self.due() {
            self.send(fraction, text);
        }
    }
}

struct Worker {
    db: PathBuf,
    store: Option<Store>,
    preview: Option<ImportPreview>,
    outbox: Sender<Event>,
    notify: Box<dyn Fn() + Send>,
    cancel: Arc<AtomicBool>,
}

impl Worker {
    fn emit(&self, event: Event) {
        let _ = self.outbox.send(event);
        (self.notify)();
    }

    fn fail(&self, job: Job, message: String) {
        self.emit(Event::Failed { job, message });
    }

    fn open(&mut self, db: &std::path::Path) {
        match Store::open(db) {
            Ok(store) => {
                self.store = Some(store);
                self.load_roster();
            }
            Err(e) => self.fail(Job::Open, e.to_string()),
        }
    }

    fn load_roster(&self) {
        let Some(store) = &self.store else { return };
        match store.accounts() {
            Ok(accounts) => self.emit(Event::RosterLoaded(Arc::new(accounts))),
            Err(e) => self.fail(Job::Roster, e.to_string()),
        }
    }

    fn handle(&mut self, command: Command) {
        // These work on a database that could not be opened: to offer and restore a backup.
        let command = match command {
            Command::LoadSettings => return self.load_settings(),
            Command::InspectBackup(path) => {
                return match crate::store::read_info(&path) {
                    Ok(info) => self.emit(Event::BackupFound(Box::new(info))),
                    Err(e) => self.fail(Job::Backup, e.to_string()),
                };
            }
            Command::Restore(backup) => return self.restore(&backup),
            other => other,
        };
        if self.store.is_none() {
            self.fail(Job::Open, "数据库没有打开，无法执行操作。".to_owned());
            return;
        }
        match command {
            Command::PreviewImport { path, sheet } => self.preview_import(path, sheet.as_deref()),
            Command::CommitImport => self.commit_import(),
            Command::DiscardImport => self.preview = None,
            Command::SaveProblemList { path } => {
                let Some(preview) = &self.preview else { return };
                match crate::export::write_problem_list(&preview.report(false), &path) {
                    Ok(()) => self.emit(Event::ProblemListSaved(path)),
                    Err(e) => self.fail(Job::SaveProblems, format!("{e}（{}）", path.display())),
                }
            }
            Command::LoadDraw(quarter) => self.load_draw(quarter),
            Command::MakeDraw(request) => self.make_draw(&request),
            Command::Assign {
                quarter,
                inspectors,
                keep_county,
            } => self.assign(quarter, &inspectors, keep_county),
            Command::SaveSampleList { quarter, path } => self.save_sample_list(quarter, path),
            Command::LoadInspections(quarter) => self.load_inspections(quarter),
            Command::ImportResults { path, quarter } => self.import_results(&path, quarter),
            Command::InstallChecklist { path, quarter } => {
                let Some(store) = &mut self.store else { return };
                let result = std::fs::read_to_string(&path)
                    .map_err(|e| format!("无法读取检查表文件：{e}（{}）", path.display()))
                    .and_then(|text| {
                        Checklist::from_json(&text)
                            .map_err(|e| format!("{e}（{}）", path.display()))
                    })
                    .and_then(|c| {
                        crate::steps::inspect::install_checklist(store, &c, now())
                            .map(|()| c)
                            .map_err(|e| e.to_string())
                    });
                match result {
                    Ok(c) => {
                        self.load_inspections(quarter);
                        self.emit(Event::Done {
                            job: Job::Inspect,
                            message: format!(
                                "已启用检查表“{}”（版本 {}，{} 项）。已开始的检查仍按原检查表。",
                                c.title,
                                c.version,
                                c.items.len()
                            ),
                        });
                    }
                    Err(message) => self.fail(Job::Inspect, message),
                }
            }
            Command::OpenInspection { draw, account } => {
                self.inspection_step(draw, account, None, Job::Inspect, |s, _| {
                    Ok(s.inspection(draw, account)?)
                });
            }
            Command::SaveFinding {
                draw,
                account,
                finding,
                seq,
            } => {
                self.inspection_step(draw, account, Some(seq), Job::Inspect, |s, at| {
                    crate::steps::inspect::save_finding(s, draw, account, &finding, at).map(Some)
                });
            }
            Command::AddEvidence {
                draw,
                account,
                item,
                evidence,
            } => {
                self.inspection_step(draw, account, None, Job::Evidence, |s, at| {
                    crate::steps::inspect::add_evidence(s, draw, account, &item, evidence, at)
                        .map(Some)
                });
            }
            Command::RemoveEvidence {
                draw,
                account,
                evidence,
            } => {
                self.inspection_step(draw, account, None, Job::Evidence, |s, _| {
                    crate::steps::inspect::remove_evidence(s, draw, account, evidence).map(Some)
                });
            }
            Command::FinishInspection { draw, account } => {
                if self.inspection_step(draw, account, None, Job::Inspect, |s, at| {
                    crate::steps::inspect::finish_inspection(s, draw, account, at).map(Some)
                }) {
                    self.emit(Event::Done {
                        job: Job::Inspect,
                        message: "已完成这个账号的检查。".to_owned(),
                    });
                }
            }
            Command::SaveSetting { key, value } => {
                let Some(store) = &mut self.store else { return };
                match crate::steps::admin::save_setting(store, key, &value) {
                    Ok(()) => self.emit(Event::SettingSaved { key, value }),
                    Err(e) => self.fail(Job::Settings, e.to_string()),
                }
            }
            Command::LoadRectifications(quarter) => self.load_rectifications(quarter),
            Command::ExportNotice { quarter, path } => self.export_notice(quarter, &path),
            Command::ExportRectification { quarter, target } => {
                self.export_rectification(quarter, &target);
            }
            Command::ImportFeedback { paths, quarter } => self.import_feedback(&paths, quarter),
            Command::ReviewRectification {
                id,
                close,
                note,
                quarter,
            } => {
                let Some(store) = &mut self.store else { return };
                match crate::steps::followup::review_rectification(store, id, close, &note, now()) {
                    Ok(r) => {
                        self.load_rectifications(quarter);
                        self.emit(Event::Done {
                            job: Job::Rectify,
                            message: format!(
                                "“{}”（{}）{}：{}。",
                                r.name,
                                r.platform,
                                r.category,
                                if close {
                                    "已复核关闭"
                                } else {
                                    "复核未通过，已退回单位重新整改"
                                }
                            ),
                        });
                    }
                    Err(e) => self.fail(Job::Rectify, e.to_string()),
                }
            }
            Command::LoadSettings | Command::Restore(_) | Command::InspectBackup(_) => {}
            Command::BackupTo(dir) => {
                self.progress(Job::Backup, "正在备份数据库和证据文件…");
                let Some(store) = &mut self.store else { return };
                match crate::steps::admin::backup_to(store, &dir, now()) {
                    Ok(info) => {
                        self.load_settings();
                        self.emit(Event::Done {
                            job: Job::Backup,
                            message: format!(
                                "已备份到 {}（账号 {} 个，证据文件 {} 个）。",
                                info.path.display(),
                                info.accounts.unwrap_or(0),
                                info.evidence_files
                            ),
                        });
                    }
                    Err(e) => self.fail(Job::Backup, e.to_string()),
                }
            }
            Command::ExportLog(path) => {
                let Some(store) = &self.store else { return };
                let result = store
                    .log_entries()
                    .and_then(|entries| Ok((store.verify_log()?, entries)))
                    .map_err(|e| e.to_string())
                    .and_then(|(broken, entries)| {
                        crate::export::write_log(&entries, broken, &path)
                            .map(|()| entries.len())
                            .map_err(|e| format!("{e}（{}）", path.display()))
                    });
                match result {
                    Ok(n) => self.emit(Event::Done {
                        job: Job::Settings,
                        message: format!("操作日志已保存：{}（{n} 条）", path.display()),
                    }),
                    Err(message) => self.fail(Job::Settings, message),
                }
            }
            Command::PreviewDemo => {
                let path = self
                    .db
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."))
                    .join("示例名录（虚构数据）.xlsx");
                let accounts = crate::steps::demo::accounts(600, 2026);
                match crate::steps::demo::write_roster_xlsx(&accounts, &path) {
                    Ok(()) => self.preview_import(path, None),
                    Err(e) => self.fail(Job::ReadRoster, format!("{e}（{}）", path.display())),
                }
            }
            Command::LoadExchange(quarter) => self.load_exchange(quarter),
            Command::ExportWorkPackage {
                quarter,
                inspector,
                path,
            } => {
                self.progress(Job::Exchange, "正在导出工作包…");
                let Some(store) = &mut self.store else { return };
                let result = crate::steps::exchange::export_work_package(
                    store,
                    quarter,
                    &inspector,
                    &path,
                    now(),
                    crate::seed::fresh_seed(),
                );
                self.exchange_done(
                    quarter,
                    result.map(|_| format!("{inspector}的工作包已保存：{}", path.display())),
                );
            }
            Command::ImportPackage { path, quarter } => self.import_package(&path, quarter),
            Command::ExportResultsPackage { path, quarter } => {
                self.progress(Job::Exchange, "正在导出结果包…");
                let Some(store) = &mut self.store else { return };
                let result = crate::steps::exchange::export_results_package(
                    store,
                    &path,
                    now(),
                    crate::seed::fresh_seed(),
                );
                self.exchange_done(
                    quarter,
                    result
                        .map(|_| format!("结果包已保存：{}。请把它交给组长合并。", path.display())),
                );
            }
            Command::ResolveConflict {
                id,
                take_incoming,
                quarter,
            } => {
                let Some(store) = &mut self.store else { return };
                let result =
                    crate::steps::exchange::resolve_conflict(store, id, take_incoming, now());
                self.exchange_done(
                    quarter,
                    result.map(|()| {
                        if take_incoming {
                            "已采用结果包的内容。"
                        } else {
                            "已保留本机的内容。"
                        }
                        .to_owned()
                    }),
                );
            }
            Command::LoadHistory { account } => {
                let Some(store) = &self.store else { return };
                match store.account_history(account) {
                    Ok(changes) => self.emit(Event::HistoryLoaded { account, changes }),
                    Err(e) => self.fail(Job::History, e.to_string()),
                }
            }
        }
    }

    fn preview_import(&mut self, path: PathBuf, sheet: Option<&str>) {
        self.preview = None;
        let Some(store) = &self.store else { return };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, Job::ReadRoster);
        let mut progress = |p: crate::roster::ReadProgress| {
            if reporter.due() {
                reporter.send(p.fraction, &format!("正在读取第 {} 行…", p.rows));
            }
        };
        match roster_import::preview(store, &path, sheet, &mut progress, &self.cancel) {
            Ok(preview) => {
                let report = Box::new(preview.report(false));
                self.preview = Some(preview);
                self.emit(Event::ImportPreviewed { report, file: path });
            }
            Err(e) => self.fail(Job::ReadRoster, e.to_string()),
        }
    }

    fn commit_import(&mut self) {
        let Some(preview) = self.preview.take() else {
            self.fail(
                Job::WriteRoster,
                "没有待导入的名录，请重新选择文件。".to_owned(),
            );
            return;
        };
        self.emit(Event::Progress {
            job: Job::WriteRoster,
            fraction: None,
            text: "正在写入数据库…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        match roster_import::commit(store, &preview, now()) {
            Ok(report) => {
                self.emit(Event::ImportCommitted(Box::new(report)));
                self.load_roster();
            }
            Err(e) => self.fail(Job::WriteRoster, format!("{e}。数据库没有任何改动。")),
        }
    }

    fn load_draw(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = store
            .current_draw(quarter)
            .and_then(|d| Ok((d, store.draw_history(quarter)?)));
        match loaded {
            Ok((draw, history)) => self.emit(Event::DrawLoaded {
                quarter,
                draw: draw.map(Arc::new),
                history,
            }),
            Err(e) => self.fail(Job::Draw, e.to_string()),
        }
    }

    fn make_draw(&mut self, request: &DrawRequest) {
        self.emit(Event::Progress {
            job: Job::Draw,
            fraction: None,
            text: "正在抽样…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        let made = crate::steps::draw::make_draw(store, request, now())
            .and_then(|draw| Ok((store.draw_history(request.quarter)?, draw)));
        match made {
            Ok((history, draw)) => {
                let i = &draw.info;
                let message = format!(
                    "{}已抽取 {} 个账号（在运行账号 {} 个，比例 {}，随机种子 {}）。",
                    i.quarter.label(),
                    i.sampled,
                    i.population,
                    i.rate,
                    i.seed
                );
                // The draw just made is the one in force: no need to read it again.
                self.emit(Event::DrawLoaded {
                    quarter: request.quarter,
                    draw: Some(Arc::new(draw)),
                    history,
                });
                self.emit(Event::Done {
                    job: Job::Draw,
                    message,
                });
            }
            Err(e) => self.fail(Job::Draw, format!("{e}")),
        }
    }

    fn assign(&mut self, quarter: Quarter, inspectors: &[String], keep_county: bool) {
        let Some(store) = &mut self.store else { return };
        match crate::steps::draw::assign(store, quarter, inspectors, keep_county, now()) {
            Ok(loads) => {
                let message = format!(
                    "已分配：{}。",
                    loads
                        .iter()
                        .map(|(n, c)| format!("{n} {c} 个"))
                        .collect::<Vec<_>>()
                        .join("，")
                );
                self.load_draw(quarter);
                self.emit(Event::Done {
                    job: Job::Assign,
                    message,
                });
            }
            Err(e) => self.fail(Job::Assign, e.to_string()),
        }
    }

    fn save_sample_list(&mut self, quarter: Quarter, path: PathBuf) {
        self.emit(Event::Progress {
            job: Job::SaveSampleList,
            fraction: None,
            text: "正在导出抽查名单…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        let result = (|| -> Result<(), String> {
            let draw = store
                .current_draw(quarter)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| crate::steps::draw::DrawError::NoDraw(quarter).to_string())?;
            followup::export_sample_list(store, &draw, &path, now()).map_err(|e| e.to_string())
        })();
        match result {
            Ok(()) => self.emit(Event::Done {
                job: Job::SaveSampleList,
                message: format!("抽查名单已保存：{}", path.display()),
            }),
            Err(message) => self.fail(Job::SaveSampleList, message),
        }
    }

    fn load_inspections(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<_, String> {
            let draw = store.current_draw(quarter).map_err(|e| e.to_string())?;
            let states = match &draw {
                Some(d) => store
                    .inspection_states(d.info.id)
                    .map_err(|e| e.to_string())?,
                None => HashMap::new(),
            };
            let me = store
                .setting(settings::USER_NAME)
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            let checklist = store.active_checklist().map_err(|e| e.to_string())?;
            Ok((draw, states, me, checklist))
        })();
        match loaded {
            Ok((draw, states, me, checklist)) => self.emit(Event::InspectionsLoaded {
                quarter,
                draw: draw.map(Arc::new),
                states,
                me,
                checklist: Arc::new(checklist),
            }),
            Err(e) => self.fail(Job::Inspect, e),
        }
    }

    /// Runs one change (or read) of a check and answers with the check as stored now.
    /// Returns whether it succeeded.
    fn inspection_step(
        &mut self,
        draw: i64,
        account: i64,
        seq: Option<u64>,
        job: Job,
        step: impl FnOnce(
            &mut Store,
            chrono::NaiveDateTime,
        ) -> Result<Option<Inspection>, crate::steps::inspect::InspectError>,
    ) -> bool {
        let Some(store) = &mut self.store else {
            return false;
        };
        let result = step(store, now()).and_then(|inspection| {
            let checklist = match &inspection {
                Some(i) => crate::steps::inspect::checklist_of(
                    store,
                    &i.checklist_id,
                    &i.checklist_version,
                )?,
                None => store.active_checklist()?,
            };
            Ok((inspection, checklist))
        });
        match result {
            Ok((inspection, checklist)) => {
                self.emit(Event::InspectionUpdated {
                    draw,
                    account,
                    inspection: inspection.map(Box::new),
                    checklist: Arc::new(checklist),
                    seq,
                });
                true
            }
            Err(e) => {
                self.fail(job, e.to_string());
                false
            }
        }
    }

    fn import_results(&mut self, path: &std::path::Path, quarter: Quarter) {
        self.emit(Event::Progress {
            job: Job::Inspect,
            fraction: None,
            text: "正在导入检查结果…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        let now = now();
        let result = crate::steps::results_import::preview_import(store, quarter, path, now.date())
            .and_then(|validated| {
                crate::steps::results_import::commit_import(store, &validated, now)
            });
        match result {
            Ok(report) => {
                self.emit(Event::ResultsImported(Box::new(report)));
                self.load_inspections(quarter);
            }
            Err(e) => self.fail(Job::Inspect, format!("{e}。数据库没有任何改动。")),
        }
    }

    fn load_rectifications(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<RectificationView, String> {
            let text = |e: &dyn std::fmt::Display| e.to_string();
            // Read again after every review: the draw's id and a count, not the whole report.
            let draw = store
                .draw_history(quarter)
                .map_err(|e| text(&e))?
                .into_iter()
                .find(|d| d.superseded_at.is_none());
            let (total, rows) = match &draw {
                Some(d) => (
                    Some(store.draw_tally(d.id).map_err(|e| text(&e))?),
                    store.rectifications(d.id).map_err(|e| text(&e))?,
                ),
                None => (None, Vec::new()),
            };
            Ok(RectificationView {
                quarter,
                drawn: draw.is_some(),
                total,
                rows,
                region: followup::region_name(store).map_err(|e| text(&e))?,
                deadline_days: followup::deadline_days(store).map_err(|e| text(&e))?,
            })
        })();
        match loaded {
            Ok(view) => self.emit(Event::RectificationsLoaded(Box::new(view))),
            Err(message) => self.fail(Job::Rectify, message),
        }
    }

    fn export_notice(&mut self, quarter: Quarter, path: &std::path::Path) {
        let Some(store) = &mut self.store else { return };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, Job::Export);
        let mut progress = |share: f32, what: &str| reporter.throttled(Some(share), what);
        match followup::export_notice_reporting(store, quarter, path, now(), &mut progress) {
            Ok(report) => self.emit(Event::Done {
                job: Job::Export,
                message: format!(
                    "通报已保存：{}。{}",
                    path.display(),
                    crate::export::overview_line(&report)
                ),
            }),
            Err(e) => self.fail(Job::Export, e.to_string()),
        }
    }

    fn export_rectification(&mut self, quarter: Quarter, target: &SheetTarget) {
        let Some(store) = &mut self.store else { return };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, Job::Export);
        let result = followup::export_rectification_reporting(
            store,
            quarter,
            target,
            now(),
            &mut |share, what| reporter.throttled(Some(share), what),
        );
        match result {
            Ok(issued) => {
                self.load_rectifications(quarter);
                self.emit(Event::Done {
                    job: Job::Export,
                    message: format!("{}保存位置：{}", issued.summary(), target.path().display()),
                });
            }
            Err(e) => self.fail(Job::Export, format!("{e}。数据库没有任何改动。")),
        }
    }

    fn import_feedback(&mut self, paths: &[PathBuf], quarter: Quarter) {
        let total = paths.len().max(1);
        let Some(store) = &mut self.store else { return };
        let reporter = Reporter::new(&self.outbox, &*self.notify, Job::Rectify);
        let mut progress = |n: usize| {
            reporter.send(
                Some(n as f32 / total as f32),
                &format!("正在读取第 {} 个文件（共 {total} 个）…", n + 1),
            );
        };
        let result = followup::import_feedback(store, paths, now(), &mut progress);
        match result {
            Ok(report) => {
                self.emit(Event::FeedbackImported(Box::new(report)));
                self.load_rectifications(quarter);
            }
            Err(e) => self.fail(Job::Rectify, format!("{e}。数据库没有任何改动。")),
        }
    }

    fn progress(&self, job: Job, text: &str) {
        self.emit(Event::Progress {
            job,
            fraction: None,
            text: text.to_owned(),
        });
    }

    fn exchange_done(
        &mut self,
        quarter: Quarter,
        result: Result<String, crate::steps::exchange::ExchangeError>,
    ) {
        match result {
            Ok(message) => {
                self.load_exchange(quarter);
                self.emit(Event::Done {
                    job: Job::Exchange,
                    message,
                });
            }
            Err(e) => self.fail(Job::Exchange, e.to_string()),
        }
    }

    fn load_exchange(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<ExchangeView, String> {
            let draw = store.current_draw(quarter).map_err(|e| e.to_string())?;
            let mut inspectors: Vec<(String, usize)> = Vec::new();
            let mut unassigned = 0;
            for d in draw.iter().flat_map(|d| &d.accounts) {
                match &d.inspector {
                    Some(name) => match inspectors.iter_mut().find(|(n, _)| n == name) {
                        Some((_, count)) => *count += 1,
                        None => inspectors.push((name.clone(), 1)),
                    },
                    None => unassigned += 1,
                }
            }
            let history = store.package_history().map_err(|e| e.to_string())?;
            Ok(ExchangeView {
                quarter,
                drawn: draw.is_some(),
                inspectors,
                unassigned,
                conflicts: crate::steps::exchange::conflicts(&store).map_err(|e| e.to_string())?,
                has_work: history
                    .iter()
                    .any(|h| h.event == crate::model::PackageEvent::WorkOpened),
                history,
            })
        })();
        match loaded {
            Ok(view) => self.emit(Event::ExchangeLoaded(Box::new(view))),
            Err(message) => self.fail(Job::Exchange, message),
        }
    }

    fn import_package(&mut self, path: &std::path::Path, quarter: Quarter) {
        self.progress(Job::Exchange, "正在检查并读取包…");
        let package = match crate::exchange::read_package(path) {
            Ok(p) => p,
            Err(e) => return self.fail(Job::Exchange, e.to_string()),
        };
        let Some(store) = &mut self.store else { return };
        let result = match package.manifest.kind {
            crate::exchange::PackageKind::Work => {
                crate::steps::exchange::open_work_package(store, &package, now()).map(|r| {
                    let message = if r.already_opened {
                        "这个工作包已经打开过，没有任何改动。".to_owned()
                    } else {
                        format!(
                            "已打开{}的工作包：{}，{} 个账号。请到“检查”页开始检查。",
                            r.inspector, r.quarter, r.accounts
                        )
                    };
                    (message, 0)
                })
            }
            crate::exchange::PackageKind::Results => {
                crate::steps::exchange::merge_results_package(store, &package, now())
                    .map(|r| (r.summary(), r.conflicts))
            }
        };
        match result {
            Ok((message, conflicts)) => {
                self.emit(Event::PackageImported { message, conflicts });
                self.load_exchange(quarter);
                self.load_roster();
            }
            Err(e) => self.fail(Job::Exchange, format!("{e}。数据库没有任何改动。")),
        }
    }
}

impl Worker {
    fn load_settings(&self) {
        let backups_dir = crate::store::auto_dir(&self.db);
        let mut view = SettingsView {
            db: self.db.clone(),
            backups: crate::store::list_backups(&backups_dir),
            backups_dir,
            deadline_days: crate::rectification::DEFAULT_DEADLINE_DAYS,
            ..SettingsView::default()
        };
        if let Some(store) = &self.store {
            let loaded = (|| -> Result<(), crate::store::StoreError> {
                view.user_name = store.setting(settings::USER_NAME)?.unwrap_or_default();
                view.region = followup::region_name(store)?;
                view.deadline_days = followup::deadline_days(store)?;
                view.log = Arc::new(store.log_entries()?);
                view.log_broken_at = store.verify_log()?;
                Ok(())
            })();
            if let Err(e) = loaded {
                return self.fail(Job::Settings, e.to_string());
            }
            view.open = true;
        }
        self.emit(Event::SettingsLoaded(Box::new(view)));
    }

    fn restore(&mut self, backup: &std::path::Path) {
        self.progress(Job::Backup, "正在从备份恢复…");
        // Close the database before its file is replaced.
        self.store = None;
        self.preview = None;
        let result = crate::steps::admin::restore(&self.db, backup, now());
        let db = self.db.clone();
        self.open(&db);
        self.load_settings();
        match result {
            Ok(restored) => self.emit(Event::Restored(restored.summary())),
            Err(e) => self.fail(Job::Backup, format!("{e}。数据库没有改动。")),
        }
    }
}

fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}
