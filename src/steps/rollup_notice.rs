//! 导出汇总通报: the level's notice of its reporters' checks (.docx), from the roll-up table of
//! the quarter (with its 复核 results), the level's region and issuing office from 设置, and the
//! day it is exported; logged. The `ExportRollup` action calls it for a .docx path.

use std::path::Path;

use chrono::NaiveDateTime;

use super::admin::{deadline_days, region_name};
use super::log_action;
use super::report_package::ISSUING_OFFICE;
use super::rollup::RollupTable;
use crate::export::{
    DocxError, RollupFigures, RollupNoticeText, issuing_office, write_rollup_docx,
};
use crate::model::Quarter;
use crate::store::{Store, StoreError};

/// Why the level's notice was not written. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum RollupNoticeError {
    #[error(
        "还没有填写地区名称：汇总通报的标题、主送和落款都要用到它。请先在“设置与备份”中填写（命令行：settings --region 地区名称），再导出。"
    )]
    NoRegion,
    #[error(
        "{}还没有登记应上报的单位，也没有导入上报包，汇总通报无从写起。请先登记上报单位（rollup register … --expected）并导入上报包（rollup import）。",
        .0.label()
    )]
    NothingToReport(Quarter),
    #[error(transparent)]
    Docx(#[from] DocxError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `path` asks for the notice (.docx) rather than the workbook.
#[must_use]
pub fn is_notice(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"))
}

/// The issuing office of the level's 落款: the setting when filled in, else the region's
/// government office (as the city's notice signs).
pub fn level_office(store: &Store) -> Result<String, StoreError> {
    let set = store.setting(ISSUING_OFFICE)?.unwrap_or_default();
    Ok(if set.trim().is_empty() {
        issuing_office(&region_name(store)?)
    } else {
        set.trim().to_owned()
    })
}

/// Writes the level's notice of `table` to `path` and logs it.
pub fn write_rollup_notice(
    store: &mut Store,
    table: &RollupTable,
    quarter: Quarter,
    path: &Path,
    at: NaiveDateTime,
) -> Result<(), RollupNoticeError> {
    let region = region_name(store)?;
    if region.trim().is_empty() {
        return Err(RollupNoticeError::NoRegion);
    }
    if table.reporters.is_empty() {
        return Err(RollupNoticeError::NothingToReport(quarter));
    }
    let duplicates: Vec<(String, Vec<String>)> = table
        .duplicates
        .iter()
        .map(|d| (d.account.clone(), d.reporters.clone()))
        .collect();
    let figures = RollupFigures {
        rows: &table.reporters,
        total: &table.total,
        duplicates: &duplicates,
        rechecks: &table.rechecks,
    };
    let text = RollupNoticeText {
        region: region.trim().to_owned(),
        office: level_office(store)?,
        addressees: store
            .setting(crate::store::settings::NOTICE_ADDRESSEES)?
            .unwrap_or_default(),
        contact: store
            .setting(crate::store::settings::NOTICE_CONTACT)?
            .unwrap_or_default(),
        quarter,
        deadline: crate::rectification::add_working_days(at.date(), deadline_days(store)?),
        dated: at.date(),
        exported: at,
    };
    write_rollup_docx(&figures, &text, path)?;
    log_action(
        store,
        "导出汇总通报",
        &format!("{}：{}", quarter.label(), path.display()),
        at,
    )?;
    Ok(())
}
