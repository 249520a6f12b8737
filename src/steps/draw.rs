//! 抽样 and 分配: drawing a quarter's sample (logged, after an automatic backup; a redraw
//! needs a reason and keeps the old draw as history) and splitting it between inspectors.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::NaiveDateTime;

use crate::assignment::{self, AssignError, Assignable};
use crate::model::{
    DrawInfo, DrawOptions, DrawRecord, DrawRequest, DrawWork, PopulationCell, Quarter,
    StoredAccount, platform_of, region_of,
};
use crate::sampling::verify::{Mismatch, RecordedDraw, Verified};
use crate::sampling::{self, Candidate, SamplingError};
use crate::store::{NewDrawnAccount, Store, StoreError};

/// Why a draw or an assignment was refused. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    #[error("名录中没有在运行（状态为正常或变更）的账号，无法抽样。请先导入账号名录。")]
    EmptyPopulation,
    #[error("{quarter} 已于 {at} 抽过样。重新抽样必须填写理由；原来的抽样结果会作为历史保留。", quarter = .quarter.label(), at = crate::model::time::minute_text(*.at))]
    NeedsReason { quarter: Quarter, at: NaiveDateTime },
    #[error("{quarter} 的整改已经下发（{problems} 个问题），不能再重新抽样：通报和整改依据的是这次抽样。如确需调整，请先在“通报与整改”中撤回全部整改问题。", quarter = .quarter.label())]
    RectificationIssued { quarter: Quarter, problems: usize },
    #[error("{quarter} 的检查工作已经开始（{work}）。重新抽样后，不在新样本中的账号的检查将作废（仍保留在历史中），已导出的工作包不能再合并；两次都抽到的账号的检查结果会带到新样本。请确认后再重新抽样。", quarter = .quarter.label(), work = .work.describe())]
    WouldVoidWork { quarter: Quarter, work: DrawWork },
    #[error("{} 还没有抽样，请先抽样。", .0.label())]
    NoDraw(Quarter),
    #[error(
        "这台电脑的抽查名单来自组长的工作包，不能在这里抽样或分配。抽样和分配请在组长的电脑上进行，再重新导出工作包。"
    )]
    FromWorkPackage,
    #[error(transparent)]
    Sampling(#[from] SamplingError),
    #[error(transparent)]
    Assign(#[from] AssignError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Draws and assignments belong to the supervisor: a laptop that opened a work package
/// holds only one inspector's share.
pub fn refuse_on_inspector_laptop(store: &Store) -> Result<(), DrawError> {
    if store.work_package_opened()? {
        Err(DrawError::FromWorkPackage)
    } else {
        Ok(())
    }
}

/// The draw in force for `quarter`, or why there is none.
pub fn current_draw(store: &Store, quarter: Quarter) -> Result<DrawRecord, DrawError> {
    store
        .current_draw(quarter)?
        .ok_or(DrawError::NoDraw(quarter))
}

/// The log line of a draw.
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
        let _ = write!(
            text,
            "，优先抽取近 {} 个季度未抽到的账号",
            o.prefer_not_drawn_in
        );
    }
    if let Some(reason) = &request.reason {
        let _ = write!(text, "；理由：{reason}");
    }
    text
}

/// Accounts drawn at random in the draws in force of the `n` quarters before `quarter`.
fn drawn_before(store: &Store, quarter: Quarter, n: u32) -> Result<HashSet<i64>, StoreError> {
    let mut out = HashSet::new();
    let mut q = quarter;
    for _ in 0..n {
        q = q.previous();
        out.extend(store.randomly_drawn_in(q)?);
    }
    Ok(out)
}

/// The work a redraw of `quarter` would void, if it has a draw.
pub fn work_on(store: &Store, quarter: Quarter) -> Result<DrawWork, DrawError> {
    match store.current_draw_info(quarter)? {
        Some(p) => Ok(store.draw_work(p.id)?),
        None => Ok(DrawWork::default()),
    }
}

