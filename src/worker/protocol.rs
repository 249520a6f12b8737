//! What the front end and the worker say to each other: commands (verbs), events (past
//! tense), the long jobs they belong to, and the views the screens show.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::checklist::{Checklist, Finding, Verdict};
use crate::model::{
    AccountChange, DrawInfo, DrawRecord, DrawRequest, DrawWork, Inspection, InspectionStatus,
    NewEvidence, Quarter, StoredAccount,
};
use crate::rectification::Rectification;
use crate::report::Tally;
use crate::steps::followup::{FeedbackReport, SheetTarget};
use crate::steps::roster_import::ImportReport;

/// What the front end asks for. Verbs.
#[derive(Debug)]
pub enum Command {
    /// Read a roster file and compare it with the database; answered by `ImportPreviewed`.
    PreviewImport {
        path: PathBuf,
        sheet: Option<String>,
        /// The user's choice of field for some columns.
        map: crate::roster::ColumnMap,
    },
    /// Write the previewed roster (`allow_shrink`: the user confirmed the accounts it takes
    /// off the roster); answered by `ImportCommitted`.
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
    /// Open a finished check again to change it; answered by `InspectionUpdated` and `Done`.
    ReopenInspection {
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
    /// Entries the backups beside the database have that the log lacks.
    pub log_gaps: Vec<String>,
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
            Self::CommitImport { .. } => Job::WriteRoster,
            Self::SaveProblemList { .. } => Job::SaveProblems,
            Self::LoadHistory { .. } => Job::History,
            Self::LoadDraw(_) | Self::MakeDraw(_) => Job::Draw,
            Self::Assign { .. } => Job::Assign,
            Self::SaveSampleList { .. } => Job::SaveSampleList,
            Self::LoadInspections(_)
            | Self::OpenInspection { .. }
            | Self::SaveFinding { .. }
            | Self::FinishInspection { .. }
            | Self::ReopenInspection { .. }
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
            Self::WaitAndOpen | Self::OpenReadOnly => Job::Open,
        }
    }
}
