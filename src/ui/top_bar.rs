//! The bar at the top of the window: the title, one tab per screen (the steps of the work, in
//! order) and the database in use.

use super::{App, TITLE};

/// The screens, one per step of the work, in the order of the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Roster,
    Sample,
    Inspect,
    Rectify,
    Exchange,
    Rollup,
    Settings,
}

impl Screen {
    const ALL: [Self; 8] = [
        Self::Overview,
        Self::Roster,
        Self::Sample,
        Self::Inspect,
        Self::Rectify,
        Self::Exchange,
        Self::Rollup,
        Self::Settings,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Overview => "概况",
            Self::Roster => "名录",
            Self::Sample => "抽样",
            Self::Inspect => "检查",
            Self::Rectify => "通报与整改",
            Self::Exchange => "协作",
            Self::Rollup => "上报与汇总",
            Self::Settings => "设置与备份",
        }
    }
}

impl App {
    pub(super) fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading(TITLE);
            ui.separator();
            let enabled = self.running.is_none() && self.preview.is_none() && !self.stopped;
            ui.add_enabled_ui(enabled, |ui| {
                for screen in Screen::ALL {
                    let before = self.screen;
                    if ui
                        .selectable_value(&mut self.screen, screen, screen.label())
                        .clicked()
                    {
                        // Another screen: the last screen's message no longer applies (it
                        // stays in 最近的消息).
                        if before != screen {
                            self.status = None;
                        }
                        // Checks may have finished since: count them again.
                        match screen {
                            Screen::Rectify => self.rectify.invalidate(),
                            Screen::Overview => self.overview.invalidate(),
                            Screen::Sample => self.sample.invalidate(),
                            Screen::Exchange => self.exchange.invalidate(),
                            Screen::Rollup => self.rollup.invalidate(),
                            Screen::Settings => self.settings.invalidate(),
                            _ => {}
                        }
                    }
                }
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.small(format!("数据库：{}", self.db.display()));
                if self.read_only {
                    ui.colored_label(ui.visuals().warn_fg_color, "只读");
                }
            });
        });
    }
}
