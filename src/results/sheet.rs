//! Reading a results file into raw rows: the results sheet's column table and the rows
//! below its header. The file, its format and size caps, the sheet and the header finder are
//! the shared [`crate::sheet`] reader's (so xlsx, xls and csv in any encoding, merged cells).
//! Values are not interpreted here: that is [`super::validate`].

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::ResultsError;
use crate::roster::header::{Field, field_for};
use crate::sheet::grid::{Cell, Grid};
use crate::sheet::header::{self, Columns, Header, lookup};
use crate::sheet::{SheetError, Workbook, is_note_line, sheet_phrase};

/// A column spotcheck reads from a results sheet. Other columns (序号, 主办单位…) are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Platform,
    AccountId,
    /// 账号名称: shown in messages, and used to find the account when its id is blank.
    Name,
    Item,
    Result,
    Note,
    LastUpdate,
    /// 最长更新间隔 in days, for checklists with the longest-gap rule.
    LongestGap,
    /// 监测时间: the day the account was checked; the import date when absent.
    CheckedOn,
    /// 检查人员: who checked it; whoever imports the file when absent.
    Inspector,
    /// 证据链接: one or more web links showing the problem.
    Links,
    /// 截图: one or more screenshot files (relative to the sheet's folder, or absolute).
    Screenshots,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::Platform,
        Column::AccountId,
        Column::Name,
        Column::Item,
        Column::Result,
        Column::Note,
        Column::LastUpdate,
        Column::LongestGap,
        Column::CheckedOn,
        Column::Inspector,
        Column::Links,
        Column::Screenshots,
    ];

    /// The usual column name, used in messages.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Column::Platform => "平台",
            Column::AccountId => "账号标识",
            Column::Name => "账号名称",
            Column::Item => "检查项",
            Column::Result => "结果",
            Column::Note => "说明",
            Column::LastUpdate => "最后更新日期",
            Column::LongestGap => "最长更新间隔（天）",
            Column::CheckedOn => "检查日期",
            Column::Inspector => "检查人员",
            Column::Links => "证据链接",
            Column::Screenshots => "截图",
        }
    }
}

/// Header names for the columns only results sheets have, folded by [`header::clean`]. 平台,
/// 账号标识 and 账号名称 are recognised by the roster's own lists ([`field_for`]).
const NAMES: &[(Column, &[&str])] = &[
    (
        Column::Item,
        &[
            "检查项",
            "检查项目",
            "检查指标",
            "指标",
            "指标项",
            "检查项编号",
            "检查项名称",
            "指标编号",
            "指标名称",
            "检查内容",
            "检查要点",
            "项目",
        ],
    ),
    (
        Column::Result,
        &[
            "结果",
            "检查结果",
            "判定",
            "判定结果",
            "是否符合",
            "符合情况",
            "检查情况",
            "评判结果",
            "认定结果",
        ],
    ),
    (
        Column::Note,
        &[
            "说明",
            "问题描述",
            "描述",
            "情况说明",
            "问题说明",
            "具体问题",
            "存在问题",
            "检查说明",
            "备注",
        ],
    ),
    (
        Column::LastUpdate,
        &[
            "最后更新日期",
            "最后更新时间",
            "最后更新",
            "最近更新日期",
            "最近更新时间",
            "最新更新日期",
            "最新更新时间",
            "最后发布日期",
            "最后发布时间",
            "最近发布时间",
            "更新日期",
            "更新时间",
        ],
    ),
    (
        Column::LongestGap,
        &[
            "最长更新间隔",
            "最长更新间隔天",
            "最长更新间隔天数",
            "最长未更新天数",
            "最长间隔天数",
            "最长间隔",
            "更新间隔",
            "更新间隔天数",
            "最大更新间隔",
        ],
    ),
    (
        Column::CheckedOn,
        &[
            "检查日期",
            "检查时间",
            "监测日期",
            "监测时间",
            "监测时间点",
            "检测日期",
            "检测时间",
            "抽查日期",
            "抽查时间",
        ],
    ),
    (
        Column::Links,
        &[
            "证据链接",
            "问题链接",
            "问题url",
            "证据url",
            "证据网址",
            "问题网址",
        ],
    ),
    (
        Column::Screenshots,
        &[
            "截图",
            "快照",
            "截图文件",
            "证据截图",
            "问题截图",
            "网页快照",
            "证据文件",
        ],
    ),
    (
        Column::Inspector,
        &[
            "检查人员",
            "检查人",
            "检查员",
            "监测人员",
            "抽查人员",
            "核查人员",
        ],
    ),
];

