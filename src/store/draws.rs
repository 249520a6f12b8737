//! The quarterly draws in the database: making one (in one transaction, logged), superseding
//! one with a reasoned redraw, assigning inspectors, and reading them back.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::roster::{ACCOUNT_COLUMNS, account_from_row};
use super::{Store, StoreError, log};
use crate::assignment::{self, AssignError, Assignable};
use crate::model::Quarter;
use crate::report::{PopulationCell, platform_of, region_of};
use crate::sampling::{self, Candidate, DrawOptions, Rate, Strata, StratumCount};
use crate::store::StoredAccount;

const TIME: &str = "%Y-%m-%d %H:%M:%S";

/// `SQLite` integers are i64; counts and positions always fit.
fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// What the user asks for when drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRequest {
    pub quarter: Quarter,
    pub options: DrawOptions,
    pub seed: u64,
    /// Required when the quarter already has a draw.
    pub reason: Option<String>,
}

/// How a draw was made: everything needed to reproduce and audit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawInfo {
    pub id: i64,
    pub quarter: Quarter,
    pub rate: Rate,
    pub strata: Strata,
    pub seed: u64,
    pub algorithm: String,
    pub algorithm_version: u32,
    pub prefer_not_drawn_in: u32,
    /// Accounts in operation: the population drawn from.
    pub population: usize,
    pub population_hash: String,
    /// Listed accounts 已关停 or 已注销, left out of the population.
    pub excluded: usize,
    pub sampled: usize,
    pub rechecks: usize,
    pub drawn_by: String,
    pub drawn_at: NaiveDateTime,
    /// Why it replaced an earlier draw of the quarter.
    pub reason: Option<String>,
    /// Set once a later draw replaced it.
    pub superseded_at: Option<NaiveDateTime>,
}

/// One account of a draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnAccount {
    pub account: StoredAccount,
    pub stratum: String,
    /// Drawn at random (false for an account only re-checked).
    pub drawn: bool,
    /// Failed last quarter, so re-checked (复查) this quarter.
    pub recheck: bool,
    pub inspector: Option<String>,
    /// The region and platform the notice counts it under: as they were at the draw (the
    /// roster may have changed since); `None` for draws made before this was recorded.
    pub counted_as: Option<(String, String)>,
}

/// A draw with its strata and accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRecord {
    pub info: DrawInfo,
    pub strata: Vec<StratumCount>,
    /// In draw order: stratum by stratum, each in the order the permutation drew them.
    pub accounts: Vec<DrawnAccount>,
    /// Listed but not in operation at the time of the draw.
    pub excluded: Vec<StoredAccount>,
}

/// Why a draw or an assignment was refused. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    #[error("名录中没有在运行（状态为正常或变更）的账号，无法抽样。请先导入账号名录。")]
    EmptyPopulation,
    #[error("{quarter} 已于 {at} 抽过样。重新抽样必须填写理由；原来的抽样结果会作为历史保留。", quarter = .quarter.label(), at = .at.format("%Y-%m-%d %H:%M"))]
    NeedsReason { quarter: Quarter, at: NaiveDateTime },
    #[error("{} 还没有抽样，请先抽样。", .0.label())]
    NoDraw(Quarter),
    #[error(
        "这台电脑的抽查名单来自组长的工作包，不能在这里抽样或分配。抽样和分配请在组长的电脑上进行，再重新导出工作包。"
    )]
    FromWorkPackage,
    #[error(transparent)]
    Assign(#[from] AssignError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for DrawError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}

fn info_from_row(r: &Row<'_>) -> Result<DrawInfo, rusqlite::Error> {
    let bad = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("抽样记录中的{what}无法识别").into(),
        )
    };
    let time = |s: String| NaiveDateTime::parse_from_str(&s, TIME).map_err(|_| bad("时间"));
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

/// Records a draw: quarter, rate (basis points), strata, seed, algorithm and its version,
/// prefer-not-drawn-in, population, population hash, excluded, sampled, rechecks, by, at, reason.
pub(super) const INSERT_DRAW: &str =
    "INSERT INTO draw (quarter, rate_bp, strata, seed, algorithm, algorithm_version, prefer_not_drawn_in,
        population, population_hash, excluded, sampled, rechecks, drawn_by, drawn_at, reason)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

