//! 整改表: what each host unit must fix, by when, with the columns it fills in unlocked and
//! the rest protected. One sheet per unit in one workbook, or one workbook per unit in a
//! folder. A hidden 问题编号 column finds each problem again when the sheet comes back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, ProtectionOptions, Worksheet, XlsxError,
};

use super::ExportError;
use super::layout::{self, Formats, col, row};
use crate::model::Quarter;
use crate::rectification::{Rectification, Reply, State, code};

const HEADERS: [&str; 14] = [
    "序号",
    "主办单位",
    "账号名称",
    "平台",
    "账号标识",
    "问题类别",
    "问题描述",
    "整改要求",
    "整改时限",
    "整改情况",
    "完成时间",
    "联系人",
    "联系电话",
    "问题编号",
];
/// The first column the unit fills in (整改情况), and the last (联系电话).
const FILL_FIRST: u16 = 9;
const FILL_LAST: u16 = 12;
const CODE_COL: u16 = 13;
const HEADER_ROW: u32 = 3;
/// Column widths (宋体 11 characters) that fill an A4 landscape page (narrow margins) at
/// [`SCALE`]: the dates of 完成时间 whole, room to write 整改情况, 联系人 and 联系电话 by hand;
/// long text wraps and its row grows.
const WIDTHS: [f64; 13] = [
    3.5, 9.5, 10.0, 6.0, 9.0, 9.0, 12.0, 11.0, 8.0, 13.0, 15.0, 8.0, 12.0,
];
/// The print scale (percent): 11-point text prints at 9 points. Fixed rather than fitted, so
/// that Excel and `LibreOffice` break the pages where [`sign_off_break`] planned them.
const SCALE: u16 = 82;
/// The margins (inches) of the printed sheet: left and right, top and bottom.
const MARGINS: (f64, f64) = (0.3, 0.6);
/// Fill-in cells are at least three lines tall: there is room to write by hand.
const FILL_LINES: usize = 3;
/// The heights (points) of the rows above the table (title, unit and deadline, how to fill
/// in), of its header, and of the blank row and the sign-off row below it.
const TOP_ROWS: f64 = 30.0 + 18.0 + 32.0;
const HEADER_HEIGHT: f64 = 28.0;
const BLANK_ROW: f64 = 15.0;
const SIGN_OFF: f64 = BLANK_ROW + 48.0;

/// Where a unit's sheet breaks so that its sign-off (`tail` points below the last row) is
/// never alone on a page: the index of the problem row that must start a page, if one must.
/// `first` is the height above the table's header, `rows` the problem rows' heights,
/// `page` a page's height and `header` the repeated header's.
fn sign_off_break(first: f64, rows: &[f64], tail: f64, page: f64, header: f64) -> Option<usize> {
    let mut used = first + header;
    let mut page_start = 0;
    for (i, h) in rows.iter().enumerate() {
        if used + h > page {
            used = header;
            page_start = i;
        }
        used += h;
    }
    let last = rows.len().checked_sub(1)?;
    // Only worth a break when the last row has rows above it on its page to leave behind.
    (used + tail > page && page_start < last).then_some(last)
}

/// The name a unit is filed under: its 主办单位, or a placeholder where the roster left it blank.
#[must_use]
pub fn unit_name(r: &Rectification) -> &str {
    if r.host_unit.trim().is_empty() {
        "（未填主办单位）"
    } else {
        r.host_unit.trim()
    }
}

/// The problems still to be dealt with (not closed), by host unit in pinyin order (as an
/// office sorts its units in Excel).
#[must_use]
pub fn by_unit(rows: &[Rectification]) -> Vec<(&str, Vec<&Rectification>)> {
    let mut units: BTreeMap<&str, Vec<&Rectification>> = BTreeMap::new();
    // Closed problems, and those carried into a later quarter's (sent again there), are done.
    for r in rows
        .iter()
        .filter(|r| r.state != State::Closed && r.carried_to.is_none())
    {
        units.entry(unit_name(r)).or_default().push(r);
    }
    let mut units: Vec<(&str, Vec<&Rectification>)> = units.into_iter().collect();
    units.sort_by_cached_key(|(unit, _)| crate::model::collate::pinyin_key(unit));
    units
}

