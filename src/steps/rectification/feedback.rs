//! What comes back: the units' filled-in sheets, matched to the problems sent and recorded in
//! one transaction, and the office's review of each fix.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::NaiveDateTime;

use super::PublishError;
use crate::model::{Rectification, State};
use crate::rectification::code;
use crate::rectification::feedback::{self, Answer, RowIssue};
use crate::store::{Store, StoreError, StoredAnswer};

/// What importing the units' sheets did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FeedbackReport {
    /// Files read.
    pub files: Vec<String>,
    pub counts: AnswerCounts,
    /// Rows whose 整改情况 is still blank.
    pub unanswered: usize,
    /// Rows reporting 已整改 without a valid completion date, contact or phone (待补充).
    pub incomplete: usize,
    /// Rows not taken, each with where it is and why.
    pub issues: Vec<RowIssue>,
    /// Files that could not be read at all, with why.
    pub unreadable: Vec<RowIssue>,
}

impl FeedbackReport {
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = format!(
            "已读取 {} 个文件：更新 {} 个问题的整改情况，{} 个与已有反馈相同",
            self.files.len(),
            self.counts.updated,
            self.counts.unchanged
        );
        if self.counts.already_closed > 0 {
            let _ = write!(
                s,
                "，{} 个问题已复核关闭，未改动",
                self.counts.already_closed
            );
        }
        if self.unanswered > 0 {
            let _ = write!(s, "，{} 行尚未填写整改情况", self.unanswered);
        }
        if self.incomplete > 0 {
            let _ = write!(
                s,
                "，{} 行填写了已整改但缺少完成时间、联系人或联系电话（待补充）",
                self.incomplete
            );
        }
        s.push('。');
        if !self.issues.is_empty() {
            let _ = write!(s, "有 {} 行无法导入，请查看问题清单。", self.issues.len());
        }
        if !self.unreadable.is_empty() {
            let _ = write!(s, "有 {} 个文件无法读取。", self.unreadable.len());
        }
        s
    }
}

/// Reads the filled-in sheets at `paths` and records every answer that matches an issued
/// problem, all in one transaction. A file that cannot be read is reported and skipped; rows
/// that cannot be matched are reported with their sheet and row.
pub fn import_feedback(
    store: &mut Store,
    paths: &[PathBuf],
    now: NaiveDateTime,
    progress: &mut dyn FnMut(usize),
) -> Result<FeedbackReport, PublishError> {
    let known = store.all_rectifications()?;
    let mut report = FeedbackReport::default();
    let mut rows = Vec::new();
    for (n, path) in paths.iter().enumerate() {
        progress(n);
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match feedback::read_feedback(path) {
            Ok(found) => {
                rows.extend(found);
                report.files.push(name);
            }
            Err(e) => report.unreadable.push(RowIssue {
                place: name,
                message: e.to_string(),
            }),
        }
    }
    let matched = feedback::match_feedback(&rows, &known, now.date());
    report.unanswered = matched.unanswered;
    report.incomplete = matched.incomplete;
    report.issues = matched.issues;
    if !matched.answers.is_empty() || !matched.lacking.is_empty() {
        report.counts = apply_answers(
            store,
            &matched.answers,
            &matched.lacking,
            &report.files.join("、"),
            now,
        )?;
    }
    Ok(report)
}

/// What importing the units' answers did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AnswerCounts {
    pub updated: usize,
    pub unchanged: usize,
    /// Answers to problems the office had already closed: left as they were.
    pub already_closed: usize,
}

