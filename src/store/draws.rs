//! The quarterly draws in the database: writing a draw (its strata, accounts, population cells
//! and the accounts left out), superseding one, recording who checks which account, and reading
//! them back.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Row, params};

use super::roster::{ACCOUNT_COLUMNS, account_from_row};
use super::{Store, StoreError, Tx, int};
use crate::model::time::{parse_time, time_text};
use crate::model::{
    Candidate, DrawInfo, DrawRecord, DrawWork, DrawnAccount, PopulationCell, Quarter, Rate,
    StoredAccount, Strata, StratumCount,
};

fn info_from_row(r: &Row<'_>) -> Result<DrawInfo, rusqlite::Error> {
    let bad = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("抽样记录中的{what}无法识别").into(),
        )
    };
    let time = |s: String| parse_time(&s).ok_or_else(|| bad("时间"));
    let quarter: String = r.get(1)?;
    let strata: String = r.get(3)?;
    let seed: String = r.get(4)?;
    let superseded: Option<String> = r.get(16)?;
    let count = |i| -> Result<usize, rusqlite::Error> {
        let n: i64 = r.get(i)?;
        usize::try_from(n).map_err(|_| bad("数量"))
    };
    Ok(DrawInfo {
        id: r.get(0)?,
        quarter: quarter.parse().map_err(|_| bad("季度"))?,
        rate: Rate::from_basis_points(r.get(2)?).map_err(|_| bad("比例"))?,
        strata: Strata::parse(&strata).ok_or_else(|| bad("分层方式"))?,
        seed: seed.parse().map_err(|_| bad("随机种子"))?,
        algorithm: r.get(5)?,
        algorithm_version: r.get(6)?,
        prefer_not_drawn_in: r.get(7)?,
        population: count(8)?,
        population_hash: r.get(9)?,
        excluded: count(10)?,
        sampled: count(11)?,
        rechecks: count(12)?,
        drawn_by: r.get(13)?,
        drawn_at: time(r.get(14)?)?,
        reason: r.get(15)?,
        superseded_at: superseded.map(time).transpose()?,
    })
}

const INFO_COLUMNS: &str = "id, quarter, rate_bp, strata, seed, algorithm, algorithm_version, prefer_not_drawn_in, population, population_hash, excluded, sampled, rechecks, drawn_by, drawn_at, reason, superseded_at";

/// One account of a draw as written.
#[derive(Debug, Clone, Copy)]
pub struct NewDrawnAccount<'a> {
    pub account: i64,
    pub position: usize,
    pub stratum: &'a str,
    pub drawn: bool,
    pub recheck: bool,
    pub inspector: Option<&'a str>,
    /// The region and platform the notice counts it under.
    pub region: &'a str,
    pub platform: &'a str,
}

