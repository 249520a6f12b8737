//! A printed table of numbered rows (序号 first) whose columns are planned from its content:
//! those that say nothing left out, the widths where they save the most lines, each row as
//! tall as its text. The notice's problem lists, 全部结果 and 复查情况 are such tables.

use rust_xlsxwriter::{RowNum, Worksheet, XlsxError};

use super::column_plan::{self, Omit};
use super::layout::{self, Formats, col};

/// A column of a printed table: its header, when it may be left out, and whether its cells
/// are kept on one line (names of places and platforms, ids, dates, verdicts).
pub(super) type Column = (&'static str, Omit, bool);

/// A printed table of numbered rows: the columns kept (after 序号), their headers and widths.
pub(super) struct Table {
    kept: Vec<usize>,
    pub heads: Vec<&'static str>,
    pub widths: Vec<f64>,
}

impl Table {
    /// The columns of `all` that print and their widths on the page.
    pub fn plan<const N: usize>(
        columns: &[Column; N],
        all: &[[String; N]],
        title_place: &str,
    ) -> Self {
        let rules: [Omit; N] = std::array::from_fn(|c| columns[c].1);
        let kept = column_plan::kept(&rules, all, title_place);
        let heads: Vec<&'static str> = std::iter::once("序号")
            .chain(kept.iter().map(|&c| columns[c].0))
            .collect();
        let numbers: Vec<String> = (1..=all.len()).map(|n| n.to_string()).collect();
        let rows: Vec<Vec<&str>> = all
            .iter()
            .zip(&numbers)
            .map(|(cells, n)| {
                std::iter::once(n.as_str())
                    .chain(kept.iter().map(|&c| cells[c].as_str()))
                    .collect()
            })
            .collect();
        let whole: Vec<bool> = std::iter::once(true)
            .chain(kept.iter().map(|&c| columns[c].2))
            .collect();
        let widths = column_plan::plan_widths(&heads, &whole, &rows, layout::PRINT_WIDTH);
        Self {
            kept,
            heads,
            widths,
        }
    }

    /// The sheet column of `cells[c]`, when it prints.
    pub fn column_of(&self, c: usize) -> Option<u16> {
        self.kept.iter().position(|&k| k == c).map(|i| col(i + 1))
    }

    /// The height of a row of `cells`: as tall as the tallest of them wraps in its column.
    pub fn height(&self, cells: &[String]) -> f64 {
        let lines = self
            .kept
            .iter()
            .enumerate()
            .map(|(i, &c)| layout::lines_in(&cells[c], self.widths[i + 1]))
            .max()
            .unwrap_or(1);
        layout::row_height(lines)
    }

    /// Writes row `r`: its number `n`, then the kept `cells`, at their [`Self::height`].
    pub fn row(
        &self,
        sheet: &mut Worksheet,
        r: RowNum,
        n: usize,
        cells: &[String],
        f: &Formats,
    ) -> Result<(), XlsxError> {
        // Every row's height set, one line too: left to itself, LibreOffice makes a row of
        // wrapping cells about two lines tall.
        sheet.set_row_height(r, self.height(cells))?;
        sheet.write_number_with_format(r, 0, n as f64, &f.number)?;
        for (i, &c) in self.kept.iter().enumerate() {
            sheet.write_string_with_format(r, col(i + 1), &cells[c], &f.text)?;
        }
        Ok(())
    }
}
