//! 概况: the quarter at a glance — progress, results, problem types, 整改 — and the trend over
//! the quarters. Every figure is a way in: a click opens the list it counts (检查 filtered by
//! region or platform, 通报与整改 filtered by status). Reads what the worker loaded.

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use super::{CommandQueue, FileRequest, UiCommand};
use crate::model::{Quarter, Tally};
use crate::overview::{Overview, Progress};
use crate::rectification::Status;
use crate::worker::Command;

/// Where a click on a figure leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// 检查, with its list filtered to a region and/or a platform (counted names).
    Inspect {
        quarter: Quarter,
        region: Option<String>,
        platform: Option<String>,
    },
    /// 通报与整改, with its list filtered to a status.
    Rectify { quarter: Quarter, status: Status },
    /// 通报与整改, with its list searched for a problem type.
    Problems { quarter: Quarter, category: String },
}

/// What the screen has of its quarter.
enum View {
    Waiting,
    /// The quarter has no draw.
    NotDrawn,
    Ready(Box<Overview>),
}

pub struct OverviewScreen {
    pub quarter: String,
    shown: Option<Quarter>,
    view: View,
    /// The quarter `view` is of.
    loaded: Option<Quarter>,
    /// A figure clicked this frame, for the window to follow.
    link: Option<Link>,
    /// 地区更名 being chosen.
    aliases: super::region_alias::AliasEditor,
}

/// Repeat failures listed on screen.
const REPEATS_SHOWN: usize = 20;

const GOOD: Color32 = Color32::from_rgb(0x2e, 0x7d, 0x32);
const BAD: Color32 = Color32::from_rgb(0xc6, 0x28, 0x28);
const BAR: Color32 = Color32::from_rgb(0x42, 0x7a, 0xc2);

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn points(change: Option<f64>) -> String {
    match change {
        None => String::new(),
        Some(c) if c.abs() < 0.05 => "持平".to_owned(),
        Some(c) if c > 0.0 => format!("提高 {c:.1} 个百分点"),
        Some(c) => format!("下降 {:.1} 个百分点", -c),
    }
}

impl OverviewScreen {
    #[must_use]
    pub fn new(today: chrono::NaiveDate) -> Self {
        Self {
            quarter: Quarter::containing(today).to_string(),
            shown: None,
            view: View::Waiting,
            loaded: None,
            link: None,
            aliases: super::region_alias::AliasEditor::default(),
        }
    }

    /// Forget what was loaded: it is read again when next shown.
    pub fn invalidate(&mut self) {
        self.shown = None;
    }

    pub fn set_view(&mut self, quarter: Quarter, overview: Option<Box<Overview>>) {
        if self.quarter.trim().parse().ok() == Some(quarter) {
            self.view = overview.map_or(View::NotDrawn, View::Ready);
            self.loaded = Some(quarter);
        }
    }

    /// The overview loaded, for tests.
    #[must_use]
    pub fn overview(&self) -> Option<&Overview> {
        match &self.view {
            View::Ready(o) => Some(o),
            _ => None,
        }
    }

