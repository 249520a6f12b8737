use std::path::PathBuf;

use crate::sheet::SheetError;

/// Why a roster file could not be read at all. Row-level problems are not errors: they are
/// reported in [`super::RowProblem`] and the rest of the file still imports.
///
/// Messages are the Chinese sentences users see: what happened, what to do, then the file.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The file could not be read as a spreadsheet at all (the shared reader's errors,
    /// cancelling included).
    #[error(transparent)]
    Read(#[from] SheetError),
    #[error("表格中没有名为“{sheet}”的工作表，现有工作表：{available}。（{}）", path.display())]
    NoSuchSheet {
        path: PathBuf,
        sheet: String,
        available: String,
    },
    #[error("没有找到名录的表头行。名录至少需要“主办单位”“账号名称”“平台”三列；{found}。（{}）", path.display())]
    NoHeader { path: PathBuf, found: String },
    /// Boxed: the header it carries would make every roster `Result` large.
    #[error(transparent)]
    MissingColumns(Box<MissingColumns>),
    #[error("表头（第 {row} 行）下面没有任何账号数据。（{}）", path.display())]
    NoRows { path: PathBuf, row: u32 },
    #[error("表头下的 {rows} 行都不能作为账号导入（例如{example}）。整份文件没有导入，名录没有改动。请检查这些行后再导入。（{}）", path.display())]
    NoValidRows {
        path: PathBuf,
        rows: usize,
        example: String,
    },
}

/// A header without every required column ([`RosterError::MissingColumns`]).
#[derive(Debug, thiserror::Error)]
#[error("名录缺少必需的列：{missing}。工作表“{sheet}”第 {row} 行的表头中找到的列：{found}。（{}）", path.display())]
pub struct MissingColumns {
    /// Every column with what it was taken for, to choose the missing ones from.
    pub columns: Vec<(String, Option<super::header::Field>)>,
    /// Where a choice for this header is remembered.
    pub columns_key: String,
    pub path: PathBuf,
    pub sheet: String,
    pub row: u32,
    pub missing: String,
    pub found: String,
}
