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
    /// The clipboard itself could not be opened.
    Unavailable,
}

/// Where the window reads the clipboard from (the system's; tests give their own).
pub type ClipboardSource = Arc<dyn Fn() -> Clipped + Send + Sync>;

/// The system clipboard.
#[must_use]
pub fn system() -> ClipboardSource {
    Arc::new(read_system)
}

fn read_system() -> Clipped {
    let Ok(mut clipboard) = arboard::Clipboard::new() else {
        return Clipped::Unavailable;
    };
    match clipboard.get_image() {
        Ok(image) => Clipped::Image {
            width: image.width,
            height: image.height,
            rgba: image.bytes.into_owned(),
        },
        Err(arboard::Error::ConversionFailure) => Clipped::Unreadable,
        // No picture (X11 says so as an error of its own when the clipboard holds text): files
        // copied in a file manager, as a list or, with some file managers, as text (their
        // file:// addresses or paths, one a line).
        Err(e) => {
            if let Ok(files) = clipboard.get().file_list()
                && !files.is_empty()
            {
                return Clipped::Files(files);
            }
            match clipboard.get_text() {
                Ok(text) => match files_in_text(&text) {
                    files if files.is_empty() => Clipped::Nothing,
                    files => Clipped::Files(files),
                },
                Err(_) if matches!(e, arboard::Error::ContentNotAvailable) => Clipped::Nothing,
                Err(_) => Clipped::Unavailable,
            }
        }
    }
}

/// The files named in `text`, one a line, as file:// addresses or absolute paths; none when a
/// line is anything else (then the text is not a copy of files) or names no existing file.
#[must_use]
pub fn files_in_text(text: &str) -> Vec<PathBuf> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let path = match l.strip_prefix("file://") {
                // file://host/path: only this computer's files (an empty host or localhost).
                Some(rest) => {
                    let path = rest.strip_prefix("localhost").unwrap_or(rest);
                    path.starts_with('/').then(|| {
                        percent_encoding::percent_decode_str(path)
                            .decode_utf8_lossy()
                            .into_owned()
                    })?
                }
                None => l.to_owned(),
            };
            let path = PathBuf::from(path);
            (path.is_absolute() && path.is_file()).then_some(path)
        })
        .collect::<Option<Vec<PathBuf>>>()
        .unwrap_or_default()
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
        // The system's own words are not shown: they are English and say nothing the user
        // can act on.
        Clipped::Unavailable => Err(
            "无法读取剪贴板，请稍后再试，或用“添加截图或文件…”添加。".to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::files_in_text;

    #[test]
    fn copied_files_read_as_text_are_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let one = dir.path().join("截图 一.png");
        let two = dir.path().join("b.jpg");
        std::fs::write(&one, b"png").expect("write");
        std::fs::write(&two, b"jpg").expect("write");
        let uri = |p: &std::path::Path| {
            let text = p.to_str().expect("utf-8");
            format!(
                "file://{}",
                percent_encoding::utf8_percent_encode(text, percent_encoding::CONTROLS)
                    .to_string()
                    .replace(' ', "%20")
            )
        };
        // As a file manager writes them (a comment line, CRLF), or as plain paths.
        let listed = format!("# copied\r\n{}\r\n{}\r\n", uri(&one), uri(&two));
        assert_eq!(files_in_text(&listed), [one.clone(), two.clone()]);
        let plain = format!("{}\n{}", one.display(), two.display());
        assert_eq!(files_in_text(&plain), [one.clone(), two]);
        // Ordinary text, a missing file, another computer's file: not a copy of files.
        for text in [
            "11月未备案".to_owned(),
            format!("{}\n说明文字", one.display()),
            "file:///没有这个文件.png".to_owned(),
            "file://server/share/a.png".to_owned(),
            "relative/a.png".to_owned(),
            String::new(),
        ] {
            assert!(files_in_text(&text).is_empty(), "{text:?}");
        }
    }
}
