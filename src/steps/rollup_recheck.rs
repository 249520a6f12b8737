//! 复核 (the level above checks again a seeded sample of each reporter's 合格 accounts):
//! drawing and keeping the list, recording the conclusions (one by one in the window, or a
//! filled-in list imported) and each reporter's accuracy. Every change is logged.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::action::{Action, Ctx, Job, folder_of};
use super::actor;
use super::rollup::RollupError;
use crate::model::{Quarter, RecheckEntry, RecheckRound, RecheckSummary, ReportStatus};
use crate::rollup::recheck::{RecheckList, RecheckOptions, choose, summarise};
use crate::rollup::recheck_sheet::read_recheck_sheet;
use crate::store::Store;

/// Each reporter's 复核 of `quarter` (empty when no list was drawn).
pub fn recheck_results(
    store: &Store,
    quarter: Quarter,
) -> Result<Vec<RecheckSummary>, RollupError> {
    Ok(summarise(&store.recheck_entries(&quarter.to_string())?))
}

/// The accounts on `quarter`'s list with their conclusions, and how the list was drawn.
pub fn recheck_list(
    store: &Store,
    quarter: Quarter,
) -> Result<(Option<RecheckRound>, Vec<RecheckEntry>), RollupError> {
    let q = quarter.to_string();
    Ok((store.recheck_round(&q)?, store.recheck_entries(&q)?))
}

fn entries_of(lists: &[RecheckList]) -> Vec<RecheckEntry> {
    lists
        .iter()
        .flat_map(|l| {
            l.chosen.iter().map(|a| RecheckEntry {
                reporter: l.reporter.clone(),
                key: a.key.clone(),
                platform: a.platform.clone(),
                account_id: a.account_id.clone(),
                name: a.name.clone(),
                host_unit: a.host_unit.clone(),
                stratum: a.stratum.clone(),
                passed: None,
                note: String::new(),
                inspector: String::new(),
                checked_on: None,
            })
        })
        .collect()
}

/// 复核名单: a seeded sample of each reporter's 合格 accounts, kept in the workspace (where
/// the conclusions are entered), written as xlsx and logged. Drawn again with other options it
/// replaces the list, unless conclusions were entered on it.
#[derive(Debug, Clone, PartialEq)]
pub struct MakeRecheck {
    pub quarter: Quarter,
    pub options: RecheckOptions,
    pub path: PathBuf,
}

impl Action for MakeRecheck {
    type Done = Vec<RecheckList>;
    type Error = RollupError;
    const JOB: Job = Job::Export;

    fn output_folder(&self) -> Option<PathBuf> {
        folder_of(&self.path)
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Vec<RecheckList>, RollupError> {
        let q = self.quarter.to_string();
        let mut lists = Vec::new();
        for r in cx.store.reports(Some(&q))? {
            if r.status == ReportStatus::Accepted {
                let accounts = cx.store.reported_accounts(r.id)?;
                lists.push(choose(&r.reporter, &accounts, self.options));
            }
        }
        if lists.is_empty() {
            return Err(RollupError::NothingToRecheck(self.quarter));
        }
        lists.sort_by(|a, b| a.reporter.cmp(&b.reporter));
        let entries = entries_of(&lists);
        let kept = cx.store.recheck_entries(&q)?;
        let same = kept.len() == entries.len()
            && kept
                .iter()
                .zip(&entries)
                .all(|(k, e)| k.reporter == e.reporter && k.key == e.key);
        let entered = kept.iter().filter(|e| e.passed.is_some()).count();
        if !same && entered > 0 {
            let round = cx.store.recheck_round(&q)?;
            return Err(RollupError::RecheckStarted {
                quarter: self.quarter,
                entered,
                round: round.map(|r| {
                    format!(
                        "比例 {}%、至少 {} 个、随机种子 {}",
                        f64::from(r.rate_bp) / 100.0,
                        r.min,
                        r.seed
                    )
                }),
            });
        }
        crate::export::write_recheck_list(self.quarter, &lists, self.options, &self.path).map_err(
            |source| RollupError::Export {
                path: self.path.clone(),
                source,
            },
        )?;
        let who = actor(cx.store)?;
        let chosen = entries.len();
        let detail = format!(
            "{}：{} 个上报单位共 {chosen} 个合格账号（比例 {}%，至少 {} 个，随机种子 {}）：{}",
            self.quarter.label(),
            lists.len(),
            f64::from(self.options.rate_bp) / 100.0,
            self.options.min,
            self.options.seed,
            self.path.display()
        );
        let round = RecheckRound {
            rate_bp: self.options.rate_bp,
            min: self.options.min,
            seed: self.options.seed,
            made_at: cx.at,
            made_by: who.clone(),
        };
        let at = cx.at;
        cx.store.transaction(|tx| {
            if same {
                tx.append_log(at, &who, "再次导出复核名单", &detail)
            } else {
                tx.replace_recheck_list(&q, &round, &entries)?;
                tx.append_log(at, &who, "生成复核名单", &detail)
            }
        })?;
        Ok(lists)
    }

    fn report(&self, lists: &Vec<RecheckList>) -> Option<String> {
        let chosen: usize = lists.iter().map(|l| l.chosen.len()).sum();
        Some(format!(
            "复核名单已保存：{}（{} 个上报单位，共 {chosen} 个账号；随机种子 {}，同样的上报包、比例和种子得到同样的名单）",
            self.path.display(),
            lists.len(),
            self.options.seed
        ))
    }
}

/// 录入复核结论: the level above's conclusion on one listed account (`passed: None` clears it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRecheck {
    pub quarter: Quarter,
    pub reporter: String,
    pub key: String,
    pub passed: Option<bool>,
    pub note: String,
    pub checked_on: Option<NaiveDate>,
}

