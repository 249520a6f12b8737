//! From raw result rows to typed findings for the sampled accounts of one draw, with every
//! problem row reported by its sheet row number. Pure: what it needs from the database comes in
//! an [`ImportContext`]; nothing is written here.

use std::collections::{HashMap, HashSet};

use super::outcome::{ResultRow, ValidatedResults};
use chrono::NaiveDate;

use super::sheet::{Column, RawResult, ResultsSheet};
use crate::checklist::{Answer, Checklist, Finding, Item, Rule, apply_rules};
use crate::model::platform::{self, PLATFORMS, fold};
use crate::model::{DrawRecord, Inspection, InspectionStatus, StoredAccount};
use crate::model::{Quarter, account_key};
use crate::roster::{RowProblem, values};
use crate::sheet::grid::Cell;

/// One sampled account as validation sees it.
#[derive(Debug, Clone)]
struct Sampled {
    id: i64,
    platform: String,
    name: String,
    status: InspectionStatus,
    /// Index into [`ImportContext::checklists`], or the id and version of a checklist the
    /// database no longer has.
    checklist: Result<usize, (String, String)>,
}

/// What validation needs to know about the quarter: its draw in force, the checklist each
/// sampled account is checked with, the roster (to tell an account outside the sample from one
/// nobody knows), and the check date for rows that give none.
#[derive(Debug, Clone)]
pub struct ImportContext {
    draw: i64,
    quarter: Quarter,
    today: NaiveDate,
    /// The day the quarter was drawn: a check is dated in its quarter or after its draw.
    drawn_on: NaiveDate,
    accounts: Vec<Sampled>,
    /// The active checklist first, then those of started checks.
    checklists: Vec<Checklist>,
    /// [`account_key`] of platform + id → index into `accounts`.
    by_id: HashMap<String, usize>,
    /// (platform, name) → indexes into `accounts`, for rows that name the account but give no id.
    by_name: HashMap<(String, String), Vec<usize>>,
    /// [`account_key`] of platform + id of every account in the roster → its name.
    roster_ids: HashMap<String, String>,
    roster_names: HashSet<(String, String)>,
}

impl ImportContext {
    /// `inspections` are the draw's started checks and `checklists` the checklists they were
    /// made with (a check whose checklist is missing gets its rows refused); `active` is the
    /// checklist a check started by the import will use; `roster` is every account; `today`
    /// is the check date (监测时间) of rows that give none.
    #[must_use]
    pub fn new(
        draw: &DrawRecord,
        inspections: &[Inspection],
        checklists: &[Checklist],
        active: &Checklist,
        roster: &[StoredAccount],
        today: NaiveDate,
    ) -> Self {
        let mut all = vec![active.clone()];
        for c in checklists {
            if !all.iter().any(|a| a.id == c.id && a.version == c.version) {
                all.push(c.clone());
            }
        }
        let started: HashMap<i64, &Inspection> =
            inspections.iter().map(|i| (i.account, i)).collect();
        let mut accounts = Vec::with_capacity(draw.accounts.len());
        let mut by_id = HashMap::new();
        let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (index, drawn) in draw.accounts.iter().enumerate() {
            let a = &drawn.account.account;
            let (status, checklist) = match started.get(&drawn.account.id) {
                None => (InspectionStatus::NotStarted, Ok(0)),
                Some(ins) => (
                    ins.status,
                    all.iter()
                        .position(|c| {
                            c.id == ins.checklist_id && c.version == ins.checklist_version
                        })
                        .ok_or_else(|| (ins.checklist_id.clone(), ins.checklist_version.clone())),
                ),
            };
            if !a.account_id.is_empty() {
                by_id.insert(id_key(&a.platform, &a.account_id), index);
            }
            by_name
                .entry((a.platform.clone(), a.name.clone()))
                .or_default()
                .push(index);
            accounts.push(Sampled {
                id: drawn.account.id,
                platform: a.platform.clone(),
                name: a.name.clone(),
                status,
                checklist,
            });
        }
        let roster_ids = roster
            .iter()
            .filter(|s| !s.account.account_id.is_empty())
            .map(|s| {
                (
                    id_key(&s.account.platform, &s.account.account_id),
                    s.account.name.clone(),
                )
            })
            .collect();
        let roster_names = roster
            .iter()
            .map(|s| (s.account.platform.clone(), s.account.name.clone()))
            .collect();
        Self {
            draw: draw.info.id,
            quarter: draw.info.quarter,
            today,
            drawn_on: draw.info.drawn_at.date(),
            accounts,
            checklists: all,
            by_id,
            by_name,
            roster_ids,
            roster_names,
        }
    }

