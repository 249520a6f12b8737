//! 通报: the workbook a supervisor signs each quarter. 总体情况 (method, counts and pass rates
//! by 区县 and by 平台, the 复查 of last quarter's failures), 问题账号 (every 不合格 account,
//! veto problems first, grouped by problem type), 其他问题 (problems of accounts that passed)
//! and 全部结果 (every sampled account with its verdict).

use std::path::Path;

use rust_xlsxwriter::{Format, RowNum, Worksheet, XlsxError};

use super::ExportError;
use super::column_plan::Omit;
use super::layout::{self, Formats, Widths, col, row};
use super::notice_words::{attachment_titles, chinese_number, notice_title, overview_line};
use super::numbered_table::{Column, Table};
use crate::report::{ProblemGroup, QuarterReport, Tally};

/// The document property of an exported notice (its docx) that holds where the operation log
/// stood, in the words its reader sees in Word's 属性 dialog.
pub const LOG_PROPERTY: &str = "操作日志校验";
/// The same property as notices exported before it was named in Chinese call it.
const OLD_LOG_PROPERTY: &str = "spotcheck-log";

/// Where the operation log stood when the notice at `path` was exported, from its document
/// properties (`None` when it is not such a notice).
#[must_use]
pub fn notice_log_head(path: &Path) -> Option<crate::model::LogHead> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
    let entry = zip.by_name("docProps/custom.xml").ok()?;
    let mut xml = String::new();
    entry.take(1024 * 1024).read_to_string(&mut xml).ok()?;
    let at = [LOG_PROPERTY, OLD_LOG_PROPERTY]
        .iter()
        .find_map(|name| xml.find(&format!("name=\"{name}\"")))?;
    let after = &xml[at..];
    let value = &after[after.find("<vt:lpwstr>")? + "<vt:lpwstr>".len()..];
    crate::model::LogHead::parse(&value[..value.find('<')?])
}

/// Writes the notice of `report` to `path`; `region` (e.g. 示例市) goes in the title.
pub fn write_notice(report: &QuarterReport, region: &str, path: &Path) -> Result<(), ExportError> {
    write_notice_reporting(report, region, path, &mut |_, _| {})
}

/// As [`write_notice`], telling `progress` (share done, what now) as each sheet is written.
pub fn write_notice_reporting(
    report: &QuarterReport,
    region: &str,
    path: &Path,
    progress: &mut dyn FnMut(f32, &str),
) -> Result<(), ExportError> {
    let f = Formats::new();
    let mut book = layout::workbook();
    // Level 3 instead of 6: a third less CPU for a file about a tenth larger.
    book.set_zip_compression_level(3);
    // No log record here: the attachments are published as they are; the docx keeps it.
    progress(0.0, "正在写入总体情况…");
    // 附件1 and 附件2 of the 通报 (附件3 is the 整改表), named at the top of each page.
    summary_sheet(
        book.add_worksheet().set_header("&L附件1"),
        report,
        region,
        &f,
    )?;
    if !report.rechecks.is_empty() {
        recheck_sheet(
            book.add_worksheet().set_header("&L附件1（续）"),
            report,
            region,
            &f,
        )?;
    }
    progress(0.1, "正在写入问题账号…");
    let failed = report.groups(true);
    let titles = attachment_titles(report.quarter, region);
    // The long sheets are written row by row to a temporary file (constant memory mode): less
    // memory, and inline strings instead of a shared-string table to hash every cell into.
    problem_sheet(
        book.add_worksheet_with_constant_memory()?
            .set_header("&L附件2"),
        &ProblemWords {
            name: "问题账号",
            title: &format!("{}：不合格账号", titles[1]),
            region,
            none: "本季度没有不合格账号。",
        },
        &failed,
        &report.repeat_failures(),
        &f,
    )?;
    progress(0.3, "正在写入其他问题…");
    let other = report.groups(false);
    problem_sheet(
        book.add_worksheet_with_constant_memory()?
            .set_header("&L附件2（续）"),
        &ProblemWords {
            name: "其他问题",
            title: &format!("{}（续）：合格账号存在的其他问题", titles[1]),
            region,
            none: "合格账号没有记录其他问题。",
        },
        &other,
        &std::collections::HashMap::new(),
        &f,
    )?;
    progress(0.45, "正在写入全部结果…");
    results_sheet(
        book.add_worksheet_with_constant_memory()?
            .set_header("&L附件1（续）"),
        report,
        region,
        &f,
    )?;
    progress(0.7, "正在保存文件…");
    super::atomic::save_book(&mut book, path)?;
    progress(1.0, "已保存");
    Ok(())
}

