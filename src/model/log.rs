//! The operation log as read back: who did what and when, and the hash that chains each entry
//! to the one before it (an edit of an old entry breaks the chain from that entry on).

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    /// A short Chinese verb phrase: 导入名录, 抽样, 重新抽样, 分配检查人员…
    pub action: String,
    pub detail: String,
}

/// The hash of entry `id`, chained to the hash of the entry before it (`previous`, empty for
/// the first).
#[must_use]
pub fn entry_hash(
    previous: &str,
    id: i64,
    at: &str,
    actor: &str,
    action: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [previous, &id.to_string(), at, actor, action, detail] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    super::digest::hex(&h.finalize())
}

/// Where the operation log stood when a backup, a package or a notice was made: how many
/// entries, the hash of the first (which says which database it is: every copy of one
/// database shares it) and of the last. Checked later, it shows entries deleted since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogHead {
    pub entries: usize,
    pub first: String,
    pub last: String,
}

impl LogHead {
    /// The head of a chain of (id, hash), `None` for an empty log.
    #[must_use]
    pub fn of(chain: &[(i64, String)]) -> Option<Self> {
        Some(Self {
            entries: chain.len(),
            first: chain.first()?.1.clone(),
            last: chain.last()?.1.clone(),
        })
    }

    /// `entries/first/last`, as a document property holds it.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!("{}/{}/{}", self.entries, self.first, self.last)
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('/');
        let entries = parts.next()?.parse().ok()?;
        let first = parts.next()?.to_owned();
        let last = parts.next()?.to_owned();
        parts.next().is_none().then_some(Self {
            entries,
            first,
            last,
        })
    }
}

/// What a check of the log against a record of it found missing: `after` entries agree, then
/// `missing` entries the record has are not in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGap {
    pub after: usize,
    pub missing: usize,
}

/// Compares the log (`chain`, with the hashes a restore replaced in `replaced`) with a full
/// copy of it (`other`, from a backup of the same database): the entries of `other` that are
/// neither in the log nor replaced by a restore.
#[must_use]
pub fn gap_against_copy<S: std::hash::BuildHasher>(
    chain: &[(i64, String)],
    replaced: &std::collections::HashSet<String, S>,
    other: &[(i64, String)],
) -> Option<LogGap> {
    let have: std::collections::HashSet<&str> = chain.iter().map(|(_, h)| h.as_str()).collect();
    let missing: Vec<usize> = other
        .iter()
        .enumerate()
        .filter(|(_, (_, h))| !have.contains(h.as_str()) && !replaced.contains(h))
        .map(|(i, _)| i)
        .collect();
    let first = *missing.first()?;
    Some(LogGap {
        after: first,
        missing: missing.len(),
    })
}

/// Compares the log with a head recorded of it (a package or a notice of the same database).
#[must_use]
pub fn gap_against_head<S: std::hash::BuildHasher>(
    chain: &[(i64, String)],
    replaced: &std::collections::HashSet<String, S>,
    head: &LogHead,
) -> Option<LogGap> {
    let at = head.entries.checked_sub(1)?;
    if chain.get(at).is_some_and(|(_, h)| *h == head.last) || replaced.contains(&head.last) {
        return None;
    }
    // Entries after those the log has are missing; an entry that differs at the recorded
    // position means the log was cut and written again from somewhere before it.
    let after = chain.len().min(at);
    Some(LogGap {
        after,
        missing: head.entries - after,
    })
}

/// What restoring a backup taken at `head` undoes of `entries` (the log now, oldest first):
/// the operations after the backup's last entry, by kind in the order first done, with how
/// many of each. `None` when the backup does not say where the log stood.
#[must_use]
pub fn undone_since(entries: &[LogEntry], head: Option<&LogHead>) -> Option<Vec<(String, usize)>> {
    let head = head?;
    let mut out: Vec<(String, usize)> = Vec::new();
    for e in entries.iter().skip(head.entries) {
        match out.iter_mut().find(|(a, _)| *a == e.action) {
            Some((_, n)) => *n += 1,
            None => out.push((e.action.clone(), 1)),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn chain(hashes: &[&str]) -> Vec<(i64, String)> {
        hashes
            .iter()
            .enumerate()
            .map(|(i, h)| (i64::try_from(i + 1).unwrap_or(0), (*h).to_owned()))
            .collect()
    }

    #[test]
    fn gaps_against_copies_and_heads() {
        // (log, replaced, other copy) → gap
        type Case<'a> = (
            &'a [(i64, String)],
            &'a HashSet<String>,
            &'a [(i64, String)],
            Option<LogGap>,
        );
        let none = HashSet::new();
        let log = chain(&["a", "b", "c"]);
        let longer = chain(&["a", "b", "c", "d", "e"]);
        let cases: [Case<'_>; 4] = [
            (&log, &none, &log[..2], None),
            (
                &log,
                &none,
                &longer,
                Some(LogGap {
                    after: 3,
                    missing: 2,
                }),
            ),
            (
                &log[..1],
                &none,
                &log,
                Some(LogGap {
                    after: 1,
                    missing: 2,
                }),
            ),
            (
                &log,
                &["d".to_owned(), "e".to_owned()].into_iter().collect(),
                &longer,
                None,
            ),
        ];
        for (i, (log, replaced, other, want)) in cases.into_iter().enumerate() {
            assert_eq!(gap_against_copy(log, replaced, other), want, "case {i}");
        }
        let head = LogHead::of(&longer).expect("head");
        assert_eq!(
            gap_against_head(&log, &none, &head),
            Some(LogGap {
                after: 3,
                missing: 2
            })
        );
        assert_eq!(gap_against_head(&longer, &none, &head), None);
        let rewritten = chain(&["a", "b", "c", "x", "y", "z"]);
        assert_eq!(
            gap_against_head(&rewritten, &none, &head),
            Some(LogGap {
                after: 4,
                missing: 1
            })
        );
        assert_eq!(LogHead::parse(&head.to_text()), Some(head));
        assert_eq!(LogHead::parse("3/a"), None);
    }
}