impl Action for RecordRecheck {
    type Done = ();
    type Error = RollupError;
    const JOB: Job = Job::Settings;
    const UNCHANGED_ON_FAILURE: bool = true;

    fn run(&self, cx: &mut Ctx<'_>) -> Result<(), RollupError> {
        let q = self.quarter.to_string();
        let Some(mut entry) = cx
            .store
            .recheck_entries(&q)?
            .into_iter()
            .find(|e| e.reporter == self.reporter && e.key == self.key)
        else {
            return Err(RollupError::NotOnRecheckList(format!(
                "{}的账号",
                self.reporter
            )));
        };
        let note = self.note.trim();
        if self.passed == Some(false) && note.is_empty() {
            return Err(RollupError::RecheckNoteMissing(entry.name));
        }
        if let Some(day) = self.checked_on.filter(|d| *d > cx.at.date()) {
            return Err(RollupError::RecheckInFuture(day));
        }
        let who = actor(cx.store)?;
        let was = verdict_text(entry.passed);
        entry.passed = self.passed;
        note.clone_into(&mut entry.note);
        entry.inspector = if self.passed.is_some() {
            who.clone()
        } else {
            String::new()
        };
        entry.checked_on = self.passed.map(|_| self.checked_on.unwrap_or(cx.at.date()));
        let detail = format!(
            "{} {}：{}（{}）{} 改为 {}{}",
            self.quarter.label(),
            entry.reporter,
            entry.name,
            entry.platform,
            was,
            verdict_text(entry.passed),
            if note.is_empty() {
                String::new()
            } else {
                format!("，说明：{note}")
            }
        );
        let at = cx.at;
        cx.store.transaction(|tx| {
            tx.set_recheck_result(&q, &entry, at)?;
            tx.append_log(at, &who, "录入复核结论", &detail)
        })?;
        Ok(())
    }

    fn report(&self, (): &()) -> Option<String> {
        Some(format!("已保存：{}", verdict_text(self.passed)))
    }
}

fn verdict_text(passed: Option<bool>) -> &'static str {
    match passed {
        Some(true) => "复核合格",
        Some(false) => "复核不合格",
        None => "未复核",
    }
}

/// What importing filled-in 复核名单 did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecheckImported {
    /// Conclusions recorded (new or changed).
    pub recorded: usize,
    /// Conclusions the workspace already had.
    pub unchanged: usize,
    /// Listed accounts without a conclusion yet.
    pub blank: usize,
    /// Rows not recorded, each a Chinese sentence with the file and row.
    pub problems: Vec<String>,
}

/// 导入复核结论: filled-in 复核名单 (as exported, 复核结论 and 复核说明 written in); rows that
/// are not on the quarter's list or cannot be read are named and left out, the others are
/// recorded in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecheck {
    pub quarter: Quarter,
    pub files: Vec<PathBuf>,
}

impl Action for ImportRecheck {
    type Done = RecheckImported;
    type Error = RollupError;
    const JOB: Job = Job::Exchange;
    const UNCHANGED_ON_FAILURE: bool = true;
    const RUNNING: Option<&'static str> = Some("正在导入复核结论…");

