//! 检查结果 in bulk: importing findings from a shared sheet or a monitoring tool (read, checked
//! against the quarter's sample and checklists, then every valid finding written in one
//! transaction), and a quarter's results listed account by account. The reading and checking
//! are the pure [`crate::results`]; this module feeds them from the store.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};

use super::draw::{DrawError, current_draw};
use super::inspect::{InspectError, checklists_of, evidence_kind, save_findings_with_evidence};
use crate::model::{DrawRecord, MAX_EVIDENCE_BYTES, NewEvidence, Quarter};
use crate::results::Column;
use crate::results::{
    AccountResult, ImportContext, ResultsError, ResultsReport, ValidatedResults, quarter_results,
    read_results, validate,
};
use crate::roster::RowProblem;
use crate::store::{Store, StoreError};

/// Why a results file could not be imported, or a quarter's results listed, at all.
#[derive(Debug, thiserror::Error)]
pub enum ResultsImportError {
    #[error(transparent)]
    File(#[from] ResultsError),
    #[error(transparent)]
    Draw(#[from] DrawError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads `path` and checks it against the draw in force of `quarter`; nothing is written.
/// `today` is the check date of rows that give none.
pub fn preview_import(
    store: &Store,
    quarter: Quarter,
    path: &Path,
    today: NaiveDate,
) -> Result<ValidatedResults, ResultsImportError> {
    let draw = current_draw(store, quarter)?;
    let sheet = read_results(path)?;
    let inspections = store.inspections(draw.info.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let active = store.active_checklist()?;
    let roster = store.accounts()?;
    let context = ImportContext::new(&draw, &inspections, &checklists, &active, &roster, today);
    let mut validated = validate(&sheet, &context);
    refuse_missing_files(&mut validated, &sheet.header.label(Column::Screenshots));
    Ok(validated)
}

/// Rows whose screenshot files cannot be read (missing, a folder, too large) are not imported:
/// each is named with its row and the file.
fn refuse_missing_files(validated: &mut ValidatedResults, field: &str) {
    let mut refused = Vec::new();
    validated.rows.retain(|r| {
        let why = r.evidence.iter().find_map(|e| {
            let NewEvidence::Path(path) = e else {
                return None;
            };
            match std::fs::metadata(path) {
                Ok(m) if m.is_file() && m.len() <= MAX_EVIDENCE_BYTES => None,
                Ok(m) if m.is_file() => Some((
                    path.clone(),
                    format!(
                        "截图文件 {} 超过 {} MB，请压缩后再导入",
                        path.display(),
                        MAX_EVIDENCE_BYTES / 1024 / 1024
                    ),
                )),
                _ => Some((
                    path.clone(),
                    format!(
                        "找不到截图文件 {}（文件名相对于结果表所在的文件夹）",
                        path.display()
                    ),
                )),
            }
        });
        match why {
            Some((path, message)) => {
                refused.push(RowProblem {
                    row: r.row,
                    field: field.to_owned(),
                    value: path.display().to_string(),
                    message,
                });
                false
            }
            None => true,
        }
    });
    validated.errors.extend(refused);
    validated.errors.sort_by_key(|p| p.row);
}

/// Writes the valid rows of a preview in one transaction (logged as 批量导入检查结果).
pub fn commit_import(
    store: &mut Store,
    validated: &ValidatedResults,
    at: NaiveDateTime,
) -> Result<ResultsReport, ResultsImportError> {
    // Files are kept before the transaction (by content: a file kept for nothing harms
    // nothing); the findings and their evidence are then written at once.
    let mut evidence = Vec::new();
    for r in &validated.rows {
        for e in &r.evidence {
            evidence.push((
                r.account,
                r.finding.item.clone(),
                evidence_kind(store, e.clone())?,
            ));
        }
    }
    let written =
        save_findings_with_evidence(store, validated.draw, &validated.findings(), &evidence, at)?;
    Ok(validated.report(written))
}

/// The draw in force of `quarter` and every account of it with its check.
pub fn load_results(
    store: &Store,
    quarter: Quarter,
) -> Result<(DrawRecord, Vec<AccountResult>), ResultsImportError> {
    let draw = current_draw(store, quarter)?;
    let inspections = store.inspections(draw.info.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let results = quarter_results(&draw, &inspections, &checklists);
    Ok((draw, results))
}

/// 导入检查结果: findings from a shared sheet or a monitoring tool's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportResults {
    pub quarter: Quarter,
    pub path: std::path::PathBuf,
}

impl super::action::Action for ImportResults {
    type Done = ResultsReport;
    type Error = ResultsImportError;
    const JOB: super::action::Job = super::action::Job::Inspect;
    const RUNNING: Option<&'static str> = Some("正在导入检查结果…");
    const UNCHANGED_ON_FAILURE: bool = true;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<ResultsReport, ResultsImportError> {
        let validated = preview_import(cx.store, self.quarter, &self.path, cx.at.date())?;
        commit_import(cx.store, &validated, cx.at)
    }

    /// The report is shown as a whole (its rows with problems too).
    fn report(&self, _: &ResultsReport) -> Option<String> {
        None
    }
}
