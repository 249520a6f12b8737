//! The headless front end: subcommands over the same core the window uses.
//! Errors go to stderr in Chinese with a non-zero exit code; `--json` prints reports on stdout.

use std::path::PathBuf;
use std::process::ExitCode;

mod admin_commands;
mod checklist;
mod evidence;
mod followup;
mod json;
mod overview;
mod package;
mod process;
mod results;
mod rollup;
mod settings_command;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::model::DrawRequest;
use crate::model::{Quarter, QuarterError};
use crate::sampling::{DrawOptions, Rate, Strata};
use crate::seed::{fresh_seed, parse_seed};
use crate::steps::action::Action;
use crate::steps::draw::{Assign, DrawError, MakeDraw};
use crate::steps::roster_import::{CommitRoster, PreviewRoster};
use crate::store::{Store, default_db_path};
use json::{DrawJson, print_draw};
use process::end_quietly_on_closed_pipe;
use process::{perform, try_perform};
use results::{results_finish, results_import, results_list};

#[derive(Debug, Parser)]
#[command(
    name = "spotcheck",
    version,
    about = "政务新媒体季度抽查（不带子命令时打开窗口）"
)]
pub struct Cli {
    /// 数据库文件（默认在系统数据目录；也可用环境变量 `SPOTCHECK_DB` 指定）
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// 数据库正被本软件的另一个窗口或命令使用时，等它结束后再执行，最多等一小时；--wait=秒数 指定最多等多久（默认立即报错退出）
    #[arg(
        long,
        global = true,
        value_name = "秒",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "3600"
    )]
    pub wait: Option<u64>,
    /// 本次操作记在这个名字下（默认为设置中的本机使用人，未设置时为系统登录名）
    #[arg(long, global = true, value_name = "姓名")]
    pub user: Option<String>,
    /// 兼容模式打开窗口：改用兼容性更好的绘制方式（显卡驱动不支持时窗口打不开或显示异常，可以试这个）
    #[arg(long)]
    pub compat: bool,
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
        /// 确认本次名录会把大量现有账号（超过五分之一）标为“已移出名录”
        #[arg(long)]
        allow_shrink: bool,
        /// 指定某一列对应的字段，例如 --map 账号代码=账号标识 或 --map 备注=未使用（可写多个；以后表头相同的文件沿用）
        #[arg(long, value_name = "列名=字段")]
        map: Vec<String>,
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
    /// 生成一份示例名录（示例市，数据均为虚构），用来试用各项功能
    Demo {
        /// 保存位置，例如 示例名录.xlsx
        #[arg(
            long,
            value_name = "FILE.xlsx",
            required_unless_present = "fill_checks"
        )]
        out: Option<PathBuf>,
        /// 账号数量
        #[arg(long, default_value_t = 600)]
        accounts: usize,
        /// 为该季度示例抽查名单自动填写并完成检查（仅限示例数据，用于演示通报和整改）
        #[arg(long, value_name = "QUARTER")]
        fill_checks: Option<String>,
    },
    /// 抽取一个季度的抽查名单（或用 --show 查看已抽取的名单）
    Sample {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 抽查比例，例如 0.30 或 30%（不低于 30%）
        #[arg(long)]
        rate: Option<String>,
        /// 随机种子（不填则随机生成并记录）
        #[arg(long)]
        seed: Option<String>,
        /// 分层方式：county（区县，默认）、city（地市）、platform（平台）、none（不分层）
        #[arg(long, value_name = "county|city|platform|none")]
        by: Option<String>,
        /// 优先抽取近 N 个季度未抽到的账号（默认 0：不考虑）
        #[arg(long, value_name = "N")]
        prefer_not_drawn_in: Option<u32>,
        /// 重新抽样的理由（本季度已抽样时必填）
        #[arg(long)]
        reason: Option<String>,
        /// 确认重新抽样作废已开始的检查和已导出的工作包（两次都抽到的账号的检查会保留）
        #[arg(long)]
        void_work: bool,
        /// 只显示已抽取的名单，不抽样
        #[arg(long)]
        show: bool,
        /// 按记录的总体、设置和随机种子重新推算本季度的抽样，核对与记录是否一致（不一致时以非零状态退出）
        #[arg(long, conflicts_with_all = ["show", "rate", "seed", "by", "prefer_not_drawn_in", "reason", "void_work", "out"])]
        verify: bool,
        /// 同时把抽查名单导出为 xlsx
        #[arg(long, value_name = "FILE.xlsx")]
        out: Option<PathBuf>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 把一个季度的抽查名单分配给检查人员
    Assign {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 检查人员姓名，用逗号分隔，例如 张三,李四
        #[arg(long)]
        inspectors: String,
        /// 同一区县的账号分给同一名检查人员
        #[arg(long)]
        keep_county: bool,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 改派：把抽查名单中的账号改由另一名检查人员检查（须在给原检查人员导出工作包之前）
    Reassign {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 改由这名检查人员检查
        #[arg(long, value_name = "姓名")]
        to: String,
        /// 账号，写作 平台:账号标识，可写多个
        #[arg(required = true, value_name = "平台:账号标识")]
        accounts: Vec<String>,
    },
    /// 查看本机新开始的检查所用的检查表（--json 输出检查表文件本身，可修改后载入）；checklist load 载入主管单位下发的检查表
    Checklist {
        /// 以 JSON 输出检查表文件
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<checklist::ChecklistAction>,
    },
    /// 查看一个季度全部抽查账号的检查结果；results import 批量导入检查结果
    Results {
        /// 季度，例如 2026Q4（抽样在该季度生效的名单；不填则为最近抽样的季度）
        #[arg(long, global = true)]
        quarter: Option<String>,
        /// 以 JSON 输出
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: Option<ResultsAction>,
    },
    /// 查看一个季度的概况：检查进度、合格率、问题类型、整改情况和历季趋势
    Overview {
        /// 季度，例如 2026Q4（不填则为最近抽样的季度）
        #[arg(long)]
        quarter: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<overview::OverviewAction>,
    },
    /// 导出季度通报、整改表或统计分析
    Export {
        #[command(subcommand)]
        what: followup::ExportWhat,
    },
    /// 查看或修改本机设置（不带参数时显示当前设置）
    Settings(settings_command::SettingsArgs),
    /// 备份数据库和证据文件到一个文件夹
    Backup {
        /// 备份存放的文件夹（会在其中新建一个以时间命名的备份文件夹）
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// 从备份恢复数据库（原来的数据库会另外保留一份）
    Restore {
        /// 备份文件夹（含 spotcheck.db 和 backup.json）
        backup: PathBuf,
    },
    /// 查看操作日志；log verify 校验日志是否被改动，log export 导出
    Log {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<admin_commands::LogAction>,
    },
    /// 工作包与结果包：组长与检查人员在不同电脑之间分工、合并（离线，用 U 盘传递）
    Package {
        #[command(subcommand)]
        action: package::PackageAction,
    },
    /// 查看整改问题及其状态；rectification import 导入单位填好的整改表，rectification review 复核
    Rectification {
        /// 季度，例如 2026Q4（不填则列出全部季度）
        #[arg(long, global = true)]
        quarter: Option<String>,
        /// 以 JSON 输出
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: Option<followup::RectificationAction>,
    },
    #[command(flatten)]
    Rollup(rollup::RollupCommand),
    #[command(flatten)]
    Evidence(evidence::EvidenceCommand),
}

/// What `results` does besides listing.
#[derive(Debug, Subcommand)]
pub enum ResultsAction {
    /// 从共享表格或监测工具导出的表格（xlsx、xls 或 csv）批量导入检查结果（需要 --quarter）
    Import {
        /// 检查结果文件，列：平台、账号标识、检查项（编号或名称）、结果（符合/不符合/不适用）、说明、最后更新日期（或最长更新间隔，天）
        file: PathBuf,
        /// 导入后完成所有可以完成的检查，并列出不能完成的账号和原因
        #[arg(long)]
        finish: bool,
    },
    /// 完成所有可以完成的检查（或用 --account 指定的账号），并列出不能完成的账号和原因
    Finish {
        /// 只完成这些账号，写作 平台:账号标识，可写多个
        #[arg(long, value_name = "平台:账号标识")]
        account: Vec<String>,
    },
}

impl Cli {
    #[must_use]
    /// The database file named (or the default), links followed: whatever name it is opened
    /// by, one file has one lock.
    pub fn db_path(&self) -> PathBuf {
        crate::store::resolved_db_path(&self.db.clone().unwrap_or_else(default_db_path))
    }
}

/// Runs a subcommand and returns the process exit code.
#[must_use]
pub fn run(cli: &Cli, command: &Command) -> ExitCode {
    end_quietly_on_closed_pipe();
    let code = match execute(cli, command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    };
    // For the memory tests and benchmarks: the process's peak resident memory (Linux's VmHWM).
    if std::env::var_os("SPOTCHECK_PEAK_MEMORY").is_some()
        && let Some(kib) = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
    {
        eprintln!("内存峰值 {kib} KiB");
    }
    code
}

#[allow(clippy::too_many_lines)] // one arm per command: the dispatch table of the CLI
fn execute(cli: &Cli, command: &Command) -> Result<ExitCode, String> {
    // Each command opens the database itself, after checking what it can without it (a
    // mistyped quarter creates no database file). A command that may change it first takes
    // the lock (one writer at a time); one that only reads does not.
    let db = cli.db_path();
    let held = std::cell::RefCell::new(None);
    let take_lock = || -> Result<(), String> {
        if held.borrow().is_none() {
            *held.borrow_mut() = Some(process::lock_database(&db, cli.wait)?);
        }
        Ok(())
    };
    let open = || {
        take_lock()?;
        let mut store = Store::open(&db).map_err(|e| e.to_string())?;
        if let Some(name) = &cli.user {
            store.act_as(name);
        }
        Ok::<_, String>(store)
    };
    let read = || Store::open(&db).map_err(|e| e.to_string());
    match command {
        Command::Import {
            roster,
            sheet,
            strict,
            allow_shrink,
            map,
            json,
        } => {
            let mut columns = crate::roster::ColumnMap::default();
            for m in map {
                columns.parse_arg(m)?;
            }
            let mut store = open()?;
            let mut preview = perform(
                &mut store,
                &PreviewRoster {
                    path: roster.clone(),
                    sheet: sheet.clone(),
                    map: columns,
                },
            )?;
            preview.allow_shrink = *allow_shrink;
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
            let report = perform(&mut store, &CommitRoster { preview })?;
            if *json {
                print_json(&report)?;
            } else {
                println!("{}", report.summary());
                for n in &report.notices {
                    println!("  注意：{n}");
                }
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
        Command::Sample {
            quarter,
            rate,
            seed,
            by,
            prefer_not_drawn_in,
            reason,
            void_work,
            show,
            verify,
            out,
            json,
        } => {
            let quarter = parse_quarter(quarter)?;
            if *verify {
                return json::verify_draw(&read()?, quarter, *json);
            }
            let mut store = open()?;
            let draw = if *show {
                store
                    .current_draw(quarter)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| DrawError::NoDraw(quarter).to_string())?
            } else {
                let rate = match rate {
                    Some(r) => r.parse::<Rate>().map_err(|e| e.to_string())?,
                    None => Rate::MINIMUM,
                };
                let strata = match by {
                    Some(b) => Strata::parse(b).ok_or_else(|| {
                        format!("分层方式“{b}”无法识别，请写 county（区县）、city（地市）、platform（平台）或 none（不分层）。")
                    })?,
                    None => Strata::County,
                };
                let seed = match seed {
                    Some(s) => parse_seed(s)?,
                    None => fresh_seed(),
                };
                let request = DrawRequest {
                    quarter,
                    options: DrawOptions {
                        rate,
                        strata,
                        prefer_not_drawn_in: prefer_not_drawn_in.unwrap_or(0),
                    },
                    seed,
                    reason: reason.clone(),
                    void_work: *void_work,
                };
                let action = MakeDraw(request);
                try_perform(&mut store, &action).map_err(|e| match e {
                    DrawError::WouldVoidWork { .. } => {
                        format!("{}确认作废请加 --void-work 再运行。", action.failure(&e))
                    }
                    e => action.failure(&e),
                })?
            };
            if let Some(path) = out {
                let action = crate::steps::notice::SaveSampleList {
                    quarter,
                    path: path.clone(),
                };
                perform(&mut store, &action)?;
            }
            print_draw(&draw, *json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Assign {
            quarter,
            inspectors,
            keep_county,
            json,
        } => {
            let quarter = parse_quarter(quarter)?;
            let names =
                crate::assignment::parse_inspectors(inspectors).map_err(|e| e.to_string())?;
            let mut store = open()?;
            let action = Assign {
                quarter,
                inspectors: names,
                keep_county: *keep_county,
            };
            let loads = perform(&mut store, &action)?;
            if *json {
                let draw = store
                    .current_draw(quarter)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| DrawError::NoDraw(quarter).to_string())?;
                print_json(&DrawJson::from(&draw))?;
            } else {
                for (name, count) in loads {
                    println!("{name}：{count} 个账号");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Reassign {
            quarter,
            to,
            accounts,
        } => {
            let quarter = parse_quarter(quarter)?;
            let mut store = open()?;
            let draw =
                crate::steps::draw::current_draw(&store, quarter).map_err(|e| e.to_string())?;
            let accounts = accounts
                .iter()
                .map(|text| results::account_in_draw(&draw, text))
                .collect::<Result<Vec<_>, _>>()?;
            let action = crate::steps::reassign::Reassign {
                quarter,
                accounts,
                to: to.clone(),
            };
            let done = perform(&mut store, &action)?;
            for m in &done.moved {
                let from = if m.from.is_empty() {
                    "未分配"
                } else {
                    &m.from
                };
                println!("{}（{}）：{from} → {}", m.name, m.platform, m.to);
            }
            if let Some(note) = done.send_again_note() {
                println!("{note}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            out,
            accounts,
            fill_checks,
        } => {
            if let Some(out) = out {
                crate::steps::demo::write_roster_xlsx(
                    &crate::steps::demo::accounts(*accounts, 2026),
                    out,
                )
                .map_err(|e| e.message_at(out))?;
                println!("示例名录已保存：{}（{accounts} 个账号）", out.display());
            }
            if let Some(quarter) = fill_checks {
                let quarter = parse_quarter(quarter)?;
                let mut store = open()?;
                let draw = store
                    .current_draw(quarter)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| DrawError::NoDraw(quarter).to_string())?;
                let n = crate::steps::demo::fill_demo_checks(&mut store, &draw, now())
                    .map_err(|e| e.to_string())?;
                println!("已为 {n} 个示例账号填写并完成检查。");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Checklist { json, action } => match action {
            Some(checklist::ChecklistAction::Load { file }) => checklist::load(open()?, file),
            None => checklist::show(&read()?, *json),
        },
        Command::Results {
            quarter,
            json,
            action,
        } => {
            let quarter = quarter.as_deref().map(parse_quarter).transpose()?;
            let mut store = if action.is_some() { open()? } else { read()? };
            let quarter = results_quarter(&store, quarter)?;
            match action {
                Some(ResultsAction::Import { file, finish }) => {
                    results_import(&mut store, quarter, file, *finish, *json)
                }
                Some(ResultsAction::Finish { account }) => {
                    results_finish(&mut store, quarter, account, *json)
                }
                None => results_list(&store, quarter, *json),
            }
        }
        Command::Export { what } => followup::export(open, what),
        Command::Overview {
            quarter,
            json,
            action,
        } => {
            if let Some(alias) = action {
                return overview::alias(&mut open()?, alias);
            }
            let quarter = quarter.as_deref().map(parse_quarter).transpose()?;
            overview::overview(&read()?, quarter, *json)
        }
        Command::Package { action } => package::run(open, action),
        Command::Rollup(c) => rollup::run(&open, &read, c),
        Command::Evidence(c) => evidence::run(&open, c),
        Command::Backup { out } => admin_commands::backup(open, out),
        Command::Settings(args) => settings_command::run(&open, &read, args),
        Command::Restore { backup } => {
            take_lock()?;
            admin_commands::restore_from(&db, backup)
        }
        Command::Log { json, action } => admin_commands::log(read, *json, action.as_ref()),
        Command::Rectification {
            quarter,
            json,
            action,
        } => followup::rectification(open, quarter.as_deref(), *json, action.as_ref()),
        Command::Roster { json } => json::print_roster(&open()?, *json),
    }
}

/// The quarter given, else the latest with a draw in force.
fn results_quarter(store: &Store, quarter: Option<Quarter>) -> Result<Quarter, String> {
    if let Some(q) = quarter {
        return Ok(q);
    }
    store
        .latest_drawn_quarter()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "还没有任何季度抽过样，请先抽样，或用 --quarter 指定季度。".to_owned())
}

/// A quarter as typed on the command line (2026Q4), or the reason it is not one.
pub(super) fn parse_quarter(text: &str) -> Result<Quarter, String> {
    text.parse().map_err(|e: QuarterError| e.to_string())
}

/// The front end's clock: every use case is told the time.
fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

fn print_json<T: Serialize>(value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| format!("无法生成 JSON：{e}"))?;
    println!("{text}");
    Ok(())
}
