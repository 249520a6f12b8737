//! The reports shown after an import that left rows out: which rows, and why. Each stays
//! open until closed.

use super::App;

impl App {
    pub(super) fn results_report_ui(&mut self, ctx: &egui::Context) {
        let Some(report) = &self.results_report else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("results_report")).show(ctx, |ui| {
            ui.heading("检查结果导入报告");
            ui.label(report.summary());
            ui.label("行号为 Excel 左侧显示的行号。有错误的行没有导入，请修改后重新导入。");
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    egui::Grid::new("results_problems")
                        .striped(true)
                        .num_columns(4)
                        .show(ui, |ui| {
                            for h in ["行号", "列", "类型", "问题"] {
                                ui.strong(h);
                            }
                            ui.end_row();
                            let rows = report
                                .errors
                                .iter()
                                .map(|p| (p, "错误，未导入"))
                                .chain(report.warnings.iter().map(|p| (p, "提醒，已导入")));
                            for (p, kind) in rows {
                                ui.label(p.row.to_string());
                                ui.label(&p.field);
                                ui.label(kind);
                                ui.label(&p.message);
                                ui.end_row();
                            }
                        });
                });
            if ui.button("关闭").clicked() {
                ui.close();
            }
        });
        if modal.should_close() {
            self.results_report = None;
        }
    }

    pub(super) fn feedback_report_ui(&mut self, ctx: &egui::Context) {
        let Some(report) = &self.feedback_report else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("feedback_report")).show(ctx, |ui| {
            ui.heading("整改反馈导入报告");
            ui.label(report.summary());
            ui.label("下列行没有导入（行号为 Excel 左侧显示的行号），其余行已导入。请核对后让单位修改，再重新导入。");
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    egui::Grid::new("feedback_problems")
                        .striped(true)
                        .num_columns(2)
                        .show(ui, |ui| {
                            ui.strong("位置");
                            ui.strong("问题");
                            ui.end_row();
                            for i in report.unreadable.iter().chain(&report.issues) {
                                ui.label(&i.place);
                                ui.add(egui::Label::new(&i.message).wrap());
                                ui.end_row();
                            }
                        });
                });
            if ui.button("关闭").clicked() {
                ui.close();
            }
        });
        if modal.should_close() {
            self.feedback_report = None;
        }
    }
}
