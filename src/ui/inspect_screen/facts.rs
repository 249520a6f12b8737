//! The facts an item's rule decides by, on the 检查 form: the last update date (the 2-week
//! rule) or the longest gap between posts, as typed, and the 问题描述 hint they give.

use super::parse_day;
use crate::checklist::Finding;

/// The longest gap between posts of an item with the longest-gap rule, in days as typed
/// (`text` survives frames while half typed); whether a number that reads was entered.
pub(super) fn longest_gap_ui(
    ui: &mut egui::Ui,
    id: egui::Id,
    text: &mut String,
    f: &mut Finding,
    days: u32,
    checked_on: Option<chrono::NaiveDate>,
    locked: bool,
) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("最长更新间隔");
        let edit = ui
            .add_enabled(
                !locked,
                egui::TextEdit::singleline(text)
                    .id(id)
                    .hint_text("例如 9")
                    .desired_width(60.0),
            )
            .labelled_by(label.id);
        ui.label("天");
        let trimmed = text.trim();
        let parsed = if trimmed.is_empty() {
            Ok(None)
        } else {
            trimmed.parse::<u32>().map(Some)
        };
        if edit.changed()
            && let Ok(gap) = parsed
        {
            f.longest_gap = gap;
            f.checked_on = checked_on;
            changed = true;
        }
        if parsed.is_err() && !edit.has_focus() {
            ui.colored_label(ui.visuals().error_fg_color, "请填写天数，例如 9");
        }
        ui.small(format!(
            "检查期间相邻两次更新相隔的最长天数（含最后一次更新到检查日期），超过 {days} 天为不符合"
        ));
    });
    changed
}

/// The last update date of an item with the update rule, as typed (`text` survives frames while
/// half typed), and the days before the check; whether a date that reads was entered.
pub(super) fn last_update_ui(
    ui: &mut egui::Ui,
    id: egui::Id,
    text: &mut String,
    f: &mut Finding,
    checked_on: Option<chrono::NaiveDate>,
    locked: bool,
) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("最后更新日期");
        let edit = ui
            .add_enabled(
                !locked,
                egui::TextEdit::singleline(text)
                    .id(id)
                    .hint_text("例如 2026-11-20")
                    .desired_width(110.0),
            )
            .labelled_by(label.id);
        let parsed = parse_day(text);
        if edit.changed()
            && let Ok(day) = parsed
        {
            f.last_update = day;
            f.checked_on = checked_on;
            changed = true;
        }
        if parsed.is_err() && !edit.has_focus() {
            ui.colored_label(
                ui.visuals().error_fg_color,
                "日期无法识别，请写成 2026-11-20",
            );
        }
        if let (Some(last), Some(check)) = (f.last_update, checked_on) {
            let days = (check - last).num_days();
            ui.label(format!("距检查日期 {days} 天"));
        }
    });
    changed
}

/// The 问题描述 field's hint: a 不符合 decided by its dates is described by them (the note is
/// optional), any other 不符合 needs one.
pub(super) fn note_hint(item: &crate::checklist::Item, f: &crate::model::Finding) -> String {
    match (item.rule, f.last_update, f.checked_on) {
        (Some(crate::checklist::Rule::UpdateWithin { .. }), Some(last), Some(on))
            if f.answer == Some(crate::model::Answer::Fail) =>
        {
            format!(
                "最后更新为 {}，距检查日期 {} 天（可不填，也可补充说明）",
                crate::model::time::chinese_day(last),
                (on - last).num_days()
            )
        }
        _ => "不符合时必填".to_owned(),
    }
}