impl Columns for Column {
    const NAMES: &'static [(Self, &'static [&'static str])] = NAMES;
    const REQUIRED: &'static [Self] = &[
        Column::Platform,
        Column::AccountId,
        Column::Item,
        Column::Result,
    ];

    fn label(self) -> &'static str {
        Column::label(self)
    }

    /// The results sheet's own names first, then the roster's for 平台, 账号标识 and 账号名称.
    fn for_header(text: &str) -> Option<Self> {
        lookup(NAMES, text).or_else(|| match field_for(text)? {
            Field::Platform => Some(Column::Platform),
            Field::AccountId => Some(Column::AccountId),
            Field::Name => Some(Column::Name),
            _ => None,
        })
    }

    /// The account may be named by 账号名称 instead of 账号标识, so the id column is missing
    /// only when both are.
    fn provided_by(self, header: &ResultsHeader) -> bool {
        header.column_of(self).is_some()
            || (self == Column::AccountId && header.column_of(Column::Name).is_some())
    }
}

/// Which column a header cell names, if any: `问题描述（证据）` and `*结果` are recognised.
#[must_use]
pub fn column_for(header: &str) -> Option<Column> {
    Column::for_header(header)
}

/// The recognised header row: per column its text and the column it holds. A results header
/// is one row: [`Header::last_row`] is that row.
pub type ResultsHeader = Header<Column>;

/// One data row below the header, its cells by column, not yet interpreted.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResult {
    /// Sheet row number as Excel (or a text editor, for csv) shows it.
    pub row: u32,
    cells: Vec<Cell>,
}

impl RawResult {
    /// The cell of `column` (empty when the sheet has no such column).
    #[must_use]
    pub fn cell(&self, column: Column) -> &Cell {
        let i = Column::ALL.iter().position(|c| *c == column).unwrap_or(0);
        self.cells.get(i).unwrap_or(&Cell::Empty)
    }

    /// The cell as text: trimmed, numbers without `.0`, dates as YYYY-MM-DD.
    #[must_use]
    pub fn text(&self, column: Column) -> String {
        self.cell(column).display()
    }
}

/// A results sheet as read: its header and data rows, before any validation.
#[derive(Debug, Clone)]
pub struct ResultsSheet {
    /// The file's name (no folder), as reports show it.
    pub file_name: String,
    /// The folder it is in: screenshots named without a folder are looked for there.
    pub folder: std::path::PathBuf,
    /// The sheet read (empty for a csv).
    pub sheet: String,
    pub header: ResultsHeader,
    pub rows: Vec<RawResult>,
    /// Blank rows between results.
    pub skipped_blank: u32,
    /// 合计, 填表人, 联系电话, 备注… lines, and the header repeated on a later page.
    pub skipped_notes: u32,
}

/// Reads and parses a results file, the only I/O of the results core. The format is decided
/// by the bytes (xlsx, xls, or csv in UTF-8/GB18030/UTF-16); of several sheets, the one whose
/// header looks most like a results sheet is read.
pub fn read_results(path: &Path) -> Result<ResultsSheet, ResultsError> {
    let never = AtomicBool::new(false);
    let mut book = Workbook::open(path)?;
    let chosen = book.choose_sheet(path, &never, |peek| {
        find_header(peek).map_or(0, |h| h.recognised())
    })?;
    let grid = book.read(path, &chosen, None, &mut |_| {}, &never)?;
    drop(book);
    if grid.is_blank() {
        return Err(SheetError::NoContent {
            path: path.to_owned(),
        }
        .into());
    }
    let Some(header) = find_header(&grid) else {
        return Err(ResultsError::NoHeader {
            path: path.to_owned(),
            found: format!(
                "{}中找到的内容：{}",
                sheet_phrase(&chosen),
                header::best_guess_names(&grid)
            ),
        });
    };
    let missing = header.missing_required();
    if !missing.is_empty() {
        return Err(ResultsError::MissingColumns {
            path: path.to_owned(),
            sheet: if chosen.is_empty() {
                String::new()
            } else {
                sheet_phrase(&chosen)
            },
            row: header.last_row,
            missing: missing
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join("、"),
            found: header.found_names(),
        });
    }
    let (rows, skipped_blank, skipped_notes) = rows_below(&grid, &header);
    if rows.is_empty() {
        return Err(ResultsError::NoRows {
            path: path.to_owned(),
            row: header.last_row,
        });
    }
    Ok(ResultsSheet {
        folder: path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default(),
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        sheet: chosen,
        header,
        rows,
        skipped_blank,
        skipped_notes,
    })
}

