//! A filled-in 复核名单 read back: per row the account (上报单位, 平台, 账号标识) and the level
//! above's conclusion (复核结论, 复核说明, 复核人, 复核日期). Rows whose conclusion is blank
//! are not rechecked yet; a row that cannot be read is a problem with its Excel row number,
//! and the other rows still count. Matching rows to the quarter's list is the step's job.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;

use crate::sheet::header::{self, Columns};
use crate::sheet::{Grid, SheetError, Workbook, is_note_line, sheet_phrase};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Reporter,
    Platform,
    AccountId,
    Verdict,
    Note,
    Inspector,
    CheckedOn,
}

const NAMES: &[(Column, &[&str])] = &[
    (Column::Reporter, &["上报单位", "地区", "上报地区"]),
    (Column::Platform, &["平台", "平台类型", "账号类型"]),
    (Column::AccountId, &["账号标识", "账号id", "账号"]),
    (Column::Verdict, &["复核结论", "复核结果"]),
    (
        Column::Note,
        &["复核说明", "复核发现的问题", "问题描述", "说明"],
    ),
    (Column::Inspector, &["复核人", "复核人员"]),
    (Column::CheckedOn, &["复核日期", "复核时间"]),
];

impl Columns for Column {
    const NAMES: &'static [(Self, &'static [&'static str])] = NAMES;
    const REQUIRED: &'static [Self] = &[
        Column::Reporter,
        Column::Platform,
        Column::AccountId,
        Column::Verdict,
    ];

    fn label(self) -> &'static str {
        NAMES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("", |(_, names)| names[0])
    }
}

/// One conclusion as written on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckRow {
    /// Sheet row number as Excel shows it.
    pub row: u32,
    pub reporter: String,
    pub platform: String,
    pub account_id: String,
    /// 合格 (true) or 不合格 (false).
    pub passed: bool,
    pub note: String,
    pub inspector: String,
    pub checked_on: Option<NaiveDate>,
}

/// A filled-in list as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecheckSheet {
    pub rows: Vec<RecheckRow>,
    /// Accounts listed with no conclusion yet.
    pub blank: usize,
    /// Rows that cannot be read: the row, and a Chinese sentence naming it.
    pub problems: Vec<(u32, String)>,
}

/// Why a file could not be read as a 复核名单 at all.
#[derive(Debug, thiserror::Error)]
pub enum RecheckSheetError {
    #[error(transparent)]
    Read(#[from] SheetError),
    #[error("这不像填好的复核名单：没有找到“上报单位”“平台”“账号标识”“复核结论”这几列。{found}（{}）", path.display())]
    NoHeader {
        path: std::path::PathBuf,
        found: String,
    },
}

/// Reads a filled-in 复核名单 (xlsx, xls or csv).
pub fn read_recheck_sheet(path: &Path) -> Result<RecheckSheet, RecheckSheetError> {
    let never = AtomicBool::new(false);
    let mut book = Workbook::open(path)?;
    let chosen = book.choose_sheet(path, &never, |peek| {
        header::find::<Column>(peek).map_or(0, |h| h.recognised())
    })?;
    let grid = book.read(path, &chosen, None, &mut |_| {}, &never)?;
    parse(&grid).ok_or_else(|| RecheckSheetError::NoHeader {
        path: path.to_owned(),
        found: format!(
            "{}中找到的内容：{}。",
            sheet_phrase(&chosen),
            header::best_guess_names(&grid)
        ),
    })
}

/// The conclusions of a sheet, or `None` when it has no 复核名单 header.
#[must_use]
pub fn parse(grid: &Grid) -> Option<RecheckSheet> {
    let head = header::find::<Column>(grid).filter(|h| h.missing_required().is_empty())?;
    let mut out = RecheckSheet::default();
    for row in head.rows_below(grid) {
        if row.is_blank() || is_note_line(row) {
            continue;
        }
        let text = |c: Column| {
            head.column_of(c)
                .map(|i| row.cell(i).display())
                .unwrap_or_default()
        };
        let (reporter, platform, account_id) = (
            text(Column::Reporter),
            text(Column::Platform),
            text(Column::AccountId),
        );
        // The method line under the table (merged across it, so every column holds the same
        // text), or a total: not an account.
        if (platform.is_empty() && account_id.is_empty())
            || (reporter == platform && platform == account_id)
        {
            continue;
        }
        let verdict = text(Column::Verdict);
        let passed = match verdict.as_str() {
            "" => {
                out.blank += 1;
                continue;
            }
            "合格" | "符合" | "√" | "✓" => true,
            "不合格" | "不符合" | "×" | "✗" => false,
            other => {
                out.problems.push((
                    row.number,
                    format!(
                        "第 {} 行：复核结论“{other}”无法识别，请填写“合格”或“不合格”。",
                        row.number
                    ),
                ));
                continue;
            }
        };
        let note = text(Column::Note);
        if !passed && note.is_empty() {
            out.problems.push((
                row.number,
                format!(
                    "第 {} 行：复核不合格，但“{}”是空的；请写明复核发现的问题。",
                    row.number,
                    head.label(Column::Note)
                ),
            ));
            continue;
        }
        let checked_on = match head.column_of(Column::CheckedOn) {
            Some(i) => match crate::roster::values::date(row.cell(i)) {
                Ok(d) => d,
                Err(why) => {
                    out.problems
                        .push((row.number, format!("第 {} 行：复核日期{why}", row.number)));
                    continue;
                }
            },
            None => None,
        };
        out.rows.push(RecheckRow {
            row: row.number,
            reporter,
            platform,
            account_id,
            passed,
            note,
            inspector: text(Column::Inspector),
            checked_on,
        });
    }
    Some(out)
}