/// A redraw is refused once 整改 has been issued on the draw it replaces, and needs the user's
/// confirmation (`void_work`) once checks have started or work packages have gone out.
fn refuse_voiding(
    store: &Store,
    previous: &DrawInfo,
    request: &DrawRequest,
) -> Result<(), DrawError> {
    let work = store.draw_work(previous.id)?;
    if work.problems_issued > 0 {
        return Err(DrawError::RectificationIssued {
            quarter: request.quarter,
            problems: work.problems_issued,
        });
    }
    if !work.is_empty() && !request.void_work {
        return Err(DrawError::WouldVoidWork {
            quarter: request.quarter,
            work,
        });
    }
    Ok(())
}

/// Makes the draw for a quarter in one transaction, after an automatic backup. A quarter that
/// already has a draw needs a reason (and `void_work` once work began on it, see [`refuse_voiding`]); the old draw is kept, marked superseded, its checks of accounts drawn again are carried over, and the redraw
/// is logged. Accounts that failed last quarter are added as 复查.
#[allow(clippy::too_many_lines)] // one transaction, step by step: refuse, back up, draw, carry over, log
pub fn make_draw(
    store: &mut Store,
    request: &DrawRequest,
    at: NaiveDateTime,
) -> Result<DrawRecord, DrawError> {
    let actor = super::actor(store)?;
    refuse_on_inspector_laptop(store)?;
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(p) = store.current_draw_info(request.quarter)? {
        let Some(_) = reason else {
            return Err(DrawError::NeedsReason {
                quarter: request.quarter,
                at: p.drawn_at,
            });
        };
        refuse_voiding(store, &p, request)?;
    }
    super::backup_before(store, "抽样前", at, &actor)?;
    let draw = store.transaction(|tx| {
        let previous = tx.current_draw_info(request.quarter)?;
        if let Some(p) = &previous {
            tx.supersede_draw(p.id, at)?;
        }
        let accounts = tx.listed_accounts()?;
        let (population, excluded): (Vec<&StoredAccount>, Vec<&StoredAccount>) = accounts
            .iter()
            .partition(|a| a.account.status.in_operation());
        if population.is_empty() {
            return Err(DrawError::EmptyPopulation);
        }
        let o = &request.options;
        let recent = drawn_before(tx, request.quarter, o.prefer_not_drawn_in)?;
        let version = sampling::ALGORITHM_VERSION;
        let candidates: Vec<Candidate> = population
            .iter()
            .map(|a| {
                Ok(Candidate {
                    key: a.account.key(),
                    stratum: sampling::stratum_of(o.strata, version, &a.account)?,
                    recently_drawn: recent.contains(&a.id),
                })
            })
            .collect::<Result<_, SamplingError>>()?;
        let sample = sampling::sample(&candidates, o, request.seed, version)?;
        // 复查: last quarter's failures still in operation, whether drawn again or not.
        let failed = tx.failed_in(request.quarter.previous())?;
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
        let draw = tx.insert_draw(&DrawInfo {
            id: 0,
            quarter: request.quarter,
            rate: o.rate,
            strata: o.strata,
            seed: request.seed,
            algorithm: sampling::ALGORITHM.to_owned(),
            algorithm_version: version,
            prefer_not_drawn_in: o.prefer_not_drawn_in,
            population: population.len(),
            population_hash: sampling::population_hash(candidates.iter().map(|c| c.key.as_str())),
            excluded: excluded.len(),
            sampled: sample.len(),
            rechecks: rechecks.len(),
            drawn_by: actor.clone(),
            drawn_at: at,
            reason: reason.map(str::to_owned),
            superseded_at: None,
        })?;
        tx.insert_strata(draw, &sample.strata)?;
        tx.insert_members(draw, &candidates)?;
        let add = |position: usize, a: &StoredAccount, stratum: &str, random: bool| {
            let (region, platform) = (region_of(&a.account), platform_of(&a.account));
            tx.insert_drawn(
                draw,
                &NewDrawnAccount {
                    account: a.id,
                    position,
                    stratum,
                    drawn: random,
                    recheck: failed.contains(&a.id),
                    inspector: None,
                    region: &region,
                    platform: &platform,
                },
                false,
            )
        };
        for (position, &(c, h)) in sample.picks.iter().enumerate() {
            add(position, population[c], &sample.strata[h].key, true)?;
        }
        let extra = rechecks.iter().filter(|a| !drawn.contains(&a.id));
        for (n, a) in extra.enumerate() {
            let stratum = sampling::stratum_of(o.strata, version, &a.account)?;
            add(sample.len() + n, a, &stratum, false)?;
        }
        let mut cells: HashMap<(String, String), usize> = HashMap::new();
        for a in &population {
            *cells
                .entry((region_of(&a.account), platform_of(&a.account)))
                .or_default() += 1;
        }
        let cells: Vec<PopulationCell> = cells
            .into_iter()
            .map(|((region, platform), accounts)| PopulationCell {
                region,
                platform,
                accounts,
            })
            .collect();
        tx.insert_population(draw, &cells)?;
        let carried = match &previous {
            Some(p) => tx.carry_inspections(p.id, draw)?,
            None => 0,
        };
        tx.insert_excluded(draw, &excluded.iter().map(|a| a.id).collect::<Vec<_>>())?;
        let action = if previous.is_some() {
            "重新抽样"
        } else {
            "抽样"
        };
        let request = DrawRequest {
            reason: reason.map(str::to_owned),
            ..request.clone()
        };
        let mut detail = describe(&request, population.len(), sample.len());
        if let Some(p) = &previous {
            let work = tx.draw_work(p.id)?;
            if !work.is_empty() {
                let _ = write!(
                    detail,
                    "；原抽样{}，其中 {carried} 个账号的检查带到新样本",
                    work.describe()
                );
            }
        }
        tx.append_log(at, &actor, action, &detail)?;
        Ok(draw)
    })?;
    Ok(store.draw_record(draw)?)
}

