//! 地区更名 on 概况: the regions of the quarter before that this quarter has not (renamed, or
//! named otherwise by the older way of drawing), each matched by the user with a region of
//! this quarter, so that 各地区与上季度比较 counts it as one region. Saved through the worker
//! (`SetRegionAlias`), one change at a time; logged there.

use std::collections::BTreeMap;

use super::CommandQueue;
use crate::model::Quarter;
use crate::overview::Overview;
use crate::steps::overview::SetRegionAlias;
use crate::worker::Command;

/// What 「（不对应）」 stands for in a choice: no current region.
const NONE: &str = "";

/// The choices being made, kept across frames until saved or until the figures change.
#[derive(Default)]
pub struct AliasEditor {
    /// Old name → the current region chosen for it (`NONE`: none).
    choices: BTreeMap<String, String>,
    /// The quarter and the saved matches the choices started from.
    from: Option<(Quarter, BTreeMap<String, String>)>,
}

impl AliasEditor {
    pub fn ui(&mut self, ui: &mut egui::Ui, o: &Overview, commands: &mut CommandQueue) {
        if o.earlier_regions.is_empty() {
            return;
        }
        let from = (o.quarter, o.aliases.clone());
        if self.from.as_ref() != Some(&from) {
            self.choices = o
                .earlier_regions
                .iter()
                .map(|old| {
                    let new = o.aliases.get(old).cloned().unwrap_or_default();
                    (old.clone(), new)
                })
                .collect();
            self.from = Some(from);
        }
        let unmatched = o
            .earlier_regions
            .iter()
            .filter(|old| !o.aliases.contains_key(*old))
            .count();
        let title = if unmatched > 0 {
            format!("地区更名（{unmatched} 个之前季度的地区名称本季度没有）")
        } else {
            "地区更名".to_owned()
        };
        egui::CollapsingHeader::new(title)
            .id_salt("overview_region_aliases")
            .show(ui, |ui| self.body_ui(ui, o, commands));
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, o: &Overview, commands: &mut CommandQueue) {
        ui.label(
            "地区改了名称，或者新旧抽样方法对同一地区的叫法不同（如“东城区”与“示例市东城区”）时，\
             请把之前季度的名称对应到本季度的地区：各地区与上季度比较时算作同一个地区。",
        );
        let current: Vec<&str> = o.by_region.iter().map(|t| t.key.as_str()).collect();
        egui::Grid::new("overview_region_alias_grid")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                ui.strong("之前季度的名称");
                ui.strong("本季度的地区");
                ui.end_row();
                for old in &o.earlier_regions {
                    ui.label(old);
                    let chosen = self.choices.entry(old.clone()).or_default();
                    let shown = if chosen.is_empty() {
                        "（不对应）".to_owned()
                    } else {
                        chosen.clone()
                    };
                    egui::ComboBox::from_id_salt(("overview_region_alias", old.as_str()))
                        .selected_text(shown)
                        .width(220.0)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(chosen, NONE.to_owned(), "（不对应）");
                            for key in &current {
                                ui.selectable_value(chosen, (*key).to_owned(), *key);
                            }
                        });
                    ui.end_row();
                }
            });
        let changes: Vec<SetRegionAlias> = self
            .choices
            .iter()
            .filter(|(old, new)| o.aliases.get(*old).map_or(NONE, String::as_str) != new.as_str())
            .map(|(old, new)| SetRegionAlias {
                old: old.clone(),
                new: (!new.is_empty()).then(|| new.clone()),
            })
            .collect();
        ui.horizontal(|ui| {
            let save = egui::Button::new("保存更名");
            if commands
                .write_button_when(ui, !changes.is_empty(), save)
                .clicked()
            {
                for action in changes {
                    commands.send(Command::SetRegionAlias {
                        action,
                        quarter: o.quarter,
                    });
                }
            }
            if !o.aliases.is_empty() {
                ui.label(format!("已对应 {} 个名称。", o.aliases.len()));
            }
        });
    }
}
