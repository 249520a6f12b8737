use crate::model::os_error::describe;
use std::path::PathBuf;

/// Why a spreadsheet could not be read at all, whatever it was meant to hold. What a file
/// lacks for one import (a header, required columns, rows) is that import's own error.
///
/// Messages are the Chinese sentences users see: what happened, what to do, then the file.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("无法读取文件：{}。请确认文件存在且没有被其他程序占用。（{}）", describe(.source), path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("文件是空的（0 字节），请重新导出后再导入。（{}）", path.display())]
    Empty { path: PathBuf },
    #[error("文件有 {size_mib} MB，超过了表格文件的上限 {limit_mib} MB，请确认选对了文件。（{}）", path.display())]
    TooLarge {
        path: PathBuf,
        size_mib: u64,
        limit_mib: u64,
    },
    #[error("旧版 Excel（.xls）文件有 {size_mib} MB，超过了这种格式的上限 {limit_mib} MB。请用 Excel 或 WPS 另存为 .xlsx 后再导入。（{}）", path.display())]
    XlsTooLarge {
        path: PathBuf,
        size_mib: u64,
        limit_mib: u64,
    },
    #[error("表格内容太多（{what}，读到第 {row} 行时），不像一份名录或检查结果表，已停止读取。请确认选对了文件；确实是名录的，请拆分成几个文件分别导入。（{}）", path.display())]
    TooMuchContent {
        path: PathBuf,
        row: u32,
        what: String,
    },
    #[error("工作簿有 {count} 张工作表，超过了上限 {limit} 张，不像一份名录或检查结果表。请确认选对了文件，或把需要的工作表另存为一个文件后再导入。（{}）", path.display())]
    TooManySheets {
        path: PathBuf,
        count: usize,
        limit: usize,
    },
    #[error("这个文件不是 Excel 或 CSV 表格：{detail}。请用 Excel 或 WPS 另存为 .xlsx 后再导入。（{}）", path.display())]
    NotASpreadsheet { path: PathBuf, detail: String },
    #[error("这是{kind}，本软件读不了这种格式。{advice}（{}）", path.display())]
    Unsupported {
        path: PathBuf,
        kind: &'static str,
        advice: &'static str,
    },
    #[error("CSV 文件第 {line} 行的引号没有配对（从这里起的内容会被当成一个单元格），整份文件没有导入。请在 Excel 或 WPS 中打开检查这一行，另存后再导入。（{}）", path.display())]
    CsvQuote { path: PathBuf, line: usize },
    #[error("{}", csv_control(*.line, *.nul, .path))]
    CsvControl {
        path: PathBuf,
        line: usize,
        /// A NUL byte (what an interrupted copy leaves), rather than another control character.
        nul: bool,
    },
    #[error("CSV 文件第 {line} 行过长（{what}），不像正常的表格，已拒绝读取。（{}）", path.display())]
    CsvLine {
        path: PathBuf,
        line: usize,
        what: String,
    },
    #[error("表格文件已损坏或不完整（可能复制时中断）：{detail}。请重新获取原文件。（{}）", path.display())]
    Damaged { path: PathBuf, detail: String },
    /// `method`: the zip method's name, kept for whoever debugs; users read what to do.
    #[error("表格文件不是用 Excel 或 WPS 的方式压缩保存的（多半经过了压缩工具处理），本软件无法读取其中的内容。请用 Excel 或 WPS 打开后另存为 xlsx，再导入。（{}）", path.display())]
    Compression { path: PathBuf, method: String },
    #[error("表格设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码后另存，再导入。（{}）", path.display())]
    Encrypted { path: PathBuf },
    #[error("表格解压后过大（{what}），不像正常的表格，已拒绝读取以保护电脑。（{}）", path.display())]
    Bomb { path: PathBuf, what: String },
    #[error("工作簿中有几个工作表都像要导入的表格：{sheets}。请指定要导入哪一个（命令行用 --sheet 工作表名）。（{}）", path.display())]
    WhichSheet { path: PathBuf, sheets: String },
    #[error("表格中没有任何内容。（{}）", path.display())]
    NoContent { path: PathBuf },
    #[error("已取消导入，数据库没有任何改动。")]
    Cancelled,
}

fn csv_control(line: usize, nul: bool, path: &std::path::Path) -> String {
    if nul {
        format!(
            "CSV 文件第 {line} 行有空字节（NUL），文件可能在复制或保存时中断、没有完整。整份文件没有导入，请重新获取完整的原文件。（{}）",
            path.display()
        )
    } else {
        format!(
            "CSV 文件第 {line} 行有不可见的控制字符，不像正常的表格。整份文件没有导入，请在 Excel 或 WPS 中打开检查这一行，另存后再导入。（{}）",
            path.display()
        )
    }
}