/// Writes one sheet per host unit into the workbook at `path`, telling `progress` (units
/// written, units in all). Closed problems are left out; a deadline passed by `today` is
/// marked 已逾期.
pub fn write_rectification_book_reporting(
    rows: &[Rectification],
    region: &str,
    quarter: Quarter,
    today: NaiveDate,
    path: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), ExportError> {
    let f = SheetFormats::new();
    let mut book = super::layout::workbook();
    let units = by_unit(rows);
    let mut names: Vec<String> = Vec::new();
    if units.is_empty() {
        let sheet = book.add_worksheet();
        sheet.set_name("整改表")?;
        sheet.write_string_with_format(
            0,
            0,
            format!("{region}{}没有需要整改的问题。", quarter.label()),
            &f.base.title,
        )?;
    }
    for (n, (unit, problems)) in units.iter().enumerate() {
        progress(n, units.len());
        let name = sheet_name(unit, &names);
        names.push(name.clone());
        let sheet = book.add_worksheet();
        sheet.set_name(&name)?;
        let sending = Sending {
            region,
            quarter,
            today,
            many: true,
        };
        unit_sheet(sheet, unit, problems, &sending, &f)?;
    }
    super::atomic::save_book(&mut book, path)?;
    Ok(())
}

/// Writes one workbook per host unit into `dir` (created if missing), each named after its
/// unit, telling `progress` (files written, files in all); returns the files written. Closed
/// problems are left out; a deadline passed by `today` is marked 已逾期.
pub fn write_rectification_folder_reporting(
    rows: &[Rectification],
    region: &str,
    quarter: Quarter,
    today: NaiveDate,
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<PathBuf>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::Folder {
        path: dir.to_owned(),
        source: e,
    })?;
    let f = SheetFormats::new();
    // All the units' files or none: a disk that fills half way leaves no file behind (the
    // problems are not issued either).
    let mut batch = super::atomic::Batch::default();
    let mut used: Vec<String> = Vec::new();
    let units = by_unit(rows);
    for (n, (unit, problems)) in units.iter().enumerate() {
        progress(n, units.len());
        let mut stem = format!("{}-{}整改表", file_stem(unit), quarter.label());
        let mut n = 2;
        while used.contains(&stem) {
            stem = format!("{}-{}整改表（{n}）", file_stem(unit), quarter.label());
            n += 1;
        }
        used.push(stem.clone());
        let path = dir.join(format!("{stem}.xlsx"));
        let mut book = super::layout::workbook();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(unit, &[]))?;
        let sending = Sending {
            region,
            quarter,
            today,
            many: false,
        };
        unit_sheet(sheet, unit, problems, &sending, &f)?;
        let bytes = book.save_to_buffer()?;
        batch
            .stage(&path, &bytes)
            .map_err(|source| ExportError::Write { path, source })?;
    }
    batch.commit().map_err(|e| ExportError::PartlyWritten {
        failed: e.failed,
        replaced: e.replaced,
        source: e.source,
    })
}

/// The default file name for the one-workbook export: 2026年第四季度整改表.xlsx
#[must_use]
pub fn rectification_file_name(quarter: Quarter) -> String {
    format!("{}政务新媒体问题整改表.xlsx", quarter.label())
}

struct SheetFormats {
    base: Formats,
    /// For the columns the unit fills in: unlocked, tinted.
    fill: Format,
    fill_date: Format,
    deadline: Format,
}

impl SheetFormats {
    fn new() -> Self {
        let base = Formats::new();
        Self {
            fill: base
                .text
                .clone()
                .set_unlocked()
                .set_background_color("#FFF2CC"),
            fill_date: base
                .date
                .clone()
                .set_unlocked()
                .set_background_color("#FFF2CC"),
            deadline: base
                .text
                .clone()
                .set_bold()
                .set_align(rust_xlsxwriter::FormatAlign::Center),
            base,
        }
    }
}

/// What every unit's sheet of one export shares: the title's region and quarter, the day
/// (a deadline before it is 已逾期), and whether the sheets share a workbook.
#[derive(Clone, Copy)]
struct Sending<'a> {
    region: &'a str,
    quarter: Quarter,
    today: NaiveDate,
    many: bool,
}

