//! What 概况 reads, lean: the quarter shown account by account without findings' texts, the
//! quarters before it counted by where their checks stand, and issued problems counted by where
//! they stand. Each is one query; nothing is read that 概况 does not count.

use std::collections::BTreeMap;

use rusqlite::Row;

use super::{Store, StoreError, Tx, count};
use crate::model::time::{parse_day, parse_time, time_text};
use crate::model::{
    AnswerCount, CheckState, FailingItems, IdMap, IdSet, InspectionStatus, Place, ProblemCount,
    Quarter, RegionCount, Reply, SampledAccount, State, Verdict,
};

fn bad(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        format!("{what}无法识别").into(),
    )
}

/// Where in `list` the first element that `is` stands, `make` pushed at the end where none is.
fn index_of<T>(list: &mut Vec<T>, is: impl Fn(&T) -> bool, make: impl FnOnce() -> T) -> usize {
    list.iter().position(is).unwrap_or_else(|| {
        list.push(make());
        list.len() - 1
    })
}

/// A check's status as stored; no row (NULL) is a check not started.
fn status(text: Option<&str>) -> InspectionStatus {
    match text {
        None => InspectionStatus::NotStarted,
        Some("done") => InspectionStatus::Done,
        Some(_) => InspectionStatus::InProgress,
    }
}

fn verdict(text: Option<&str>) -> Option<Verdict> {
    text.and_then(Verdict::from_code)
}

/// A text column that may be NULL, borrowed from the row.
fn text<'r>(r: &'r Row<'_>, i: usize) -> Result<Option<&'r str>, rusqlite::Error> {
    Ok(r.get_ref(i)?.as_str_or_null()?)
}

