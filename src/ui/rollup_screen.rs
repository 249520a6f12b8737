//! 上报与汇总: this office reports its quarter upward (its key's fingerprint, the public key
//! and the signed 上报包); the level above registers its reporters, imports their packages,
//! sees each verified in a table, draws the 复核 list and records what it finds, and exports
//! the 汇总 workbook and notice.

use super::{CommandQueue, FileRequest};
use crate::model::{Quarter, RecheckEntry};
use crate::rollup::summary::percent;
use crate::steps::rollup_recheck::RecordRecheck;
use crate::worker::{Command, RollupCommand, RollupView};

/// A conclusion being written for one account of the 复核 list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Draft {
    reporter: String,
    key: String,
    note: String,
    /// Just opened: its field takes the keyboard.
    fresh: bool,
}

pub struct RollupScreen {
    pub quarter: String,
    shown: Option<Quarter>,
    view: Option<RollupView>,
    /// The name a public key is registered under, and whether it must report every quarter.
    pub reporter_name: String,
    pub expected: bool,
    /// 复核 options as typed.
    pub rate: String,
    pub min: String,
    /// The 不合格 conclusion being written (its 说明 is required).
    draft: Option<Draft>,
}

impl RollupScreen {
    #[must_use]
    pub fn new(today: chrono::NaiveDate) -> Self {
        Self {
            quarter: Quarter::containing(today).to_string(),
            shown: None,
            view: None,
            reporter_name: String::new(),
            expected: true,
            rate: "10%".to_owned(),
            min: "3".to_owned(),
            draft: None,
        }
    }

    pub fn invalidate(&mut self) {
        self.shown = None;
    }

    pub fn set_view(&mut self, view: RollupView) {
        if self.quarter.parse().ok() == Some(view.quarter) {
            self.view = Some(view);
        }
    }

    /// What was loaded, for tests.
    #[must_use]
    pub fn view(&self) -> Option<&RollupView> {
        self.view.as_ref()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        let quarter = self.quarter.parse::<Quarter>();
        if let Ok(q) = quarter
            && self.shown != Some(q)
        {
            self.shown = Some(q);
            self.view = None;
            commands.send(Command::LoadRollup(q));
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
        if self.view.is_none() {
            ui.spinner();
            return;
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            self.report_ui(ui, q, commands);
            ui.separator();
            self.rollup_ui(ui, q, commands);
            ui.separator();
            self.recheck_ui(ui, q, commands);
        });
    }

    /// 本单位上报: the key and the package.
    fn report_ui(&self, ui: &mut egui::Ui, q: Quarter, commands: &mut CommandQueue) {
        let Some(view) = &self.view else { return };
        ui.heading("本单位上报");
        ui.label("把本季度的抽查情况做成上报包交给上级：包里有抽样的设置、随机种子和总体名单、每个抽查账号的结论、整改情况，用本单位的签名密钥签名，上级可以核验它没有被改动、抽样可以重新推算。");
        match &view.fingerprint {
            Some(f) => {
                ui.label(format!("本单位签名公钥指纹：{f}"));
            }
            None => {
                ui.label("本单位还没有签名密钥：第一次导出公钥或上报包时自动生成。");
            }
        }
        ui.horizontal(|ui| {
            if commands
                .write_button(ui, "导出公钥…")
                .on_hover_text("把公钥交给上级登记一次；请与上级电话核对公钥指纹")
                .clicked()
            {
                commands.ask(FileRequest::PublicKey(q));
            }
            if commands
                .write_button(ui, "导出上报包…")
                .on_hover_text("本季度的上报包（不含截图等证据文件）")
                .clicked()
            {
                commands.ask(FileRequest::ReportPackage(q));
            }
        });
    }

