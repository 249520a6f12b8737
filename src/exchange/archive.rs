//! Writing and reading the zip container of a package, with every check made before anything
//! is returned.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zip::ZipArchive;
use zip::write::SimpleFileOptions;

use super::{
    EvidenceFile, FORMAT, FORMAT_VERSION, MAX_DATA_BYTES, MAX_ENTRIES, MAX_PACKAGE_BYTES, Manifest,
    OLDEST_READABLE, Package, PackageData, PackageError, sha256_hex,
};
use crate::model::{MAX_EVIDENCE_BYTES, is_web_link};

/// Writes a package: `manifest` gets the checksums filled in; `evidence` are (sha256, file)
/// pairs read from disk. Written to a temporary name and renamed, so a full USB stick never
/// leaves half a package under the real name.
pub fn write_package(
    path: &Path,
    mut manifest: Manifest,
    data: &PackageData,
    evidence: &[(String, PathBuf)],
) -> Result<Manifest, PackageError> {
    let write_err = |source: std::io::Error| PackageError::Write {
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_vec_pretty(data).map_err(|e| write_err(e.into()))?;
    manifest.format = FORMAT.to_owned();
    manifest.format_version = FORMAT_VERSION;
    manifest.data_sha256 = sha256_hex(&json);
    manifest.evidence.clear();
    let mut files = Vec::new();
    for (sha, file) in evidence {
        if manifest.evidence.iter().any(|e| &e.sha256 == sha) {
            continue;
        }
        let bytes = std::fs::read(file).map_err(|source| PackageError::Read {
            path: file.clone(),
            source,
        })?;
        if &sha256_hex(&bytes) != sha {
            return Err(PackageError::Tampered {
                path: file.clone(),
                what: "本机保存的证据文件".to_owned(),
            });
        }
        manifest.evidence.push(EvidenceFile {
            sha256: sha.clone(),
            size: bytes.len() as u64,
        });
        files.push((sha.clone(), bytes));
    }
    let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| write_err(e.into()))?;
    let partial = path.with_extension("partial");
    let result = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&partial)?;
        let mut zip = zip::ZipWriter::new(file);
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("manifest.json", options)?;
        zip.write_all(&manifest_json)?;
        zip.start_file("data.json", options)?;
        zip.write_all(&json)?;
        for (sha, bytes) in &files {
            // Screenshots are compressed already.
            let stored = options.compression_method(zip::CompressionMethod::Stored);
            zip.start_file(format!("evidence/{sha}"), stored)?;
            zip.write_all(bytes)?;
        }
        let file = zip.finish().map_err(std::io::Error::other)?;
        file.sync_all()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(write_err(e));
    }
    std::fs::rename(&partial, path).map_err(write_err)?;
    Ok(manifest)
}

