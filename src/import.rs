//! Importing a roster end to end, as both front ends do it: read the file, preview what it
//! would change, then write it in one transaction. The report is what `--json` prints and
//! what the preview screen shows.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::roster::{self, Duplicate, ParsedRoster, ReadProgress, RosterError, RowProblem};
use crate::store::{ImportCounts, ImportMeta, Store, StoreError};

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A roster read and compared with the database, not yet written.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub file_name: String,
    pub parsed: ParsedRoster,
    pub counts: ImportCounts,
}

/// The import report (stable field names: scripts rely on them).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub sheet: String,
    pub header_row: u32,
    /// Whether the database was changed.
    pub written: bool,
    /// Accounts taken from the file (added + updated + unchanged).
    pub imported: u32,
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub unlisted: u32,
    pub errors: Vec<RowProblem>,
    pub warnings: Vec<RowProblem>,
    pub duplicates: Vec<Duplicate>,
    pub skipped_blank: u32,
    pub skipped_notes: u32,
}

impl ImportPreview {
    #[must_use]
    pub fn report(&self, written: bool) -> ImportReport {
        report_of(&self.file_name, &self.parsed, self.counts, written)
    }
}

fn report_of(file: &str, parsed: &ParsedRoster, c: ImportCounts, written: bool) -> ImportReport {
    ImportReport {
        file: file.to_owned(),
        sheet: parsed.sheet.clone(),
        header_row: parsed.header_row,
        written,
        imported: c.added + c.updated + c.unchanged,
        added: c.added,
        updated: c.updated,
        unchanged: c.unchanged,
        unlisted: c.unlisted,
        errors: parsed.errors.clone(),
        warnings: parsed.warnings.clone(),
        duplicates: parsed.duplicates.clone(),
        skipped_blank: parsed.skipped_blank,
        skipped_notes: parsed.skipped_notes,
    }
}

impl ImportReport {
    /// One Chinese sentence for the status line: "导入 597 个账号，3 行有错误（第 17、230、443 行）".
    #[must_use]
    pub fn summary(&self) -> String {
        let verb = if self.written {
            "已导入"
        } else {
            "可导入"
        };
        let mut s = format!(
            "{verb} {} 个账号（新增 {}，更新 {}，无变化 {}）",
            self.imported, self.added, self.updated, self.unchanged
        );
        if self.unlisted > 0 {
            s += &format!("，{} 个账号不在本次名录中，标为“已移出名录”", self.unlisted);
        }
        if !self.errors.is_empty() {
            let mut rows: Vec<u32> = self.errors.iter().map(|e| e.row).collect();
            rows.dedup();
            let shown: Vec<String> = rows.iter().take(5).map(u32::to_string).collect();
            let more = if rows.len() > 5 { " 等" } else { "" };
            s += &format!(
                "；{} 行有错误未导入（第 {}{more} 行）",
                rows.len(),
                shown.join("、")
            );
        }
        if !self.warnings.is_empty() {
            s += &format!("；{} 处内容无法识别，已留空", self.warnings.len());
        }
        if !self.duplicates.is_empty() {
            s += &format!("；{} 行与前面的行重复，只导入一次", self.duplicates.len());
        }
        s
    }
}

/// Reads `path` and compares it with the database.
pub fn preview(
    store: &Store,
    path: &Path,
    sheet: Option<&str>,
    progress: &mut dyn FnMut(ReadProgress),
    cancel: &AtomicBool,
) -> Result<ImportPreview, ImportError> {
    let parsed = roster::read_roster(path, sheet, progress, cancel)?;
    let counts = store.preview_import(&parsed)?;
    Ok(ImportPreview {
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        parsed,
        counts,
    })
}

/// Writes a previewed roster in one transaction and reports what was done.
pub fn commit(
    store: &mut Store,
    preview: &ImportPreview,
    at: NaiveDateTime,
) -> Result<ImportReport, ImportError> {
    let meta = ImportMeta {
        file_name: preview.file_name.clone(),
        at,
    };
    let counts = store.import_roster(&preview.parsed, &meta)?;
    Ok(report_of(&preview.file_name, &preview.parsed, counts, true))
}
