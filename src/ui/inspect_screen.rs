//! 检查: an inspector's sampled accounts and the checklist form of the one opened.
//!
//! Every change is sent to the worker at once and shown as 已保存 only when the worker has
//! written it. The verdict is recomputed here on every change (the same pure function the
//! store uses), so it updates live. Keyboard: Up/Down move between items, 1/2/3 answer
//! 符合/不符合/不适用, Ctrl+Enter finishes and opens the next account, Ctrl+V pastes a
//! screenshot onto the current item.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use egui_extras::{Column, TableBuilder};

use crate::checklist::{Answer, Checklist, Finding, ItemKind, Verdict, apply_rules, evaluate};
use crate::model::Quarter;
use crate::model::{DrawRecord, EvidenceKind, Inspection, InspectionStatus, NewEvidence};
use crate::roster::grid::Cell;

/// What the screen asks the app to do.
#[derive(Debug, Clone)]
pub enum InspectAction {
    Load(Quarter),
    Open {
        draw: i64,
        account: i64,
    },
    Save {
        draw: i64,
        account: i64,
        finding: Finding,
        seq: u64,
    },
    Finish {
        draw: i64,
        account: i64,
    },
    /// Pick evidence files in a dialog for the current item.
    PickFiles {
        draw: i64,
        account: i64,
        item: String,
    },
    AddEvidence {
        draw: i64,
        account: i64,
        item: String,
        evidence: NewEvidence,
    },
    RemoveEvidence {
        draw: i64,
        account: i64,
        evidence: i64,
    },
    SetName(String),
    /// Read a screenshot from the clipboard and attach it to the item.
    PasteScreenshot {
        draw: i64,
        account: i64,
        item: String,
    },
    /// Choose a checklist file for new checks.
    PickChecklist(Quarter),
    /// Choose a sheet of results to import into the quarter.
    PickResults(Quarter),
}

/// The account opened in the form.
struct Opened {
    index: usize,
    account: i64,
    checklist: Arc<Checklist>,
    inspection: Option<Inspection>,
    /// One finding per applicable item, in checklist order: the form's own copy.
    findings: Vec<Finding>,
    current: usize,
    /// 监测时间: applied to items with the update rule.
    checked_on: String,
    url: String,
    /// The last update dates as typed, per item, so that half-typed text survives frames.
    dates: HashMap<String, String>,
    sent: u64,
    acked: u64,
    loaded: bool,
}

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
    filtered_for: Option<(
        bool,
        Option<InspectionStatus>,
        Option<String>,
        Option<String>,
        String,
    )>,
    opened: Option<Opened>,
    evidence_dir: PathBuf,
    /// Full-size evidence image being shown.
    viewing: Option<PathBuf>,
    seq: u64,
    /// Set when Ctrl+Enter finished an account: open the next one once the finish lands.
    open_next: bool,
}

