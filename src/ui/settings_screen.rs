//! 设置与备份: who uses this copy, the region and deadline, backups (make one, restore one
//! after confirmation) and the operation log (checked against its hash chain, exportable).

use egui_extras::{Column, TableBuilder};

use super::{CommandQueue, FileRequest};
use crate::steps::admin::SaveSetting;
use crate::store::BackupInfo;
use crate::worker::{Command, SettingsView};

#[derive(Default)]
pub struct SettingsScreen {
    loaded: bool,
    view: Option<SettingsView>,
    pub user_name: String,
    pub region: String,
    pub office: String,
    pub addressees: String,
    pub contact: String,
    pub days: String,
    /// 深色 is chosen (saved per database, applied at the next start too).
    pub dark: bool,
    /// A restore waiting for the user's confirmation.
    confirm: Option<BackupInfo>,
}

impl SettingsScreen {
    pub fn invalidate(&mut self) {
        self.loaded = false;
    }

    /// Shows what the worker read. A field is filled from it only while it still shows what
    /// was saved before: the reload that follows saving one field must not undo what is being
    /// typed in the next one.
    pub fn set_view(&mut self, view: SettingsView) {
        let old = self.view.as_ref();
        if old.is_none_or(|o| self.user_name.trim() == o.user_name) {
            self.user_name.clone_from(&view.user_name);
        }
        if old.is_none_or(|o| self.region.trim() == o.region) {
            self.region.clone_from(&view.region);
        }
        if old.is_none_or(|o| self.office.trim() == o.office) {
            self.office.clone_from(&view.office);
        }
        if old.is_none_or(|o| self.addressees.trim() == o.addressees) {
            self.addressees.clone_from(&view.addressees);
        }
        if old.is_none_or(|o| self.contact.trim() == o.contact) {
            self.contact.clone_from(&view.contact);
        }
        if old.is_none_or(|o| self.days.trim() == o.deadline_days.to_string()) {
            self.days = view.deadline_days.to_string();
        }
        self.view = Some(view);
    }

    #[must_use]
    pub fn view(&self) -> Option<&SettingsView> {
        self.view.as_ref()
    }

    /// Asks to restore `backup` (the confirmation dialog opens).
    pub fn ask_restore(&mut self, backup: BackupInfo) {
        self.confirm = Some(backup);
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        if !self.loaded {
            self.loaded = true;
            commands.send(Command::LoadSettings);
        }
        // Taken out for the frame (the fields below borrow the screen) and put back after.
        let Some(view) = self.view.take() else {
            ui.spinner();
            return;
        };
        egui::ScrollArea::vertical().show(ui, |ui| {
            if view.open {
                self.settings_ui(ui, &view, commands);
                ui.separator();
            }
            self.backups_ui(ui, &view, commands);
            if view.open {
                ui.separator();
                log_ui(ui, &view, commands);
            }
        });
        self.view = Some(view);
        self.confirm_ui(ui.ctx(), commands);
    }