const TALLY_HEADS: [&str; 7] = [
    "",
    "账号总数",
    "抽查数",
    "抽查比例",
    "合格数",
    "不合格数",
    "合格率",
];
/// The columns of 复查情况 after 序号.
const RECHECK_COLUMNS: [Column; 6] = [
    ("区县", Omit::Never, true),
    ("主办单位", Omit::Never, false),
    ("账号名称", Omit::Never, false),
    ("平台", Omit::Never, true),
    ("上季度问题", Omit::Never, false),
    ("复查结果", Omit::Never, false),
];

/// 复查情况 (附件1 continued): each of last quarter's 不合格 accounts rechecked, with its
/// problems then and the outcome now.
fn recheck_sheet(
    sheet: &mut Worksheet,
    report: &QuarterReport,
    region: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("复查情况")?;
    let all: Vec<[String; 6]> = report
        .rechecks
        .iter()
        .map(|c| {
            [
                c.county.clone(),
                c.host_unit.clone(),
                c.name.clone(),
                c.platform.clone(),
                c.previous.join("、"),
                c.outcome(),
            ]
        })
        .collect();
    let table = Table::plan(&RECHECK_COLUMNS, &all, region);
    sheet.merge_range(
        0,
        0,
        0,
        col(table.heads.len() - 1),
        &format!(
            "{}对上季度不合格账号的复查情况（{} 个）",
            report.quarter.label(),
            all.len()
        ),
        &f.title,
    )?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 1, &table.heads, f)?;
    for (n, cells) in all.iter().enumerate() {
        table.row(sheet, row(n + 2), n + 1, cells, f)?;
    }
    layout::set_widths(sheet, &table.widths)?;
    layout::print_setup(sheet, 1)?;
    Ok(())
}

#[allow(clippy::too_many_lines)] // one sheet, top to bottom: the lines, two tables, the 复查
fn summary_sheet(
    sheet: &mut Worksheet,
    report: &QuarterReport,
    region: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("总体情况")?;
    let last = col(TALLY_HEADS.len() - 1);
    let mut widths = Widths::new(&TALLY_HEADS);
    sheet.merge_range(0, 0, 0, last, &notice_title(report, region), &f.title)?;
    sheet.set_row_height(0, 30)?;
    let period = report.check_period.map_or_else(
        || "检查时间：尚无完成的检查".to_owned(),
        |(first, last)| format!("检查时间：{}", crate::model::time::day_span(first, last)),
    );
    let mut lines = report.method.clone();
    lines.push(period);
    lines.push(overview_line(report));
    if report.total.rechecked > 0 {
        lines.push(
            "注：抽查数含复查的上季度不合格账号，合格数、不合格数和合格率也计入它们；抽查比例只计随机抽取的账号。"
                .to_owned(),
        );
    }
    let mut r = 1;
    let mut pager = Pager {
        used: 30.0,
        breaks: Vec::new(),
    };
    for line in &lines {
        sheet.merge_range(r, 0, r, last, line, &f.note)?;
        // The seven columns are about 80 characters wide together.
        let height = layout::row_height(layout::lines_in(line, 80.0));
        sheet.set_row_height(r, height)?;
        pager.used += height;
        r += 1;
    }
    r += 1;
    pager.used += BLANK;
    for (heading, first, tallies) in [
        ("一、按地区统计", "地区", &report.by_region),
        ("二、按平台统计", "平台", &report.by_platform),
    ] {
        let mut heads = TALLY_HEADS;
        heads[0] = first;
        // Each group's rows, then its 小计 (bold) where it has one; the 合计 last.
        let mut rows: Vec<(Tally, bool)> = Vec::new();
        for g in tallies {
            rows.extend(g.rows.iter().map(|t| (t.clone(), false)));
            if g.has_subtotal(tallies.len()) {
                rows.push((g.subtotal(), true));
            }
        }
        rows.push((report.total.clone(), true));
        #[allow(clippy::cast_precision_loss)] // a few hundred rows
        pager.table(r, SECTION + HEADER + ROW * rows.len() as f64);
        sheet.merge_range(r, 0, r, last, heading, &f.section)?;
        sheet.set_row_height(r, SECTION)?;
        r += 1;
        layout::header(sheet, r, &heads, f)?;
        r += 1;
        for (n, (t, bold)) in rows.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let rest = ROW * (rows.len() - n) as f64;
            if pager.row(r, ROW, rest, rows.len() - n) {
                layout::header(sheet, r, &heads, f)?;
                r += 1;
            }
            tally_row(sheet, r, t, if *bold { &f.head } else { &f.text }, f)?;
            sheet.set_row_height(r, ROW)?;
            widths.see(0, &t.name);
            r += 1;
        }
        r += 1;
        pager.used += BLANK;
    }
    // The 复查 list has columns of its own, on its own sheet: in this one it would widen the
    // tallies' columns and shrink the whole page.
    let line = if report.rechecks.is_empty() {
        "上季度没有需要复查的不合格账号。".to_owned()
    } else {
        format!(
            "对上季度 {} 个不合格账号进行了复查，名单和结果见“复查情况”表（附件1续）。",
            report.rechecks.len()
        )
    };
    pager.table(r, SECTION + ROW);
    sheet.merge_range(r, 0, r, last, "三、上季度不合格账号复查情况", &f.section)?;
    sheet.set_row_height(r, SECTION)?;
    r += 1;
    sheet.merge_range(r, 0, r, last, &line, &f.note)?;
    sheet.set_row_height(r, layout::row_height(layout::lines_in(&line, 80.0)))?;
    widths.apply(sheet, 30.0)?;
    layout::page_setup(sheet);
    sheet.set_page_breaks(&pager.breaks)?;
    Ok(())
}

