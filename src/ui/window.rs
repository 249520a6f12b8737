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
            import_preview::preview_ui(
                ui.ctx(),
                report,
                &mut self.shrink_confirmed,
                &mut self.commands,
            );
        }
        self.identity_ui(ui.ctx());
        self.results_report_ui(ui.ctx());
        self.feedback_report_ui(ui.ctx());
        self.run_commands(ui.ctx());
    }

    fn screen_ui(&mut self, ui: &mut egui::Ui) {
        if self.stopped {
            self.stopped_ui(ui);
            return;
        }
        if let Some(message) = self.locked.clone() {
            self.locked_ui(ui, &message);
            return;
        }
        self.commands.set_read_only(self.read_only);
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
            Screen::Overview => self.overview.ui(ui, queue),
            Screen::Roster => self.roster.ui(ui, queue),
            Screen::Sample => self.sample.ui(ui, queue),
            Screen::Inspect => self.inspect.ui(ui, queue),
            Screen::Rectify => self.rectify.ui(ui, queue),
            Screen::Settings => self.settings.ui(ui, queue),
            Screen::Exchange => self.exchange.ui(ui, queue),
            Screen::Rollup => self.rollup.ui(ui, queue),
        });
        self.drop_hint_ui(ui);
        if let Some(link) = self.overview.take_link() {
            self.follow(link);
        }
    }

    /// Opens the list a figure of 概况 counts.
    fn follow(&mut self, link: super::overview_screen::Link) {
        use super::overview_screen::Link;
        self.status = None;
        match link {
            Link::Inspect {
                quarter,
                region,
                platform,
            } => {
                let i = &mut self.inspect;
                i.quarter = quarter.to_string();
                i.county = region;
                i.platform = platform;
                i.status = None;
                i.only_mine = false;
                i.search.clear();
                self.screen = Screen::Inspect;
            }
            Link::Problems { quarter, category } => {
                let r = &mut self.rectify;
                r.quarter = quarter.to_string();
                r.filter = None;
                r.search = category;
                r.invalidate();
                self.screen = Screen::Rectify;
            }
            Link::Rectify { quarter, status } => {
                let r = &mut self.rectify;
                r.quarter = quarter.to_string();
                r.filter = Some(status);
                r.search.clear();
                r.invalidate();
                self.screen = Screen::Rectify;
            }
        }
    }

    /// The first start: who works here. Every draw, answer and export is recorded under this
    /// name, and the region goes into the notice's title; both can be changed in 设置与备份.
    fn identity_ui(&mut self, ctx: &egui::Context) {
        use crate::steps::admin::SaveSetting;
        use crate::store::settings::{REGION_NAME, USER_NAME};
        use crate::worker::Command;
        let Some((name, region)) = &mut self.identity else {
            return;
        };
        let mut save = false;
        egui::Modal::new(egui::Id::unique("identity")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading("欢迎使用");
            ui.label("请先填写您的姓名和本单位负责的地区。抽样、检查、导出等每一项工作都会记下操作人；地区用在通报的标题中。以后可以在“设置与备份”中修改。");
            ui.add_space(8.0);
            egui::Grid::new("identity_form").num_columns(2).show(ui, |ui| {
                let label = ui.label("您的姓名");
                ui.add(egui::TextEdit::singleline(name).desired_width(220.0))
                    .labelled_by(label.id);
                ui.end_row();
                let label = ui.label("地区（如 示例市、示例区）");
                ui.add(egui::TextEdit::singleline(region).desired_width(220.0))
                    .labelled_by(label.id);
                ui.end_row();
            });
            ui.add_space(8.0);
            let ready = !name.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("保存并开始"))
                .clicked()
            {
                save = true;
            }
            if !ready {
                ui.small("填写姓名后才能开始。");
            }
        });
        if save {
            let (name, region) = self.identity.take().unwrap_or_default();
            self.commands.send(Command::SaveSetting(SaveSetting {
                key: USER_NAME,
                value: name.trim().to_owned(),
            }));
            if !region.trim().is_empty() {
                self.commands.send(Command::SaveSetting(SaveSetting {
                    key: REGION_NAME,
                    value: region.trim().to_owned(),
                }));
            }
            self.settings.invalidate();
        }
    }

    /// Another spotcheck holds the database: wait for it, or look without changing anything.
    fn locked_ui(&mut self, ui: &mut egui::Ui, message: &str) {
        use crate::worker::{Command, Job};
        ui.add_space(20.0);
        ui.vertical_centered(|ui| {
            ui.heading("数据库正被本软件的另一个窗口或命令使用");
            ui.add_space(8.0);
            ui.label(message);
            ui.add_space(12.0);
            if ui.button("等它关闭后自动打开").clicked() {
                self.locked = None;
                self.running = Some(super::Running {
                    job: Job::Open,
                    text: "正在等待本软件的另一个窗口或命令关闭数据库…".to_owned(),
                    fraction: None,
                    cancellable: false,
                });
                self.commands.send(Command::WaitAndOpen);
            }
            if ui.button("只读打开（只能查看，不能修改）").clicked() {
                self.locked = None;
                self.commands.send(Command::OpenReadOnly);
            }
        });
    }
}
