//! Packages between laptops as recorded here: a finding as one laptop last saved it, what
//! happened to each package on this laptop, and the findings two sides disagree on.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Answer;
use super::time::{day_text, time_text};

/// A finding as one laptop last saved it, with its lineage: the versions it was edited from.
///
/// Written as packages have always written it (`"answer": "pass"`, `"last_update":
/// "2026-11-10"`); packages are read through `exchange`, which refuses, naming the account and
/// item, a value these types do not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingVersion {
    pub item: String,
    /// `None`: unanswered.
    pub answer: Option<Answer>,
    pub note: String,
    pub last_update: Option<NaiveDate>,
    pub checked_on: Option<NaiveDate>,
    /// 最长更新间隔 in days (package format 3; absent in earlier packages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_gap: Option<u32>,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
    /// The [`Self::id`]s of the versions this one descends from, oldest first: every version
    /// of this finding that had left a laptop (in a package) before it was edited into this
    /// one. Empty for a finding first answered here.
    #[serde(default)]
    pub lineage: Vec<String>,
}

impl FindingVersion {
    /// What identifies this version everywhere: its item, content, author and time.
    #[must_use]
    pub fn id(&self) -> String {
        // As the text packages carry, so that ids stay what they were when these were strings.
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "-".to_owned(), day_text);
        let mut h = Sha256::new();
        for part in [
            self.item.as_str(),
            self.answer.map_or("-", Answer::code),
            &self.note,
            &day(self.last_update),
            &day(self.checked_on),
            &self.updated_by,
            &time_text(self.updated_at),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        // Only when recorded, so that the ids of versions without it stay what they were.
        if let Some(gap) = self.longest_gap {
            h.update(format!("gap:{gap}").as_bytes());
            h.update([0]);
        }
        super::digest::hex(&h.finalize()[..16])
    }

    /// Whether this version is `other` or was edited from it.
    #[must_use]
    pub fn descends_from(&self, other: &Self) -> bool {
        let id = other.id();
        self.id() == id || self.lineage.contains(&id)
    }

    /// Same answer, note and dates (who saved it and when do not count).
    #[must_use]
    pub fn same_content(&self, other: &Self) -> bool {
        self.answer == other.answer
            && self.note == other.note
            && self.last_update == other.last_update
            && self.checked_on == other.checked_on
            && self.longest_gap == other.longest_gap
    }
}

/// What happened to a package on this laptop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageEvent {
    WorkSent,
    WorkOpened,
    ResultsSent,
    ResultsMerged,
}

impl PackageEvent {
    pub const ALL: [Self; 4] = [
        Self::WorkSent,
        Self::WorkOpened,
        Self::ResultsSent,
        Self::ResultsMerged,
    ];

    /// As stored in `package.kind`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WorkSent => "work_sent",
            Self::WorkOpened => "work_opened",
            Self::ResultsSent => "results_sent",
            Self::ResultsMerged => "results_merged",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::WorkSent => "导出工作包",
            Self::WorkOpened => "打开工作包",
            Self::ResultsSent => "导出结果包",
            Self::ResultsMerged => "合并结果包",
        }
    }
}

/// A package made or taken on this laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRecord {
    pub id: String,
    pub event: PackageEvent,
    pub quarter: String,
    pub inspector: String,
    pub at: NaiveDateTime,
    pub summary: String,
}

/// A finding two sides disagree on, waiting for the supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub quarter: String,
    pub account_name: String,
    pub platform: String,
    pub item: String,
    /// The item as users know it: P01 未备案或备案信息未更新.
    pub item_label: String,
    /// As stored here (`None`: not answered here).
    pub local: Option<FindingVersion>,
    /// As the package has it.
    pub incoming: FindingVersion,
    pub package: String,
    pub created_at: NaiveDateTime,
}
