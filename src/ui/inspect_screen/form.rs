//! The form of the open account on 检查: who and what it is, the verdict as it stands, whether
//! every change is saved, the check date, the keyboard, and one frame per checklist item
//! (answer, criterion, last update date for the 2-week rule, problem description, evidence).
//!
//! Each changed item is queued as its own `SaveFinding`; finishing is queued after the frame's
//! changes, so that a change made in the same frame is saved before the check is finished.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::evidence::{add_evidence_ui, evidence_ui};
use super::facts::{last_update_ui, longest_gap_ui, note_hint};
use super::{InspectScreen, Opened, parse_day};
use crate::checklist::{
    Answer, Evaluation, Finding, Item, ItemKind, Verdict, apply_rules, evaluate,
};
use crate::model::{DrawnAccount, InspectionStatus, NewEvidence};
use crate::ui::{CommandQueue, FileRequest, UiCommand};
use crate::worker::Command;

/// What the user did to the items of the form in one frame.
#[derive(Default)]
pub(super) struct Edits {
    /// The items (by place in the form) whose answer, date or note changed, each once, in the
    /// order of their last change.
    changed: Vec<usize>,
    /// An item to pick evidence files for.
    pub pick: Option<String>,
    /// A link to attach: (item, url).
    pub add_url: Option<(String, String)>,
    /// Evidence to delete.
    pub remove: Option<i64>,
    /// An evidence image to show full size.
    pub viewing: Option<PathBuf>,
}

impl Edits {
    fn changed(&mut self, n: usize) {
        self.changed.retain(|&c| c != n);
        self.changed.push(n);
    }
}

/// The keys the form answers to this frame.
#[allow(clippy::struct_excessive_bools)] // one per key, read once a frame
struct Keys {
    /// Arrows and answers in the order they were pressed: a slow frame may carry several
    /// (1, ↓, 1, ↓…), and each applies to the item current at its turn.
    steps: Vec<Step>,
    finish: bool,
    paste: bool,
    /// Ctrl+Z outside a text field: the last change of the form undone.
    undo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Up,
    Down,
    Answer(Answer),
}

/// The id of one field of the form: from the account, the item and the field, never from its
/// place on the page, so that a line appearing or vanishing above it (a warning, a longer
/// list) neither moves nor drops the keyboard focus.
#[must_use]
pub(super) fn field_id(account: i64, item: &str, field: &str) -> egui::Id {
    egui::Id::unique(("检查表单", account, item, field))
}

