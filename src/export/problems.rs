//! The list of problem rows of a roster import, to send back to whoever filled in the sheet.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};

use super::ExportError;
use crate::roster::report::ImportReport;

/// Writes one row per problem: 行号, 列, 内容, 问题, 处理.
pub fn write_problem_list(report: &ImportReport, path: &Path) -> Result<(), ExportError> {
    let mut book = super::layout::workbook();
    let sheet = book.add_worksheet();
    sheet.set_name("问题清单")?;
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_font_name("宋体");
    let head = Format::new()
        .set_bold()
        .set_font_name("宋体")
        .set_border(FormatBorder::Thin)
        .set_background_color("#D9E1F2")
        .set_align(FormatAlign::Center);
    let body = Format::new()
        .set_font_name("宋体")
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let sheet_name = if report.sheet.is_empty() {
        String::new()
    } else {
        format!("（工作表“{}”）", report.sheet)
    };
    sheet.write_string_with_format(
        0,
        0,
        format!("名录问题清单：{}{sheet_name}", report.file),
        &title,
    )?;
    sheet.write_string(
        1,
        0,
        "行号为 Excel 左侧显示的行号。请按“问题”一列修改原表后重新报送。",
    )?;
    for (c, h) in ["行号", "列", "内容", "问题", "处理"].iter().enumerate() {
        sheet.write_string_with_format(3, u16::try_from(c).unwrap_or(0), *h, &head)?;
    }
    let mut rows: Vec<(u32, &str, String, String, &str)> = Vec::new();
    rows.extend(report.errors.iter().map(|p| {
        (
            p.row,
            p.field.as_str(),
            p.value.clone(),
            p.message.clone(),
            "未导入",
        )
    }));
    rows.extend(report.warnings.iter().map(|p| {
        (
            p.row,
            p.field.as_str(),
            p.value.clone(),
            p.message.clone(),
            "已导入，该项留空",
        )
    }));
    rows.extend(report.duplicates.iter().map(|d| {
        (
            d.row,
            "整行",
            d.name.clone(),
            format!("与第 {} 行是同一个账号", d.first_row),
            "只导入第一次出现的行",
        )
    }));
    rows.sort_by_key(|r| r.0);
    for (i, (row, field, value, message, action)) in rows.iter().enumerate() {
        let r = 4 + u32::try_from(i).unwrap_or(u32::MAX - 4);
        sheet.write_number_with_format(r, 0, f64::from(*row), &body)?;
        // Written as strings: a value starting with "=" stays text, never a formula.
        sheet.write_string_with_format(r, 1, *field, &body)?;
        sheet.write_string_with_format(r, 2, value, &body)?;
        sheet.write_string_with_format(r, 3, message, &body)?;
        sheet.write_string_with_format(r, 4, *action, &body)?;
    }
    for (c, w) in [8.0, 14.0, 24.0, 60.0, 20.0].into_iter().enumerate() {
        sheet.set_column_width(u16::try_from(c).unwrap_or(0), w)?;
    }
    sheet.set_freeze_panes(4, 0)?;
    super::atomic::save_book(&mut book, path)?;
    Ok(())
}
