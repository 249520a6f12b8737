//! Spreadsheets spotcheck writes. Pure functions of their data and a path: no database, no egui.

mod layout;
mod log_sheet;
mod notice;
mod notice_docx;
mod problems;
mod rectification;
mod sample_list;

pub use log_sheet::write_log;
pub use notice::{
    LOG_PROPERTY, chinese_number, notice_file_name, notice_log_head, notice_title, overview_line,
    write_notice, write_notice_reporting,
};
pub use notice_docx::{
    DocxError, Kind, NoticeText, docx_title, notice_paragraphs, write_notice_docx,
};
pub use problems::write_problem_list;
pub use rectification::{
    by_unit, file_stem, rectification_file_name, sheet_name, unit_name, write_rectification_book,
    write_rectification_book_reporting, write_rectification_folder,
    write_rectification_folder_reporting,
};
pub use sample_list::{default_file_name as sample_list_file_name, write_sample_list};

/// Why a spreadsheet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入表格：{0}。请确认文件没有在 Excel 或 WPS 中打开，并且目标文件夹可以写入。")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("无法创建文件夹 {path}：{source}。请换一个可以写入的位置。")]
    Folder {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}
