//! 抽样: choose the quarter, rate, strata and seed, preview each stratum's share, draw, and
//! split the sample between inspectors. The preview is computed here from the roster the app
//! already holds (only when an option changes); drawing and assigning go to the worker.

use std::sync::Arc;

use chrono::NaiveDate;
use egui_extras::{Column, TableBuilder};

use super::{CommandQueue, FileRequest};
use crate::assignment;
use crate::model::Quarter;
use crate::model::{DrawInfo, DrawRecord, DrawRequest, DrawWork, StoredAccount};
use crate::sampling::{self, DrawOptions, Rate, Strata, StratumCount};
use crate::worker::Command;

pub struct SampleScreen {
    accounts: Arc<Vec<StoredAccount>>,
    pub quarter: String,
    pub rate: String,
    pub strata: Strata,
    pub seed: String,
    pub prefer: bool,
    pub prefer_quarters: u32,
    pub reason: String,
    pub inspectors: String,
    pub keep_county: bool,
    /// The preview, recomputed when the roster, the strata or the rate changes.
    plan: Vec<StratumCount>,
    /// How each stratum of `plan` is named (a 地市's own accounts as 某某市（市直）).
    plan_names: Vec<String>,
    population: usize,
    excluded: usize,
    planned_for: Option<(Strata, Option<Rate>)>,
    /// The quarter whose draw is shown (or asked for).
    shown: Option<Quarter>,
    draw: Option<Arc<DrawRecord>>,
    /// The order the draw's accounts are listed in (by stratum), and the inspectors they are
    /// split between, sorted: worked out once per draw, not every frame.
    order: Vec<usize>,
    assigned: Vec<String>,
    history: Vec<DrawInfo>,
    /// The work begun on the draw shown, which a redraw would void.
    work: DrawWork,
    /// The user ticked that the redraw may void it.
    void_confirmed: bool,
}

impl SampleScreen {
    /// A screen for the quarter `today` falls in, with a fresh seed.
    #[must_use]
    pub fn new(today: NaiveDate, seed: u64) -> Self {
        Self {
            accounts: Arc::default(),
            quarter: Quarter::containing(today).to_string(),
            rate: "30%".to_owned(),
            strata: Strata::County,
            seed: seed.to_string(),
            prefer: false,
            prefer_quarters: 3,
            reason: String::new(),
            inspectors: String::new(),
            keep_county: false,
            plan: Vec::new(),
            plan_names: Vec::new(),
            population: 0,
            excluded: 0,
            planned_for: None,
            shown: None,
            draw: None,
            order: Vec::new(),
            assigned: Vec::new(),
            history: Vec::new(),
            work: DrawWork::default(),
            void_confirmed: false,
        }
    }

    /// Reads the quarter's draw again when next shown (the work begun on it may have changed).
    pub fn invalidate(&mut self) {
        self.shown = None;
    }

    pub fn set_accounts(&mut self, accounts: Arc<Vec<StoredAccount>>) {
        self.accounts = accounts;
        self.planned_for = None;
    }

    /// The names an account can be moved to: those the draw is split between, and those typed.
    fn movable_names(&self) -> Vec<String> {
        let mut names = self.assigned.clone();
        for typed in assignment::parse_inspectors(&self.inspectors).unwrap_or_default() {
            if let Err(at) = names.binary_search(&typed) {
                names.insert(at, typed);
            }
        }
        names
    }

    pub fn set_draw(
        &mut self,
        quarter: Quarter,
        draw: Option<Arc<DrawRecord>>,
        history: Vec<DrawInfo>,
        work: DrawWork,
    ) {
        if self.shown == Some(quarter) {
            if draw.as_ref().map(|d| d.info.id) != self.draw.as_ref().map(|d| d.info.id) {
                self.reason.clear();
                self.void_confirmed = false;
            }
            self.work = work;
            self.order = draw
                .as_ref()
                .map(|d| d.accounts_shown())
                .unwrap_or_default();
            self.assigned = draw
                .as_ref()
                .map(|d| {
                    let mut names: Vec<String> = d
                        .accounts
                        .iter()
                        .filter_map(|a| a.inspector.clone())
                        .collect();
                    names.sort();
                    names.dedup();
                    names
                })
                .unwrap_or_default();
            self.draw = draw;
            self.history = history;
        }
    }

    /// The draw shown, if any (tests read it).
    #[must_use]
    pub fn draw(&self) -> Option<&DrawRecord> {
        self.draw.as_deref()
    }

