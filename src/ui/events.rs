//! What reaches the window between frames: the worker's events, answered dialogs, a pasted
//! screenshot and dropped files. Each event updates the screen it belongs to.

use std::sync::Arc;

use super::status_bar::Running;
use super::{App, SampleScreen, Screen};
use crate::worker::{Command, Event, Job};

impl App {
    /// Takes worker events, dialog answers and dropped files; called once per frame before
    /// drawing.
    pub fn logic(&mut self, ctx: &egui::Context) {
        self.fit_to_screen(ctx);
        for event in self.worker.poll().collect::<Vec<_>>() {
            self.on_event(event);
        }
        if let Some(theme) = self.theme_pending.take() {
            ctx.set_theme(theme);
        }
        if let Some(result) = self.paste.as_ref().and_then(|p| p.3.poll()) {
            let (draw, account, item, _) = self.paste.take().expect("checked above");
            match result {
                Ok(evidence) => {
                    for evidence in evidence {
                        self.send(Command::AddEvidence {
                            draw,
                            account,
                            item: item.clone(),
                            evidence,
                        });
                    }
                }
                Err(message) => self.status = Some((true, message)),
            }
        }
        self.poll_dialog();
        self.take_dropped_files(ctx);
    }

    #[allow(clippy::too_many_lines)] // one arm per worker event
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
                // Once a roster exists, the window opens on 概况.
                if self.running.is_none()
                    && self.screen == Screen::Roster
                    && !self.opened
                    && !accounts.is_empty()
                {
                    self.screen = Screen::Overview;
                }
                self.opened = true;
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
                self.shrink_confirmed = false;
                self.preview = Some((report, file));
            }
            Event::ImportCommitted(report) => {
                self.status = Some((false, report.summary()));
            }
            Event::ProblemListSaved(path) => {
                let message = format!("问题清单已保存：{}", path.display());
                self.wrote(Job::SaveProblems, &message);
                self.status = Some((false, message));
            }
            Event::HistoryLoaded {
                account,
                changes,
                problems,
            } => self.roster.set_history(account, changes, problems),
            Event::DrawLoaded {
                quarter,
                draw,
                history,
                work,
            } => {
                self.sample.set_draw(quarter, draw, history, work);
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
                self.inspect.set_inspection(
                    draw,
                    account,
                    inspection.map(|i| *i),
                    checklist,
                    seq,
                    &mut self.commands,
                );
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
            Event::RollupLoaded(view) => self.rollup.set_view(*view),
            Event::OverviewLoaded(quarter, overview) => self.overview.set_view(quarter, overview),
            Event::SettingsLoaded(view) => self.settings.set_view(*view),
            Event::BackupFound(info) => {
                self.screen = Screen::Settings;
                self.settings.ask_restore(*info);
            }
            Event::Identity {
                user_name,
                region,
                dark,
            } => {
                if dark {
                    self.settings.dark = true;
                    self.theme_pending = Some(egui::Theme::Dark);
                }
                if user_name.trim().is_empty() {
                    self.identity = Some((String::new(), region));
                }
            }
            Event::Locked(message) => {
                self.running = None;
                self.locked = Some(message);
            }
            Event::OpenedReadOnly => {
                self.running = None;
                self.locked = None;
                self.read_only = true;
                self.inspect.read_only = true;
                self.status = Some((
                    false,
                    "数据库已以只读方式打开：可以查看，不能修改。要修改，请关闭本软件的另一个窗口（或等命令结束） 后重新打开本程序。"
                        .to_owned(),
                ));
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
            Event::PackageImported { conflicts } => {
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
                self.wrote(job, &message);
                self.status = Some((false, message));
            }
            Event::Stopped => {
                // Nothing will answer now: no job is running any more.
                self.stopped = true;
                self.running = None;
                self.preview = None;
            }
            Event::Failed { job, message } => {
                self.running = None;
                if job == Job::Open {
                    self.fatal = Some(message);
                    // Offer the backups.
                    self.send(Command::LoadSettings);
                } else {
                    if job == Job::Draw {
                        // Refused (work began meanwhile, say): show the draw as it is now.
                        self.sample.invalidate();
                    }
                    self.status = Some((true, message));
                }
            }
        }
    }
}

impl App {
    /// A job that wrote files is done: its message is shown with 打开所在文件夹.
    fn wrote(&mut self, job: Job, message: &str) {
        if let Some((_, folder)) = self.writing.take_if(|(j, _)| *j == job) {
            self.written = Some((message.to_owned(), folder));
        }
    }

    /// On a screen up to 1440 px wide (office laptops: 1366×768, 1280×800, 1024×768) the window
    /// is maximised, so that the status bar is never off-screen; larger screens keep the
    /// default size.
    fn fit_to_screen(&mut self, ctx: &egui::Context) {
        if self.fitted {
            return;
        }
        let Some(monitor) = ctx.input(|i| i.viewport().monitor_size) else {
            return;
        };
        self.fitted = true;
        if monitor.x <= 1440.0 {
            ctx.send_viewport_cmd(egui::ViewportCommand::Maximized(true));
        }
    }
}