impl Keys {
    /// Arrows, 1/2/3 and Ctrl+V count only when no text field has the focus now or had it in
    /// the previous frame (`was_typing`: a keystroke that came as the focus moved belongs to
    /// the text), and no input method is composing; Ctrl+Enter always.
    fn read(ctx: &egui::Context, was_typing: bool) -> Self {
        let typing = was_typing
            || ctx.text_edit_focused()
            || ctx.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Ime(_))));
        ctx.input(|i| {
            let steps = if typing {
                Vec::new()
            } else {
                i.events
                    .iter()
                    .filter_map(|e| match e {
                        egui::Event::Key {
                            key,
                            pressed: true,
                            modifiers,
                            ..
                        } if !modifiers.command && !modifiers.alt => match key {
                            egui::Key::ArrowUp => Some(Step::Up),
                            egui::Key::ArrowDown => Some(Step::Down),
                            egui::Key::Num1 => Some(Step::Answer(Answer::Pass)),
                            egui::Key::Num2 => Some(Step::Answer(Answer::Fail)),
                            egui::Key::Num3 => Some(Step::Answer(Answer::NotApplicable)),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect()
            };
            Self {
                steps,
                finish: i.events.iter().any(|e| {
                    matches!(e, egui::Event::Key { key: egui::Key::Enter, pressed: true, modifiers, .. } if modifiers.command)
                }),
                undo: !typing
                    && i.events.iter().any(|e| {
                        matches!(e, egui::Event::Key { key: egui::Key::Z, pressed: true, modifiers, .. } if modifiers.command && !modifiers.shift)
                    }),
                paste: !typing
                    && i.events.iter().any(|e| {
                        // An image on the clipboard comes as PasteImage (text as Paste): the
                        // window system turns Ctrl+V into either, never into a key press.
                        matches!(e, egui::Event::Paste(_) | egui::Event::PasteImage(_))
                            || matches!(e, egui::Event::Key { key: egui::Key::V, pressed: true, modifiers, .. } if modifiers.command)
                    }),
            }
        })
    }
}

impl InspectScreen {
    #[allow(clippy::too_many_lines)] // one form, read top to bottom
    pub(super) fn form_ui(&mut self, ui: &mut egui::Ui, commands: &mut CommandQueue) {
        let Some(draw) = self.draw.clone() else {
            return;
        };
        let Some(o) = self.opened.as_mut() else {
            ui.add_space(30.0);
            ui.vertical_centered(|ui| {
                ui.heading("请在左侧选择要检查的账号");
                ui.label("键盘：上下方向键切换检查项，1/2/3 选择 符合/不符合/不适用，Ctrl+Enter 完成并打开下一个，Ctrl+V 粘贴截图作为证据，Ctrl+Z 撤销上一次修改（不在输入框中时）。");
            });
            return;
        };
        let drawn = &draw.accounts[o.index];
        let platform = drawn.account.account.platform.as_str();
        let draw_id = draw.info.id;
        let account = o.account;
        account_ui(ui, drawn);
        if !o.loaded {
            ui.spinner();
            return;
        }
        let checklist = Arc::clone(&o.checklist);
        let eval = evaluate(&checklist, platform, &o.findings);
        let mut finish = false;
        let mut undo = false;
        let read_only = self.read_only;
        let locked = o.done() || read_only;
        ui.horizontal_wrapped(|ui| {
            verdict_ui(ui, &eval);
            ui.separator();
            if o.acked >= o.sent {
                ui.label("已保存");
            } else {
                ui.label("正在保存…");
            }
            let done = o.done();
            if done {
                ui.label("（已完成）");
            }
            let button = ui
                .add_enabled(
                    !read_only,
                    egui::Button::new(if done {
                        "完成并打开下一个"
                    } else {
                        "完成"
                    }),
                )
                .on_hover_text("Ctrl+Enter")
                .on_disabled_hover_text(crate::ui::READ_ONLY);
            if button.clicked() {
                finish = true;
                self.open_next = done;
            }
            if done
                && ui
                    .add_enabled(!read_only, egui::Button::new("修改此检查…"))
                    .on_disabled_hover_text(crate::ui::READ_ONLY)
                    .clicked()
            {
                self.confirm_reopen = true;
            }
            if !done
                && o.findings.iter().any(|f| f.answer.is_none())
                && ui
                    .add_enabled(!read_only, egui::Button::new("其余项全部符合"))
                    .on_hover_text(
                        "把还没有填写的检查项都设为符合；按规则判定的项（如更新时效）须先填写日期",
                    )
                    .on_disabled_hover_text(crate::ui::READ_ONLY)
                    .clicked()
            {
                o.passing_rest = Some(
                    o.findings
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| f.answer.is_none())
                        .map(|(n, f)| (n, f.clone()))
                        .collect(),
                );
                commands.send(Command::PassRest {
                    draw: draw_id,
                    account,
                });
            }
            if !done
                && ui
                    .add_enabled(!read_only && !o.undo.is_empty(), egui::Button::new("撤销"))
                    .on_hover_text("撤销这个账号上一次的修改：判定、问题描述、日期或证据（Ctrl+Z）")
                    .on_disabled_hover_text(if read_only {
                        crate::ui::READ_ONLY
                    } else {
                        "还没有可以撤销的修改"
                    })
                    .clicked()
            {
                undo = true;
            }
        });
        let evidence_count = |item: &str| {
            o.inspection
                .as_ref()
                .map_or(0, |i| i.evidence.iter().filter(|e| e.item == item).count())
        };
        if let Err(unfinished) = eval.can_finish(&checklist, evidence_count) {
            ui.colored_label(ui.visuals().warn_fg_color, unfinished.to_string());
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("检查日期");
            ui.add_enabled(
                !locked,
                egui::TextEdit::singleline(&mut o.checked_on)
                    .id(field_id(account, "", "检查日期"))
                    .desired_width(100.0),
            )
            .labelled_by(label.id);
            // The rule is the checklist's (14 days before the check nationally; some offices
            // use 10 or 7 days, or the longest gap in the period).
            if let Some(rule) = checklist.items.iter().find_map(|i| i.rule) {
                ui.small(format!("更新时效按“{}”自动判定", rule.description()));
            }
        });
        let checked_on = parse_day(&o.checked_on).ok().flatten();
        ui.separator();

        let keys = Keys::read(ui.ctx(), self.was_typing);
        let mut edits = Edits::default();
        let mut moved = false;
        for step in &keys.steps {
            match *step {
                Step::Up => {
                    o.current = o.current.saturating_sub(1);
                    moved = true;
                }
                Step::Down => {
                    if o.current + 1 < o.findings.len() {
                        o.current += 1;
                    }
                    moved = true;
                }
                Step::Answer(_) if read_only => {}
                Step::Answer(_) if locked => self.confirm_reopen = true,
                Step::Answer(answer) => {
                    if let Some(f) = o.findings.get_mut(o.current) {
                        f.answer = Some(answer);
                        edits.changed(o.current);
                    }
                }
            }
        }
        undo |= keys.undo;
        if keys.finish && !read_only {
            finish = true;
            self.open_next = true;
        }
        if keys.paste && locked {
            self.confirm_reopen = true;
        }
        let paste = if keys.paste && !locked {
            o.findings.get(o.current).map(|f| f.item.clone())
        } else {
            None
        };
        // Where the keys left the form: saving what they answered must not move it back.
        let key_current = (!keys.steps.is_empty()).then_some(o.current);
        let scroll = moved || std::mem::take(&mut o.scroll_pending);
        o.items_ui(
            ui,
            platform,
            &self.evidence_dir,
            scroll,
            read_only,
            &mut edits,
        );
        if locked {
            // Nothing changes a finished check before the user confirms opening it again.
            edits = Edits::default();
        }

        // What the frame did, in order: the changes first, then evidence, then finishing.
        for n in std::mem::take(&mut edits.changed) {
            o.current = n;
            let mut f = o.findings[n].clone();
            if f.last_update.is_some() || f.longest_gap.is_some() {
                f.checked_on = checked_on;
            }
            if apply_rules(&checklist, &mut f).is_some() {
                o.findings[n].answer = f.answer;
            }
            o.findings[n].checked_on = f.checked_on;
            o.remember(n, &f);
            self.seq += 1;
            o.sent = self.seq;
            commands.send(Command::SaveFinding {
                draw: draw_id,
                account,
                finding: f,
                seq: self.seq,
            });
        }
        if undo && !locked {
            o.undo_last(draw_id, account, &mut self.seq, commands);
        }
        if let Some(c) = key_current {
            o.current = c;
        }
        if let Some(item) = edits.pick {
            commands.ask(FileRequest::Evidence {
                draw: draw_id,
                account,
                item,
            });
        }
        if let Some((item, url)) = edits.add_url {
            commands.send(Command::AddEvidence {
                draw: draw_id,
                account,
                item,
                evidence: NewEvidence::Url(url),
            });
        }
        if let Some(evidence) = edits.remove {
            o.typing_in = None;
            if let Some(gone) = o
                .inspection
                .as_ref()
                .and_then(|i| i.evidence.iter().find(|e| e.id == evidence))
            {
                o.undo.push(super::Undo::EvidenceRemoved {
                    id: evidence,
                    item: gone.item.clone(),
                    kind: gone.kind.clone(),
                });
            }
            commands.send(Command::RemoveEvidence {
                draw: draw_id,
                account,
                evidence,
            });
        }
        if let Some(item) = paste {
            commands.push(UiCommand::PasteScreenshot {
                draw: draw_id,
                account,
                item,
            });
        }
        let already_done = o
            .inspection
            .as_ref()
            .is_some_and(|i| i.status == InspectionStatus::Done);
        if finish && already_done && std::mem::take(&mut self.open_next) {
            // Finished already: Ctrl+Enter (完成并打开下一个) goes on to the next unfinished one.
            self.open_next_unfinished(commands);
        } else if finish {
            commands.send(Command::FinishInspection {
                draw: draw_id,
                account,
            });
        }
        if edits.viewing.is_some() {
            self.viewing = edits.viewing;
        }
    }
}

