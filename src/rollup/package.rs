//! The 上报包 (report package): one reporting office's quarter, signed with its office key.
//!
//! A zip file (`.spotcheck`, like work packages) of exactly three entries: `manifest.json`
//! (format, who, which quarter, the SM3 of `data.json`, the public key and its fingerprint),
//! `data.json` (the draw with its population as keys and strata, the sample, every sampled
//! account's verdict and problems, 整改, the notice date and the totals the notice states) and
//! `manifest.sig`, the SM2 signature of the exact bytes of `manifest.json`. No evidence files:
//! links only.
//!
//! Reading is in two steps, so that a refusal can still say whose package it was:
//! [`read_report`] checks the container and reads the manifest (limits, entries, format);
//! [`RawReport::open`] checks the signature with the key the manifest carries, the data against
//! the signed hash, and reads every value into its type. Whether that key is the one
//! registered for the reporter is [`super::verify`]'s question.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

use super::key::{OfficeKey, PublicKey, SIGNATURE_ALGORITHM};
use crate::model::os_error::describe;
use crate::model::{LogHead, Quarter, is_web_link};

/// The `format` of every 上报包 manifest.
pub const FORMAT: &str = "spotcheck-report";
/// The version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Largest package read: 512 MiB (a 100,000-account city is a few MiB).
pub const MAX_PACKAGE_BYTES: u64 = 512 * 1024 * 1024;
/// Largest `data.json` once unpacked.
pub const MAX_DATA_BYTES: u64 = 512 * 1024 * 1024;
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
const MAX_SIGNATURE_BYTES: u64 = 1024;
const ENTRIES: [&str; 3] = ["manifest.json", "data.json", "manifest.sig"];

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportManifest {
    pub format: String,
    pub format_version: u32,
    /// Unique per package: importing it twice changes nothing.
    pub package_id: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    /// The region reported on (the reporter's 地区名称), and the issuing office.
    pub region: String,
    pub office: String,
    pub quarter: String,
    /// SM3 of `data.json`, hex.
    pub data_sm3: String,
    pub signature_algorithm: String,
    /// The signer's SM2 public key (PEM) and its fingerprint.
    pub public_key: String,
    pub fingerprint: String,
    /// Where the reporter's operation log stood.
    #[serde(default)]
    pub log: Option<LogHead>,
}

/// The draw as the reporter recorded it: what re-deriving it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDraw {
    pub rate_bp: u32,
    /// `county`, `city`, `platform` or `none`.
    pub strata: String,
    pub seed: u64,
    pub algorithm: String,
    pub algorithm_version: u32,
    pub prefer_not_drawn_in: u32,
    pub population: usize,
    pub population_hash: String,
    pub drawn_at: NaiveDateTime,
    pub drawn_by: String,
    /// Each stratum's population and sample size, in the draw's order.
    pub strata_counts: Vec<ReportStratum>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportStratum {
    pub key: String,
    pub population: usize,
    pub sampled: usize,
}

/// One account of the population: its key, stratum and whether it was drawn recently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportMember {
    pub key: String,
    pub stratum: String,
    pub recent: bool,
}

/// One problem found on a sampled account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportProblem {
    pub item: String,
    /// As the notice names it (监测时间点前2周内无更新).
    pub category: String,
    pub veto: bool,
    pub note: String,
    #[serde(default)]
    pub links: Vec<String>,
}

/// One sampled account (drawn or 复查) and how its check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAccount {
    pub key: String,
    pub platform: String,
    pub account_id: String,
    pub name: String,
    pub host_unit: String,
    pub city: String,
    pub county: String,
    pub stratum: String,
    pub drawn: bool,
    pub recheck: bool,
    /// 合格, 不合格, or absent while the check is not finished.
    pub verdict: Option<String>,
    pub problems: Vec<ReportProblem>,
}

/// A 整改 problem and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRectification {
    pub code: String,
    pub account_key: String,
    pub item: String,
    pub category: String,
    pub veto: bool,
    pub issued_on: String,
    pub deadline: String,
    /// 待整改, 已反馈, 逾期未反馈, 反馈未整改, 已复核关闭, 复核未通过.
    pub status: String,
    pub completed_on: Option<String>,
    /// The day the unit's first reply came in (a reply lacking something counts), if one did:
    /// 按期反馈 when it is not after the deadline.
    #[serde(default)]
    pub replied_on: Option<String>,
}

/// The notice as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportNotice {
    pub exported_on: String,
    /// 文号, when entered.
    #[serde(default)]
    pub number: Option<String>,
}

