//! The preview shown before a roster is written: what will change and every problem row.

use egui_extras::{Column, TableBuilder};

use super::{CommandQueue, FileRequest, UiCommand};
use crate::steps::roster_import::ImportReport;

/// Draws the preview as a modal window and queues what the user chose; closing the window any
/// other way cancels the import.
#[allow(clippy::too_many_lines)] // one dialog, top to bottom
pub fn preview_ui(
    ctx: &egui::Context,
    report: &ImportReport,
    shrink_confirmed: &mut bool,
    commands: &mut CommandQueue,
) {
    let mut chose = false;
    let modal = egui::Modal::new(egui::Id::unique("import_preview")).show(ctx, |ui| {
        ui.set_width(ctx.content_rect().width().min(900.0) - 60.0);
        ui.heading("导入预览");
        let sheet = if report.sheet.is_empty() {
            String::new()
        } else {
            format!("，工作表“{}”", report.sheet)
        };
        ui.label(format!(
            "文件：{}{sheet}，表头在第 {} 行",
            report.file, report.header_row
        ));
        let problems = problem_lines(report);
        // The body scrolls; the shrink warning and the buttons below it stay in the window
        // whatever the body holds (a fixed footer, at 1024×768 too).
        let body_height = (ctx.content_rect().height() - 300.0).max(160.0);
        egui::ScrollArea::vertical()
            .id_salt("preview_body")
            .max_height(body_height)
            .show(ui, |ui| {
                for notice in &report.notices {
                    ui.colored_label(ui.visuals().warn_fg_color, notice);
                }
                columns_ui(ui, report, commands);
                // Nothing read yet (required columns still to be chosen): no counts to show.
                let read = report.imported > 0
                    || !report.errors.is_empty()
                    || !report.warnings.is_empty()
                    || !report.duplicates.is_empty();
                ui.add_space(6.0);
                if read {
                    egui::Grid::new("preview_counts")
                        .num_columns(2)
                        .show(ui, |ui| {
                            let rows: [(&str, String); 8] = [
                                ("新增账号", report.added.to_string()),
                                ("更新账号", report.updated.to_string()),
                                ("无变化", report.unchanged.to_string()),
                                (
                                    "不在本次名录中（将标为已移出名录，不会删除）",
                                    report.unlisted.to_string(),
                                ),
                                ("有错误未导入的行", report.errors.len().to_string()),
                                ("内容无法识别、已留空", report.warnings.len().to_string()),
                                (
                                    "重复的行（只导入一次）",
                                    report.duplicates.len().to_string(),
                                ),
                                (
                                    "跳过的空行 / 合计、填表人等说明行",
                                    format!("{} / {}", report.skipped_blank, report.skipped_notes),
                                ),
                            ];
                            for (k, v) in rows {
                                ui.label(k);
                                ui.strong(v);
                                ui.end_row();
                            }
                        });
                }
                if !problems.is_empty() {
                    ui.add_space(6.0);
                    ui.strong(format!(
                        "问题清单（{} 条，行号与 Excel 中一致）",
                        problems.len()
                    ));
                    let height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_max_height(260.0);
                        TableBuilder::new(ui)
                            .striped(true)
                            .column(Column::exact(60.0))
                            .column(Column::initial(90.0).clip(true))
                            .column(Column::remainder().clip(true))
                            .header(height, |mut h| {
                                for t in ["行号", "列", "问题"] {
                                    h.col(|ui| {
                                        ui.strong(t);
                                    });
                                }
                            })
                            .body(|body| {
                                body.rows(height, problems.len(), |mut row| {
                                    let (r, field, message) = &problems[row.index()];
                                    row.col(|ui| {
                                        ui.label(format!("第 {r} 行"));
                                    });
                                    row.col(|ui| {
                                        ui.label(*field);
                                    });
                                    row.col(|ui| {
                                        ui.label(message).on_hover_text(message);
                                    });
                                });
                            });
                    });
                }
            });
        if let Some(shrink) = &report.shrink {
            ui.add_space(8.0);
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "{}。请确认选对了文件（不是只有一部分单位的名录或旧名录）。",
                    shrink.describe()
                ),
            );
            ui.checkbox(
                shrink_confirmed,
                "确认这些账号已不在名录中，可以标为“已移出名录”",
            );
        }
        let may_commit = report.imported > 0 && (report.shrink.is_none() || *shrink_confirmed);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let label = if report.imported > 0 {
                format!("确认导入 {} 个账号", report.imported)
            } else {
                "确认导入".to_owned()
            };
            if ui
                .add_enabled(may_commit, egui::Button::new(label))
                .clicked()
            {
                commands.push(UiCommand::ConfirmImport {
                    allow_shrink: *shrink_confirmed,
                });
                chose = true;
            }
            if !problems.is_empty()
                && ui
                    .button("保存问题清单…")
                    .on_hover_text("保存为 xlsx，发给填表单位修改")
                    .clicked()
            {
                commands.ask(FileRequest::ProblemList);
                chose = true;
            }
            if ui.button("取消").clicked() {
                commands.push(UiCommand::CancelImport);
                chose = true;
            }
        });
    });
    if modal.should_close() && !chose {
        commands.push(UiCommand::CancelImport);
    }
}

