//! Writing and reading the zip container of a package, with every check made before anything
//! is returned.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

use super::wire::{WireData, WireManifest, account_text};
use super::{
    EvidenceFile, FORMAT, FORMAT_VERSION, MAX_DATA_BYTES, MAX_ENTRIES, MAX_PACKAGE_BYTES, Manifest,
    OLDEST_READABLE, Package, PackageData, PackageError, PackageKind, sha256_hex,
};
use crate::checklist::Checklist;
use crate::model::os_error::describe;
use crate::model::{MAX_EVIDENCE_BYTES, is_web_link};

/// Writes a package: `manifest` gets the checksums filled in; `evidence` are (sha256, file)
/// pairs on disk, each streamed into the zip and checked against its hash on the way (never
/// held in memory). Written to a temporary name and renamed, so a full USB stick or a local
/// file that no longer matches its hash never leaves half a package under the real name.
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
    FORMAT.clone_into(&mut manifest.format);
    manifest.format_version = FORMAT_VERSION;
    manifest.data_sha256 = sha256_hex(&json);
    manifest.evidence.clear();
    let mut files = Vec::new();
    for (sha, file) in evidence {
        if manifest.evidence.iter().any(|e| &e.sha256 == sha) {
            continue;
        }
        let size = std::fs::metadata(file)
            .map_err(|source| PackageError::Read {
                path: file.clone(),
                source,
            })?
            .len();
        manifest.evidence.push(EvidenceFile {
            sha256: sha.clone(),
            size,
        });
        files.push((sha, file, size));
    }
    let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| write_err(e.into()))?;
    let partial = path.with_extension("partial");
    let result = (|| -> Result<(), PackageError> {
        let file = std::fs::File::create(&partial).map_err(write_err)?;
        let mut zip = zip::ZipWriter::new(super::zip_out::StopAfterError::new(
            std::io::BufWriter::with_capacity(COPY_BUFFER, file),
        ));
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let zip_err = |e: zip::result::ZipError| write_err(super::zip_out::io_error(e));
        zip.start_file("manifest.json", options).map_err(zip_err)?;
        zip.write_all(&manifest_json).map_err(write_err)?;
        zip.start_file("data.json", options).map_err(zip_err)?;
        zip.write_all(&json).map_err(write_err)?;
        for (sha, source, size) in &files {
            // Screenshots are compressed already.
            let stored = options.compression_method(zip::CompressionMethod::Stored);
            zip.start_file(format!("evidence/{sha}"), stored)
                .map_err(zip_err)?;
            let mut input = std::fs::File::open(source).map_err(|e| PackageError::Read {
                path: (*source).clone(),
                source: e,
            })?;
            let mut out = Hashing::new(&mut zip);
            copy(&mut input, &mut out).map_err(|e| match e {
                CopyError::Read(e) => PackageError::Read {
                    path: (*source).clone(),
                    source: e,
                },
                CopyError::Write(e) => write_err(e),
            })?;
            if out.bytes != *size || out.hex() != **sha {
                return Err(PackageError::Tampered {
                    path: (*source).clone(),
                    what: "本机保存的证据文件".to_owned(),
                });
            }
        }
        let file = zip
            .finish()
            .map_err(zip_err)?
            .into_inner()
            .map_err(write_err)?;
        let file = file.into_inner().map_err(|e| write_err(e.into_error()))?;
        file.sync_all().map_err(write_err)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, path).map_err(write_err)?;
    Ok(manifest)
}

