//! Gathering a quarter's report from the store.

use std::collections::HashMap;

use super::{PopulationCell, QuarterReport};
use crate::checklist::{Answer, Verdict};
use crate::model::Quarter;
use crate::results::{ResultsError, checklists_of};
use crate::store::{DrawError, InspectionStatus, Store};

/// The report of `quarter`'s draw in force.
pub fn load_report(store: &Store, quarter: Quarter) -> Result<QuarterReport, ResultsError> {
    let draw = store
        .current_draw(quarter)?
        .ok_or(DrawError::NoDraw(quarter))?;
    let inspections = store.inspections_with_failures(draw.info.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let population: Vec<PopulationCell> = store.draw_population(draw.info.id)?;
    let previous = previous_failures(store, quarter.previous())?;
    Ok(QuarterReport::build(
        &draw,
        &inspections,
        &checklists,
        &population,
        &previous,
    ))
}

/// Accounts found 不合格 in `quarter`, each with the titles of the items it failed.
pub fn previous_failures(
    store: &Store,
    quarter: Quarter,
) -> Result<HashMap<i64, Vec<String>>, ResultsError> {
    let Some(draw) = store.current_draw(quarter)? else {
        return Ok(HashMap::new());
    };
    let inspections = store.inspections_with_failures(draw.info.id)?;
    let checklists = checklists_of(store, &inspections)?;
    let mut out = HashMap::new();
    for i in &inspections {
        if i.status != InspectionStatus::Done || i.verdict != Some(Verdict::Fail) {
            continue;
        }
        let checklist = checklists
            .iter()
            .find(|c| c.id == i.checklist_id && c.version == i.checklist_version);
        let titles = i
            .findings
            .iter()
            .filter(|f| f.finding.answer == Some(Answer::Fail))
            .map(|f| {
                checklist
                    .and_then(|c| c.item(&f.finding.item))
                    .map_or_else(|| f.finding.item.clone(), |it| it.title.clone())
            })
            .collect();
        out.insert(i.account, titles);
    }
    Ok(out)
}
