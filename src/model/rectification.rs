//! 整改 as recorded: a problem sent to a host unit, its deadline, the unit's answer and the
//! office's review.

use chrono::{NaiveDate, NaiveDateTime};

use super::Quarter;

/// What a unit wrote in 整改情况 (the dropdown of the sheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reply {
    Done,
    InProgress,
    Cannot,
}

impl Reply {
    pub const ALL: [Self; 3] = [Self::Done, Self::InProgress, Self::Cannot];

    /// The text of the dropdown.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "已整改",
            Self::InProgress => "正在整改",
            Self::Cannot => "无法整改并说明理由",
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::InProgress => "in_progress",
            Self::Cannot => "cannot",
        }
    }

    #[must_use]
    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Reads what a unit typed: the dropdown's words, or the usual ways of saying them
    /// (已完成整改, 整改中, 无法整改：理由…). `None` when it says none of them.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return None;
        }
        if t.contains("无法") || t.contains("不能整改") || t.contains("暂不能") {
            Some(Self::Cannot)
        } else if t.contains("正在") || t.contains("整改中") || t.contains("推进中") {
            Some(Self::InProgress)
        } else if t.contains("已整改") || t.contains("已完成") || t.contains("整改完成") {
            Some(Self::Done)
        } else {
            None
        }
    }
}

/// Where a problem stands, as stored: the unit's answer and the office's review move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Sent to the unit, no answer yet.
    Open,
    /// The unit answered.
    Replied,
    /// The office checked the fix and closed the problem.
    Closed,
    /// The office checked and did not accept the fix; the unit must act again.
    Reopened,
}

impl State {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Replied => "replied",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
        }
    }

    #[must_use]
    pub fn from_str_opt(s: &str) -> Option<Self> {
        [Self::Open, Self::Replied, Self::Closed, Self::Reopened]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// One problem sent to a host unit to fix, with its answer and review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rectification {
    pub id: i64,
    pub quarter: Quarter,
    pub draw: i64,
    /// The account's id in the database.
    pub account: i64,
    pub city: String,
    pub county: String,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
    pub account_id: String,
    /// The checklist item, e.g. V04.
    pub item: String,
    /// 问题类别: the item's title, e.g. 更新时效.
    pub category: String,
    pub veto: bool,
    /// 问题描述: the inspector's note, the last update date and the evidence links.
    pub description: String,
    pub requirement: String,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub state: State,
    pub reply: Option<Reply>,
    /// 整改情况 as the unit wrote it (it may explain more than the dropdown says).
    pub reply_text: String,
    pub completed_on: Option<NaiveDate>,
    pub contact: String,
    pub phone: String,
    pub replied_at: Option<NaiveDateTime>,
    pub review_note: String,
    pub reviewed_by: String,
    pub reviewed_at: Option<NaiveDateTime>,
    /// Found again by the next quarter's 复查 and carried into that quarter's problem (its id):
    /// this record is no longer open.
    pub carried_to: Option<i64>,
    /// What the unit's last reply lacked (完成时间、联系电话…) when it came back incomplete
    /// (待补充) and was not taken; empty once a complete reply came, or none did.
    pub incomplete: String,
    /// When that incomplete reply was imported.
    pub incomplete_at: Option<NaiveDateTime>,
}

/// Puts problems in the order lists show them: by host unit in pinyin order (the store's order,
/// account and item, kept within a unit).
pub fn in_unit_order(rows: &mut [Rectification]) {
    rows.sort_by_cached_key(|r| super::collate::pinyin_key(r.host_unit.trim()));
}
