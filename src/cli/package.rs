//! `package export|import|results|conflicts|resolve`: work packages between laptops.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{now, parse_quarter, perform, print_json};
use crate::exchange::{PackageKind, read_package};
use crate::steps::exchange::{ExportResultsPackage, ExportWorkPackage, ResolveConflict};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum PackageAction {
    /// 组长：为一名检查人员导出工作包（分给他的账号、名录信息、检查表、已有结果和证据）
    Export {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 检查人员姓名（与分配时一致）
        #[arg(long)]
        inspector: String,
        /// 保存位置，例如 张三-2026Q4.spotcheck
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 导入一个包：检查人员的电脑上打开工作包；组长的电脑上合并结果包
    Import {
        file: PathBuf,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 检查人员：导出结果包，交回组长合并
    Results {
        /// 保存位置，例如 张三-2026Q4-结果.spotcheck
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 上报单位：导出本季度的上报包（抽样、总体、逐个账号的结论和问题、整改、通报日期），用本单位密钥签名
    Report {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 保存位置，例如 某市-2026Q4-上报.spotcheck
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 发文单位（不填则用设置中的发文单位）
        #[arg(long)]
        office: Option<String>,
    },
    /// 组长：列出合并时与本机不一致、等待选择的检查结果
    Conflicts {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 组长：处理一个冲突：--keep 保留本机的内容，--take 采用结果包的内容
    Resolve {
        id: i64,
        #[arg(long, conflicts_with = "take", required_unless_present = "take")]
        keep: bool,
        #[arg(long)]
        take: bool,
    },
}

#[allow(clippy::too_many_lines)] // one arm per package subcommand
pub(super) fn run(
    open: impl Fn() -> Result<Store, String>,
    action: &PackageAction,
) -> Result<ExitCode, String> {
    match action {
        PackageAction::Export {
            quarter,
            inspector,
            out,
        } => {
            let quarter = parse_quarter(quarter)?;
            let mut store = open()?;
            let action = ExportWorkPackage {
                quarter,
                inspector: inspector.trim().to_owned(),
                path: out.clone(),
            };
            perform(&mut store, &action)?;
            println!("工作包已保存：{}", out.display());
        }
        PackageAction::Import { file, json } => {
            // The package is read and validated in full before the database is opened.
            let package = read_package(file).map_err(|e| e.to_string())?;
            let mut store = open()?;
            match package.manifest.kind {
                PackageKind::Work => {
                    let report =
                        crate::steps::exchange::open_work_package(&mut store, &package, now())
                            .map_err(|e| e.to_string())?;
                    if *json {
                        print_json(&report)?;
                    } else if report.already_opened {
                        println!("这个工作包已经打开过，没有任何改动。");
                    } else {
                        println!(
                            "已打开{}的工作包：{}，{} 个账号。",
                            report.inspector, report.quarter, report.accounts
                        );
                    }
                }
                PackageKind::Results => {
                    let report =
                        crate::steps::exchange::merge_results_package(&mut store, &package, now())
                            .map_err(|e| e.to_string())?;
                    if *json {
                        print_json(&report)?;
                    } else {
                        println!("{}", report.summary());
                        if let Some(b) = &report.backup {
                            println!("合并前的数据库已备份：{}", b.display());
                        }
                    }
                }
            }
        }
        PackageAction::Results { out } => {
            let mut store = open()?;
            let m = perform(&mut store, &ExportResultsPackage { path: out.clone() })?;
            println!("结果包已保存：{}（{}）", out.display(), m.inspector);
        }
        PackageAction::Report {
            quarter,
            out,
            office,
        } => return super::rollup::package_report(&open, quarter, out, office.as_deref()),
        PackageAction::Conflicts { json } => {
            let store = open()?;
            let conflicts = crate::steps::exchange::conflicts(&store).map_err(|e| e.to_string())?;
            if *json {
                print_json(&conflicts)?;
            } else {
                println!("编号\t季度\t账号名称\t平台\t检查项\t本机\t结果包");
                let show = |v: &crate::exchange::FindingVersion| {
                    format!(
                        "{} {}（{} {}）",
                        v.answer.map_or("未填", crate::model::Answer::label),
                        v.note,
                        v.updated_by,
                        crate::model::time::minute_text(v.updated_at)
                    )
                };
                for c in &conflicts {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        c.id,
                        c.quarter,
                        c.account_name,
                        c.platform,
                        c.item_label,
                        c.local.as_ref().map_or_else(|| "未填".to_owned(), show),
                        show(&c.incoming)
                    );
                }
            }
        }
        PackageAction::Resolve { id, keep: _, take } => {
            let mut store = open()?;
            let action = ResolveConflict {
                id: *id,
                take_incoming: *take,
            };
            perform(&mut store, &action)?;
            println!(
                "冲突 {id} 已处理：{}。",
                if *take {
                    "采用结果包的内容"
                } else {
                    "保留本机的内容"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
