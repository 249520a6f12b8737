//! 检查: an inspector's sampled accounts and the checklist form of the one opened.
//!
//! Every change is sent to the worker at once and shown as 已保存 only when the worker has
//! written it. The verdict is recomputed here on every change (the same pure function the
//! store uses), so it updates live. Keyboard: Up/Down move between items, 1/2/3 answer
//! 符合/不符合/不适用, Ctrl+Enter finishes and opens the next account, Ctrl+V pastes a
//! screenshot onto the current item.
//!
//! The screen's state and what the worker tells it live here; the list of accounts is drawn in
//! `list`, the form of the open one in `form`, its evidence in `evidence`.

mod evidence;
mod facts;
mod form;
mod list;
mod undo;

use undo::Undo;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use super::CommandQueue;
use crate::checklist::{Checklist, Finding, Verdict};
use crate::model::Quarter;
use crate::model::{DrawRecord, Inspection, InspectionStatus};
use crate::roster::grid::Cell;
use crate::worker::Command;

/// The account opened in the form.
impl Opened {
    fn done(&self) -> bool {
        self.inspection
            .as_ref()
            .is_some_and(|i| i.status == InspectionStatus::Done)
    }
}

/// The list's filters: only mine, status, county, platform, search text.
type Filters = (
    bool,
    Option<InspectionStatus>,
    Option<String>,
    Option<String>,
    String,
);

struct Opened {
    index: usize,
    account: i64,
    checklist: Arc<Checklist>,
    inspection: Option<Inspection>,
    /// One finding per applicable item, in checklist order: the form's own copy.
    findings: Vec<Finding>,
    /// Each finding as last saved (or stored), and the changes that can be undone: the item
    /// (by place) and the finding before the change, latest last.
    saved: Vec<Finding>,
    undo: Vec<Undo>,
    /// The unanswered items as they were when 其余项全部符合 was asked, until its answers
    /// arrive.
    passing_rest: Option<Vec<(usize, Finding)>>,
    /// The item whose text is being typed on (one change to undo), until another change or
    /// an undo.
    typing_in: Option<usize>,
    /// Evidence (its id before it was removed) is being put back by an undo: its arrival is
    /// not a change to undo.
    putting_back: Option<i64>,
    current: usize,
    /// 监测时间: applied to items with the update rule.
    checked_on: String,
    url: String,
    /// The last update dates as typed, per item, so that half-typed text survives frames.
    dates: HashMap<String, String>,
    sent: u64,
    acked: u64,
    loaded: bool,
    /// The current item is to be scrolled into view (the form was just opened).
    scroll_pending: bool,
}

#[allow(clippy::struct_excessive_bools)] // independent filter and view flags, read once a frame
pub struct InspectScreen {
    pub quarter: String,
    today: NaiveDate,
    shown: Option<Quarter>,
    draw: Option<Arc<DrawRecord>>,
    states: HashMap<i64, (InspectionStatus, Option<Verdict>)>,
    pub me: String,
    /// The checklist new checks use.
    active: Option<Arc<Checklist>>,
    pub name_input: String,
    pub only_mine: bool,
    pub status: Option<InspectionStatus>,
    pub county: Option<String>,
    pub platform: Option<String>,
    pub search: String,
    counties: Vec<String>,
    platforms: Vec<String>,
    view: Vec<usize>,
    /// (finished, total) of the accounts shown to this inspector, with `view`.
    progress: (usize, usize),
    /// The filters `view` was computed for; cleared when the draw or a check's state changes.
    filtered_for: Option<Filters>,
    opened: Option<Opened>,
    evidence_dir: PathBuf,
    /// Full-size evidence image being shown.
    viewing: Option<PathBuf>,
    seq: u64,
    /// Set when Ctrl+Enter finished an account: open the next one once the finish lands.
    open_next: bool,
    /// The user tried to change a finished check: ask before opening it again.
    confirm_reopen: bool,
    /// A text field had the keyboard focus at the end of the last frame: keys that arrive
    /// now are typing, not shortcuts.
    was_typing: bool,
    /// The database is open read-only: checks are shown, never changed.
    pub read_only: bool,
}

impl InspectScreen {
    #[must_use]
    pub fn new(today: NaiveDate, evidence_dir: PathBuf) -> Self {
        Self {
            quarter: Quarter::containing(today).to_string(),
            today,
            shown: None,
            draw: None,
            states: HashMap::new(),
            me: String::new(),
            active: None,
            name_input: String::new(),
            only_mine: true,
            status: None,
            county: None,
            platform: None,
            search: String::new(),
            counties: Vec::new(),
            platforms: Vec::new(),
            view: Vec::new(),
            progress: (0, 0),
            filtered_for: None,
            opened: None,
            evidence_dir,
            viewing: None,
            seq: 0,
            open_next: false,
            confirm_reopen: false,
            was_typing: false,
            read_only: false,
        }
    }