/// Reads and validates a package. Refused, with the reason, when it is not a package, of a
/// newer format, too large, holds an unexpected entry or a value the format has no place for,
/// or fails a checksum. Evidence files are checked by streaming them through their hash; they
/// stay in the file until [`Package::unpack_evidence`].
pub fn read_package(path: &Path) -> Result<Package, PackageError> {
    let not_package = |detail: &str| PackageError::NotPackage {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let damaged = |detail: String| PackageError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let mut zip = open_zip(path)?;
    let evidence_entries = evidence_entries(&mut zip, path)?;
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
    let manifest = WireManifest::deserialize(head)
        .map_err(|e| {
            damaged(format!(
                "manifest.json 内容不完整（第 {} 行第 {} 列）",
                e.line(),
                e.column()
            ))
        })?
        .typed(path)?;
    let data_bytes = read_entry(&mut zip, path, "data.json", MAX_DATA_BYTES)?
        .ok_or_else(|| damaged("缺少 data.json".to_owned()))?;
    if sha256_hex(&data_bytes) != manifest.data_sha256 {
        return Err(PackageError::Tampered {
            path: path.to_owned(),
            what: "data.json".to_owned(),
        });
    }
    let data = serde_json::from_slice::<WireData>(&data_bytes)
        .map_err(|e| {
            damaged(format!(
                "data.json 无法解析（第 {} 行第 {} 列）",
                e.line(),
                e.column()
            ))
        })?
        .typed(path, manifest.quarter)?;
    drop(data_bytes);
    within_draw(&data).map_err(damaged)?;
    let checklist = match (&data.checklist, manifest.kind) {
        (Some(v), _) => {
            Some(
                Checklist::deserialize(v).map_err(|_| PackageError::BadChecklist {
                    path: path.to_owned(),
                    detail: "无法读取",
                })?,
            )
        }
        (None, PackageKind::Work) => {
            return Err(PackageError::BadChecklist {
                path: path.to_owned(),
                detail: "缺失",
            });
        }
        (None, PackageKind::Results) => None,
    };
    check_evidence_references(path, &manifest, &data, &evidence_entries)?;
    for e in &manifest.evidence {
        if e.size > MAX_EVIDENCE_BYTES {
            return Err(PackageError::TooLarge {
                path: path.to_owned(),
                what: format!("证据文件 {}", size_text(e.size)),
            });
        }
        stream_evidence(&mut zip, path, e, (&mut std::io::sink(), path))?;
    }
    Ok(Package {
        manifest,
        data,
        checklist,
        path: path.to_owned(),
    })
}

/// A package holds at most its draw's accounts (drawn and 复查), once each.
fn within_draw(data: &PackageData) -> Result<(), String> {
    let sampled = data.draw.sampled + data.draw.rechecks;
    for (what, n) in [
        ("账号", data.accounts.len()),
        ("检查", data.inspections.len()),
    ] {
        if n > sampled {
            return Err(format!(
                "列出了 {n} 个{what}，多于它所属抽样的 {sampled} 个抽查账号"
            ));
        }
    }
    Ok(())
}

impl Package {
    /// Puts the package's evidence files where `places` say: (sha256, file) pairs, the same
    /// hash possibly under several names. Each missing file is streamed from the package to a
    /// temporary file beside it while its size and SHA-256 are checked, then renamed; a file
    /// already there is kept. Returns the files created; on any failure those and the
    /// temporary file are removed and nothing is left behind.
    pub fn unpack_evidence(
        &self,
        places: &[(String, PathBuf)],
    ) -> Result<Vec<PathBuf>, PackageError> {
        let mut created = Vec::new();
        let result = self.unpack_into(places, &mut created);
        if result.is_err() {
            for file in &created {
                let _ = std::fs::remove_file(file);
            }
            created.clear();
        }
        result.map(|()| created)
    }

    fn unpack_into(
        &self,
        places: &[(String, PathBuf)],
        created: &mut Vec<PathBuf>,
    ) -> Result<(), PackageError> {
        let mut zip = None;
        let mut unpacked: std::collections::HashMap<&str, &Path> = std::collections::HashMap::new();
        for (sha, target) in places {
            if target.exists() {
                continue;
            }
            // The same content under another name: copied from the first.
            if let Some(first) = unpacked.get(sha.as_str()) {
                copy_file(first, target)?;
                created.push(target.clone());
                continue;
            }
            let Some(entry) = self.manifest.evidence.iter().find(|e| &e.sha256 == sha) else {
                return Err(PackageError::Damaged {
                    path: self.path.clone(),
                    detail: format!("缺少证据文件 {sha}"),
                });
            };
            let zip = match &mut zip {
                Some(z) => z,
                None => zip.insert(open_zip(&self.path)?),
            };
            let write_err = |source| PackageError::Write {
                path: target.clone(),
                source,
            };
            let partial = crate::model::evidence_staging_path(target);
            for dir in [target.parent(), partial.parent()].into_iter().flatten() {
                std::fs::create_dir_all(dir).map_err(write_err)?;
            }
            let written = (|| {
                let file = std::fs::File::create(&partial).map_err(write_err)?;
                let mut out = std::io::BufWriter::with_capacity(COPY_BUFFER, file);
                stream_evidence(zip, &self.path, entry, (&mut out, target))?;
                let file = out.into_inner().map_err(|e| write_err(e.into_error()))?;
                file.sync_all().map_err(write_err)?;
                std::fs::rename(&partial, target).map_err(write_err)
            })();
            if let Err(e) = written {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            created.push(target.clone());
            unpacked.insert(sha, target);
        }
        Ok(())
    }
}

/// Copies `from` (evidence unpacked just before, so its staging folder is there) to `to`
/// under its staging name, renamed once complete.
fn copy_file(from: &Path, to: &Path) -> Result<(), PackageError> {
    let partial = crate::model::evidence_staging_path(to);
    let result = std::fs::copy(from, &partial)
        .and_then(|_| std::fs::File::open(&partial)?.sync_all())
        .and_then(|()| std::fs::rename(&partial, to));
    result.map_err(|source| {
        let _ = std::fs::remove_file(&partial);
        PackageError::Write {
            path: to.to_owned(),
            source,
        }
    })
}

/// The hashes of the evidence entries of `zip`, once every entry is known to be one a package
/// has, once: nothing else, no path that could leave the evidence folder, and no name twice
/// (which of two copies a reader takes is arbitrary).
fn evidence_entries(
    zip: &mut ZipArchive<std::fs::File>,
    path: &Path,
) -> Result<Vec<String>, PackageError> {
    let damaged = |detail: String| PackageError::Damaged {
        path: path.to_owned(),
        detail,
    };
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
    Ok(evidence_entries)
}

/// The package at `path` opened as a zip, refused when too large, of too many entries, or
/// crafted (two entries of one name, or sharing bytes).
fn open_zip(path: &Path) -> Result<ZipArchive<std::fs::File>, PackageError> {
    let meta = std::fs::metadata(path).map_err(|source| PackageError::Read {
        path: path.to_owned(),
        source,
    })?;
    // A pipe or a device would block the read (holding the database) or never end.
    if !meta.is_file() {
        return Err(PackageError::NotPackage {
            path: path.to_owned(),
            detail: "不是普通文件（是文件夹、管道或设备）".to_owned(),
        });
    }
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
    let mut zip = ZipArchive::new(file).map_err(|_| PackageError::NotPackage {
        path: path.to_owned(),
        detail: "不是 zip 格式或文件不完整".to_owned(),
    })?;
    if let Err(detail) =
        super::one_zip_exactly(path, zip.offset()).and_then(|()| super::methods_supported(&mut zip))
    {
        return Err(PackageError::Damaged {
            path: path.to_owned(),
            detail: detail.to_owned(),
        });
    }
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
        return Err(PackageError::Damaged {
            path: path.to_owned(),
            detail: "文件中的内容互相重叠".to_owned(),
        });
    }
    Ok(zip)
}

/// Streams the evidence entry `e` to `out`, refusing it unless it is exactly the size and
/// SHA-256 the manifest says (read up to the real limit: a file larger than the manifest says
/// was altered).
fn stream_evidence(
    zip: &mut ZipArchive<std::fs::File>,
    path: &Path,
    e: &EvidenceFile,
    (out, out_path): (&mut impl Write, &Path),
) -> Result<(), PackageError> {
    let name = format!("evidence/{}", e.sha256);
    let damaged = |detail: String| PackageError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let mut entry = match zip.by_name(&name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(damaged(format!("缺少证据文件 {}", e.sha256)));
        }
        Err(_) => return Err(damaged(format!("其中的 {name} 无法读取"))),
    };
    let tampered = || PackageError::Tampered {
        path: path.to_owned(),
        what: format!("证据文件 {}", e.sha256),
    };
    if entry.size() != e.size {
        return Err(tampered());
    }
    let mut hashing = Hashing::new(out);
    copy(&mut (&mut entry).take(e.size + 1), &mut hashing).map_err(|err| match err {
        CopyError::Read(err) => damaged(format!("{name}：{}", describe(&err))),
        CopyError::Write(source) => PackageError::Write {
            path: out_path.to_owned(),
            source,
        },
    })?;
    if hashing.bytes != e.size || hashing.hex() != e.sha256 {
        return Err(tampered());
    }
    Ok(())
}

