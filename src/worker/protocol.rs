//! What the front end and the worker say to each other: commands (verbs), events (past
//! tense), the long jobs they belong to, and the views the screens show.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::checklist::{Checklist, Finding, Verdict};
use crate::model::{
    AccountChange, DrawInfo, DrawRecord, DrawWork, Inspection, InspectionStatus, NewEvidence,
    Quarter, StoredAccount,
};
use crate::rectification::Rectification;
use crate::report::Tally;
use crate::steps::action::ActionInfo;
pub use crate::steps::action::Job;
use crate::steps::admin::{BackupTo, ExportLog, SaveSetting};
use crate::steps::draw::{Assign, MakeDraw};
use crate::steps::exchange::{
    ExportResultsPackage, ExportWorkPackage, ImportPackage, ResolveConflict,
};
use crate::steps::inspect::InstallChecklist;
use crate::steps::notice::{ExportNotice, SaveSampleList};
use crate::steps::overview::{ExportStats, SetRegionAlias};
use crate::steps::rectification::{FeedbackReport, ImportFeedback, IssueRectification, Review};
use crate::steps::results_import::ImportResults;
use crate::steps::roster_import::{CommitRoster, ImportReport, PreviewRoster};

/// What the front end asks for. Verbs. A user action carries its step's action struct, which
/// says how it runs and reports ([`crate::steps::action::Action`]); the rest read views.
#[derive(Debug)]
pub enum Command {
    /// Read a roster file and compare it with the database; answered by `ImportPreviewed`.
    PreviewImport(PreviewRoster),
    /// Write the previewed roster (`allow_shrink`: the user confirmed the accounts it takes
    /// off the roster); answered by `ImportCommitted` and the roster.
    CommitImport {
        allow_shrink: bool,
    },
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
    MakeDraw(MakeDraw),
    /// Split the quarter's sample between inspectors; answered by `DrawLoaded` and `Done`.
    Assign(Assign),
    /// Move accounts of the sample to another inspector; answered by `DrawLoaded` and `Done`.
    Reassign(crate::steps::reassign::Reassign),
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
    /// Open a finished check again to change it; answered by `InspectionUpdated` and `Done`.
    ReopenInspection {
        draw: i64,
        account: i64,
    },
    /// 其余项全部符合; answered by `InspectionUpdated` and `Done`.
    PassRest {
        draw: i64,
        account: i64,
    },
    /// Make a checklist file the one new checks use; answered by `InspectionsLoaded` (for
    /// `quarter`) and `Done`.
    InstallChecklist {
        action: InstallChecklist,
        quarter: Quarter,
    },
    /// Import findings from a shared sheet; answered by `ResultsImported` and
    /// `InspectionsLoaded`.
    ImportResults(ImportResults),
    /// Store a setting (the user's name, the region…); answered by `SettingSaved`.
    SaveSetting(SaveSetting),
    /// Write the quarter's 抽查名单 as xlsx; answered by `Done`.
    SaveSampleList(SaveSampleList),
    /// The quarter's problems sent for rectification; answered by `RectificationsLoaded`.
    LoadRectifications(Quarter),
    /// Write the quarter's notice; answered by `Done`.
    ExportNotice(ExportNotice),
    /// Issue the quarter's problems and write the sheets; answered by `Done` and
    /// `RectificationsLoaded`.
    ExportRectification(IssueRectification),
    /// Read the units' filled-in sheets; answered by `FeedbackImported` and
    /// `RectificationsLoaded` (for `quarter`).
    ImportFeedback {
        action: ImportFeedback,
        quarter: Quarter,
    },
    /// Close a problem or reject its fix; answered by `Done` and `RectificationsLoaded`.
    ReviewRectification {
        action: Review,
        quarter: Quarter,
    },
    /// The quarter at a glance; answered by `OverviewLoaded`.
    LoadOverview(Quarter),
    /// Write the quarter's 统计分析 workbook; answered by `Done`.
    ExportStats(ExportStats),
    /// 地区更名: match a region of earlier quarters with its current name (or undo that);
    /// answered by `Done` and `OverviewLoaded` (for `quarter`).
    SetRegionAlias {
        action: SetRegionAlias,
        quarter: Quarter,
    },
    /// The assignment, conflicts and package history; answered by `ExchangeLoaded`.
    LoadExchange(Quarter),
    /// 上报与汇总 of a quarter: the office key, reporters, packages, table and 复核; answered
    /// by `RollupLoaded`.
    LoadRollup(Quarter),
    /// A roll-up action (register, import, 复核, exports); answered by `Done` and
    /// `RollupLoaded` (for `quarter`).
    Rollup {
        action: RollupCommand,
        quarter: Quarter,
    },
    /// Write one inspector's work package; answered by `Done` and `ExchangeLoaded`.
    ExportWorkPackage(ExportWorkPackage),
    /// Open a work package or merge a result package (by its kind); answered by
    /// `PackageImported` and `ExchangeLoaded` (for `quarter`).
    ImportPackage {
        action: ImportPackage,
        quarter: Quarter,
    },
    /// Write this laptop's result package; answered by `Done` and `ExchangeLoaded`.
    ExportResultsPackage {
        action: ExportResultsPackage,
        quarter: Quarter,
    },
    /// Settle a merge conflict; answered by `Done` and `ExchangeLoaded`.
    ResolveConflict {
        action: ResolveConflict,
        quarter: Quarter,
    },
    /// Another program holds the database: wait until it lets go, then open it; answered as
    /// the first open is.
    WaitAndOpen,
    /// Another program holds the database: open it to look at only; answered by
    /// `OpenedReadOnly` (then the roster).
    OpenReadOnly,
    /// Settings, backups and the operation log (works without a database, to list backups);
    /// answered by `SettingsLoaded`.
    LoadSettings,
    /// Back the database up into a new folder inside this one; answered by `Done` and
    /// `SettingsLoaded`.
    BackupTo(BackupTo),
    /// Replace the database with a backup (the worker closes and reopens it); answered by
    /// `Restored` (then the roster) or `Failed`.
    Restore(PathBuf),
    /// Read a backup's description, to confirm a restore; answered by `BackupFound`.
    InspectBackup(PathBuf),
    /// Write the operation log as xlsx; answered by `Done`.
    ExportLog(ExportLog),
    /// Write a generated 示例 roster beside the database and preview its import; answered by
    /// `ImportPreviewed`.
    PreviewDemo,
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
        /// The problems issued for it, newest first, with the quarters running each was found.
        problems: Vec<(crate::model::Rectification, usize)>,
    },
    /// The draw in force for a quarter (if any) and every draw of it, the one in force last.
    DrawLoaded {
        quarter: Quarter,
        draw: Option<Arc<DrawRecord>>,
        history: Vec<DrawInfo>,
        /// The work begun on the draw in force, which a redraw would void.
        work: DrawWork,
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
    RollupLoaded(Box<RollupView>),
    /// A quarter's overview; `None` when the quarter has no draw.
    OverviewLoaded(Quarter, Option<Box<crate::overview::Overview>>),
    SettingsLoaded(Box<SettingsView>),
    BackupFound(Box<crate::store::BackupInfo>),
    /// The database was replaced by a backup and reopened.
    Restored(String),
    /// Another spotcheck holds the database; the text says which and since when.
    Locked(String),
    /// Who works here, as the settings say (sent once the database is open for writing): the
    /// window asks for a name and region while they are blank.
    Identity {
        user_name: String,
        region: String,
        /// 深色 was chosen in 设置.
        dark: bool,
    },
    /// The database is open for reading only.
    OpenedReadOnly,
    /// A package was opened or merged (`Done` follows with what it did); `conflicts` merge
    /// conflicts wait for a choice.
    PackageImported {
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
    /// 发文机关 (the 落款 of notices); empty: the region's government office.
    pub office: String,
    /// 主送 of the quarter's notice; empty: by the region's level.
    pub addressees: String,
    /// 联系人 and phone under the notice's 工作要求; empty: none printed.
    pub contact: String,
    pub deadline_days: u32,
    pub db: PathBuf,
    pub backups_dir: PathBuf,
    /// Automatic backups, newest first.
    pub backups: Vec<crate::store::BackupInfo>,
    pub log: Arc<Vec<crate::model::LogEntry>>,
    /// The first log entry that fails the hash chain.
    pub log_broken_at: Option<i64>,
    /// Entries the backups beside the database have that the log lacks.
    pub log_gaps: Vec<String>,
    /// This office's signing key fingerprint (SM3), once the key was made.
    pub fingerprint: Option<String>,
}

/// The roll-up actions the window offers.
#[derive(Debug, Clone)]
pub enum RollupCommand {
    Register(crate::steps::rollup::RegisterReporter),
    Import(crate::steps::rollup::ImportReports),
    MakeRecheck(crate::steps::rollup_recheck::MakeRecheck),
    Record(crate::steps::rollup_recheck::RecordRecheck),
    ImportRecheck(crate::steps::rollup_recheck::ImportRecheck),
    Export(crate::steps::rollup::ExportRollup),
    ReportPackage(crate::steps::report_package::ExportReportPackage),
    PublicKey(crate::steps::office_key::ExportPublicKey),
}

impl RollupCommand {
    fn info(&self) -> ActionInfo {
        match self {
            Self::Register(a) => ActionInfo::of(a),
            Self::Import(a) => ActionInfo::of(a),
            Self::MakeRecheck(a) => ActionInfo::of(a),
            Self::Record(a) => ActionInfo::of(a),
            Self::ImportRecheck(a) => ActionInfo::of(a),
            Self::Export(a) => ActionInfo::of(a),
            Self::ReportPackage(a) => ActionInfo::of(a),
            Self::PublicKey(a) => ActionInfo::of(a),
        }
    }
}

/// What the 上报与汇总 screen shows for a quarter.
#[derive(Debug, Clone)]
pub struct RollupView {
    pub quarter: Quarter,
    /// This office's key fingerprint, once the key was made.
    pub fingerprint: Option<String>,
    pub reporters: Vec<crate::model::Reporter>,
    /// The per-reporter table (every package imported for the quarter in `packages`).
    pub table: crate::steps::rollup::RollupTable,
    pub round: Option<crate::model::RecheckRound>,
    pub entries: Vec<crate::model::RecheckEntry>,
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
    /// How the front end runs it: its job, status bar text, whether it can be cancelled and
    /// where its files go, as its action declares them.
    #[must_use]
    pub fn info(&self) -> ActionInfo {
        match self {
            Self::PreviewImport(a) => ActionInfo::of(a),
            Self::CommitImport { .. } => ActionInfo::of_type::<CommitRoster>(),
            Self::MakeDraw(a) => ActionInfo::of(a),
            Self::Assign(a) => ActionInfo::of(a),
            Self::Reassign(a) => ActionInfo::of(a),
            Self::InstallChecklist { action, .. } => ActionInfo::of(action),
            Self::ImportResults(a) => ActionInfo::of(a),
            Self::SaveSetting(a) => ActionInfo::of(a),
            Self::SaveSampleList(a) => ActionInfo::of(a),
            Self::ExportStats(a) => ActionInfo::of(a),
            Self::SetRegionAlias { action, .. } => ActionInfo::of(action),
            Self::ExportNotice(a) => ActionInfo::of(a),
            Self::ExportRectification(a) => ActionInfo::of(a),
            Self::ImportFeedback { action, .. } => ActionInfo::of(action),
            Self::ReviewRectification { action, .. } => ActionInfo::of(action),
            Self::ExportWorkPackage(a) => ActionInfo::of(a),
            Self::ImportPackage { action, .. } => ActionInfo::of(action),
            Self::ExportResultsPackage { action, .. } => ActionInfo::of(action),
            Self::ResolveConflict { action, .. } => ActionInfo::of(action),
            Self::BackupTo(a) => ActionInfo::of(a),
            Self::ExportLog(a) => ActionInfo::of(a),
            Self::PreviewDemo => ActionInfo {
                running: Some("正在生成示例名录…"),
                ..ActionInfo::of_type::<PreviewRoster>()
            },
            Self::DiscardImport => ActionInfo::plain(Job::ReadRoster),
            Self::SaveProblemList { path } => ActionInfo {
                output_folder: crate::steps::action::folder_of(path),
                ..ActionInfo::plain(Job::SaveProblems)
            },
            Self::LoadHistory { .. } => ActionInfo::plain(Job::History),
            Self::LoadDraw(_) => ActionInfo::plain(Job::Draw),
            Self::LoadInspections(_)
            | Self::OpenInspection { .. }
            | Self::SaveFinding { .. }
            | Self::FinishInspection { .. }
            | Self::ReopenInspection { .. }
            | Self::PassRest { .. } => ActionInfo::plain(Job::Inspect),
            Self::AddEvidence { .. } | Self::RemoveEvidence { .. } => {
                ActionInfo::plain(Job::Evidence)
            }
            Self::LoadSettings => ActionInfo::plain(Job::Settings),
            Self::LoadRectifications(_) => ActionInfo::plain(Job::Rectify),
            Self::LoadExchange(_) | Self::LoadRollup(_) => ActionInfo::plain(Job::Exchange),
            Self::Rollup { action, .. } => action.info(),
            Self::LoadOverview(_) => ActionInfo::plain(Job::Overview),
            Self::Restore(_) => ActionInfo {
                running: Some("正在从备份恢复…"),
                ..ActionInfo::plain(Job::Backup)
            },
            Self::InspectBackup(_) => ActionInfo::plain(Job::Backup),
            Self::WaitAndOpen | Self::OpenReadOnly => ActionInfo::plain(Job::Open),
        }
    }

    /// The job a failure of this command is reported as.
    #[must_use]
    pub fn job(&self) -> Job {
        self.info().job
    }

    /// Whether it changes the database (or its log): refused while it is open read-only.
    #[must_use]
    pub fn writes(&self) -> bool {
        match self {
            Self::CommitImport { .. }
            | Self::SaveFinding { .. }
            | Self::AddEvidence { .. }
            | Self::RemoveEvidence { .. }
            | Self::FinishInspection { .. }
            | Self::ReopenInspection { .. }
            | Self::PassRest { .. }
            | Self::Restore(_) => true,
            _ => self.info().writes,
        }
    }
}
