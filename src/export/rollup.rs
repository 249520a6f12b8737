//! The 汇总 workbooks: the per-reporter table of a quarter with the totals of the level, the
//! level's accounts by platform, veto problems by type, the 复核 results, duplicate accounts and the packages imported; and the 复核名单 (the
//! re-check list of each reporter's 合格 accounts), ready to print.

use std::path::Path;

use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use super::ExportError;
use crate::model::{Quarter, RecheckSummary, StoredReport};
use crate::rollup::RollupRow;
use crate::rollup::recheck::{RecheckList, RecheckOptions};
use crate::rollup::summary::percent;

fn cell() -> Format {
    Format::new()
        .set_font_name("宋体")
        .set_font_size(10.5)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

fn head() -> Format {
    cell().set_bold().set_align(FormatAlign::Center)
}

fn title() -> Format {
    Format::new()
        .set_font_name("宋体")
        .set_font_size(16)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

/// Sets up a printable landscape sheet with a title row and a header row (repeated on every
/// page); returns the first data row.
fn sheet_with_head(
    sheet: &mut Worksheet,
    name: &str,
    heading: &str,
    heads: &[(&str, f64)],
) -> Result<u32, XlsxError> {
    sheet.set_name(name)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    let last = u16::try_from(heads.len().saturating_sub(1)).unwrap_or(0);
    sheet.merge_range(0, 0, 0, last, heading, &title())?;
    // A title wider than a narrow table wraps: its row as tall as its lines (a 16 pt CJK
    // character is about three units of column width).
    let width: f64 = heads.iter().map(|(_, w)| w).sum();
    #[allow(clippy::cast_precision_loss)]
    let lines = (heading.chars().count() as f64 * 2.9 / width.max(1.0))
        .ceil()
        .max(1.0);
    sheet.set_row_height(0, 8.0 + 22.0 * lines)?;
    for (c, (h, width)) in heads.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(1, c, *h, &head())?;
        sheet.set_column_width(c, *width)?;
    }
    sheet.set_repeat_rows(1, 1)?;
    sheet.set_freeze_panes(2, 0)?;
    sheet.set_row_height(1, 28)?;
    super::layout::page_setup(sheet);
    Ok(2)
}

/// Makes row `at` as tall as its wrapped text in columns of `heads`' widths (`LibreOffice` does
/// not fit rows by itself: text would run into the next row).
fn fit_row(
    sheet: &mut Worksheet,
    at: u32,
    texts: &[String],
    heads: &[(&str, f64)],
) -> Result<(), XlsxError> {
    let lines = texts
        .iter()
        .zip(heads)
        .map(|(t, (_, w))| super::layout::lines_in(t, *w))
        .max()
        .unwrap_or(1);
    sheet.set_row_height(at, super::layout::row_height(lines))?;
    Ok(())
}

/// A note under a table, merged over its `heads` and as tall as its text.
fn note_row(
    sheet: &mut Worksheet,
    at: u32,
    note: &str,
    heads: &[(&str, f64)],
) -> Result<(), XlsxError> {
    let width: f64 = heads.iter().map(|(_, w)| w).sum();
    let last = u16::try_from(heads.len().saturating_sub(1)).unwrap_or(0);
    sheet.merge_range(at, 0, at, last, note, &Format::new().set_text_wrap())?;
    sheet.set_row_height(
        at,
        super::layout::row_height(super::layout::lines_in(note, width)),
    )?;
    Ok(())
}

const TABLE_HEADS: [(&str, f64); 17] = [
    ("上报单位", 14.0),
    ("账号总数", 9.0),
    ("抽查数", 8.0),
    ("抽查比例", 9.0),
    ("合格数", 8.0),
    ("不合格数", 8.0),
    ("合格率", 9.0),
    ("较上季度（百分点）", 10.0),
    ("未完成", 7.0),
    ("整改问题", 8.0),
    ("已复核关闭", 8.0),
    ("逾期未反馈", 8.0),
    ("按期反馈率", 9.0),
    ("复查仍不合格", 8.0),
    ("通报日期", 11.0),
    ("核验", 8.0),
    ("说明", 36.0),
];

fn write_row(sheet: &mut Worksheet, at: u32, row: &RollupRow, bold: bool) -> Result<(), XlsxError> {
    let format = if bold { cell().set_bold() } else { cell() };
    let numbers = &row.numbers;
    let texts = [
        row.reporter.clone(),
        row.population.to_string(),
        row.sampled.to_string(),
        percent(row.ratio),
        row.passed.to_string(),
        row.failed.to_string(),
        percent(row.pass_rate),
        row.pass_rate_change
            .map_or_else(|| "—".to_owned(), |c| format!("{c:+.2}")),
        row.unfinished.to_string(),
        numbers.rectifications.to_string(),
        numbers.rectifications_closed.to_string(),
        numbers.rectifications_overdue.to_string(),
        percent(numbers.on_time_rate()),
        numbers.repeat_failures.to_string(),
        row.notice_date.clone().unwrap_or_default(),
        if row.missing {
            "未上报".to_owned()
        } else if row.verified {
            "通过".to_owned()
        } else {
            "未通过".to_owned()
        },
        row.flags.join("；\n"),
    ];
    fit_row(sheet, at, &texts, &TABLE_HEADS)?;
    for (col, text) in texts.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        // Rates as numbers shown as percentages (the charts read them); unknown ones as —.
        let rate = match col {
            3 => row.ratio,
            6 => row.pass_rate,
            12 => numbers.on_time_rate(),
            _ => None,
        };
        if let Some(rate) = rate {
            let shown = format.clone().set_num_format("0.00%");
            sheet.write_number_with_format(at, col, rate, &shown)?;
        } else if (1..=2).contains(&col)
            || (4..=5).contains(&col)
            || (8..=11).contains(&col)
            || col == 13
        {
            let value: f64 = text.parse().unwrap_or(0.0);
            sheet.write_number_with_format(at, col, value, &format)?;
        } else {
            sheet.write_string_with_format(at, col, text, &format)?;
        }
    }
    Ok(())
}