/// Reads and validates a package. Refused, with the reason, when it is not a package, of a
/// newer format, too large, holds an unexpected entry, or fails a checksum.
pub fn read_package(path: &Path) -> Result<Package, PackageError> {
    let not_package = |detail: &str| PackageError::NotPackage {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let damaged = |detail: String| PackageError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let meta = std::fs::metadata(path).map_err(|source| PackageError::Read {
        path: path.to_owned(),
        source,
    })?;
    if meta.len() > MAX_PACKAGE_BYTES {
        return Err(PackageError::TooLarge {
            path: path.to_owned(),
            what: size_text(meta.len()),
        });
    }
    let file = std::fs::File::open(path).map_err(|source| PackageError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut zip = ZipArchive::new(file).map_err(|_| not_package("不是 zip 格式或文件不完整"))?;
    if zip.len() > MAX_ENTRIES {
        return Err(PackageError::TooLarge {
            path: path.to_owned(),
            what: format!("{} 个文件", zip.len()),
        });
    }
    // The zip reader keeps the last of two entries of one name: which copy counts would be
    // arbitrary, so neither does. Entries sharing bytes are a crafted archive.
    if zip.has_duplicate_names() {
        return Err(PackageError::DuplicateEntry {
            path: path.to_owned(),
            entry: "同名的两个文件".to_owned(),
        });
    }
    if zip.has_overlapping_entries().unwrap_or(true) {
        return Err(damaged("文件中的内容互相重叠".to_owned()));
    }
    // Every entry must be one we know, once: nothing else, no path that could leave the
    // evidence folder, and no name twice (which of two copies a reader takes is arbitrary).
    let mut names = std::collections::HashSet::new();
    let mut evidence_entries = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| damaged(e.to_string()))?;
        let name = entry
            .name()
            .map_err(|e| damaged(e.to_string()))?
            .into_owned();
        let ok = name == "manifest.json"
            || name == "data.json"
            || name.strip_prefix("evidence/").is_some_and(|h| {
                h.len() == 64
                    && h.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
        if !ok {
            return Err(PackageError::BadEntry {
                path: path.to_owned(),
                entry: name,
            });
        }
        if !names.insert(name.clone()) {
            return Err(PackageError::DuplicateEntry {
                path: path.to_owned(),
                entry: name,
            });
        }
        if let Some(hash) = name.strip_prefix("evidence/") {
            evidence_entries.push(hash.to_owned());
        }
    }
    let manifest_bytes = read_entry(&mut zip, path, "manifest.json", 1024 * 1024)?
        .ok_or_else(|| not_package("缺少 manifest.json"))?;
    let head: serde_json::Value = serde_json::from_slice(&manifest_bytes)
        .map_err(|_| not_package("manifest.json 无法解析"))?;
    if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(not_package("格式标记不符"));
    }
    let version = head
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if version < u64::from(OLDEST_READABLE) {
        return Err(PackageError::OlderFormat {
            path: path.to_owned(),
            version: u32::try_from(version).unwrap_or(0),
        });
    }
    if version > u64::from(FORMAT_VERSION) {
        return Err(PackageError::NewerFormat {
            path: path.to_owned(),
            version: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    let manifest: Manifest = serde_json::from_value(head).map_err(|e| {
        damaged(format!(
            "manifest.json 内容不完整（第 {} 行第 {} 列）",
            e.line(),
            e.column()
        ))
    })?;
    let data_bytes = read_entry(&mut zip, path, "data.json", MAX_DATA_BYTES)?
        .ok_or_else(|| damaged("缺少 data.json".to_owned()))?;
    if sha256_hex(&data_bytes) != manifest.data_sha256 {
        return Err(PackageError::Tampered {
            path: path.to_owned(),
            what: "data.json".to_owned(),
        });
    }
    let data: PackageData = serde_json::from_slice(&data_bytes).map_err(|e| {
        damaged(format!(
            "data.json 无法解析（第 {} 行第 {} 列）",
            e.line(),
            e.column()
        ))
    })?;
    check_evidence_references(path, &manifest, &data, &evidence_entries)?;
    let mut evidence = Vec::with_capacity(manifest.evidence.len());
    for e in &manifest.evidence {
        if e.size > MAX_EVIDENCE_BYTES {
            return Err(PackageError::TooLarge {
                path: path.to_owned(),
                what: format!("证据文件 {}", size_text(e.size)),
            });
        }
        // Read up to the real limit: a file larger than the manifest says was altered.
        let bytes = read_entry(
            &mut zip,
            path,
            &format!("evidence/{}", e.sha256),
            MAX_EVIDENCE_BYTES,
        )?
        .ok_or_else(|| damaged(format!("缺少证据文件 {}", e.sha256)))?;
        if bytes.len() as u64 != e.size || sha256_hex(&bytes) != e.sha256 {
            return Err(PackageError::Tampered {
                path: path.to_owned(),
                what: format!("证据文件 {}", e.sha256),
            });
        }
        evidence.push((e.sha256.clone(), bytes));
    }
    Ok(Package {
        manifest,
        data,
        evidence,
    })
}

/// Where the exporting database's log stood, from the manifest of the package at `path` alone
/// (`None` when it is not a package or says nothing).
#[must_use]
pub fn read_log_head(path: &Path) -> Option<crate::model::LogHead> {
    let mut zip = ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
    let bytes = read_entry(&mut zip, path, "manifest.json", 1024 * 1024).ok()??;
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    serde_json::from_value(manifest.get("log")?.clone()).ok()
}

/// Every evidence file in the zip is listed in the manifest, every file the data refers to is
/// listed, and every link is a web link.
fn check_evidence_references(
    path: &Path,
    manifest: &Manifest,
    data: &PackageData,
    entries: &[String],
) -> Result<(), PackageError> {
    let listed: std::collections::HashSet<&str> = manifest
        .evidence
        .iter()
        .map(|e| e.sha256.as_str())
        .collect();
    if let Some(extra) = entries.iter().find(|h| !listed.contains(h.as_str())) {
        return Err(PackageError::BadEntry {
            path: path.to_owned(),
            entry: format!("evidence/{extra}（清单中没有这个证据文件）"),
        });
    }
    for inspection in &data.inspections {
        for e in &inspection.evidence {
            if let Some(url) = &e.url
                && !is_web_link(url)
            {
                return Err(PackageError::BadLink {
                    path: path.to_owned(),
                    account: inspection.account_key.clone(),
                    url: url.chars().take(200).collect(),
                });
            }
            if let Some(sha) = &e.sha256
                && !listed.contains(sha.as_str())
            {
                return Err(PackageError::Damaged {
                    path: path.to_owned(),
                    detail: format!("缺少证据文件 {sha}"),
                });
            }
        }
    }
    Ok(())
}

/// Reads one entry, refusing more than `limit` bytes whatever the archive declares.
fn read_entry(
    zip: &mut ZipArchive<std::fs::File>,
    path: &Path,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, PackageError> {
    let mut entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => {
            return Err(PackageError::Damaged {
                path: path.to_owned(),
                detail: format!("其中的 {name} 无法读取"),
            });
        }
    };
    if entry.size() > limit {
        return Err(PackageError::TooLarge {
            path: path.to_owned(),
            what: format!("{name} 解压后 {}", size_text(entry.size())),
        });
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| PackageError::Damaged {
            path: path.to_owned(),
            detail: format!("{name}：{}", crate::model::os_error::describe(&e)),
        })?;
    if bytes.len() as u64 > limit {
        return Err(PackageError::TooLarge {
            path: path.to_owned(),
            what: format!("{name} 解压后超过 {}", size_text(limit)),
        });
    }
    Ok(Some(bytes))
}

/// A size as people read it: 3.2 MB, 640 KB, 12 字节.
pub(super) fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}