/// The totals the reporter's notice states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTotals {
    pub population: usize,
    pub sampled: usize,
    pub passed: usize,
    pub failed: usize,
}

/// `data.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportData {
    pub quarter: String,
    pub region: String,
    pub draw: ReportDraw,
    /// The population drawn from, in key order.
    pub population: Vec<ReportMember>,
    /// The keys drawn at random, in draw order (复查 accounts not drawn at random left out).
    pub sampled: Vec<String>,
    /// Every account of the 抽查名单, with its verdict.
    pub accounts: Vec<ReportAccount>,
    pub totals: ReportTotals,
    pub rectifications: Vec<ReportRectification>,
    /// Whether the rectifications carry the day of their first reply (`replied_on`): packages
    /// made before it was recorded do not, and give no 按期反馈率.
    #[serde(default)]
    pub replies_recorded: bool,
    pub notice: Option<ReportNotice>,
}

/// Why a 上报包 could not be written or read. Nothing was changed. Messages are what users see.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("无法读取文件 {path}：{}", describe(.source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("无法写入文件 {}：{}。原来的文件（如果有）没有改动；请确认磁盘或 U 盘还有空间、目标文件夹可以写入，或换一个位置保存。", path.display(), describe(.source))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} 不是本软件的上报包（{detail}）。")]
    NotReport { path: PathBuf, detail: String },
    #[error(
        "{path} 由更新版本的本软件 生成（上报包格式第 {version} 版，本机只能读取第 {FORMAT_VERSION} 版），请先升级本机的本软件。"
    )]
    NewerFormat { path: PathBuf, version: u32 },
    #[error("{path} 太大（{what}），超过了允许的上限，已拒绝读取。")]
    TooLarge { path: PathBuf, what: String },
    #[error(
        "{path} 不完整或已损坏（{detail}），文件可能没有复制完整。请重新复制或让上报单位重新导出。"
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "{path} 签名无效：{detail}。这个包在上报单位签名之后被改动过，或不是所附公钥签名的，已拒绝导入。请让上报单位重新导出。"
    )]
    BadSignature { path: PathBuf, detail: String },
    #[error(
        "{path} 中{place}“{value}”无法识别（{expected}）。这个包可能由不兼容的程序生成，已拒绝导入。"
    )]
    BadValue {
        path: PathBuf,
        place: String,
        value: String,
        expected: &'static str,
    },
    #[error("{path} 的内容前后不一致（{detail}），已拒绝导入。请让上报单位重新导出。")]
    Inconsistent { path: PathBuf, detail: String },
}

impl ReportError {
    /// The short reason on the reporter's row (签名无效, 上报包无法读取).
    #[must_use]
    pub fn flag(&self) -> &'static str {
        match self {
            Self::BadSignature { .. } => "签名无效",
            _ => "上报包无法读取",
        }
    }
}

/// SM3 in hex.
#[must_use]
pub fn sm3_hex(bytes: &[u8]) -> String {
    crate::model::digest::hex(&Sm3::digest(bytes))
}

/// The file name offered: 某市-2026Q4-上报.spotcheck.
#[must_use]
pub fn file_name(region: &str, quarter: Quarter) -> String {
    let who = crate::export::file_stem(if region.trim().is_empty() {
        "本地区"
    } else {
        region
    });
    format!("{who}-{quarter}-上报.spotcheck")
}

/// Writes a signed 上报包: `manifest` gets the data hash, the public key and fingerprint filled
/// in, and is signed with `key`. Written under a temporary name and renamed.
pub fn write_report(
    path: &Path,
    mut manifest: ReportManifest,
    data: &ReportData,
    key: &OfficeKey,
) -> Result<ReportManifest, ReportError> {
    let write_err = |source: std::io::Error| ReportError::Write {
        path: path.to_owned(),
        source,
    };
    let data_bytes = serde_json::to_vec(data).map_err(|e| write_err(e.into()))?;
    FORMAT.clone_into(&mut manifest.format);
    manifest.format_version = FORMAT_VERSION;
    manifest.data_sm3 = sm3_hex(&data_bytes);
    SIGNATURE_ALGORITHM.clone_into(&mut manifest.signature_algorithm);
    manifest.public_key = key.public().to_pem();
    manifest.fingerprint = key.fingerprint();
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| write_err(e.into()))?;
    let signature = key.sign(&manifest_bytes);
    let partial = path.with_extension("partial");
    let result = (|| -> Result<(), std::io::Error> {
        let file = std::fs::File::create(&partial)?;
        let mut zip = zip::ZipWriter::new(crate::exchange::zip_out::StopAfterError::new(
            std::io::BufWriter::new(file),
        ));
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, bytes) in [
            ("manifest.json", manifest_bytes.as_slice()),
            ("data.json", data_bytes.as_slice()),
            ("manifest.sig", signature.as_bytes()),
        ] {
            zip.start_file(name, options)
                .map_err(crate::exchange::zip_out::io_error)?;
            zip.write_all(bytes)?;
        }
        let file = zip
            .finish()
            .map_err(crate::exchange::zip_out::io_error)?
            .into_inner()?;
        let file = file
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(write_err(e));
    }
    std::fs::rename(&partial, path).map_err(write_err)?;
    Ok(manifest)
}

