//! Errors the operating system reports (a missing file, a full disk, a file Excel holds open),
//! in the words users read. The system's own text is English on most machines.

use std::io::{Error, ErrorKind};

/// What went wrong, in Chinese; a message of our own carried in the error is kept as it is.
#[must_use]
pub fn describe(e: &Error) -> String {
    let text = match e.kind() {
        ErrorKind::NotFound => "文件或文件夹不存在",
        ErrorKind::PermissionDenied => "没有访问权限（文件可能是只读的，或正被其他程序使用）",
        ErrorKind::AlreadyExists => "同名文件已经存在",
        ErrorKind::InvalidData => "文件内容无法识别（不是有效的文本，或已经损坏）",
        ErrorKind::UnexpectedEof => "文件不完整（内容提前结束，可能没有复制完）",
        ErrorKind::StorageFull => "磁盘空间不足",
        ErrorKind::ReadOnlyFilesystem => "磁盘或 U 盘是只读的",
        ErrorKind::IsADirectory => "这是一个文件夹，不是文件",
        ErrorKind::NotADirectory => "路径中有一部分不是文件夹",
        ErrorKind::DirectoryNotEmpty => "文件夹不是空的",
        ErrorKind::FileTooLarge => "文件太大",
        ErrorKind::ResourceBusy | ErrorKind::ExecutableFileBusy => {
            "文件正被其他程序使用（例如在 Excel 或 WPS 中打开着）"
        }
        ErrorKind::InvalidFilename => "文件名不合法（太长或含有不允许的字符）",
        ErrorKind::TimedOut | ErrorKind::Interrupted => "操作被中断，请重试",
        _ if e.get_ref().is_some() => return e.to_string(),
        // Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
        _ if cfg!(windows) && matches!(e.raw_os_error(), Some(32 | 33)) => {
            "文件正被其他程序使用（例如在 Excel 或 WPS 中打开着）"
        }
        _ => {
            return match e.raw_os_error() {
                Some(code) => format!("系统错误（错误代码 {code}）"),
                None => format!("系统错误（{e}）"),
            };
        }
    };
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_errors_read_in_chinese() {
        let missing = std::fs::File::open("/nonexistent/名录.xlsx").expect_err("missing");
        assert_eq!(describe(&missing), "文件或文件夹不存在");
        let utf8 = std::io::Read::read_to_string(&mut &b"\xff\xfe"[..], &mut String::new())
            .expect_err("not utf-8");
        assert!(describe(&utf8).starts_with("文件内容无法识别"), "{utf8}");
        let ours = Error::other("导入时间“x”无法识别");
        assert_eq!(describe(&ours), "导入时间“x”无法识别");
        assert_eq!(describe(&Error::from_raw_os_error(28)), "磁盘空间不足");
    }
}
