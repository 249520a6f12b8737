//! Reading the rectification sheets the units send back, and matching each filled-in row to
//! the problem it answers. A row is found by its hidden 问题编号; a unit that copied its rows
//! into a sheet of its own is matched by 账号名称, 平台 and 问题类别 instead.
//!
//! Owns the feedback sheet's column table and the matching rules; the file, its sheets and the
//! header finder are the shared [`crate::sheet`] reader's. Every sheet of every file is read
//! (the office's workbook has one sheet per unit); a sheet without a 整改情况 column is not a
//! feedback sheet and is passed over.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;

use super::{Rectification, Reply, parse_code};
use crate::model::platform::fold;
use crate::roster::values::date;
use crate::sheet::grid::{Cell, Grid, Row};
use crate::sheet::header::{self, Choice, Columns, Header, lookup_as_written};
use crate::sheet::{SheetError, Workbook, is_note_line};

/// Why a feedback file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error(transparent)]
    Read(#[from] SheetError),
    #[error(
        "{}：没有找到整改反馈表。整改反馈表的表头应有“整改情况”列（以及“问题编号”或“账号名称”“平台”列），请选择本系统导出、由单位填写后交回的整改表。",
        path.display()
    )]
    NotFeedback { path: std::path::PathBuf },
}

/// One filled-in row of a feedback sheet, not yet matched.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRow {
    /// The file's name, as reports show it.
    pub file: String,
    pub sheet: String,
    /// Sheet row number as Excel shows it.
    pub row: u32,
    pub code: Option<i64>,
    pub host_unit: String,
    pub name: String,
    pub platform: String,
    pub category: String,
    pub reply_text: String,
    pub completed_on: Cell,
    pub contact: String,
    pub phone: String,
}

impl FeedbackRow {
    /// Where the row is, as a message names it: 天河区教育局.xlsx 工作表“…”第 5 行.
    #[must_use]
    pub fn place(&self) -> String {
        if self.sheet.is_empty() {
            format!("{} 第 {} 行", self.file, self.row)
        } else {
            format!("{} 工作表“{}”第 {} 行", self.file, self.sheet, self.row)
        }
    }
}

/// A column read from a feedback sheet. Other columns (序号, 问题描述…) are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Code,
    HostUnit,
    Name,
    Platform,
    Category,
    Reply,
    CompletedOn,
    Contact,
    Phone,
}

const COLUMNS: &[(Col, &[&str])] = &[
    (Col::Code, &["问题编号", "编号"]),
    (
        Col::HostUnit,
        &["主办单位", "主办单位名称", "单位名称", "单位"],
    ),
    (Col::Name, &["账号名称", "名称", "账号"]),
    (Col::Platform, &["平台", "平台类型", "账号类型"]),
    (Col::Category, &["问题类别", "问题类型", "问题"]),
    (Col::Reply, &["整改情况", "整改结果", "整改落实情况"]),
    (
        Col::CompletedOn,
        &["完成时间", "完成日期", "整改完成时间", "整改完成日期"],
    ),
    (Col::Contact, &["联系人"]),
    (Col::Phone, &["联系电话", "电话", "手机"]),
];

impl Columns for Col {
    const NAMES: &'static [(Self, &'static [&'static str])] = COLUMNS;
    /// 整改情况, and a way to find the problem: 问题编号 (standing for 账号名称 with 平台).
    const REQUIRED: &'static [Self] = &[Col::Reply, Col::Code];
    /// The first row that has what a feedback sheet needs is its header, however many
    /// columns a row further down names.
    const CHOICE: Choice = Choice::FirstComplete;

    fn label(self) -> &'static str {
        match self {
            Col::Code => "问题编号",
            Col::HostUnit => "主办单位",
            Col::Name => "账号名称",
            Col::Platform => "平台",
            Col::Category => "问题类别",
            Col::Reply => "整改情况",
            Col::CompletedOn => "完成时间",
            Col::Contact => "联系人",
            Col::Phone => "联系电话",
        }
    }

    /// Names are matched as written: what stands in brackets stays part of the name.
    fn for_header(text: &str) -> Option<Self> {
        lookup_as_written(COLUMNS, text)
    }

    /// A row without 问题编号 is found by 账号名称 and 平台.
    fn provided_by(self, header: &Header<Self>) -> bool {
        let has = |c| header.column_of(c).is_some();
        has(self) || (self == Col::Code && has(Col::Name) && has(Col::Platform))
    }
}

