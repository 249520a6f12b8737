//! 整改 in the database: the problems sent to host units, each with its deadline, the units'
//! answers and the office's review.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, Tx};
use crate::model::time::{day_text, parse_day, parse_time, time_text};
use crate::model::{Quarter, Rectification, Reply, State};

/// The problems sent for a draw: (account, item) → (id, whether still unanswered).
pub type SentProblems = HashMap<(i64, String), (i64, bool)>;

/// A problem's row as [`Store::stored_answer`] reads it: state, reply, reply text, completed
/// on, contact, phone.
type AnswerRow = (
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
);

/// A problem to send, as written.
#[derive(Debug, Clone, Copy)]
pub struct NewProblem<'a> {
    pub account: i64,
    pub item: &'a str,
    pub category: &'a str,
    pub veto: bool,
    pub description: &'a str,
    pub requirement: &'a str,
}

/// What a unit answered on a problem, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub state: State,
    pub reply: Option<Reply>,
    pub reply_text: String,
    pub completed_on: Option<NaiveDate>,
    pub contact: String,
    pub phone: String,
}

const COLUMNS: &str =
    "r.id, d.quarter, r.draw, r.account, a.city, a.county, a.host_unit, a.name, a.platform,
    a.account_id, r.item, r.category, r.veto, r.description, r.requirement, r.issued_on, r.deadline,
    r.state, r.reply, r.reply_text, r.completed_on, r.contact, r.phone, r.replied_at, r.review_note,
    r.reviewed_by, r.reviewed_at, r.carried_to, r.incomplete, r.incomplete_at
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
            .map(|t| parse_day(&t).ok_or_else(|| bad(i, "日期")))
            .transpose()
    };
    let time = |i: usize| -> Result<Option<NaiveDateTime>, rusqlite::Error> {
        r.get::<_, Option<String>>(i)?
            .map(|t| parse_time(&t).ok_or_else(|| bad(i, "时间")))
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
        carried_to: r.get(27)?,
        incomplete: r.get(28)?,
        incomplete_at: time(29)?,
    })
}

impl Tx<'_> {
    /// Sends a problem of `draw` with its deadline; returns its id.
    pub fn insert_rectification(
        &self,
        draw: i64,
        p: &NewProblem<'_>,
        issued_on: NaiveDate,
        deadline: NaiveDate,
    ) -> Result<i64, StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO rectification (draw, account, item, category, veto, description, requirement, issued_on, deadline, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open')",
            )?
            .execute(params![
                draw,
                p.account,
                p.item,
                p.category,
                p.veto,
                p.description,
                p.requirement,
                day_text(issued_on),
                day_text(deadline),
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Rewrites what a problem says (its account and item stay).
    pub fn refresh_rectification(&self, id: i64, p: &NewProblem<'_>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE rectification SET category = ?2, veto = ?3, description = ?4, requirement = ?5 WHERE id = ?1",
            )?
            .execute(params![id, p.category, p.veto, p.description, p.requirement])?;
        Ok(())
    }

    /// Takes back a problem that was sent.
    pub fn withdraw_rectification(&self, id: i64) -> Result<(), StoreError> {
        // What was carried into it is open again.
        self.conn()
            .prepare_cached("UPDATE rectification SET carried_to = NULL WHERE carried_to = ?1")?
            .execute([id])?;
        self.conn()
            .prepare_cached("DELETE FROM rectification WHERE id = ?1")?
            .execute([id])?;
        Ok(())
    }

    /// Problem `id` is carried into problem `to` (the same account and item, found again).
    pub fn carry_rectification(&self, id: i64, to: i64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("UPDATE rectification SET carried_to = ?2 WHERE id = ?1")?
            .execute(params![id, to])?;
        Ok(())
    }

    /// Records a unit's answer on problem `id` (it becomes 已反馈).
    pub fn record_answer(
        &self,
        id: i64,
        a: &StoredAnswer,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE rectification SET state = 'replied', reply = ?2, reply_text = ?3, completed_on = ?4,
                 contact = ?5, phone = ?6, replied_at = ?7, incomplete = '', incomplete_at = NULL
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                a.reply.map(Reply::as_str),
                a.reply_text,
                a.completed_on.map(day_text),
                a.contact,
                a.phone,
                time_text(at)
            ])?;
        Ok(())
    }

    /// Keeps on problem `id` that the unit's reply came back lacking `lacking` (待补充): it was
    /// not taken, but the unit did answer.
    pub fn record_incomplete(
        &self,
        id: i64,
        lacking: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE rectification SET incomplete = ?2, incomplete_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, lacking, time_text(at)])?;
        Ok(())
    }

    /// Records the office's review of problem `id`; returns whether the problem exists.
    pub fn record_review(
        &self,
        id: i64,
        state: State,
        note: &str,
        by: &str,
        at: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let changed = self.conn().execute(
            "UPDATE rectification SET state = ?2, review_note = ?3, reviewed_by = ?4, reviewed_at = ?5 WHERE id = ?1",
            params![id, state.as_str(), note, by, time_text(at)],
        )?;
        Ok(changed > 0)
    }
}

