//! The file dialogs of 上报与汇总 and what is sent once each is answered.

use super::commands::{FileRequest, Then, with_first};
use super::dialogs::{self, PendingDialog};
use crate::steps::office_key::ExportPublicKey;
use crate::steps::report_package::ExportReportPackage;
use crate::steps::rollup::{ExportRollup, ImportReports, RegisterReporter};
use crate::steps::rollup_recheck::{ImportRecheck, MakeRecheck};
use crate::worker::{Command, RollupCommand};

const SHEETS: &[&str] = &["xlsx", "xlsm", "xls", "csv"];

fn rollup(quarter: crate::model::Quarter, action: RollupCommand) -> Command {
    Command::Rollup { action, quarter }
}

/// The dialog `request` asks for, and what to send with its answer.
#[allow(clippy::too_many_lines)] // one arm per dialog, each reads "ask this, then send that"
pub(super) fn ask(ctx: &egui::Context, request: FileRequest) -> (Option<PendingDialog>, Then) {
    match request {
        FileRequest::PublicKey(q) => (
            dialogs::save_file(
                ctx,
                "导出公钥",
                "本单位公钥.pem".to_owned(),
                "公钥文件",
                "pem",
            ),
            with_first(move |path| {
                rollup(
                    q,
                    RollupCommand::PublicKey(ExportPublicKey {
                        path,
                        random: crate::seed::fresh_key_bytes(),
                    }),
                )
            }),
        ),
        FileRequest::ReportPackage(q) => (
            dialogs::save_file(
                ctx,
                "导出上报包",
                format!("{q}-上报.{}", crate::exchange::EXTENSION),
                "上报包",
                crate::exchange::EXTENSION,
            ),
            with_first(move |path| {
                rollup(
                    q,
                    RollupCommand::ReportPackage(ExportReportPackage {
                        quarter: q,
                        path,
                        office: None,
                        random: crate::seed::fresh_key_bytes(),
                    }),
                )
            }),
        ),
        FileRequest::ReporterKey {
            quarter,
            name,
            expected,
        } => (
            dialogs::pick_files(
                ctx,
                "选择上报单位交来的公钥文件",
                "公钥文件",
                &["pem"],
                false,
            ),
            with_first(move |key_file| {
                rollup(
                    quarter,
                    RollupCommand::Register(RegisterReporter {
                        name,
                        key_file,
                        expected,
                    }),
                )
            }),
        ),
        FileRequest::Reports(q) => (
            dialogs::pick_files(
                ctx,
                "选择上报包（可多选）",
                "上报包",
                &[crate::exchange::EXTENSION],
                true,
            ),
            Box::new(move |files: Vec<std::path::PathBuf>| {
                (!files.is_empty())
                    .then(|| rollup(q, RollupCommand::Import(ImportReports { files })))
            }),
        ),
        FileRequest::RollupBook(q) => (
            dialogs::save_xlsx(
                ctx,
                "导出汇总表",
                format!("{}政务新媒体抽查汇总表.xlsx", q.label()),
            ),
            with_first(move |path| {
                rollup(q, RollupCommand::Export(ExportRollup { quarter: q, path }))
            }),
        ),
        FileRequest::RollupNotice(q) => (
            dialogs::save_docx(
                ctx,
                "导出汇总通报",
                format!("{}政务新媒体抽查情况通报.docx", q.label()),
            ),
            with_first(move |path| {
                rollup(q, RollupCommand::Export(ExportRollup { quarter: q, path }))
            }),
        ),
        FileRequest::RecheckList { quarter, options } => (
            dialogs::save_xlsx(
                ctx,
                "保存复核名单",
                format!("{}抽查结果复核名单.xlsx", quarter.label()),
            ),
            with_first(move |path| {
                rollup(
                    quarter,
                    RollupCommand::MakeRecheck(MakeRecheck {
                        quarter,
                        options,
                        path,
                    }),
                )
            }),
        ),
        FileRequest::RecheckFilled(q) => (
            dialogs::pick_files(
                ctx,
                "选择填好的复核名单（可多选）",
                "复核名单",
                SHEETS,
                true,
            ),
            Box::new(move |files: Vec<std::path::PathBuf>| {
                (!files.is_empty()).then(|| {
                    rollup(
                        q,
                        RollupCommand::ImportRecheck(ImportRecheck { quarter: q, files }),
                    )
                })
            }),
        ),
        _ => (None, Box::new(|_| None)),
    }
}