/// Heights (points) of the rows of 总体情况, set on each row so that its pages can be planned.
const SECTION: f64 = 22.0;
const HEADER: f64 = 28.0;
const ROW: f64 = 18.0;
const BLANK: f64 = 15.0;
/// The top and bottom margins (inches) of [`layout::page_setup`].
const PAGE_MARGIN: f64 = 0.7;
/// The height of an A4 landscape page inside the margins, with room to spare for the
/// header and footer: 总体情况 is narrow, so it prints at full size.
const PAGE: f64 = 470.0;

/// Where 总体情况's pages break, so that a table is never parted from its header or left with
/// its 合计 alone: a table that fits on a page starts on a new one when it would not end on
/// this one; a longer table breaks where the page is full, or earlier so that its last three
/// rows go over together, with its header written again.
#[derive(Default)]
struct Pager {
    used: f64,
    breaks: Vec<RowNum>,
}

impl Pager {
    /// Before a table of `height` in all whose heading is at row `at`; then counts its heading
    /// and header.
    fn table(&mut self, at: RowNum, height: f64) {
        if self.used > 0.0 && self.used + height > PAGE && height <= PAGE {
            self.breaks.push(at);
            self.used = 0.0;
        }
        self.used += SECTION + HEADER;
    }

    /// Before a table row of `height` at `at`, `rest` being the height of it and the rows after
    /// it, `left` their number; whether the page breaks here (the caller writes the header
    /// again, counted here).
    fn row(&mut self, at: RowNum, height: f64, rest: f64, left: usize) -> bool {
        let all_fit = self.used + rest <= PAGE;
        let breaks = !all_fit && (self.used + height > PAGE || left <= 3);
        if breaks {
            self.breaks.push(at);
            self.used = HEADER;
        }
        self.used += height;
        breaks
    }
}

fn tally_row(
    sheet: &mut Worksheet,
    r: u32,
    t: &Tally,
    name_format: &Format,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(r, 0, &t.name, name_format)?;
    sheet.write_number_with_format(r, 1, t.accounts as f64, &f.number)?;
    sheet.write_number_with_format(r, 2, t.checked as f64, &f.number)?;
    match t.draw_ratio() {
        Some(ratio) => sheet.write_number_with_format(r, 3, ratio, &f.percent)?,
        None => sheet.write_string_with_format(r, 3, "—", &f.number)?,
    };
    sheet.write_number_with_format(r, 4, t.passed as f64, &f.number)?;
    sheet.write_number_with_format(r, 5, t.failed as f64, &f.number)?;
    match t.pass_rate() {
        Some(rate) => sheet.write_number_with_format(r, 6, rate, &f.percent)?,
        None => sheet.write_string_with_format(r, 6, "—", &f.number)?,
    };
    Ok(())
}