impl Store {
    /// Every sampled account of `draw`, in no particular order. Where their checks stand is
    /// read apart ([`Store::inspection_states`]): one lookup of a check per account costs
    /// more than reading the draw's checks from their own index.
    pub fn sampled_accounts(&self, draw: i64) -> Result<Vec<SampledAccount>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT da.account, da.counted_region, da.counted_platform, da.inspector,
                    a.city, a.county, a.host_unit, a.name, a.platform,
                    CASE WHEN da.counted_region IS NULL OR da.counted_platform IS NULL THEN a.extra END,
                    da.drawn
             FROM draw_account da JOIN account a ON a.id = da.account
             WHERE da.draw = ?1",
        )?;
        let rows = stmt.query_map([draw], |r| {
            let owned = |i: usize| -> rusqlite::Result<String> {
                Ok(text(r, i)?.unwrap_or_default().to_owned())
            };
            let counted = match (text(r, 1)?, text(r, 2)?) {
                (Some(region), Some(platform)) => Some((region.to_owned(), platform.to_owned())),
                _ => None,
            };
            let extra = match text(r, 9)? {
                Some(json) => serde_json::from_str(json).map_err(|_| bad(9, "账号的其他列"))?,
                None => Vec::new(),
            };
            Ok(SampledAccount {
                account: r.get(0)?,
                counted_as: counted,
                assigned: text(r, 3)?.map(str::to_owned),
                city: owned(4)?,
                county: owned(5)?,
                host_unit: owned(6)?,
                name: owned(7)?,
                platform: owned(8)?,
                extra,
                drawn: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where each started check of `draw` stands, and who started it: account → (status,
    /// verdict as stored, inspector).
    pub fn check_states(&self, draw: i64) -> Result<IdMap<CheckState>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT account, status, verdict, inspector FROM inspection WHERE draw = ?1",
        )?;
        let rows = stmt.query_map([draw], |r| {
            Ok((
                r.get(0)?,
                CheckState {
                    status: status(text(r, 1)?),
                    verdict: verdict(text(r, 2)?),
                    inspector: text(r, 3)?.unwrap_or_default().to_owned(),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The items found 不符合 in `draw`'s checks, with each check's checklist.
    pub fn failing_items(&self, draw: i64) -> Result<FailingItems, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT i.account, i.checklist_id, i.checklist_version, f.item FROM inspection i
             JOIN finding f ON f.inspection = i.id AND f.answer = 'fail'
             WHERE i.draw = ?1",
        )?;
        let mut out = FailingItems::default();
        let mut rows = stmt.query([draw])?;
        while let Some(r) = rows.next()? {
            let (id, version, item) = (
                text(r, 1)?.unwrap_or_default(),
                text(r, 2)?.unwrap_or_default(),
                text(r, 3)?.unwrap_or_default(),
            );
            // A quarter's checks use one or two checklists of a few dozen items.
            let checklist = index_of(
                &mut out.checklists,
                |(i, v)| i == id && v == version,
                || (id.to_owned(), version.to_owned()),
            );
            let item = index_of(&mut out.items, |i| i == item, || item.to_owned());
            out.found.push((r.get(0)?, checklist, item));
        }
        Ok(out)
    }

    /// `draw`'s sampled accounts by where they are counted by region: the region the draw
    /// recorded, or (where it recorded none) the account's 地市 and 区县.
    pub fn drawn_places(&self, draw: i64) -> Result<Vec<(Place, Vec<i64>)>, StoreError> {
        // The account is read only where the draw recorded no region.
        let mut stmt = self.conn.prepare(
            "SELECT da.account, da.counted_region,
                    CASE WHEN da.counted_region IS NULL THEN (SELECT city FROM account WHERE id = da.account) END,
                    CASE WHEN da.counted_region IS NULL THEN (SELECT county FROM account WHERE id = da.account) END
             FROM draw_account da WHERE da.draw = ?1",
        )?;
        let mut out: Vec<(Place, Vec<i64>)> = Vec::new();
        let mut rows = stmt.query([draw])?;
        while let Some(r) = rows.next()? {
            let account: i64 = r.get(0)?;
            // Each place is made once: a few dozen regions hold tens of thousands of accounts.
            let region = text(r, 1)?;
            let (city, county) = match region {
                Some(_) => ("", ""),
                None => (
                    text(r, 2)?.unwrap_or_default(),
                    text(r, 3)?.unwrap_or_default(),
                ),
            };
            let at = index_of(
                &mut out,
                |(p, _)| match (p, region) {
                    (Place::Counted(p), Some(region)) => p == region,
                    (Place::Roster { city: c, county: k }, None) => c == city && k == county,
                    _ => false,
                },
                || {
                    let place = match region {
                        Some(region) => Place::Counted(region.to_owned()),
                        None => Place::Roster {
                            city: city.to_owned(),
                            county: county.to_owned(),
                        },
                    };
                    (place, Vec::new())
                },
            );
            out[at].1.push(account);
        }
        Ok(out)
    }

    /// The 地市 and 区县 of the accounts left out of `draw` (已关停, 已注销), each pair once.
    pub fn excluded_places(&self, draw: i64) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT a.city, a.county FROM draw_excluded e JOIN account a ON a.id = e.account
             WHERE e.draw = ?1",
        )?;
        let rows = stmt.query_map([draw], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The accounts whose check in `draw` the notice counts 不合格: the SQL form of
    /// `report::counted_verdict`, under which a 不合格 verdict counts finished or not
    /// (`tests/core/overview_lean.rs` checks that both count the same).
    pub fn failed_accounts(&self, draw: i64) -> Result<IdSet, StoreError> {
        self.ids(
            "SELECT account FROM inspection WHERE draw = ?1 AND verdict = 'fail'",
            draw,
        )
    }

    /// The accounts whose check in `draw` the notice counts 合格: finished and 合格 (the SQL
    /// form of `report::counted_verdict`, as [`Store::failed_accounts`]).
    pub fn passed_accounts(&self, draw: i64) -> Result<IdSet, StoreError> {
        self.ids(
            "SELECT account FROM inspection WHERE draw = ?1 AND verdict = 'pass' AND status = 'done'",
            draw,
        )
    }

    /// `draw`'s sampled accounts counted by the region the draw recorded (`None`: accounts
    /// it recorded none for), as the triggers keep them: (region, sampled, 合格, 不合格), each
    /// as the notice counts them ([`Store::passed_accounts`], [`Store::failed_accounts`]).
    pub fn region_counts(&self, draw: i64) -> Result<Vec<RegionCount>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT region, sampled, passed, failed FROM draw_tally WHERE draw = ?1 AND sampled > 0",
        )?;
        let rows = stmt.query_map([draw], |r| {
            let region: String = r.get(0)?;
            Ok(RegionCount {
                region: (!region.is_empty()).then_some(region),
                sampled: count(r.get(1)?),
                passed: count(r.get(2)?),
                failed: count(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn ids(&self, sql: &str, draw: i64) -> Result<IdSet, StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let ids = stmt.query_map([draw], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The problems issued for `draw`, counted by where they stand (their units not read).
    pub fn problem_counts(&self, draw: i64) -> Result<Vec<ProblemCount>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT (SELECT quarter FROM draw WHERE id = ?1), ?1, '', state, reply, deadline,
                    replied_at, carried_to IS NOT NULL, COUNT(*)
             FROM rectification WHERE draw = ?1
             GROUP BY deadline, replied_at, state, reply, carried_to IS NOT NULL",
        )?;
        let rows = stmt.query_map([draw], problem_count)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The problems issued for `draw`, counted by their deadline and the day they were
    /// answered, as the triggers keep them.
    pub fn answer_counts(&self, draw: i64) -> Result<Vec<AnswerCount>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT deadline, replied_on, problems FROM draw_answers WHERE draw = ?1 AND problems > 0",
        )?;
        let rows = stmt.query_map([draw], |r| {
            Ok(AnswerCount {
                deadline: text(r, 0)?
                    .and_then(parse_day)
                    .ok_or_else(|| bad(0, "整改时限"))?,
                replied_on: match text(r, 1)?.unwrap_or_default() {
                    "" => None,
                    day => Some(parse_day(day).ok_or_else(|| bad(1, "反馈日期"))?),
                },
                problems: count(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The problems of `like` (of its draw, standing as it says) by the unit they went to.
    pub fn problem_units(&self, like: &ProblemCount) -> Result<Vec<ProblemCount>, StoreError> {
        // Counted by account from the index first: each account's unit is read once.
        let mut stmt = self.conn.prepare_cached(
            "SELECT (SELECT quarter FROM draw WHERE id = ?1), ?1, a.host_unit, ?2, ?3, ?4, ?5, ?6,
                    SUM(r.n)
             FROM (SELECT account, COUNT(*) AS n FROM rectification
                   WHERE draw = ?1 AND deadline = ?4 AND replied_at IS ?5 AND state = ?2
                     AND reply IS ?3 AND (carried_to IS NOT NULL) = ?6
                   GROUP BY account) r
             JOIN account a ON a.id = r.account
             GROUP BY a.host_unit",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![
                like.draw,
                like.state.as_str(),
                like.reply.map(Reply::as_str),
                crate::model::time::day_text(like.deadline),
                like.replied_at.map(time_text),
                like.carried,
            ],
            problem_count,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A row of (quarter, draw, unit, state, reply, deadline, replied at, carried, count).
fn problem_count(r: &Row<'_>) -> rusqlite::Result<ProblemCount> {
    let quarter: Quarter = text(r, 0)?
        .unwrap_or_default()
        .parse()
        .map_err(|_| bad(0, "整改记录中的季度"))?;
    let state = text(r, 3)?.unwrap_or_default();
    Ok(ProblemCount {
        quarter,
        draw: r.get(1)?,
        host_unit: text(r, 2)?.unwrap_or_default().to_owned(),
        state: State::from_str_opt(state).ok_or_else(|| bad(3, "整改记录中的状态"))?,
        reply: text(r, 4)?
            .map(|t| Reply::from_str_opt(t).ok_or_else(|| bad(4, "整改情况")))
            .transpose()?,
        deadline: text(r, 5)?
            .and_then(parse_day)
            .ok_or_else(|| bad(5, "整改时限"))?,
        replied_at: text(r, 6)?
            .map(|t| parse_time(t).ok_or_else(|| bad(6, "反馈时间")))
            .transpose()?,
        carried: r.get(7)?,
        problems: count(r.get(8)?),
    })
}

impl Store {
    /// Regions renamed since earlier quarters: each old name with the current one.
    pub fn region_aliases(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT old_name, new_name FROM region_alias ORDER BY old_name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Tx<'_> {
    /// Records that region `old` is called `new` now (replacing what `old` was said to be).
    pub fn set_region_alias(
        &self,
        old: &str,
        new: &str,
        by: &str,
        at: chrono::NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO region_alias (old_name, new_name, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(old_name) DO UPDATE SET new_name = excluded.new_name,
               set_by = excluded.set_by, set_at = excluded.set_at",
            rusqlite::params![old, new, by, time_text(at)],
        )?;
        Ok(())
    }

    /// Forgets what region `old` was said to be called now; whether it was said.
    pub fn remove_region_alias(&self, old: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .execute("DELETE FROM region_alias WHERE old_name = ?1", [old])?
            > 0)
    }
}
