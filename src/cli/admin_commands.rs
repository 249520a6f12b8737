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
    /// 校验操作日志是否被改动过或删掉过记录：对照数据库旁的备份，以及 --against 给出的备份、包和通报（有问题时以非零状态退出，并指出在哪里）
    Verify {
        /// 另外对照的备份文件夹、放备份的文件夹、工作包或结果包（.spotcheck）、导出的通报正文（.docx），可写多个
        #[arg(long, value_name = "FILE|DIR")]
        against: Vec<PathBuf>,
    },
    /// 把操作日志导出为 xlsx
    Export {
        /// 保存位置，例如 操作日志.xlsx
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

pub(super) fn backup(
    open: impl Fn() -> Result<Store, String>,
    out: &Path,
) -> Result<ExitCode, String> {
    let mut store = open()?;
    let info = super::perform(
        &mut store,
        &admin::BackupTo {
            dir: out.to_owned(),
        },
    )?;
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
    match action {
        Some(LogAction::Verify { against }) => {
            let check = admin::verify_log_against(&store, against).map_err(|e| e.to_string())?;
            for path in &check.unread {
                let attachment = path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
                if attachment {
                    eprintln!(
                        "注意：{} 是表格，通报附件不带操作日志记录，没有用来对照；请对照通报正文（.docx）。",
                        path.display()
                    );
                } else {
                    eprintln!(
                        "注意：{} 不是本软件的备份、工作包、结果包或导出的通报正文（或已损坏），没有用来对照。",
                        path.display()
                    );
                }
            }
            if check.passed() {
                println!("{}", check.summary());
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(id) = check.broken_at {
                eprintln!(
                    "错误：操作日志校验未通过：第 {id} 条记录被改动过、删除或插入过，从这一条起的记录不可信。"
                );
            }
            for gap in &check.gaps {
                eprintln!("错误：操作日志校验未通过：{gap}。这些记录被删掉了。");
            }
            if let Some(marks) = &check.marks_unaccounted {
                eprintln!("错误：操作日志校验未通过：{marks}。");
            }
            Ok(ExitCode::FAILURE)
        }
        Some(LogAction::Export { out }) => {
            let mut store = store;
            let n = super::perform(&mut store, &admin::ExportLog { path: out.clone() })?;
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
                        at: crate::model::time::time_text(e.at),
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
                        crate::model::time::time_text(e.at),
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
