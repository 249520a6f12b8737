//! What 概况 reads of a quarter, lean: each sampled account without the roster's texts, its
//! check without its findings, the items found 不符合, and issued problems counted by where
//! they stand, without their texts.

use chrono::{NaiveDate, NaiveDateTime};

use super::{InspectionStatus, Quarter, Reply, State, Verdict, region_counted};

/// Where sampled accounts are counted by region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// The region the draw recorded.
    Counted(String),
    /// The account's 地市 and 区县 today, for draws that did not record a region.
    Roster { city: String, county: String },
}

impl Place {
    /// The region key: the recorded one, or the one the roster gives (`region_counted`).
    #[must_use]
    pub fn region(&self) -> String {
        match self {
            Self::Counted(r) => r.clone(),
            Self::Roster { city, county } => region_counted(city, county),
        }
    }
}

/// One sampled account of a draw as 概况 needs it: where it is counted and who checks it.
/// Where its check stands is read apart ([`CheckState`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledAccount {
    pub account: i64,
    /// The region and platform the draw counted it under; `None` in draws that did not record
    /// them (the account's own then count, as the notice counts them).
    pub counted_as: Option<(String, String)>,
    pub city: String,
    pub county: String,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
    /// The roster's other columns, read only where `counted_as` is `None`: the type of a
    /// 微信公众号 names the platform it is counted under.
    pub extra: Vec<(String, String)>,
    /// The inspector it is assigned to, if any (else whoever started its check checks it).
    pub assigned: Option<String>,
    /// Picked by the random draw (else sampled only as 复查).
    pub drawn: bool,
}

/// Where a started check stands, and who started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckState {
    pub status: InspectionStatus,
    /// The verdict as stored (finished or not).
    pub verdict: Option<Verdict>,
    pub inspector: String,
}

/// The items found 不符合 in a draw's checks, each checklist and item named once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailingItems {
    /// The checklists (id, version) of the checks.
    pub checklists: Vec<(String, String)>,
    /// The items' ids.
    pub items: Vec<String>,
    /// Each item found 不符合: (account, index into `checklists`, index into `items`).
    pub found: Vec<(i64, usize, usize)>,
}

/// Issued problems (整改) alike in where they stand, counted: what 概况 needs of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemCount {
    pub quarter: Quarter,
    pub draw: i64,
    /// The unit they went to, where it was read (empty: problems of any unit). 概况 names the
    /// units of problems past their deadline without an answer only.
    pub host_unit: String,
    pub state: State,
    pub reply: Option<Reply>,
    pub deadline: NaiveDate,
    /// When the unit answered.
    pub replied_at: Option<NaiveDateTime>,
    /// Found again by the next quarter's 复查 and carried into its problem.
    pub carried: bool,
    pub problems: usize,
}

impl ProblemCount {
    /// One problem as counted.
    #[must_use]
    pub fn of(p: &super::Rectification) -> Self {
        Self {
            quarter: p.quarter,
            draw: p.draw,
            host_unit: p.host_unit.clone(),
            state: p.state,
            reply: p.reply,
            deadline: p.deadline,
            replied_at: p.replied_at,
            carried: p.carried_to.is_some(),
            problems: 1,
        }
    }
}

/// Issued problems alike in their deadline and the day they were answered, counted: what the
/// 按期反馈率 of a quarter needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerCount {
    pub deadline: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub problems: usize,
}

impl From<&ProblemCount> for AnswerCount {
    fn from(p: &ProblemCount) -> Self {
        Self {
            deadline: p.deadline,
            replied_on: p.replied_at.map(|t| t.date()),
            problems: p.problems,
        }
    }
}

/// A draw's sampled accounts counted in one region: how many, and those the notice counts 合格
/// and 不合格.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCount {
    /// The region the draw recorded; `None` for accounts it recorded none for.
    pub region: Option<String>,
    pub sampled: usize,
    pub passed: usize,
    pub failed: usize,
}
