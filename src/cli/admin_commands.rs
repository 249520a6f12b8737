//! `backup`, `restore`, `log`: keeping a year of work safe and accountable.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::{now, print_json};
use crate::steps::admin;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum LogAction {
    /// 校验操作日志是否被改动过（被改动时以非零状态退出，并指出第一条有问题的记录）
    Verify,
    /// 把操作日志导出为 xlsx
    Export {
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

pub(super) fn backup(
    open: impl Fn() -> Result<Store, String>,
    out: &Path,
) -> Result<ExitCode, String> {
    let mut store = open()?;
    let info = admin::backup_to(&mut store, out, now()).map_err(|e| e.to_string())?;
    println!(
        "已备份到 {}（账号 {} 个，抽样 {} 次，证据文件 {} 个）",
        info.path.display(),
        info.accounts.unwrap_or(0),
        info.draws.unwrap_or(0),
        info.evidence_files
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn restore_from(db: &Path, backup: &Path) -> Result<ExitCode, String> {
    let restored = admin::restore(db, backup, now()).map_err(|e| e.to_string())?;
    println!("{}", restored.summary());
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct EntryJson<'a> {
    id: i64,
    at: String,
    actor: &'a str,
    action: &'a str,
    detail: &'a str,
}

pub(super) fn log(
    open: impl Fn() -> Result<Store, String>,
    json: bool,
    action: Option<&LogAction>,
) -> Result<ExitCode, String> {
    let store = open()?;
    let broken = store.verify_log().map_err(|e| e.to_string())?;
    match action {
        Some(LogAction::Verify) => match broken {
            None => {
                let n = store.log_entries().map_err(|e| e.to_string())?.len();
                println!("操作日志校验通过：共 {n} 条，没有被改动过。");
                Ok(ExitCode::SUCCESS)
            }
            Some(id) => {
                eprintln!(
                    "错误：操作日志校验未通过：第 {id} 条记录被改动过、删除或插入过，从这一条起的记录不可信。"
                );
                Ok(ExitCode::FAILURE)
            }
        },
        Some(LogAction::Export { out }) => {
            let n = admin::export_log(&store, out)?;
            println!("操作日志已保存：{}（{n} 条）", out.display());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let entries = store.log_entries().map_err(|e| e.to_string())?;
            if json {
                let rows: Vec<EntryJson<'_>> = entries
                    .iter()
                    .map(|e| EntryJson {
                        id: e.id,
                        at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        actor: &e.actor,
                        action: &e.action,
                        detail: &e.detail,
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                println!("序号\t时间\t操作人\t操作\t内容");
                for e in &entries {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        e.id,
                        e.at.format("%Y-%m-%d %H:%M:%S"),
                        e.actor,
                        e.action,
                        e.detail
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
