//! Importing a roster end to end, as both front ends do it: read the file, preview what it
//! would change, then write it in one transaction. The report is what `--json` prints and
//! what the preview screen shows.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDateTime;

use crate::model::{ImportCounts, ImportMeta};
use crate::roster::plan::Shrink;
pub use crate::roster::report::ImportReport;
use crate::roster::{self, ColumnMap, ParsedRoster, ReadProgress, RosterError};
use crate::store::{Store, StoreError};

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error("{}。这通常说明选错了文件（只有一部分单位，或是旧名录）。没有导入，名录没有改动；确认无误后请勾选“确认移出”（命令行加 --allow-shrink）再导入。", .0.describe())]
    Shrink(Shrink),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A roster read and compared with the database, not yet written.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub file_name: String,
    pub parsed: ParsedRoster,
    pub counts: ImportCounts,
    /// Set when the file would take many accounts off the roster: the commit then needs
    /// `allow_shrink`.
    pub shrink: Option<Shrink>,
    /// The user confirmed the accounts [`Self::shrink`] names may leave the roster.
    pub allow_shrink: bool,
}

impl ImportPreview {
    #[must_use]
    pub fn report(&self, written: bool) -> ImportReport {
        ImportReport {
            shrink: if written { None } else { self.shrink.clone() },
            ..ImportReport::of(&self.file_name, &self.parsed, self.counts, written)
        }
    }
}

/// Reads `path` and compares it with the database, reading the columns as last chosen for a
/// file with this header, if ever; dates are judged against the system clock's today.
pub fn preview(
    store: &Store,
    path: &Path,
    sheet: Option<&str>,
    progress: &mut dyn FnMut(ReadProgress),
    cancel: &AtomicBool,
) -> Result<ImportPreview, ImportError> {
    let today = chrono::Local::now().date_naive();
    preview_mapped(
        store,
        path,
        sheet,
        &ColumnMap::default(),
        today,
        progress,
        cancel,
    )
}

/// As [`preview`], with the user's choice of field for some columns (`map`) over the one
/// remembered, on `today` (a 开设时间 after it is not taken).
pub fn preview_mapped(
    store: &Store,
    path: &Path,
    sheet: Option<&str>,
    map: &ColumnMap,
    today: chrono::NaiveDate,
    progress: &mut dyn FnMut(ReadProgress),
    cancel: &AtomicBool,
) -> Result<ImportPreview, ImportError> {
    let map_for = |key: &str| remembered(store, key).merged(map);
    let mut parsed = roster::read_roster_mapped(path, sheet, &map_for, progress, cancel)?;
    parsed.drop_implausible_dates(today);
    let existing = store.accounts_by_key()?;
    let plan = roster::plan::plan(&existing, &parsed);
    let counts = plan.counts();
    let shrink = roster::plan::shrink(&existing, &plan);
    Ok(ImportPreview {
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        parsed,
        counts,
        shrink,
        allow_shrink: false,
    })
}

/// The choice of columns remembered for a header (none when never made or unreadable).
fn remembered(store: &Store, key: &str) -> ColumnMap {
    store
        .setting(key)
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Writes a previewed roster in one transaction, after an automatic backup: new accounts
/// added, changed ones updated (their previous values kept in the history), accounts no
/// longer listed marked, never deleted. Reports what was done.
pub fn commit(
    store: &mut Store,
    preview: &ImportPreview,
    at: NaiveDateTime,
) -> Result<ImportReport, ImportError> {
    let actor = super::actor(store)?;
    super::backup_before(store, "导入名录前", at, &actor)?;
    let meta = ImportMeta {
        file_name: preview.file_name.clone(),
        at,
    };
    let parsed = &preview.parsed;
    let counts = store.transaction(|tx| {
        let existing = tx.accounts_by_key()?;
        let plan = roster::plan::plan(&existing, parsed);
        if let Some(s) = roster::plan::shrink(&existing, &plan)
            && !preview.allow_shrink
        {
            return Err(ImportError::Shrink(s));
        }
        let counts = plan.counts();
        let problems = parsed.errors.len() + parsed.warnings.len() + parsed.duplicates.len();
        let import =
            tx.record_import(&meta, &parsed.file_sha256, &parsed.sheet, counts, problems)?;
        tx.apply_roster_plan(import, &plan)?;
        // The columns as chosen are used for the next file with this header.
        if !parsed.mapped.is_empty()
            && let Ok(json) = serde_json::to_string(&parsed.mapped)
        {
            tx.set_setting(&parsed.columns_key, &json)?;
        }
        tx.append_log(
            at,
            &actor,
            "导入名录",
            &format!(
                "{}（工作表“{}”）：新增 {}，更新 {}，未变 {}，移出名录 {}，问题 {problems} 处",
                meta.file_name,
                parsed.sheet,
                counts.added,
                counts.updated,
                counts.unchanged,
                counts.unlisted
            ),
        )?;
        Ok::<_, ImportError>(counts)
    })?;
    Ok(ImportReport::of(&preview.file_name, parsed, counts, true))
}

/// 导入名录, first step: reads a roster file and compares it with the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRoster {
    pub path: std::path::PathBuf,
    pub sheet: Option<String>,
    /// The user's choice of field for some columns.
    pub map: crate::roster::ColumnMap,
}

impl super::action::Action for PreviewRoster {
    type Done = ImportPreview;
    type Error = ImportError;
    const JOB: super::action::Job = super::action::Job::ReadRoster;
    const RUNNING: Option<&'static str> = Some("正在读取名录…");
    const CANCELLABLE: bool = true;
    const WRITES: bool = false;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<ImportPreview, ImportError> {
        let super::action::Ctx {
            store,
            progress,
            cancel,
            at,
            ..
        } = cx;
        preview_mapped(
            store,
            &self.path,
            self.sheet.as_deref(),
            &self.map,
            at.date(),
            &mut |p: crate::roster::ReadProgress| {
                progress(p.fraction, &format!("正在读取第 {} 行…", p.rows));
            },
            cancel,
        )
    }

    /// The preview is shown as a whole, to confirm.
    fn report(&self, _: &ImportPreview) -> Option<String> {
        None
    }
}

/// 确认导入: writes a previewed roster.
#[derive(Debug, Clone)]
pub struct CommitRoster {
    pub preview: ImportPreview,
}

impl super::action::Action for CommitRoster {
    type Done = ImportReport;
    type Error = ImportError;
    const JOB: super::action::Job = super::action::Job::WriteRoster;
    const RUNNING: Option<&'static str> = Some("正在写入数据库…");
    const UNCHANGED_ON_FAILURE: bool = true;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<ImportReport, ImportError> {
        commit(cx.store, &self.preview, cx.at)
    }

    fn report(&self, report: &ImportReport) -> Option<String> {
        Some(report.summary())
    }
}
