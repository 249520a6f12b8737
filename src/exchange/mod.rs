//! Work packages between laptops, offline: the supervisor sends each inspector a work package
//! (their accounts, the roster data, the checklist, the draw, evidence so far); the inspector
//! sends back a result package; the supervisor merges it.
//!
//! A package is a zip file (`.spotcheck`) of exactly: `manifest.json` (format, kind, ids, the
//! SHA-256 of every other entry), `data.json`, and `evidence/<sha256>` files. [`read_package`]
//! validates everything before anyone writes: the format version, entry names (nothing can
//! point outside the evidence folder), sizes (declared and actual), every checksum, and every
//! value (quarters, answers, dates: typed once, in `wire.rs`). Evidence is never held in
//! memory: its checksums are verified by streaming, and [`Package::unpack_evidence`] streams
//! each file to its place, verifying it again on the way.

mod archive;
mod merge;
mod one_zip;
mod wire;
pub(crate) mod zip_out;

use crate::model::os_error::describe;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub(crate) use archive::{EntryProblem, read_bounded, size_text};
pub use archive::{read_log_head, read_package, write_package};
pub use merge::{FindingState, Outcome, joined, merge, settled};
pub use one_zip::{methods_supported, one_zip_exactly};

use crate::checklist::Checklist;
pub use crate::model::FindingVersion;
use crate::model::{Account, Quarter};

/// The `format` field of every manifest.
pub const FORMAT: &str = "spotcheck-package";
/// The version this build writes (3: findings may carry the longest gap between posts).
pub const FORMAT_VERSION: u32 = 3;
/// The oldest version this build reads (2: findings merged by lineage).
pub const OLDEST_READABLE: u32 = 2;
/// The file extension users see.
pub const EXTENSION: &str = "spotcheck";
/// Largest package read: 2 GiB (evidence files are at most 50 MiB each).
pub const MAX_PACKAGE_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Largest `data.json`: 256 MiB (a 30,000-account package is a few MiB).
pub const MAX_DATA_BYTES: u64 = 256 * 1024 * 1024;
pub const MAX_ENTRIES: usize = 100_000;

/// What a package carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    /// Supervisor → inspector: accounts to check.
    Work,
    /// Inspector → supervisor: what was found.
    Results,
}

impl PackageKind {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Work => "工作包",
            Self::Results => "结果包",
        }
    }
}

/// One evidence file inside a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub size: u64,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub kind: PackageKind,
    /// Unique per package: importing the same package twice changes nothing.
    pub package_id: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub quarter: Quarter,
    /// The draw, as [`draw_uid`] names it on every laptop.
    pub draw_uid: String,
    pub inspector: String,
    pub checklist_id: String,
    pub checklist_version: String,
    /// Results only: the work packages the results start from.
    #[serde(default)]
    pub based_on: Vec<String>,
    pub data_sha256: String,
    pub evidence: Vec<EvidenceFile>,
    /// Where the exporting database's operation log stood (for `log verify --against`).
    #[serde(default)]
    pub log: Option<crate::model::LogHead>,
}

/// The draw a package belongs to, as the inspector's laptop records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageDraw {
    /// The manifest's quarter (a package whose two quarters differ is refused).
    pub quarter: Quarter,
    pub rate_bp: u32,
    pub strata: String,
    pub seed: String,
    pub algorithm: String,
    pub algorithm_version: u32,
    pub prefer_not_drawn_in: u32,
    pub population: usize,
    pub population_hash: String,
    pub excluded: usize,
    pub sampled: usize,
    pub rechecks: usize,
    pub drawn_by: String,
    pub drawn_at: NaiveDateTime,
}

/// One assigned account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageAccount {
    pub account: Account,
    pub stratum: String,
    pub drawn: bool,
    pub recheck: bool,
}

/// One piece of evidence: a file in the package (`sha256`) or a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageEvidence {
    pub item: String,
    pub sha256: Option<String>,
    pub file_name: Option<String>,
    pub url: Option<String>,
    pub added_by: String,
    pub added_at: NaiveDateTime,
}

/// The check of one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageInspection {
    /// The account's key (平台 + 账号标识), the same on every laptop.
    pub account_key: String,
    pub checklist_id: String,
    pub checklist_version: String,
    pub done: bool,
    pub inspector: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub findings: Vec<FindingVersion>,
    pub evidence: Vec<PackageEvidence>,
}

/// `data.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageData {
    pub draw: PackageDraw,
    /// Work packages: the checklist definition (JSON), so the inspector's laptop needs nothing else.
    #[serde(default)]
    pub checklist: Option<serde_json::Value>,
    /// Work packages: the accounts assigned.
    #[serde(default)]
    pub accounts: Vec<PackageAccount>,
    pub inspections: Vec<PackageInspection>,
}