impl Tx<'_> {
    /// Records a draw as `info` describes it (its id and `superseded_at` are ignored); returns
    /// the new draw's id.
    pub fn insert_draw(&self, info: &DrawInfo) -> Result<i64, StoreError> {
        self.conn().execute(
            "INSERT INTO draw (quarter, rate_bp, strata, seed, algorithm, algorithm_version, prefer_not_drawn_in,
                population, population_hash, excluded, sampled, rechecks, drawn_by, drawn_at, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                info.quarter.to_string(),
                info.rate.basis_points(),
                info.strata.as_str(),
                info.seed.to_string(),
                info.algorithm,
                info.algorithm_version,
                info.prefer_not_drawn_in,
                int(info.population),
                info.population_hash,
                int(info.excluded),
                int(info.sampled),
                int(info.rechecks),
                info.drawn_by,
                time_text(info.drawn_at),
                info.reason,
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Marks draw `id` as replaced at `at`.
    pub fn supersede_draw(&self, id: i64, at: NaiveDateTime) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE draw SET superseded_at = ?1 WHERE id = ?2",
            params![time_text(at), id],
        )?;
        Ok(())
    }

    /// Copies the checks of `from` (their findings and evidence) to `to` for the accounts that
    /// are in both draws; returns how many checks were carried.
    pub fn carry_inspections(&self, from: i64, to: i64) -> Result<usize, StoreError> {
        let carried = self.conn().execute(
            "INSERT INTO inspection (draw, account, checklist_id, checklist_version, status, verdict, score, inspector, started_at, finished_at)
             SELECT ?2, i.account, i.checklist_id, i.checklist_version, i.status, i.verdict, i.score, i.inspector, i.started_at, i.finished_at
             FROM inspection i JOIN draw_account da ON da.draw = ?2 AND da.account = i.account
             WHERE i.draw = ?1",
            params![from, to],
        )?;
        self.conn().execute(
            "INSERT INTO finding (inspection, item, answer, note, last_update, checked_on, updated_by, updated_at, lineage, shared, longest_gap)
             SELECT n.id, f.item, f.answer, f.note, f.last_update, f.checked_on, f.updated_by, f.updated_at, f.lineage, f.shared, f.longest_gap
             FROM finding f JOIN inspection o ON o.id = f.inspection AND o.draw = ?1
             JOIN inspection n ON n.draw = ?2 AND n.account = o.account",
            params![from, to],
        )?;
        self.conn().execute(
            "INSERT INTO evidence (inspection, item, sha256, file_name, url, added_by, added_at)
             SELECT n.id, e.item, e.sha256, e.file_name, e.url, e.added_by, e.added_at
             FROM evidence e JOIN inspection o ON o.id = e.inspection AND o.draw = ?1
             JOIN inspection n ON n.draw = ?2 AND n.account = o.account
             ORDER BY e.id",
            params![from, to],
        )?;
        Ok(carried)
    }

    pub fn insert_strata(&self, draw: i64, strata: &[StratumCount]) -> Result<(), StoreError> {
        let mut stmt = self.conn().prepare(
            "INSERT INTO draw_stratum (draw, position, key, population, sampled) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, s) in strata.iter().enumerate() {
            stmt.execute(params![
                draw,
                int(i),
                s.key,
                int(s.population),
                int(s.sampled)
            ])?;
        }
        Ok(())
    }

    /// Adds an account to a draw; `if_new` leaves an account the draw already has as it is
    /// (and returns false).
    pub fn insert_drawn(
        &self,
        draw: i64,
        a: &NewDrawnAccount<'_>,
        if_new: bool,
    ) -> Result<bool, StoreError> {
        let sql = if if_new {
            "INSERT OR IGNORE INTO draw_account (draw, account, position, stratum, drawn, recheck, inspector,
                counted_region, counted_platform) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        } else {
            "INSERT INTO draw_account (draw, account, position, stratum, drawn, recheck, inspector,
                counted_region, counted_platform) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        };
        let written = self.conn().prepare_cached(sql)?.execute(params![
            draw,
            a.account,
            int(a.position),
            a.stratum,
            a.drawn,
            a.recheck,
            a.inspector,
            a.region,
            a.platform
        ])?;
        Ok(written > 0)
    }

    /// The accounts in operation at the draw, counted by region and platform.
    pub fn insert_population(&self, draw: i64, cells: &[PopulationCell]) -> Result<(), StoreError> {
        let mut stmt = self.conn().prepare(
            "INSERT INTO draw_population (draw, region, platform, accounts) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for c in cells {
            stmt.execute(params![draw, c.region, c.platform, int(c.accounts)])?;
        }
        Ok(())
    }

    /// The population `draw` was made from, as the draw saw it (what re-deriving it needs);
    /// marks the draw as keeping it.
    pub fn insert_members(&self, draw: i64, population: &[Candidate]) -> Result<(), StoreError> {
        let mut sorted: Vec<&Candidate> = population.iter().collect();
        // In key order, the table's order: each row goes at the end of its b-tree.
        sorted.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let mut stmt = self.conn().prepare(
            "INSERT INTO draw_member (draw, key, stratum, recent) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for c in sorted {
            stmt.execute(params![draw, c.key, c.stratum, c.recently_drawn])?;
        }
        self.conn()
            .execute("UPDATE draw SET population_kept = 1 WHERE id = ?1", [draw])?;
        Ok(())
    }

    /// Listed accounts left out of the draw's population (已关停, 已注销).
    pub fn insert_excluded(&self, draw: i64, accounts: &[i64]) -> Result<(), StoreError> {
        let mut stmt = self
            .conn()
            .prepare("INSERT INTO draw_excluded (draw, account) VALUES (?1, ?2)")?;
        for a in accounts {
            stmt.execute(params![draw, a])?;
        }
        Ok(())
    }

    /// Who checks `account` in `draw`.
    pub fn set_inspector(
        &self,
        draw: i64,
        account: i64,
        inspector: &str,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE draw_account SET inspector = ?1 WHERE draw = ?2 AND account = ?3",
            )?
            .execute(params![inspector, draw, account])?;
        Ok(())
    }
}