    /// 汇总（上级）: reporters, packages and the table.
    #[allow(clippy::too_many_lines)] // one section, top to bottom
    fn rollup_ui(&mut self, ui: &mut egui::Ui, q: Quarter, commands: &mut CommandQueue) {
        let Some(view) = &self.view else { return };
        ui.heading("汇总（上级）");
        ui.label(format!(
            "已登记 {} 个上报单位。登记时请与对方电话核对公钥指纹；应上报而没有上报的单位列为“未上报”。",
            view.reporters.len()
        ));
        ui.horizontal(|ui| {
            let label = ui.label("上报单位名称");
            ui.add(egui::TextEdit::singleline(&mut self.reporter_name).desired_width(140.0))
                .labelled_by(label.id);
            ui.checkbox(&mut self.expected, "每个季度都应上报");
            let name = self.reporter_name.trim();
            if commands
                .write_button_when(
                    ui,
                    !name.is_empty(),
                    egui::Button::new("选择公钥文件并登记…"),
                )
                .clicked()
            {
                commands.ask(FileRequest::ReporterKey {
                    quarter: q,
                    name: name.to_owned(),
                    expected: self.expected,
                });
            }
        });
        if self.reporter_name.trim().is_empty() {
            ui.small("先填写上报单位名称（与对方设置中的地区名称一致，例如 某市），再选择它交来的公钥文件。");
        }
        ui.horizontal(|ui| {
            if commands.write_button(ui, "导入上报包…").clicked() {
                commands.ask(FileRequest::Reports(q));
            }
            let any = !view.table.packages.is_empty();
            if commands
                .write_button_when(ui, any, egui::Button::new("导出汇总表…"))
                .clicked()
            {
                commands.ask(FileRequest::RollupBook(q));
            }
            if commands
                .write_button_when(ui, any, egui::Button::new("导出汇总通报…"))
                .on_hover_text(
                    "本级的通报（Word 公文），附各上报单位抽查情况表；落款为设置中的发文机关",
                )
                .clicked()
            {
                commands.ask(FileRequest::RollupNotice(q));
            }
        });
        ui.add_space(4.0);
        let rows: Vec<_> = view
            .table
            .reporters
            .iter()
            .chain(std::iter::once(&view.table.total))
            .collect();
        if view.table.reporters.is_empty() {
            ui.label(format!("{}还没有任何上报单位的上报包。", q.label()));
            return;
        }
        egui::Grid::new("rollup_table")
            .striped(true)
            .num_columns(10)
            .show(ui, |ui| {
                for head in [
                    "上报单位",
                    "账号总数",
                    "抽查数",
                    "抽查比例",
                    "合格",
                    "不合格",
                    "合格率",
                    "按期反馈率",
                    "核验",
                    "说明",
                ] {
                    ui.strong(head);
                }
                ui.end_row();
                for r in rows {
                    ui.label(&r.reporter);
                    ui.label(r.population.to_string());
                    ui.label(r.sampled.to_string());
                    ui.label(percent(r.ratio));
                    ui.label(r.passed.to_string());
                    ui.label(r.failed.to_string());
                    ui.label(percent(r.pass_rate));
                    ui.label(percent(r.on_time_rate));
                    let (text, bad) = if r.missing {
                        ("未上报", true)
                    } else if r.verified {
                        ("通过", false)
                    } else {
                        ("未通过", true)
                    };
                    if bad {
                        ui.colored_label(ui.visuals().error_fg_color, text);
                    } else {
                        ui.label(text);
                    }
                    ui.add(egui::Label::new(r.flags.join("；")).wrap());
                    ui.end_row();
                }
            });
    }

