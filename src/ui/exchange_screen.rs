//! 协作: split the quarter between laptops and merge it back, offline. The supervisor exports
//! one work package per inspector and merges the result packages; conflicts are shown side by
//! side for a choice. The inspector opens a work package and exports results.

use super::{CommandQueue, FileRequest};
use crate::exchange::FindingVersion;
use crate::model::Quarter;
use crate::steps::exchange::ResolveConflict;
use crate::worker::{Command, ExchangeView};

pub struct ExchangeScreen {
    pub quarter: String,
    shown: Option<Quarter>,
    view: Option<ExchangeView>,
}

impl ExchangeScreen {
    #[must_use]
    pub fn new(today: chrono::NaiveDate) -> Self {
        Self {
            quarter: Quarter::containing(today).to_string(),
            shown: None,
            view: None,
        }
    }

    pub fn invalidate(&mut self) {
        self.shown = None;
    }

    pub fn set_view(&mut self, view: ExchangeView) {
        if Some(view.quarter) == self.quarter() {
            self.view = Some(view);
        }
    }

    #[must_use]
    pub fn quarter(&self) -> Option<Quarter> {
        self.quarter.parse().ok()
    }

    /// What was loaded, for tests.
    #[must_use]
    pub fn view(&self) -> Option<&ExchangeView> {
        self.view.as_ref()
    }

    /// The inspector this laptop works for (from the work package opened on it), to name the
    /// result package.
    #[must_use]
    pub fn inspector_name(&self) -> String {
        self.view
            .as_ref()
            .and_then(|v| {
                v.history
                    .iter()
                    .find(|h| h.event == crate::model::PackageEvent::WorkOpened)
            })
            .map_or_else(|| "检查人员".to_owned(), |h| h.inspector.clone())
    }

    #[allow(clippy::too_many_lines)] // one screen, top to bottom
    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        let quarter = self.quarter.parse::<Quarter>();
        if let Ok(q) = quarter
            && self.shown != Some(q)
        {
            self.shown = Some(q);
            self.view = None;
            commands.send(Command::LoadExchange(q));
        }
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let label = ui.label("季度");
            ui.add(egui::TextEdit::singleline(&mut self.quarter).desired_width(80.0))
                .labelled_by(label.id);
            if let Ok(q) = &quarter {
                ui.label(q.label());
            }
        });
        let Ok(q) = quarter else {
            if let Err(e) = quarter {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
            return;
        };
        let Some(view) = &self.view else {
            ui.spinner();
            return;
        };
        ui.label("没有网络时，用 U 盘传递文件：组长为每名检查人员导出工作包；检查人员在自己的电脑上打开、检查，再导出结果包交回；组长导入结果包合并。合并前自动备份数据库，两边不一致的检查结果不会被覆盖，而是列在下面由组长选择。");
        ui.add_space(6.0);
        egui::ScrollArea::vertical().show(ui, |ui| {
            if view.has_work {
                ui.heading("检查人员：打开工作包、交回结果");
                ui.label("这台电脑的抽查名单来自组长的工作包。到“检查”页检查完后，点“导出结果包…”，把文件交给组长合并；组长再发来新的工作包时，在这里导入即可。");
            } else {
                if !view.drawn {
                    // Nothing drawn here: this may be an inspector's laptop waiting for its
                    // first work package as well as a leader's before the draw.
                    ui.heading("检查人员：打开组长发来的工作包");
                    ui.label("这台电脑如果是检查人员用的，点“打开工作包…”（或把工作包直接拖进窗口）打开组长发来的工作包：抽查名单、名录信息和检查表都在包里，不需要导入名录或抽样。");
                    if commands.write_button(ui, "打开工作包…").clicked() {
                        commands.ask(FileRequest::Package(q));
                    }
                    ui.add_space(6.0);
                }
                ui.heading("组长：分发与合并");
                distribute_ui(ui, view, q, commands);
            }
            ui.horizontal(|ui| {
                if (view.drawn || view.has_work)
                    && commands
                    .write_button(ui, "导入包…")
                    .on_hover_text("组长：导入检查人员交回的结果包；检查人员：打开组长发来的工作包。也可以把文件直接拖到这个窗口。")
                    .clicked()
                {
                    commands.ask(FileRequest::Package(q));
                }
                if view.has_work
                    && commands
                        .write_button(ui, "导出结果包…")
                        .on_hover_text("检查人员：把本机的检查结果和证据导出，交给组长合并")
                        .clicked()
                {
                    commands.ask(FileRequest::ResultsPackage(q));
                }
            });
            ui.add_space(8.0);
            ui.heading(format!("待处理的冲突（{} 项）", view.conflicts.len()));
            if view.conflicts.is_empty() {
                ui.label("没有冲突。");
            }
            for c in &view.conflicts {
                ui.group(|ui| {
                    ui.strong(format!(
                        "{}　{}（{}）　{}",
                        c.quarter, c.account_name, c.platform, c.item_label
                    ));
                    ui.columns(2, |cols| {
                        cols[0].label("本机现有");
                        version_ui(&mut cols[0], c.local.as_ref());
                        cols[1].label("结果包");
                        version_ui(&mut cols[1], Some(&c.incoming));
                    });
                    ui.horizontal(|ui| {
                        if commands.write_button(ui, "保留本机").clicked() {
                            commands.send(Command::ResolveConflict {
                                action: ResolveConflict {
                                    id: c.id,
                                    take_incoming: false,
                                },
                                quarter: q,
                            });
                        }
                        if commands.write_button(ui, "采用结果包").clicked() {
                            commands.send(Command::ResolveConflict {
                                action: ResolveConflict {
                                    id: c.id,
                                    take_incoming: true,
                                },
                                quarter: q,
                            });
                        }
                    });
                });
            }
            ui.add_space(8.0);
            ui.heading("记录");
            if view.history.is_empty() {
                ui.label("本机还没有导出或导入过包。");
            }
            egui::Grid::new("package_history")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for h in &view.history {
                        ui.label(crate::model::time::minute_text(h.at));
                        ui.label(h.event.label());
                        ui.label(&h.inspector);
                        ui.label(format!("{}　{}", h.quarter, h.summary));
                        ui.end_row();
                    }
                });
        });
    }
}