/// The header: of the top rows, the one naming the most columns (at least two; the first of
/// equally good rows). A column named twice is taken from its first cell.
#[must_use]
pub fn find_header(grid: &Grid) -> Option<ResultsHeader> {
    header::find(grid)
}

/// The data rows below the header, with the counts of blank and note lines skipped.
fn rows_below(grid: &Grid, header: &ResultsHeader) -> (Vec<RawResult>, u32, u32) {
    let (mut rows, mut blank, mut notes) = (Vec::new(), 0u32, 0u32);
    let mut expected = header.last_row + 1;
    let mut pending_blank = 0u32;
    let item_header = header.label(Column::Item);
    let result_header = header.label(Column::Result);
    for row in header.rows_below(grid) {
        // Rows missing from the grid are blank rows between results.
        pending_blank += row.number.saturating_sub(expected);
        expected = row.number + 1;
        if row.is_blank() {
            pending_blank += 1;
            continue;
        }
        blank += pending_blank;
        pending_blank = 0;
        let cells: Vec<Cell> = Column::ALL
            .iter()
            .map(|c| {
                header
                    .column_of(*c)
                    .map_or(Cell::Empty, |i| row.cell(i).clone())
            })
            .collect();
        let raw = RawResult {
            row: row.number,
            cells,
        };
        let empty = |c| raw.cell(c).is_empty();
        let unnamed = empty(Column::AccountId) && empty(Column::Name);
        if is_note_line(row) && (empty(Column::Platform) || unnamed || empty(Column::Item)) {
            notes += 1;
            continue;
        }
        if raw.text(Column::Item) == item_header && raw.text(Column::Result) == result_header {
            notes += 1;
            continue;
        }
        rows.push(raw);
    }
    (rows, blank, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::grid::Row;

    fn row(number: u32, cells: &[&str]) -> Row {
        Row {
            number,
            cells: cells
                .iter()
                .map(|t| {
                    if t.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text((*t).to_owned())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn header_spellings() {
        for (h, c) in [
            ("平台", Column::Platform),
            ("平台类型", Column::Platform),
            ("账号标识", Column::AccountId),
            ("账号ID", Column::AccountId),
            ("微信号", Column::AccountId),
            ("网址", Column::AccountId),
            ("账号名称", Column::Name),
            ("检查项", Column::Item),
            ("检查指标", Column::Item),
            ("检查结果", Column::Result),
            ("*结果", Column::Result),
            ("问题描述（证据）", Column::Note),
            ("说明", Column::Note),
            ("最后更新时间", Column::LastUpdate),
            ("最后更新日期", Column::LastUpdate),
            ("最长更新间隔（天）", Column::LongestGap),
            ("最长未更新天数", Column::LongestGap),
            ("监测时间", Column::CheckedOn),
        ] {
            assert_eq!(column_for(h), Some(c), "{h}");
        }
        assert_eq!(column_for("序号"), None);
        assert_eq!(column_for("主办单位"), None);
    }

    #[test]
    fn header_below_a_title_and_rows_below_it() {
        let grid = Grid {
            sheet: "结果".into(),
            rows: vec![
                row(1, &["2026年第四季度检查结果"]),
                row(2, &["序号", "平台", "账号ID", "检查项", "检查结果", "说明"]),
                row(3, &["1", "微信", "gh_a", "V01", "符合", ""]),
                row(5, &["2", "微信", "gh_a", "V02", "符合", ""]),
                row(6, &["序号", "平台", "账号ID", "检查项", "检查结果", "说明"]),
                row(7, &["填表人：张三"]),
            ],
        };
        let header = find_header(&grid).expect("header");
        assert_eq!((header.first_row, header.last_row), (2, 2));
        assert!(header.missing_required().is_empty());
        assert_eq!(header.label(Column::Result), "检查结果");
        assert_eq!(header.label(Column::LastUpdate), "最后更新日期");
        let (rows, blank, notes) = rows_below(&grid, &header);
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [3, 5]);
        assert_eq!(rows[1].text(Column::Item), "V02");
        assert_eq!(rows[0].cell(Column::LastUpdate), &Cell::Empty);
        assert_eq!((blank, notes), (1, 2));
    }

    #[test]
    fn missing_columns_are_named() {
        let grid = Grid {
            sheet: String::new(),
            rows: vec![row(1, &["平台", "账号名称", "说明"])],
        };
        let header = find_header(&grid).expect("header");
        assert_eq!(header.missing_required(), [Column::Item, Column::Result]);
    }
}