    /// 复核: the list, the conclusions and the accuracy.
    fn recheck_ui(&mut self, ui: &mut egui::Ui, q: Quarter, commands: &mut CommandQueue) {
        let Some(view) = &self.view else { return };
        ui.heading("复核");
        ui.label("从每个上报单位上报为合格的账号中随机抽取一部分，由上级再检查一次；复核不合格的账号和各单位的准确率写入汇总表。");
        let rate = crate::rollup::recheck::parse_rate(&self.rate);
        let min: Result<usize, _> = self.min.trim().parse();
        ui.horizontal(|ui| {
            let label = ui.label("复核比例");
            ui.add(egui::TextEdit::singleline(&mut self.rate).desired_width(60.0))
                .labelled_by(label.id);
            let label = ui.label("每个单位至少");
            ui.add(egui::TextEdit::singleline(&mut self.min).desired_width(40.0))
                .labelled_by(label.id);
            ui.label("个");
            let any = view
                .table
                .packages
                .iter()
                .any(|p| p.status == crate::model::ReportStatus::Accepted);
            if let (Ok(rate_bp), Ok(min)) = (&rate, &min)
                && commands
                    .write_button_when(ui, any, egui::Button::new("生成复核名单…"))
                    .clicked()
            {
                commands.ask(FileRequest::RecheckList {
                    quarter: q,
                    options: crate::rollup::recheck::RecheckOptions {
                        rate_bp: *rate_bp,
                        min: *min,
                        seed: crate::seed::fresh_seed(),
                    },
                });
            }
            if !view.entries.is_empty()
                && commands.write_button(ui, "导入填好的复核名单…").clicked()
            {
                commands.ask(FileRequest::RecheckFilled(q));
            }
        });
        if let Err(e) = &rate {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
        if min.is_err() {
            ui.colored_label(
                ui.visuals().error_fg_color,
                "“至少”请填写一个整数，例如 3。",
            );
        }
        let Some(round) = &view.round else {
            ui.label(format!("{}还没有生成复核名单。", q.label()));
            return;
        };
        ui.label(format!(
            "复核名单生成于{}（{}）：比例 {}%，每个单位至少 {} 个，随机种子 {}。",
            crate::model::time::minute_text(round.made_at),
            round.made_by,
            f64::from(round.rate_bp) / 100.0,
            round.min,
            round.seed
        ));
        for s in &view.table.rechecks {
            ui.label(format!(
                "{}：名单 {} 个，已复核 {} 个，复核不合格 {} 个，准确率 {}",
                s.reporter,
                s.chosen,
                s.checked,
                s.overturned.len(),
                percent(s.accuracy)
            ));
        }
        ui.add_space(4.0);
        let entries = view.entries.clone();
        self.draft_ui(ui, q, &entries, commands);
        egui::Grid::new("recheck_entries")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for head in ["上报单位", "账号", "主办单位", "复核结论", "复核说明"]
                {
                    ui.strong(head);
                }
                ui.end_row();
                for e in &entries {
                    self.entry_ui(ui, q, e, commands);
                    ui.end_row();
                }
            });
    }

    fn entry_ui(
        &mut self,
        ui: &mut egui::Ui,
        q: Quarter,
        e: &RecheckEntry,
        commands: &mut CommandQueue,
    ) {
        ui.label(&e.reporter);
        ui.label(format!("{}（{}）", e.name, e.platform));
        ui.label(&e.host_unit);
        let record = |passed: Option<bool>, note: String, commands: &mut CommandQueue| {
            commands.send(Command::Rollup {
                action: RollupCommand::Record(RecordRecheck {
                    quarter: q,
                    reporter: e.reporter.clone(),
                    key: e.key.clone(),
                    passed,
                    note,
                    checked_on: None,
                }),
                quarter: q,
            });
        };
        let editing = self
            .draft
            .as_ref()
            .is_some_and(|d| d.reporter == e.reporter && d.key == e.key);
        ui.horizontal(|ui| {
            let text = match e.passed {
                Some(true) => "合格",
                Some(false) => "不合格",
                None => "未复核",
            };
            ui.label(text);
            if e.passed != Some(true) && commands.write_button(ui, "合格").clicked() {
                self.draft = None;
                record(Some(true), String::new(), commands);
            }
            if !editing && e.passed != Some(false) && commands.write_button(ui, "不合格…").clicked()
            {
                self.draft = Some(Draft {
                    reporter: e.reporter.clone(),
                    key: e.key.clone(),
                    note: String::new(),
                    fresh: true,
                });
            }
            if e.passed.is_some() && commands.write_button(ui, "清除").clicked() {
                record(None, String::new(), commands);
            }
        });
        if editing {
            ui.label("（在上方填写）");
        } else {
            ui.add(egui::Label::new(&e.note).wrap());
        }
    }

    /// The 不合格 conclusion being written: above the list, so the list's width never hides
    /// its buttons; its field takes the keyboard when it appears.
    fn draft_ui(
        &mut self,
        ui: &mut egui::Ui,
        q: Quarter,
        entries: &[RecheckEntry],
        commands: &mut CommandQueue,
    ) {
        let Some(d) = &mut self.draft else { return };
        let Some(e) = entries
            .iter()
            .find(|e| e.reporter == d.reporter && e.key == d.key)
        else {
            self.draft = None;
            return;
        };
        let mut save = None;
        let mut cancel = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(format!(
                "复核不合格：{} {}（{}）",
                e.reporter, e.name, e.platform
            ));
            ui.horizontal(|ui| {
                let label = ui.label("复核发现的问题");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut d.note)
                            .hint_text("必填")
                            .desired_width(360.0),
                    )
                    .labelled_by(label.id);
                if d.fresh {
                    field.request_focus();
                    d.fresh = false;
                }
                let ready = !d.note.trim().is_empty();
                if commands
                    .write_button_when(ui, ready, egui::Button::new("保存为不合格"))
                    .clicked()
                {
                    save = Some(d.note.trim().to_owned());
                }
                if ui.button("取消").clicked() {
                    cancel = true;
                }
            });
        });
        if let Some(note) = save {
            commands.send(Command::Rollup {
                action: RollupCommand::Record(RecordRecheck {
                    quarter: q,
                    reporter: e.reporter.clone(),
                    key: e.key.clone(),
                    passed: Some(false),
                    note,
                    checked_on: None,
                }),
                quarter: q,
            });
            self.draft = None;
        } else if cancel {
            self.draft = None;
        }
    }
}
