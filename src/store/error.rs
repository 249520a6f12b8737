use crate::model::os_error::describe;
use std::path::PathBuf;

/// Why the database could not do what was asked. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("无法创建数据目录：{}。（{}）", describe(.source), path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} 不是普通文件（可能是文件夹、设备或管道），不能作为数据库打开。请选择一个数据库文件。", .0.display())]
    NotAFile(PathBuf),
    #[error("无法打开数据库：{source}。（{}）", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("数据库文件已损坏（{detail}），为防止数据进一步受损，程序没有继续使用它。请从备份恢复，或把该文件交给技术人员检查。（{}）", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("这个数据库由更新版本的本软件 创建（格式版本 {found}，本程序支持到 {supported}），请升级程序后再打开。（{}）", path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("这个数据库是旧版本的格式（格式版本 {found}），需要先升级才能使用，而只读方式不能升级它。请关闭本软件的另一个窗口（或等命令结束） 后再打开本程序。（{}）", path.display())]
    NeedsUpgrade { path: PathBuf, found: i64 },
    #[error("{}", describe_sql(.0))]
    Sql(#[from] rusqlite::Error),
    #[error("数据库中的检查表无法读取：{0}")]
    Checklist(#[from] crate::checklist::ChecklistError),
    #[error("数据库中的数据格式不正确：{0}")]
    Corrupt(String),
    /// The automatic backup before a change failed, so the change was not made.
    #[error("{0}。为安全起见，没有继续操作，数据库没有改动。")]
    Backup(String),
}

/// An `SQLite` error as a Chinese sentence saying what happened and what to do, with the
/// library's English detail after it in parentheses. Every change runs in a transaction, so a
/// failed one left nothing behind.
fn describe_sql(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    let what = match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "数据库正被另一个程序使用，这次操作没有完成，数据库没有改动。请稍后再试，或先关闭本软件的另一个窗口（或等命令结束）"
        }
        Some(ErrorCode::ConstraintViolation) => {
            "要保存的数据与数据库中已有的记录冲突（可能另一个程序刚改过同一条记录），这次操作没有完成，数据库没有改动。请重新打开后再试"
        }
        Some(ErrorCode::DiskFull) => {
            "磁盘已满，这次操作没有完成，数据库没有改动。请清理磁盘空间后再试"
        }
        Some(ErrorCode::ReadOnly) => {
            "数据库是以只读方式打开的（或文件不允许写入），不能修改。请关闭本软件的另一个窗口（或等命令结束） 后重新打开本程序"
        }
        Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen) => {
            "无法读写数据库文件，这次操作没有完成。请确认磁盘连接正常、文件夹可以写入"
        }
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            "数据库文件已损坏，这次操作没有完成。请从备份恢复"
        }
        _ => "数据库操作失败，这次操作没有完成，数据库没有改动",
    };
    format!("{what}。（{e}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_errors_read_as_chinese_sentences_with_the_detail_after() {
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t(k INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);")
            .expect("create");
        let err = conn
            .execute("INSERT INTO t VALUES (1)", [])
            .expect_err("a duplicate key");
        let text = StoreError::from(err).to_string();
        assert!(
            text.starts_with("要保存的数据与数据库中已有的记录冲突"),
            "{text}"
        );
        assert!(
            text.ends_with("（UNIQUE constraint failed: t.k）"),
            "{text}"
        );
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".to_owned()),
        );
        let text = StoreError::from(busy).to_string();
        assert!(text.starts_with("数据库正被另一个程序使用"), "{text}");
        assert!(text.contains("database is locked"), "{text}");
    }
}
