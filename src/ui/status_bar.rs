//! The line at the bottom of the window: the long job running (with its progress and, for a
//! roster read, a cancel button), else the last outcome, else 就绪. A worker that has stopped
//! is said here in red, in place of everything else.

use super::App;
use crate::worker::Job;

/// What the window says when the worker thread is gone.
pub const WORKER_STOPPED: &str =
    "后台处理已停止，无法继续保存。请关闭程序后重新打开；已保存的内容不会丢失。";

/// A long job in progress, shown in the status bar.
pub(super) struct Running {
    pub job: Job,
    pub text: String,
    pub fraction: Option<f32>,
    pub cancellable: bool,
}

impl App {
    pub(super) fn status_ui(&mut self, ui: &mut egui::Ui) {
        self.remember_status();
        ui.horizontal(|ui| {
            // 最近的消息 at the right end, the current message wrapping in what is left.
            if !self.messages.is_empty() && !self.stopped {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    self.history_ui(ui);
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        self.current_ui(ui);
                    });
                });
            } else {
                self.current_ui(ui);
            }
        });
    }

    /// The job running, else the last outcome, else 就绪.
    fn current_ui(&mut self, ui: &mut egui::Ui) {
        if self.stopped {
            ui.colored_label(ui.visuals().error_fg_color, WORKER_STOPPED);
        } else if let Some(r) = &self.running {
            ui.label(&r.text);
            let bar = egui::ProgressBar::new(r.fraction.unwrap_or(0.0)).desired_width(240.0);
            ui.add(if r.fraction.is_some() {
                bar.show_percentage()
            } else {
                bar.animate(true)
            });
            if r.cancellable && ui.button("取消").clicked() {
                self.worker.cancel();
            }
        } else if let Some((is_error, text)) = &self.status {
            let color = if *is_error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().text_color()
            };
            let folder = self
                .written
                .as_ref()
                .filter(|(message, _)| !*is_error && message == text)
                .map(|(_, folder)| folder.clone());
            if let Some(folder) = folder
                && ui.button("打开所在文件夹").clicked()
                && let Err(e) = opener::open(&folder)
            {
                self.status = Some((
                    true,
                    format!(
                        "无法打开文件夹 {}，请在文件管理器中自己打开（{e}）。",
                        folder.display()
                    ),
                ));
                return;
            }
            // Long messages wrap instead of running off the right edge.
            ui.add(egui::Label::new(egui::RichText::new(text).color(color)).wrap());
        } else {
            ui.label("就绪");
        }
    }

    /// 最近的消息: the last messages, newest first.
    fn history_ui(&self, ui: &mut egui::Ui) {
        ui.menu_button(
            format!("最近的消息（{} 条）", self.messages.len()),
            |ui| {
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .show(ui, |ui| {
                        for (at, is_error, text) in self.messages.iter().rev() {
                            let color = if *is_error {
                                ui.visuals().error_fg_color
                            } else {
                                ui.visuals().text_color()
                            };
                            ui.add(
                                egui::Label::new(
                                    egui::RichText::new(format!(
                                        "{}  {text}",
                                        crate::model::time::clock_text(*at)
                                    ))
                                    .color(color),
                                )
                                .wrap(),
                            );
                        }
                    });
            },
        );
    }

    /// Keeps the last messages of the status bar (最近的消息), once each.
    fn remember_status(&mut self) {
        const KEPT: usize = 30;
        let Some((is_error, text)) = &self.status else {
            return;
        };
        if self
            .messages
            .last()
            .is_some_and(|(_, e, t)| e == is_error && t == text)
        {
            return;
        }
        self.messages
            .push((chrono::Local::now().naive_local(), *is_error, text.clone()));
        if self.messages.len() > KEPT {
            self.messages.remove(0);
        }
    }

    /// The central panel once the worker has stopped: what happened and what to do, with the
    /// last error (the worker's own account of it, if it gave one).
    pub(super) fn stopped_ui(&self, ui: &mut egui::Ui) {
        ui.add_space(20.0);
        ui.vertical_centered(|ui| {
            ui.heading("后台处理已停止");
            ui.label("窗口已经无法保存任何改动。请关闭程序后重新打开；已经显示“已保存”的内容都在数据库里，不会丢失。");
            if let Some((true, text)) = &self.status {
                ui.add_space(8.0);
                ui.label(format!("最后一条错误：{text}"));
            }
        });
    }
}
