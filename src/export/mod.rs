//! Spreadsheets spotcheck writes. Pure functions of their data and a path: no database, no egui.

mod layout;
mod problems;
mod sample_list;

pub use problems::write_problem_list;
pub use sample_list::{
    default_file_name as sample_list_file_name, method_lines, write_sample_list,
};

/// Why a spreadsheet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入表格：{0}。请确认文件没有在 Excel 或 WPS 中打开，并且目标文件夹可以写入。")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
