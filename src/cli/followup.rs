//! `export notice`, `export rectification`, `rectification [import|review]`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::{now, parse_quarter, perform, print_json};
use crate::rectification::{Rectification, parse_code};
use crate::steps::draw::DrawError;
use crate::steps::notice;
use crate::steps::rectification::{self, SheetTarget};
use crate::store::Store;

/// What `export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// 导出季度通报：--out 以 .docx 结尾时是通报正文（Word 公文），以 .xlsx 结尾时是附表（总体情况、问题账号、其他问题、全部结果）
    Notice {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 保存位置，例如 通报.docx 或 通报附表.xlsx
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 还有检查没有完成时也导出（合格率只计已完成的检查，并写明不是最终结果）
        #[arg(long)]
        allow_unfinished: bool,
    },
    /// 导出统计分析工作簿（各地区、各平台合格率，历季趋势，问题类型，整改情况，带图表）
    Stats {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 保存位置，例如 统计分析.xlsx
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
    /// 导出整改表并下发问题：--out 以 .xlsx 结尾时每个单位一个工作表，否则在该文件夹中每个单位一个文件
    Rectification {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 保存位置：整改表.xlsx，或一个文件夹
        #[arg(long, value_name = "FILE.xlsx|DIR")]
        out: PathBuf,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
        /// 还有检查没有完成时也下发（只下发已发现的问题）
        #[arg(long)]
        allow_unfinished: bool,
    },
    /// 汇总（上级）：导出各上报单位的汇总表（xlsx：汇总表及合计、单项否决问题、重复账号、上报包）或本级的汇总通报（docx）
    Rollup {
        /// 季度，例如 2026Q4
        #[arg(long)]
        quarter: String,
        /// 保存位置，例如 汇总.xlsx 或 汇总通报.docx
        #[arg(long, value_name = "FILE.xlsx|FILE.docx")]
        out: PathBuf,
    },
}