/// How much of a file is read or written at a time while streaming evidence.
const COPY_BUFFER: usize = 256 * 1024;

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn hex(&self) -> String {
        crate::model::digest::hex(&self.hasher.clone().finalize())
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Which side of a copy failed.
enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Copies `input` to `out` through a fixed buffer, telling a failed read from a failed write.
fn copy(input: &mut impl Read, out: &mut impl Write) -> Result<(), CopyError> {
    let mut buf = vec![0u8; COPY_BUFFER];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        out.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
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
                    account: account_text(&inspection.account_key, &data.accounts),
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

/// Why an entry of a zip could not be read whole.
pub(crate) enum EntryProblem {
    /// The archive's entry cannot be read (damaged): what went wrong.
    Unreadable(String),
    /// It holds more than the limit: how much, as users read it.
    TooLarge(String),
}

/// Reads entry `name` of `zip`, refusing more than `limit` bytes whatever the archive
/// declares; `None` when there is no such entry. Shared by the work, result and 上报 packages.
pub(crate) fn read_bounded(
    zip: &mut ZipArchive<std::fs::File>,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, EntryProblem> {
    let mut entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => return Err(EntryProblem::Unreadable(format!("其中的 {name} 无法读取"))),
    };
    if entry.size() > limit {
        return Err(EntryProblem::TooLarge(format!(
            "{name} 解压后 {}",
            size_text(entry.size())
        )));
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            EntryProblem::Unreadable(format!("{name}：{}", crate::model::os_error::describe(&e)))
        })?;
    if bytes.len() as u64 > limit {
        return Err(EntryProblem::TooLarge(format!(
            "{name} 解压后超过 {}",
            size_text(limit)
        )));
    }
    Ok(Some(bytes))
}

/// [`read_bounded`] with the package's own errors.
fn read_entry(
    zip: &mut ZipArchive<std::fs::File>,
    path: &Path,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, PackageError> {
    read_bounded(zip, name, limit).map_err(|problem| match problem {
        EntryProblem::Unreadable(detail) => PackageError::Damaged {
            path: path.to_owned(),
            detail,
        },
        EntryProblem::TooLarge(what) => PackageError::TooLarge {
            path: path.to_owned(),
            what,
        },
    })
}

pub(crate) fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}
