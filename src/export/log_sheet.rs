//! 操作日志: the operation log as a printable sheet.

use std::path::Path;

use super::ExportError;
use super::column_plan;
use super::layout::{self, Formats, col, row};
use crate::model::LogEntry;

const HEADERS: [&str; 5] = ["序号", "时间", "操作人", "操作", "内容"];

/// Writes `entries` with a line saying whether the chain holds (`broken_at`: the first entry
/// that does not).
pub fn write_log(
    entries: &[LogEntry],
    broken_at: Option<i64>,
    path: &Path,
) -> Result<(), ExportError> {
    let f = Formats::new();
    let mut book = super::layout::workbook();
    let sheet = book.add_worksheet();
    sheet.set_name("操作日志")?;
    sheet.merge_range(
        0,
        0,
        0,
        col(HEADERS.len() - 1),
        "政务新媒体抽查操作日志",
        &f.title,
    )?;
    let check = match broken_at {
        None => format!("共 {} 条。校验通过：日志没有被改动过。", entries.len()),
        Some(id) => format!(
            "共 {} 条。校验未通过：从第 {id} 条起日志被改动过或有缺失。",
            entries.len()
        ),
    };
    sheet.merge_range(1, 0, 1, col(HEADERS.len() - 1), &check, &f.note)?;
    layout::header(sheet, 2, &HEADERS, &f)?;
    let cells: Vec<[String; 5]> = entries
        .iter()
        .map(|e| {
            [
                e.id.to_string(),
                crate::model::time::time_text(e.at),
                e.actor.clone(),
                e.action.clone(),
                e.detail.clone(),
            ]
        })
        .collect();
    let rows: Vec<Vec<&str>> = cells
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    // 序号 and 时间 whole; the width left goes where it saves the most lines, mostly 内容.
    let widths = column_plan::plan_widths(
        &HEADERS,
        &[true, true, false, false, false],
        &rows,
        layout::PRINT_WIDTH,
    );
    for (n, (e, texts)) in entries.iter().zip(&cells).enumerate() {
        let r = row(n + 3);
        sheet.write_number_with_format(r, 0, e.id as f64, &f.number)?;
        let mut lines = 1;
        for (c, text) in texts.iter().enumerate().skip(1) {
            sheet.write_string_with_format(r, col(c), text, &f.text)?;
            lines = lines.max(layout::lines_in(text, widths[c]));
        }
        // As tall as its text, so that long entries never print over the next.
        sheet.set_row_height(r, layout::row_height(lines))?;
    }
    layout::set_widths(sheet, &widths)?;
    layout::print_setup(sheet, 2)?;
    super::atomic::save_book(&mut book, path)?;
    Ok(())
}