/// Two bar charts below the table, reporter by reporter (rows `first..=last`): 合格率, and
/// 抽查比例 (which must reach 30%).
fn rate_charts(sheet: &mut Worksheet, first: u32, last: u32, at: u32) -> Result<(), XlsxError> {
    let n = last - first + 1;
    let height = (120 + 22 * n).max(288);
    for (k, (col, title)) in [(6u16, "各地合格率"), (3u16, "各地抽查比例（不低于30%）")]
        .into_iter()
        .enumerate()
    {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_name(title)
            .set_categories(("汇总表", first, 0, last, 0))
            .set_values(("汇总表", first, col, last, col));
        chart.title().set_name(title);
        chart
            .x_axis()
            .set_num_format("0%")
            .set_min(0.0)
            .set_max(1.0);
        chart.y_axis().set_reverse();
        chart.legend().set_hidden();
        chart.set_height(height).set_width(480);
        let column = u16::try_from(k * 8).unwrap_or(0);
        sheet.insert_chart(at, column, &chart)?;
    }
    Ok(())
}

/// Writes the 汇总 workbook of `quarter`.
#[allow(clippy::explicit_counter_loop)] // the row a sheet's next line goes to
#[allow(clippy::too_many_lines)] // four sheets of one workbook, in order
pub fn write_rollup(
    quarter: Quarter,
    rows: &[RollupRow],
    total: &RollupRow,
    packages: &[StoredReport],
    duplicates: &[(String, Vec<String>)],
    rechecks: &[RecheckSummary],
    path: &Path,
) -> Result<(), ExportError> {
    let mut book = super::layout::workbook();
    let label = quarter.label();
    {
        let sheet = book.add_worksheet();
        let mut r = sheet_with_head(
            sheet,
            "汇总表",
            &format!("{label}政务新媒体抽查情况汇总表"),
            &TABLE_HEADS,
        )?;
        for row in rows {
            write_row(sheet, r, row, false)?;
            r += 1;
        }
        write_row(sheet, r, total, true)?;
        let first = r - u32::try_from(rows.len()).unwrap_or(0);
        r += 2;
        let note = "说明：核验“通过”表示上报包的签名有效、公钥与登记的一致、按上报的总体和随机种子重新推算的抽样与上报的样本相同、每一层抽查比例不低于30%、上报的数字与逐个账号的结论一致。签名只证明上报包来自持有该密钥的单位且签名后未被改动，不证明检查结论属实，结论是否属实由抽样复核检验。";
        note_row(sheet, r, note, &TABLE_HEADS)?;
        if !rows.is_empty() {
            rate_charts(
                sheet,
                first,
                first + u32::try_from(rows.len()).unwrap_or(1) - 1,
                r + 2,
            )?;
        }
    }
    platform_sheet(book.add_worksheet(), &label, &total.numbers.by_platform)?;
    {
        let sheet = book.add_worksheet();
        let mut types: Vec<&str> = rows
            .iter()
            .flat_map(|r| r.numbers.veto_problems.iter().map(|(k, _)| k.as_str()))
            .collect();
        types.sort_unstable();
        types.dedup();
        let mut heads: Vec<(&str, f64)> = vec![("上报单位", 14.0)];
        heads.extend(types.iter().map(|t| (*t, 14.0)));
        heads.push(("合计", 8.0));
        let mut r = sheet_with_head(
            sheet,
            "单项否决问题",
            &format!("{label}单项否决问题分类统计（账号数）"),
            &heads,
        )?;
        for row in rows.iter().chain(std::iter::once(total)) {
            sheet.write_string_with_format(r, 0, &row.reporter, &cell())?;
            let mut sum = 0;
            for (c, t) in types.iter().enumerate() {
                let v = row
                    .numbers
                    .veto_problems
                    .iter()
                    .find(|(k, _)| k == t)
                    .map_or(0, |(_, n)| *n);
                sum += v;
                sheet.write_number_with_format(
                    r,
                    u16::try_from(c + 1).unwrap_or(u16::MAX),
                    v as f64,
                    &cell(),
                )?;
            }
            sheet.write_number_with_format(
                r,
                u16::try_from(types.len() + 1).unwrap_or(u16::MAX),
                sum as f64,
                &cell(),
            )?;
            r += 1;
        }
    }
    if !rechecks.is_empty() {
        write_recheck_results(book.add_worksheet(), &label, rechecks)?;
    }
    {
        let sheet = book.add_worksheet();
        let mut r = sheet_with_head(
            sheet,
            "重复账号",
            &format!("{label}多个上报单位重复上报的账号"),
            &[("序号", 6.0), ("账号", 40.0), ("上报单位", 40.0)],
        )?;
        for (i, (account, who)) in duplicates.iter().enumerate() {
            sheet.write_number_with_format(r, 0, (i + 1) as f64, &cell())?;
            sheet.write_string_with_format(r, 1, account, &cell())?;
            sheet.write_string_with_format(r, 2, who.join("、"), &cell())?;
            r += 1;
        }
    }
    {
        let sheet = book.add_worksheet();
        let mut r = sheet_with_head(
            sheet,
            "上报包",
            &format!("{label}导入的上报包"),
            &[
                ("上报单位", 14.0),
                ("编号", 34.0),
                ("生成时间", 17.0),
                ("导入时间", 17.0),
                ("文件", 30.0),
                ("状态", 16.0),
                ("核验", 8.0),
                ("公钥指纹", 50.0),
                ("原因", 60.0),
            ],
        )?;
        for p in packages {
            let texts = [
                p.reporter.clone(),
                p.package_id.clone(),
                crate::model::time::minute_text(p.created_at),
                crate::model::time::minute_text(p.imported_at),
                p.file_name.clone(),
                p.status.label().to_owned(),
                if p.verified { "通过" } else { "未通过" }.to_owned(),
                p.fingerprint.clone(),
                p.reasons.join("；\n"),
            ];
            for (c, t) in texts.iter().enumerate() {
                sheet.write_string_with_format(
                    r,
                    u16::try_from(c).unwrap_or(u16::MAX),
                    t,
                    &cell(),
                )?;
            }
            r += 1;
        }
    }
    super::atomic::save_book(&mut book, path)?;
    Ok(())
}