fn problem_lines(report: &ImportReport) -> Vec<(u32, &str, String)> {
    let mut lines: Vec<(u32, &str, String)> = report
        .errors
        .iter()
        .chain(&report.warnings)
        .map(|p| {
            let value = if p.value.is_empty() {
                String::new()
            } else {
                format!("（“{}”）", p.value)
            };
            (p.row, p.field.as_str(), format!("{}{value}", p.message))
        })
        .chain(report.duplicates.iter().map(|d| {
            (
                d.row,
                "整行",
                format!(
                    "“{}”与第 {} 行是同一个账号，只导入一次",
                    d.name, d.first_row
                ),
            )
        }))
        .collect();
    lines.sort_by_key(|l| l.0);
    lines
}

/// 列的对应: every column of the file with the field it is read as, and a list to change it.
fn columns_ui(ui: &mut egui::Ui, report: &ImportReport, commands: &mut CommandQueue) {
    use crate::roster::header::Field;
    if report.columns.is_empty() {
        return;
    }
    let missing: Vec<&str> = Field::REQUIRED
        .iter()
        .filter(|f| !report.columns.iter().any(|(_, c)| c == &Some(**f)))
        .map(|f| f.label())
        .collect();
    let title = if missing.is_empty() {
        format!("列的对应（{} 列）", report.columns.len())
    } else {
        format!("列的对应（缺少：{}）", missing.join("、"))
    };
    egui::CollapsingHeader::new(title)
        .default_open(!missing.is_empty() || !report.notices.is_empty())
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("preview_columns")
                .max_height(180.0)
                .show(ui, |ui| {
                    egui::Grid::new("preview_columns_grid")
                        .num_columns(2)
                        .striped(true)
                        .show(ui, |ui| {
                            for (i, (text, field)) in report.columns.iter().enumerate() {
                                if text.trim().is_empty() {
                                    continue;
                                }
                                ui.label(text);
                                let shown =
                                    field.map_or(crate::roster::mapping::UNUSED, Field::label);
                                let mut chosen = *field;
                                egui::ComboBox::from_id_salt(("column", i))
                                    .selected_text(shown)
                                    .show_ui(ui, |ui| {
                                        ui.selectable_value(
                                            &mut chosen,
                                            None,
                                            crate::roster::mapping::UNUSED,
                                        );
                                        for f in Field::ALL {
                                            ui.selectable_value(&mut chosen, Some(f), f.label());
                                        }
                                    });
                                if chosen != *field {
                                    commands.push(UiCommand::Remap {
                                        column: text.clone(),
                                        field: chosen,
                                    });
                                }
                                ui.end_row();
                            }
                        });
                });
            ui.small("改选后会按新的对应重新读取；导入后，表头相同的文件会沿用这次的选择。");
        });
}
