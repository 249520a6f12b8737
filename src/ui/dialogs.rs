//! Native file dialogs and the clipboard, run on their own thread so the frame never blocks.

use std::path::PathBuf;
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
    off_frame(ctx, "file-dialog", show).map(|result| PendingDialog { result })
}

/// A screenshot being read from the clipboard and encoded as PNG.
pub struct PendingPaste {
    result: Receiver<Result<Vec<u8>, String>>,
}

impl PendingPaste {
    /// `None` while still working; then the PNG bytes or a message for the user.
    pub fn poll(&self) -> Option<Result<Vec<u8>, String>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Some(Err("读取剪贴板时出错，请重新截图后再粘贴。".to_owned()))
            }
        }
    }
}

/// Reads the image on the clipboard (a large screenshot takes a moment to encode).
pub fn paste_screenshot(ctx: &egui::Context) -> Option<PendingPaste> {
    off_frame(ctx, "clipboard", screenshot_png).map(|result| PendingPaste { result })
}

/// The image on the clipboard as PNG bytes.
fn screenshot_png() -> Result<Vec<u8>, String> {
    let image = arboard::Clipboard::new()
        .and_then(|mut c| c.get_image())
        .map_err(|_| {
            "剪贴板里没有截图。请先截图（例如按 PrtSc 或用截图工具），再按 Ctrl+V。".to_owned()
        })?;
    let too_large = || "截图太大，无法保存。".to_owned();
    let width = u32::try_from(image.width).map_err(|_| too_large())?;
    let height = u32::try_from(image.height).map_err(|_| too_large())?;
    let buffer = image::RgbaImage::from_raw(width, height, image.bytes.into_owned())
        .ok_or_else(|| "剪贴板里的图片无法识别。".to_owned())?;
    let mut png = std::io::Cursor::new(Vec::new());
    buffer
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|_| "截图无法保存为 PNG 图片，请改用“添加截图或文件…”。".to_owned())?;
    Ok(png.into_inner())
}

/// Asks for a roster file to import.
pub fn pick_roster(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn(ctx, || {
        rfd::FileDialog::new()
            .set_title("选择账号名录")
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
        rfd::FileDialog::new()
            .set_title("选择证据文件")
            .add_filter("截图或图片", &["png", "jpg", "jpeg"])
            .add_filter("所有文件", &["*"])
            .pick_file()
    })
}

/// Asks for a checklist definition (JSON) to use for new checks.
pub fn pick_checklist(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn(ctx, || {
        rfd::FileDialog::new()
            .set_title("选择检查表文件")
            .add_filter("检查表文件", &["json"])
            .add_filter("所有文件", &["*"])
            .pick_file()
    })
}

/// Asks where to save an xlsx, suggesting `name`.
pub fn save_xlsx(ctx: &egui::Context, title: &'static str, name: String) -> Option<PendingDialog> {
    spawn(ctx, move || {
        rfd::FileDialog::new()
            .set_title(title)
            .set_file_name(name)
            .add_filter("Excel 工作簿", &["xlsx"])
            .save_file()
            .map(|p| {
                if p.extension().is_some() {
                    p
                } else {
                    p.with_extension("xlsx")
                }
            })
    })
}

/// Asks for the rectification sheets the units sent back (several at once).
pub fn pick_feedback(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn_many(ctx, || {
        rfd::FileDialog::new()
            .set_title("选择单位交回的整改表（可多选）")
            .add_filter("整改表（xlsx、xls、csv）", &["xlsx", "xlsm", "xls", "csv"])
            .add_filter("所有文件", &["*"])
            .pick_files()
            .unwrap_or_default()
    })
}

/// Asks for a folder to write files into.
pub fn pick_folder(ctx: &egui::Context, title: &'static str) -> Option<PendingDialog> {
    spawn(ctx, move || {
        rfd::FileDialog::new().set_title(title).pick_folder()
    })
}

/// Asks for a work or result package to open.
pub fn pick_package(ctx: &egui::Context) -> Option<PendingDialog> {
    spawn(ctx, || {
        rfd::FileDialog::new()
            .set_title("选择工作包或结果包")
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
    spawn(ctx, move || {
        rfd::FileDialog::new()
            .set_title(title)
            .set_file_name(name)
            .add_filter("工作包或结果包", &[crate::exchange::EXTENSION])
            .save_file()
            .map(|p| {
                if p.extension().is_some() {
                    p
                } else {
                    p.with_extension(crate::exchange::EXTENSION)
                }
            })
    })
}