fn current_info(conn: &Connection, quarter: Quarter) -> Result<Option<DrawInfo>, rusqlite::Error> {
    conn.query_row(
        &format!("SELECT {INFO_COLUMNS} FROM draw WHERE quarter = ?1 AND superseded_at IS NULL"),
        [quarter.to_string()],
        info_from_row,
    )
    .optional()
}

/// Accounts drawn at random in the current draws of the `n` quarters before `quarter`.
fn drawn_before(
    conn: &Connection,
    quarter: Quarter,
    n: u32,
) -> Result<HashSet<i64>, rusqlite::Error> {
    let mut out = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT da.account FROM draw_account da JOIN draw d ON d.id = da.draw
         WHERE d.quarter = ?1 AND d.superseded_at IS NULL AND da.drawn = 1",
    )?;
    let mut q = quarter;
    for _ in 0..n {
        q = q.previous();
        for id in stmt.query_map([q.to_string()], |r| r.get(0))? {
            out.insert(id?);
        }
    }
    Ok(out)
}

/// Accounts found 不合格 in the draw in force of `quarter`.
fn failed_in(conn: &Connection, quarter: Quarter) -> Result<HashSet<i64>, rusqlite::Error> {
    let mut stmt = conn.prepare(
        "SELECT i.account FROM inspection i JOIN draw d ON d.id = i.draw
         WHERE d.quarter = ?1 AND d.superseded_at IS NULL AND i.status = 'done' AND i.verdict = 'fail'",
    )?;
    let ids = stmt.query_map([quarter.to_string()], |r| r.get(0))?;
    ids.collect()
}

fn describe(request: &DrawRequest, population: usize, sampled: usize) -> String {
    let o = &request.options;
    let mut text = format!(
        "{}：抽查比例 {}，{}，随机种子 {}，总体 {population} 个账号，抽取 {sampled} 个",
        request.quarter.label(),
        o.rate,
        o.strata.label(),
        request.seed
    );
    if o.prefer_not_drawn_in > 0 {
        text.push_str(&format!(
            "，优先抽取近 {} 个季度未抽到的账号",
            o.prefer_not_drawn_in
        ));
    }
    if let Some(reason) = &request.reason {
        text.push_str(&format!("；理由：{reason}"));
    }
    text
}

