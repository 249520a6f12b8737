//! Plain records shared by every layer: accounts and the roster, draws, inspections and their
//! findings, packages, 整改 problems, the log, the counts a notice prints, and the one text form
//! of dates and times.
//!
//! Nothing here does I/O or knows about egui or `SQLite`; everything else may use it.

mod account;
pub mod collate;
mod counts;
pub mod digest;
pub mod draw;
mod finding;
mod glance;
pub mod ids;
mod inspection;
mod log;
pub mod os_error;
mod package;
pub mod platform;
mod quarter;
mod rectification;
mod rollup;
mod roster;
pub mod time;

pub use account::{Account, AccountStatus, account_key, region_name};
pub use counts::{
    PopulationCell, Tally, TallyGroup, group_platforms, group_regions, platform_counted,
    platform_of, region_counted, region_of,
};
pub use draw::{
    Candidate, DrawInfo, DrawOptions, DrawRecord, DrawRequest, DrawWork, DrawnAccount, Rate,
    Strata, StratumCount, stratum_label,
};
pub use finding::{Answer, Finding, Verdict};
pub use glance::{
    AnswerCount, CheckState, FailingItems, Place, ProblemCount, RegionCount, SampledAccount,
};
pub use ids::{IdMap, IdSet};
pub use inspection::{
    EVIDENCE_STAGING, Evidence, EvidenceKind, Inspection, InspectionStatus, MAX_EVIDENCE_BYTES,
    NewEvidence, StoredFinding, evidence_staging_path, is_web_link,
};
pub use log::{
    LogEntry, LogGap, LogHead, entry_hash, gap_against_copy, gap_against_head, undone_since,
};
pub use package::{Conflict, FindingVersion, PackageEvent, PackageRecord};
pub use quarter::{Quarter, QuarterError};
pub use rectification::{Rectification, Reply, State, in_unit_order};
pub use rollup::{
    PlatformNumbers, RecheckEntry, RecheckRound, RecheckSummary, ReportNumbers, ReportStatus,
    ReportedAccount, Reporter, StoredReport, platforms_added,
};
pub use roster::{
    AccountChange, ChangeKind, ImportCounts, ImportMeta, RosterChange, RosterPlan, StoredAccount,
};
