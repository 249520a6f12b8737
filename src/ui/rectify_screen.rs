//! 整改: export the quarter's notice and rectification sheets, import what the units send
//! back, and review each problem to closure. Reads what the worker loaded; sends actions.

use chrono::NaiveDate;
use egui_extras::{Column, TableBuilder};

use crate::model::Quarter;
use crate::rectification::{Rectification, Status, code};
use crate::worker::RectificationView;

/// What the screen asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RectifyAction {
    Load(Quarter),
    /// Ask where to save the notice, suggesting a name.
    ExportNotice(Quarter),
    /// Ask where to save the sheets: one workbook (`false`) or a folder (`true`).
    ExportSheets {
        quarter: Quarter,
        folder: bool,
    },
    /// Ask for the filled-in sheets to import.
    ImportFeedback(Quarter),
    Review {
        id: i64,
        close: bool,
        note: String,
        quarter: Quarter,
    },
    SaveSetting {
        key: &'static str,
        value: String,
    },
}

pub struct RectifyScreen {
    pub quarter: String,
    shown: Option<Quarter>,
    view: Option<RectificationView>,
    /// `None`: every status.
    pub filter: Option<Status>,
    pub search: String,
    selected: Option<i64>,
    pub note: String,
    region: String,
    days: String,
    today: NaiveDate,
}

impl RectifyScreen {
    #[must_use]
    pub fn new(today: NaiveDate) -> Self {
        Self {
            quarter: Quarter::containing(today).to_string(),
            shown: None,
            view: None,
            filter: None,
            search: String::new(),
            selected: None,
            note: String::new(),
            region: String::new(),
            days: String::new(),
            today,
        }
    }

    /// Forget what was loaded: it is read again when next shown.
    pub fn invalidate(&mut self) {
        self.shown = None;
    }

    pub fn set_view(&mut self, view: RectificationView) {
        if Some(view.quarter) != self.quarter.parse().ok() {
            return;
        }
        // Statuses such as 逾期 depend on the day: a window left open overnight counts anew.
        self.today = chrono::Local::now().date_naive();
        self.region.clone_from(&view.region);
        self.days = view.deadline_days.to_string();
        if self
            .selected
            .is_some_and(|id| !view.rows.iter().any(|r| r.id == id))
        {
            self.selected = None;
        }
        self.view = Some(view);
    }

    /// The quarter shown, if the field holds a valid one.
    #[must_use]
    pub fn quarter(&self) -> Option<Quarter> {
        self.quarter.parse().ok()
    }

    /// The problems loaded, for tests.
    #[must_use]
    pub fn rows(&self) -> &[Rectification] {
        self.view.as_ref().map_or(&[], |v| v.rows.as_slice())
    }

    #[must_use]
    pub fn selected(&self) -> Option<&Rectification> {
        let id = self.selected?;
        self.rows().iter().find(|r| r.id == id)
    }

    pub fn select(&mut self, id: i64) {
        self.selected = Some(id);
        self.note.clear();
    }

