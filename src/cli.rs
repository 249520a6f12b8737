//! The headless front end: subcommands over the same core the window uses.
//! Errors go to stderr in Chinese with a non-zero exit code; `--json` prints reports on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::import;
use crate::store::{Store, StoredAccount, default_db_path};

#[derive(Debug, Parser)]
#[command(
    name = "spotcheck",
    version,
    about = "政务新媒体季度抽查（不带子命令时打开窗口）"
)]
pub struct Cli {
    /// 数据库文件（默认在系统数据目录；也可用环境变量 SPOTCHECK_DB 指定）
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 导入账号名录（xlsx、xls 或 csv）
    Import {
        /// 名录文件
        roster: PathBuf,
        /// 名录所在的工作表（默认自动识别）
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// 有任何问题行就整份拒绝导入
        #[arg(long)]
        strict: bool,
        /// 以 JSON 输出导入报告
        #[arg(long)]
        json: bool,
    },
    /// 列出名录中的全部账号
    Roster {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

impl Cli {
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(default_db_path)
    }
}

/// Runs a subcommand and returns the process exit code.
#[must_use]
pub fn run(cli: &Cli, command: &Command) -> ExitCode {
    match execute(cli, command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: &Cli, command: &Command) -> Result<ExitCode, String> {
    let mut store = Store::open(&cli.db_path()).map_err(|e| e.to_string())?;
    match command {
        Command::Import {
            roster,
            sheet,
            strict,
            json,
        } => {
            let cancel = AtomicBool::new(false);
            let preview = import::preview(&store, roster, sheet.as_deref(), &mut |_| {}, &cancel)
                .map_err(|e| e.to_string())?;
            if *strict && preview.parsed.has_problems() {
                let report = preview.report(false);
                if *json {
                    print_json(&report)?;
                }
                eprintln!(
                    "错误：使用了 --strict，而名录有 {} 处问题，整份文件没有导入，数据库未改动。",
                    report.errors.len() + report.warnings.len() + report.duplicates.len()
                );
                for p in report.errors.iter().chain(&report.warnings) {
                    eprintln!("  第 {} 行 {}：{}", p.row, p.field, p.message);
                }
                for d in &report.duplicates {
                    eprintln!("  第 {} 行：与第 {} 行是同一个账号", d.row, d.first_row);
                }
                return Ok(ExitCode::FAILURE);
            }
            let report = import::commit(&mut store, &preview, chrono::Local::now().naive_local())
                .map_err(|e| e.to_string())?;
            if *json {
                print_json(&report)?;
            } else {
                println!("{}", report.summary());
                for p in report.errors.iter().chain(&report.warnings) {
                    println!("  第 {} 行 {}：{}", p.row, p.field, p.message);
                }
                for d in &report.duplicates {
                    println!(
                        "  第 {} 行：与第 {} 行是同一个账号，只导入一次",
                        d.row, d.first_row
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Roster { json } => {
            let accounts = store.accounts().map_err(|e| e.to_string())?;
            if *json {
                print_json(&accounts.iter().map(AccountJson::from).collect::<Vec<_>>())?;
            } else {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(
                    out,
                    "平台\t账号标识\t账号名称\t主办单位\t地市\t区县\t状态\t名录"
                );
                for a in &accounts {
                    let x = &a.account;
                    let _ = writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        x.platform,
                        x.account_id,
                        x.name,
                        x.host_unit,
                        x.city,
                        x.county,
                        x.status.label(),
                        if a.listed { "在列" } else { "已移出" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| format!("无法生成 JSON：{e}"))?;
    println!("{text}");
    Ok(())
}

/// `roster --json`: one object per account (stable field names).
#[derive(Serialize)]
struct AccountJson<'a> {
    platform: &'a str,
    account_id: &'a str,
    name: &'a str,
    host_unit: &'a str,
    city: &'a str,
    county: &'a str,
    opened_on: Option<String>,
    filed_on: Option<String>,
    status: &'static str,
    fans: Option<i64>,
    operator: &'a str,
    listed: bool,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl<'a> From<&'a StoredAccount> for AccountJson<'a> {
    fn from(s: &'a StoredAccount) -> Self {
        let a = &s.account;
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        Self {
            platform: &a.platform,
            account_id: &a.account_id,
            name: &a.name,
            host_unit: &a.host_unit,
            city: &a.city,
            county: &a.county,
            opened_on: date(a.opened_on),
            filed_on: date(a.filed_on),
            status: a.status.label(),
            fans: a.fans,
            operator: &a.operator,
            listed: s.listed,
            extra: a
                .extra
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        }
    }
}