    /// The draw the findings belong to.
    #[must_use]
    pub fn draw(&self) -> i64 {
        self.draw
    }

    #[must_use]
    pub fn quarter(&self) -> Quarter {
        self.quarter
    }
}

/// How accounts are matched: platform + id, ids without regard to ASCII case.
fn id_key(platform: &str, id: &str) -> String {
    account_key(platform, id, "", "")
}

/// Checks every row of `sheet` against the quarter's sample and checklists.
#[must_use]
pub fn validate(sheet: &ResultsSheet, ctx: &ImportContext) -> ValidatedResults {
    let mut out = ValidatedResults {
        file_name: sheet.file_name.clone(),
        sheet: sheet.sheet.clone(),
        header_row: sheet.header.last_row,
        quarter: ctx.quarter,
        draw: ctx.draw,
        rows: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        skipped_blank: sheet.skipped_blank,
        skipped_notes: sheet.skipped_notes,
    };
    // (account, item) → index into out.rows, and the row it came from.
    let mut seen: HashMap<(i64, String), (usize, u32)> = HashMap::new();
    let mut warned_done: HashSet<i64> = HashSet::new();
    for raw in &sheet.rows {
        let mut row = Checked {
            raw,
            sheet,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let Some((account, finding)) = row.check(ctx) else {
            out.errors.append(&mut row.errors);
            continue;
        };
        let evidence = row.evidence(&sheet.folder);
        if !row.errors.is_empty() {
            out.errors.append(&mut row.errors);
            continue;
        }
        let sampled = &ctx.accounts[account];
        if sampled.status == InspectionStatus::Done && warned_done.insert(sampled.id) {
            row.warn(
                Column::AccountId,
                raw.text(Column::AccountId),
                "这个账号的检查已经完成，导入的结果会修改已完成的检查，结论将重新计算".to_owned(),
            );
        }
        let result = ResultRow {
            row: raw.row,
            account: sampled.id,
            account_name: sampled.name.clone(),
            finding,
            inspector: Some(raw.text(Column::Inspector))
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            evidence,
        };
        let key = (sampled.id, result.finding.item.clone());
        if let Some(&(index, first)) = seen.get(&key) {
            row.warn(
                Column::Item,
                raw.text(Column::Item),
                format!("第 {first} 行已填写同一账号的同一检查项，以本行为准"),
            );
            out.rows[index] = result;
        } else {
            seen.insert(key, (out.rows.len(), raw.row));
            out.rows.push(result);
        }
        out.warnings.append(&mut row.warnings);
    }
    out
}

/// One row being checked, collecting its problems.
struct Checked<'a> {
    raw: &'a RawResult,
    sheet: &'a ResultsSheet,
    errors: Vec<RowProblem>,
    warnings: Vec<RowProblem>,
}

