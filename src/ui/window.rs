//! One frame of the window: the top bar, the status bar, the screen shown (or what stands in
//! for it when the database could not be opened or the worker has stopped), the dialogs over
//! it, and at the end the commands the frame queued.

use super::{App, Screen, import_preview};

impl App {
    /// Draws the window, then runs what the user asked for in it.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        if let Some(started) = self.started.take()
            && std::env::var_os("SPOTCHECK_STARTUP_TIME").is_some()
        {
            eprintln!("首帧用时 {} 毫秒", started.elapsed().as_millis());
        }
        egui::Panel::top("title_bar").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_ui(ui));
        egui::CentralPanel::default().show(ui, |ui| self.screen_ui(ui));
        if let Some((report, _)) = &self.preview {
            import_preview::preview_ui(ui.ctx(), report, &mut self.commands);
        }
        self.results_report_ui(ui.ctx());
        self.feedback_report_ui(ui.ctx());
        self.run_commands(ui.ctx());
    }

    fn screen_ui(&mut self, ui: &mut egui::Ui) {
        if self.stopped {
            self.stopped_ui(ui);
            return;
        }
        let queue = &mut self.commands;
        if let Some(message) = &self.fatal {
            ui.add_space(20.0);
            ui.vertical_centered(|ui| {
                ui.heading("无法打开数据库");
                ui.label(message);
            });
            ui.add_space(12.0);
            ui.add_enabled_ui(self.running.is_none(), |ui| self.settings.ui(ui, queue));
            return;
        }
        let enabled = self.running.is_none() && self.preview.is_none();
        ui.add_enabled_ui(enabled, |ui| match self.screen {
            Screen::Roster => self.roster.ui(ui, queue),
            Screen::Sample => self.sample.ui(ui, queue),
            Screen::Inspect => self.inspect.ui(ui, queue),
            Screen::Rectify => self.rectify.ui(ui, queue),
            Screen::Settings => self.settings.ui(ui, queue),
            Screen::Exchange => self.exchange.ui(ui, queue),
        });
        self.drop_hint_ui(ui);
    }
}
