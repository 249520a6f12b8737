//! What importing a roster file would do to the roster in the database: the pure decision,
//! account by account, that the store then writes.

use std::collections::{HashMap, HashSet};

use super::ParsedRoster;
use crate::model::{RosterChange, RosterPlan, StoredAccount};

/// Compares `parsed` with the accounts stored now (by key): new accounts are added, changed
/// or relisted ones updated, the rest unchanged; listed accounts the file lacks are unlisted.
#[must_use]
pub fn plan<'a, S: std::hash::BuildHasher>(
    existing: &HashMap<String, StoredAccount, S>,
    parsed: &'a ParsedRoster,
) -> RosterPlan<'a> {
    let mut changes = Vec::with_capacity(parsed.accounts.len());
    let mut seen = HashSet::with_capacity(parsed.accounts.len());
    for sourced in &parsed.accounts {
        let key = sourced.account.key();
        match existing.get(&key) {
            None => changes.push(RosterChange::Add(&sourced.account, sourced.row)),
            Some(old) => {
                seen.insert(old.id);
                if old.account == sourced.account && old.listed {
                    changes.push(RosterChange::Unchanged(old.id));
                } else {
                    changes.push(RosterChange::Update {
                        id: old.id,
                        before: Box::new(old.account.clone()),
                        after: &sourced.account,
                        row: sourced.row,
                        relisted: !old.listed,
                    });
                }
            }
        }
    }
    let mut unlisted: Vec<i64> = existing
        .values()
        .filter(|a| a.listed && !seen.contains(&a.id))
        .map(|a| a.id)
        .collect();
    unlisted.sort_unstable();
    RosterPlan { changes, unlisted }
}

/// A roster that would take more than this share of the listed accounts off the roster asks
/// first (and more than [`SHRINK_FLOOR`] accounts): a file of one district, or half a file,
/// must not empty the sample frame unnoticed.
pub const SHRINK_SHARE: f64 = 0.2;
/// So few accounts leaving is an ordinary update, whatever the share.
pub const SHRINK_FLOOR: usize = 5;

/// How far a plan would shrink the roster, when it would unlist more than [`SHRINK_SHARE`] of
/// the accounts listed now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Shrink {
    pub unlisted: usize,
    pub listed: usize,
    /// A few of the accounts it would unlist, as 名称（平台）.
    pub examples: Vec<String>,
}

impl Shrink {
    /// 将有 120 个账号（现有 600 个的 20%）被标为“已移出名录”，例如：…
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "导入后将有 {} 个账号（现有 {} 个中的 {:.0}%）被标为“已移出名录”，例如：{}",
            self.unlisted,
            self.listed,
            100.0 * self.unlisted as f64 / self.listed.max(1) as f64,
            self.examples.join("、")
        )
    }
}

/// Whether `plan` unlists more than [`SHRINK_SHARE`] (and more than [`SHRINK_FLOOR`]) of the
/// accounts listed in `existing`.
#[must_use]
pub fn shrink<S: std::hash::BuildHasher>(
    existing: &HashMap<String, StoredAccount, S>,
    plan: &RosterPlan<'_>,
) -> Option<Shrink> {
    let listed = existing.values().filter(|a| a.listed).count();
    let unlisted = plan.unlisted.len();
    if listed == 0 || unlisted <= SHRINK_FLOOR || (unlisted as f64) <= SHRINK_SHARE * listed as f64
    {
        return None;
    }
    let mut examples: Vec<String> = existing
        .values()
        .filter(|a| plan.unlisted.contains(&a.id))
        .map(|a| format!("{}（{}）", a.account.name, a.account.platform))
        .collect();
    examples.sort();
    examples.truncate(5);
    Some(Shrink {
        unlisted,
        listed,
        examples,
    })
}