    #[allow(clippy::too_many_lines)] // one form, field by field
    fn settings_ui(&mut self, ui: &mut egui::Ui, view: &SettingsView, commands: &mut CommandQueue) {
        ui.heading("设置");
        egui::Grid::new("settings")
            .num_columns(3)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let default_addressees =
                    crate::export::default_addressees(&view.region).trim_end_matches('：');
                let fields: [(&str, &'static str, &str, &str, &mut String, &str); 5] = [
                    (
                        "本机使用人姓名",
                        crate::store::settings::USER_NAME,
                        &view.user_name,
                        "记录在每一条检查结果、抽样和操作日志中",
                        &mut self.user_name,
                        "",
                    ),
                    (
                        "地区名称",
                        crate::store::settings::REGION_NAME,
                        &view.region,
                        "用于抽查名单、通报和整改表的标题，如 示例市",
                        &mut self.region,
                        "",
                    ),
                    (
                        "发文机关",
                        crate::steps::report_package::ISSUING_OFFICE,
                        &view.office,
                        "通报的落款，如 示例市政务服务数据管理局；不填则为“地区＋人民政府办公室”",
                        &mut self.office,
                        "",
                    ),
                    (
                        "通报主送",
                        crate::store::settings::NOTICE_ADDRESSEES,
                        &view.addressees,
                        "不填则按地区级别（输入框中的灰字）",
                        &mut self.addressees,
                        default_addressees,
                    ),
                    (
                        "联系人及电话",
                        crate::store::settings::NOTICE_CONTACT,
                        &view.contact,
                        "印在通报工作要求之后；不填则不印",
                        &mut self.contact,
                        "如 张三，020-12345678",
                    ),
                ];
                for (label, key, saved, hint, text, placeholder) in fields {
                    let l = ui.label(label);
                    let r = ui
                        .add_enabled_ui(!commands.read_only(), |ui| {
                            ui.add_sized(
                                [220.0, 22.0],
                                egui::TextEdit::singleline(text).hint_text(placeholder),
                            )
                        })
                        .inner
                        .on_disabled_hover_text(super::READ_ONLY)
                        .labelled_by(l.id);
                    ui.small(hint);
                    if r.lost_focus() && text.trim() != saved {
                        commands.send(Command::SaveSetting(SaveSetting {
                            key,
                            value: text.trim().to_owned(),
                        }));
                    }
                    ui.end_row();
                }
                ui.label("界面颜色");
                ui.horizontal(|ui| {
                    let before = self.dark;
                    ui.radio_value(&mut self.dark, false, "浅色");
                    ui.radio_value(&mut self.dark, true, "深色");
                    if self.dark != before {
                        ui.ctx().set_theme(if self.dark {
                            egui::Theme::Dark
                        } else {
                            egui::Theme::Light
                        });
                        commands.send(Command::SaveSetting(SaveSetting {
                            key: crate::store::settings::THEME,
                            value: if self.dark { "dark" } else { "light" }.to_owned(),
                        }));
                    }
                });
                ui.small("只影响本机窗口的显示");
                ui.end_row();
                let l = ui.label("整改时限（工作日）");
                let r = ui
                    .add_enabled_ui(!commands.read_only(), |ui| {
                        ui.add_sized([60.0, 22.0], egui::TextEdit::singleline(&mut self.days))
                    })
                    .inner
                    .on_disabled_hover_text(super::READ_ONLY)
                    .labelled_by(l.id);
                let parsed = self
                    .days
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| crate::steps::admin::DEADLINE_DAYS.contains(d));
                match parsed {
                    None => {
                        ui.colored_label(ui.visuals().error_fg_color, "请填写 1 到 90 之间的天数");
                    }
                    Some(d) => {
                        ui.small("下发整改时，从当天起按工作日（跳过周六、周日）计算整改时限");
                        if r.lost_focus() && d != view.deadline_days {
                            commands.send(Command::SaveSetting(SaveSetting {
                                key: crate::store::settings::RECTIFICATION_DAYS,
                                value: d.to_string(),
                            }));
                        }
                    }
                }
                ui.end_row();
            });
        // Below the form: the fingerprint is wider than its fields.
        ui.horizontal_wrapped(|ui| {
            ui.label("本单位签名公钥指纹：");
            match &view.fingerprint {
                Some(f) => ui.monospace(f),
                None => ui.label("尚未生成"),
            };
        });
        ui.small("国密 SM2 签名密钥的指纹（SM3），向上级上报时请与上级电话核对；第一次导出公钥或上报包时生成，见“上报与汇总”。");
        ui.small(format!("数据库：{}", view.db.display()));
    }

    fn backups_ui(&mut self, ui: &mut egui::Ui, view: &SettingsView, commands: &mut CommandQueue) {
        ui.heading("备份与恢复");
        if !view.open {
            ui.colored_label(
                ui.visuals().error_fg_color,
                "数据库无法打开。可以从下面的备份恢复；恢复前，原来的数据库文件会另外保留一份。",
            );
        }
        ui.label(format!(
            "每次导入名录、抽样和合并结果包之前，系统会自动备份（保留最近 {} 份，在 {}）。也可以随时手动备份到 U 盘等位置。",
            crate::store::AUTO_KEPT,
            view.backups_dir.display()
        ));
        ui.horizontal(|ui| {
            if view.open && commands.write_button(ui, "立即备份到…").clicked() {
                commands.ask(FileRequest::BackupFolder);
            }
            if commands
                .write_button(ui, "从其他位置的备份恢复…")
                .on_hover_text("选择一个备份文件夹（里面有 spotcheck.db 和 backup.json）")
                .clicked()
            {
                commands.ask(FileRequest::RestoreFolder);
            }
        });
        if view.backups.is_empty() {
            ui.label("还没有自动备份。");
        } else {
            egui::Grid::new("backups")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in ["时间", "原因", "账号", "抽样", ""] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for b in &view.backups {
                        ui.label(crate::model::time::time_text(b.created_at));
                        ui.label(&b.reason);
                        let known =
                            |n: Option<i64>| n.map_or_else(|| "—".to_owned(), |n| n.to_string());
                        ui.label(known(b.accounts));
                        ui.label(known(b.draws));
                        if commands.write_button(ui, "恢复…").clicked() {
                            self.confirm = Some(b.clone());
                        }
                        ui.end_row();
                    }
                });
        }
    }

    fn confirm_ui(&mut self, ctx: &egui::Context, commands: &mut CommandQueue) {
        let Some(backup) = self.confirm.clone() else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("confirm_restore")).show(ctx, |ui| {
            ui.heading("从备份恢复");
            ui.label(format!(
                "将用 {}（{}）的备份替换现在的数据库：这之后的导入、抽样、检查结果都会回到备份时的样子。",
                crate::model::time::minute_text(backup.created_at),
                backup.reason
            ));
            let log = self.view.as_ref().map(|v| v.log.clone()).unwrap_or_default();
            match crate::model::undone_since(&log, backup.log.as_ref()) {
                Some(undone) if undone.is_empty() => {
                    ui.label("备份之后没有新的操作。");
                }
                Some(undone) => {
                    let total: usize = undone.iter().map(|(_, n)| n).sum();
                    let kinds: Vec<String> = undone
                        .iter()
                        .map(|(action, n)| format!("{action} {n} 次"))
                        .collect();
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!(
                            "备份之后共有 {total} 项操作，恢复后它们改动的数据都会回到备份时的样子：{}。操作日志中仍会逐条保留这些记录。",
                            kinds.join("、")
                        ),
                    );
                }
                None => {
                    ui.label("这份备份没有记下当时的操作日志位置，无法列出恢复会撤销哪些操作。");
                }
            }
            ui.label("现在的数据库不会删除，会另外保留在备份文件夹中。");
            ui.horizontal(|ui| {
                if ui.button("确认恢复").clicked() {
                    commands.send(Command::Restore(backup.path.clone()));
                    ui.close();
                }
                if ui.button("取消").clicked() {
                    ui.close();
                }
            });
        });
        if modal.should_close() {
            self.confirm = None;
        }
    }
}

