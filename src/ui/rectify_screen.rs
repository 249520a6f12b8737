//! 整改: export the quarter's notice and rectification sheets, import what the units send
//! back, and review each problem to closure. Reads what the worker loaded; queues commands.

use std::fmt::Write as _;

use chrono::NaiveDate;
use egui_extras::{Column, TableBuilder};

use super::{CommandQueue, FileRequest};
use crate::model::Quarter;
use crate::rectification::{Rectification, Status, code};
use crate::steps::rectification::Review;
use crate::worker::{Command, RectificationView};

pub struct RectifyScreen {
    pub quarter: String,
    shown: Option<Quarter>,
    view: Option<RectificationView>,
    /// `None`: every status.
    pub filter: Option<Status>,
    pub search: String,
    selected: Option<i64>,
    pub note: String,
    today: NaiveDate,
    /// Each loaded problem's status today, and how many have each (in `Status::ALL` order).
    statuses: Vec<Status>,
    counts: [usize; Status::ALL.len()],
    /// The rows shown (indices), and the filter and search they were chosen for.
    rows_shown: Vec<usize>,
    shown_for: Option<(Option<Status>, String)>,
    /// An export asked for while checks are unfinished, waiting for the user's yes.
    confirm_export: Option<FileRequest>,
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
            today,
            statuses: Vec::new(),
            counts: [0; Status::ALL.len()],
            rows_shown: Vec::new(),
            shown_for: None,
            confirm_export: None,
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
        self.statuses = view.rows.iter().map(|r| r.status(self.today)).collect();
        self.counts = Status::ALL.map(|s| self.statuses.iter().filter(|x| **x == s).count());
        self.shown_for = None;
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