    /// Forget the loaded quarter so the next frame reloads it (after a draw or an assignment).
    pub fn invalidate(&mut self) {
        self.shown = None;
    }

    pub fn set_loaded(
        &mut self,
        quarter: Quarter,
        draw: Option<Arc<DrawRecord>>,
        states: HashMap<i64, (InspectionStatus, Option<Verdict>)>,
        me: String,
        checklist: Arc<Checklist>,
    ) {
        if self.shown != Some(quarter) {
            return;
        }
        self.active = Some(checklist);
        if draw.as_ref().map(|d| d.info.id) != self.draw.as_ref().map(|d| d.info.id) {
            self.opened = None;
        }
        if let Some(d) = &draw {
            let set = |f: fn(&crate::model::Account) -> String| -> Vec<String> {
                d.accounts
                    .iter()
                    .map(|a| f(&a.account.account))
                    .filter(|s| !s.is_empty())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect()
            };
            self.counties = set(crate::model::Account::region);
            self.counties
                .sort_by(|a, b| crate::model::collate::cmp_pinyin(a, b));
            // The usual platforms in their usual order, then any others.
            self.platforms = set(|a| a.platform.clone());
            self.platforms.sort_by_key(|p| {
                crate::model::platform::PLATFORMS
                    .iter()
                    .position(|k| k == p)
                    .unwrap_or(usize::MAX)
            });
        }
        self.draw = draw;
        self.states = states;
        if self.me.is_empty() {
            self.me = me;
        }
        self.filtered_for = None;
    }

    pub fn set_name(&mut self, name: String) {
        self.me = name;
        self.filtered_for = None;
    }