fn log_ui(ui: &mut egui::Ui, view: &SettingsView, commands: &mut CommandQueue) {
    ui.heading("操作日志");
    ui.horizontal(|ui| {
        match view.log_broken_at {
            None if view.log_gaps.is_empty() => {
                ui.label(format!(
                    "共 {} 条，校验通过：日志没有被改动过，与这里的备份对照也没有少记录。",
                    view.log.len()
                ));
            }
            None => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!(
                        "校验未通过：{}。这些记录被删掉了。",
                        view.log_gaps.join("；")
                    ),
                );
            }
            Some(id) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!(
                        "校验未通过：第 {id} 条记录被改动、删除或插入过，从这一条起的记录不可信。"
                    ),
                );
            }
        }
        if commands.write_button(ui, "导出日志…").clicked() {
            commands.ask(FileRequest::Log);
        }
    });
    let log = &view.log;
    TableBuilder::new(ui)
        .striped(true)
        .max_scroll_height(360.0)
        .column(Column::auto().at_least(40.0))
        .column(Column::auto().at_least(140.0))
        .column(Column::auto().at_least(80.0))
        .column(Column::auto().at_least(100.0))
        .column(Column::remainder().clip(true))
        .header(22.0, |mut h| {
            for t in ["序号", "时间", "操作人", "操作", "内容"] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|body| {
            body.rows(22.0, log.len(), |mut row| {
                // Newest first.
                let e = &log[log.len() - 1 - row.index()];
                row.col(|ui| {
                    ui.label(e.id.to_string());
                });
                row.col(|ui| {
                    ui.label(crate::model::time::time_text(e.at));
                });
                row.col(|ui| {
                    ui.label(&e.actor);
                });
                row.col(|ui| {
                    ui.label(&e.action);
                });
                row.col(|ui| {
                    ui.label(&e.detail);
                });
            });
        });
}
