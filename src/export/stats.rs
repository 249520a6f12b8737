//! 统计分析: a quarter's figures and trend for leadership, as tables with native Excel charts
//! (合格率 by region and by platform, the trend over the quarters, 整改 states) and a region ×
//! problem-type table shaded by count. Every figure is the notice's (see `overview`).

use std::path::Path;

use rust_xlsxwriter::{
    Chart, ChartLegendPosition, ChartMarker, ChartType, ConditionalFormat2ColorScale, Worksheet,
    XlsxError,
};

use super::ExportError;
use super::layout::{self, Formats, Widths, col, row};
use crate::model::Tally;
use crate::overview::Overview;
use crate::rectification::Status;

/// Writes the workbook of `overview` to `path`; `region` (e.g. 示例市) goes in the titles.
pub fn write_stats(overview: &Overview, region: &str, path: &Path) -> Result<(), ExportError> {
    let f = Formats::new();
    let mut book = super::layout::workbook();
    let label = overview.quarter.label();
    let title = format!("{region}{label}政务新媒体抽查统计分析");

    let sheet = book.add_worksheet();
    sheet.set_name("按地区")?;
    let changes = overview
        .region_trend
        .iter()
        .map(|t| (t.previous, t.change))
        .collect::<Vec<_>>();
    tally_sheet(sheet, &title, &overview.by_region, Some(&changes), &f)?;
    let n = overview.by_region.len();
    if n > 0 {
        rate_chart(sheet, "按地区", "各地区合格率", n)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name("按平台")?;
    tally_sheet(sheet, &title, &overview.by_platform, None, &f)?;
    let n = overview.by_platform.len();
    if n > 0 {
        rate_chart(sheet, "按平台", "各平台合格率", n)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name("趋势")?;
    trend_sheet(sheet, &title, overview, &f)?;

    let sheet = book.add_worksheet();
    sheet.set_name("问题类型")?;
    problems_sheet(sheet, &title, overview, &f)?;

    let sheet = book.add_worksheet();
    sheet.set_name("整改")?;
    follow_up_sheet(sheet, &title, overview, &f)?;

    let sheet = book.add_worksheet();
    sheet.set_name("连续不合格")?;
    repeats_sheet(sheet, &title, overview, &f)?;

    super::atomic::save_book(&mut book, path)?;
    Ok(())
}

const TALLY_HEADS: [&str; 9] = [
    "名称",
    "账号总数",
    "抽查数",
    "合格",
    "不合格",
    "未完成",
    "合格率",
    "上季度合格率",
    "变化（百分点）",
];

/// The title, then a table from row 2 (header) whose 合格率 is column 6.
fn tally_sheet(
    sheet: &mut Worksheet,
    title: &str,
    rows: &[Tally],
    changes: Option<&[(Option<f64>, Option<f64>)]>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let heads = if changes.is_some() {
        &TALLY_HEADS[..]
    } else {
        &TALLY_HEADS[..7]
    };
    sheet.merge_range(0, 0, 0, col(heads.len() - 1), title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 2, heads, f)?;
    let mut widths = Widths::new(heads);
    for (n, t) in rows.iter().enumerate() {
        let r = row(n + 3);
        sheet.write_string_with_format(r, 0, &t.name, &f.text)?;
        widths.see(0, &t.name);
        for (c, v) in [t.accounts, t.checked, t.passed, t.failed, t.unfinished()]
            .into_iter()
            .enumerate()
        {
            sheet.write_number_with_format(r, col(c + 1), v as f64, &f.number)?;
        }
        optional(sheet, r, 6, t.pass_rate(), &f.percent, f)?;
        if let Some((before, change)) = changes.and_then(|c| c.get(n)) {
            optional(sheet, r, 7, *before, &f.percent, f)?;
            optional(sheet, r, 8, *change, &f.number, f)?;
        }
    }
    widths.apply(sheet, 30.0)?;
    layout::print_setup(sheet, 2)?;
    Ok(())
}

fn optional(
    sheet: &mut Worksheet,
    r: rust_xlsxwriter::RowNum,
    c: usize,
    value: Option<f64>,
    format: &rust_xlsxwriter::Format,
    f: &Formats,
) -> Result<(), XlsxError> {
    match value {
        Some(v) => sheet.write_number_with_format(r, col(c), v, format)?,
        None => sheet.write_string_with_format(r, col(c), "—", &f.number)?,
    };
    Ok(())
}

/// A bar chart of the 合格率 column of a [`tally_sheet`] with `n` rows, right of the table.
fn rate_chart(sheet: &mut Worksheet, name: &str, title: &str, n: usize) -> Result<(), XlsxError> {
    let last = row(n + 2);
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name("合格率")
        .set_categories((name, 3, 0, last, 0))
        .set_values((name, 3, 6, last, 6));
    chart.title().set_name(title);
    chart
        .x_axis()
        .set_num_format("0%")
        .set_min(0.0)
        .set_max(1.0);
    // Categories top to bottom as in the table.
    chart.y_axis().set_reverse();
    chart.legend().set_hidden();
    chart.set_height(u32::try_from(120 + 22 * n).unwrap_or(u32::MAX).max(288));
    // Below the table, so that the page prints at the table's size.
    sheet.insert_chart(last + 2, 0, &chart)?;
    Ok(())
}

const TREND_HEADS: [&str; 6] = ["季度", "抽查数", "合格", "不合格", "合格率", "按期反馈率"];

fn trend_sheet(
    sheet: &mut Worksheet,
    title: &str,
    overview: &Overview,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.merge_range(0, 0, 0, col(TREND_HEADS.len() - 1), title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 2, &TREND_HEADS, f)?;
    for (n, p) in overview.trend.iter().enumerate() {
        let r = row(n + 3);
        sheet.write_string_with_format(r, 0, p.quarter.label(), &f.text)?;
        for (c, v) in [p.checked, p.passed, p.failed].into_iter().enumerate() {
            sheet.write_number_with_format(r, col(c + 1), v as f64, &f.number)?;
        }
        // A quarter without a figure is left blank: the chart's line has a gap there, not a 0.
        for (c, v) in [(4, p.rate), (5, p.on_time_rate)] {
            match v {
                Some(v) => sheet.write_number_with_format(r, c, v, &f.percent)?,
                None => sheet.write_blank(r, c, &f.number)?,
            };
        }
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_range_width(1, 5, 12)?;
    let last = row(overview.trend.len() + 2);
    let mut chart = Chart::new(ChartType::Line);
    let mut marker = ChartMarker::new();
    marker.set_automatic();
    chart
        .add_series()
        .set_name("合格率")
        .set_marker(&marker)
        .set_categories(("趋势", 3, 0, last, 0))
        .set_values(("趋势", 3, 4, last, 4));
    chart
        .add_series()
        .set_name("按期反馈率")
        .set_marker(&marker)
        .set_categories(("趋势", 3, 0, last, 0))
        .set_values(("趋势", 3, 5, last, 5));
    chart.title().set_name("合格率和按期反馈率趋势");
    chart
        .y_axis()
        .set_num_format("0%")
        .set_min(0.0)
        .set_max(1.0);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    sheet.insert_chart(last + 2, 0, &chart)?;
    layout::print_setup(sheet, 2)?;
    Ok(())
}

fn problems_sheet(
    sheet: &mut Worksheet,
    title: &str,
    overview: &Overview,
    f: &Formats,
) -> Result<(), XlsxError> {
    let types = &overview.problem_types;
    let width = 1 + types.len().max(3);
    sheet.merge_range(0, 0, 0, col(width - 1), title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 2, &["问题类型", "单项否决", "数量", "占比"], f)?;
    for (n, t) in types.iter().enumerate() {
        let r = row(n + 3);
        sheet.write_string_with_format(r, 0, &t.category, &f.text)?;
        sheet.write_string_with_format(r, 1, if t.veto { "是" } else { "否" }, &f.number)?;
        sheet.write_number_with_format(r, 2, t.count as f64, &f.number)?;
        sheet.write_number_with_format(r, 3, t.share, &f.percent)?;
    }
    if types.is_empty() {
        sheet.write_string_with_format(3, 0, "本季度没有发现问题", &f.text)?;
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_range_width(1, col(width), 12)?;

    // The region × type table below, shaded by count.
    let top = row(types.len().max(1) + 5);
    sheet.write_string_with_format(top, 0, "各地区问题分布（个）", &f.section)?;
    sheet.write_string_with_format(top + 1, 0, "地区", &f.head)?;
    for (c, t) in types.iter().enumerate() {
        sheet.write_string_with_format(top + 1, col(c + 1), &t.category, &f.head)?;
    }
    sheet.set_row_height(top + 1, 60)?;
    for (n, (region, counts)) in overview.problems_by_region.iter().enumerate() {
        let r = top + 2 + row(n);
        sheet.write_string_with_format(r, 0, region, &f.text)?;
        for (c, v) in counts.iter().enumerate() {
            sheet.write_number_with_format(r, col(c + 1), *v as f64, &f.number)?;
        }
    }
    let rows = overview.problems_by_region.len();
    if rows > 0 && !types.is_empty() {
        let scale = ConditionalFormat2ColorScale::new()
            .set_minimum_color("#FFFFFF")
            .set_maximum_color("#F8696B");
        sheet.add_conditional_format(top + 2, 1, top + 1 + row(rows), col(types.len()), &scale)?;
    }
    layout::print_setup(sheet, 2)?;
    Ok(())
}

fn follow_up_sheet(
    sheet: &mut Worksheet,
    title: &str,
    overview: &Overview,
    f: &Formats,
) -> Result<(), XlsxError> {
    let follow = &overview.follow_up;
    sheet.merge_range(0, 0, 0, 3, title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 2, &["整改状态", "问题数"], f)?;
    for (n, s) in Status::ALL.iter().enumerate() {
        let r = row(n + 3);
        sheet.write_string_with_format(r, 0, s.label(), &f.text)?;
        sheet.write_number_with_format(r, 1, follow.counts[n] as f64, &f.number)?;
    }
    let last = row(Status::ALL.len() + 2);
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name("问题数")
        .set_categories(("整改", 3, 0, last, 0))
        .set_values(("整改", 3, 1, last, 1));
    chart.title().set_name("整改情况");
    chart.legend().set_hidden();
    sheet.insert_chart(last + 2, 0, &chart)?;

    // Below the chart (about 15 rows tall).
    let top = last + 19;
    sheet.write_string_with_format(top, 0, "逾期未反馈的单位", &f.section)?;
    layout::header(sheet, top + 1, &["主办单位", "逾期未反馈问题数"], f)?;
    for (n, (unit, count)) in follow.overdue_units.iter().enumerate() {
        let r = top + 2 + row(n);
        sheet.write_string_with_format(r, 0, unit, &f.text)?;
        sheet.write_number_with_format(r, 1, *count as f64, &f.number)?;
    }
    if follow.overdue_units.is_empty() {
        sheet.write_string_with_format(top + 2, 0, "无", &f.text)?;
    }
    sheet.set_column_width(0, 36)?;
    sheet.set_column_width(1, 16)?;
    layout::page_setup(sheet);
    Ok(())
}

const REPEAT_HEADS: [&str; 6] = [
    "序号",
    "地区",
    "主办单位",
    "账号名称",
    "平台",
    "连续不合格季度数",
];

fn repeats_sheet(
    sheet: &mut Worksheet,
    title: &str,
    overview: &Overview,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.merge_range(0, 0, 0, col(REPEAT_HEADS.len() - 1), title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    layout::header(sheet, 2, &REPEAT_HEADS, f)?;
    let mut widths = Widths::new(&REPEAT_HEADS);
    for (n, r) in overview.repeat_offenders.iter().enumerate() {
        let at = row(n + 3);
        sheet.write_number_with_format(at, 0, (n + 1) as f64, &f.number)?;
        for (c, text) in [&r.region, &r.host_unit, &r.name, &r.platform]
            .into_iter()
            .enumerate()
        {
            sheet.write_string_with_format(at, col(c + 1), text, &f.text)?;
            widths.see(c + 1, text);
        }
        sheet.write_number_with_format(at, 5, r.quarters as f64, &f.number)?;
    }
    if overview.repeat_offenders.is_empty() {
        sheet.write_string_with_format(3, 1, "没有连续两个季度以上不合格的账号", &f.text)?;
    }
    widths.apply(sheet, 40.0)?;
    layout::print_setup(sheet, 2)?;
    Ok(())
}