    /// The figure clicked since last asked, if any.
    pub fn take_link(&mut self) -> Option<Link> {
        self.link.take()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        let quarter = self.quarter.trim().parse::<Quarter>();
        if let Ok(q) = quarter
            && self.shown != Some(q)
        {
            // Read again; the figures shown stay until the new ones come, unless they are
            // another quarter's.
            if self.loaded != Some(q) {
                self.view = View::Waiting;
            }
            self.shown = Some(q);
            commands.send(Command::LoadOverview(q));
        }
        ui.horizontal(|ui| {
            let label = ui.label("季度");
            ui.add(egui::TextEdit::singleline(&mut self.quarter).desired_width(80.0))
                .labelled_by(label.id);
            if let Ok(q) = &quarter {
                ui.label(q.label());
                if ui.button("刷新").clicked() {
                    self.shown = None;
                }
                let ready = self.overview().is_some();
                if ui
                    .add_enabled(ready, egui::Button::new("导出统计分析…"))
                    .on_hover_text("各地区、各平台合格率，历季趋势，问题类型和整改情况，带图表的 Excel 工作簿，用于向领导汇报")
                    .clicked()
                {
                    commands.push(UiCommand::Ask(FileRequest::Stats(*q)));
                }
            }
        });
        let Ok(q) = quarter else {
            if let Err(e) = &quarter {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
            return;
        };
        match &self.view {
            View::Waiting => {
                ui.label("正在读取…");
            }
            View::NotDrawn => {
                ui.add_space(12.0);
                ui.label(format!(
                    "{}还没有抽样。请先在“抽样”中抽取本季度要检查的账号。",
                    q.label()
                ));
            }
            View::Ready(_) => {
                // Taken out while drawn (the body sets the link), never copied.
                let view = std::mem::replace(&mut self.view, View::Waiting);
                if let View::Ready(o) = &view {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, false])
                        .show(ui, |ui| self.body_ui(ui, o, commands));
                }
                self.view = view;
            }
        }
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, o: &Overview, commands: &mut CommandQueue) {
        let q = o.quarter;
        Self::progress_ui(ui, o);
        ui.separator();
        let t = &o.total;
        ui.heading("检查结果");
        let mut line = format!(
            "合格 {} 个，不合格 {} 个，合格率 {}",
            t.passed,
            t.failed,
            percent(t.pass_rate())
        );
        let change = o.earlier_rates().sentence(t.pass_rate());
        if !change.is_empty() {
            line.push('，');
            line.push_str(&change);
        }
        line.push('。');
        ui.label(line);
        if t.unfinished() > 0 {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "还有 {} 个检查没有完成：以下合格率只计已完成的检查，不是本季度的最终结果。",
                    t.unfinished()
                ),
            );
        }
        let overall = t.pass_rate();
        ui.columns(2, |cols| {
            cols[0].strong("各地区合格率（红色为低于全部平均，点击查看该地区的检查）");
            if let Some(name) = rate_bars(&mut cols[0], "overview_regions", &o.by_region, overall) {
                self.link = Some(Link::Inspect {
                    quarter: q,
                    region: Some(name),
                    platform: None,
                });
            }
            cols[1].strong("各平台合格率（点击查看该平台的检查）");
            if let Some(name) =
                rate_bars(&mut cols[1], "overview_platforms", &o.by_platform, overall)
            {
                self.link = Some(Link::Inspect {
                    quarter: q,
                    region: None,
                    platform: Some(name),
                });
            }
        });
        self.regions_table_ui(ui, o);
        self.aliases.ui(ui, o, commands);
        ui.separator();
        ui.heading("问题类型");
        if o.problem_types.is_empty() {
            ui.label("本季度已完成的检查中没有发现问题。");
        }
        egui::Grid::new("overview_problem_types")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                // Once issued, a type opens the problems of it.
                let issued = o.follow_up.total() > 0;
                for p in &o.problem_types {
                    let text = if p.veto {
                        RichText::new(format!("{}（单项否决）", p.category)).color(BAD)
                    } else {
                        RichText::new(&p.category)
                    };
                    if issued {
                        if ui.link(text).clicked() {
                            self.link = Some(Link::Problems {
                                quarter: o.quarter,
                                category: p.category.clone(),
                            });
                        }
                    } else {
                        ui.label(text);
                    }
                    ui.label(format!("{} 个", p.count));
                    ui.label(format!("占 {:.1}%", p.share * 100.0));
                    ui.end_row();
                }
            });
        ui.separator();
        self.follow_up_ui(ui, o);
        ui.separator();
        trend_ui(ui, o);
    }

    fn progress_ui(ui: &mut egui::Ui, o: &Overview) {
        let p = &o.progress;
        ui.heading("检查进度");
        let share = if p.drawn == 0 {
            0.0
        } else {
            p.finished as f32 / p.drawn as f32
        };
        ui.add(
            egui::ProgressBar::new(share)
                .desired_width(420.0)
                .text(format!("已完成 {} / {}", p.finished, p.drawn)),
        );
        ui.label(format!(
            "{}：已分配 {} 个，已开始 {} 个，已完成 {} 个，还剩 {} 个。",
            o.checked_words(),
            p.assigned,
            p.started,
            p.finished,
            p.left()
        ));
        egui::CollapsingHeader::new("按检查人员、地区和平台看进度")
            .id_salt("overview_progress")
            .show(ui, |ui| {
                ui.columns(3, |cols| {
                    progress_table(&mut cols[0], "检查人员", &o.by_inspector);
                    progress_table(&mut cols[1], "地区", &o.progress_by_region);
                    progress_table(&mut cols[2], "平台", &o.progress_by_platform);
                });
            });
    }

    fn regions_table_ui(&mut self, ui: &mut egui::Ui, o: &Overview) {
        egui::CollapsingHeader::new("各地区与上季度比较")
            .id_salt("overview_region_table")
            .show(ui, |ui| {
                egui::Grid::new("overview_regions_grid")
                    .striped(true)
                    .num_columns(6)
                    .show(ui, |ui| {
                        for h in ["地区", "抽查", "合格", "不合格", "合格率", "比上季度"]
                        {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for r in &o.region_trend {
                            let checked = o
                                .by_region
                                .iter()
                                .find(|t| t.name == r.name)
                                .map_or(0, |t| t.checked);
                            if ui.link(&r.name).clicked() {
                                self.link = Some(Link::Inspect {
                                    quarter: o.quarter,
                                    region: Some(r.key.clone()),
                                    platform: None,
                                });
                            }
                            ui.label(checked.to_string());
                            ui.label(r.passed.to_string());
                            ui.label(r.failed.to_string());
                            ui.label(percent(r.rate));
                            let text = points(r.change);
                            match r.change {
                                Some(c) if c >= 0.05 => ui.colored_label(GOOD, text),
                                Some(c) if c <= -0.05 => ui.colored_label(BAD, text),
                                _ => ui.label(text),
                            };
                            ui.end_row();
                        }
                    });
            });
    }

    fn follow_up_ui(&mut self, ui: &mut egui::Ui, o: &Overview) {
        let f = &o.follow_up;
        ui.heading("整改");
        if f.total() == 0 {
            ui.label("本季度还没有下发整改问题。");
            return;
        }
        ui.horizontal_wrapped(|ui| {
            for (n, s) in Status::ALL.iter().enumerate() {
                let text = format!("{} {}", s.label(), f.counts[n]);
                let rich = if *s == Status::Overdue && f.counts[n] > 0 {
                    RichText::new(text).color(BAD)
                } else {
                    RichText::new(text)
                };
                if ui.link(rich).clicked() {
                    self.link = Some(Link::Rectify {
                        quarter: o.quarter,
                        status: *s,
                    });
                }
                ui.add_space(8.0);
            }
        });
        if let Some((day, days)) = f.next_deadline {
            ui.label(format!(
                "最近的整改时限：{}（还有 {days} 天）。",
                crate::model::time::chinese_day(day)
            ));
        }
        if !f.overdue_units.is_empty() {
            let units: Vec<String> = f
                .overdue_units
                .iter()
                .map(|(u, n)| format!("{u}（{n} 个）"))
                .collect();
            ui.colored_label(BAD, format!("逾期未反馈的单位：{}", units.join("、")));
        }
    }
}

