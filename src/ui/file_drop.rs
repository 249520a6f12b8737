//! Files dragged onto the window: what they become depends on the screen shown — evidence for
//! the current item on 检查, a package on 协作, the units' sheets on 通报与整改, 上报包 on
//! 上报与汇总, else a roster.

use std::path::PathBuf;

use super::{App, Screen};
use crate::worker::Command;

impl App {
    /// Sends what the files dropped this frame are for.
    pub(super) fn take_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if dropped.is_empty() || self.fatal.is_some() || self.stopped {
            return;
        }
        match self.screen {
            Screen::Inspect => {
                // Files dropped on the form are evidence for the current item.
                if self.inspect.locked() {
                    self.inspect.ask_reopen();
                } else if let Some((draw, account, item)) = self.inspect.drop_target() {
                    for path in dropped {
                        self.send(Command::AddEvidence {
                            draw,
                            account,
                            item: item.clone(),
                            evidence: crate::model::NewEvidence::Path(path),
                        });
                    }
                } else {
                    self.status = Some((
                        true,
                        "请先在左侧打开一个账号，再把证据文件拖进来。".to_owned(),
                    ));
                }
            }
            Screen::Exchange => {
                if let (Some(quarter), Some(path)) =
                    (self.exchange.quarter(), dropped.into_iter().next())
                    && self.running.is_none()
                {
                    self.send(Command::ImportPackage {
                        action: crate::steps::exchange::ImportPackage { path },
                        quarter,
                    });
                }
            }
            Screen::Rectify => {
                // Files dropped here are the sheets the units sent back.
                if let Some(quarter) = self.rectify.quarter()
                    && self.running.is_none()
                {
                    self.send(Command::ImportFeedback {
                        action: crate::steps::rectification::ImportFeedback { paths: dropped },
                        quarter,
                    });
                }
            }
            Screen::Rollup => {
                // Files dropped here are 上报包 from the level below.
                if let Ok(quarter) = self.rollup.quarter.parse()
                    && self.running.is_none()
                {
                    self.send(Command::Rollup {
                        action: crate::worker::RollupCommand::Import(
                            crate::steps::rollup::ImportReports { files: dropped },
                        ),
                        quarter,
                    });
                }
            }
            Screen::Overview | Screen::Roster | Screen::Sample | Screen::Settings => {
                if let Some(path) = dropped.into_iter().next()
                    && self.running.is_none()
                    && self.preview.is_none()
                {
                    self.screen = Screen::Roster;
                    self.import_file(path);
                }
            }
        }
    }

    /// While files are dragged over the window, says what dropping them will do.
    pub(super) fn drop_hint_ui(&self, ui: &egui::Ui) {
        if ui.ctx().input(|i| i.raw.hovered_files.is_empty()) {
            return;
        }
        ui.ctx().debug_painter().text(
            ui.max_rect().center(),
            egui::Align2::CENTER_CENTER,
            match self.screen {
                Screen::Rectify => "松开鼠标即可导入单位交回的整改表",
                Screen::Inspect => "松开鼠标即可把文件添加为当前检查项的证据",
                Screen::Exchange => "松开鼠标即可导入这个工作包或结果包",
                Screen::Rollup => "松开鼠标即可导入并核验这些上报包",
                _ => "松开鼠标即可导入这个名录文件",
            },
            egui::FontId::proportional(24.0),
            ui.visuals().strong_text_color(),
        );
    }
}