/// Records the units' answers in one transaction. A problem the office already closed
/// keeps its state; an answer to a rejected fix puts it back to 已反馈. A reply that came back
/// incomplete (`lacking`: problem, what it lacked) is kept on a problem still waiting for one.
fn apply_answers(
    store: &mut Store,
    answers: &[Answer],
    lacking: &[(i64, String)],
    files: &str,
    at: NaiveDateTime,
) -> Result<AnswerCounts, StoreError> {
    let actor = crate::steps::actor(store)?;
    store.transaction(|tx| {
        let mut counts = AnswerCounts::default();
        for a in answers {
            let Some(current) = tx.stored_answer(a.id)? else {
                continue;
            };
            if current.state == State::Closed {
                counts.already_closed += 1;
                continue;
            }
            let answer = StoredAnswer {
                state: State::Replied,
                reply: Some(a.reply),
                reply_text: a.reply_text.clone(),
                completed_on: a.completed_on,
                contact: a.contact.clone(),
                phone: a.phone.clone(),
            };
            // A rejected fix answered with the very answer it had (the old sheet sent
            // again) stays rejected: the unit must say what it did since.
            let same = matches!(current.state, State::Replied | State::Reopened)
                && StoredAnswer {
                    state: State::Replied,
                    ..current
                } == answer;
            if same {
                counts.unchanged += 1;
                continue;
            }
            tx.record_answer(a.id, &answer, at)?;
            counts.updated += 1;
        }
        let mut kept = 0;
        for (id, what) in lacking {
            let Some(current) = tx.stored_answer(*id)? else {
                continue;
            };
            // A closed problem needs nothing more; a complete answer in this import stands.
            if current.state != State::Closed && !answers.iter().any(|a| a.id == *id) {
                tx.record_incomplete(*id, what, at)?;
                kept += 1;
            }
        }
        if counts.updated > 0 || kept > 0 {
            let mut what = format!("{files}：更新 {} 个问题的整改情况", counts.updated);
            if kept > 0 {
                let _ = write!(what, "，{kept} 个问题的反馈待补充");
            }
            tx.append_log(at, &actor, "导入整改反馈", &what)?;
        }
        Ok(counts)
    })
}

/// Why a review was refused. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum RectifyError {
    #[error("整改问题 {} 不存在。", code(*.0))]
    NotFound(i64),
    #[error("复核未通过时请写明原因，单位才知道还要怎样整改。")]
    NeedsNote,
    #[error(
        "单位还没有反馈这个问题。不经反馈直接关闭，请在复核意见中写明依据（例如 复查合格、现场核实）。"
    )]
    CloseWithoutReply,
    #[error("重新打开已关闭的问题时，请在复核意见中写明原因。")]
    ReopenNeedsReason,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The office's review of a fix: closes the problem (`close`) or rejects the fix, which
/// needs a note saying why. Closing a problem the unit never answered needs a note saying on
/// what grounds; rejecting a problem already closed reopens it, with a reason. Every step is
/// logged.
pub fn review_rectification(
    store: &mut Store,
    id: i64,
    close: bool,
    note: &str,
    at: NaiveDateTime,
) -> Result<Rectification, RectifyError> {
    let note = note.trim();
    let current = store.rectification(id)?.ok_or(RectifyError::NotFound(id))?;
    if !close && note.is_empty() {
        return Err(if current.state == State::Closed {
            RectifyError::ReopenNeedsReason
        } else {
            RectifyError::NeedsNote
        });
    }
    if close && current.reply.is_none() && note.is_empty() {
        return Err(RectifyError::CloseWithoutReply);
    }
    let reopening = !close && current.state == State::Closed;
    let actor = crate::steps::actor(store)?;
    let state = if close {
        State::Closed
    } else {
        State::Reopened
    };
    store.transaction(|tx| {
        if !tx.record_review(id, state, note, &actor, at)? {
            return Err(RectifyError::NotFound(id));
        }
        let r = tx.rectification(id)?.ok_or(RectifyError::NotFound(id))?;
        let mut detail = format!("{}：“{}”{}", code(id), r.name, r.category);
        if !note.is_empty() {
            let _ = write!(detail, "；{note}");
        }
        let action = if close {
            "复核关闭"
        } else if reopening {
            "重新打开整改问题"
        } else {
            "复核未通过"
        };
        tx.append_log(at, &actor, action, &detail)?;
        Ok(())
    })?;
    store.rectification(id)?.ok_or(RectifyError::NotFound(id))
}
