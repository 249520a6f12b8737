//! A package is one zip and nothing else: checked before its entries are trusted.

use std::path::Path;

/// Whether the zip at `path`, found `offset` bytes into the file, is the whole file: it starts
/// at the first byte and ends with its own end record (packages are written without a zip
/// comment). A zip reader takes the last end record it finds, so a package with another
/// appended, or bytes added around it, would be read as something else than was written.
pub fn one_zip_exactly(path: &Path, offset: u64) -> Result<(), &'static str> {
    use std::io::{Read, Seek, SeekFrom};
    const END_RECORD: usize = 22;
    if offset != 0 {
        return Err("文件开头有多余的数据（可能是两个包接在一起，或复制时出错）");
    }
    let mut tail = [0u8; END_RECORD];
    std::fs::File::open(path)
        .and_then(|mut f| {
            f.seek(SeekFrom::End(-i64::try_from(END_RECORD).unwrap_or(22)))?;
            f.read_exact(&mut tail)
        })
        .map_err(|_| "文件不完整")?;
    // The end record's signature, and a comment length of zero.
    if tail[..4] != [0x50, 0x4b, 0x05, 0x06] || tail[20..] != [0, 0] {
        return Err("文件末尾有多余的数据（可能是两个包接在一起，或复制时出错）");
    }
    Ok(())
}

/// Whether every entry of `zip` is stored or deflated, as packages are written: an entry a
/// zip tool recompressed (bzip2, LZMA…) cannot be read, and is named as such rather than as
/// damaged.
pub fn methods_supported<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Result<(), &'static str> {
    for i in 0..zip.len() {
        let method = zip
            .by_index_raw(i)
            .map_err(|_| "目录无法读取")?
            .compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            return Err("其中的文件被压缩工具用别的方式重新压缩过，无法读取；请使用原来导出的包");
        }
    }
    Ok(())
}