fn item_status_label(status: Option<(InspectionStatus, Option<Verdict>)>) -> String {
    match status {
        None => InspectionStatus::NotStarted.label().to_owned(),
        Some((InspectionStatus::Done, Some(v))) => format!("已完成·{}", v.label()),
        Some((s, _)) => s.label().to_owned(),
    }
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
            let set = |f: fn(&crate::model::Account) -> &str| -> Vec<String> {
                d.accounts
                    .iter()
                    .map(|a| f(&a.account.account).to_owned())
                    .filter(|s| !s.is_empty())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect()
            };
            self.counties = set(crate::model::Account::region);
            self.platforms = set(|a| &a.platform);
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

    /// A check as the worker stored it.
    pub fn set_inspection(
        &mut self,
        draw: i64,
        account: i64,
        inspection: Option<Inspection>,
        checklist: Arc<Checklist>,
        seq: Option<u64>,
    ) -> Option<InspectAction> {
        if let Some(i) = &inspection {
            self.states.insert(account, (i.status, i.verdict));
            self.filtered_for = None;
        }
        let Some(o) = self.opened.as_mut().filter(|o| o.account == account) else {
            return None;
        };
        if self.draw.as_ref().map(|d| d.info.id) != Some(draw) {
            return None;
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
                o.checked_on = day.format("%Y-%m-%d").to_string();
            }
            o.checklist = checklist;
            o.loaded = true;
        }
        o.inspection = inspection;
        if finished_now && std::mem::take(&mut self.open_next) {
            return self.open_relative(1);
        }
        None
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

    /// The open account's check as last stored (`None` before its first answer).
    #[must_use]
    pub fn inspection(&self) -> Option<&Inspection> {
        self.opened.as_ref()?.inspection.as_ref()
    }

    #[must_use]
    pub fn state_of(&self, account: i64) -> Option<(InspectionStatus, Option<Verdict>)> {
        self.states.get(&account).copied()
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
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                let a = &d.account.account;
                let state = self
                    .states
                    .get(&d.account.id)
                    .map_or(InspectionStatus::NotStarted, |s| s.0);
                (!mine || d.inspector.as_deref() == Some(self.me.as_str()))
                    && self.status.is_none_or(|s| s == state)
                    && self.county.as_deref().is_none_or(|c| a.region() == c)
                    && self.platform.as_deref().is_none_or(|p| a.platform == p)
                    && (needle.is_empty()
                        || a.name.to_lowercase().contains(&needle)
                        || a.host_unit.to_lowercase().contains(&needle)
                        || a.account_id.to_lowercase().contains(&needle))
            })
            .map(|(i, _)| i)
            .collect();
    }

    fn open(&mut self, index: usize) -> Option<InspectAction> {
        let draw = self.draw.as_ref()?;
        let account = draw.accounts.get(index)?.account.id;
        self.opened = Some(Opened {
            index,
            account,
            checklist: Arc::new(Checklist::builtin().clone()),
            inspection: None,
            findings: Vec::new(),
            current: 0,
            checked_on: self.today.format("%Y-%m-%d").to_string(),
            url: String::new(),
            dates: HashMap::new(),
            sent: 0,
            acked: 0,
            loaded: false,
        });
        Some(InspectAction::Open {
            draw: draw.info.id,
            account,
        })
    }

    /// Opens the account `step` places after the open one in the list (wrapping).
    fn open_relative(&mut self, step: usize) -> Option<InspectAction> {
        self.refilter();
        if self.view.is_empty() {
            return None;
        }
        let at = self
            .opened
            .as_ref()
            .and_then(|o| self.view.iter().position(|&i| i == o.index));
        let next = at.map_or(0, |p| (p + step) % self.view.len());
        self.open(self.view[next])
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<InspectAction> {
        let mut action = None;
        if let Ok(q) = self.quarter.parse::<Quarter>()
            && self.shown != Some(q)
        {
            self.shown = Some(q);
            self.draw = None;
            self.opened = None;
            action = Some(InspectAction::Load(q));
        }
        self.refilter();
        egui::Panel::left("inspect_list")
            .resizable(true)
            .default_size(400.0)
            .show(ui, |ui| {
                if let Some(a) = self.list_ui(ui) {
                    action = Some(a);
                }
            });
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(a) = self.form_ui(ui) {
                action = Some(a);
            }
        });
        self.viewer_ui(ui.ctx());
        action
    }

    fn list_ui(&mut self, ui: &mut egui::Ui) -> Option<InspectAction> {
        let mut action = None;
        if self.me.is_empty() {
            ui.group(|ui| {
                ui.label("请先填写您的姓名：每条检查结果都会记录检查人。");
                ui.horizontal(|ui| {
                    let label = ui.label("您的姓名");
                    ui.add(egui::TextEdit::singleline(&mut self.name_input).desired_width(120.0))
                        .labelled_by(label.id);
                    let name = self.name_input.trim().to_owned();
                    if ui
                        .add_enabled(!name.is_empty(), egui::Button::new("保存姓名"))
                        .clicked()
                    {
                        action = Some(InspectAction::SetName(name));
                    }
                });
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label("季度");
            ui.add(egui::TextEdit::singleline(&mut self.quarter).desired_width(80.0))
                .labelled_by(label.id);
            if !self.me.is_empty() {
                ui.checkbox(&mut self.only_mine, format!("只看分给{}的", self.me));
            }
        });
        if let (Some(c), Some(q)) = (&self.active, self.shown) {
            ui.horizontal(|ui| {
                ui.small(format!("检查表：{}（版本 {}）", c.title, c.version));
                if ui
                    .small_button("更换…")
                    .on_hover_text("载入主管单位下发的检查表文件（json）；已开始的检查仍按原检查表")
                    .clicked()
                {
                    action = Some(InspectAction::PickChecklist(q));
                }
                if self.draw.is_some()
                    && ui
                        .small_button("导入检查结果…")
                        .on_hover_text("从共享表格或监测工具导出的表格批量导入（平台、账号标识、检查项、结果、说明、最后更新日期）")
                        .clicked()
                {
                    action = Some(InspectAction::PickResults(q));
                }
            });
        }
        let Some(draw) = self.draw.clone() else {
            ui.add_space(12.0);
            ui.label(match self.shown {
                Some(q) => format!("{}还没有抽样，请先在“抽样”中抽取名单。", q.label()),
                None => "季度的写法不正确，例如 2026Q4。".to_owned(),
            });
            return action;
        };
        ui.horizontal(|ui| {
            combo(
                ui,
                "状态",
                &mut self.status,
                &InspectionStatus::ALL,
                |s| s.label().to_owned(),
            );
            combo(
                ui,
                "区县",
                &mut self.county,
                &self.counties.clone(),
                Clone::clone,
            );
            combo(
                ui,
                "平台",
                &mut self.platform,
                &self.platforms.clone(),
                Clone::clone,
            );
        });
        ui.horizontal(|ui| {
            let label = ui.label("搜索");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("账号名称、主办单位或账号标识")
                    .desired_width(240.0),
            )
            .labelled_by(label.id);
        });
        let (done, total) = self.progress;
        ui.add(
            egui::ProgressBar::new(if total == 0 {
                0.0
            } else {
                done as f32 / total as f32
            })
            .text(format!("已完成 {done} / {total}")),
        );
        if self.only_mine && !self.me.is_empty() && total == 0 {
            ui.label(format!(
                "本季度没有分给“{}”的账号；取消“只看”可以查看全部。",
                self.me
            ));
        }
        ui.separator();
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let opened = self.opened.as_ref().map(|o| o.index);
        let mut clicked = None;
        TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(92.0))
            .column(Column::remainder().clip(true))
            .column(Column::exact(84.0))
            .header(row_height, |mut h| {
                for t in ["状态", "账号名称", "平台"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.view.len(), |mut row| {
                    let i = self.view[row.index()];
                    let d = &draw.accounts[i];
                    row.set_selected(opened == Some(i));
                    let status = item_status_label(self.states.get(&d.account.id).copied());
                    for text in [
                        status.as_str(),
                        &d.account.account.name,
                        &d.account.account.platform,
                    ] {
                        row.col(|ui| {
                            ui.add(egui::Label::new(text).selectable(false).truncate());
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(i);
                    }
                });
            });
        if let Some(i) = clicked {
            action = self.open(i);
        }
        action
    }

    #[allow(clippy::too_many_lines)] // one form, read top to bottom
    fn form_ui(&mut self, ui: &mut egui::Ui) -> Option<InspectAction> {
        let draw = self.draw.clone()?;
        let Some(o) = self.opened.as_mut() else {
            ui.add_space(30.0);
            ui.vertical_centered(|ui| {
                ui.heading("请在左侧选择要检查的账号");
                ui.label("键盘：上下方向键切换检查项，1/2/3 选择 符合/不符合/不适用，Ctrl+Enter 完成并打开下一个，Ctrl+V 粘贴截图作为证据。");
            });
            return None;
        };
        let mut action = None;
        let drawn = &draw.accounts[o.index];
        let a = &drawn.account.account;
        let draw_id = draw.info.id;
        let account = o.account;
        ui.horizontal(|ui| {
            ui.heading(&a.name);
            ui.label(format!("{}　{}", a.platform, a.region()));
            if drawn.recheck {
                ui.colored_label(ui.visuals().warn_fg_color, "复查");
            }
        });
        ui.horizontal(|ui| {
            ui.label(format!("主办单位：{}", a.host_unit));
            ui.separator();
            ui.label(format!(
                "账号标识：{}",
                if a.account_id.is_empty() {
                    "（未填）"
                } else {
                    &a.account_id
                }
            ));
            if !a.account_id.is_empty() && ui.small_button("复制").clicked() {
                ui.ctx().copy_text(a.account_id.clone());
            }
            if let Some(inspector) = &drawn.inspector {
                ui.separator();
                ui.label(format!("检查人员：{inspector}"));
            }
        });
        if !o.loaded {
            ui.spinner();
            return None;
        }
        let checklist = Arc::clone(&o.checklist);
        let eval = evaluate(&checklist, &a.platform, &o.findings);
        ui.horizontal(|ui| {
            let (text, color) = match eval.verdict {
                Some(Verdict::Fail) => (
                    format!(
                        "结论：不合格{}",
                        if eval.vetoes.is_empty() {
                            String::new()
                        } else {
                            format!("（否决项 {}）", eval.vetoes.join("、"))
                        }
                    ),
                    ui.visuals().error_fg_color,
                ),
                Some(Verdict::Pass) => (
                    "结论：合格".to_owned(),
                    egui::Color32::from_rgb(60, 170, 90),
                ),
                None => (
                    format!("结论：待定（还有 {} 项未填）", eval.unanswered.len()),
                    ui.visuals().text_color(),
                ),
            };
            ui.colored_label(color, egui::RichText::new(text).strong());
            if let Some(score) = eval.score {
                ui.label(format!("得分 {score:.0}"));
            }
            ui.separator();
            if o.acked >= o.sent {
                ui.label("已保存");
            } else {
                ui.label("正在保存…");
            }
            let done = o
                .inspection
                .as_ref()
                .is_some_and(|i| i.status == InspectionStatus::Done);
            if done {
                ui.label("（已完成）");
            }
            let finish = ui
                .button(if done {
                    "完成并打开下一个"
                } else {
                    "完成"
                })
                .on_hover_text("Ctrl+Enter");
            if finish.clicked() {
                action = Some(InspectAction::Finish {
                    draw: draw_id,
                    account,
                });
                self.open_next = done;
            }
        });
        if let Err(unfinished) = eval.can_finish(&checklist) {
            ui.small(unfinished.to_string());
        }
        let evidence_count = |item: &str| {
            o.inspection
                .as_ref()
                .map_or(0, |i| i.evidence.iter().filter(|e| e.item == item).count())
        };
        for w in eval.warnings(&checklist, evidence_count) {
            ui.colored_label(ui.visuals().warn_fg_color, w.to_string());
        }
        ui.horizontal(|ui| {
            let label = ui.label("检查日期");
            ui.add(egui::TextEdit::singleline(&mut o.checked_on).desired_width(100.0))
                .labelled_by(label.id);
            ui.small("更新时效按“检查日期前 14 天内有无更新”自动判定");
        });
        let checked_on = parse_day(&o.checked_on).ok().flatten();
        ui.separator();

        // Keyboard, when no text field has the focus.
        let typing = ui.ctx().text_edit_focused();
        let (up, down, answer, finish, paste) = ui.ctx().input(|i| {
            let key = |k| !typing && i.key_pressed(k);
            (
                key(egui::Key::ArrowUp),
                key(egui::Key::ArrowDown),
                if key(egui::Key::Num1) {
                    Some(Answer::Pass)
                } else if key(egui::Key::Num2) {
                    Some(Answer::Fail)
                } else if key(egui::Key::Num3) {
                    Some(Answer::NotApplicable)
                } else {
                    None
                },
                i.events.iter().any(|e| {
                    matches!(e, egui::Event::Key { key: egui::Key::Enter, pressed: true, modifiers, .. } if modifiers.command)
                }),
                !typing
                    && i.events.iter().any(|e| {
                        matches!(e, egui::Event::Paste(_))
                            || matches!(e, egui::Event::Key { key: egui::Key::V, pressed: true, modifiers, .. } if modifiers.command)
                    }),
            )
        });
        if up {
            o.current = o.current.saturating_sub(1);
        }
        if down && o.current + 1 < o.findings.len() {
            o.current += 1;
        }
        let mut changed: Option<usize> = None;
        if let Some(answer) = answer
            && let Some(f) = o.findings.get_mut(o.current)
        {
            f.answer = Some(answer);
            changed = Some(o.current);
        }
        if finish {
            action = Some(InspectAction::Finish {
                draw: draw_id,
                account,
            });
            self.open_next = true;
        }
        if paste && let Some(f) = o.findings.get(o.current) {
            action = Some(InspectAction::PasteScreenshot {
                draw: draw_id,
                account,
                item: f.item.clone(),
            });
        }

        let mut pick = None;
        let mut add_url = None;
        let mut remove = None;
        let mut viewing = None;
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                let mut area = "";
                for (n, item) in checklist.applicable(&a.platform).enumerate() {
                    if item.area != area {
                        area = &item.area;
                        ui.add_space(6.0);
                        ui.heading(area);
                    }
                    let Some(f) = o.findings.get_mut(n) else {
                        continue;
                    };
                    let current = n == o.current;
                    let frame = egui::Frame::group(ui.style()).stroke(if current {
                        ui.visuals().selection.stroke
                    } else {
                        ui.visuals().widgets.noninteractive.bg_stroke
                    });
                    let response = frame
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            ui.horizontal(|ui| {
                                let veto = matches!(item.kind, ItemKind::Veto);
                                ui.strong(item.label());
                                if veto {
                                    ui.colored_label(ui.visuals().error_fg_color, "否决项");
                                }
                                ui.with_layout(
                                    egui::Layout::right_to_left(egui::Align::Center),
                                    |ui| {
                                        for answer in
                                            [Answer::NotApplicable, Answer::Fail, Answer::Pass]
                                        {
                                            let key = match answer {
                                                Answer::Pass => "1",
                                                Answer::Fail => "2",
                                                Answer::NotApplicable => "3",
                                            };
                                            if ui
                                                .selectable_label(
                                                    f.answer == Some(answer),
                                                    answer.label(),
                                                )
                                                .on_hover_text(format!("快捷键 {key}"))
                                                .clicked()
                                            {
                                                f.answer = Some(answer);
                                                changed = Some(n);
                                            }
                                        }
                                    },
                                );
                            });
                            ui.small(&item.criterion);
                            if item.rule.is_some() {
                                ui.horizontal(|ui| {
                                    let label = ui.label("最后更新日期");
                                    let text =
                                        o.dates.entry(item.id.clone()).or_insert_with(|| {
                                            f.last_update
                                                .map(|d| d.format("%Y-%m-%d").to_string())
                                                .unwrap_or_default()
                                        });
                                    let edit = ui
                                        .add(
                                            egui::TextEdit::singleline(text)
                                                .hint_text("例如 2026-11-20")
                                                .desired_width(110.0),
                                        )
                                        .labelled_by(label.id);
                                    let parsed = parse_day(text);
                                    if edit.changed()
                                        && let Ok(day) = parsed
                                    {
                                        f.last_update = day;
                                        f.checked_on = checked_on;
                                        changed = Some(n);
                                    }
                                    if parsed.is_err() && !edit.has_focus() {
                                        ui.colored_label(
                                            ui.visuals().error_fg_color,
                                            "日期无法识别，请写成 2026-11-20",
                                        );
                                    }
                                    if let (Some(last), Some(check)) = (f.last_update, checked_on) {
                                        let days = (check - last).num_days();
                                        ui.label(format!("距检查日期 {days} 天"));
                                    }
                                });
                            }
                            let note = ui
                                .horizontal(|ui| {
                                    let label = ui.label("问题描述");
                                    ui.add(
                                        egui::TextEdit::singleline(&mut f.note)
                                            .hint_text("不符合时必填")
                                            .desired_width(f32::INFINITY),
                                    )
                                    .labelled_by(label.id)
                                })
                                .inner;
                            if note.changed() {
                                changed = Some(n);
                            }
                            let evidence: Vec<&crate::model::Evidence> = o
                                .inspection
                                .iter()
                                .flat_map(|i| i.evidence.iter())
                                .filter(|e| e.item == item.id)
                                .collect();
                            if !evidence.is_empty() || current {
                                ui.horizontal_wrapped(|ui| {
                                    for e in evidence {
                                        match &e.kind {
                                            EvidenceKind::File { sha256, file_name } => {
                                                let path = crate::store::evidence_file(
                                                    &self.evidence_dir,
                                                    sha256,
                                                    file_name,
                                                );
                                                let image = is_image(file_name);
                                                let r = if image {
                                                    ui.add(
                                                        egui::Image::new(format!(
                                                            "file://{}",
                                                            path.display()
                                                        ))
                                                        .max_height(64.0)
                                                        .max_width(96.0)
                                                        .sense(egui::Sense::click()),
                                                    )
                                                    .on_hover_text(format!(
                                                        "{file_name}（点击查看原图）"
                                                    ))
                                                } else {
                                                    ui.link(format!("附件：{file_name}"))
                                                };
                                                if r.clicked() {
                                                    viewing = Some(path);
                                                }
                                            }
                                            EvidenceKind::Url(url) => {
                                                ui.hyperlink_to(format!("链接：{url}"), url);
                                            }
                                        }
                                        if ui
                                            .small_button("删除")
                                            .on_hover_text("删除这条证据")
                                            .clicked()
                                        {
                                            remove = Some(e.id);
                                        }
                                    }
                                });
                            }
                            if current {
                                ui.horizontal(|ui| {
                                    if ui.button("添加截图或文件…").clicked() {
                                        pick = Some(item.id.clone());
                                    }
                                    ui.small("也可以把文件拖到窗口里，或按 Ctrl+V 粘贴截图");
                                    let label = ui.label("链接");
                                    ui.add(
                                        egui::TextEdit::singleline(&mut o.url)
                                            .hint_text("https://…")
                                            .desired_width(220.0),
                                    )
                                    .labelled_by(label.id);
                                    if ui
                                        .add_enabled(
                                            !o.url.trim().is_empty(),
                                            egui::Button::new("添加链接"),
                                        )
                                        .clicked()
                                    {
                                        add_url =
                                            Some((item.id.clone(), std::mem::take(&mut o.url)));
                                    }
                                });
                            }
                        })
                        .response;
                    // A click anywhere on the item makes it current, without taking the click
                    // from the buttons and fields inside it (an `interact` on the frame would).
                    if ui.rect_contains_pointer(response.rect)
                        && ui.input(|i| i.pointer.primary_clicked())
                    {
                        o.current = n;
                    }
                    if current && (up || down) {
                        response.scroll_to_me(None);
                    }
                }
            });
        if let Some(n) = changed {
            o.current = n;
            let mut f = o.findings[n].clone();
            if f.last_update.is_some() {
                f.checked_on = checked_on;
            }
            if apply_rules(&checklist, &mut f).is_some() {
                o.findings[n].answer = f.answer;
            }
            o.findings[n].checked_on = f.checked_on;
            self.seq += 1;
            o.sent = self.seq;
            action = Some(InspectAction::Save {
                draw: draw_id,
                account,
                finding: f,
                seq: self.seq,
            });
        }
        if let Some(item) = pick {
            action = Some(InspectAction::PickFiles {
                draw: draw_id,
                account,
                item,
            });
        }
        if let Some((item, url)) = add_url {
            action = Some(InspectAction::AddEvidence {
                draw: draw_id,
                account,
                item,
                evidence: NewEvidence::Url(url),
            });
        }
        if let Some(evidence) = remove {
            action = Some(InspectAction::RemoveEvidence {
                draw: draw_id,
                account,
                evidence,
            });
        }
        if viewing.is_some() {
            self.viewing = viewing;
        }
        action
    }

    /// Evidence for the current item of the open account (a dropped file).
    #[must_use]
    pub fn drop_target(&self) -> Option<(i64, i64, String)> {
        let o = self.opened.as_ref()?;
        let draw = self.draw.as_ref()?.info.id;
        Some((draw, o.account, o.findings.get(o.current)?.item.clone()))
    }

    fn viewer_ui(&mut self, ctx: &egui::Context) {
        let Some(path) = self.viewing.clone() else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("evidence_viewer")).show(ctx, |ui| {
            ui.add(
                egui::Image::new(format!("file://{}", path.display()))
                    .max_size(ctx.content_rect().size() * 0.8),
            );
            ui.horizontal(|ui| {
                ui.small(path.display().to_string());
                if ui.button("关闭").clicked() {
                    ui.close();
                }
            });
        });
        if modal.should_close() {
            self.viewing = None;
        }
    }
}

fn is_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e))
}

/// A date typed by the inspector, read like a roster date (2026-11-20, 2026年11月20日, 20261120…).
fn parse_day(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    crate::roster::values::date(&Cell::Text(text.trim().to_owned()))
}

fn combo<T: Clone + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<T>,
    options: &[T],
    name: impl Fn(&T) -> String,
) {
    ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(value.as_ref().map_or_else(|| "全部".to_owned(), &name))
        .width(90.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "全部");
            for o in options {
                ui.selectable_value(value, Some(o.clone()), name(o));
            }
        });
}