fn progress_table(ui: &mut egui::Ui, head: &str, rows: &[Progress]) {
    egui::Grid::new(("overview_progress", head))
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.strong(head);
            ui.strong("已完成");
            ui.strong("还剩");
            ui.end_row();
            for p in rows {
                ui.label(&p.name);
                ui.label(format!("{} / {}", p.finished, p.drawn));
                ui.label(p.left().to_string());
                ui.end_row();
            }
        });
}

/// Horizontal bars of 合格率 (0–100) by row, top to bottom in the table's order; returns the
/// row whose bar was clicked.
fn rate_bars(ui: &mut egui::Ui, id: &str, rows: &[Tally], overall: Option<f64>) -> Option<String> {
    let rated: Vec<&Tally> = rows.iter().filter(|t| t.pass_rate().is_some()).collect();
    if rated.is_empty() {
        ui.label("还没有完成的检查。");
        return None;
    }
    let n = rated.len();
    let bars: Vec<Bar> = rated
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let rate = t.pass_rate().unwrap_or(0.0) * 100.0;
            // The bar's name is what hovering shows.
            Bar::new((n - i) as f64, rate)
                .name(format!(
                    "{}：合格率 {rate:.1}%（{} / {}）",
                    t.name,
                    t.passed,
                    t.passed + t.failed
                ))
                // Below the quarter's overall rate stands out.
                .fill(if overall.is_some_and(|o| rate < o * 100.0 - 0.05) {
                    BAD.gamma_multiply(0.7)
                } else {
                    BAR
                })
                .width(0.7)
        })
        .collect();
    let keys: Vec<String> = rated.iter().map(|t| t.key.clone()).collect();
    let label_names: Vec<String> = rated.iter().map(|t| t.name.clone()).collect();
    let height = (n as f32 * 22.0 + 40.0).clamp(120.0, 420.0);
    let response = Plot::new(id)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid([true, false])
        .include_x(0.0)
        .include_x(100.0)
        .x_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        .y_axis_formatter(move |mark, _| {
            whole(n as f64 - mark.value)
                .and_then(|i| label_names.get(i).cloned())
                .unwrap_or_default()
        })
        .y_grid_spacer(move |_| {
            (1..=n)
                .map(|v| egui_plot::GridMark {
                    value: v as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("合格率", bars).horizontal());
            plot.pointer_coordinate()
        });
    if response.response.clicked()
        && let Some(at) = response.inner
    {
        // On a bar (0.7 wide), not between two.
        if (at.y - at.y.round()).abs() <= 0.4 {
            return whole((n as f64 - at.y).round()).and_then(|i| keys.get(i).cloned());
        }
    }
    None
}

