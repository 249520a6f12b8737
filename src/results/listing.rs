//! A quarter's results account by account, as `results --json` prints them and a results
//! screen would show them. Pure: built from a draw, its inspections and their checklists.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::checklist::{Answer, Checklist, Verdict};
use crate::model::{DrawRecord, Inspection, InspectionStatus};

/// One sampled account and where its check stands (stable field names: scripts rely on them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountResult {
    /// The account's id in the database.
    #[serde(skip)]
    pub account: i64,
    pub platform: String,
    pub account_id: String,
    pub name: String,
    pub host_unit: String,
    pub county: String,
    /// The inspector the account was assigned to, or else whoever started its check.
    pub inspector: Option<String>,
    #[serde(serialize_with = "status_label")]
    pub status: InspectionStatus,
    /// 合格/不合格 once the check is finished; `None` before (even when a veto already decided).
    #[serde(serialize_with = "verdict_label")]
    pub verdict: Option<Verdict>,
    /// Only with a checklist that scores.
    pub score: Option<f64>,
    /// 复查: failed last quarter.
    pub recheck: bool,
    /// In checklist order.
    pub findings: Vec<FindingResult>,
}

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingResult {
    /// The item id, e.g. `V04`.
    pub item: String,
    /// The item title, e.g. 更新时效 (empty if the checklist lacks the item).
    pub title: String,
    #[serde(serialize_with = "answer_label")]
    pub result: Option<Answer>,
    pub note: String,
    #[serde(serialize_with = "day")]
    pub last_update: Option<NaiveDate>,
    #[serde(serialize_with = "day")]
    pub checked_on: Option<NaiveDate>,
    /// 最长更新间隔 in days, for the longest-gap rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longest_gap: Option<u32>,
    pub updated_by: String,
}

/// Every account of `draw` in draw order with its check. `checklists` are those the
/// inspections were made with; a missing one only leaves titles empty and the score out.
#[must_use]
pub fn quarter_results(
    draw: &DrawRecord,
    inspections: &[Inspection],
    checklists: &[Checklist],
) -> Vec<AccountResult> {
    let by_account: HashMap<i64, &Inspection> =
        inspections.iter().map(|i| (i.account, i)).collect();
    draw.accounts
        .iter()
        .map(|d| {
            let a = &d.account.account;
            let ins = by_account.get(&d.account.id).copied();
            let checklist = ins.and_then(|i| {
                checklists
                    .iter()
                    .find(|c| c.id == i.checklist_id && c.version == i.checklist_version)
            });
            AccountResult {
                account: d.account.id,
                platform: a.platform.clone(),
                account_id: a.account_id.clone(),
                name: a.name.clone(),
                host_unit: a.host_unit.clone(),
                county: a.county.clone(),
                inspector: d
                    .inspector
                    .clone()
                    .or_else(|| ins.map(|i| i.inspector.clone())),
                status: ins.map_or(InspectionStatus::NotStarted, |i| i.status),
                // Finished, or 不合格 already by a veto item (单项否决).
                verdict: ins
                    .filter(|i| {
                        i.status == InspectionStatus::Done || i.verdict == Some(Verdict::Fail)
                    })
                    .and_then(|i| i.verdict),
                score: ins
                    .filter(|_| checklist.is_some_and(|c| c.scoring.is_some()))
                    .and_then(|i| i.score),
                recheck: d.recheck,
                findings: ins.map_or_else(Vec::new, |i| findings(i, checklist)),
            }
        })
        .collect()
}

fn findings(ins: &Inspection, checklist: Option<&Checklist>) -> Vec<FindingResult> {
    let position = |item: &str| {
        checklist
            .and_then(|c| c.items.iter().position(|i| i.id == item))
            .unwrap_or(usize::MAX)
    };
    let mut out: Vec<FindingResult> = ins
        .findings
        .iter()
        .map(|s| {
            let f = &s.finding;
            FindingResult {
                item: f.item.clone(),
                title: checklist
                    .and_then(|c| c.item(&f.item))
                    .map(|i| i.title.clone())
                    .unwrap_or_default(),
                result: f.answer,
                note: f.note.clone(),
                last_update: f.last_update,
                checked_on: f.checked_on,
                longest_gap: f.longest_gap,
                updated_by: s.updated_by.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        position(&a.item)
            .cmp(&position(&b.item))
            .then_with(|| a.item.cmp(&b.item))
    });
    out
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn status_label<S: Serializer>(status: &InspectionStatus, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(status.label())
}

#[allow(
    clippy::ref_option,
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn verdict_label<S: Serializer>(verdict: &Option<Verdict>, s: S) -> Result<S::Ok, S::Error> {
    match verdict {
        Some(v) => s.serialize_str(v.label()),
        None => s.serialize_none(),
    }
}

#[allow(
    clippy::ref_option,
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn answer_label<S: Serializer>(answer: &Option<Answer>, s: S) -> Result<S::Ok, S::Error> {
    match answer {
        Some(a) => s.serialize_str(a.label()),
        None => s.serialize_none(),
    }
}

#[allow(
    clippy::ref_option,
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn day<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&crate::model::time::day_text(*d)),
        None => s.serialize_none(),
    }
}
