//! `evidence add`: evidence (screenshot files or links) for an item of one sampled account,
//! as the window's evidence buttons add it; each addition logged.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{now, parse_quarter, print_json};
use crate::model::{EvidenceKind, NewEvidence, is_web_link};
use crate::store::Store;

/// The evidence command, flattened into the top level.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// 为抽查账号的某个检查项添加证据（截图文件或网址）：evidence add
    Evidence {
        #[command(subcommand)]
        action: EvidenceAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceAction {
    /// 添加证据，例如 `evidence add --quarter 2026Q4 --account 微信公众号:gh_1234 --item V04 截图.png https://…`
    Add {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 账号，写作 平台:账号标识
        #[arg(long)]
        account: String,
        /// 检查项编号，例如 V04
        #[arg(long)]
        item: String,
        /// 截图文件或以 http:// 或 https:// 开头的网址（可以有多个）
        #[arg(required = true)]
        evidence: Vec<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

/// Runs `evidence add`: every file and link is checked before any is added.
pub(super) fn run(
    open: &dyn Fn() -> Result<Store, String>,
    command: &EvidenceCommand,
) -> Result<ExitCode, String> {
    let EvidenceCommand::Evidence {
        action:
            EvidenceAction::Add {
                quarter,
                account,
                item,
                evidence,
                json,
            },
    } = command;
    let quarter = parse_quarter(quarter)?;
    let mut store = open()?;
    let draw = crate::steps::draw::current_draw(&store, quarter).map_err(|e| e.to_string())?;
    let account_id = super::results::account_in_draw(&draw, account)?;
    let item = item.trim().to_uppercase();
    let mut wanted = Vec::new();
    for e in evidence {
        let e = e.trim();
        if is_web_link(e) {
            wanted.push(NewEvidence::Url(e.to_owned()));
        } else if e.contains("://") {
            return Err(format!(
                "“{e}”不是可以保存的网址，证据链接请以 http:// 或 https:// 开头。"
            ));
        } else {
            let path = PathBuf::from(e);
            if !path.is_file() {
                return Err(format!("找不到证据文件 {}。", path.display()));
            }
            wanted.push(NewEvidence::Path(path));
        }
    }
    let mut added = Vec::new();
    for e in wanted {
        let ins = crate::steps::inspect::add_evidence(
            &mut store,
            draw.info.id,
            account_id,
            &item,
            e,
            now(),
        )
        .map_err(|e| e.to_string())?;
        if let Some(last) = ins.evidence.last() {
            added.push(match &last.kind {
                EvidenceKind::Url(u) => u.clone(),
                EvidenceKind::File { file_name, .. } => file_name.clone(),
            });
        }
    }
    if *json {
        print_json(&serde_json::json!({
            "quarter": quarter.to_string(),
            "account": account,
            "item": item,
            "added": added,
        }))?;
    } else {
        println!(
            "已为 {account} 的 {item} 添加 {} 件证据：{}",
            added.len(),
            added.join("、")
        );
    }
    Ok(ExitCode::SUCCESS)
}