    /// Chooses the rows shown, when the filter or the search changed since.
    fn refilter(&mut self) {
        let wanted = (self.filter, self.search.trim().to_owned());
        if self.shown_for.as_ref() == Some(&wanted) {
            return;
        }
        let needle = wanted.1.as_str();
        let rows = self.view.as_ref().map_or(&[][..], |v| v.rows.as_slice());
        self.rows_shown = rows
            .iter()
            .zip(&self.statuses)
            .enumerate()
            .filter(|(_, (_, s))| self.filter.is_none_or(|f| **s == f))
            .filter(|(_, (r, _))| {
                needle.is_empty()
                    || [&r.host_unit, &r.name, &r.platform, &r.category, &r.county]
                        .iter()
                        .any(|t| t.contains(needle))
                    || code(r.id).contains(needle)
            })
            .map(|(n, _)| n)
            .collect();
        self.shown_for = Some(wanted);
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        let quarter = self.quarter.parse::<Quarter>();
        if let Ok(q) = quarter
            && self.shown != Some(q)
        {
            self.shown = Some(q);
            self.view = None;
            self.selected = None;
            commands.send(Command::LoadRectifications(q));
        }
        self.confirm_export_ui(ui.ctx(), commands);
        egui::Panel::top("rectify_tools").show(ui, |ui| {
            self.tools_ui(ui, quarter.as_ref().ok().copied(), commands);
            if let Err(e) = &quarter {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
        });
        let Ok(q) = quarter else { return };
        if self.selected.is_some() {
            egui::Panel::right("rectify_detail")
                .resizable(true)
                .default_size(380.0)
                .show(ui, |ui| self.detail_ui(ui, q, commands));
        }
        egui::CentralPanel::default().show(ui, |ui| self.list_ui(ui));
    }

    #[allow(clippy::too_many_lines)] // one tool panel, top to bottom
    /// Checks still open: how many the notice would leave out.
    fn unfinished(&self) -> usize {
        self.view
            .as_ref()
            .and_then(|v| v.total.as_ref())
            .map_or(0, crate::model::Tally::unfinished)
    }

    /// Asks for the file of an official document, or first whether to publish while checks
    /// are unfinished.
    fn export(&mut self, commands: &mut CommandQueue, request: FileRequest) {
        if self.unfinished() > 0 {
            self.confirm_export = Some(request);
        } else {
            commands.ask(request);
        }
    }

    /// 「还有 N 个账号没有完成检查，仍要导出吗？」
    fn confirm_export_ui(&mut self, ctx: &egui::Context, commands: &mut CommandQueue) {
        let Some(request) = self.confirm_export.clone() else {
            return;
        };
        let what = match request {
            FileRequest::RectificationSheets { .. } => "整改表",
            _ => "通报",
        };
        let count = self.unfinished();
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("confirm_unfinished_export")).show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading(format!("还有 {count} 个账号没有完成检查"));
            ui.label(format!(
                "{what}通常在本季度全部检查完成后印发。现在导出，合格数、不合格数和合格率只计已完成的检查，文件中写明不是最终结果；没完成的账号发现的问题不会列入。"
            ));
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("仍要导出").clicked() {
                    answer = Some(true);
                }
                if ui.button("取消").clicked() {
                    answer = Some(false);
                }
            });
        });
        match answer {
            Some(true) => {
                self.confirm_export = None;
                commands.ask(match request {
                    FileRequest::Notice { quarter, word, .. } => FileRequest::Notice {
                        quarter,
                        word,
                        allow_unfinished: true,
                    },
                    FileRequest::RectificationSheets {
                        quarter, folder, ..
                    } => FileRequest::RectificationSheets {
                        quarter,
                        folder,
                        allow_unfinished: true,
                    },
                    other => other,
                });
            }
            Some(false) => self.confirm_export = None,
            None => {}
        }
    }

    /// 导出通报正文、附表、整改表: each asks first while checks are unfinished.
    fn export_buttons_ui(&mut self, ui: &mut egui::Ui, q: Quarter, commands: &mut CommandQueue) {
        if commands
            .write_button(ui, "导出通报正文（Word）…")
            .on_hover_text("按公文格式排好的通报正文，可以在 Word 或 WPS 中修改后印发")
            .clicked()
        {
            self.export(
                commands,
                FileRequest::Notice {
                    quarter: q,
                    word: true,
                    allow_unfinished: false,
                },
            );
        }
        if commands
            .write_button(ui, "导出通报附表…")
            .on_hover_text("总体情况、问题账号、其他问题、全部结果四张表，可直接打印")
            .clicked()
        {
            self.export(
                commands,
                FileRequest::Notice {
                    quarter: q,
                    word: false,
                    allow_unfinished: false,
                },
            );
        }
        if commands
            .write_button(ui, "导出整改表（一个工作簿）…")
            .on_hover_text("每个主办单位一张工作表；首次导出时按当天计算整改时限")
            .clicked()
        {
            self.export(
                commands,
                FileRequest::RectificationSheets {
                    quarter: q,
                    folder: false,
                    allow_unfinished: false,
                },
            );
        }
        if commands
            .write_button(ui, "导出整改表（每个单位一个文件）…")
            .on_hover_text("选择一个文件夹，每个主办单位一个文件，文件名为单位名称")
            .clicked()
        {
            self.export(
                commands,
                FileRequest::RectificationSheets {
                    quarter: q,
                    folder: true,
                    allow_unfinished: false,
                },
            );
        }
    }

    fn tools_ui(
        &mut self,
        ui: &mut egui::Ui,
        quarter: Option<Quarter>,
        commands: &mut CommandQueue,
    ) {
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("季度");
            ui.add(egui::TextEdit::singleline(&mut self.quarter).desired_width(80.0))
                .labelled_by(label.id);
            if let Some(q) = quarter {
                ui.label(q.label());
            }
            if let Some(v) = &self.view {
                ui.separator();
                let region = if v.region.is_empty() {
                    "（未填写）"
                } else {
                    v.region.as_str()
                };
                ui.label(format!(
                    "标题中的地区：{region}　整改时限：{} 个工作日",
                    v.deadline_days
                ))
                .on_hover_text("在“设置与备份”页修改");
            }
        });
        let drawn = self.view.as_ref().is_some_and(|v| v.drawn);
        ui.horizontal_wrapped(|ui| {
            let Some(q) = quarter else { return };
            ui.add_enabled_ui(drawn, |ui| self.export_buttons_ui(ui, q, commands));
            let issued = !self.rows().is_empty();
            if commands
                .write_button_when(ui, issued, egui::Button::new("导入整改反馈…"))
                .on_hover_text(
                    "选择单位填好交回的整改表，可以一次选择多个文件；也可以把文件直接拖到这个窗口",
                )
                .clicked()
            {
                commands.ask(FileRequest::Feedback(q));
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
                        let _ = write!(
                            line,
                            "，尚有 {} 个未完成检查（通报会注明不是最终结果）",
                            t.unfinished()
                        );
                    }
                    line.push('。');
                    ui.label(line);
                }
                (None, true) => {}
            }
        }
        ui.add_space(4.0);
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
        ui.horizontal_wrapped(|ui| {
            let all = self.statuses.len();
            ui.selectable_value(&mut self.filter, None, format!("全部 {all}"));
            for (s, n) in Status::ALL.into_iter().zip(self.counts) {
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
        self.refilter();
        if self.rows_shown.is_empty() {
            ui.label("没有找到符合条件的问题。请检查查找的文字，或点“全部”。");
            return;
        }
        let Some(view) = &self.view else { return };
        let mut clicked = None;
        // On a narrow screen (1024 px) the columns scroll sideways instead of being cut off.
        egui::ScrollArea::horizontal()
            .id_salt("rectify_rows")
            .show(ui, |ui| {
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
                    .column(Column::remainder().at_least(100.0).clip(true))
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
                        body.rows(22.0, self.rows_shown.len(), |mut row| {
                            // Only the rows on screen are formatted.
                            let n = self.rows_shown[row.index()];
                            let r = &view.rows[n];
                            let id = r.id;
                            let selected = self.selected == Some(id);
                            row.set_selected(selected);
                            row.col(|ui| {
                                // A real widget, so that the keyboard and screen readers reach it.
                                if ui.selectable_label(selected, code(id)).clicked() {
                                    clicked = Some(id);
                                }
                            });
                            for text in [&r.host_unit, &r.name, &r.platform, &r.category] {
                                row.col(|ui| {
                                    ui.label(text);
                                });
                            }
                            row.col(|ui| {
                                ui.label(crate::model::time::day_text(r.deadline));
                            });
                            row.col(|ui| {
                                status_label(ui, self.statuses[n], &r.status_text(self.today));
                            });
                            row.col(|ui| {
                                ui.label(&r.reply_text);
                            });
                            if row.response().clicked() {
                                clicked = Some(id);
                            }
                        });
                    });
            });
        if let Some(id) = clicked {
            self.select(id);
        }
    }

    #[allow(clippy::too_many_lines)] // one problem's details and review, top to bottom
    fn detail_ui(&mut self, ui: &mut egui::Ui, quarter: Quarter, commands: &mut CommandQueue) {
        let Some(r) = self.selected().cloned() else {
            return;
        };
        let mut reviewed = false;
        let status = r.status(self.today);
        ui.horizontal(|ui| {
            ui.heading(code(r.id));
            status_label(ui, status, &r.status_text(self.today));
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
                        d.map_or_else(String::new, crate::model::time::chinese_day)
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
                        (
                            "整改情况",
                            if r.reply.is_none() && !r.incomplete.is_empty() {
                                format!(
                                    "反馈缺少{}，待补充（{} 导入）",
                                    r.incomplete,
                                    r.incomplete_at
                                        .map(crate::model::time::minute_text)
                                        .unwrap_or_default()
                                )
                            } else {
                                r.reply_text.clone()
                            },
                        ),
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
                ui.label("这个问题已复核关闭。发现关闭有误时，可以写明原因后重新打开。");
                let label = ui.label("重新打开的原因");
                ui.add(
                    egui::TextEdit::multiline(&mut self.note)
                        .desired_rows(2)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
                if commands.write_button_when(ui, !self.note.trim().is_empty(), egui::Button::new("重新打开"))
                    .on_disabled_hover_text("请先写明重新打开的原因")
                    .clicked()
                {
                    commands.send(Command::ReviewRectification {
                        action: Review {
                            id: r.id,
                            close: false,
                            note: self.note.trim().to_owned(),
                        },
                        quarter,
                    });
                    self.note.clear();
                }
                return;
            }
            let unanswered = r.reply.is_none();
            if unanswered && !r.incomplete.is_empty() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "单位的反馈缺少{}，待补充，尚未采用。不经完整的反馈直接关闭，须在复核意见中写明依据（例如 复查合格、现场核实）。",
                        r.incomplete
                    ),
                );
            } else if unanswered {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "单位还没有反馈。不经反馈直接关闭，须在复核意见中写明依据（例如 复查合格、现场核实）。",
                );
            }
            ui.label("复核：核实单位的整改情况后，关闭问题或退回重新整改。");
            let label = ui.label(if unanswered {
                "复核意见（必填）"
            } else {
                "复核意见（退回时必填）"
            });
            ui.add(
                egui::TextEdit::multiline(&mut self.note)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            ui.horizontal(|ui| {
                let can_close = !unanswered || !self.note.trim().is_empty();
                if commands.write_button_when(ui, can_close, egui::Button::new("复核通过，关闭"))
                    .on_disabled_hover_text("单位还没有反馈：请先写明关闭的依据")
                    .clicked()
                {
                    reviewed = true;
                    commands.send(Command::ReviewRectification {
                        action: Review {
                            id: r.id,
                            close: true,
                            note: self.note.trim().to_owned(),
                        },
                        quarter,
                    });
                }
                let can_reject = !self.note.trim().is_empty();
                if commands.write_button_when(ui, can_reject, egui::Button::new("复核未通过，退回"))
                    .on_disabled_hover_text("请先写明复核意见，单位才知道还要怎样整改")
                    .clicked()
                {
                    reviewed = true;
                    commands.send(Command::ReviewRectification {
                        action: Review {
                            id: r.id,
                            close: false,
                            note: self.note.trim().to_owned(),
                        },
                        quarter,
                    });
                }
            });
        });
        if reviewed {
            self.note.clear();
        }
    }
}

/// `text`: the status as lists show it ([`crate::model::Rectification::status_text`]), coloured
/// by `status`.
fn status_label(ui: &mut egui::Ui, status: Status, text: &str) {
    let color = match status {
        Status::Overdue | Status::NotFixed | Status::Rejected => ui.visuals().error_fg_color,
        Status::Closed => egui::Color32::from_rgb(0x2e, 0x7d, 0x32),
        Status::Replied => ui.visuals().warn_fg_color,
        Status::Pending => ui.visuals().text_color(),
        Status::Carried => ui.visuals().weak_text_color(),
    };
    ui.colored_label(color, text);
}