#[allow(clippy::too_many_lines)] // one unit's sheet, top to bottom
fn unit_sheet(
    sheet: &mut Worksheet,
    unit: &str,
    problems: &[&Rectification],
    sending: &Sending<'_>,
    f: &SheetFormats,
) -> Result<(), XlsxError> {
    let Sending {
        region,
        quarter,
        today,
        many,
    } = *sending;
    let b = &f.base;
    let last = FILL_LAST;
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &super::notice_words::attachment_titles(quarter, region)[2],
        &b.title,
    )?;
    sheet.set_row_height(0, 30)?;
    // One deadline for all, as a sheet usually has; problems sent at different times keep
    // each its own (the latest alone would tell a unit it had longer than it has).
    let first = problems.iter().map(|r| r.deadline).min();
    let last_day = problems.iter().map(|r| r.deadline).max();
    // A sheet sent again after its deadline says so, rather than give a passed date as if
    // it were still to come.
    let late = |d: NaiveDate| if d < today { "，已逾期" } else { "" };
    let deadline = match (first, last_day) {
        (Some(a), Some(b)) if a == b && a < today => format!(
            "{}前（已逾期，请立即整改并报送）",
            crate::model::time::chinese_day(a)
        ),
        (Some(a), Some(b)) if a == b => format!("{}前", crate::model::time::chinese_day(a)),
        (Some(a), Some(_)) => format!(
            "各问题不同，见“整改时限”列（最早的 {}前{}）",
            crate::model::time::chinese_day(a),
            late(a)
        ),
        _ => String::new(),
    };
    sheet.merge_range(
        1,
        0,
        1,
        last,
        &format!(
            "主办单位：{unit}　　问题 {} 个　　整改时限：{deadline}",
            problems.len(),
        ),
        &b.note,
    )?;
    sheet.merge_range(
        2,
        0,
        2,
        last,
        "填写说明：请在黄色的“整改情况”列选择“已整改”“正在整改”或“无法整改并说明理由”（可在后面写明情况和理由），填写完成时间、联系人和联系电话，在整改时限前报送。其他列已锁定，请勿改动，也不要删除或调整行。",
        &b.note,
    )?;
    sheet.set_row_height(1, 18)?;
    sheet.set_row_height(2, 32)?;
    layout::header(sheet, HEADER_ROW, &HEADERS, b)?;
    let mut heights = Vec::with_capacity(problems.len());
    for (n, p) in problems.iter().enumerate() {
        let r = HEADER_ROW + 1 + row(n);
        sheet.write_number_with_format(r, 0, (n + 1) as f64, &b.number)?;
        let requirement = if p.state == State::Reopened && !p.review_note.is_empty() {
            format!("{}\n复核未通过：{}", p.requirement, p.review_note)
        } else {
            p.requirement.clone()
        };
        let locked = [
            p.host_unit.as_str(),
            &p.name,
            &p.platform,
            &p.account_id,
            &p.category,
            &p.description,
            &requirement,
        ];
        let mut lines = FILL_LINES;
        for (i, text) in locked.iter().enumerate() {
            // write_string: roster text is never a formula, even when it starts with "=".
            sheet.write_string_with_format(r, col(i + 1), *text, &b.text)?;
            lines = lines.max(layout::lines_in(text, WIDTHS[i + 1]));
        }
        // As text, so that it wraps in its narrow column (a date would print as ###).
        let deadline = format!(
            "{}前{}",
            crate::model::time::chinese_day(p.deadline),
            if p.deadline < today {
                "（已逾期）"
            } else {
                ""
            }
        );
        sheet.write_string_with_format(r, 8, &deadline, &f.deadline)?;
        lines = lines.max(layout::lines_in(&deadline, WIDTHS[8]));
        sheet.set_row_height(r, layout::row_height(lines))?;
        heights.push(layout::row_height(lines));
        // What the unit sent before, so that a sheet sent again shows it; blank after a
        // rejected fix, which needs a new answer.
        let fresh = p.state == State::Reopened;
        let reply = if fresh {
            ""
        } else if p.reply_text.is_empty() {
            p.reply.map_or("", Reply::label)
        } else {
            &p.reply_text
        };
        sheet.write_string_with_format(r, FILL_FIRST, reply, &f.fill)?;
        match p.completed_on.filter(|_| !fresh) {
            Some(d) => sheet.write_date_with_format(r, 10, d, &f.fill_date)?,
            None => sheet.write_blank(r, 10, &f.fill_date)?,
        };
        sheet.write_string_with_format(r, 11, &p.contact, &f.fill)?;
        sheet.write_string_with_format(r, 12, &p.phone, &f.fill)?;
        sheet.write_string_with_format(r, CODE_COL, code(p.id), &b.text)?;
    }
    for (c, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(col(c), *width)?;
    }
    sheet.set_column_hidden(CODE_COL)?;
    // What a returned paper form carries: who filled it in, signed and stamped.
    let sign = HEADER_ROW + 2 + row(problems.len());
    sheet.merge_range(sign, 0, sign, 5, "填报单位（盖章）：", &b.note)?;
    sheet.merge_range(sign, 6, sign, 8, "负责人（签字）：", &b.note)?;
    sheet.merge_range(sign, 9, sign, last, "填报日期：　　年　　月　　日", &b.note)?;
    sheet.set_row_height(sign, SIGN_OFF - BLANK_ROW)?;
    if !problems.is_empty() {
        let first = HEADER_ROW + 1;
        let last_row = HEADER_ROW + row(problems.len());
        let labels: Vec<&str> = Reply::ALL.iter().map(|r| r.label()).collect();
        let choice = DataValidation::new()
            .allow_list_strings(&labels)?
            .set_input_title("整改情况")?
            .set_input_message("请从列表中选择，也可以在后面写明情况和理由。")?
            .set_error_title("整改情况")?
            .set_error_message("建议从列表中选择；如需说明，可以继续保留您填写的内容。")?
            .set_error_style(DataValidationErrorStyle::Information);
        sheet.add_data_validation(first, FILL_FIRST, last_row, FILL_FIRST, &choice)?;
    }
    layout::print_setup(sheet, HEADER_ROW)?;
    let (side, top) = MARGINS;
    sheet.set_margins(side, side, top, top, 0.3, 0.3);
    sheet.set_print_scale(SCALE);
    // The sign-off block never on a page of its own: the last row goes over with it.
    let page = layout::page_height(SCALE, top);
    if let Some(n) = sign_off_break(TOP_ROWS, &heights, SIGN_OFF, page, HEADER_HEIGHT) {
        sheet.set_page_breaks(&[HEADER_ROW + 1 + row(n)])?;
    }
    // Each unit's form is numbered from its own first page, in a workbook of many units too,
    // where 共 N 页 would count every unit's pages.
    sheet.set_print_first_page_number(1);
    if many {
        sheet.set_footer("&C第 &P 页");
    }
    sheet.set_header("&L附件3");
    sheet.protect_with_options(&ProtectionOptions {
        format_rows: true,
        ..ProtectionOptions::new()
    });
    Ok(())
}

