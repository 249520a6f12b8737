//! Spreadsheets spotcheck writes. Pure functions of their data and a path: no database, no egui.
use crate::model::os_error::describe;

pub mod atomic;
mod column_plan;
mod layout;
mod log_sheet;
mod notice;
mod notice_docx;
mod notice_words;
mod numbered_table;
mod problems;
mod rectification;
mod rollup;
mod sample_list;
mod stats;

pub use log_sheet::write_log;
pub use notice::{LOG_PROPERTY, notice_log_head, write_notice, write_notice_reporting};
pub use notice_docx::{
    AttachmentTable, DocxError, Kind, NoticeText, RollupFigures, RollupNoticeText,
    default_addressees, docx_title, issuing_office, notice_paragraphs, rollup_attachment,
    rollup_paragraphs, rollup_title, tight, write_notice_docx, write_rollup_docx,
};
pub use notice_words::{chinese_number, notice_file_name, notice_title, overview_line};
pub use problems::write_problem_list;
pub use rectification::{
    by_unit, file_stem, rectification_file_name, sheet_name, unit_name,
    write_rectification_book_reporting, write_rectification_folder_reporting,
};
pub use rollup::{write_recheck_list, write_rollup};
pub use sample_list::{default_file_name as sample_list_file_name, write_sample_list};
pub use stats::write_stats;

/// Why a spreadsheet could not be written.
/// A spreadsheet writer's error: the system's reason in Chinese when it is one.
fn xlsx_text(e: &rust_xlsxwriter::XlsxError) -> String {
    match e {
        rust_xlsxwriter::XlsxError::IoError(io) => describe(io),
        other => other.to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入表格：{}。请确认文件没有在 Excel 或 WPS 中打开，并且目标文件夹可以写入。", xlsx_text(.0))]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("无法保存 {}：{}。原来的文件（如果有）没有改动；请确认磁盘或 U 盘还有空间、文件没有在 Excel 或 WPS 中打开，或换一个位置保存。", path.display(), describe(.source))]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("无法保存 {}：{}。在它之前已有 {replaced} 个文件换成了新的，它和之后的没有；请关闭在 Excel 或 WPS 中打开的这些文件后重新导出。", failed.display(), describe(.source))]
    PartlyWritten {
        failed: std::path::PathBuf,
        replaced: usize,
        source: std::io::Error,
    },
    #[error("无法创建文件夹 {path}：{}。请换一个可以写入的位置。", describe(.source))]
    Folder {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl ExportError {
    /// The message for an export to `path`, naming the file where the error does not.
    #[must_use]
    pub fn message_at(&self, path: &std::path::Path) -> String {
        match self {
            Self::Write { .. } | Self::Folder { .. } | Self::PartlyWritten { .. } => {
                self.to_string()
            }
            Self::Xlsx(_) => format!("{self}（{}）", path.display()),
        }
    }
}
