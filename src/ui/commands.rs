//! What the screens ask for, and the one place where it is carried out.
//!
//! Screens never talk to the worker or open dialogs themselves. While they draw, they push
//! [`UiCommand`]s into the [`CommandQueue`] they are given, as many as the frame produced, and
//! the app runs the whole queue, in order, once the frame is drawn (the shape of rerun's
//! `command_sender.rs`). Here a command becomes a worker [`Command`], or a file dialog whose
//! answer becomes one; a long job shows in the status bar until the worker answers it.

use std::path::PathBuf;
use std::sync::Arc;

use super::status_bar::Running;
use super::{App, dialogs};
use crate::model::Quarter;
use crate::steps::admin::{BackupTo, ExportLog};
use crate::steps::exchange::{ExportResultsPackage, ExportWorkPackage, ImportPackage};
use crate::steps::inspect::InstallChecklist;
use crate::steps::notice::{ExportNotice, SaveSampleList};
use crate::steps::rectification::{ImportFeedback, IssueRectification, SheetTarget};
use crate::steps::results_import::ImportResults;
use crate::steps::roster_import::PreviewRoster;
use crate::worker::Command;

/// What a screen asks the app to do. Verbs.
#[derive(Debug)]
pub enum UiCommand {
    /// Hand this to the worker.
    Send(Command),
    /// Ask for a file or a folder; the answer is sent to the worker as what it was asked for.
    Ask(FileRequest),
    /// Read the screenshot on the clipboard and attach it to an item of a check.
    PasteScreenshot {
        draw: i64,
        account: i64,
        item: String,
    },
    /// Write the roster shown in the import preview (`allow_shrink`: the user ticked that the
    /// accounts it takes off the roster may go).
    ConfirmImport { allow_shrink: bool },
    /// Close the import preview without writing anything.
    CancelImport,
    /// Read the previewed file again with `column` taken as `field` (`None`: 未使用).
    Remap {
        column: String,
        field: Option<crate::roster::header::Field>,
    },
}

/// The file or folder a dialog asks for, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRequest {
    /// A roster to preview and import.
    Roster,
    /// Where to save the previewed roster's problem rows.
    ProblemList,
    /// Where to save the quarter's 抽查名单, suggesting `name`.
    SampleList { quarter: Quarter, name: String },
    /// An evidence file for an item of a check.
    Evidence {
        draw: i64,
        account: i64,
        item: String,
    },
    /// A checklist definition for new checks.
    Checklist(Quarter),
    /// A sheet of findings to import into the quarter.
    Results(Quarter),
    /// Where to save the quarter's notice: its attachments (xlsx), or `word`, the 通报 itself
    /// (`allow_unfinished`: the user confirmed exporting before every check is finished).
    Notice {
        quarter: Quarter,
        word: bool,
        allow_unfinished: bool,
    },
    /// Where to save the rectification sheets: one workbook, or a folder of one file per unit.
    RectificationSheets {
        quarter: Quarter,
        folder: bool,
        allow_unfinished: bool,
    },
    /// The filled-in rectification sheets the units sent back (several at once).
    Feedback(Quarter),
    /// Where to save one inspector's work package.
    WorkPackage { quarter: Quarter, inspector: String },
    /// Where to save this laptop's result package.
    ResultsPackage(Quarter),
    /// A work or result package to open or merge.
    Package(Quarter),
    /// A folder to back up into.
    BackupFolder,
    /// A backup folder to restore from.
    RestoreFolder,
    /// Where to save the operation log.
    Log,
    /// Where to save the quarter's 统计分析 workbook.
    Stats(Quarter),
    /// Where to save this office's public key (to register above).
    PublicKey(Quarter),
    /// Where to save the quarter's 上报包.
    ReportPackage(Quarter),
    /// A reporter's public key to register under `name`.
    ReporterKey {
        quarter: Quarter,
        name: String,
        expected: bool,
    },
    /// 上报包 to import (several at once).
    Reports(Quarter),
    /// Where to save the 汇总 workbook.
    RollupBook(Quarter),
    /// Where to save the level's 汇总通报 (.docx).
    RollupNotice(Quarter),
    /// Where to save the 复核名单 drawn with `options`.
    RecheckList {
        quarter: Quarter,
        options: crate::rollup::recheck::RecheckOptions,
    },
    /// Filled-in 复核名单 to import (several at once).
    RecheckFilled(Quarter),
}

