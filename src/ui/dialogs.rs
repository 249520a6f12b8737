//! Native file dialogs and the clipboard, run on their own thread so the frame never blocks.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

/// A dialog in flight; poll it each frame.
pub struct PendingDialog {
    result: Receiver<Vec<PathBuf>>,
}

impl PendingDialog {
    /// `None` while the dialog is open; then the paths chosen (none if the user cancelled).
    pub fn poll(&self) -> Option<Vec<PathBuf>> {
        match self.result.try_recv() {
            Ok(paths) => Some(paths),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Vec::new()),
        }
    }
}

/// Runs `work` on a named thread; the window is woken when its answer is ready.
fn off_frame<T: Send + 'static>(
    ctx: &egui::Context,
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<Receiver<T>> {
    let (tx, rx) = channel();
    let ctx = ctx.clone();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _ = tx.send(work());
            ctx.request_repaint();
        })
        .ok()
        .map(|_| rx)
}

fn spawn(
    ctx: &egui::Context,
    show: impl FnOnce() -> Option<PathBuf> + Send + 'static,
) -> Option<PendingDialog> {
    spawn_many(ctx, move || show().into_iter().collect())
}

fn spawn_many(
    ctx: &egui::Context,
    show: impl FnOnce() -> Vec<PathBuf> + Send + 'static,
) -> Option<PendingDialog> {
    off_frame(ctx, "file-dialog", move || {
        let paths = show();
        remember_folder(&paths);
        paths
    })
    .map(|result| PendingDialog { result })
}

/// The folder of the last file or folder chosen in any dialog: the next dialog starts there
/// (the roster's folder is where the notice goes, the USB stick where the package came from).
static LAST_FOLDER: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

fn remember_folder(paths: &[PathBuf]) {
    let Some(first) = paths.first() else {
        return;
    };
    let folder = if first.is_dir() {
        Some(first.clone())
    } else {
        first.parent().map(Path::to_path_buf)
    };
    if let (Some(folder), Ok(mut last)) = (folder, LAST_FOLDER.lock()) {
        *last = Some(folder);
    }
}

/// A dialog titled `title`, opening in the last folder used.
fn dialog(title: &str) -> rfd::FileDialog {
    let d = rfd::FileDialog::new().set_title(title);
    match LAST_FOLDER.lock().ok().and_then(|l| l.clone()) {
        Some(folder) if folder.is_dir() => d.set_directory(folder),
        _ => d,
    }
}

/// The clipboard being read and a picture on it encoded as PNG (a large screenshot takes a
/// moment).
pub struct PendingPaste {
    result: Receiver<Result<Vec<crate::model::NewEvidence>, String>>,
}

impl PendingPaste {
    /// `None` while still working; then the evidence to add or a message for the user.
    pub fn poll(&self) -> Option<Result<Vec<crate::model::NewEvidence>, String>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Some(Err("读取剪贴板时出错，请重新截图后再粘贴。".to_owned()))
            }
        }
    }
}

/// Reads `clipboard` off the frame thread.
pub fn paste(
    ctx: &egui::Context,
    clipboard: super::clipboard::ClipboardSource,
) -> Option<PendingPaste> {
    let stamp = crate::model::time::stamp_text(chrono::Local::now().naive_local());
    off_frame(ctx, "clipboard", move || {
        super::clipboard::evidence_from(clipboard(), &stamp)
    })
    .map(|result| PendingPaste { result })
}

/// Asks for a roster file to import.
pub fn pick_roster(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn(ctx, || {
        dialog("选择账号名录")
            .add_filter(
                "名录表格（xlsx、xls、csv）",
                &["xlsx", "xlsm", "xls", "csv", "txt"],
            )
            .add_filter("所有文件", &["*"])
            .pick_file()
    })
}

/// Asks for an evidence file (a screenshot, a photo, a document).
pub fn pick_evidence(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn(ctx, || {
        dialog("选择证据文件")
            .add_filter("截图或图片", &["png", "jpg", "jpeg"])
            .add_filter("所有文件", &["*"])
            .pick_file()
    })
}

/// Asks for a checklist definition (JSON) to use for new checks.
pub fn pick_checklist(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn(ctx, || {
        dialog("选择检查表文件")
            .add_filter("检查表文件", &["json"])
            .add_filter("所有文件", &["*"])
            .pick_file()
    })
}

/// Asks where to save an xlsx, suggesting `name`.
pub fn save_xlsx(ctx: &egui::Context, title: &'static str, name: String) -> Option<PendingDialog> {
    save_as(ctx, title, name, "Excel 工作簿", "xlsx")
}

/// Asks where to save a Word document, suggesting `name`.
pub fn save_docx(ctx: &egui::Context, title: &'static str, name: String) -> Option<PendingDialog> {
    save_as(ctx, title, name, "Word 文档", "docx")
}

/// Asks where to save a file of type `ext` (added when the user typed no extension).
fn save_as(
    ctx: &egui::Context,
    title: &'static str,
    name: String,
    kind: &'static str,
    ext: &'static str,
) -> Option<PendingDialog> {
    spawn(ctx, move || {
        dialog(title)
            .set_file_name(name)
            .add_filter(kind, &[ext])
            .save_file()
            .map(|p| {
                if p.extension().is_some() {
                    p
                } else {
                    p.with_extension(ext)
                }
            })
    })
}

/// Asks for the rectification sheets the units sent back (several at once).
pub fn pick_feedback(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn_many(ctx, || {
        dialog("选择单位交回的整改表（可多选）")
            .add_filter("整改表（xlsx、xls、csv）", &["xlsx", "xlsm", "xls", "csv"])
            .add_filter("所有文件", &["*"])
            .pick_files()
            .unwrap_or_default()
    })
}

/// Asks for a folder to write files into.
pub fn pick_folder(ctx: &egui::Context, title: &'static str) -> Option<PendingDialog> {
    spawn(ctx, move || dialog(title).pick_folder())
}

/// Asks for a work or result package to open.
pub fn pick_package(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn(ctx, || {
        dialog("选择工作包或结果包")
            .add_filter("工作包或结果包", &[crate::exchange::EXTENSION])
            .add_filter("所有文件", &["*"])
            .pick_file()
    })
}

/// Asks where to save a package, suggesting `name`.
pub fn save_package(
    ctx: &egui::Context,
    title: &'static str,
    name: String,
) -> Option<PendingDialog> {
    save_as(
        ctx,
        title,
        name,
        "工作包或结果包",
        crate::exchange::EXTENSION,
    )
}

/// Asks for one file of `kind` (`exts`), or several when `many`.
pub fn pick_files(
    ctx: &egui::Context,
    title: &'static str,
    kind: &'static str,
    exts: &'static [&'static str],
    many: bool,
) -> Option<PendingDialog> {
    spawn_many(ctx, move || {
        let d = dialog(title)
            .add_filter(kind, exts)
            .add_filter("所有文件", &["*"]);
        if many {
            d.pick_files().unwrap_or_default()
        } else {
            d.pick_file().into_iter().collect()
        }
    })
}

/// Asks where to save a file of `kind`, suggesting `name` (`ext` added when none is typed).
pub fn save_file(
    ctx: &egui::Context,
    title: &'static str,
    name: String,
    kind: &'static str,
    ext: &'static str,
) -> Option<PendingDialog> {
    save_as(ctx, title, name, kind, ext)
}