/// Why a recorded draw did not verify. Messages are what users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotVerified {
    #[error(
        "这次抽样是在保存总体名单之前做出的，无法重新推算。抽样的设置、随机种子和总体指纹仍在记录中，可以对照当时的名录核对。"
    )]
    PopulationNotKept,
    #[error(
        "这台电脑的抽查名单来自组长的工作包，工作包不带总体名单，无法在这里重新推算。请在组长的电脑上核对。"
    )]
    FromWorkPackage,
    #[error("{0}")]
    Differs(Mismatch),
}

impl NotVerified {
    /// A stable word for the outcome (`--json`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PopulationNotKept => "population_not_kept",
            Self::FromWorkPackage => "from_work_package",
            Self::Differs(m) => m.kind(),
        }
    }
}

/// A recorded draw re-derived: the draw, and what was checked or the first difference.
#[derive(Debug, Clone)]
pub struct DrawCheck {
    pub info: DrawInfo,
    pub outcome: Result<Verified, NotVerified>,
}

/// Re-derives the draw in force for `quarter` from the population, options, seed and
/// algorithm version it recorded, and compares it with the record (see
/// [`sampling::verify::verify`]). Reads only.
pub fn verify_draw(store: &Store, quarter: Quarter) -> Result<DrawCheck, DrawError> {
    let record = current_draw(store, quarter)?;
    let info = record.info.clone();
    let Some(population) = store.draw_members(info.id)? else {
        let why = if store.work_package_opened()? {
            NotVerified::FromWorkPackage
        } else {
            NotVerified::PopulationNotKept
        };
        return Ok(DrawCheck {
            info,
            outcome: Err(why),
        });
    };
    let sampled: Vec<String> = record
        .accounts
        .iter()
        .filter(|a| a.drawn)
        .map(|a| a.account.account.key())
        .collect();
    let outcome = sampling::verify::verify(&RecordedDraw {
        algorithm: &info.algorithm,
        algorithm_version: info.algorithm_version,
        options: DrawOptions {
            rate: info.rate,
            strata: info.strata,
            prefer_not_drawn_in: info.prefer_not_drawn_in,
        },
        seed: info.seed,
        population: &population,
        population_count: info.population,
        population_hash: &info.population_hash,
        strata: &record.strata,
        sampled: &sampled,
    })
    .map_err(NotVerified::Differs);
    Ok(DrawCheck { info, outcome })
}