/// The commands pushed during one frame, in the order they were pushed.
#[derive(Debug, Default)]
pub struct CommandQueue {
    commands: Vec<UiCommand>,
    /// The database is open read-only: screens disable what would change it.
    read_only: bool,
}

impl CommandQueue {
    /// Whether the database is open read-only (set by the window each frame).
    #[must_use]
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    pub fn set_read_only(&mut self, read_only: bool) {
        self.read_only = read_only;
    }

    /// A button whose action changes the database (or its log, as every export does):
    /// disabled while the database is open read-only, its tooltip saying why.
    pub fn write_button(
        &self,
        ui: &mut egui::Ui,
        text: impl Into<egui::WidgetText>,
    ) -> egui::Response {
        self.write_button_when(ui, true, egui::Button::new(text))
    }

    /// [`Self::write_button`] for a button that the screen also enables only `when` its own
    /// condition holds (a note written, names given…); the read-only reason is shown only
    /// when it is read-only that disables it.
    pub fn write_button_when(
        &self,
        ui: &mut egui::Ui,
        when: bool,
        button: egui::Button<'_>,
    ) -> egui::Response {
        let response = ui.add_enabled(when && !self.read_only, button);
        if self.read_only {
            response.on_disabled_hover_text(super::READ_ONLY)
        } else {
            response
        }
    }

    pub fn push(&mut self, command: UiCommand) {
        self.commands.push(command);
    }

    /// Queues `command` for the worker.
    pub fn send(&mut self, command: Command) {
        self.push(UiCommand::Send(command));
    }

    /// Queues a file dialog.
    pub fn ask(&mut self, request: FileRequest) {
        self.push(UiCommand::Ask(request));
    }

    /// What was pushed so far (tests read it).
    #[must_use]
    pub fn commands(&self) -> &[UiCommand] {
        &self.commands
    }

    /// Takes every command out, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = UiCommand> + '_ {
        self.commands.drain(..)
    }
}

/// What to send once a dialog is answered with the paths chosen (`None`: nothing to do).
pub(crate) type Then = Box<dyn FnOnce(Vec<PathBuf>) -> Option<Command>>;

/// `then` with the first path chosen, if any.
pub(super) fn with_first(then: impl FnOnce(PathBuf) -> Command + 'static) -> Then {
    Box::new(move |paths| paths.into_iter().next().map(then))
}

impl App {
    /// Runs every command queued this frame, in order.
    pub(super) fn run_commands(&mut self, ctx: &egui::Context) {
        let mut queue = std::mem::take(&mut self.commands);
        for command in queue.drain() {
            self.apply(ctx, command);
        }
    }

    fn apply(&mut self, ctx: &egui::Context, command: UiCommand) {
        match command {
            UiCommand::Send(command) => self.send(command),
            UiCommand::Ask(request) => self.ask(ctx, request),
            UiCommand::PasteScreenshot {
                draw,
                account,
                item,
            } => {
                if self.paste.is_none() {
                    self.paste = dialogs::paste(ctx, Arc::clone(&self.clipboard))
                        .map(|p| (draw, account, item, p));
                }
            }
            UiCommand::ConfirmImport { allow_shrink } => {
                self.preview = None;
                self.send(Command::CommitImport { allow_shrink });
            }
            UiCommand::Remap { column, field } => {
                let Some((_, file)) = self.preview.take() else {
                    return;
                };
                if self.mapping.0.as_ref() != Some(&file) {
                    self.mapping = (Some(file.clone()), crate::roster::ColumnMap::default());
                }
                self.mapping.1.0.insert(column, field);
                self.send(Command::DiscardImport);
                self.send(Command::PreviewImport(PreviewRoster {
                    path: file,
                    sheet: None,
                    map: self.mapping.1.clone(),
                }));
            }
            UiCommand::CancelImport => {
                self.preview = None;
                self.send(Command::DiscardImport);
                self.status = Some((false, "已取消导入，数据库没有改动。".to_owned()));
            }
        }
    }

