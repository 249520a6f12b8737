use std::path::PathBuf;

use crate::sheet::SheetError;

/// Why a results file could not be read at all.
/// Row-level problems are not errors: they are reported as [`crate::roster::RowProblem`]s and
/// the other rows are still imported.
///
/// Messages are the Chinese sentences users see: what happened, what to do, then the file.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file could not be read as a spreadsheet at all (the shared reader's errors).
    #[error(transparent)]
    Read(#[from] SheetError),
    #[error("没有找到检查结果的表头行。检查结果表需要“平台”“账号标识”“检查项”“结果”几列（“说明”“最后更新日期”“最长更新间隔”可选）；{found}。（{}）", path.display())]
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
}
