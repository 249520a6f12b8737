use std::path::{Path, PathBuf};

use crate::roster::RosterError;
use crate::store::{DrawError, InspectError, StoreError};

/// Why a results file could not be imported, or a quarter's results listed, at all.
/// Row-level problems are not errors: they are reported as [`crate::roster::RowProblem`]s and
/// the other rows are still imported.
///
/// Messages are the Chinese sentences users see: what happened, what to do, then the file.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("无法读取文件：{source}。请确认文件存在且没有被其他程序占用。（{}）", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("文件是空的（0 字节），请重新导出检查结果后再导入。（{}）", path.display())]
    Empty { path: PathBuf },
    #[error("文件有 {size_mib} MiB，超过了检查结果文件的上限 {limit_mib} MiB，请确认选对了文件。（{}）", path.display())]
    TooLarge {
        path: PathBuf,
        size_mib: u64,
        limit_mib: u64,
    },
    #[error("这个文件不是 Excel 或 CSV 表格：{detail}。请用 Excel 或 WPS 另存为 .xlsx 后再导入。（{}）", path.display())]
    NotASpreadsheet { path: PathBuf, detail: String },
    #[error("表格文件已损坏或不完整（可能复制时中断）：{detail}。请重新获取原文件。（{}）", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("表格设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码后另存，再导入。（{}）", path.display())]
    Encrypted { path: PathBuf },
    #[error("表格解压后过大（{what}），不像正常的检查结果表，已拒绝读取以保护电脑。（{}）", path.display())]
    Bomb { path: PathBuf, what: String },
    #[error("表格中没有任何内容。（{}）", path.display())]
    NoContent { path: PathBuf },
    #[error("没有找到检查结果的表头行。检查结果表需要“平台”“账号标识”“检查项”“结果”几列（“说明”“最后更新日期”可选）；{found}。（{}）", path.display())]
    NoHeader { path: PathBuf, found: String },
    #[error("检查结果表缺少必需的列：{missing}。{sheet}第 {row} 行的表头中找到的列：{found}。（{}）", path.display())]
    MissingColumns {
        path: PathBuf,
        /// 工作表“…” or empty for a csv.
        sheet: String,
        row: u32,
        missing: String,
        found: String,
    },
    #[error("表头（第 {row} 行）下面没有任何检查结果。（{}）", path.display())]
    NoRows { path: PathBuf, row: u32 },
    #[error(transparent)]
    Draw(#[from] DrawError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ResultsError {
    /// The roster reader's file-level errors, worded for a results file.
    pub(super) fn from_reader(err: RosterError, path: &Path) -> Self {
        match err {
            RosterError::Io { path, source } => Self::Io { path, source },
            RosterError::Empty { path } => Self::Empty { path },
            RosterError::TooLarge {
                path,
                size_mib,
                limit_mib,
            } => Self::TooLarge {
                path,
                size_mib,
                limit_mib,
            },
            RosterError::NotASpreadsheet { path, detail } => Self::NotASpreadsheet { path, detail },
            RosterError::Damaged { path, detail } => Self::Damaged { path, detail },
            RosterError::Encrypted { path } => Self::Encrypted { path },
            RosterError::Bomb { path, what } => Self::Bomb { path, what },
            RosterError::NoContent { path } => Self::NoContent { path },
            // The reader raises these only while interpreting a roster, which is not done here.
            other @ (RosterError::NoSuchSheet { .. }
            | RosterError::NoHeader { .. }
            | RosterError::MissingColumns { .. }
            | RosterError::NoRows { .. }
            | RosterError::Cancelled) => Self::Damaged {
                path: path.to_owned(),
                detail: other.to_string(),
            },
        }
    }
}
