//! Native file dialogs, run on their own thread so the frame never blocks.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

/// A dialog in flight; poll it each frame.
pub struct PendingDialog {
    result: Receiver<Option<PathBuf>>,
}

impl PendingDialog {
    /// `None` while the dialog is open; `Some(None)` if the user cancelled.
    pub fn poll(&self) -> Option<Option<PathBuf>> {
        match self.result.try_recv() {
            Ok(path) => Some(path),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(None),
        }
    }
}

fn spawn(
    ctx: &egui::Context,
    show: impl FnOnce() -> Option<PathBuf> + Send + 'static,
) -> Option<PendingDialog> {
    let (tx, rx) = channel();
    let ctx = ctx.clone();
    std::thread::Builder::new()
        .name("file-dialog".to_owned())
        .spawn(move || {
            let _ = tx.send(show());
            ctx.request_repaint();
        })
        .ok()
        .map(|_| PendingDialog { result: rx })
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
            .add_filter("检查表（json）", &["json"])
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