/// The 复核结果 sheet: per reporter how many 合格 accounts were re-checked, how many the
/// level above found 不合格 (named, with what it found) and the accuracy.
const PLATFORM_HEADS: [(&str, f64); 7] = [
    ("平台", 16.0),
    ("账号总数", 10.0),
    ("抽查数", 9.0),
    ("抽查比例", 10.0),
    ("合格数", 9.0),
    ("不合格数", 9.0),
    ("合格率", 10.0),
];

/// 按平台: the level's accounts, sample and verdicts platform by platform, with the total.
fn platform_sheet(
    sheet: &mut Worksheet,
    label: &str,
    platforms: &[crate::model::PlatformNumbers],
) -> Result<(), XlsxError> {
    let mut r = sheet_with_head(
        sheet,
        "按平台",
        &format!("{label}各平台抽查情况（各上报单位合计）"),
        &PLATFORM_HEADS,
    )?;
    let total = crate::model::PlatformNumbers {
        platform: "合计".to_owned(),
        population: platforms.iter().map(|p| p.population).sum(),
        sampled: platforms.iter().map(|p| p.sampled).sum(),
        passed: platforms.iter().map(|p| p.passed).sum(),
        failed: platforms.iter().map(|p| p.failed).sum(),
    };
    let percent_cell = |bold: bool| {
        let f = if bold { cell().set_bold() } else { cell() };
        f.set_num_format("0.00%")
    };
    for (p, bold) in platforms
        .iter()
        .map(|p| (p, false))
        .chain(std::iter::once((&total, true)))
    {
        let f = if bold { cell().set_bold() } else { cell() };
        sheet.write_string_with_format(r, 0, &p.platform, &f)?;
        for (c, n) in [
            (1, p.population),
            (2, p.sampled),
            (4, p.passed),
            (5, p.failed),
        ] {
            sheet.write_number_with_format(r, c, n as f64, &f)?;
        }
        for (c, rate) in [(3, p.ratio()), (6, p.pass_rate())] {
            match rate {
                Some(rate) => sheet.write_number_with_format(r, c, rate, &percent_cell(bold))?,
                None => sheet.write_string_with_format(r, c, "—", &f)?,
            };
        }
        r += 1;
    }
    r += 1;
    note_row(
        sheet,
        r,
        "说明：平台按各上报单位名录中的写法统计；账号总数是抽样时在运行的账号，抽查数含复查的上季度不合格账号，合格率只计已完成的检查。分层抽样按地区分层，个别平台的抽查比例可能低于30%。",
        &PLATFORM_HEADS,
    )?;
    Ok(())
}

