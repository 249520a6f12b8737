use std::path::PathBuf;

/// Why a roster file could not be read at all (the file-level variants, up to `NoContent`,
/// are also what any spreadsheet read through [`super::Workbook`] can fail with). Row-level problems are not errors:
/// they are reported in [`super::RowProblem`] and the rest of the file still imports.
///
/// Messages are the Chinese sentences users see: what happened, what to do, then the file.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("无法读取文件：{source}。请确认文件存在且没有被其他程序占用。（{}）", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("文件是空的（0 字节），请重新导出后再导入。（{}）", path.display())]
    Empty { path: PathBuf },
    #[error("文件有 {size_mib} MiB，超过了表格文件的上限 {limit_mib} MiB，请确认选对了文件。（{}）", path.display())]
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
    #[error("表格解压后过大（{what}），不像正常的表格，已拒绝读取以保护电脑。（{}）", path.display())]
    Bomb { path: PathBuf, what: String },
    #[error("表格中没有名为“{sheet}”的工作表，现有工作表：{available}。（{}）", path.display())]
    NoSuchSheet {
        path: PathBuf,
        sheet: String,
        available: String,
    },
    #[error("表格中没有任何内容。（{}）", path.display())]
    NoContent { path: PathBuf },
    #[error("没有找到名录的表头行。名录至少需要“主办单位”“账号名称”“平台”三列；{found}。（{}）", path.display())]
    NoHeader { path: PathBuf, found: String },
    #[error("名录缺少必需的列：{missing}。工作表“{sheet}”第 {row} 行的表头中找到的列：{found}。（{}）", path.display())]
    MissingColumns {
        path: PathBuf,
        sheet: String,
        row: u32,
        missing: String,
        found: String,
    },
    #[error("表头（第 {row} 行）下面没有任何账号数据。（{}）", path.display())]
    NoRows { path: PathBuf, row: u32 },
    #[error("已取消导入，数据库没有任何改动。")]
    Cancelled,
}
