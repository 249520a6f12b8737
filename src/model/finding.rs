//! What an inspector records per checklist item, and the verdict on an account: plain records
//! shared by the checklist rules, the store, packages and exports.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The inspector's answer on one item. Stored as `"pass"`, `"fail"` or `"na"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Answer {
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "fail")]
    Fail,
    #[serde(rename = "na")]
    NotApplicable,
}

impl Answer {
    pub const ALL: [Self; 3] = [Self::Pass, Self::Fail, Self::NotApplicable];

    /// The word users see and exports write.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "符合",
            Self::Fail => "不符合",
            Self::NotApplicable => "不适用",
        }
    }

    /// The answer a label means: exactly 符合, 不符合 or 不适用, surrounding spaces ignored.
    #[must_use]
    pub fn from_label(label: &str) -> Option<Self> {
        let label = label.trim();
        Self::ALL.into_iter().find(|a| a.label() == label)
    }
}

impl Answer {
    /// How the database and packages write it: `pass`, `fail`, `na`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotApplicable => "na",
        }
    }

    /// The answer a [`Self::code`] stands for.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What the inspector recorded on one item for one account.
///
/// An item may have several findings (e.g. two separate wording errors, each with its own
/// note and evidence); see [`super::evaluate`] for how they combine.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Finding {
    /// The id of the checklist item.
    pub item: String,
    /// `None` until the inspector (or a rule) answers.
    #[serde(default)]
    pub answer: Option<Answer>,
    /// Description of the problem (问题描述); required for 不符合.
    #[serde(default)]
    pub note: String,
    /// 最后更新日期: the account's last post, for items with [`Rule::UpdateWithin`].
    #[serde(default)]
    pub last_update: Option<NaiveDate>,
    /// 监测时间: the day the account was checked.
    #[serde(default)]
    pub checked_on: Option<NaiveDate>,
    /// 最长更新间隔: the longest run of days without a post in the period checked (up to the
    /// check date), for items with [`Rule::LongestGap`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_gap: Option<u32>,
}

impl Finding {
    /// An unanswered finding on `item`.
    #[must_use]
    pub fn new(item: impl Into<String>) -> Self {
        Self {
            item: item.into(),
            ..Self::default()
        }
    }
}
/// The verdict on one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    /// The word users see and notices use.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "合格",
            Self::Fail => "不合格",
        }
    }
}

impl Verdict {
    /// How the database writes it: `pass`, `fail`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
        }
    }

    /// The verdict a [`Self::code`] stands for.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pass, Self::Fail]
            .into_iter()
            .find(|v| v.code() == code)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