/// The columns of 问题账号 and 其他问题 after 序号.
const PROBLEM_COLUMNS: [Column; 8] = [
    ("地市", Omit::IfAllTitle, true),
    ("区县", Omit::Never, true),
    ("主办单位", Omit::Never, false),
    ("账号名称", Omit::Never, false),
    ("平台", Omit::Never, true),
    ("问题类别", Omit::Never, false),
    ("问题描述", Omit::Never, false),
    ("最后更新日期", Omit::IfAll(""), true),
];
/// Where 最后更新日期 is among [`PROBLEM_COLUMNS`] (written as a date).
const LAST_UPDATE: usize = 7;

/// The words of a problem sheet: its tab name, its title (the place it names) and what it
/// says when it has no rows.
struct ProblemWords<'a> {
    name: &'a str,
    title: &'a str,
    region: &'a str,
    none: &'a str,
}

fn problem_sheet(
    sheet: &mut Worksheet,
    words: &ProblemWords<'_>,
    groups: &[ProblemGroup<'_>],
    repeats: &std::collections::HashMap<i64, usize>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ProblemWords {
        name,
        title,
        region,
        none,
    } = *words;
    sheet.set_name(name)?;
    let all: Vec<[String; 8]> = groups
        .iter()
        .flat_map(|g| &g.problems)
        .map(|p| problem_cells(p, repeats.get(&p.account).copied()))
        .collect();
    let table = Table::plan(&PROBLEM_COLUMNS, &all, region);
    let last = col(table.heads.len() - 1);
    let accounts: std::collections::HashSet<i64> = groups
        .iter()
        .flat_map(|g| g.problems.iter().map(|p| p.account))
        .collect();
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &format!("{title}（{} 个账号，{} 个问题）", accounts.len(), all.len()),
        &f.title,
    )?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 1, &table.heads, f)?;
    let mut r = 2;
    if groups.is_empty() {
        sheet.merge_range(r, 0, r, last, none, &f.text)?;
    }
    // Printed at a scale of its own, so that a group's heading is never left at the foot of
    // a page: it goes over with the group's first two rows.
    let scale = layout::scale_for(&table.widths);
    let mut pages = layout::Pages::new(
        layout::page_height(scale, PAGE_MARGIN),
        HEADER,
        30.0 + HEADER,
    );
    let heights: Vec<f64> = all.iter().map(|cells| table.height(cells)).collect();
    let mut at = 0;
    for (g, group) in groups.iter().enumerate() {
        let heading = format!(
            "{}、{}{}（{} 个）",
            chinese_number(g + 1),
            group.category,
            if group.veto { "（单项否决）" } else { "" },
            group.problems.len()
        );
        let first_rows: f64 = heights[at..].iter().take(2).sum();
        pages.keep(r, SECTION + first_rows);
        pages.row(r, SECTION);
        sheet.merge_range(r, 0, r, last, &heading, &f.section)?;
        sheet.set_row_height(r, SECTION)?;
        r += 1;
        for (n, p) in group.problems.iter().enumerate() {
            let Some(row_cells) = all.get(at) else { break };
            pages.row(r, heights[at]);
            table.row(sheet, r, n + 1, row_cells, f)?;
            if let (Some(c), Some(d)) = (table.column_of(LAST_UPDATE), p.last_update) {
                sheet.write_date_with_format(r, c, d, &f.date)?;
            }
            r += 1;
            at += 1;
        }
    }
    layout::set_widths(sheet, &table.widths)?;
    layout::print_setup(sheet, 1)?;
    sheet.set_print_scale(scale);
    sheet.set_page_breaks(pages.breaks())?;
    Ok(())
}

/// A problem's cells (地市 to 最后更新日期); an account failing again on its 复查 (`repeat`:
/// quarters running) says so first.
fn problem_cells(p: &crate::report::Problem, repeat: Option<usize>) -> [String; 8] {
    let mut description = repeat.map_or_else(String::new, |n| format!("连续 {n} 个季度不合格。"));
    description.push_str(p.note.trim());
    if !p.links.is_empty() {
        if !description.is_empty() {
            description.push('\n');
        }
        description.push_str(&p.links.join("\n"));
    }
    [
        p.city.clone(),
        p.county.clone(),
        p.host_unit.clone(),
        p.name.clone(),
        p.platform.clone(),
        p.category.clone(),
        description,
        p.last_update
            .map_or_else(String::new, crate::model::time::chinese_day),
    ]
}