/// Reads every feedback row of a file (xlsx, xls or csv; all its sheets).
pub fn read_feedback(path: &Path) -> Result<Vec<FeedbackRow>, FeedbackError> {
    let file = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let never = AtomicBool::new(false);
    let mut book = Workbook::open(path)?;
    let mut rows = Vec::new();
    let mut any_sheet = false;
    for name in book.sheet_names() {
        let grid = book.read(path, &name, None, &mut |_| {}, &never)?;
        if let Some(found) = sheet_rows(&file, &grid) {
            any_sheet = true;
            rows.extend(found);
        }
    }
    if !any_sheet {
        return Err(FeedbackError::NotFeedback {
            path: path.to_owned(),
        });
    }
    Ok(rows)
}

/// The filled-in rows of one sheet, or `None` when it is not a feedback sheet.
fn sheet_rows(file: &str, grid: &Grid) -> Option<Vec<FeedbackRow>> {
    let header: Header<Col> = header::find(grid)?;
    let text = |row: &Row, c: Col| {
        header
            .column_of(c)
            .map_or_else(String::new, |i| row.cell(i).display())
    };
    let mut out = Vec::new();
    for row in header.rows_below(grid) {
        if row.is_blank() || is_note_line(row) {
            continue;
        }
        let name = text(row, Col::Name);
        let code = parse_code(&text(row, Col::Code));
        // The header repeated on a printed page, or a line of notes under the table.
        if code.is_none() && (name.is_empty() || Col::for_header(&name) == Some(Col::Name)) {
            continue;
        }
        out.push(FeedbackRow {
            file: file.to_owned(),
            sheet: grid.sheet.clone(),
            row: row.number,
            code,
            host_unit: text(row, Col::HostUnit),
            name,
            platform: text(row, Col::Platform),
            category: text(row, Col::Category),
            reply_text: text(row, Col::Reply),
            completed_on: header
                .column_of(Col::CompletedOn)
                .map_or(Cell::Empty, |i| row.cell(i).clone()),
            contact: text(row, Col::Contact),
            phone: text(row, Col::Phone),
        });
    }
    Some(out)
}

/// A unit's answer to one problem, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub id: i64,
    pub reply: Reply,
    pub reply_text: String,
    pub completed_on: Option<NaiveDate>,
    pub contact: String,
    pub phone: String,
}

/// A row that could not be taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowIssue {
    pub place: String,
    pub message: String,
}

/// The rows of one or more files matched against the problems of the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matched {
    pub answers: Vec<Answer>,
    /// Rows whose 整改情况 is still blank.
    pub unanswered: usize,
    /// Rows reporting 已整改 without a valid completion date, contact or phone (待补充).
    pub incomplete: usize,
    /// The problems those rows answer, each with what its row lacked (完成时间、联系电话):
    /// kept on the problem, so that the reply is seen though not taken.
    pub lacking: Vec<(i64, String)>,
    pub issues: Vec<RowIssue>,
}

/// Matches feedback rows to `known` problems, on `today`. A problem answered twice (two rows,
/// or two files) takes the later row. A row reporting 已整改 must say when (between the day the
/// problem was issued and today) and who to ask (联系人, 联系电话); one that does not is listed
/// as 待补充 and not taken.
#[must_use]
pub fn match_feedback(rows: &[FeedbackRow], known: &[Rectification], today: NaiveDate) -> Matched {
    let mut out = Matched::default();
    for row in rows {
        let issue = |message: String| RowIssue {
            place: row.place(),
            message,
        };
        let target = match find(row, known) {
            Ok(r) => r,
            Err(message) => {
                out.issues.push(issue(message));
                continue;
            }
        };
        if row.reply_text.is_empty() {
            out.unanswered += 1;
            continue;
        }
        let Some(reply) = Reply::parse(&row.reply_text) else {
            out.issues.push(issue(format!(
                "整改情况“{}”无法识别，请填写“已整改”“正在整改”或“无法整改并说明理由”。",
                row.reply_text
            )));
            continue;
        };
        let completed_on = match date(&row.completed_on) {
            Ok(d) => d,
            Err(e) => {
                out.issues.push(issue(format!("完成时间：{e}")));
                continue;
            }
        };
        if reply == Reply::Done {
            let mut lacking = Vec::new();
            match completed_on {
                None => lacking.push("完成时间".to_owned()),
                Some(d) if d < target.issued_on => lacking.push(format!(
                    "完成时间（{} 早于问题下发的 {}）",
                    crate::model::time::day_text(d),
                    crate::model::time::day_text(target.issued_on)
                )),
                Some(d) if d > today => lacking.push(format!(
                    "完成时间（{} 晚于今天）",
                    crate::model::time::day_text(d)
                )),
                Some(_) => {}
            }
            if row.contact.trim().is_empty() {
                lacking.push("联系人".to_owned());
            }
            if row.phone.trim().is_empty() {
                lacking.push("联系电话".to_owned());
            }
            if !lacking.is_empty() {
                out.incomplete += 1;
                let fields: Vec<&str> = lacking
                    .iter()
                    .map(|l| l.split('（').next().unwrap_or(l))
                    .collect();
                out.lacking.retain(|(id, _)| *id != target.id);
                out.lacking.push((target.id, fields.join("、")));
                out.issues.push(issue(format!(
                    "待补充：填写了“已整改”，但{}不对或没有填写。请补充后再交回，本行暂未导入。",
                    lacking.join("、")
                )));
                continue;
            }
        }
        out.answers.retain(|a| a.id != target.id);
        out.lacking.retain(|(id, _)| *id != target.id);
        out.answers.push(Answer {
            id: target.id,
            reply,
            reply_text: row.reply_text.clone(),
            completed_on,
            contact: row.contact.clone(),
            phone: row.phone.clone(),
        });
    }
    out
}

