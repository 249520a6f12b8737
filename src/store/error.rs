use std::path::PathBuf;

/// Why the database could not do what was asked. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("无法创建数据目录：{source}。（{}）", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("无法打开数据库：{source}。（{}）", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("数据库文件已损坏（{detail}），为防止数据进一步受损，程序没有继续使用它。请从备份恢复，或把该文件交给技术人员检查。（{}）", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("这个数据库由更新版本的 spotcheck 创建（格式版本 {found}，本程序支持到 {supported}），请升级程序后再打开。（{}）", path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("数据库操作失败：{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("数据库中的检查表无法读取：{0}")]
    Checklist(#[from] crate::checklist::ChecklistError),
    #[error("数据库中的数据格式不正确：{0}")]
    Corrupt(String),
    /// The automatic backup before a change failed, so the change was not made.
    #[error("{0}。为安全起见，没有继续操作，数据库没有改动。")]
    Backup(String),
}