    fn refresh_plan(&mut self, rate: Option<Rate>) {
        if self.planned_for == Some((self.strata, rate)) {
            return;
        }
        self.planned_for = Some((self.strata, rate));
        let listed = self.accounts.iter().filter(|a| a.listed);
        let (running, stopped): (Vec<&StoredAccount>, Vec<&StoredAccount>) =
            listed.partition(|a| a.account.status.in_operation());
        self.population = running.len();
        self.excluded = stopped.len();
        let strata: Vec<String> = running
            .iter()
            .map(|a| self.strata.stratum_of(&a.account))
            .collect();
        self.plan = sampling::plan(
            strata.iter().map(String::as_str),
            rate.unwrap_or(Rate::MINIMUM),
        );
        // Shown by pinyin, as the sample list and the notice show them, not by code point.
        self.plan
            .sort_by_cached_key(|s| crate::model::collate::pinyin_key(&s.key));
        self.plan_names = self
            .plan
            .iter()
            .map(|s| {
                strata.iter().position(|k| *k == s.key).map_or_else(
                    || s.key.clone(),
                    |i| crate::model::stratum_label(&s.key, &running[i].account),
                )
            })
            .collect();
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        let quarter = self.quarter.parse::<Quarter>();
        let rate = self.rate.parse::<Rate>();
        let seed = crate::seed::parse_seed(&self.seed);
        self.refresh_plan(rate.as_ref().ok().copied());
        if let Ok(q) = &quarter
            && self.shown != Some(*q)
        {
            self.shown = Some(*q);
            self.draw = None;
            self.history.clear();
            commands.send(Command::LoadDraw(*q));
        }
        egui::Panel::left("sample_options")
            .resizable(false)
            .exact_size(340.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    self.options_ui(ui, &quarter, &rate, &seed, commands);
                });
            });
        egui::CentralPanel::default().show(ui, |ui| self.result_ui(ui, commands));
    }

    #[allow(clippy::too_many_lines)] // one options panel, top to bottom
    fn options_ui(
        &mut self,
        ui: &mut egui::Ui,
        quarter: &Result<Quarter, crate::model::QuarterError>,
        rate: &Result<Rate, sampling::RateError>,
        seed: &Result<u64, String>,
        commands: &mut CommandQueue,
    ) {
        ui.heading("抽样设置");
        ui.add_space(4.0);
        let error = |ui: &mut egui::Ui, text: &str| {
            ui.colored_label(ui.visuals().error_fg_color, text);
        };
        egui::Grid::new("sample_form")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let label = ui.label("季度");
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.quarter).desired_width(90.0))
                        .labelled_by(label.id);
                    if let Ok(q) = quarter {
                        ui.label(q.label());
                    }
                });
                ui.end_row();
                let label = ui.label("抽查比例");
                ui.add(egui::TextEdit::singleline(&mut self.rate).desired_width(90.0))
                    .labelled_by(label.id);
                ui.end_row();
                ui.label("分层方式");
                egui::ComboBox::from_id_salt("分层方式")
                    .selected_text(self.strata.label())
                    .show_ui(ui, |ui| {
                        for s in Strata::ALL {
                            ui.selectable_value(&mut self.strata, s, s.label());
                        }
                    });
                ui.end_row();
                let label = ui.label("随机种子");
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.seed).desired_width(120.0))
                        .labelled_by(label.id);
                    if ui
                        .button("换一个")
                        .on_hover_text("随机生成新的种子")
                        .clicked()
                    {
                        self.seed = crate::seed::fresh_seed().to_string();
                    }
                });
                ui.end_row();
            });
        if let Err(e) = quarter {
            error(ui, &e.to_string());
        }
        if let Err(e) = rate {
            error(ui, &e.to_string());
        }
        if let Err(e) = seed {
            error(ui, e);
        }
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.prefer, "优先抽取近");
            ui.add_enabled(
                self.prefer,
                egui::DragValue::new(&mut self.prefer_quarters).range(1..=8),
            );
            ui.label("个季度未抽到的账号");
        });
        ui.small("同一个名录、相同设置和相同种子，在任何电脑上都会抽出相同的名单。");
        ui.separator();
        self.plan_ui(ui);
        ui.separator();
        let redraw = self.draw.as_ref().map(|d| d.info.drawn_at);
        if let Some(at) = redraw {
            ui.label(format!(
                "本季度已于 {} 抽样。重新抽样必须填写理由，原来的名单会作为历史保留。",
                crate::model::time::minute_text(at)
            ));
            let label = ui.label("重新抽样理由");
            ui.add(egui::TextEdit::multiline(&mut self.reason).desired_rows(2))
                .labelled_by(label.id);
        }
        let warning = ui.visuals().warn_fg_color;
        let blocked = redraw.is_some() && self.work.problems_issued > 0;
        let needs_confirmation = redraw.is_some() && !self.work.is_empty() && !blocked;
        if blocked {
            ui.colored_label(
                warning,
                format!(
                    "本季度的整改已经下发（{} 个问题），不能再重新抽样：通报和整改依据的是这次抽样。",
                    self.work.problems_issued
                ),
            );
        } else if needs_confirmation {
            ui.colored_label(
                warning,
                format!(
                    "重新抽样将作废本季度已做的工作：{}。不在新样本中的账号的检查作废（仍保留在历史中），已导出的工作包不能再合并；两次都抽到的账号的检查结果会带到新样本。",
                    self.work.describe()
                ),
            );
            ui.checkbox(&mut self.void_confirmed, "我已了解，作废这些工作并重新抽样");
        }
        let ready = quarter.is_ok()
            && rate.is_ok()
            && seed.is_ok()
            && self.population > 0
            && (redraw.is_none() || !self.reason.trim().is_empty())
            && !blocked
            && (!needs_confirmation || self.void_confirmed);
        let text = if redraw.is_some() {
            "重新抽取"
        } else {
            "抽取"
        };
        if commands
            .write_button_when(
                ui,
                ready,
                egui::Button::new(text).min_size([120.0, 30.0].into()),
            )
            .clicked()
            && let (Ok(quarter), Ok(rate), Ok(seed)) = (quarter, rate, seed)
        {
            commands.send(Command::MakeDraw(crate::steps::draw::MakeDraw(
                DrawRequest {
                    quarter: *quarter,
                    options: DrawOptions {
                        rate: *rate,
                        strata: self.strata,
                        prefer_not_drawn_in: if self.prefer { self.prefer_quarters } else { 0 },
                    },
                    seed: *seed,
                    reason: redraw.map(|_| self.reason.trim().to_owned()),
                    void_work: needs_confirmation && self.void_confirmed,
                },
            )));
        }
        if self.population == 0 {
            ui.label("名录中还没有在运行的账号，请先在“名录”中导入账号名录。");
        }
    }

    fn plan_ui(&self, ui: &mut egui::Ui) {
        let total: usize = self.plan.iter().map(|s| s.sampled).sum();
        ui.strong(format!("预计抽取 {total} 个账号"));
        ui.label(format!(
            "总体：在运行账号 {} 个（另有已关停、已注销 {} 个不参与抽样）",
            self.population, self.excluded
        ));
        egui::ScrollArea::vertical()
            .id_salt("plan")
            .max_height(260.0)
            .show(ui, |ui| {
                egui::Grid::new("plan_grid")
                    .striped(true)
                    .num_columns(3)
                    .show(ui, |ui| {
                        ui.strong("分层");
                        ui.strong("账号数");
                        ui.strong("抽取数");
                        ui.end_row();
                        for (s, name) in self.plan.iter().zip(&self.plan_names) {
                            ui.label(name);
                            ui.label(s.population.to_string());
                            ui.label(s.sampled.to_string());
                            ui.end_row();
                        }
                    });
            });
    }

    fn result_ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        let Some(draw) = self.draw.clone() else {
            ui.add_space(20.0);
            ui.vertical_centered(|ui| {
                ui.heading(match self.shown {
                    Some(q) => format!("{}还没有抽样", q.label()),
                    None => "请填写正确的季度".to_owned(),
                });
                ui.label("在左侧确认设置和预计抽取数后，点击“抽取”。");
            });
            return;
        };
        let i = &draw.info;
        ui.horizontal(|ui| {
            ui.heading(format!("{}抽查名单", i.quarter.label()));
            if commands.write_button(ui, "导出抽查名单…").clicked() {
                commands.ask(FileRequest::SampleList {
                    quarter: i.quarter,
                    name: crate::export::sample_list_file_name(&draw),
                });
            }
        });
        ui.label(format!(
            "{}，比例 {}，随机种子 {}：在运行账号 {} 个，抽取 {} 个。抽取人 {}，{}。",
            i.strata.label(),
            i.rate,
            i.seed,
            i.population,
            i.sampled,
            i.drawn_by,
            crate::model::time::minute_text(i.drawn_at)
        ));
        ui.small(format!("总体指纹：{}", i.population_hash));
        if self.history.len() > 1 {
            ui.collapsing(
                format!("本季度共抽样 {} 次", self.history.len()),
                |ui| {
                    for h in &self.history {
                        ui.label(format!(
                            "{}　种子 {}　抽取 {} 个　{}{}",
                            crate::model::time::minute_text(h.drawn_at),
                            h.seed,
                            h.sampled,
                            if h.superseded_at.is_some() {
                                "（已作废）"
                            } else {
                                "（现行）"
                            },
                            h.reason
                                .as_deref()
                                .map(|r| format!("　理由：{r}"))
                                .unwrap_or_default()
                        ));
                    }
                },
            );
        }
        ui.separator();
        ui.horizontal(|ui| {
            let label = ui.label("检查人员姓名");
            ui.add(
                egui::TextEdit::singleline(&mut self.inspectors)
                    .hint_text("例如：张三，李四")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            ui.checkbox(&mut self.keep_county, "同一区县分给同一人");
            let names = assignment::parse_inspectors(&self.inspectors);
            if commands
                .write_button_when(ui, names.is_ok(), egui::Button::new("分配"))
                .clicked()
            {
                if let Ok(inspectors) = names {
                    commands.send(Command::Assign(crate::steps::draw::Assign {
                        quarter: i.quarter,
                        inspectors,
                        keep_county: self.keep_county,
                    }));
                }
            } else if let Err(assignment::AssignError::Duplicate(n)) = names {
                ui.colored_label(ui.visuals().error_fg_color, format!("“{n}”重复填写了"));
            }
        });
        ui.separator();
        let names = self.movable_names();
        let shown = Shown {
            draw: &draw,
            order: &self.order,
            names: &names,
        };
        if let Some((account, to)) = accounts_table_ui(ui, &shown, commands.read_only()) {
            commands.send(Command::Reassign(crate::steps::reassign::Reassign {
                quarter: i.quarter,
                accounts: vec![account],
                to,
            }));
        }
    }
}

