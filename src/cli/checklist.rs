//! `checklist`: the checklist new checks use, shown, written out as a file to edit, or
//! replaced by one a supervisor sent.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::print_json;
use crate::checklist::{Checklist, ItemKind};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum ChecklistAction {
    /// 载入主管单位下发的检查表文件（JSON），以后开始的检查按它填写；已开始的检查仍按原检查表
    Load {
        /// 检查表文件，例如 本市检查表.json
        file: PathBuf,
    },
}

pub(super) fn load(mut store: Store, file: &Path) -> Result<ExitCode, String> {
    let c = super::perform(
        &mut store,
        &crate::steps::inspect::InstallChecklist {
            path: file.to_owned(),
        },
    )?;
    println!("{}", crate::steps::inspect::installed_message(&c));
    print_items(&c);
    Ok(ExitCode::SUCCESS)
}

/// The active checklist: its items, or (`json`) the file itself, to edit and load.
pub(super) fn show(store: &Store, json: bool) -> Result<ExitCode, String> {
    let c = store.active_checklist().map_err(|e| e.to_string())?;
    if json {
        print_json(&c)?;
    } else {
        println!(
            "{}（{}，版本 {}，{} 项）",
            c.title,
            c.id,
            c.version,
            c.items.len()
        );
        print_items(&c);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_items(c: &Checklist) {
    for item in &c.items {
        let kind = match item.kind {
            ItemKind::Veto => "单项否决".to_owned(),
            ItemKind::Problem => "问题项".to_owned(),
            ItemKind::Deduction { points, cap } => {
                format!("扣分项，每处扣 {points} 分，最多扣 {cap} 分")
            }
        };
        let mut line = format!("  {}（{kind}）", item.label());
        if !item.applies_to.is_empty() {
            let _ = write!(line, "，适用于{}", item.applies_to.join("、"));
        }
        if let Some(rule) = item.rule {
            let _ = write!(line, "，按“{}”自动判定", rule.description());
        }
        println!("{line}");
    }
}