/// What `rectification` does besides listing.
#[derive(Debug, Subcommand)]
pub enum RectificationAction {
    /// 导入单位填好的整改表（可以一次导入多个文件）
    Import {
        /// 整改表文件（xlsx、xls 或 csv）
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// 复核一个问题：--close 复核通过并关闭，--reject 复核未通过（需用 --note 写明原因）
    Review {
        /// 问题编号，例如 ZG-000012
        code: String,
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        close: bool,
        #[arg(long)]
        reject: bool,
        /// 复核意见
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// The sheets go into a folder unless `out` names an xlsx file.
fn target(out: &Path) -> SheetTarget {
    let is_book = !out.is_dir()
        && out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_book {
        SheetTarget::Book(out.to_owned())
    } else {
        SheetTarget::Folder(out.to_owned())
    }
}

pub(super) fn export(
    open: impl Fn() -> Result<Store, String>,
    what: &ExportWhat,
) -> Result<ExitCode, String> {
    match what {
        ExportWhat::Notice {
            quarter,
            out,
            allow_unfinished,
        } => {
            let quarter = parse_quarter(quarter)?;
            let mut store = open()?;
            let action = notice::ExportNotice {
                quarter,
                path: out.clone(),
                allow_unfinished: *allow_unfinished,
            };
            let report = perform(&mut store, &action)?;
            // Two lines: scripts read the figures from the second.
            println!("通报已保存：{}", out.display());
            println!("{}", crate::export::overview_line(&report));
        }
        ExportWhat::Stats { quarter, out } => {
            let quarter = parse_quarter(quarter)?;
            let mut store = open()?;
            let action = crate::steps::overview::ExportStats {
                quarter,
                path: out.clone(),
            };
            perform(&mut store, &action)?;
            println!("统计分析已保存：{}", out.display());
        }
        ExportWhat::Rectification {
            quarter,
            out,
            json,
            allow_unfinished,
        } => {
            let quarter = parse_quarter(quarter)?;
            let mut store = open()?;
            let action = rectification::IssueRectification {
                quarter,
                target: target(out),
                allow_unfinished: *allow_unfinished,
            };
            let issued = perform(&mut store, &action)?;
            if *json {
                print_json(&issued)?;
            } else {
                println!("{}", issued.summary());
                for f in &issued.files {
                    println!("  {}", f.display());
                }
            }
        }
        ExportWhat::Rollup { quarter, out } => {
            return super::rollup::export_rollup(&open, quarter, out);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn rectification(
    open: impl Fn() -> Result<Store, String>,
    quarter: Option<&str>,
    json: bool,
    action: Option<&RectificationAction>,
) -> Result<ExitCode, String> {
    let quarter = quarter.map(parse_quarter).transpose()?;
    let mut store = open()?;
    match action {
        Some(RectificationAction::Import { files }) => {
            let action = rectification::ImportFeedback {
                paths: files.clone(),
            };
            let report = perform(&mut store, &action)?;
            if json {
                print_json(&report)?;
            } else {
                println!("{}", report.summary());
                for i in report.unreadable.iter().chain(&report.issues) {
                    println!("  {}：{}", i.place, i.message);
                }
            }
            let nothing_read = report.files.is_empty();
            Ok(if nothing_read {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Some(RectificationAction::Review {
            code,
            close,
            reject: _,
            note,
        }) => {
            let id = parse_code(code).ok_or_else(|| {
                format!("问题编号“{code}”格式不对，应写成 ZG-000012 这样（见整改表或 rectification 列表）。")
            })?;
            let action = rectification::Review {
                id,
                close: *close,
                note: note.clone(),
            };
            let r = perform(&mut store, &action)?;
            if json {
                print_json(&RectificationJson::from(&r))?;
            } else {
                println!(
                    "{} “{}”（{}）{}：{}",
                    crate::rectification::code(r.id),
                    r.name,
                    r.platform,
                    r.category,
                    r.status_text(now().date())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let rows = match quarter {
                Some(q) => {
                    let draw = store
                        .current_draw(q)
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| DrawError::NoDraw(q).to_string())?;
                    store
                        .rectifications(draw.info.id)
                        .map_err(|e| e.to_string())?
                }
                None => store.all_rectifications().map_err(|e| e.to_string())?,
            };
            let mut rows = rows;
            crate::model::in_unit_order(&mut rows);
            list(&rows, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(rows: &[Rectification], json: bool) -> Result<(), String> {
    if json {
        return print_json(&rows.iter().map(RectificationJson::from).collect::<Vec<_>>());
    }
    let today = now().date();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "问题编号\t季度\t主办单位\t账号名称\t平台\t问题类别\t整改时限\t状态\t整改情况\t完成时间"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            crate::rectification::code(r.id),
            r.quarter,
            r.host_unit,
            r.name,
            r.platform,
            r.category,
            crate::model::time::day_text(r.deadline),
            r.status_text(today),
            r.reply_text,
            r.completed_on
                .map(crate::model::time::day_text)
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// `rectification --json`: one object per problem (stable field names).
#[derive(Serialize)]
struct RectificationJson<'a> {
    code: String,
    quarter: String,
    host_unit: &'a str,
    name: &'a str,
    platform: &'a str,
    account_id: &'a str,
    city: &'a str,
    county: &'a str,
    item: &'a str,
    category: &'a str,
    veto: bool,
    description: &'a str,
    requirement: &'a str,
    issued_on: String,
    deadline: String,
    /// 待整改, 已反馈, 逾期未反馈, 反馈未整改, 已复核关闭 or 复核未通过, as of today.
    status: &'static str,
    reply: Option<&'static str>,
    reply_text: &'a str,
    completed_on: Option<String>,
    contact: &'a str,
    phone: &'a str,
    review_note: &'a str,
    reviewed_by: &'a str,
    /// What the unit's last reply lacked when it came back incomplete (待补充) and was not
    /// taken; empty when none did.
    incomplete: &'a str,
}

impl<'a> From<&'a Rectification> for RectificationJson<'a> {
    fn from(r: &'a Rectification) -> Self {
        let day = |d: chrono::NaiveDate| crate::model::time::day_text(d);
        Self {
            code: crate::rectification::code(r.id),
            quarter: r.quarter.to_string(),
            host_unit: &r.host_unit,
            name: &r.name,
            platform: &r.platform,
            account_id: &r.account_id,
            city: &r.city,
            county: &r.county,
            item: &r.item,
            category: &r.category,
            veto: r.veto,
            description: &r.description,
            requirement: &r.requirement,
            issued_on: day(r.issued_on),
            deadline: day(r.deadline),
            status: r.status(now().date()).label(),
            reply: r.reply.map(crate::rectification::Reply::label),
            reply_text: &r.reply_text,
            completed_on: r.completed_on.map(day),
            contact: &r.contact,
            phone: &r.phone,
            review_note: &r.review_note,
            reviewed_by: &r.reviewed_by,
            incomplete: &r.incomplete,
        }
    }
}