/// The sample's accounts; an account moved to another of `names` when one is chosen from its
/// 检查人员 cell (not while `read_only`): (account, inspector).
fn accounts_table_ui(
    ui: &mut egui::Ui,
    shown: &Shown<'_>,
    read_only: bool,
) -> Option<(i64, String)> {
    // On a narrow screen (1024 px) the columns scroll sideways instead of being cut off.
    egui::ScrollArea::horizontal()
        .id_salt("sample_accounts")
        .show(ui, |ui| accounts_table(ui, shown, read_only))
        .inner
}

/// The draw's accounts as listed: in `order`, movable to `names`.
struct Shown<'a> {
    draw: &'a DrawRecord,
    order: &'a [usize],
    names: &'a [String],
}

fn accounts_table(ui: &mut egui::Ui, list: &Shown<'_>, read_only: bool) -> Option<(i64, String)> {
    let Shown {
        draw,
        order: shown,
        names,
    } = *list;
    let mut chosen = None;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(50.0))
        .column(Column::initial(110.0).clip(true))
        .column(Column::initial(110.0).clip(true))
        .column(Column::initial(220.0).clip(true))
        // 检查人员 before the long 主办单位, so that it is in view on a 1024-px screen too.
        .column(Column::initial(90.0).clip(true))
        .column(Column::initial(200.0).clip(true))
        .column(Column::remainder().at_least(60.0))
        .header(row_height, |mut header| {
            for h in [
                "序号",
                "分层",
                "平台",
                "账号名称",
                "检查人员",
                "主办单位",
                "类型",
            ] {
                header.col(|ui| {
                    ui.strong(h);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, shown.len(), |mut row| {
                let n = row.index();
                let d = &draw.accounts[shown[n]];
                let a = &d.account.account;
                let kind = if d.recheck { "复查" } else { "抽取" };
                let inspector = d.inspector.as_deref().unwrap_or("未分配");
                let stratum = crate::model::stratum_label(&d.stratum, a);
                let label = |ui: &mut egui::Ui, text: &str| {
                    ui.add(egui::Label::new(text).selectable(false).truncate());
                };
                for text in [(n + 1).to_string().as_str(), &stratum, &a.platform, &a.name] {
                    row.col(|ui| label(ui, text));
                }
                row.col(|ui| {
                    let others: Vec<&String> =
                        names.iter().filter(|n| n.as_str() != inspector).collect();
                    ui.add_enabled_ui(!read_only && !others.is_empty(), |ui| {
                        ui.menu_button(inspector, |ui| {
                            ui.label("改派给：");
                            for name in others {
                                if ui.button(name.as_str()).clicked() {
                                    chosen = Some((d.account.id, name.clone()));
                                    ui.close();
                                }
                            }
                        })
                        .response
                        .on_hover_text("点击改派给其他检查人员（须在导出其工作包之前）")
                        .on_disabled_hover_text(if read_only {
                            super::READ_ONLY
                        } else {
                            "先在上面填写检查人员姓名并分配"
                        });
                    });
                });
                row.col(|ui| label(ui, &a.host_unit));
                row.col(|ui| label(ui, kind));
            });
        });
    chosen
}