impl Store {
    /// Draws and assignments belong to the supervisor: a laptop that opened a work package
    /// holds only one inspector's share.
    pub(super) fn refuse_on_inspector_laptop(&self) -> Result<(), DrawError> {
        let opened: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM package WHERE kind = 'work_opened')",
            [],
            |r| r.get(0),
        )?;
        if opened {
            Err(DrawError::FromWorkPackage)
        } else {
            Ok(())
        }
    }

    /// Makes the draw for a quarter in one transaction. A quarter that already has a draw
    /// needs a reason; the old draw is kept, marked superseded, and the redraw is logged.
    pub fn make_draw(
        &mut self,
        request: &DrawRequest,
        at: NaiveDateTime,
    ) -> Result<DrawRecord, DrawError> {
        let actor = self.user_name()?;
        self.refuse_on_inspector_laptop()?;
        let reason = request
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if let (Some(p), None) = (current_info(&self.conn, request.quarter)?, reason) {
            return Err(DrawError::NeedsReason {
                quarter: request.quarter,
                at: p.drawn_at,
            });
        }
        self.auto_backup("抽样前")
            .map_err(|e| StoreError::Backup(e.to_string()))?;
        let tx = self.conn.transaction()?;
        let previous = current_info(&tx, request.quarter)?;
        if let Some(p) = &previous {
            if reason.is_none() {
                return Err(DrawError::NeedsReason {
                    quarter: request.quarter,
                    at: p.drawn_at,
                });
            }
            tx.execute(
                "UPDATE draw SET superseded_at = ?1 WHERE id = ?2",
                params![at.format(TIME).to_string(), p.id],
            )?;
        }
        let accounts: Vec<StoredAccount> = {
            let mut stmt = tx.prepare(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM account WHERE listed = 1 ORDER BY id"
            ))?;
            stmt.query_map([], account_from_row)?
                .collect::<Result<_, _>>()?
        };
        let (population, excluded): (Vec<&StoredAccount>, Vec<&StoredAccount>) = accounts
            .iter()
            .partition(|a| a.account.status.in_operation());
        if population.is_empty() {
            return Err(DrawError::EmptyPopulation);
        }
        let recent = drawn_before(&tx, request.quarter, request.options.prefer_not_drawn_in)?;
        let candidates: Vec<Candidate> = population
            .iter()
            .map(|a| Candidate {
                key: a.account.key(),
                stratum: request.options.strata.stratum_of(&a.account),
                recently_drawn: recent.contains(&a.id),
            })
            .collect();
        let sample = sampling::draw(&candidates, &request.options, request.seed);
        let failed = failed_in(&tx, request.quarter.previous())?;
        // 复查: last quarter's failures still in operation, whether drawn again or not.
        let drawn: HashSet<i64> = sample
            .picks
            .iter()
            .map(|&(c, _)| population[c].id)
            .collect();
        let rechecks: Vec<&StoredAccount> = population
            .iter()
            .copied()
            .filter(|a| failed.contains(&a.id))
            .collect();
        let hash = sampling::population_hash(candidates.iter().map(|c| c.key.as_str()));
        let o = &request.options;
        tx.execute(
            INSERT_DRAW,
            params![
                request.quarter.to_string(),
                o.rate.basis_points(),
                o.strata.as_str(),
                request.seed.to_string(),
                sampling::ALGORITHM,
                sampling::ALGORITHM_VERSION,
                o.prefer_not_drawn_in,
                int(population.len()),
                hash,
                int(excluded.len()),
                int(sample.len()),
                int(rechecks.len()),
                actor,
                at.format(TIME).to_string(),
                reason,
            ],
        )?;
        let draw = tx.last_insert_rowid();
        {
            let mut stmt = tx.prepare(
                "INSERT INTO draw_stratum (draw, position, key, population, sampled) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, s) in sample.strata.iter().enumerate() {
                stmt.execute(params![
                    draw,
                    int(i),
                    s.key,
                    int(s.population),
                    int(s.sampled)
                ])?;
            }
            let mut stmt = tx.prepare(
                "INSERT INTO draw_account (draw, account, position, stratum, drawn, recheck, counted_region, counted_platform)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (position, &(c, h)) in sample.picks.iter().enumerate() {
                let a = &population[c];
                let recheck = failed.contains(&a.id);
                stmt.execute(params![
                    draw,
                    a.id,
                    int(position),
                    sample.strata[h].key,
                    true,
                    recheck,
                    region_of(&a.account),
                    platform_of(&a.account)
                ])?;
            }
            let extra = rechecks.iter().filter(|a| !drawn.contains(&a.id));
            for (position, a) in extra.enumerate() {
                let stratum = request.options.strata.stratum_of(&a.account);
                let position = int(sample.len() + position);
                stmt.execute(params![
                    draw,
                    a.id,
                    position,
                    stratum,
                    false,
                    true,
                    region_of(&a.account),
                    platform_of(&a.account)
                ])?;
            }
            let mut cells: HashMap<(String, String), i64> = HashMap::new();
            for a in &population {
                let key = (region_of(&a.account), platform_of(&a.account));
                *cells.entry(key).or_default() += 1;
            }
            let mut stmt = tx.prepare(
                "INSERT INTO draw_population (draw, region, platform, accounts) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for ((region, platform), n) in &cells {
                stmt.execute(params![draw, region, platform, n])?;
            }
            let mut stmt =
                tx.prepare("INSERT INTO draw_excluded (draw, account) VALUES (?1, ?2)")?;
            for a in &excluded {
                stmt.execute(params![draw, a.id])?;
            }
        }
        let action = if previous.is_some() {
            "重新抽样"
        } else {
            "抽样"
        };
        let request = DrawRequest {
            reason: reason.map(str::to_owned),
            ..request.clone()
        };
        log::append(
            &tx,
            at,
            &actor,
            action,
            &describe(&request, population.len(), sample.len()),
        )?;
        tx.commit()?;
        self.draw_record(draw)
    }

    /// The accounts in operation when `draw` was made, counted by region and platform. A draw
    /// made before spotcheck kept these counts is counted on the roster as it is now.
    pub fn draw_population(&self, draw: i64) -> Result<Vec<PopulationCell>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT region, platform, accounts FROM draw_population WHERE draw = ?1 ORDER BY region, platform",
        )?;
        let cells: Vec<PopulationCell> = stmt
            .query_map([draw], |r| {
                Ok(PopulationCell {
                    region: r.get(0)?,
                    platform: r.get(1)?,
                    accounts: usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                })
            })?
            .collect::<Result<_, _>>()?;
        if !cells.is_empty() {
            return Ok(cells);
        }
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for a in self.accounts()? {
            if a.listed && a.account.status.in_operation() {
                *counts
                    .entry((region_of(&a.account), platform_of(&a.account)))
                    .or_default() += 1;
            }
        }
        Ok(counts
            .into_iter()
            .map(|((region, platform), accounts)| PopulationCell {
                region,
                platform,
                accounts,
            })
            .collect())
    }

    /// The draw in force for a quarter, if any.
    pub fn current_draw(&self, quarter: Quarter) -> Result<Option<DrawRecord>, DrawError> {
        match current_info(&self.conn, quarter)? {
            Some(info) => Ok(Some(self.draw_record(info.id)?)),
            None => Ok(None),
        }
    }

    /// Every draw of a quarter, the one in force last.
    pub fn draw_history(&self, quarter: Quarter) -> Result<Vec<DrawInfo>, DrawError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {INFO_COLUMNS} FROM draw WHERE quarter = ?1 ORDER BY superseded_at IS NULL, id"
        ))?;
        let rows = stmt.query_map([quarter.to_string()], info_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One draw with its strata and accounts.
    pub fn draw_record(&self, draw: i64) -> Result<DrawRecord, DrawError> {
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
        type Row = (
            i64,
            String,
            bool,
            bool,
            Option<String>,
            Option<(String, String)>,
        );
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

    /// Splits the quarter's sample between `inspectors` (see [`assignment::split`]) in one
    /// transaction, replacing any earlier split; returns how many accounts each one got.
    pub fn assign(
        &mut self,
        quarter: Quarter,
        inspectors: &[String],
        keep_county: bool,
        at: NaiveDateTime,
    ) -> Result<Vec<(String, usize)>, DrawError> {
        if inspectors.is_empty() {
            return Err(AssignError::NoInspectors.into());
        }
        self.refuse_on_inspector_laptop()?;
        let record = self
            .current_draw(quarter)?
            .ok_or(DrawError::NoDraw(quarter))?;
        let keys: Vec<String> = record
            .accounts
            .iter()
            .map(|a| a.account.account.key())
            .collect();
        let items: Vec<Assignable> = record
            .accounts
            .iter()
            .zip(&keys)
            .map(|(a, key)| Assignable {
                key,
                region: a.account.account.region(),
            })
            .collect();
        let split = assignment::split(&items, inspectors.len(), keep_county);
        let actor = self.user_name()?;
        let tx = self.conn.transaction()?;
        let mut loads = vec![0usize; inspectors.len()];
        {
            let mut stmt = tx.prepare(
                "UPDATE draw_account SET inspector = ?1 WHERE draw = ?2 AND account = ?3",
            )?;
            for (a, &who) in record.accounts.iter().zip(&split) {
                stmt.execute(params![inspectors[who], record.info.id, a.account.id])?;
                loads[who] += 1;
            }
        }
        let result: Vec<(String, usize)> = inspectors.iter().cloned().zip(loads).collect();
        let detail = format!(
            "{}：{}{}",
            quarter.label(),
            result
                .iter()
                .map(|(n, c)| format!("{n} {c} 个"))
                .collect::<Vec<_>>()
                .join("，"),
            if keep_county {
                "（同一区县分给同一人）"
            } else {
                ""
            }
        );
        log::append(&tx, at, &actor, "分配检查人员", &detail)?;
        tx.commit()?;
        Ok(result)
    }
}