/// A unit's name as a sheet name: at most 31 characters, none of []:*?/\, not blank, and
/// different from the sheets already named (compared as Excel does, ignoring case).
#[must_use]
#[allow(clippy::maybe_infinite_iter)] // `taken` is finite and each suffix differs: one is free
pub fn sheet_name(unit: &str, taken: &[String]) -> String {
    let clean: String = unit
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base = if clean.is_empty() { "整改表" } else { clean };
    let fit = |s: &str, max: usize| s.chars().take(max).collect::<String>();
    let is_taken = |name: &str| {
        taken
            .iter()
            .any(|t| t.to_lowercase() == name.to_lowercase())
    };
    let name = fit(base, 31);
    if !is_taken(&name) {
        return name;
    }
    (2..)
        .map(|n| {
            let suffix = format!("（{n}）");
            format!("{}{suffix}", fit(base, 31 - suffix.chars().count()))
        })
        .find(|candidate| !is_taken(candidate))
        .unwrap_or(name)
}

/// A unit's name as a file name: no characters Windows refuses, at most 80 characters.
#[must_use]
pub fn file_stem(unit: &str) -> String {
    let clean: String = unit
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(80)
        .collect();
    let clean = clean.trim().trim_end_matches('.').to_owned();
    if clean.is_empty() {
        "未填主办单位".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_off_never_has_a_page_of_its_own() {
        let page = layout::page_height(SCALE, MARGINS.1);
        let row = layout::row_height(FILL_LINES);
        for n in 1..60 {
            let rows = vec![row; n];
            let brk = sign_off_break(TOP_ROWS, &rows, SIGN_OFF, page, HEADER_HEIGHT);
            // Lay the rows out as printed, with the break if any; the sign-off must fit below
            // the last row on its page.
            let mut used = TOP_ROWS + HEADER_HEIGHT;
            for (i, h) in rows.iter().enumerate() {
                if used + h > page || brk == Some(i) {
                    used = HEADER_HEIGHT;
                }
                used += h;
            }
            assert!(used + SIGN_OFF <= page, "{n} rows: {brk:?}");
            // And no break where none is needed.
            if (TOP_ROWS + HEADER_HEIGHT + row * n as f64 + SIGN_OFF) <= page {
                assert_eq!(brk, None, "{n} rows fit on one page");
            }
        }
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(sheet_name("示例市教育局", &[]), "示例市教育局");
        assert_eq!(sheet_name("a/b[c]:d*e?f\\g", &[]), "a_b_c__d_e_f_g");
        let long = "广东省示例市示例区人民政府办公室政务公开科信息化工作领导小组办公室";
        assert_eq!(sheet_name(long, &[]).chars().count(), 31);
        let taken = vec![sheet_name(long, &[])];
        let second = sheet_name(long, &taken);
        assert_ne!(second, taken[0]);
        assert!(second.ends_with("（2）") && second.chars().count() <= 31);
        assert_eq!(sheet_name("ABC", &["abc".to_owned()]), "ABC（2）");
    }

    /// The second line of a unit's sheet gives one deadline when its problems share it, and
    /// sends the unit to each row's own when they were issued at different times.
    #[test]
    fn a_sheet_of_problems_with_different_deadlines_does_not_print_the_latest_alone() {
        use calamine::Reader;
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).expect("day");
        let problem = |id, deadline| Rectification {
            id,
            quarter: "2026Q4".parse().expect("quarter"),
            draw: 1,
            account: id,
            city: "示例市".to_owned(),
            county: "东城区".to_owned(),
            host_unit: "示例市东城区教育局".to_owned(),
            name: format!("账号{id}"),
            platform: "微信公众号".to_owned(),
            account_id: format!("gh_{id}"),
            item: "V04".to_owned(),
            category: "更新时效".to_owned(),
            veto: true,
            description: String::new(),
            requirement: String::new(),
            issued_on: day(11, 1),
            deadline,
            state: crate::model::State::Open,
            reply: None,
            reply_text: String::new(),
            completed_on: None,
            contact: String::new(),
            phone: String::new(),
            replied_at: None,
            review_note: String::new(),
            reviewed_by: String::new(),
            reviewed_at: None,
            carried_to: None,
            incomplete: String::new(),
            incomplete_at: None,
        };
        let dir = tempfile::TempDir::new().expect("tempdir");
        let line = |rows: &[Rectification]| {
            let path = dir.path().join("整改表.xlsx");
            let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
            let quarter = "2026Q4".parse().expect("q");
            write_rectification_book_reporting(
                rows,
                "示例市",
                quarter,
                today,
                &path,
                &mut |_, _| {},
            )
            .expect("write");
            let mut book = calamine::open_workbook_auto(&path).expect("open");
            let name = book.sheet_names()[0].clone();
            let range = book.worksheet_range(&name).expect("sheet");
            range
                .get_value((1, 0))
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        let same = line(&[problem(1, day(12, 9)), problem(2, day(12, 9))]);
        assert!(same.ends_with("整改时限：2026年12月9日前"), "{same}");
        let mixed = line(&[problem(1, day(12, 9)), problem(2, day(12, 23))]);
        assert!(
            mixed.ends_with("整改时限：各问题不同，见“整改时限”列（最早的 2026年12月9日前）"),
            "{mixed}"
        );
    }

    #[test]
    fn file_stems_are_safe_on_windows() {
        assert_eq!(file_stem("示例市教育局"), "示例市教育局");
        assert_eq!(file_stem("a<b>c:d\"e|f?g*h"), "a_b_c_d_e_f_g_h");
        assert_eq!(file_stem(" . "), "未填主办单位");
    }
}
