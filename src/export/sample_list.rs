//! 抽查名单: the sampled accounts of a quarter with the method above them, the sheet a
//! supervisor prints, signs and files so that anyone can check how the sample was drawn.

use std::path::Path;

use super::ExportError;
use super::column_plan;
use super::layout::{self, Formats, Widths, col, row};
use crate::model::DrawRecord;
use crate::report::method_lines;

const HEADERS: [&str; 10] = [
    "序号",
    "分层",
    "地市",
    "区县",
    "主办单位",
    "账号名称",
    "平台",
    "账号标识",
    "类型",
    "检查人员",
];

/// Writes the list of `draw` to `path`; `region` (e.g. 示例市) goes in the title.
#[allow(clippy::too_many_lines)] // one sheet, top to bottom: title, header, the rows
pub fn write_sample_list(draw: &DrawRecord, region: &str, path: &Path) -> Result<(), ExportError> {
    let f = Formats::new();
    let mut book = super::layout::workbook();
    let sheet = book.add_worksheet();
    sheet.set_name("抽查名单")?;
    let last = col(HEADERS.len() - 1);
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &format!("{region}{}政务新媒体抽查名单", draw.info.quarter.label()),
        &f.title,
    )?;
    sheet.set_row_height(0, 30)?;
    let lines = method_lines(draw);
    for (n, line) in lines.iter().enumerate() {
        let r = row(n + 1);
        sheet.merge_range(r, 0, r, last, line, &f.note)?;
        sheet.set_row_height(r, if line.chars().count() > 90 { 30 } else { 18 })?;
    }
    let header_row = row(lines.len() + 2);
    layout::header(sheet, header_row, &HEADERS, &f)?;
    let shown: Vec<&crate::model::DrawnAccount> = draw
        .accounts_shown()
        .into_iter()
        .map(|i| &draw.accounts[i])
        .collect();
    let all: Vec<[String; 10]> = shown
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let a = &d.account.account;
            let kind = match (d.drawn, d.recheck) {
                (true, true) => "抽取、复查",
                (false, true) => "复查",
                _ => "抽取",
            };
            [
                (n + 1).to_string(),
                crate::model::stratum_label(&d.stratum, a),
                a.city.clone(),
                a.county.clone(),
                a.host_unit.clone(),
                a.name.clone(),
                a.platform.clone(),
                a.account_id.clone(),
                kind.to_owned(),
                d.inspector.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let rows: Vec<Vec<&str>> = all
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    // Every column kept (the list is checked against the draw); places, platforms, ids and
    // kinds whole, the rest of the page to the names.
    let widths = column_plan::plan_widths(
        &HEADERS,
        &[
            true, false, true, true, false, false, true, true, true, true,
        ],
        &rows,
        layout::PRINT_WIDTH,
    );
    for (n, cells) in all.iter().enumerate() {
        let r = header_row + 1 + row(n);
        sheet.write_number_with_format(r, 0, (n + 1) as f64, &f.number)?;
        let mut lines = 1;
        for (c, text) in cells.iter().enumerate().skip(1) {
            // write_string: roster text is never a formula, even when it starts with "=".
            sheet.write_string_with_format(r, col(c), text, &f.text)?;
            lines = lines.max(layout::lines_in(text, widths[c]));
        }
        sheet.set_row_height(r, layout::row_height(lines))?;
    }
    layout::set_widths(sheet, &widths)?;
    layout::print_setup(sheet, header_row)?;

    let strata = book.add_worksheet();
    strata.set_name("分层统计")?;
    let heads = ["分层", "在运行账号数", "抽取数", "抽取比例"];
    strata.merge_range(
        0,
        0,
        0,
        3,
        &format!("{}抽样分层统计", draw.info.quarter.label()),
        &f.title,
    )?;
    layout::header(strata, 1, &heads, &f)?;
    let mut widths = Widths::new(&heads);
    for (n, s) in draw.strata_shown().into_iter().enumerate() {
        let r = row(n + 2);
        let name = draw.stratum_name(&s.key);
        strata.write_string_with_format(r, 0, &name, &f.text)?;
        widths.see(0, &name);
        strata.write_number_with_format(r, 1, s.population as f64, &f.number)?;
        strata.write_number_with_format(r, 2, s.sampled as f64, &f.number)?;
        let share = if s.population == 0 {
            0.0
        } else {
            s.sampled as f64 / s.population as f64
        };
        strata.write_number_with_format(r, 3, share, &f.percent)?;
    }
    let total = row(draw.strata.len() + 2);
    strata.write_string_with_format(total, 0, "合计", &f.head)?;
    strata.write_number_with_format(total, 1, draw.info.population as f64, &f.number)?;
    strata.write_number_with_format(total, 2, draw.info.sampled as f64, &f.number)?;
    let share = if draw.info.population == 0 {
        0.0
    } else {
        draw.info.sampled as f64 / draw.info.population as f64
    };
    strata.write_number_with_format(total, 3, share, &f.percent)?;
    widths.apply(strata, 30.0)?;
    layout::print_setup(strata, 1)?;

    if !draw.excluded.is_empty() {
        let sheet = book.add_worksheet();
        sheet.set_name("未纳入抽样")?;
        let heads = [
            "序号",
            "地市",
            "区县",
            "主办单位",
            "账号名称",
            "平台",
            "账号标识",
            "状态",
        ];
        sheet.merge_range(
            0,
            0,
            0,
            col(heads.len() - 1),
            "已关停、已注销账号（不参与抽样）",
            &f.title,
        )?;
        layout::header(sheet, 1, &heads, &f)?;
        let mut widths = Widths::new(&heads);
        for (n, s) in draw.excluded.iter().enumerate() {
            let a = &s.account;
            let r = row(n + 2);
            sheet.write_number_with_format(r, 0, (n + 1) as f64, &f.number)?;
            let cells = [
                a.city.as_str(),
                &a.county,
                &a.host_unit,
                &a.name,
                &a.platform,
                &a.account_id,
                a.status.label(),
            ];
            for (c, text) in cells.iter().enumerate() {
                sheet.write_string_with_format(r, col(c + 1), *text, &f.text)?;
                widths.see(c + 1, text);
            }
        }
        widths.apply(sheet, 36.0)?;
        sheet.set_column_width(0, 6)?;
        layout::print_setup(sheet, 1)?;
    }
    super::atomic::save_book(&mut book, path)?;
    Ok(())
}

/// The file name offered when saving: 2026年第四季度抽查名单.xlsx
#[must_use]
pub fn default_file_name(draw: &DrawRecord) -> String {
    format!("{}抽查名单.xlsx", draw.info.quarter.label())
}