/// The accounts in operation when `draw` was made, counted by region and platform. A draw
/// made before spotcheck kept these counts is counted on the roster as it is now.
pub fn draw_population(store: &Store, draw: i64) -> Result<Vec<PopulationCell>, StoreError> {
    let cells = store.population_cells(draw)?;
    if !cells.is_empty() {
        return Ok(cells);
    }
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for a in store.accounts()? {
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

/// Splits the quarter's sample between `inspectors` (see [`assignment::split`]) in one
/// transaction, replacing any earlier split; returns how many accounts each one got.
pub fn assign(
    store: &mut Store,
    quarter: Quarter,
    inspectors: &[String],
    keep_county: bool,
    at: NaiveDateTime,
) -> Result<Vec<(String, usize)>, DrawError> {
    if inspectors.is_empty() {
        return Err(AssignError::NoInspectors.into());
    }
    refuse_on_inspector_laptop(store)?;
    let record = current_draw(store, quarter)?;
    let keys: Vec<String> = record
        .accounts
        .iter()
        .map(|a| a.account.account.key())
        .collect();
    let regions: Vec<String> = record
        .accounts
        .iter()
        .map(|a| a.account.account.region())
        .collect();
    let items: Vec<Assignable> = keys
        .iter()
        .zip(&regions)
        .map(|(key, region)| Assignable { key, region })
        .collect();
    let split = assignment::split(&items, inspectors.len(), keep_county);
    let actor = super::actor(store)?;
    let mut loads = vec![0usize; inspectors.len()];
    for &who in &split {
        loads[who] += 1;
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
    store.transaction(|tx| {
        for (a, &who) in record.accounts.iter().zip(&split) {
            tx.set_inspector(record.info.id, a.account.id, &inspectors[who])?;
        }
        tx.append_log(at, &actor, "分配检查人员", &detail)
    })?;
    Ok(result)
}

/// 抽样 (or 重新抽样, with a reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeDraw(pub DrawRequest);

impl super::action::Action for MakeDraw {
    type Done = DrawRecord;
    type Error = DrawError;
    const JOB: super::action::Job = super::action::Job::Draw;
    const RUNNING: Option<&'static str> = Some("正在抽样…");

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<DrawRecord, DrawError> {
        make_draw(cx.store, &self.0, cx.at)
    }

    fn report(&self, draw: &DrawRecord) -> Option<String> {
        let i = &draw.info;
        Some(format!(
            "{}已抽取 {} 个账号（在运行账号 {} 个，比例 {}，随机种子 {}）。",
            i.quarter.label(),
            i.sampled,
            i.population,
            i.rate,
            i.seed
        ))
    }
}

/// 分配: splits the quarter's sample between inspectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assign {
    pub quarter: Quarter,
    pub inspectors: Vec<String>,
    pub keep_county: bool,
}

impl super::action::Action for Assign {
    /// How many accounts each inspector got.
    type Done = Vec<(String, usize)>;
    type Error = DrawError;
    const JOB: super::action::Job = super::action::Job::Assign;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<Self::Done, DrawError> {
        assign(
            cx.store,
            self.quarter,
            &self.inspectors,
            self.keep_county,
            cx.at,
        )
    }

    fn report(&self, loads: &Self::Done) -> Option<String> {
        Some(format!(
            "已分配：{}。",
            loads
                .iter()
                .map(|(n, c)| format!("{n} {c} 个"))
                .collect::<Vec<_>>()
                .join("，")
        ))
    }
}
