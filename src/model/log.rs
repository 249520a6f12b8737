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
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
