//! 整改 in the database: the problems sent to host units (issued when the rectification sheets
//! are first exported, each with its deadline), the units' answers, and the office's review.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, log};
use crate::model::Quarter;
use crate::rectification::feedback::Answer;
use crate::rectification::{Rectification, Reply, State, add_working_days, code, requirement};
use crate::report::Problem;

const TIME: &str = "%Y-%m-%d %H:%M:%S";
const DAY: &str = "%Y-%m-%d";

/// Why a review was refused. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum RectifyError {
    #[error("整改问题 {} 不存在。", code(*.0))]
    NotFound(i64),
    #[error("复核未通过时请写明原因，单位才知道还要怎样整改。")]
    NeedsNote,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for RectifyError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}

/// What issuing a quarter's problems did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct IssueCounts {
    /// Problems sent for the first time, with a new deadline.
    pub added: usize,
    /// Problems already sent: kept with their deadline and any answer.
    pub kept: usize,
    /// Problems sent earlier, never answered, whose finding no longer fails: withdrawn.
    pub withdrawn: usize,
}

/// What importing the units' answers did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AnswerCounts {
    pub updated: usize,
    pub unchanged: usize,
    /// Answers to problems the office had already closed: left as they were.
    pub already_closed: usize,
}

const COLUMNS: &str =
    "r.id, d.quarter, r.draw, r.account, a.city, a.county, a.host_unit, a.name, a.platform,
    a.account_id, r.item, r.category, r.veto, r.description, r.requirement, r.issued_on, r.deadline,
    r.state, r.reply, r.reply_text, r.completed_on, r.contact, r.phone, r.replied_at, r.review_note,
    r.reviewed_by, r.reviewed_at
    FROM rectification r JOIN account a ON a.id = r.account JOIN draw d ON d.id = r.draw";

fn from_row(r: &Row<'_>) -> Result<Rectification, rusqlite::Error> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("整改记录中的{what}无法识别").into(),
        )
    };
    let day = |i: usize| -> Result<Option<NaiveDate>, rusqlite::Error> {
        r.get::<_, Option<String>>(i)?
            .map(|t| NaiveDate::parse_from_str(&t, DAY).map_err(|_| bad(i, "日期")))
            .transpose()
    };
    let time = |i: usize| -> Result<Option<NaiveDateTime>, rusqlite::Error> {
        r.get::<_, Option<String>>(i)?
            .map(|t| NaiveDateTime::parse_from_str(&t, TIME).map_err(|_| bad(i, "时间")))
            .transpose()
    };
    let quarter: String = r.get(1)?;
    let state: String = r.get(17)?;
    let reply: Option<String> = r.get(18)?;
    Ok(Rectification {
        id: r.get(0)?,
        quarter: quarter.parse::<Quarter>().map_err(|_| bad(1, "季度"))?,
        draw: r.get(2)?,
        account: r.get(3)?,
        city: r.get(4)?,
        county: r.get(5)?,
        host_unit: r.get(6)?,
        name: r.get(7)?,
        platform: r.get(8)?,
        account_id: r.get(9)?,
        item: r.get(10)?,
        category: r.get(11)?,
        veto: r.get(12)?,
        description: r.get(13)?,
        requirement: r.get(14)?,
        issued_on: day(15)?.ok_or_else(|| bad(15, "下发日期"))?,
        deadline: day(16)?.ok_or_else(|| bad(16, "整改时限"))?,
        state: State::from_str_opt(&state).ok_or_else(|| bad(17, "状态"))?,
        reply: reply
            .map(|t| Reply::from_str_opt(&t).ok_or_else(|| bad(18, "整改情况")))
            .transpose()?,
        reply_text: r.get(19)?,
        completed_on: day(20)?,
        contact: r.get(21)?,
        phone: r.get(22)?,
        replied_at: time(23)?,
        review_note: r.get(24)?,
        reviewed_by: r.get(25)?,
        reviewed_at: time(26)?,
    })
}

fn query(conn: &rusqlite::Connection, draw: i64) -> Result<Vec<Rectification>, rusqlite::Error> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} WHERE r.draw = ?1 ORDER BY a.host_unit, a.name, a.platform, r.veto DESC, r.item"
    ))?;
    let rows = stmt.query_map([draw], from_row)?;
    rows.collect()
}