fn write_recheck_results(
    sheet: &mut Worksheet,
    label: &str,
    rechecks: &[RecheckSummary],
) -> Result<(), XlsxError> {
    let heads = [
        ("上报单位", 14.0),
        ("复核名单", 10.0),
        ("已复核", 9.0),
        ("复核不合格", 11.0),
        ("准确率", 10.0),
        ("上报合格、复核不合格的账号及复核发现的问题", 60.0),
    ];
    let mut r = sheet_with_head(
        sheet,
        "复核结果",
        &format!("{label}抽查结果复核情况"),
        &heads,
    )?;
    for s in rechecks {
        let overturned = s
            .overturned
            .iter()
            .map(|(name, platform, note)| format!("{name}（{platform}）：{note}"))
            .collect::<Vec<_>>()
            .join("\n");
        let texts = [
            s.reporter.clone(),
            s.chosen.to_string(),
            s.checked.to_string(),
            s.overturned.len().to_string(),
            percent(s.accuracy),
            overturned,
        ];
        fit_row(sheet, r, &texts, &heads)?;
        for (c, t) in texts.iter().enumerate() {
            sheet.write_string_with_format(r, u16::try_from(c).unwrap_or(u16::MAX), t, &cell())?;
        }
        r += 1;
    }
    r += 1;
    note_row(
        sheet,
        r,
        "说明：准确率＝已复核账号中复核仍为合格的账号数÷已复核账号数。尚未录入复核结论的账号不计入。",
        &heads,
    )?;
    Ok(())
}

#[allow(clippy::explicit_counter_loop)] // the row the next line goes to
/// Writes the 复核名单: one row per account chosen, reporter by reporter, with blank columns
/// for the re-check's own finding.
pub fn write_recheck_list(
    quarter: Quarter,
    lists: &[RecheckList],
    options: RecheckOptions,
    path: &Path,
) -> Result<(), ExportError> {
    let mut book = super::layout::workbook();
    let sheet = book.add_worksheet();
    let heads = [
        ("序号", 6.0),
        ("上报单位", 12.0),
        ("平台", 12.0),
        ("账号标识", 18.0),
        ("账号名称", 22.0),
        ("主办单位", 22.0),
        ("分层", 14.0),
        ("上报结论", 9.0),
        ("复核结论", 10.0),
        ("复核说明", 30.0),
    ];
    let mut r = sheet_with_head(
        sheet,
        "复核名单",
        &format!("{}政务新媒体抽查结果复核名单", quarter.label()),
        &heads,
    )?;
    let mut n = 0;
    for list in lists {
        for a in &list.chosen {
            n += 1;
            let texts = [
                n.to_string(),
                list.reporter.clone(),
                a.platform.clone(),
                a.account_id.clone(),
                a.name.clone(),
                a.host_unit.clone(),
                a.stratum.clone(),
                "合格".to_owned(),
                String::new(),
                String::new(),
            ];
            // Room to write the re-check's finding by hand: two lines at least.
            let mut with_room = texts.clone();
            " \n ".clone_into(&mut with_room[9]);
            fit_row(sheet, r, &with_room, &heads)?;
            for (c, t) in texts.iter().enumerate() {
                sheet.write_string_with_format(
                    r,
                    u16::try_from(c).unwrap_or(u16::MAX),
                    t,
                    &cell(),
                )?;
            }
            r += 1;
        }
    }
    r += 1;
    let method = format!(
        "复核抽样方法：从每个上报单位上报为合格的账号中随机抽取 {}%（至少 {} 个，不足时全部复核），随机种子 {}。按账号标识排序后用 ChaCha20 随机排列（种子与上报单位名称共同决定），同样的上报包、比例和种子在任何电脑上得到同样的名单。",
        f64::from(options.rate_bp) / 100.0,
        options.min,
        options.seed
    );
    note_row(sheet, r, &method, &heads)?;
    super::atomic::save_book(&mut book, path)?;
    Ok(())
}
