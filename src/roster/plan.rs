//! What importing a roster file would do to the roster in the database: the pure decision,
//! account by account, that the store then writes.

use std::collections::{HashMap, HashSet};

use super::ParsedRoster;
use crate::model::{RosterChange, RosterPlan, StoredAccount};

/// Compares `parsed` with the accounts stored now (by key): new accounts are added, changed
/// or relisted ones updated, the rest unchanged; listed accounts the file lacks are unlisted.
#[must_use]
pub fn plan<'a>(
    existing: &HashMap<String, StoredAccount>,
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
                        before: old.account.clone(),
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
