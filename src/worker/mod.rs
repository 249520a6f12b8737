//! The one thread that owns the database. Front ends send it [`Command`]s and receive
//! [`Event`]s; long jobs report progress and can be cancelled. No egui here: the window
//! passes a `notify` callback that wakes it when an event is ready.

mod handle;
mod jobs;
mod protocol;
mod settings_jobs;

pub use handle::WorkerHandle;
pub use protocol::{Command, Event, ExchangeView, Job, RectificationView, SettingsView};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;

use crate::steps::roster_import::ImportPreview;
use crate::store::Store;

use handle::Reporter;

struct Worker {
    db: PathBuf,
    /// The database's lock, held from the first open to the end (none while read-only).
    lock: Option<crate::store::DbLock>,
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
            text: "正在等待另一个 spotcheck 关闭数据库…".to_owned(),
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
        match command {
            Command::PreviewImport { path, sheet, map } => {
                self.preview_import(path, sheet.as_deref(), &map);
            }
            Command::CommitImport { allow_shrink } => self.commit_import(allow_shrink),
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
                let result = crate::steps::inspect::install_checklist_file(store, &path, now())
                    .map_err(|e| e.to_string());
                match result {
                    Ok(c) => {
                        self.load_inspections(quarter);
                        self.emit(Event::Done {
                            job: Job::Inspect,
                            message: crate::steps::inspect::installed_message(&c),
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
            Command::ReopenInspection { draw, account } => {
                if self.inspection_step(draw, account, None, Job::Inspect, |s, at| {
                    crate::steps::inspect::reopen_inspection(s, draw, account, at).map(Some)
                }) {
                    self.emit(Event::Done {
                        job: Job::Inspect,
                        message: "检查已重新打开，可以修改；改完后请再点“完成”。".to_owned(),
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
            Command::LoadSettings
            | Command::Restore(_)
            | Command::InspectBackup(_)
            | Command::WaitAndOpen
            | Command::OpenReadOnly => {}
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
                    Ok(()) => self.preview_import(path, None, &crate::roster::ColumnMap::default()),
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
                let read = store.account_history(account).and_then(|changes| {
                    let problems =
                        crate::steps::followup::recheck::account_problems(store, account)?;
                    Ok((changes, problems))
                });
                match read {
                    Ok((changes, problems)) => self.emit(Event::HistoryLoaded {
                        account,
                        changes,
                        problems,
                    }),
                    Err(e) => self.fail(Job::History, e.to_string()),
                }
            }
        }
    }
}

/// The front end's clock: every use case is told the time.
fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}