/// A package whose container and manifest were read, not yet trusted.
#[derive(Debug, Clone)]
pub struct RawReport {
    pub path: PathBuf,
    pub manifest: ReportManifest,
    manifest_bytes: Vec<u8>,
    signature: String,
    data_bytes: Vec<u8>,
}

/// A package whose signature holds (with the key it carries) and whose every value was read.
#[derive(Debug, Clone)]
pub struct ReportPackage {
    pub path: PathBuf,
    pub manifest: ReportManifest,
    pub quarter: Quarter,
    pub key: PublicKey,
    pub data: ReportData,
}

/// Reads the container of the 上报包 at `path`: refused when it is not one, too large, holds an
/// unexpected entry, or its manifest cannot be read.
pub fn read_report(path: &Path) -> Result<RawReport, ReportError> {
    let not_report = |detail: &str| ReportError::NotReport {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let damaged = |detail: String| ReportError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let meta = std::fs::metadata(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })?;
    // A pipe or a device would block the read or never end.
    if !meta.is_file() {
        return Err(not_report("不是普通文件（是文件夹、管道或设备）"));
    }
    let size = meta.len();
    if size > MAX_PACKAGE_BYTES {
        return Err(ReportError::TooLarge {
            path: path.to_owned(),
            what: crate::exchange::size_text(size),
        });
    }
    let file = std::fs::File::open(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut zip = ZipArchive::new(file).map_err(|_| not_report("不是 zip 格式或文件不完整"))?;
    crate::exchange::one_zip_exactly(path, zip.offset()).map_err(not_report)?;
    crate::exchange::methods_supported(&mut zip).map_err(not_report)?;
    if zip.len() > ENTRIES.len() + 8 || zip.has_duplicate_names() {
        return Err(not_report("含有不该有的文件"));
    }
    if zip.has_overlapping_entries().unwrap_or(true) {
        return Err(damaged("文件中的内容互相重叠".to_owned()));
    }
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| damaged(e.to_string()))?;
        let name = entry.name().map_err(|e| damaged(e.to_string()))?;
        if !ENTRIES.contains(&name.as_ref()) {
            return Err(not_report(&format!(
                "含有不该有的文件“{}”",
                name.chars().take(60).collect::<String>()
            )));
        }
    }
    let manifest_bytes = read_entry(&mut zip, path, "manifest.json", MAX_MANIFEST_BYTES)?
        .ok_or_else(|| not_report("缺少 manifest.json"))?;
    let head: serde_json::Value = serde_json::from_slice(&manifest_bytes)
        .map_err(|_| not_report("manifest.json 无法解析"))?;
    if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(not_report(
            "格式标记不符；工作包和结果包请用 package import 导入",
        ));
    }
    let version = head
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if version != u64::from(FORMAT_VERSION) {
        return Err(ReportError::NewerFormat {
            path: path.to_owned(),
            version: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    let manifest = ReportManifest::deserialize(head).map_err(|e| {
        damaged(format!(
            "manifest.json 内容不完整（{}）",
            e.to_string().chars().take(80).collect::<String>()
        ))
    })?;
    let signature =
        read_entry(&mut zip, path, "manifest.sig", MAX_SIGNATURE_BYTES)?.ok_or_else(|| {
            ReportError::BadSignature {
                path: path.to_owned(),
                detail: "包中没有签名".to_owned(),
            }
        })?;
    let data_bytes = read_entry(&mut zip, path, "data.json", MAX_DATA_BYTES)?
        .ok_or_else(|| damaged("缺少 data.json".to_owned()))?;
    Ok(RawReport {
        path: path.to_owned(),
        manifest,
        manifest_bytes,
        signature: String::from_utf8_lossy(&signature).into_owned(),
        data_bytes,
    })
}

impl RawReport {
    /// Checks the signature (over the exact manifest bytes, with the key the manifest carries),
    /// the data against the signed hash, and reads every value.
    pub fn open(self) -> Result<ReportPackage, ReportError> {
        let path = self.path;
        let bad_signature = |detail: &str| ReportError::BadSignature {
            path: path.clone(),
            detail: detail.to_owned(),
        };
        let m = self.manifest;
        if m.signature_algorithm != SIGNATURE_ALGORITHM {
            return Err(bad_signature("签名算法不是 SM2（SM3 摘要）"));
        }
        let key =
            PublicKey::from_pem(&m.public_key).map_err(|_| bad_signature("所附公钥无法读取"))?;
        if !key.verifies(&self.manifest_bytes, &self.signature) {
            return Err(bad_signature("清单的签名与所附公钥不符"));
        }
        if super::key::normalize_fingerprint(&m.fingerprint)
            != super::key::normalize_fingerprint(&key.fingerprint())
        {
            return Err(bad_signature("清单中的公钥指纹与所附公钥不符"));
        }
        if sm3_hex(&self.data_bytes) != m.data_sm3 {
            return Err(bad_signature("上报数据（data.json）与签名的清单不符"));
        }
        let data: ReportData =
            serde_json::from_slice(&self.data_bytes).map_err(|e| ReportError::Damaged {
                path: path.clone(),
                detail: format!(
                    "data.json 无法解析（第 {} 行第 {} 列）",
                    e.line(),
                    e.column()
                ),
            })?;
        let quarter: Quarter = m.quarter.parse().map_err(|_| ReportError::BadValue {
            path: path.clone(),
            place: "包清单中的季度".to_owned(),
            value: shown(&m.quarter),
            expected: "应为年份加季度，例如 2026Q4",
        })?;
        check_values(&path, quarter, &m, &data)?;
        Ok(ReportPackage {
            path,
            manifest: m,
            quarter,
            key,
            data,
        })
    }
}

/// Every value a type holds: the data's quarter and region are the manifest's, verdicts are
/// 合格 or 不合格, links are web links, keys are not repeated.
fn check_values(
    path: &Path,
    quarter: Quarter,
    m: &ReportManifest,
    data: &ReportData,
) -> Result<(), ReportError> {
    let inconsistent = |detail: String| ReportError::Inconsistent {
        path: path.to_owned(),
        detail,
    };
    if data.quarter.parse::<Quarter>().ok() != Some(quarter) {
        return Err(inconsistent(format!(
            "包清单写的是{}，上报数据写的是“{}”",
            quarter.label(),
            shown(&data.quarter)
        )));
    }
    if data.region != m.region {
        return Err(inconsistent(format!(
            "包清单写的地区是“{}”，上报数据写的是“{}”",
            shown(&m.region),
            shown(&data.region)
        )));
    }
    if crate::model::Strata::parse(&data.draw.strata).is_none() {
        return Err(ReportError::BadValue {
            path: path.to_owned(),
            place: "抽样记录中的分层方式".to_owned(),
            value: shown(&data.draw.strata),
            expected: "应为 county、city、platform 或 none",
        });
    }
    let mut seen = std::collections::HashSet::new();
    for a in &data.accounts {
        if !seen.insert(a.key.as_str()) {
            return Err(inconsistent(format!(
                "账号“{}”（{}）在抽查名单中出现了两次",
                shown(&a.name),
                a.platform
            )));
        }
        if let Some(v) = &a.verdict
            && v != "合格"
            && v != "不合格"
        {
            return Err(ReportError::BadValue {
                path: path.to_owned(),
                place: format!("账号“{}”（{}）的结论", shown(&a.name), a.platform),
                value: shown(v),
                expected: "应为合格或不合格",
            });
        }
        for link in a.problems.iter().flat_map(|p| &p.links) {
            if !is_web_link(link) {
                return Err(ReportError::BadValue {
                    path: path.to_owned(),
                    place: format!("账号“{}”（{}）的证据链接", shown(&a.name), a.platform),
                    value: shown(link),
                    expected: "只接受 http:// 或 https:// 开头的网址",
                });
            }
        }
    }
    Ok(())
}

/// Reads one entry (at most `limit` bytes, whatever the archive declares) with the report
/// package's own errors.
fn read_entry(
    zip: &mut ZipArchive<std::fs::File>,
    path: &Path,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, ReportError> {
    use crate::exchange::{EntryProblem, read_bounded};
    read_bounded(zip, name, limit).map_err(|problem| match problem {
        EntryProblem::Unreadable(detail) => ReportError::Damaged {
            path: path.to_owned(),
            detail,
        },
        EntryProblem::TooLarge(what) => ReportError::TooLarge {
            path: path.to_owned(),
            what,
        },
    })
}

/// A value from a package as a message quotes it: at most 50 characters.
pub(super) fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(50).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}