impl Checked<'_> {
    /// The row's evidence ([`super::evidence::evidence_of`]); a link that is no web address
    /// refuses the row.
    fn evidence(&mut self, folder: &std::path::Path) -> Vec<crate::model::NewEvidence> {
        let links = self.raw.text(Column::Links);
        let (evidence, bad) =
            super::evidence::evidence_of(&links, &self.raw.text(Column::Screenshots), folder);
        for link in bad {
            let message = format!("“{link}”不是网址，证据链接请以 http:// 或 https:// 开头");
            self.error(Column::Links, links.clone(), message);
        }
        evidence
    }

    fn problem(&self, column: Column, value: String, message: String) -> RowProblem {
        RowProblem {
            row: self.raw.row,
            field: self.sheet.header.label(column),
            value,
            message,
        }
    }

    /// A check is dated no later than today, in its quarter or after its draw; an account's
    /// last update is no later than the day it was checked (rows that give no check date are
    /// checked today).
    fn check_dates(
        &mut self,
        ctx: &ImportContext,
        last_update: Option<NaiveDate>,
        checked_on: Option<NaiveDate>,
    ) {
        let raw = self.raw.text(Column::CheckedOn);
        if let Some(day) = checked_on {
            if day > ctx.today {
                self.error(
                    Column::CheckedOn,
                    raw.clone(),
                    format!("检查日期 {day} 晚于今天（{}）", ctx.today),
                );
            } else if Quarter::containing(day) != ctx.quarter && day < ctx.drawn_on {
                self.error(
                    Column::CheckedOn,
                    raw.clone(),
                    format!(
                        "检查日期 {day} 不在{}，也早于本季度抽样的日期 {}",
                        ctx.quarter.label(),
                        ctx.drawn_on
                    ),
                );
            }
        }
        let checked = checked_on.unwrap_or(ctx.today);
        if let Some(last) = last_update
            && last > checked
        {
            self.error(
                Column::LastUpdate,
                self.raw.text(Column::LastUpdate),
                format!("最后更新日期 {last} 晚于检查日期 {checked}，请核对这两列是否填反"),
            );
        }
    }

    fn error(&mut self, column: Column, value: String, mut message: String) {
        message.push_str("，这一行没有导入");
        let p = self.problem(column, value, message);
        self.errors.push(p);
    }

    fn warn(&mut self, column: Column, value: String, message: String) {
        let p = self.problem(column, value, message);
        self.warnings.push(p);
    }

    /// The sampled account (index into the context) and the finding, or `None` with the
    /// row's problems in `errors`. Every column is checked so that one pass over the sheet
    /// finds all its problems.
    fn check(&mut self, ctx: &ImportContext) -> Option<(usize, Finding)> {
        let raw = self.raw;
        let account = self.account(ctx);
        // The item is matched against the account's checklist, or the active one when the
        // account is unknown (so that a wrong item is reported too).
        let checklist = match account.map(|i| &ctx.accounts[i].checklist) {
            Some(Ok(c)) => Some(&ctx.checklists[*c]),
            Some(Err((id, version))) => {
                self.error(
                    Column::AccountId,
                    raw.text(Column::AccountId),
                    format!("这个账号的检查所用的检查表“{id}”（版本 {version}）不在数据库中"),
                );
                None
            }
            None => ctx.checklists.first(),
        };
        let item = checklist.and_then(|c| self.item(c));
        let answer = self.answer();
        let last_update = self.date(Column::LastUpdate);
        let longest_gap = self.days(Column::LongestGap);
        let checked_on = self.date(Column::CheckedOn);
        self.check_dates(ctx, last_update.flatten(), checked_on.flatten());
        let decided = |rule: Option<Rule>| match rule {
            Some(Rule::UpdateWithin { .. }) => {
                matches!(last_update, Some(Some(_)))
            }
            Some(Rule::LongestGap { .. }) => matches!(longest_gap, Some(Some(_))),
            None => false,
        };
        if let (Some(item), Some(None)) = (item, answer)
            && !decided(item.rule)
        {
            self.error(
                Column::Result,
                String::new(),
                "缺少结果，请填写 符合、不符合 或 不适用".to_owned(),
            );
        }
        if let (Some(i), Some(item), Some(answer)) = (account, item, answer)
            && !item.applies(&ctx.accounts[i].platform)
            && answer != Some(Answer::NotApplicable)
        {
            self.error(
                Column::Item,
                raw.text(Column::Item),
                format!(
                    "检查项 {} 只适用于{}，不适用于{}账号",
                    item.label(),
                    item.applies_to.join("、"),
                    ctx.accounts[i].platform
                ),
            );
        }
        let (
            Some(account),
            Some(checklist),
            Some(item),
            Some(answer),
            Some(last_update),
            Some(longest_gap),
            Some(checked_on),
        ) = (
            account,
            checklist,
            item,
            answer,
            last_update,
            longest_gap,
            checked_on,
        )
        else {
            return None;
        };
        if !self.errors.is_empty() {
            return None;
        }
        let mut finding = Finding {
            item: item.id.clone(),
            answer,
            note: raw.text(Column::Note),
            last_update,
            checked_on: Some(checked_on.unwrap_or(ctx.today)),
            longest_gap,
        };
        let computed = apply_rules(checklist, &mut finding);
        self.advise(item, answer, computed, &finding);
        Some((account, finding))
    }

    /// Warnings on a valid finding: the rule overruled the answer written, the update date is
    /// missing or after the check, a 不符合 without a note.
    fn advise(
        &mut self,
        item: &Item,
        written: Option<Answer>,
        computed: Option<Answer>,
        finding: &Finding,
    ) {
        let raw = self.raw;
        let checked_on = finding.checked_on.unwrap_or_default();
        if let (Some(given), Some(computed), Some(last)) = (written, computed, finding.last_update)
            && given != computed
            && matches!(item.rule, Some(Rule::UpdateWithin { .. }))
        {
            self.warn(
                Column::Result,
                raw.text(Column::Result),
                format!(
                    "按最后更新日期 {last} 和检查日期 {checked_on} 计算，这一项应为“{computed}”，已按计算结果保存"
                ),
            );
        }
        if let (Some(given), Some(computed), Some(gap)) = (written, computed, finding.longest_gap)
            && given != computed
            && matches!(item.rule, Some(Rule::LongestGap { .. }))
        {
            self.warn(
                Column::Result,
                raw.text(Column::Result),
                format!("按最长更新间隔 {gap} 天计算，这一项应为“{computed}”，已按计算结果保存"),
            );
        }
        if let Some(rule) = item.rule
            && !rule.has_fact(finding)
            && matches!(finding.answer, Some(Answer::Pass | Answer::Fail))
        {
            let column = match rule {
                Rule::UpdateWithin { .. } => Column::LastUpdate,
                Rule::LongestGap { .. } => Column::LongestGap,
            };
            self.warn(
                column,
                String::new(),
                format!(
                    "检查项 {} 没有填写{}，无法核对更新时效",
                    item.label(),
                    rule.fact()
                ),
            );
        }
        // A rule's fact (the last update date, the longest gap) describes the problem itself.
        let described_by_rule = item.rule.is_some_and(|r| r.has_fact(finding));
        if finding.answer == Some(Answer::Fail) && finding.note.is_empty() && !described_by_rule {
            self.warn(
                Column::Note,
                String::new(),
                format!(
                    "检查项 {} 判定为不符合但没有填写说明；完成这个账号的检查前需要补充问题描述",
                    item.label()
                ),
            );
        }
    }

    /// The sampled account the row names, by platform + id (or platform + name without an id).
    fn account(&mut self, ctx: &ImportContext) -> Option<usize> {
        let raw = self.raw;
        let platform_text = raw.text(Column::Platform);
        let platform = if platform_text.is_empty() {
            self.error(Column::Platform, String::new(), "缺少平台".to_owned());
            None
        } else if let Some(p) = platform::normalize(&platform_text) {
            Some(p)
        } else {
            self.error(
                Column::Platform,
                platform_text.clone(),
                format!(
                    "无法识别平台“{platform_text}”，可用的平台有：{}",
                    PLATFORMS.join("、")
                ),
            );
            None
        };
        let id = match values::account_id(raw.cell(Column::AccountId)) {
            Ok(id) => id,
            Err(message) => {
                self.error(Column::AccountId, raw.text(Column::AccountId), message);
                return None;
            }
        };
        let name = raw.text(Column::Name);
        let platform = platform?;
        if !id.is_empty() {
            let key = id_key(platform, &id);
            if let Some(&i) = ctx.by_id.get(&key) {
                return Some(i);
            }
            let message = match ctx.roster_ids.get(&key) {
                Some(known) => format!(
                    "{platform}账号“{known}”（{id}）不在{}的抽查名单中",
                    ctx.quarter.label()
                ),
                None => format!("名录中没有账号标识为“{id}”的{platform}账号，请核对平台和账号标识"),
            };
            self.error(Column::AccountId, raw.text(Column::AccountId), message);
            return None;
        }
        if name.is_empty() {
            self.error(Column::AccountId, String::new(), "缺少账号标识".to_owned());
            return None;
        }
        let key = (platform.to_owned(), name.clone());
        match ctx.by_name.get(&key).map(Vec::as_slice) {
            Some([i]) => Some(*i),
            Some(many) if many.len() > 1 => {
                self.error(
                    Column::Name,
                    name.clone(),
                    format!(
                        "抽查名单中有 {} 个名为“{name}”的{platform}账号，请填写账号标识以区分",
                        many.len()
                    ),
                );
                None
            }
            _ => {
                let message = if ctx.roster_names.contains(&key) {
                    format!(
                        "{platform}账号“{name}”不在{}的抽查名单中",
                        ctx.quarter.label()
                    )
                } else {
                    format!("名录中没有名为“{name}”的{platform}账号，请核对平台和账号名称")
                };
                self.error(Column::Name, name, message);
                None
            }
        }
    }

    /// The checklist item the row names, by id (V04), title (更新时效) or both (V04 更新时效).
    fn item<'c>(&mut self, checklist: &'c Checklist) -> Option<&'c Item> {
        let text = self.raw.text(Column::Item);
        if text.is_empty() {
            self.error(Column::Item, String::new(), "缺少检查项".to_owned());
            return None;
        }
        let wanted = fold(&text);
        let keys: [fn(&Item) -> String; 3] = [
            |i| fold(&i.id),
            |i| fold(&i.title),
            |i| fold(&i.id) + &fold(&i.title),
        ];
        let found = keys
            .iter()
            .find_map(|key| checklist.items.iter().find(|i| key(i) == wanted));
        if found.is_none() {
            let example = checklist
                .items
                .iter()
                .find(|i| i.rule.is_some())
                .or(checklist.items.first())
                .map(|i| format!("（如 {} 或 {}）", i.id, i.title))
                .unwrap_or_default();
            self.error(
                Column::Item,
                text.clone(),
                format!(
                    "检查表“{}”中没有检查项“{text}”；请填写检查项编号或名称{example}",
                    checklist.title
                ),
            );
        }
        found
    }

    /// `Some(None)` for a blank result (which the update rule may fill), `None` for a bad word.
    #[allow(
        clippy::option_option,
        reason = "outer: refused (and reported), inner: left blank"
    )]
    fn answer(&mut self) -> Option<Option<Answer>> {
        let text = self.raw.text(Column::Result);
        if text.is_empty() {
            return Some(None);
        }
        if let Some(a) = Answer::from_label(&text) {
            return Some(Some(a));
        }
        let message = if matches!(text.as_str(), "合格" | "不合格") {
            format!("“{text}”是对整个账号的结论；这里请填写这一项的结果：符合、不符合 或 不适用")
        } else {
            format!("无法识别结果“{text}”，请填写 符合、不符合 或 不适用")
        };
        self.error(Column::Result, text, message);
        None
    }

    /// A number of days (15, 15天, 15.0), `Some(None)` when blank, `None` for one that cannot
    /// be read.
    #[allow(
        clippy::option_option,
        reason = "outer: refused (and reported), inner: left blank"
    )]
    fn days(&mut self, column: Column) -> Option<Option<u32>> {
        let cell = self.raw.cell(column);
        if cell.is_empty() {
            return Some(None);
        }
        let text = self.raw.text(column);
        let number = match cell {
            Cell::Number(n) => Some(*n),
            _ => text.trim_end_matches('天').trim().parse::<f64>().ok(),
        };
        match number {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a whole number from 0 to 36,600, checked"
            )]
            Some(n) if n.fract() == 0.0 && (0.0..=36_600.0).contains(&n) => Some(Some(n as u32)),
            _ => {
                self.error(
                    column,
                    text.clone(),
                    format!("无法识别天数“{text}”，请填写 0 或正整数，例如 15"),
                );
                None
            }
        }
    }

    /// `Some(None)` for a blank date, `None` for one that cannot be read.
    #[allow(
        clippy::option_option,
        reason = "outer: refused (and reported), inner: left blank"
    )]
    fn date(&mut self, column: Column) -> Option<Option<NaiveDate>> {
        match values::date(self.raw.cell(column)) {
            Ok(d) => Some(d),
            Err(message) => {
                let value = self.raw.text(column);
                self.error(column, value, message);
                None
            }
        }
    }
}