/// The account's name, platform, region, host unit and id (with a copy button), and inspector.
fn account_ui(ui: &mut egui::Ui, drawn: &DrawnAccount) {
    let a = &drawn.account.account;
    ui.horizontal_wrapped(|ui| {
        ui.heading(&a.name);
        ui.label(format!("{}　{}", a.platform, a.region()));
        if drawn.recheck {
            ui.colored_label(ui.visuals().warn_fg_color, "复查");
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("主办单位：{}", a.host_unit));
        ui.separator();
        ui.label(format!(
            "账号标识：{}",
            if a.account_id.is_empty() {
                "（未填）"
            } else {
                &a.account_id
            }
        ));
        if !a.account_id.is_empty() && ui.small_button("复制").clicked() {
            ui.ctx().copy_text(a.account_id.clone());
        }
        if let Some(inspector) = &drawn.inspector {
            ui.separator();
            ui.label(format!("检查人员：{inspector}"));
        }
    });
}

/// The verdict as the answers stand, with the score.
fn verdict_ui(ui: &mut egui::Ui, eval: &Evaluation) {
    let (text, color) = match eval.verdict {
        Some(Verdict::Fail) => (
            format!(
                "结论：不合格{}",
                if eval.vetoes.is_empty() {
                    String::new()
                } else {
                    format!("（否决项 {}）", eval.vetoes.join("、"))
                }
            ),
            ui.visuals().error_fg_color,
        ),
        Some(Verdict::Pass) => (
            "结论：合格".to_owned(),
            egui::Color32::from_rgb(60, 170, 90),
        ),
        None => (
            format!("结论：待定（还有 {} 项未填）", eval.unanswered.len()),
            ui.visuals().text_color(),
        ),
    };
    ui.colored_label(color, egui::RichText::new(text).strong());
    if let Some(score) = eval.score {
        ui.label(format!("得分 {score:.0}"));
    }
}