    /// Sends `command` to the worker; a long job shows in the status bar until it is answered.
    pub(super) fn send(&mut self, command: Command) {
        if self.read_only && command.writes() {
            self.status = Some((true, super::READ_ONLY.to_owned()));
            return;
        }
        let info = command.info();
        if let Some(text) = info.running {
            self.status = None;
            self.running = Some(Running {
                job: info.job,
                text: text.to_owned(),
                fraction: None,
                cancellable: info.cancellable,
            });
        }
        if let Some(folder) = info.output_folder {
            self.writing = Some((info.job, folder));
        }
        if matches!(command, Command::SaveSetting(_)) {
            // Settings show on 设置与备份 and in the 整改 titles: both read them again.
            self.settings.invalidate();
            self.rectify.invalidate();
        }
        self.worker.send(command);
    }

    /// Opens the dialog `request` asks for; its answer is sent when it comes.
    #[allow(clippy::too_many_lines)] // one arm per dialog, each reads "ask this, then send that"
    fn ask(&mut self, ctx: &egui::Context, request: FileRequest) {
        // One dialog at a time: a second click (a double click on an export button) while one
        // is open opens nothing more.
        if self.dialog.is_some() {
            return;
        }
        let (dialog, then): (_, Then) = match request {
            FileRequest::Roster => (
                dialogs::pick_roster(ctx),
                with_first(|path| {
                    Command::PreviewImport(PreviewRoster {
                        path,
                        sheet: None,
                        map: crate::roster::ColumnMap::default(),
                    })
                }),
            ),
            FileRequest::ProblemList => {
                let stem = self
                    .preview
                    .as_ref()
                    .and_then(|(_, file)| file.file_stem())
                    .map_or_else(|| "名录".to_owned(), |s| s.to_string_lossy().into_owned());
                (
                    dialogs::save_xlsx(ctx, "保存问题清单", format!("{stem}-问题清单.xlsx")),
                    with_first(|path| Command::SaveProblemList { path }),
                )
            }
            FileRequest::Stats(quarter) => (
                dialogs::save_xlsx(
                    ctx,
                    "导出统计分析",
                    format!("{}政务新媒体抽查统计分析.xlsx", quarter.label()),
                ),
                with_first(move |path| {
                    Command::ExportStats(crate::steps::overview::ExportStats { quarter, path })
                }),
            ),
            FileRequest::PublicKey(_)
            | FileRequest::ReportPackage(_)
            | FileRequest::ReporterKey { .. }
            | FileRequest::Reports(_)
            | FileRequest::RollupBook(_)
            | FileRequest::RollupNotice(_)
            | FileRequest::RecheckList { .. }
            | FileRequest::RecheckFilled(_) => super::rollup_dialogs::ask(ctx, request),
            FileRequest::SampleList { quarter, name } => (
                dialogs::save_xlsx(ctx, "导出抽查名单", name),
                with_first(move |path| Command::SaveSampleList(SaveSampleList { quarter, path })),
            ),
            FileRequest::Evidence {
                draw,
                account,
                item,
            } => (
                dialogs::pick_evidence(ctx),
                with_first(move |path| Command::AddEvidence {
                    draw,
                    account,
                    item,
                    evidence: crate::model::NewEvidence::Path(path),
                }),
            ),
            FileRequest::Checklist(quarter) => (
                dialogs::pick_checklist(ctx),
                with_first(move |path| Command::InstallChecklist {
                    action: InstallChecklist { path },
                    quarter,
                }),
            ),
            FileRequest::Results(quarter) => (
                dialogs::pick_roster(ctx),
                with_first(move |path| Command::ImportResults(ImportResults { quarter, path })),
            ),
            FileRequest::Notice {
                quarter,
                word: true,
                allow_unfinished,
            } => (
                dialogs::save_docx(
                    ctx,
                    "导出通报正文",
                    format!("{}政务新媒体抽查情况通报.docx", quarter.label()),
                ),
                with_first(move |path| {
                    Command::ExportNotice(ExportNotice {
                        quarter,
                        path,
                        allow_unfinished,
                    })
                }),
            ),
            FileRequest::Notice {
                quarter,
                word: false,
                allow_unfinished,
            } => (
                dialogs::save_xlsx(
                    ctx,
                    "导出通报附表",
                    crate::export::notice_file_name(quarter),
                ),
                with_first(move |path| {
                    Command::ExportNotice(ExportNotice {
                        quarter,
                        path,
                        allow_unfinished,
                    })
                }),
            ),
            FileRequest::RectificationSheets {
                quarter,
                folder: true,
                allow_unfinished,
            } => (
                dialogs::pick_folder(ctx, "选择保存整改表的文件夹（每个单位一个文件）"),
                with_first(move |path| {
                    Command::ExportRectification(IssueRectification {
                        quarter,
                        target: SheetTarget::Folder(path),
                        allow_unfinished,
                    })
                }),
            ),
            FileRequest::RectificationSheets {
                quarter,
                folder: false,
                allow_unfinished,
            } => (
                dialogs::save_xlsx(
                    ctx,
                    "导出整改表",
                    crate::export::rectification_file_name(quarter),
                ),
                with_first(move |path| {
                    Command::ExportRectification(IssueRectification {
                        quarter,
                        target: SheetTarget::Book(path),
                        allow_unfinished,
                    })
                }),
            ),
            FileRequest::Feedback(quarter) => (
                dialogs::pick_feedback(ctx),
                Box::new(move |paths: Vec<PathBuf>| {
                    (!paths.is_empty()).then_some(Command::ImportFeedback {
                        action: ImportFeedback { paths },
                        quarter,
                    })
                }),
            ),
            FileRequest::WorkPackage { quarter, inspector } => {
                let name = crate::exchange::file_name(
                    crate::exchange::PackageKind::Work,
                    &inspector,
                    &quarter.to_string(),
                );
                (
                    dialogs::save_package(ctx, "导出工作包", name),
                    with_first(move |path| {
                        Command::ExportWorkPackage(ExportWorkPackage {
                            quarter,
                            inspector,
                            path,
                        })
                    }),
                )
            }
            FileRequest::ResultsPackage(quarter) => {
                let name = crate::exchange::file_name(
                    crate::exchange::PackageKind::Results,
                    &self.exchange.inspector_name(),
                    &quarter.to_string(),
                );
                (
                    dialogs::save_package(ctx, "导出结果包", name),
                    with_first(move |path| Command::ExportResultsPackage {
                        action: ExportResultsPackage { path },
                        quarter,
                    }),
                )
            }
            FileRequest::Package(quarter) => (
                dialogs::pick_package(ctx),
                with_first(move |path| Command::ImportPackage {
                    action: ImportPackage { path },
                    quarter,
                }),
            ),
            FileRequest::BackupFolder => (
                dialogs::pick_folder(ctx, "选择备份存放的文件夹（例如 U 盘）"),
                with_first(|dir| Command::BackupTo(BackupTo { dir })),
            ),
            FileRequest::RestoreFolder => (
                dialogs::pick_folder(ctx, "选择要恢复的备份文件夹"),
                with_first(Command::InspectBackup),
            ),
            FileRequest::Log => {
                let name = format!(
                    "操作日志-{}.xlsx",
                    crate::model::time::compact_day(chrono::Local::now().date_naive())
                );
                (
                    dialogs::save_xlsx(ctx, "导出操作日志", name),
                    with_first(|path| Command::ExportLog(ExportLog { path })),
                )
            }
        };
        if let Some(dialog) = dialog {
            self.dialog = Some((dialog, then));
        }
    }

    /// Sends what a dialog was for, once it is answered.
    pub(super) fn poll_dialog(&mut self) {
        let Some(paths) = self.dialog.as_ref().and_then(|(d, _)| d.poll()) else {
            return;
        };
        let (_, then) = self.dialog.take().expect("checked above");
        if let Some(command) = then(paths) {
            self.send(command);
        }
    }
}
