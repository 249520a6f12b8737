//! Ctrl+V on 检查: what the clipboard holds becomes evidence, or the user is told, in
//! Chinese, why not. Reading the system clipboard is one small function; turning what it held
//! into evidence is another, tested with made-up clipboards.

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::NewEvidence;

/// What a clipboard held when it was read.
#[derive(Debug, Clone)]
pub enum Clipped {
    /// A picture (a screenshot): RGBA pixels, row by row.
    Image {
        width: usize,
        height: usize,
        rgba: Vec<u8>,
    },
    /// Files copied in a file manager.
    Files(Vec<PathBuf>),
    /// Nothing, or only text.
    Nothing,
    /// A picture in a form that cannot be read.
    Unreadable,
    /// The clipboard itself could not be opened; the system's words.
    Unavailable(String),
}

/// Where the window reads the clipboard from (the system's; tests give their own).
pub type ClipboardSource = Arc<dyn Fn() -> Clipped + Send + Sync>;

/// The system clipboard.
#[must_use]
pub fn system() -> ClipboardSource {
    Arc::new(read_system)
}

fn read_system() -> Clipped {
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(c) => c,
        Err(e) => return Clipped::Unavailable(e.to_string()),
    };
    match clipboard.get_image() {
        Ok(image) => Clipped::Image {
            width: image.width,
            height: image.height,
            rgba: image.bytes.into_owned(),
        },
        Err(arboard::Error::ConversionFailure) => Clipped::Unreadable,
        Err(arboard::Error::ContentNotAvailable) => match clipboard.get().file_list() {
            Ok(files) if !files.is_empty() => Clipped::Files(files),
            _ => Clipped::Nothing,
        },
        Err(e) => Clipped::Unavailable(e.to_string()),
    }
}

/// File types taken as evidence from copied files (as the evidence dialog offers them).
const EVIDENCE_TYPES: [&str; 3] = ["png", "jpg", "jpeg"];

/// The evidence `clipped` gives, named after `stamp` (e.g. 20261202-143005), or what to tell
/// the user.
///
/// # Errors
/// A Chinese sentence saying why nothing can be added and what to do instead.
pub fn evidence_from(clipped: Clipped, stamp: &str) -> Result<Vec<NewEvidence>, String> {
    match clipped {
        Clipped::Image {
            width,
            height,
            rgba,
        } => {
            let too_large = || "截图太大，无法保存。请截取较小的范围后再粘贴。".to_owned();
            let w = u32::try_from(width).map_err(|_| too_large())?;
            let h = u32::try_from(height).map_err(|_| too_large())?;
            let buffer = image::RgbaImage::from_raw(w, h, rgba)
                .filter(|_| w > 0 && h > 0)
                .ok_or_else(|| {
                    "剪贴板里的图片无法识别。请把图片另存为 PNG 或 JPG 文件，再用“添加截图或文件…”添加。"
                        .to_owned()
                })?;
            let mut png = std::io::Cursor::new(Vec::new());
            buffer
                .write_to(&mut png, image::ImageFormat::Png)
                .map_err(|_| "截图无法保存为 PNG 图片，请改用“添加截图或文件…”。".to_owned())?;
            Ok(vec![NewEvidence::Bytes {
                file_name: format!("截图-{stamp}.png"),
                bytes: png.into_inner(),
            }])
        }
        Clipped::Files(files) => {
            let (images, others): (Vec<PathBuf>, Vec<PathBuf>) =
                files.into_iter().partition(|f| {
                    f.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| EVIDENCE_TYPES.contains(&e.to_ascii_lowercase().as_str()))
                });
            if images.is_empty() {
                let names: Vec<String> = others
                    .iter()
                    .take(3)
                    .map(|f| {
                        f.file_name()
                            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                    })
                    .collect();
                return Err(format!(
                    "复制的文件（{}）不是图片，粘贴只接受 PNG、JPG 图片。其他证据文件请用“添加截图或文件…”添加。",
                    names.join("、")
                ));
            }
            Ok(images.into_iter().map(NewEvidence::Path).collect())
        }
        Clipped::Nothing => Err(
            "剪贴板里没有截图。请先截图（例如按 PrtSc 或用截图工具），再按 Ctrl+V。".to_owned(),
        ),
        Clipped::Unreadable => Err(
            "剪贴板里的图片格式无法识别。请把图片另存为 PNG 或 JPG 文件，再用“添加截图或文件…”添加。"
                .to_owned(),
        ),
        Clipped::Unavailable(detail) => Err(format!(
            "无法读取剪贴板，请稍后再试，或用“添加截图或文件…”添加（{detail}）。"
        )),
    }
}