/// 全部结果 is published with the 通报: no 检查人员 (who checked what stays in the 抽查名单).
/// Its columns after 序号.
const RESULT_COLUMNS: [Column; 10] = [
    ("地市", Omit::IfAllTitle, true),
    ("区县", Omit::Never, true),
    ("主办单位", Omit::Never, false),
    ("账号名称", Omit::Never, false),
    ("平台", Omit::Never, true),
    ("账号标识", Omit::Never, true),
    ("类型", Omit::IfAll("抽取"), true),
    ("检查进度", Omit::IfAll("已完成"), true),
    ("检查结论", Omit::Never, true),
    ("发现的问题", Omit::Never, false),
];

fn results_sheet(
    sheet: &mut Worksheet,
    report: &QuarterReport,
    region: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("全部结果")?;
    let all: Vec<[String; 10]> = report.accounts.iter().map(result_cells).collect();
    let table = Table::plan(&RESULT_COLUMNS, &all, region);
    let last = col(table.heads.len() - 1);
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &format!(
            "{}抽查账号检查结果（{} 个）",
            report.quarter.label(),
            report.accounts.len()
        ),
        &f.title,
    )?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 1, &table.heads, f)?;
    for (n, cells) in all.iter().enumerate() {
        table.row(sheet, row(n + 2), n + 1, cells, f)?;
    }
    layout::set_widths(sheet, &table.widths)?;
    layout::print_setup(sheet, 1)?;
    Ok(())
}

/// The text cells of a sampled account's row in 全部结果 (地市 to 发现的问题).
fn result_cells(a: &crate::report::AccountOutcome) -> [String; 10] {
    [
        a.city.clone(),
        a.county.clone(),
        a.host_unit.clone(),
        a.name.clone(),
        a.platform.clone(),
        a.account_id.clone(),
        a.kind.to_owned(),
        a.status.label().to_owned(),
        a.verdict.map_or("", |v| v.label()).to_owned(),
        a.problems.join("、"),
    ]
}

#[cfg(test)]
mod tests {
    use super::{HEADER, PAGE, Pager, ROW, SECTION, chinese_number};

    /// Lays out tables of `rows` rows each, from `used` down the first page; the rows where
    /// pages break, and the row each table's 合计 (its last row) is on.
    fn lay_out(used: f64, tables: &[usize]) -> (Vec<u32>, Vec<u32>) {
        let mut pager = Pager {
            used,
            breaks: Vec::new(),
        };
        let mut r = 0;
        let mut totals = Vec::new();
        for &rows in tables {
            #[allow(clippy::cast_precision_loss)]
            pager.table(r, SECTION + HEADER + ROW * rows as f64);
            r += 2;
            for n in 0..rows {
                #[allow(clippy::cast_precision_loss)]
                let rest = ROW * (rows - n) as f64;
                if pager.row(r, ROW, rest, rows - n) {
                    r += 1; // the header again
                }
                r += 1;
            }
            totals.push(r - 1);
            r += 1;
            pager.used += 15.0;
        }
        (pager.breaks, totals)
    }

    #[test]
    fn a_table_that_fits_a_page_is_moved_whole_to_the_next() {
        // 300 points used: a table of 15 rows (320 points) does not fit below, so it starts
        // the next page; nothing else breaks.
        let (breaks, _) = lay_out(300.0, &[15]);
        assert_eq!(breaks, [0]);
        let (breaks, _) = lay_out(50.0, &[15]);
        assert!(breaks.is_empty());
    }

    #[test]
    fn a_long_table_breaks_with_its_header_and_never_leaves_its_total_alone() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let per_page = ((PAGE - HEADER) / ROW) as usize;
        for rows in 25..(3 * per_page) {
            let (breaks, totals) = lay_out(200.0, &[rows]);
            assert!(!breaks.is_empty(), "{rows} rows do not fit");
            let last_break = *breaks.last().expect("a break");
            // The rows from the last break: its repeated header, then at least 3 rows.
            assert!(
                totals[0] >= last_break + 3,
                "{rows} rows: breaks {breaks:?}, 合计 at {}",
                totals[0]
            );
        }
    }

    #[test]
    fn sections_are_numbered_in_chinese() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(35), "三十五");
    }
}
