//! The one thread that owns the database. Front ends send it [`Command`]s and receive
//! [`Event`]s; long jobs report progress and can be cancelled. No egui here: the window
//! passes a `notify` callback that wakes it when an event is ready.

mod handle;
mod jobs;
mod protocol;
mod rollup_jobs;
mod settings_jobs;

pub use handle::WorkerHandle;
pub use protocol::{
    Command, Event, ExchangeView, Job, RectificationView, RollupCommand, RollupView, SettingsView,
};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;

use crate::steps::action::{Action, Ctx};
use crate::steps::inspect::{ChangeCheck, Check};
use crate::steps::roster_import::ImportPreview;
use crate::store::Store;

use handle::Reporter;

struct Worker {
    db: PathBuf,
    /// Closed before the lock is let go (fields drop in this order).
    store: Option<Store>,
    /// The database's lock, held from the first open to the end (none while read-only).
    lock: Option<crate::store::DbLock>,
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
        if self.lock.is_none() {
            match crate::store::lock(db, "窗口", now()) {
                Ok(lock) => self.lock = Some(lock),
                Err(e @ crate::store::LockError::Held { .. }) => {
                    return self.emit(Event::Locked(e.to_string()));
                }
                Err(e) => return self.fail(Job::Open, e.to_string()),
            }
        }
        match Store::open(db) {
            Ok(store) => {
                let setting = |key| store.setting(key).ok().flatten().unwrap_or_default();
                let identity = Event::Identity {
                    user_name: setting(crate::store::settings::USER_NAME),
                    region: setting(crate::store::settings::REGION_NAME),
                    dark: setting(crate::store::settings::THEME) == "dark",
                };
                self.store = Some(store);
                self.emit(identity);
                self.load_roster();
            }
            Err(e) => self.fail(Job::Open, e.to_string()),
        }
    }

    /// Tries the lock every half second until the other program lets go, then opens.
    fn wait_and_open(&mut self) {
        self.emit(Event::Progress {
            job: Job::Open,
            fraction: None,
            text: "正在等待本软件的另一个窗口或命令关闭数据库…".to_owned(),
        });
        loop {
            match crate::store::lock(&self.db, "窗口", now()) {
                Ok(lock) => {
                    self.lock = Some(lock);
                    let db = self.db.clone();
                    return self.open(&db);
                }
                Err(crate::store::LockError::Held { .. }) => {
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
                Err(e) => return self.fail(Job::Open, e.to_string()),
            }
        }
    }

    fn load_roster(&self) {
        let Some(store) = &self.store else { return };
        match store.accounts() {
            Ok(accounts) => self.emit(Event::RosterLoaded(Arc::new(accounts))),
            Err(e) => self.fail(Job::Roster, e.to_string()),
        }
    }

    #[allow(clippy::too_many_lines)] // one arm per command
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
            Command::WaitAndOpen => return self.wait_and_open(),
            Command::OpenReadOnly => {
                return match Store::open_read_only(&self.db) {
                    Ok(store) => {
                        self.store = Some(store);
                        self.emit(Event::OpenedReadOnly);
                        self.load_roster();
                    }
                    Err(e) => self.fail(Job::Open, e.to_string()),
                };
            }
            other => other,
        };
        if self.store.is_none() {
            self.fail(Job::Open, "数据库没有打开，无法执行操作。".to_owned());
            return;
        }
        // Each arm routes: a user action runs through `perform`, which says what its action
        // declares; what follows reads the views the action changed.
        match command {
            Command::PreviewImport(action) => self.preview_import(action),
            Command::CommitImport { allow_shrink } => self.commit_import(allow_shrink),
            Command::DiscardImport => self.preview = None,
            Command::SaveProblemList { path } => self.save_problem_list(path),
            Command::PreviewDemo => self.preview_demo(),
            Command::LoadHistory { account } => self.load_history(account),
            Command::LoadDraw(quarter) => self.load_draw(quarter),
            Command::MakeDraw(action) => {
                self.perform(&action, |w, draw| w.draw_made(draw));
            }
            Command::Assign(action) => {
                self.perform(&action, |w, _| w.load_draw(action.quarter));
            }
            Command::Reassign(action) => {
                self.perform(&action, |w, _| w.load_draw(action.quarter));
            }
            Command::SaveSampleList(action) => {
                self.perform(&action, |_, ()| {});
            }
            Command::LoadInspections(quarter) => self.load_inspections(quarter),
            Command::ImportResults(action) => {
                self.perform(&action, |w, report| {
                    w.emit(Event::ResultsImported(Box::new(report.clone())));
                    w.load_inspections(action.quarter);
                });
            }
            Command::InstallChecklist { action, quarter } => {
                self.perform(&action, |w, _| w.load_inspections(quarter));
            }
            Command::OpenInspection { draw, account } => {
                let check = Check { draw, account };
                let read = self.store.as_ref().map(|s| s.inspection(draw, account));
                match read {
                    Some(Ok(inspection)) => self.inspection_updated(check, inspection, None),
                    Some(Err(e)) => self.fail(Job::Inspect, e.to_string()),
                    None => {}
                }
            }
            Command::SaveFinding {
                draw,
                account,
                finding,
                seq,
            } => self.change_check(draw, account, ChangeCheck::Save(finding), Some(seq)),
            Command::AddEvidence {
                draw,
                account,
                item,
                evidence,
            } => self.change_check(
                draw,
                account,
                ChangeCheck::AddEvidence { item, evidence },
                None,
            ),
            Command::RemoveEvidence {
                draw,
                account,
                evidence,
            } => self.change_check(draw, account, ChangeCheck::RemoveEvidence(evidence), None),
            Command::FinishInspection { draw, account } => {
                self.change_check(draw, account, ChangeCheck::Finish, None);
            }
            Command::ReopenInspection { draw, account } => {
                self.change_check(draw, account, ChangeCheck::Reopen, None);
            }
            Command::PassRest { draw, account } => {
                self.change_check(draw, account, ChangeCheck::PassRest, None);
            }
            Command::SaveSetting(action) => {
                self.perform(&action, |w, ()| {
                    w.emit(Event::SettingSaved {
                        key: action.key,
                        value: action.value.clone(),
                    });
                });
            }
            Command::LoadRectifications(quarter) => self.load_rectifications(quarter),
            Command::ExportNotice(action) => {
                self.perform(&action, |_, _| {});
            }
            Command::ExportRectification(action) => {
                self.perform(&action, |w, _| w.load_rectifications(action.quarter));
            }
            Command::ImportFeedback { action, quarter } => {
                self.perform(&action, |w, report| {
                    w.emit(Event::FeedbackImported(Box::new(report.clone())));
                    w.load_rectifications(quarter);
                });
            }
            Command::ReviewRectification { action, quarter } => {
                self.perform(&action, |w, _| w.load_rectifications(quarter));
            }
            Command::BackupTo(action) => {
                self.perform(&action, |w, _| w.load_settings());
            }
            Command::ExportLog(action) => {
                self.perform(&action, |_, _| {});
            }
            Command::LoadExchange(quarter) => self.load_exchange(quarter),
            Command::LoadRollup(quarter) => self.load_rollup(quarter),
            Command::Rollup { action, quarter } => self.rollup(action, quarter),
            Command::LoadOverview(quarter) => self.load_overview(quarter),
            Command::ExportStats(action) => {
                self.perform(&action, |_, ()| {});
            }
            Command::SetRegionAlias { action, quarter } => {
                self.perform(&action, |w, ()| w.load_overview(quarter));
            }
            Command::ExportWorkPackage(action) => {
                self.perform(&action, |w, _| w.load_exchange(action.quarter));
            }
            Command::ExportResultsPackage { action, quarter } => {
                self.perform(&action, |w, _| w.load_exchange(quarter));
            }
            Command::ResolveConflict { action, quarter } => {
                self.perform(&action, |w, ()| w.load_exchange(quarter));
            }
            Command::ImportPackage { action, quarter } => {
                self.perform(&action, |w, done| {
                    w.emit(Event::PackageImported {
                        conflicts: done.conflicts(),
                    });
                    w.load_exchange(quarter);
                    w.load_roster();
                });
            }
            Command::LoadSettings
            | Command::Restore(_)
            | Command::InspectBackup(_)
            | Command::WaitAndOpen
            | Command::OpenReadOnly => {}
        }
    }

    /// Runs a user action as it declares itself: progress goes to the window (throttled), the
    /// cancel flag is its to read; on success `after` reads what it changed, then its report
    /// goes to the status bar; a failure is reported in its own words.
    fn perform<A: Action>(&mut self, action: &A, after: impl FnOnce(&mut Self, &A::Done)) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, A::JOB);
        let mut progress = |share: Option<f32>, text: &str| reporter.throttled(share, text);
        let mut cx = Ctx {
            store,
            at: now(),
            fresh: crate::seed::fresh_seed(),
            progress: &mut progress,
            cancel: &self.cancel,
        };
        match action.run(&mut cx) {
            Ok(done) => {
                after(self, &done);
                if let Some(message) = action.report(&done) {
                    self.emit(Event::Done {
                        job: A::JOB,
                        message,
                    });
                }
            }
            Err(e) => self.fail(A::JOB, action.failure(&e)),
        }
    }
}

/// The front end's clock: every use case is told the time.
fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}
