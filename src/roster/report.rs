//! The report of a roster import (what `--json` prints and the preview screen shows): what the
//! file holds and what importing it does, or did.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Duplicate, ParsedRoster, RowProblem};
use crate::model::ImportCounts;

/// The import report (stable field names: scripts rely on them).
#[derive(Debug, Clone, Default, Serialize)]
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
    /// What the reader assumed about the file as a whole (shown first).
    pub notices: Vec<String>,
    /// Every column of the header with the field it was read as (`None`: 未使用).
    #[serde(skip)]
    pub columns: Vec<(String, Option<super::header::Field>)>,
    /// Set when the file would take many accounts off the roster (it then needs confirming).
    pub shrink: Option<super::plan::Shrink>,
}

impl ImportReport {
    /// The preview of a file whose header lacks required columns: its columns, to choose the
    /// missing ones from, and why nothing could be read yet. `None` for any other error.
    #[must_use]
    pub fn missing_columns(error: &super::RosterError) -> Option<Self> {
        let super::RosterError::MissingColumns(missing) = error else {
            return None;
        };
        let super::MissingColumns {
            columns,
            path,
            sheet,
            row,
            ..
        } = &**missing;
        Some(Self {
            file: path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            sheet: if sheet == "（CSV）" {
                String::new()
            } else {
                sheet.clone()
            },
            header_row: *row,
            columns: columns.clone(),
            notices: vec![format!(
                "{error}请在下面“列的对应”中为缺少的列选择表格中的列。"
            )],
            ..Self::default()
        })
    }

    /// The report of `parsed` (from file `file`) doing `c`.
    #[must_use]
    pub fn of(file: &str, parsed: &ParsedRoster, c: ImportCounts, written: bool) -> Self {
        Self {
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
            shrink: None,
            notices: parsed.notices.clone(),
            columns: parsed.columns.clone(),
        }
    }

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
            let _ = write!(
                s,
                "，{} 个账号不在本次名录中，标为“已移出名录”",
                self.unlisted
            );
        }
        if !self.errors.is_empty() {
            let mut rows: Vec<u32> = self.errors.iter().map(|e| e.row).collect();
            rows.dedup();
            let shown: Vec<String> = rows.iter().take(5).map(u32::to_string).collect();
            let more = if rows.len() > 5 { " 等" } else { "" };
            let _ = write!(
                s,
                "；{} 行有错误未导入（第 {}{more} 行）",
                rows.len(),
                shown.join("、")
            );
        }
        if !self.warnings.is_empty() {
            let _ = write!(s, "；{} 处内容无法识别，已留空", self.warnings.len());
        }
        if !self.duplicates.is_empty() {
            let _ = write!(
                s,
                "；{} 行与前面的行重复，只导入一次",
                self.duplicates.len()
            );
        }
        // Which sheet of a workbook was read (a csv has one, unnamed).
        if !self.sheet.is_empty() {
            let _ = write!(s, "；读取的是工作表“{}”", self.sheet);
        }
        s
    }
}