impl Store {
    /// Problems of `account` issued in `quarter` that are not closed: (id, item).
    pub fn open_problems_in(
        &self,
        account: i64,
        quarter: Quarter,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.item FROM rectification r JOIN draw d ON d.id = r.draw
             WHERE r.account = ?1 AND d.quarter = ?2 AND r.state <> 'closed'
                 AND r.carried_to IS NULL ORDER BY r.id",
        )?;
        let rows = stmt.query_map(params![account, quarter.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Problems of `item` of `account` issued before `quarter` and still open (not closed, not
    /// carried into a later one): (id, quarter).
    pub fn open_problems_before(
        &self,
        account: i64,
        item: &str,
        quarter: Quarter,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, d.quarter FROM rectification r JOIN draw d ON d.id = r.draw
             WHERE r.account = ?1 AND r.item = ?2 AND d.quarter < ?3 AND r.state <> 'closed'
                 AND r.carried_to IS NULL ORDER BY r.id",
        )?;
        let rows = stmt.query_map(params![account, item, quarter.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The problems carried into problem `id`, by id.
    pub fn carried_into(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM rectification WHERE carried_to = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The quarters in which a problem was issued for `item` of `account`.
    pub fn problem_quarters(
        &self,
        account: i64,
        item: &str,
    ) -> Result<std::collections::HashSet<Quarter>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT d.quarter FROM rectification r JOIN draw d ON d.id = r.draw
             WHERE r.account = ?1 AND r.item = ?2",
        )?;
        let rows = stmt.query_map(params![account, item], |r| r.get::<_, String>(0))?;
        let mut out = std::collections::HashSet::new();
        for q in rows {
            let q = q?;
            out.insert(
                q.parse()
                    .map_err(|_| StoreError::Corrupt(format!("季度“{q}”无法识别")))?,
            );
        }
        Ok(out)
    }

    /// The problems issued for `draw`, by unit, account and item.
    pub fn rectifications(&self, draw: i64) -> Result<Vec<Rectification>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} WHERE r.draw = ?1 ORDER BY a.host_unit, a.name, a.platform, r.veto DESC, r.item"
        ))?;
        let rows = stmt.query_map([draw], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every problem issued for `account`, oldest first.
    pub fn account_rectifications(&self, account: i64) -> Result<Vec<Rectification>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} WHERE r.account = ?1 ORDER BY r.id"
        ))?;
        let rows = stmt.query_map([account], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
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

    /// The problems sent for `draw`: (account, item) → (id, whether still unanswered).
    pub fn sent_problems(&self, draw: i64) -> Result<SentProblems, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, account, item, state = 'open' AND reply IS NULL FROM rectification WHERE draw = ?1",
        )?;
        let rows = stmt.query_map([draw], |r| {
            Ok(((r.get(1)?, r.get(2)?), (r.get(0)?, r.get(3)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where problem `id` stands and what its unit answered.
    pub fn stored_answer(&self, id: i64) -> Result<Option<StoredAnswer>, StoreError> {
        let row: Option<AnswerRow> = self
            .conn
            .prepare_cached(
                "SELECT state, reply, reply_text, completed_on, contact, phone FROM rectification WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .optional()?;
        row.map(|(state, reply, reply_text, done, contact, phone)| {
            Ok(StoredAnswer {
                state: State::from_str_opt(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("整改状态“{state}”无法识别")))?,
                reply: reply.as_deref().and_then(Reply::from_str_opt),
                reply_text,
                completed_on: done.as_deref().and_then(parse_day),
                contact,
                phone,
            })
        })
        .transpose()
    }
}