impl Store {
    /// Sends `draw`'s problems to their units, in one transaction: a problem sent for the
    /// first time gets the deadline `days` working days after `issued_on`; one sent before
    /// keeps its deadline and answer (its description is refreshed while unanswered); an
    /// unanswered one whose finding no longer fails is withdrawn. `deliver` gets the draw's
    /// problems as they now stand (to write the sheets); if it fails, nothing is issued.
    pub fn issue_rectifications<T, E: From<StoreError>>(
        &mut self,
        draw: i64,
        problems: &[Problem],
        issued_on: NaiveDate,
        days: u32,
        at: NaiveDateTime,
        deliver: impl FnOnce(&[Rectification]) -> Result<T, E>,
    ) -> Result<(IssueCounts, T), E> {
        let actor = self.user_name()?;
        let (counts, tx) = self.issue_in(draw, problems, issued_on, days, at, &actor)?;
        let delivered = deliver(&query(&tx, draw).map_err(StoreError::from)?)?;
        tx.commit().map_err(StoreError::from)?;
        Ok((counts, delivered))
    }

    fn issue_in(
        &mut self,
        draw: i64,
        problems: &[Problem],
        issued_on: NaiveDate,
        days: u32,
        at: NaiveDateTime,
        actor: &str,
    ) -> Result<(IssueCounts, rusqlite::Transaction<'_>), StoreError> {
        let tx = self.conn.transaction()?;
        let mut existing: HashMap<(i64, String), (i64, bool)> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT id, account, item, state = 'open' AND reply IS NULL FROM rectification WHERE draw = ?1",
            )?;
            let rows = stmt.query_map([draw], |r| {
                Ok(((r.get(1)?, r.get(2)?), (r.get(0)?, r.get(3)?)))
            })?;
            for row in rows {
                let (key, value) = row?;
                existing.insert(key, value);
            }
        }
        let deadline = add_working_days(issued_on, days);
        let mut counts = IssueCounts::default();
        {
            let mut insert = tx.prepare(
                "INSERT INTO rectification (draw, account, item, category, veto, description, requirement, issued_on, deadline, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open')",
            )?;
            let mut refresh = tx.prepare(
                "UPDATE rectification SET category = ?2, veto = ?3, description = ?4, requirement = ?5 WHERE id = ?1",
            )?;
            for p in problems.iter().filter(|p| p.draw == draw) {
                let description = p.description();
                if let Some((id, untouched)) = existing.remove(&(p.account, p.item.clone())) {
                    if untouched {
                        refresh.execute(params![
                            id,
                            p.category,
                            p.veto,
                            description,
                            requirement(p.veto)
                        ])?;
                    }
                    counts.kept += 1;
                } else {
                    insert.execute(params![
                        draw,
                        p.account,
                        p.item,
                        p.category,
                        p.veto,
                        description,
                        requirement(p.veto),
                        issued_on.format(DAY).to_string(),
                        deadline.format(DAY).to_string(),
                    ])?;
                    counts.added += 1;
                }
            }
            let mut withdraw = tx.prepare("DELETE FROM rectification WHERE id = ?1")?;
            for (id, untouched) in existing.into_values() {
                if untouched {
                    withdraw.execute([id])?;
                    counts.withdrawn += 1;
                }
            }
        }
        if counts.added > 0 || counts.withdrawn > 0 {
            let quarter: String =
                tx.query_row("SELECT quarter FROM draw WHERE id = ?1", [draw], |r| {
                    r.get(0)
                })?;
            let mut detail = format!(
                "{quarter}：新下发 {} 个问题，整改时限 {}",
                counts.added,
                deadline.format(DAY)
            );
            if counts.withdrawn > 0 {
                detail.push_str(&format!("；撤回已不存在的问题 {} 个", counts.withdrawn));
            }
            log::append(&tx, at, actor, "下发整改", &detail)?;
        }
        Ok((counts, tx))
    }

    /// The problems issued for `draw`, by unit, account and item.
    pub fn rectifications(&self, draw: i64) -> Result<Vec<Rectification>, StoreError> {
        Ok(query(&self.conn, draw)?)
    }

    /// Every problem ever issued, to match returned sheets of any quarter.
    pub fn all_rectifications(&self) -> Result<Vec<Rectification>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} ORDER BY r.id"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn rectification(&self, id: i64) -> Result<Option<Rectification>, StoreError> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {COLUMNS} WHERE r.id = ?1"), [id], from_row)
            .optional()?)
    }

    /// Records the units' answers in one transaction. A problem the office already closed
    /// keeps its state; an answer to a rejected fix puts it back to 已反馈.
    pub fn apply_answers(
        &mut self,
        answers: &[Answer],
        files: &str,
        at: NaiveDateTime,
    ) -> Result<AnswerCounts, StoreError> {
        let actor = self.user_name()?;
        let tx = self.conn.transaction()?;
        let mut counts = AnswerCounts::default();
        {
            let mut current = tx.prepare(
                "SELECT state, reply, reply_text, completed_on, contact, phone FROM rectification WHERE id = ?1",
            )?;
            let mut update = tx.prepare(
                "UPDATE rectification SET state = 'replied', reply = ?2, reply_text = ?3, completed_on = ?4,
                 contact = ?5, phone = ?6, replied_at = ?7 WHERE id = ?1",
            )?;
            for a in answers {
                let row: Option<(
                    String,
                    Option<String>,
                    String,
                    Option<String>,
                    String,
                    String,
                )> = current
                    .query_row([a.id], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    })
                    .optional()?;
                let Some((state, reply, text, done, contact, phone)) = row else {
                    continue;
                };
                if state == State::Closed.as_str() {
                    counts.already_closed += 1;
                    continue;
                }
                let completed = a.completed_on.map(|d| d.format(DAY).to_string());
                // A rejected fix answered with the very answer it had (the old sheet sent
                // again) stays rejected: the unit must say what it did since.
                let same = (state == State::Replied.as_str() || state == State::Reopened.as_str())
                    && reply.as_deref() == Some(a.reply.as_str())
                    && text == a.reply_text
                    && done == completed
                    && contact == a.contact
                    && phone == a.phone;
                if same {
                    counts.unchanged += 1;
                    continue;
                }
                update.execute(params![
                    a.id,
                    a.reply.as_str(),
                    a.reply_text,
                    completed,
                    a.contact,
                    a.phone,
                    at.format(TIME).to_string()
                ])?;
                counts.updated += 1;
            }
        }
        if counts.updated > 0 {
            log::append(
                &tx,
                at,
                &actor,
                "导入整改反馈",
                &format!("{files}：更新 {} 个问题的整改情况", counts.updated),
            )?;
        }
        tx.commit()?;
        Ok(counts)
    }

    /// The office's review of a fix: closes the problem (`close`) or rejects the fix, which
    /// needs a note saying why.
    pub fn review_rectification(
        &mut self,
        id: i64,
        close: bool,
        note: &str,
        at: NaiveDateTime,
    ) -> Result<Rectification, RectifyError> {
        let note = note.trim();
        if !close && note.is_empty() {
            return Err(RectifyError::NeedsNote);
        }
        let actor = self.user_name()?;
        let tx = self.conn.transaction()?;
        let state = if close {
            State::Closed
        } else {
            State::Reopened
        };
        let changed = tx.execute(
            "UPDATE rectification SET state = ?2, review_note = ?3, reviewed_by = ?4, reviewed_at = ?5 WHERE id = ?1",
            params![id, state.as_str(), note, actor, at.format(TIME).to_string()],
        )?;
        if changed == 0 {
            return Err(RectifyError::NotFound(id));
        }
        let (name, category): (String, String) = tx.query_row(
            "SELECT a.name, r.category FROM rectification r JOIN account a ON a.id = r.account WHERE r.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut detail = format!("{}：“{name}”{category}", code(id));
        if !note.is_empty() {
            detail.push_str(&format!("；{note}"));
        }
        let action = if close {
            "复核关闭"
        } else {
            "复核未通过"
        };
        log::append(&tx, at, &actor, action, &detail)?;
        tx.commit()?;
        self.rectification(id)?.ok_or(RectifyError::NotFound(id))
    }
}