fn find<'a>(row: &FeedbackRow, known: &'a [Rectification]) -> Result<&'a Rectification, String> {
    let same = |a: &str, b: &str| a.is_empty() || fold(a) == fold(b);
    if let Some(code) = row.code {
        let Some(r) = known.iter().find(|r| r.id == code) else {
            return Err(format!(
                "问题编号 {} 不在本数据库的整改问题中。这张表可能来自其他电脑或已撤回的问题。",
                super::code(code)
            ));
        };
        // Blank cells are no match: a code alone could name any unit's problem.
        if row.name.is_empty() && row.platform.is_empty() && row.category.is_empty() {
            return Err(format!(
                "问题编号 {} 所在的行没有填写账号名称、平台和问题类别，无法核对这个编号是不是本行的问题。请使用下发的原表填写。",
                super::code(code)
            ));
        }
        // The sheet's own unit: a row's 主办单位, else the sheet named after a unit.
        let unit = if row.host_unit.is_empty() {
            known
                .iter()
                .find(|k| k.host_unit == row.sheet)
                .map_or("", |k| k.host_unit.as_str())
        } else {
            row.host_unit.as_str()
        };
        if !same(unit, &r.host_unit) {
            return Err(format!(
                "问题编号 {} 是“{}”的问题，不是本表单位“{unit}”的，请核对后重新填写。",
                super::code(code),
                r.host_unit
            ));
        }
        if !same(&row.name, &r.name) || !same(&row.platform, &r.platform) {
            return Err(format!(
                "问题编号 {} 对应的是“{}”（{}），与本行的账号“{}”（{}）不一致，请核对后重新填写。",
                super::code(code),
                r.name,
                r.platform,
                row.name,
                row.platform
            ));
        }
        if !same(&row.category, &r.category) {
            return Err(format!(
                "问题编号 {} 对应的问题是“{}”，与本行的问题类别“{}”不一致，请核对后重新填写。",
                super::code(code),
                r.category,
                row.category
            ));
        }
        return Ok(r);
    }
    let candidates: Vec<&Rectification> = known
        .iter()
        .filter(|r| {
            fold(&r.name) == fold(&row.name)
                && same(&row.platform, &r.platform)
                && same(&row.category, &r.category)
        })
        .collect();
    // An account failing the same item again (复查) has one problem per quarter: the sheet
    // answers the one still open, and of several, the latest quarter's.
    let mut narrowed = candidates;
    let rules: [&dyn Fn(&Rectification) -> bool; 2] =
        [&|r| same(&row.host_unit, &r.host_unit), &|r| {
            r.state != super::State::Closed
        }];
    for keep in rules {
        if narrowed.len() > 1 {
            narrowed.retain(|r| keep(r));
        }
    }
    if narrowed.len() > 1
        && let Some(latest) = narrowed.iter().map(|r| r.draw).max()
    {
        narrowed.retain(|r| r.draw == latest);
    }
    match narrowed.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "找不到账号“{}”（{}）的问题“{}”。请核对账号名称、平台和问题类别是否与下发的整改表一致。",
            row.name, row.platform, row.category
        )),
        _ => Err(format!(
            "账号“{}”（{}）有多个问题与本行相符，无法确定是哪一个。请使用下发的整改表（含问题编号）填写。",
            row.name, row.platform
        )),
    }
}