    fn visible(&self) -> Vec<&Rectification> {
        let needle = self.search.trim();
        self.rows()
            .iter()
            .filter(|r| self.filter.is_none_or(|f| r.status(self.today) == f))
            .filter(|r| {
                needle.is_empty()
                    || [&r.host_unit, &r.name, &r.platform, &r.category, &r.county]
                        .iter()
                        .any(|t| t.contains(needle))
                    || code(r.id).contains(needle)
            })
            .collect()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<RectifyAction> {
        let mut action = None;
        let quarter = self.quarter.parse::<Quarter>();
        if let Ok(q) = quarter
            && self.shown != Some(q)
        {
            self.shown = Some(q);
            self.view = None;
            self.selected = None;
            action = Some(RectifyAction::Load(q));
        }
        egui::Panel::top("rectify_tools").show(ui, |ui| {
            if let Some(a) = self.tools_ui(ui, quarter.as_ref().ok().copied()) {
                action = Some(a);
            }
            if let Err(e) = &quarter {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
        });
        let Ok(q) = quarter else { return action };
        if self.selected.is_some() {
            egui::Panel::right("rectify_detail")
                .resizable(true)
                .default_size(380.0)
                .show(ui, |ui| {
                    if let Some(a) = self.detail_ui(ui, q) {
                        action = Some(a);
                    }
                });
        }
        egui::CentralPanel::default().show(ui, |ui| self.list_ui(ui));
        action
    }

    fn tools_ui(&mut self, ui: &mut egui::Ui, quarter: Option<Quarter>) -> Option<RectifyAction> {
        let mut action = None;
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("季度");
            ui.add(egui::TextEdit::singleline(&mut self.quarter).desired_width(80.0))
                .labelled_by(label.id);
            if let Some(q) = quarter {
                ui.label(q.label());
            }
            ui.separator();
            let label = ui.label("地区名称");
            let region = ui
                .add(
                    egui::TextEdit::singleline(&mut self.region)
                        .hint_text("如 示例市，用于标题")
                        .desired_width(120.0),
                )
                .labelled_by(label.id);
            if region.lost_focus()
                && self
                    .view
                    .as_ref()
                    .is_some_and(|v| v.region != self.region.trim())
            {
                action = Some(RectifyAction::SaveSetting {
                    key: crate::store::settings::REGION_NAME,
                    value: self.region.trim().to_owned(),
                });
            }
            let label = ui.label("整改时限");
            let days = ui
                .add(egui::TextEdit::singleline(&mut self.days).desired_width(36.0))
                .labelled_by(label.id);
            ui.label("个工作日");
            let parsed = self
                .days
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=90).contains(d));
            if parsed.is_none() {
                ui.colored_label(ui.visuals().error_fg_color, "请填写 1 到 90 之间的天数");
            } else if days.lost_focus()
                && self
                    .view
                    .as_ref()
                    .is_some_and(|v| Some(v.deadline_days) != parsed)
            {
                action = Some(RectifyAction::SaveSetting {
                    key: crate::store::settings::RECTIFICATION_DAYS,
                    value: self.days.trim().to_owned(),
                });
            }
        });
        let drawn = self.view.as_ref().is_some_and(|v| v.drawn);
        ui.horizontal_wrapped(|ui| {
            let Some(q) = quarter else { return };
            ui.add_enabled_ui(drawn, |ui| {
                if ui
                    .button("导出通报…")
                    .on_hover_text("总体情况、问题账号、其他问题、全部结果四张表，可直接打印")
                    .clicked()
                {
                    action = Some(RectifyAction::ExportNotice(q));
                }
                if ui
                    .button("导出整改表（一个工作簿）…")
                    .on_hover_text("每个主办单位一张工作表；首次导出时按当天计算整改时限")
                    .clicked()
                {
                    action = Some(RectifyAction::ExportSheets {
                        quarter: q,
                        folder: false,
                    });
                }
                if ui
                    .button("导出整改表（每个单位一个文件）…")
                    .on_hover_text("选择一个文件夹，每个主办单位一个文件，文件名为单位名称")
                    .clicked()
                {
                    action = Some(RectifyAction::ExportSheets {
                        quarter: q,
                        folder: true,
                    });
                }
            });
            let issued = !self.rows().is_empty();
            if ui
                .add_enabled(issued, egui::Button::new("导入整改反馈…"))
                .on_hover_text(
                    "选择单位填好交回的整改表，可以一次选择多个文件；也可以把文件直接拖到这个窗口",
                )
                .clicked()
            {
                action = Some(RectifyAction::ImportFeedback(q));
            }
        });
        if let Some(view) = &self.view {
            match (&view.total, view.drawn) {
                (_, false) => {
                    ui.label("这个季度还没有抽样。请先在“抽样”页抽取名单，完成检查后再来这里导出通报和整改表。");
                }
                (Some(t), true) => {
                    let mut line = format!(
                        "抽查 {} 个账号：合格 {} 个，不合格 {} 个",
                        t.checked, t.passed, t.failed
                    );
                    if t.unfinished() > 0 {
                        line.push_str(&format!(
                            "，尚有 {} 个未完成检查（通报会注明不是最终结果）",
                            t.unfinished()
                        ));
                    }
                    line.push('。');
                    ui.label(line);
                }
                (None, true) => {}
            }
        }
        ui.add_space(4.0);
        action
    }

    fn list_ui(&mut self, ui: &mut egui::Ui) {
        let Some(view) = &self.view else {
            ui.spinner();
            return;
        };
        if view.drawn && view.rows.is_empty() {
            ui.add_space(12.0);
            ui.label("这个季度还没有下发整改问题。");
            ui.label("检查完成后，点“导出整改表”：系统按检查结果为每个不合格或有问题的账号生成整改问题，按设置的工作日数计算整改时限，并把整改表发给各主办单位。");
            return;
        }
        if view.rows.is_empty() {
            return;
        }
        let today = self.today;
        ui.horizontal_wrapped(|ui| {
            let count = |s: Option<Status>| {
                view.rows
                    .iter()
                    .filter(|r| s.is_none_or(|s| r.status(today) == s))
                    .count()
            };
            let all = count(None);
            ui.selectable_value(&mut self.filter, None, format!("全部 {all}"));
            for s in Status::ALL {
                let n = count(Some(s));
                ui.selectable_value(&mut self.filter, Some(s), format!("{} {n}", s.label()));
            }
            ui.separator();
            let label = ui.label("查找");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("单位、账号、问题或编号")
                    .desired_width(180.0),
            )
            .labelled_by(label.id);
        });
        let visible: Vec<(i64, [String; 7], Status)> = self
            .visible()
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    [
                        code(r.id),
                        r.host_unit.clone(),
                        r.name.clone(),
                        r.platform.clone(),
                        r.category.clone(),
                        r.deadline.format("%Y-%m-%d").to_string(),
                        r.reply_text.clone(),
                    ],
                    r.status(today),
                )
            })
            .collect();
        if visible.is_empty() {
            ui.label("没有符合条件的问题。");
            return;
        }
        let mut clicked = None;
        TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click())
            .column(Column::auto().at_least(80.0))
            .column(Column::initial(200.0).clip(true).resizable(true))
            .column(Column::initial(200.0).clip(true).resizable(true))
            .column(Column::auto().at_least(70.0))
            .column(Column::initial(140.0).clip(true).resizable(true))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::remainder().clip(true))
            .header(22.0, |mut h| {
                for t in [
                    "问题编号",
                    "主办单位",
                    "账号名称",
                    "平台",
                    "问题类别",
                    "整改时限",
                    "状态",
                    "整改情况",
                ] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, visible.len(), |mut row| {
                    let (id, cells, status) = &visible[row.index()];
                    let selected = self.selected == Some(*id);
                    row.set_selected(selected);
                    for (i, text) in cells.iter().enumerate() {
                        if i == 6 {
                            row.col(|ui| {
                                status_label(ui, *status);
                            });
                        }
                        row.col(|ui| {
                            if i == 0 {
                                // A real widget, so that the keyboard and screen readers reach it.
                                if ui.selectable_label(selected, text).clicked() {
                                    clicked = Some(*id);
                                }
                            } else {
                                ui.label(text);
                            }
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(*id);
                    }
                });
            });
        if let Some(id) = clicked {
            self.select(id);
        }
    }

    fn detail_ui(&mut self, ui: &mut egui::Ui, quarter: Quarter) -> Option<RectifyAction> {
        let mut action = None;
        let Some(r) = self.selected().cloned() else {
            return None;
        };
        let status = r.status(self.today);
        ui.horizontal(|ui| {
            ui.heading(code(r.id));
            status_label(ui, status);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("关闭详情").clicked() {
                    self.selected = None;
                }
            });
        });
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("rectify_fields")
                .num_columns(2)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    let day = |d: Option<NaiveDate>| {
                        d.map_or_else(String::new, |d| d.format("%Y年%m月%d日").to_string())
                    };
                    let fields = [
                        ("主办单位", r.host_unit.clone()),
                        ("账号名称", r.name.clone()),
                        ("平台", r.platform.clone()),
                        (
                            "问题类别",
                            format!("{}{}", r.category, if r.veto { "（单项否决）" } else { "" }),
                        ),
                        ("问题描述", r.description.clone()),
                        ("下发日期", day(Some(r.issued_on))),
                        ("整改时限", day(Some(r.deadline))),
                        ("整改情况", r.reply_text.clone()),
                        ("完成时间", day(r.completed_on)),
                        ("联系人", r.contact.clone()),
                        ("联系电话", r.phone.clone()),
                        ("复核意见", r.review_note.clone()),
                        ("复核人", r.reviewed_by.clone()),
                    ];
                    for (name, value) in fields {
                        ui.label(name);
                        ui.add(
                            egui::Label::new(if value.is_empty() {
                                "—".to_owned()
                            } else {
                                value
                            })
                            .wrap(),
                        );
                        ui.end_row();
                    }
                });
            ui.separator();
            if status == Status::Closed {
                ui.label("这个问题已复核关闭。");
                return;
            }
            ui.label("复核：核实单位的整改情况后，关闭问题或退回重新整改。");
            let label = ui.label("复核意见（退回时必填）");
            ui.add(
                egui::TextEdit::multiline(&mut self.note)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            ui.horizontal(|ui| {
                if ui.button("复核通过，关闭").clicked() {
                    action = Some(RectifyAction::Review {
                        id: r.id,
                        close: true,
                        note: self.note.trim().to_owned(),
                        quarter,
                    });
                }
                let can_reject = !self.note.trim().is_empty();
                if ui
                    .add_enabled(can_reject, egui::Button::new("复核未通过，退回"))
                    .on_disabled_hover_text("请先写明复核意见，单位才知道还要怎样整改")
                    .clicked()
                {
                    action = Some(RectifyAction::Review {
                        id: r.id,
                        close: false,
                        note: self.note.trim().to_owned(),
                        quarter,
                    });
                }
            });
        });
        if matches!(action, Some(RectifyAction::Review { .. })) {
            self.note.clear();
        }
        action
    }
}

fn status_label(ui: &mut egui::Ui, status: Status) {
    let color = match status {
        Status::Overdue | Status::Rejected => ui.visuals().error_fg_color,
        Status::Closed => egui::Color32::from_rgb(0x2e, 0x7d, 0x32),
        Status::Replied => ui.visuals().warn_fg_color,
        Status::Pending => ui.visuals().text_color(),
    };
    ui.colored_label(color, status.label());
}
