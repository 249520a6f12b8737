//! What a results import gives: the rows that passed validation, and the report the user reads.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::checklist::Finding;
use crate::model::Quarter;
use crate::roster::RowProblem;

/// One row that passed validation: the finding to save for a sampled account.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// Sheet row number as Excel shows it.
    pub row: u32,
    /// The account's id in the database.
    pub account: i64,
    pub account_name: String,
    /// The item id resolved from an id or a title, the answer (set by the item's rule where
    /// it has one and the dates are known), the note and the dates.
    pub finding: Finding,
    /// Who checked it (检查人员), when the sheet says.
    pub inspector: Option<String>,
    /// Links and screenshot files given as evidence for the item (files as absolute paths).
    pub evidence: Vec<crate::model::NewEvidence>,
}

/// A results sheet checked against a quarter's sample: what can be saved and what cannot.
#[derive(Debug, Clone)]
pub struct ValidatedResults {
    pub file_name: String,
    pub sheet: String,
    pub header_row: u32,
    pub quarter: Quarter,
    /// The draw the findings belong to.
    pub draw: i64,
    /// One per account and item: a later row for the same account and item replaces an
    /// earlier one (with a warning).
    pub rows: Vec<ResultRow>,
    /// Rows not imported, each problem with its row, column, value and a Chinese message.
    pub errors: Vec<RowProblem>,
    /// Rows imported that deserve a second look.
    pub warnings: Vec<RowProblem>,
    pub skipped_blank: u32,
    pub skipped_notes: u32,
}

impl ValidatedResults {
    /// The findings to save, as `steps::inspect::save_findings_bulk` takes them.
    #[must_use]
    pub fn findings(&self) -> Vec<(i64, Finding, Option<String>)> {
        self.rows
            .iter()
            .map(|r| (r.account, r.finding.clone(), r.inspector.clone()))
            .collect()
    }

    /// The report of an import that wrote `written` findings (0 for a preview).
    #[must_use]
    pub fn report(&self, written: usize) -> ResultsReport {
        let accounts = if written == 0 {
            0
        } else {
            self.rows
                .iter()
                .map(|r| r.account)
                .collect::<HashSet<_>>()
                .len()
        };
        ResultsReport {
            file: self.file_name.clone(),
            quarter: self.quarter.to_string(),
            sheet: self.sheet.clone(),
            header_row: self.header_row,
            valid: self.rows.len(),
            written,
            accounts,
            errors: self.errors.clone(),
            warnings: self.warnings.clone(),
            skipped_blank: self.skipped_blank,
            skipped_notes: self.skipped_notes,
        }
    }
}

/// The import report (stable field names: scripts rely on them).
#[derive(Debug, Clone, Serialize)]
pub struct ResultsReport {
    pub file: String,
    /// e.g. `2026Q4`.
    pub quarter: String,
    pub sheet: String,
    pub header_row: u32,
    /// Findings that passed validation.
    pub valid: usize,
    /// Findings written to the database (0 when nothing was written).
    pub written: usize,
    /// Accounts those findings belong to.
    pub accounts: usize,
    pub errors: Vec<RowProblem>,
    pub warnings: Vec<RowProblem>,
    pub skipped_blank: u32,
    pub skipped_notes: u32,
}

impl ResultsReport {
    /// One Chinese sentence: "已导入 12 条检查结果（5 个账号）；3 行有错误未导入（第 6、7、9 行）".
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = if self.written > 0 {
            format!(
                "已导入 {} 条检查结果（{} 个账号）",
                self.written, self.accounts
            )
        } else if self.valid > 0 {
            format!("可导入 {} 条检查结果", self.valid)
        } else {
            "没有可导入的检查结果，数据库未改动".to_owned()
        };
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
            let _ = write!(s, "；{} 处需要留意", self.warnings.len());
        }
        s
    }
}