    /// A check as the worker stored it. If the user finished it with Ctrl+Enter, the next
    /// account is opened.
    pub fn set_inspection(
        &mut self,
        draw: i64,
        account: i64,
        inspection: Option<Inspection>,
        checklist: Arc<Checklist>,
        seq: Option<u64>,
        commands: &mut CommandQueue,
    ) {
        if let Some(i) = &inspection {
            self.states.insert(account, (i.status, i.verdict));
            self.filtered_for = None;
        }
        let Some(o) = self.opened.as_mut().filter(|o| o.account == account) else {
            return;
        };
        if self.draw.as_ref().map(|d| d.info.id) != Some(draw) {
            return;
        }
        if let Some(seq) = seq {
            o.acked = o.acked.max(seq);
        }
        let finished_now = inspection
            .as_ref()
            .is_some_and(|i| i.status == InspectionStatus::Done)
            && o.inspection
                .as_ref()
                .is_none_or(|i| i.status != InspectionStatus::Done);
        if !o.loaded || o.checklist.id != checklist.id || o.checklist.version != checklist.version {
            // First load: the form takes the stored findings.
            let platform = self
                .draw
                .as_ref()
                .map(|d| d.accounts[o.index].account.account.platform.clone())
                .unwrap_or_default();
            o.findings = checklist
                .applicable(&platform)
                .map(|item| {
                    inspection
                        .as_ref()
                        .and_then(|i| i.finding(&item.id))
                        .map_or_else(|| Finding::new(item.id.clone()), |f| f.finding.clone())
                })
                .collect();
            if let Some(day) = o.findings.iter().find_map(|f| f.checked_on) {
                o.checked_on = crate::model::time::day_text(day);
            }
            // The form opens at its first unanswered item, scrolled into view, so that the
            // next key press answers the item the inspector sees.
            o.current = o
                .findings
                .iter()
                .position(|f| f.answer.is_none())
                .unwrap_or(0);
            o.scroll_pending = true;
            o.checklist = checklist;
            o.loaded = true;
            o.saved.clone_from(&o.findings);
            o.undo.clear();
        } else if seq.is_none() && o.acked >= o.sent {
            // Changed elsewhere (其余项全部符合, evidence, a merge) with nothing of the form's
            // own still on its way: the form shows what is stored. What came before such a
            // change is no longer the last change to undo.
            if let Some(stored) = &inspection {
                let mut changed = false;
                for f in &mut o.findings {
                    if let Some(s) = stored.finding(&f.item)
                        && s.finding != *f
                    {
                        o.dates.remove(&f.item);
                        s.finding.clone_into(f);
                        changed = true;
                    }
                }
                if changed {
                    // 其余项全部符合 asked from this form: undone item by item; any other change
                    // made elsewhere ends what can be undone.
                    let passed: Vec<(usize, Finding)> = o
                        .passing_rest
                        .take()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|(n, f)| o.findings.get(*n).is_some_and(|now| now != f))
                        .collect();
                    if passed.is_empty() {
                        o.undo.clear();
                    } else {
                        o.undo.push(Undo::Findings(passed));
                    }
                    o.saved.clone_from(&o.findings);
                    o.typing_in = None;
                }
            }
        }
        if o.loaded {
            o.note_added_evidence(inspection.as_ref());
        }
        o.inspection = inspection;
        if finished_now && std::mem::take(&mut self.open_next) {
            self.open_next_unfinished(commands);
        }
    }

    /// The open form's findings as it shows them (tests read them).
    #[must_use]
    pub fn form_findings(&self) -> Option<&[Finding]> {
        self.opened.as_ref().map(|o| o.findings.as_slice())
    }

    /// The account whose form is open (tests read it).
    #[must_use]
    pub fn opened_account(&self) -> Option<i64> {
        self.opened.as_ref().map(|o| o.account)
    }

    /// Sets the check date of the open form (tests pin it instead of today's date).
    pub fn checked_on_for_test(&mut self, day: &str) {
        if let Some(o) = self.opened.as_mut() {
            day.clone_into(&mut o.checked_on);
        }
    }

    /// The quarter's draw, once loaded.
    #[must_use]
    pub fn draw(&self) -> Option<&DrawRecord> {
        self.draw.as_deref()
    }

    /// The accounts the list shows, after its filters (as last drawn).
    #[must_use]
    pub fn listed(&self) -> Vec<&crate::model::DrawnAccount> {
        let Some(draw) = self.draw.as_deref() else {
            return Vec::new();
        };
        self.view
            .iter()
            .filter_map(|&i| draw.accounts.get(i))
            .collect()
    }

    /// The open account's check as last stored (`None` before its first answer).
    #[must_use]
    pub fn inspection(&self) -> Option<&Inspection> {
        self.opened.as_ref()?.inspection.as_ref()
    }

    #[must_use]
    pub fn state_of(&self, account: i64) -> Option<(InspectionStatus, Option<Verdict>)> {
        self.states.get(&account).copied()
    }

    /// Whether the open form has read its check from the database (tests wait for it).
    #[must_use]
    pub fn loaded(&self) -> bool {
        self.opened.as_ref().is_some_and(|o| o.loaded)
    }

    /// Whether every change shown has been written.
    #[must_use]
    pub fn saved(&self) -> bool {
        self.opened.as_ref().is_none_or(|o| o.acked >= o.sent)
    }

    #[must_use]
    pub fn current_item(&self) -> Option<&str> {
        let o = self.opened.as_ref()?;
        o.findings.get(o.current).map(|f| f.item.as_str())
    }

    fn refilter(&mut self) {
        let key = (
            self.only_mine,
            self.status,
            self.county.clone(),
            self.platform.clone(),
            self.search.clone(),
        );
        if self.filtered_for.as_ref() == Some(&key) {
            return;
        }
        self.filtered_for = Some(key);
        let Some(draw) = &self.draw else {
            self.view.clear();
            return;
        };
        let needle = self.search.trim().to_lowercase();
        let mine = self.only_mine && !self.me.is_empty();
        let assigned = |d: &&crate::model::DrawnAccount| {
            !mine || d.inspector.as_deref() == Some(self.me.as_str())
        };
        let done = |d: &&crate::model::DrawnAccount| {
            self.states
                .get(&d.account.id)
                .is_some_and(|s| s.0 == InspectionStatus::Done)
        };
        self.progress = (
            draw.accounts.iter().filter(assigned).filter(done).count(),
            draw.accounts.iter().filter(assigned).count(),
        );
        self.view = draw
            .accounts_shown()
            .into_iter()
            .map(|i| (i, &draw.accounts[i]))
            .filter(|(_, d)| {
                let a = &d.account.account;
                let state = self
                    .states
                    .get(&d.account.id)
                    .map_or(InspectionStatus::NotStarted, |s| s.0);
                (!mine || d.inspector.as_deref() == Some(self.me.as_str()))
                    && self.status.is_none_or(|s| s == state)
                    && self.county.as_deref().is_none_or(|c| a.region() == c)
                    && self
                        .platform
                        .as_deref()
                        .is_none_or(|p| a.platform == p || crate::report::platform_of(a) == p)
                    && (needle.is_empty()
                        || a.name.to_lowercase().contains(&needle)
                        || a.host_unit.to_lowercase().contains(&needle)
                        || a.account_id.to_lowercase().contains(&needle))
            })
            .map(|(i, _)| i)
            .collect();
    }

    fn open(&mut self, index: usize, commands: &mut CommandQueue) {
        let Some(draw) = &self.draw else { return };
        let Some(account) = draw.accounts.get(index).map(|d| d.account.id) else {
            return;
        };
        self.opened = Some(Opened {
            index,
            account,
            checklist: Arc::new(Checklist::builtin().clone()),
            inspection: None,
            findings: Vec::new(),
            saved: Vec::new(),
            undo: Vec::new(),
            putting_back: None,
            typing_in: None,
            passing_rest: None,
            current: 0,
            checked_on: crate::model::time::day_text(self.today),
            url: String::new(),
            dates: HashMap::new(),
            sent: 0,
            acked: 0,
            loaded: false,
            scroll_pending: true,
        });
        commands.send(Command::OpenInspection {
            draw: draw.info.id,
            account,
        });
    }

    /// Opens the account `step` places after the open one in the list (wrapping).
    /// Opens the next account of the list, after the open one, whose check is not finished
    /// (the list from the top when none is open); nothing when every check is finished.
    pub(super) fn open_next_unfinished(&mut self, commands: &mut CommandQueue) {
        self.refilter();
        let Some(draw) = self.draw.clone() else {
            return;
        };
        let at = self
            .opened
            .as_ref()
            .and_then(|o| self.view.iter().position(|&i| i == o.index));
        let len = self.view.len();
        let start = at.map_or(0, |p| p + 1);
        let next = (0..len).map(|k| self.view[(start + k) % len]).find(|&i| {
            Some(i) != self.opened.as_ref().map(|o| o.index)
                && self
                    .states
                    .get(&draw.accounts[i].account.id)
                    .is_none_or(|s| s.0 != InspectionStatus::Done)
        });
        if let Some(i) = next {
            self.open(i, commands);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        if let Ok(q) = self.quarter.parse::<Quarter>()
            && self.shown != Some(q)
        {
            self.shown = Some(q);
            self.draw = None;
            self.opened = None;
            commands.send(Command::LoadInspections(q));
        }
        self.refilter();
        // The list takes at most 40% of the width: on a 1024 px screen the form keeps room for
        // its answers.
        let width = ui.available_width();
        egui::Panel::left("inspect_list")
            .resizable(true)
            .default_size((width * 0.36).min(420.0))
            .max_size(width * 0.4)
            .show(ui, |ui| self.list_ui(ui, commands));
        egui::CentralPanel::default().show(ui, |ui| self.form_ui(ui, commands));
        self.was_typing = ui.ctx().text_edit_focused();
        self.viewer_ui(ui.ctx());
        self.reopen_ui(ui.ctx(), commands);
    }

    /// Whether the open check is finished: its answers and evidence change only after the
    /// user confirms opening it again.
    #[must_use]
    pub fn locked(&self) -> bool {
        self.opened.as_ref().is_some_and(Opened::done)
    }

    /// Asks whether to open the finished check again (something tried to change it).
    pub fn ask_reopen(&mut self) {
        self.confirm_reopen = self.locked();
    }

    /// The confirmation before a finished check is changed.
    fn reopen_ui(&mut self, ctx: &egui::Context, commands: &mut CommandQueue) {
        if !self.confirm_reopen {
            return;
        }
        let (Some(o), Some(draw)) = (self.opened.as_ref(), self.draw.as_ref()) else {
            self.confirm_reopen = false;
            return;
        };
        let (draw, account) = (draw.info.id, o.account);
        let modal = egui::Modal::new(egui::Id::unique("reopen_check")).show(ctx, |ui| {
            ui.set_max_width(420.0);
            ui.heading("修改已完成的检查？");
            ui.label("这个账号的检查已经完成。修改后检查会回到“检查中”，结论按修改后的内容重新计算，改完请再点“完成”。重新打开会记入操作日志。");
            ui.horizontal(|ui| {
                if ui.button("重新打开并修改").clicked() {
                    commands.send(Command::ReopenInspection { draw, account });
                    self.confirm_reopen = false;
                }
                if ui.button("取消").clicked() {
                    self.confirm_reopen = false;
                }
            });
        });
        if modal.should_close() {
            self.confirm_reopen = false;
        }
    }

    #[must_use]
    pub fn drop_target(&self) -> Option<(i64, i64, String)> {
        let o = self.opened.as_ref()?;
        let draw = self.draw.as_ref()?.info.id;
        Some((draw, o.account, o.findings.get(o.current)?.item.clone()))
    }
}

/// A date typed by the inspector, read like a roster date (2026-11-20, 2026年11月20日, 20261120…).
fn parse_day(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    crate::roster::values::date(&Cell::Text(text.trim().to_owned()))
}