impl Store {
    /// The draw in force for a quarter, without its accounts.
    pub fn current_draw_info(&self, quarter: Quarter) -> Result<Option<DrawInfo>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {INFO_COLUMNS} FROM draw WHERE quarter = ?1 AND superseded_at IS NULL"
                ),
                [quarter.to_string()],
                info_from_row,
            )
            .optional()?)
    }

    /// The quarter of draw `draw`.
    pub fn draw_quarter(&self, draw: i64) -> Result<Quarter, StoreError> {
        let quarter: String = self
            .conn
            .prepare_cached("SELECT quarter FROM draw WHERE id = ?1")?
            .query_row([draw], |r| r.get(0))?;
        quarter
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("抽样记录中的季度“{quarter}”无法识别")))
    }

    /// Every listed account, by id: what a draw is made from.
    pub fn listed_accounts(&self) -> Result<Vec<StoredAccount>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM account WHERE listed = 1 ORDER BY id"
        ))?;
        Ok(stmt
            .query_map([], account_from_row)?
            .collect::<Result<_, _>>()?)
    }

    /// Accounts drawn at random in the draw in force of `quarter`.
    pub fn randomly_drawn_in(&self, quarter: Quarter) -> Result<HashSet<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT da.account FROM draw_account da JOIN draw d ON d.id = da.draw
             WHERE d.quarter = ?1 AND d.superseded_at IS NULL AND da.drawn = 1",
        )?;
        let ids = stmt.query_map([quarter.to_string()], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Accounts counted 不合格 in the draw in force of `quarter`, by the notice's rule
    /// (`report::counted_verdict`): a check's verdict is 不合格 once a veto item fails or its
    /// score falls below the pass mark, finished or not.
    pub fn failed_in(&self, quarter: Quarter) -> Result<HashSet<i64>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT i.account FROM inspection i JOIN draw d ON d.id = i.draw
             WHERE d.quarter = ?1 AND d.superseded_at IS NULL AND i.verdict = 'fail'",
        )?;
        let ids = stmt.query_map([quarter.to_string()], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The population cells recorded with `draw` (none for draws made before they were kept).
    pub fn population_cells(&self, draw: i64) -> Result<Vec<PopulationCell>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT region, platform, accounts FROM draw_population WHERE draw = ?1 ORDER BY region, platform",
        )?;
        let cells = stmt.query_map([draw], |r| {
            Ok(PopulationCell {
                region: r.get(0)?,
                platform: r.get(1)?,
                accounts: super::count(r.get(2)?),
            })
        })?;
        Ok(cells.collect::<Result<_, _>>()?)
    }

    /// The population recorded with `draw`, in key order; `None` for a draw made before
    /// populations were kept.
    pub fn draw_members(&self, draw: i64) -> Result<Option<Vec<Candidate>>, StoreError> {
        let kept: bool = self.conn.query_row(
            "SELECT population_kept FROM draw WHERE id = ?1",
            [draw],
            |r| r.get(0),
        )?;
        if !kept {
            return Ok(None);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT key, stratum, recent FROM draw_member WHERE draw = ?1 ORDER BY key")?;
        let members = stmt.query_map([draw], |r| {
            Ok(Candidate {
                key: r.get(0)?,
                stratum: r.get(1)?,
                recently_drawn: r.get(2)?,
            })
        })?;
        Ok(Some(members.collect::<Result<_, _>>()?))
    }

    /// The work done on `draw` that a redraw would void.
    pub fn draw_work(&self, draw: i64) -> Result<DrawWork, StoreError> {
        let count = |sql: &str| -> Result<usize, StoreError> {
            let n: i64 = self.conn.query_row(sql, [draw], |r| r.get(0))?;
            Ok(super::count(n))
        };
        Ok(DrawWork {
            checks_started: count(
                "SELECT COUNT(*) FROM inspection i WHERE i.draw = ?1 AND (i.status = 'done'
                 OR EXISTS (SELECT 1 FROM finding f WHERE f.inspection = i.id AND (f.answer IS NOT NULL OR f.note <> ''))
                 OR EXISTS (SELECT 1 FROM evidence e WHERE e.inspection = i.id))",
            )?,
            problems_issued: count("SELECT COUNT(*) FROM rectification WHERE draw = ?1")?,
            packages_exported: count(
                "SELECT COUNT(*) FROM package WHERE draw = ?1 AND kind = 'work_sent'",
            )?,
        })
    }

    /// The latest quarter with a draw in force, if any.
    pub fn latest_drawn_quarter(&self) -> Result<Option<Quarter>, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT quarter FROM draw WHERE superseded_at IS NULL ORDER BY quarter DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| {
            t.parse()
                .map_err(|_| StoreError::Corrupt(format!("季度“{t}”无法识别")))
        })
        .transpose()
    }

    /// The quarters with a draw in force, oldest first.
    pub fn drawn_quarters(&self) -> Result<Vec<Quarter>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT quarter FROM draw WHERE superseded_at IS NULL ORDER BY quarter",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for t in rows {
            let t = t?;
            out.push(
                t.parse()
                    .map_err(|_| StoreError::Corrupt(format!("季度“{t}”无法识别")))?,
            );
        }
        Ok(out)
    }

    /// How many accounts draw `draw` has.
    pub fn drawn_count(&self, draw: i64) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM draw_account WHERE draw = ?1",
            [draw],
            |r| r.get(0),
        )?;
        Ok(super::count(n))
    }

    /// Whether `account` is in `draw`.
    pub fn is_drawn(&self, draw: i64, account: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM draw_account WHERE draw = ?1 AND account = ?2)",
            )?
            .query_row(params![draw, account], |r| r.get(0))?)
    }

    /// The draw in force for a quarter, if any.
    pub fn current_draw(&self, quarter: Quarter) -> Result<Option<DrawRecord>, StoreError> {
        match self.current_draw_info(quarter)? {
            Some(info) => Ok(Some(self.draw_record(info.id)?)),
            None => Ok(None),
        }
    }

    /// Every draw of a quarter, the one in force last.
    pub fn draw_history(&self, quarter: Quarter) -> Result<Vec<DrawInfo>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {INFO_COLUMNS} FROM draw WHERE quarter = ?1 ORDER BY superseded_at IS NULL, id"
        ))?;
        let rows = stmt.query_map([quarter.to_string()], info_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One draw with its strata and accounts.
    pub fn draw_record(&self, draw: i64) -> Result<DrawRecord, StoreError> {
        type Row = (
            i64,
            String,
            bool,
            bool,
            Option<String>,
            Option<(String, String)>,
        );
        let info = self.conn.query_row(
            &format!("SELECT {INFO_COLUMNS} FROM draw WHERE id = ?1"),
            [draw],
            info_from_row,
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT key, population, sampled FROM draw_stratum WHERE draw = ?1 ORDER BY position",
        )?;
        let strata = stmt
            .query_map([draw], |r| {
                Ok(StratumCount {
                    key: r.get(0)?,
                    population: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
                    sampled: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM account WHERE id IN
               (SELECT account FROM draw_account WHERE draw = ?1 UNION SELECT account FROM draw_excluded WHERE draw = ?1)"
        ))?;
        let mut by_id: HashMap<i64, StoredAccount> = stmt
            .query_map([draw], account_from_row)?
            .map(|a| a.map(|a| (a.id, a)))
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT account, stratum, drawn, recheck, inspector, counted_region, counted_platform
             FROM draw_account WHERE draw = ?1 ORDER BY position",
        )?;
        let rows: Vec<Row> = stmt
            .query_map([draw], |r| {
                let region: Option<String> = r.get(5)?;
                let platform: Option<String> = r.get(6)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    region.zip(platform),
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut accounts = Vec::with_capacity(rows.len());
        for (id, stratum, drawn, recheck, inspector, counted_as) in rows {
            let account = by_id.get(&id).cloned().ok_or_else(|| {
                StoreError::Corrupt(format!("抽样记录引用了不存在的账号（编号 {id}）"))
            })?;
            accounts.push(DrawnAccount {
                account,
                stratum,
                drawn,
                recheck,
                inspector,
                counted_as,
            });
        }
        let mut stmt = self
            .conn
            .prepare("SELECT account FROM draw_excluded WHERE draw = ?1 ORDER BY account")?;
        let excluded = stmt
            .query_map([draw], |r| r.get::<_, i64>(0))?
            .filter_map(|id| id.ok().and_then(|id| by_id.remove(&id)))
            .collect();
        Ok(DrawRecord {
            info,
            strata,
            accounts,
            excluded,
        })
    }
}
