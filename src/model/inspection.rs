//! The check of one sampled account as recorded: its status, the checklist it used, its
//! findings (who changed each last, and when) and its evidence.

use std::path::PathBuf;

use chrono::NaiveDateTime;

use super::{Finding, FindingVersion, Verdict};

/// The largest evidence file accepted (a phone screen recording is bigger; a screenshot is not).
pub const MAX_EVIDENCE_BYTES: u64 = 50 * 1024 * 1024;

/// Where the check of one sampled account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectionStatus {
    NotStarted,
    InProgress,
    Done,
}

impl InspectionStatus {
    pub const ALL: [Self; 3] = [Self::NotStarted, Self::InProgress, Self::Done];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "未开始",
            Self::InProgress => "进行中",
            Self::Done => "已完成",
        }
    }
}

/// A finding as stored: who changed it last, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    pub finding: Finding,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
    /// The ids of the versions this one was edited from (see `FindingVersion::lineage`).
    pub lineage: Vec<String>,
    /// This version has left this laptop (in a package, either way): editing it makes a new
    /// version that descends from it.
    pub shared: bool,
}

impl StoredFinding {
    /// This finding as a package carries it, and as merges compare it.
    #[must_use]
    pub fn version(&self) -> FindingVersion {
        let f = &self.finding;
        FindingVersion {
            item: f.item.clone(),
            answer: f.answer,
            note: f.note.clone(),
            last_update: f.last_update,
            checked_on: f.checked_on,
            longest_gap: f.longest_gap,
            updated_by: self.updated_by.clone(),
            updated_at: self.updated_at,
            lineage: self.lineage.clone(),
        }
    }

    /// The lineage of a new version edited from this one: a version that has left this laptop
    /// is an ancestor of the edit; one that never did is not (nobody else can hold it).
    #[must_use]
    pub fn lineage_of_edit(&self) -> Vec<String> {
        let mut lineage = self.lineage.clone();
        if self.shared {
            let id = self.version().id();
            if !lineage.contains(&id) {
                lineage.push(id);
            }
        }
        lineage
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceKind {
    /// A file copied into the evidence folder, named by its SHA-256.
    File {
        sha256: String,
        file_name: String,
    },
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: i64,
    pub item: String,
    pub kind: EvidenceKind,
    pub added_by: String,
    pub added_at: NaiveDateTime,
}

/// Whether `url` is a link evidence may keep: `http://` or `https://` followed by a host,
/// with no spaces or control characters (a `file:`, `javascript:` or `\\server\share` link is
/// not, wherever it came from).
#[must_use]
pub fn is_web_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        host.len() >= 3
            && !host.starts_with('.')
            && !url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    })
}

/// Evidence to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewEvidence {
    /// A file on disk (chosen in a dialog or dropped on the window).
    Path(PathBuf),
    /// Bytes with a name (a screenshot pasted from the clipboard).
    Bytes {
        file_name: String,
        bytes: Vec<u8>,
    },
    Url(String),
    /// A file the evidence folder keeps already (evidence removed, and put back by 撤销).
    Kept {
        sha256: String,
        file_name: String,
    },
}

/// The check of one sampled account.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub id: i64,
    pub draw: i64,
    pub account: i64,
    pub checklist_id: String,
    pub checklist_version: String,
    pub status: InspectionStatus,
    pub verdict: Option<Verdict>,
    pub score: Option<f64>,
    pub inspector: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub findings: Vec<StoredFinding>,
    pub evidence: Vec<Evidence>,
}

impl Inspection {
    #[must_use]
    pub fn finding(&self, item: &str) -> Option<&StoredFinding> {
        self.findings.iter().find(|f| f.finding.item == item)
    }

    #[must_use]
    pub fn plain_findings(&self) -> Vec<Finding> {
        self.findings.iter().map(|f| f.finding.clone()).collect()
    }
}

/// The staging folder inside the evidence folder, where evidence is written before it is
/// renamed into place.
pub const EVIDENCE_STAGING: &str = ".incoming";

/// Where an evidence file bound for `target` (`evidence/ab/<sha>.png`) is written before it is
/// renamed into place: one staging folder for all, on the same disk, so that what a killed
/// write leaves is cleared without listing every evidence file.
#[must_use]
pub fn evidence_staging_path(target: &std::path::Path) -> std::path::PathBuf {
    let evidence = target
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap_or(std::path::Path::new("."));
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    evidence.join(EVIDENCE_STAGING).join(name)
}
