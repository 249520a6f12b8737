//! 抽查名单: the sampled accounts of a quarter with the method above them, the sheet a
//! supervisor prints, signs and files so that anyone can check how the sample was drawn.

use std::path::Path;

use rust_xlsxwriter::Workbook;

use super::ExportError;
use super::layout::{self, Formats, Widths, col, row};
use crate::store::DrawRecord;

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

/// The lines that say how the sample was drawn, printed above the list (and in the notice).
#[must_use]
pub fn method_lines(draw: &DrawRecord) -> Vec<String> {
    let i = &draw.info;
    let mut lines = vec![
        format!(
            "抽样方法：{}随机抽样。每层抽取“抽查比例 × 该层账号数”（有小数时进一位）个账号；层内账号按账号标识排序后，用随机种子生成的顺序抽取。相同名录、相同设置和相同种子，在任何电脑上都抽出相同的名单。",
            i.strata.label()
        ),
        format!(
            "抽查比例：{}　　随机种子：{}　　总体：在运行账号 {} 个（另有已关停、已注销账号 {} 个不参与抽样）　　抽取：{} 个{}",
            i.rate,
            i.seed,
            i.population,
            i.excluded,
            i.sampled,
            recheck_note(draw)
        ),
        format!(
            "总体指纹（全部在运行账号标识的 SHA-256）：{}",
            i.population_hash
        ),
        format!(
            "算法：{} 第 {} 版　　抽取人：{}　　抽取时间：{}{}",
            i.algorithm,
            i.algorithm_version,
            i.drawn_by,
            i.drawn_at.format("%Y年%m月%d日 %H:%M"),
            if i.prefer_not_drawn_in > 0 {
                format!(
                    "　　优先抽取近 {} 个季度未抽到的账号",
                    i.prefer_not_drawn_in
                )
            } else {
                String::new()
            }
        ),
    ];
    if let Some(reason) = &i.reason {
        lines.push(format!("重新抽样理由：{reason}"));
    }
    lines
}

/// What the method line says of 复查: last quarter's failures drawn again at random are among
/// the accounts drawn; the others are checked on top of them.
fn recheck_note(draw: &DrawRecord) -> String {
    let among = draw
        .accounts
        .iter()
        .filter(|d| d.drawn && d.recheck)
        .count();
    let extra = draw
        .accounts
        .iter()
        .filter(|d| !d.drawn && d.recheck)
        .count();
    let mut note = String::new();
    if among > 0 {
        note.push_str(&format!(
            "（其中 {among} 个是上季度不合格账号，同时作为复查）"
        ));
    }
    if extra > 0 {
        note.push_str(&format!("，另复查上季度不合格账号 {extra} 个"));
    }
    note
}

/// Writes the list of `draw` to `path`; `region` (e.g. 示例市) goes in the title.
pub fn write_sample_list(draw: &DrawRecord, region: &str, path: &Path) -> Result<(), ExportError> {
    let f = Formats::new();
    let mut book = Workbook::new();
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
    let mut widths = Widths::new(&HEADERS);
    for (n, d) in draw.accounts.iter().enumerate() {
        let a = &d.account.account;
        let r = header_row + 1 + row(n);
        let kind = match (d.drawn, d.recheck) {
            (true, true) => "抽取、复查",
            (false, true) => "复查",
            _ => "抽取",
        };
        let inspector = d.inspector.as_deref().unwrap_or("");
        sheet.write_number_with_format(r, 0, (n + 1) as f64, &f.number)?;
        let cells = [
            d.stratum.as_str(),
            &a.city,
            &a.county,
            &a.host_unit,
            &a.name,
            &a.platform,
            &a.account_id,
            kind,
            inspector,
        ];
        for (c, text) in cells.iter().enumerate() {
            // write_string: roster text is never a formula, even when it starts with "=".
            sheet.write_string_with_format(r, col(c + 1), *text, &f.text)?;
            widths.see(c + 1, text);
        }
    }
    widths.apply(sheet, 36.0)?;
    sheet.set_column_width(0, 6)?;
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
    for (n, s) in draw.strata.iter().enumerate() {
        let r = row(n + 2);
        strata.write_string_with_format(r, 0, &s.key, &f.text)?;
        widths.see(0, &s.key);
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
    book.save(path)?;
    Ok(())
}

/// The file name offered when saving: 2026年第四季度抽查名单.xlsx
#[must_use]
pub fn default_file_name(draw: &DrawRecord) -> String {
    format!("{}抽查名单.xlsx", draw.info.quarter.label())
}
