//! The list of sampled accounts on the left of 检查: the inspector's name (asked once), the
//! quarter and checklist, filters and search, progress, and the table (one row per account,
//! only visible rows drawn) whose click opens an account.

use egui_extras::{Column, TableBuilder};

use super::InspectScreen;
use crate::checklist::Verdict;
use crate::model::InspectionStatus;
use crate::ui::{CommandQueue, FileRequest};
use crate::worker::Command;

fn item_status_label(status: Option<(InspectionStatus, Option<Verdict>)>) -> String {
    match status {
        None => InspectionStatus::NotStarted.label().to_owned(),
        Some((InspectionStatus::Done, Some(v))) => format!("已完成·{}", v.label()),
        Some((s, _)) => s.label().to_owned(),
    }
}

impl InspectScreen {
    #[allow(clippy::too_many_lines)] // one list with its filters, top to bottom
    pub(super) fn list_ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        if self.me.is_empty() {
            ui.group(|ui| {
                ui.label("请先填写您的姓名：每条检查结果都会记录检查人。");
                ui.horizontal_wrapped(|ui| {
                    let label = ui.label("您的姓名");
                    ui.add(egui::TextEdit::singleline(&mut self.name_input).desired_width(120.0))
                        .labelled_by(label.id);
                    let name = self.name_input.trim().to_owned();
                    if ui
                        .add_enabled(!name.is_empty(), egui::Button::new("保存姓名"))
                        .clicked()
                    {
                        commands.send(Command::SaveSetting(crate::steps::admin::SaveSetting {
                            key: crate::store::settings::USER_NAME,
                            value: name,
                        }));
                    }
                });
            });
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("季度");
            ui.add(egui::TextEdit::singleline(&mut self.quarter).desired_width(80.0))
                .labelled_by(label.id);
            if !self.me.is_empty() {
                ui.checkbox(&mut self.only_mine, format!("只看分给{}的", self.me));
            }
        });
        if let (Some(c), Some(q)) = (&self.active, self.shown) {
            ui.horizontal_wrapped(|ui| {
                ui.small(format!("检查表：{}（版本 {}）", c.title, c.version));
                if ui
                    .add_enabled(!self.read_only, egui::Button::new("更换…").small())
                    .on_hover_text("载入主管单位下发的检查表文件（json）；已开始的检查仍按原检查表")
                    .on_disabled_hover_text(crate::ui::READ_ONLY)
                    .clicked()
                {
                    commands.ask(FileRequest::Checklist(q));
                }
                if self.draw.is_some()
                    && ui
                        .add_enabled(!self.read_only, egui::Button::new("导入检查结果…").small())
                        .on_hover_text("从共享表格或监测工具导出的表格批量导入（平台、账号标识、检查项、结果、说明、最后更新日期或最长更新间隔）")
                        .on_disabled_hover_text(crate::ui::READ_ONLY)
                        .clicked()
                {
                    commands.ask(FileRequest::Results(q));
                }
            });
        }
        let Some(draw) = self.draw.clone() else {
            ui.add_space(12.0);
            ui.label(match self.shown {
                Some(q) => format!(
                    "{}还没有抽查名单。检查人员：请在“协作”页打开组长发来的工作包；组长：请在“抽样”页抽取名单。",
                    q.label()
                ),
                None => "季度的写法不正确，例如 2026Q4。".to_owned(),
            });
            return;
        };
        ui.horizontal_wrapped(|ui| {
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
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("搜索");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("账号名称、主办单位或账号标识")
                    .desired_width(ui.available_width().min(240.0)),
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
        if self.view.is_empty() && total > 0 {
            ui.label("没有找到符合条件的账号。请检查搜索的文字，或把筛选条件改回“全部”。");
            return;
        }
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
            self.open(i, commands);
        }
    }
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
