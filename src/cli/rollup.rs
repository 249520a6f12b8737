//! `key`, `package report`, `rollup [register|import|recheck]` and `export rollup`: the office
//! key, the 上报包 and the 汇总 workspace of the level above.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{parse_quarter, perform, print_json};
use crate::rollup::recheck::{RecheckOptions, parse_rate};
use crate::rollup::summary::percent;
use crate::seed::{fresh_key_bytes, fresh_seed, parse_seed};
use crate::steps::office_key::{ExportPublicKey, ShowKey};
use crate::steps::report_package::ExportReportPackage;
use crate::steps::rollup::{
    ExportRollup, ImportReports, RegisterReporter, rollup_quarter, rollup_table,
};
use crate::steps::rollup_recheck::{ImportRecheck, MakeRecheck};
use crate::store::Store;

/// The commands of the roll-up, flattened into the top level.
#[derive(Debug, Subcommand)]
pub enum RollupCommand {
    /// 本单位签名密钥（SM2）的公钥指纹（第一次使用时自动生成密钥）；key export 导出公钥交上级登记
    Key {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<KeyAction>,
    },
    /// 汇总（上级）：各上报单位的抽查情况与核验结果；rollup register 登记上报单位，rollup import 导入上报包，rollup recheck 生成复核名单，rollup recheck import 导入复核结论
    Rollup {
        /// 季度，例如 2026Q4（不填则为最近导入上报包的季度）
        #[arg(long, global = true)]
        quarter: Option<String>,
        /// 以 JSON 输出
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: Option<RollupAction>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// 把本单位的公钥保存为 .pem 文件，交给上级登记
    Export {
        /// 保存位置，例如 某市公钥.pem
        #[arg(long, value_name = "FILE.pem")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RollupAction {
    /// 登记一个上报单位及其公钥（已登记时更换公钥或是否应上报）
    Register {
        /// 上报单位名称，与其设置中的地区名称一致，例如 某市
        name: String,
        /// 对方导出的公钥文件（.pem）
        key: PathBuf,
        /// 每个季度都应上报（未上报时列为“未上报”）
        #[arg(long)]
        expected: bool,
    },
    /// 导入上报包（可以一次导入多个），逐个核验签名、公钥、抽样、分层比例和数字
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// 从每个上报单位上报为合格的账号中随机抽取复核名单（xlsx）；rollup recheck import 导入填好复核结论的名单
    #[command(subcommand_negates_reqs = true)]
    Recheck {
        /// 复核比例，例如 0.1 或 10%
        #[arg(long, default_value = "0.1")]
        rate: String,
        /// 每个上报单位至少复核的账号数
        #[arg(long, default_value_t = 3)]
        min: usize,
        /// 随机种子（不填则随机生成并记录）
        #[arg(long)]
        seed: Option<String>,
        /// 保存位置，例如 复核名单.xlsx
        #[arg(long, value_name = "FILE.xlsx", required = true)]
        out: Option<PathBuf>,
        #[command(subcommand)]
        action: Option<RecheckAction>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecheckAction {
    /// 导入填好“复核结论”（合格/不合格）和“复核说明”的复核名单（可以一次导入多个）
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Runs a roll-up command.
#[allow(clippy::too_many_lines)] // one arm per roll-up subcommand
pub(super) fn run(
    open: &dyn Fn() -> Result<Store, String>,
    read: &dyn Fn() -> Result<Store, String>,
    command: &RollupCommand,
) -> Result<ExitCode, String> {
    match command {
        RollupCommand::Key { json, action } => {
            let mut store = open()?;
            let random = fresh_key_bytes();
            match action {
                Some(KeyAction::Export { out }) => {
                    let action = ExportPublicKey {
                        path: out.clone(),
                        random,
                    };
                    let done = perform(&mut store, &action)?;
                    if *json {
                        print_json(&serde_json::json!({ "fingerprint": done, "file": out }))?;
                    } else if let Some(line) = crate::steps::action::Action::report(&action, &done)
                    {
                        println!("{line}");
                    }
                }
                None => {
                    let report = perform(&mut store, &ShowKey { random })?;
                    if *json {
                        print_json(&report)?;
                    } else {
                        if report.created {
                            println!(
                                "已生成本单位的签名密钥（SM2），保存在 {}。",
                                report.key_file
                            );
                        }
                        println!("公钥指纹（SM3）：{}", report.fingerprint);
                    }
                }
            }
        }
        RollupCommand::Rollup {
            quarter,
            json,
            action,
        } => {
            let quarter = quarter.as_deref().map(parse_quarter).transpose()?;
            match action {
                Some(RollupAction::Register {
                    name,
                    key,
                    expected,
                }) => {
                    let mut store = open()?;
                    let action = RegisterReporter {
                        name: name.clone(),
                        key_file: key.clone(),
                        expected: *expected,
                    };
                    let done = perform(&mut store, &action)?;
                    if *json {
                        print_json(&done)?;
                    } else if let Some(line) = crate::steps::action::Action::report(&action, &done)
                    {
                        println!("{line}");
                    }
                }
                Some(RollupAction::Import { files }) => {
                    let mut store = open()?;
                    let outcomes = perform(
                        &mut store,
                        &ImportReports {
                            files: files.clone(),
                        },
                    )?;
                    if *json {
                        print_json(&outcomes)?;
                    } else {
                        for o in &outcomes {
                            println!("{}", o.line());
                        }
                    }
                    if outcomes.iter().all(|o| !o.accepted) {
                        return Ok(ExitCode::FAILURE);
                    }
                }
                Some(RollupAction::Recheck {
                    action: Some(RecheckAction::Import { files }),
                    ..
                }) => {
                    let mut store = open()?;
                    let quarter = rollup_quarter(&store, quarter).map_err(|e| e.to_string())?;
                    let action = ImportRecheck {
                        quarter,
                        files: files.clone(),
                    };
                    let done = perform(&mut store, &action)?;
                    if *json {
                        print_json(&done)?;
                    } else if let Some(line) = crate::steps::action::Action::report(&action, &done)
                    {
                        println!("{line}");
                    }
                    if done.recorded + done.unchanged == 0 && !done.problems.is_empty() {
                        return Ok(ExitCode::FAILURE);
                    }
                }
                Some(RollupAction::Recheck {
                    rate,
                    min,
                    seed,
                    out,
                    action: None,
                }) => {
                    let out = out.as_ref().ok_or("请用 --out 指定复核名单的保存位置。")?;
                    let rate_bp = parse_rate(rate).map_err(|e| e.to_string())?;
                    let seed = match seed {
                        Some(s) => parse_seed(s)?,
                        None => fresh_seed(),
                    };
                    let mut store = open()?;
                    let quarter = rollup_quarter(&store, quarter).map_err(|e| e.to_string())?;
                    let action = MakeRecheck {
                        quarter,
                        options: RecheckOptions {
                            rate_bp,
                            min: *min,
                            seed,
                        },
                        path: out.clone(),
                    };
                    let lists = perform(&mut store, &action)?;
                    if *json {
                        let out: Vec<_> = lists
                            .iter()
                            .map(|l| {
                                serde_json::json!({
                                    "reporter": l.reporter,
                                    "passed": l.passed,
                                    "chosen": l.chosen.iter().map(|a| serde_json::json!({
                                        "platform": a.platform, "account_id": a.account_id,
                                        "name": a.name, "host_unit": a.host_unit,
                                    })).collect::<Vec<_>>(),
                                })
                            })
                            .collect();
                        print_json(
                            &serde_json::json!({"quarter": quarter.to_string(), "seed": seed, "reporters": out}),
                        )?;
                    } else if let Some(line) = crate::steps::action::Action::report(&action, &lists)
                    {
                        println!("{line}");
                    }
                }
                None => {
                    let store = read()?;
                    let quarter = rollup_quarter(&store, quarter).map_err(|e| e.to_string())?;
                    let table = rollup_table(&store, quarter).map_err(|e| e.to_string())?;
                    if *json {
                        print_json(&table)?;
                    } else {
                        println!("{}各上报单位抽查情况", quarter.label());
                        println!(
                            "上报单位\t账号总数\t抽查数\t抽查比例\t合格\t不合格\t合格率\t核验\t说明"
                        );
                        for r in table.reporters.iter().chain(std::iter::once(&table.total)) {
                            println!(
                                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                                r.reporter,
                                r.population,
                                r.sampled,
                                percent(r.ratio),
                                r.passed,
                                r.failed,
                                percent(r.pass_rate),
                                if r.missing {
                                    "未上报"
                                } else if r.verified {
                                    "通过"
                                } else {
                                    "未通过"
                                },
                                r.flags.join("；")
                            );
                        }
                        if !table.rechecks.is_empty() {
                            println!("\n复核情况");
                            println!("上报单位\t复核名单\t已复核\t复核不合格\t准确率");
                            for r in &table.rechecks {
                                println!(
                                    "{}\t{}\t{}\t{}\t{}",
                                    r.reporter,
                                    r.chosen,
                                    r.checked,
                                    r.overturned.len(),
                                    percent(r.accuracy)
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `package report`: the 上报包 of a quarter, signed with the office key.
pub(super) fn package_report(
    open: &dyn Fn() -> Result<Store, String>,
    quarter: &str,
    out: &std::path::Path,
    office: Option<&str>,
) -> Result<ExitCode, String> {
    let quarter = parse_quarter(quarter)?;
    let mut store = open()?;
    let action = ExportReportPackage {
        quarter,
        path: out.to_owned(),
        office: office.map(str::to_owned),
        random: fresh_key_bytes(),
    };
    let done = perform(&mut store, &action)?;
    if let Some(line) = crate::steps::action::Action::report(&action, &done) {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `export rollup`: the 汇总 workbook (.xlsx) or the level's notice (.docx).
pub(super) fn export_rollup(
    open: &dyn Fn() -> Result<Store, String>,
    quarter: &str,
    out: &std::path::Path,
) -> Result<ExitCode, String> {
    let quarter = parse_quarter(quarter)?;
    let known = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("docx"));
    if !known {
        return Err(
            "请保存为 .xlsx 文件（汇总表）或 .docx 文件（汇总通报），例如 --out 汇总通报.docx。"
                .to_owned(),
        );
    }
    let mut store = open()?;
    let action = ExportRollup {
        quarter,
        path: out.to_owned(),
    };
    let done = perform(&mut store, &action)?;
    if let Some(line) = crate::steps::action::Action::report(&action, &done) {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