/// A package read and validated: its manifest and data, typed, and the checklist a work
/// package carries. Its evidence files stay in the file at `path` (their sizes and checksums
/// verified) until [`Self::unpack_evidence`] streams them to their places.
#[derive(Debug, Clone)]
pub struct Package {
    pub manifest: Manifest,
    pub data: PackageData,
    /// Work packages: the checklist of `data`, read (a work package without one is refused).
    pub checklist: Option<Checklist>,
    /// The package file.
    pub path: std::path::PathBuf,
}

/// Why a package was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("无法读取文件 {path}：{}", describe(.source))]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("无法写入文件 {}：{}。原来的文件（如果有）没有改动；请确认磁盘或 U 盘还有空间、目标文件夹可以写入，或换一个位置保存。", path.display(), describe(.source))]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path} 不是本软件的工作包或结果包（{detail}）。")]
    NotPackage {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error(
        "{path} 由更新版本的本软件 生成（包格式第 {version} 版，本机最高只能读取第 {FORMAT_VERSION} 版），请先升级本机的本软件。"
    )]
    NewerFormat {
        path: std::path::PathBuf,
        version: u32,
    },
    #[error(
        "{path} 由旧版本的本软件 生成（包格式第 {version} 版，本机能读取第 {OLDEST_READABLE} 版及以后的包：新版本按每项检查结果的修改来历合并，旧包没有这些信息）。请对方升级本软件 后重新导出这个包。"
    )]
    OlderFormat {
        path: std::path::PathBuf,
        version: u32,
    },
    #[error("{path} 太大（{what}），超过了允许的上限，已拒绝读取。")]
    TooLarge {
        path: std::path::PathBuf,
        what: String,
    },
    #[error("{path} 含有不允许的内容“{entry}”，可能被改动过，已拒绝读取。")]
    BadEntry {
        path: std::path::PathBuf,
        entry: String,
    },
    #[error(
        "{path} 中有重复的内容（{entry}），无法确定哪一份是真的，可能被改动过，已拒绝读取。请让对方重新导出。"
    )]
    DuplicateEntry {
        path: std::path::PathBuf,
        entry: String,
    },
    #[error(
        "{path} 中{account}的证据链接“{url}”不是网页链接（只接受 http:// 或 https:// 开头的网址），可能被改动过，已拒绝读取。"
    )]
    BadLink {
        path: std::path::PathBuf,
        account: String,
        url: String,
    },
    #[error("{path} 已被改动或损坏：{what} 的校验值不符。请让对方重新导出后再导入。")]
    Tampered {
        path: std::path::PathBuf,
        what: String,
    },
    #[error(
        "{path} 不完整或已损坏（{detail}），文件可能没有复制完整。请重新复制或让对方重新导出。"
    )]
    Damaged {
        path: std::path::PathBuf,
        detail: String,
    },
    /// A value the format has no place for: 2026Q9 as a quarter, 也许 as an answer.
    #[error(
        "{path} 中{place}“{value}”无法识别（{expected}）。这个包可能被改动过或由不兼容的程序生成，已拒绝读取，本机数据没有改动。请让对方重新导出。"
    )]
    BadValue {
        path: std::path::PathBuf,
        /// Where: 包清单中的季度, 账号“…”（抖音）检查项 V01 的检查结果.
        place: String,
        value: String,
        /// What it should be: 应为符合、不符合或不适用之一.
        expected: &'static str,
    },
    #[error(
        "{path} 的内容前后不一致（{detail}），可能被改动过，已拒绝读取，本机数据没有改动。请让对方重新导出。"
    )]
    Inconsistent {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error(
        "{path} 中的检查表{detail}，这个工作包可能被改动过或由不兼容的程序生成，已拒绝读取，本机数据没有改动。请让组长重新导出。"
    )]
    BadChecklist {
        path: std::path::PathBuf,
        /// 缺失, 无法读取.
        detail: &'static str,
    },
}

/// The name of a draw on every laptop: a hash of what makes it that draw (quarter, seed,
/// population fingerprint, when it was drawn).
#[must_use]
pub fn draw_uid(
    quarter: Quarter,
    seed: &str,
    population_hash: &str,
    drawn_at: NaiveDateTime,
) -> String {
    let mut h = Sha256::new();
    for part in [
        "spotcheck/draw-uid/v1",
        &quarter.to_string(),
        seed,
        population_hash,
        &crate::model::time::time_text(drawn_at),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize()[..16])
}

/// A package id: who, when and what, hashed with fresh randomness (`nonce`) from the front end.
#[must_use]
pub fn new_package_id(nonce: u64, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(nonce.to_le_bytes());
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize()[..16])
}

use crate::model::digest::hex;
pub use crate::model::digest::sha256_hex;

/// The file name offered for a package: 张三-2026Q4.spotcheck, 张三-2026Q4-结果.spotcheck.
#[must_use]
pub fn file_name(kind: PackageKind, inspector: &str, quarter: &str) -> String {
    let who = crate::export::file_stem(inspector);
    match kind {
        PackageKind::Work => format!("{who}-{quarter}.{EXTENSION}"),
        PackageKind::Results => format!("{who}-{quarter}-结果.{EXTENSION}"),
    }
}