impl Opened {
    /// One frame per applicable item, grouped by area; the current one outlined (and scrolled
    /// to when `scroll`). A click anywhere on an item makes it current.
    #[allow(clippy::too_many_lines)] // the form, item by item
    fn items_ui(
        &mut self,
        ui: &mut egui::Ui,
        platform: &str,
        evidence_dir: &Path,
        scroll: bool,
        read_only: bool,
        edits: &mut Edits,
    ) {
        let checklist = Arc::clone(&self.checklist);
        let checked_on = parse_day(&self.checked_on).ok().flatten();
        let locked = self.done() || read_only;
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                // One heading per block (an area such as 安全问题 has items in both, so areas
                // are named on each item rather than as headings).
                let mut block = None;
                for (n, item) in checklist.applicable(platform).enumerate() {
                    let heading = match item.kind {
                        ItemKind::Veto => "单项否决指标（任一项不符合即为不合格）",
                        ItemKind::Problem => "其他问题（记录并要求整改，不影响结论）",
                        ItemKind::Deduction { .. } => "扣分指标",
                    };
                    if block != Some(heading) {
                        block = Some(heading);
                        ui.add_space(6.0);
                        ui.heading(heading);
                    }
                    let Some(f) = self.findings.get_mut(n) else {
                        continue;
                    };
                    let current = n == self.current;
                    let frame = egui::Frame::group(ui.style()).stroke(if current {
                        ui.visuals().selection.stroke
                    } else {
                        ui.visuals().widgets.noninteractive.bg_stroke
                    });
                    let response = frame
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            if answer_ui(ui, item, f, locked) {
                                edits.changed(n);
                            }
                            ui.small(&item.criterion);
                            match item.rule {
                                Some(crate::checklist::Rule::UpdateWithin { .. }) => {
                                    let text =
                                        self.dates.entry(item.id.clone()).or_insert_with(|| {
                                            f.last_update
                                                .map(crate::model::time::day_text)
                                                .unwrap_or_default()
                                        });
                                    let id = field_id(self.account, &item.id, "最后更新日期");
                                    if last_update_ui(ui, id, text, f, checked_on, locked) {
                                        edits.changed(n);
                                    }
                                }
                                Some(crate::checklist::Rule::LongestGap { days }) => {
                                    let text =
                                        self.dates.entry(item.id.clone()).or_insert_with(|| {
                                            f.longest_gap.map(|g| g.to_string()).unwrap_or_default()
                                        });
                                    let id = field_id(self.account, &item.id, "最长更新间隔");
                                    if longest_gap_ui(ui, id, text, f, days, checked_on, locked) {
                                        edits.changed(n);
                                    }
                                }
                                None => {}
                            }
                            let hint = note_hint(item, f);
                            let note = ui
                                .horizontal(|ui| {
                                    let label = ui.label("问题描述");
                                    ui.add_enabled(
                                        !locked,
                                        egui::TextEdit::singleline(&mut f.note)
                                            .id(field_id(self.account, &item.id, "问题描述"))
                                            .hint_text(hint)
                                            .desired_width(f32::INFINITY),
                                    )
                                    .labelled_by(label.id)
                                })
                                .inner;
                            if note.changed() {
                                edits.changed(n);
                            }
                            let evidence: Vec<&crate::model::Evidence> = self
                                .inspection
                                .iter()
                                .flat_map(|i| i.evidence.iter())
                                .filter(|e| e.item == item.id)
                                .collect();
                            if !evidence.is_empty() || (current && !locked) {
                                evidence_ui(ui, &evidence, evidence_dir, edits, locked);
                            }
                            if current && !locked {
                                let id = field_id(self.account, &item.id, "链接");
                                add_evidence_ui(ui, id, &item.id, &mut self.url, edits);
                            }
                        })
                        .response;
                    // A click anywhere on the item makes it current, without taking the click
                    // from the buttons and fields inside it (an `interact` on the frame would).
                    if ui.rect_contains_pointer(response.rect)
                        && ui.input(|i| i.pointer.primary_clicked())
                    {
                        self.current = n;
                    }
                    if current && scroll {
                        response.scroll_to_me(None);
                    }
                }
            });
    }
}

/// The item's label (and 否决项) with its three answers; whether one was clicked.
fn answer_ui(ui: &mut egui::Ui, item: &Item, f: &mut Finding, locked: bool) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        ui.strong(item.label());
        ui.weak(&item.area);
        if matches!(item.kind, ItemKind::Veto) {
            ui.colored_label(ui.visuals().error_fg_color, "否决项");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            for answer in [Answer::NotApplicable, Answer::Fail, Answer::Pass] {
                let key = match answer {
                    Answer::Pass => "1",
                    Answer::Fail => "2",
                    Answer::NotApplicable => "3",
                };
                if ui
                    .add_enabled(
                        !locked,
                        egui::Button::selectable(f.answer == Some(answer), answer.label()),
                    )
                    .on_hover_text(format!("快捷键 {key}"))
                    .on_disabled_hover_text("检查已完成；要修改请点上方“修改此检查…”")
                    .clicked()
                {
                    f.answer = Some(answer);
                    changed = true;
                }
            }
        });
    });
    changed
}