/// The supervisor's list of inspectors, each with the button exporting their work package.
fn distribute_ui(ui: &mut egui::Ui, view: &ExchangeView, q: Quarter, commands: &mut CommandQueue) {
    if !view.drawn {
        ui.label("这个季度还没有抽样。请先在“抽样”页抽取名单并分配检查人员。");
        return;
    }
    if view.inspectors.is_empty() {
        ui.label("抽查名单还没有分配检查人员。请先在“抽样”页分配。");
        return;
    }
    egui::Grid::new("inspectors")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.strong("检查人员");
            ui.strong("账号数");
            ui.strong("");
            ui.end_row();
            for (name, count) in &view.inspectors {
                ui.label(name);
                ui.label(count.to_string());
                if commands
                    .write_button(ui, format!("导出{name}的工作包…"))
                    .clicked()
                {
                    commands.ask(FileRequest::WorkPackage {
                        quarter: q,
                        inspector: name.clone(),
                    });
                }
                ui.end_row();
            }
        });
    if view.unassigned > 0 {
        ui.label(format!("另有 {} 个账号尚未分配检查人员。", view.unassigned));
    }
}

fn version_ui(ui: &mut egui::Ui, v: Option<&FindingVersion>) {
    let Some(v) = v else {
        ui.label("（未填写）");
        return;
    };
    ui.label(format!(
        "结果：{}",
        v.answer.map_or("未填", crate::model::Answer::label)
    ));
    if !v.note.is_empty() {
        ui.label(format!("说明：{}", v.note));
    }
    if let Some(d) = &v.last_update {
        ui.label(format!("最后更新日期：{d}"));
    }
    if let Some(gap) = v.longest_gap {
        ui.label(format!("最长更新间隔：{gap} 天"));
    }
    ui.small(format!(
        "{}　{}",
        v.updated_by,
        crate::model::time::minute_text(v.updated_at)
    ));
}