fn trend_ui(ui: &mut egui::Ui, o: &Overview) {
    ui.heading("历季趋势");
    if o.trend.len() < 2 {
        ui.label("数据库中只有本季度的结果，有两个以上季度后显示趋势。");
    } else {
        let labels: Vec<String> = o.trend.iter().map(|t| t.quarter.to_string()).collect();
        let rate: Vec<[f64; 2]> = o
            .trend
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.rate.map(|r| [i as f64, r * 100.0]))
            .collect();
        let on_time: Vec<[f64; 2]> = o
            .trend
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.on_time_rate.map(|r| [i as f64, r * 100.0]))
            .collect();
        Plot::new("overview_trend")
            .height(200.0)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .include_y(0.0)
            .include_y(100.0)
            .legend(Legend::default())
            .y_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
            .x_axis_formatter(move |mark, _| {
                whole(mark.value)
                    .and_then(|i| labels.get(i).cloned())
                    .unwrap_or_default()
            })
            .show(ui, |plot| {
                plot.line(Line::new("合格率", PlotPoints::from(rate)).color(BAR));
                plot.line(Line::new("按期反馈率", PlotPoints::from(on_time)).color(GOOD));
            });
    }
    if !o.repeat_offenders.is_empty() {
        // The longest runs; the whole list is in the 统计分析 workbook and `overview --json`.
        ui.strong(format!(
            "连续不合格的账号（共 {} 个{}）",
            o.repeat_offenders.len(),
            if o.repeat_offenders.len() > REPEATS_SHOWN {
                format!("，列出连续季度最多的 {REPEATS_SHOWN} 个")
            } else {
                String::new()
            }
        ));
        egui::Grid::new("overview_repeat")
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                for r in o.repeat_offenders.iter().take(REPEATS_SHOWN) {
                    ui.colored_label(BAD, format!("连续 {} 个季度", r.quarters));
                    ui.label(&r.host_unit);
                    ui.label(&r.name);
                    ui.label(&r.platform);
                    ui.end_row();
                }
            });
    }
}

/// `v` as an index, where it is a whole number at or above 0 (a grid mark on a bar or a
/// quarter; marks between them have no label).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // whole, 0 or more, small
fn whole(v: f64) -> Option<usize> {
    ((v - v.round()).abs() < 1e-6 && v > -0.5 && v < 1e6).then(|| v.round() as usize)
}