    fn run(&self, cx: &mut Ctx<'_>) -> Result<RecheckImported, RollupError> {
        let q = self.quarter.to_string();
        let mut entries = cx.store.recheck_entries(&q)?;
        if entries.is_empty() {
            return Err(RollupError::NoRecheckList(self.quarter));
        }
        let today = cx.at.date();
        let mut out = RecheckImported::default();
        let mut changed: Vec<usize> = Vec::new();
        // (file, row, message), sorted before they are reported.
        let mut problems: Vec<(usize, u32, String)> = Vec::new();
        for (f, file) in self.files.iter().enumerate() {
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let sheet = read_recheck_sheet(file).map_err(|e| RollupError::RecheckSheet {
                message: e.to_string(),
            })?;
            out.blank += sheet.blank;
            problems.extend(
                sheet
                    .problems
                    .iter()
                    .map(|(row, p)| (f, *row, format!("{name} {p}"))),
            );
            for row in sheet.rows {
                let at = entries.iter().position(|e| {
                    e.reporter == row.reporter
                        && e.platform == row.platform
                        && e.account_id == row.account_id
                });
                let Some(at) = at else {
                    problems.push((
                        f,
                        row.row,
                        format!(
                            "{name} 第 {} 行：{}的{}账号“{}”不在{}的复核名单上，未录入。",
                            row.row,
                            row.reporter,
                            row.platform,
                            row.account_id,
                            self.quarter.label()
                        ),
                    ));
                    continue;
                };
                if let Some(day) = row.checked_on.filter(|d| *d > today) {
                    problems.push((
                        f,
                        row.row,
                        format!(
                            "{name} 第 {} 行：复核日期 {} 在今天之后，未录入。",
                            row.row,
                            crate::model::time::day_text(day)
                        ),
                    ));
                    continue;
                }
                let e = &mut entries[at];
                let checked_on = row.checked_on.or(e.checked_on).or(Some(today));
                if e.passed == Some(row.passed) && e.note == row.note && e.checked_on == checked_on
                {
                    out.unchanged += 1;
                    continue;
                }
                e.passed = Some(row.passed);
                e.note = row.note;
                e.inspector = row.inspector;
                e.checked_on = checked_on;
                changed.push(at);
            }
        }
        problems.sort_by_key(|(f, row, _)| (*f, *row));
        out.problems = problems.into_iter().map(|(_, _, p)| p).collect();
        changed.sort_unstable();
        changed.dedup();
        out.recorded = changed.len();
        if changed.is_empty() {
            return Ok(out);
        }
        write_conclusions(cx, self, &entries, &changed)?;
        Ok(out)
    }

    fn report(&self, done: &RecheckImported) -> Option<String> {
        let mut line = format!("已录入 {} 个复核结论", done.recorded);
        if done.unchanged > 0 {
            let _ = write!(line, "，{} 个与已录入的相同", done.unchanged);
        }
        if done.blank > 0 {
            let _ = write!(line, "，{} 个账号尚未填写复核结论", done.blank);
        }
        if !done.problems.is_empty() {
            let _ = write!(
                line,
                "；{} 行未录入：{}",
                done.problems.len(),
                done.problems.join(" ")
            );
        }
        line.push('。');
        Some(line)
    }
}

/// Records the changed conclusions of an import in one transaction, logged.
fn write_conclusions(
    cx: &mut Ctx<'_>,
    import: &ImportRecheck,
    entries: &[RecheckEntry],
    changed: &[usize],
) -> Result<(), RollupError> {
    let q = import.quarter.to_string();
    let who = actor(cx.store)?;
    let at = cx.at;
    let names: Vec<String> = import
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    let detail = format!(
        "{}：录入 {} 个复核结论（其中复核不合格 {} 个）：{}",
        import.quarter.label(),
        changed.len(),
        changed
            .iter()
            .filter(|&&i| entries[i].passed == Some(false))
            .count(),
        names.join("、")
    );
    cx.store.transaction(|tx| {
        for &i in changed {
            let e = &entries[i];
            if e.inspector.is_empty() {
                let mut e = e.clone();
                e.inspector.clone_from(&who);
                tx.set_recheck_result(&q, &e, at)?;
            } else {
                tx.set_recheck_result(&q, e, at)?;
            }
        }
        tx.append_log(at, &who, "导入复核结论", &detail)
    })?;
    Ok(())
}
