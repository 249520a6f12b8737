//! 上报与汇总 (the roll-up), the pure part: the office key (SM2, fingerprint by SM3), the signed
//! 上报包 format, verifying a package on import (signature and registered key, the draw
//! re-derived, strata at the rate, totals against verdicts), the per-reporter table with its
//! duplicates and missing reporters, and the seeded 复核 sample. No database, no files but the
//! package being read or written; the steps (`steps::rollup`) bring the store and the clock.

pub mod key;
pub mod package;
pub mod recheck;
pub mod recheck_sheet;
pub mod summary;
pub mod verify;

pub use key::{KeyError, OfficeKey, PublicKey};
pub use package::{RawReport, ReportData, ReportError, ReportManifest, ReportPackage, read_report};
pub use summary::{RollupRow, rows, total};
pub use verify::{Assessment, assess};
