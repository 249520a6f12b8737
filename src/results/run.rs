//! Both front ends' path through a results import and a results listing: read what
//! validation needs from the store, validate, then write every valid finding in one
//! transaction. The parsing and checking themselves are in the pure modules beside this one.

use std::collections::HashSet;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};

use super::ResultsError;
use super::listing::{AccountResult, quarter_results};
use super::sheet::read_results;
use super::validate::{ImportContext, ResultsReport, ValidatedResults, validate};
use crate::checklist::Checklist;
use crate::model::Quarter;
use crate::store::{DrawError, DrawRecord, InspectError, Inspection, Store};

/// Reads `path` and checks it against the draw in force of `quarter`; nothing is written.
/// `today` is the check date of rows that give none.
pub fn preview_import(
    store: &Store,
    quarter: Quarter,
    path: &Path,
    today: NaiveDate,
) -> Result<ValidatedResults, ResultsError> {
    let draw = current_draw(store, quarter)?;
    let sheet = read_results(path)?;
    let inspections = store.inspections(draw.info.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let active = store.active_checklist()?;
    let roster = store.accounts()?;
    let context = ImportContext::new(&draw, &inspections, &checklists, &active, &roster, today);
    Ok(validate(&sheet, &context))
}

/// Writes the valid rows of a preview in one transaction (logged as 批量导入检查结果).
pub fn commit_import(
    store: &mut Store,
    validated: &ValidatedResults,
    at: NaiveDateTime,
) -> Result<ResultsReport, ResultsError> {
    let written = store.save_findings_bulk(validated.draw, &validated.findings(), at)?;
    Ok(validated.report(written))
}

/// The draw in force of `quarter` and every account of it with its check.
pub fn load_results(
    store: &Store,
    quarter: Quarter,
) -> Result<(DrawRecord, Vec<AccountResult>), ResultsError> {
    let draw = current_draw(store, quarter)?;
    let inspections = store.inspections(draw.info.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let results = quarter_results(&draw, &inspections, &checklists);
    Ok((draw, results))
}

fn current_draw(store: &Store, quarter: Quarter) -> Result<DrawRecord, ResultsError> {
    Ok(store
        .current_draw(quarter)?
        .ok_or(DrawError::NoDraw(quarter))?)
}

/// The checklists `inspections` were made with, each once; one the database lacks is left out.
pub(crate) fn checklists_of(
    store: &Store,
    inspections: &[Inspection],
) -> Result<Vec<Checklist>, ResultsError> {
    let wanted: HashSet<(&str, &str)> = inspections
        .iter()
        .map(|i| (i.checklist_id.as_str(), i.checklist_version.as_str()))
        .collect();
    let mut out = Vec::with_capacity(wanted.len());
    for (id, version) in wanted {
        match store.checklist(id, version) {
            Ok(c) => out.push(c),
            Err(InspectError::UnknownChecklist { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}
