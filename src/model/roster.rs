//! The roster as stored: accounts with their row id, what an import does to it, and each
//! account's history across imports.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::Account;

/// An account as stored: its row id and whether the latest roster still lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    pub id: i64,
    pub account: Account,
    /// False once an import no longer lists the account (it is kept, never deleted).
    pub listed: bool,
}

/// What an import does, or would do, to the roster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Accounts in the database that this file no longer lists: kept, marked 已移出名录.
    pub unlisted: u32,
}

/// Where an import came from, recorded with it.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    pub file_name: String,
    pub at: NaiveDateTime,
}

/// One entry of an account's history.
#[derive(Debug, Clone)]
pub struct AccountChange {
    pub at: NaiveDateTime,
    pub file_name: String,
    pub kind: ChangeKind,
    /// The account as it was before an update.
    pub before: Option<Account>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Updated,
    Unlisted,
    Relisted,
}

impl ChangeKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Updated => "updated",
            Self::Unlisted => "unlisted",
            Self::Relisted => "relisted",
        }
    }

    /// How the history list names it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "首次导入",
            Self::Updated => "信息更新",
            Self::Unlisted => "已移出名录",
            Self::Relisted => "重新列入名录",
        }
    }
}

/// What applying a roster file means for one of its accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterChange<'a> {
    /// New here: the account and its sheet row.
    Add(&'a Account, u32),
    Update {
        id: i64,
        // Boxed: most changes of a large import are additions, each as small as the others.
        before: Box<Account>,
        after: &'a Account,
        row: u32,
        /// It had been 已移出名录 and the file lists it again.
        relisted: bool,
    },
    Unchanged(i64),
}

/// What applying a roster file does: a change per account in the file, and the accounts the
/// file no longer lists (kept, marked 已移出名录).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RosterPlan<'a> {
    pub changes: Vec<RosterChange<'a>>,
    pub unlisted: Vec<i64>,
}

impl RosterPlan<'_> {
    #[must_use]
    pub fn counts(&self) -> ImportCounts {
        let mut c = ImportCounts {
            unlisted: u32::try_from(self.unlisted.len()).unwrap_or(u32::MAX),
            ..ImportCounts::default()
        };
        for s in &self.changes {
            match s {
                RosterChange::Add(..) => c.added += 1,
                RosterChange::Update { .. } => c.updated += 1,
                RosterChange::Unchanged(_) => c.unchanged += 1,
            }
        }
        c
    }
}
