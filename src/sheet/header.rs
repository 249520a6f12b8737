//! Finding a sheet's header: the row (or two rows) that names its columns, and which column
//! holds what, whatever the office called it and wherever it put it (under a title and a
//! 填报单位 line, split over two levels, spelled with brackets, stars or full-width letters).
//!
//! One finder serves every import. An import describes its own columns by implementing
//! [`Columns`] on the enum that names them: the header names offices use for each, which are
//! required, and how its header row is chosen. This module knows nothing of any one import's
//! columns and reads no values below the header.

use super::grid::{Cell, Grid, Row};
use crate::model::platform::fold;

/// How many rows from the top are searched for the header (titles, 填报单位 and date lines
/// come first).
pub const SEARCH_ROWS: usize = 40;

/// The fewest distinct columns the fullest row must name to be taken as a header.
const MIN_NAMED: usize = 2;

/// How an import's header row is chosen among the top [`SEARCH_ROWS`] rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The row naming the most distinct scoring columns (at least two; the first of equally
    /// good rows). With `two_level`, the row below or above joins it when that row names
    /// further columns in other cells: a header with a second level (账号信息 over 名称 | ID).
    Fullest { two_level: bool },
    /// The first row that names every required column.
    FirstComplete,
}

/// The columns one kind of sheet has, implemented by the enum naming them: the import's own
/// column table. Everything else about finding its header is shared.
pub trait Columns: Copy + Eq + 'static {
    /// Each column with the header names offices give it, folded (lower case, no spaces or
    /// brackets, see [`clean`]). Columns are tried in this order.
    const NAMES: &'static [(Self, &'static [&'static str])];
    /// The columns a header must have (see [`Columns::provided_by`]), in the order messages
    /// name the missing ones.
    const REQUIRED: &'static [Self];
    /// How the header row is chosen.
    const CHOICE: Choice = Choice::Fullest { two_level: false };

    /// The usual name of the column, used in messages.
    fn label(self) -> &'static str;

    /// Which column a header cell names, if any. By default the text is looked up in
    /// [`Columns::NAMES`] as written, then without what stands in brackets ([`lookup`]).
    #[must_use]
    fn for_header(text: &str) -> Option<Self> {
        lookup(Self::NAMES, text)
    }

    /// Whether the column counts when rows are compared for how much they look like the
    /// header (序号 is in nearly every table, so it tells nothing).
    #[must_use]
    fn scores(self) -> bool {
        true
    }

    /// Whether `header` provides this required column; by default, when it names it. A table
    /// whose required column has a stand-in (账号名称 for 账号标识) says so here.
    #[must_use]
    fn provided_by(self, header: &Header<Self>) -> bool {
        header.column_of(self).is_some()
    }
}

/// A header text folded for comparison: case, spaces, brackets and full-width forms folded as
/// [`fold`] does, and the `*` and `:` that mark required or labelled cells dropped.
#[must_use]
pub fn clean(text: &str) -> String {
    fold(text)
        .chars()
        .filter(|c| !matches!(c, '*' | '＊' | ':' | '：'))
        .collect()
}

/// The text without what stands in brackets: `粉丝数（万）` → `粉丝数`.
#[must_use]
pub fn strip_brackets(text: &str) -> String {
    let mut depth = 0u32;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The column of `table` that a header cell names, trying in turn: the text as written
/// ([`clean`]ed); without what stands in brackets (`县（市、区）`, `粉丝数（万）`,
/// `单位名称（盖章）`, `账号ID（必填）`); without a leading 所在 or 所属 (`所在平台`); and each
/// part of a name joined by `/`, `或` or `、` (`账号/链接`, `网址或ID`), first part first.
#[must_use]
pub fn lookup<C: Copy>(table: &[(C, &[&str])], text: &str) -> Option<C> {
    let written = clean(text);
    let bare = clean(&strip_brackets(text));
    let unprefixed = |s: &str| -> Option<String> {
        ["所在", "所属"]
            .iter()
            .find_map(|p| s.strip_prefix(p))
            .filter(|rest| !rest.is_empty())
            .map(str::to_owned)
    };
    let mut candidates = vec![written.clone(), bare.clone()];
    candidates.extend(unprefixed(&written));
    candidates.extend(unprefixed(&bare));
    for whole in [&written, &bare] {
        for part in whole
            .split(['/', '或', '、', '\\', '|'])
            .filter(|p| !p.is_empty())
        {
            if part != whole.as_str() {
                candidates.push(part.to_owned());
                candidates.extend(unprefixed(part));
            }
        }
    }
    candidates.iter().find_map(|c| in_table(table, c))
}

/// The column of `table` that names `text` as written ([`clean`]ed); what stands in brackets
/// stays part of the name.
#[must_use]
pub fn lookup_as_written<C: Copy>(table: &[(C, &[&str])], text: &str) -> Option<C> {
    in_table(table, &clean(text))
}

fn in_table<C: Copy>(table: &[(C, &[&str])], folded: &str) -> Option<C> {
    if folded.is_empty() {
        return None;
    }
    table
        .iter()
        .find(|(_, names)| names.contains(&folded))
        .map(|(c, _)| *c)
}

/// The recognised header: where it is and what each column means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<C> {
    /// First and last sheet row of the header, as Excel shows them (equal but for a
    /// two-level header).
    pub first_row: u32,
    pub last_row: u32,
    /// Per column: its header text (empty for a column with none) and what it holds. A column
    /// named twice (链接 and 微信号) is taken from its first cell; the later one holds nothing.
    pub columns: Vec<(String, Option<C>)>,
}

impl<C: Columns> Header<C> {
    /// The sheet column (0-based) that holds `column`.
    #[must_use]
    pub fn column_of(&self, column: C) -> Option<usize> {
        self.columns.iter().position(|(_, c)| *c == Some(column))
    }

    /// How messages name a column: its header text in this file, or the usual name.
    #[must_use]
    pub fn label(&self, column: C) -> String {
        self.column_of(column)
            .map(|i| self.columns[i].0.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| column.label().to_owned())
    }

    /// Required columns the header does not provide, in the table's order.
    #[must_use]
    pub fn missing_required(&self) -> Vec<C> {
        C::REQUIRED
            .iter()
            .copied()
            .filter(|c| !c.provided_by(self))
            .collect()
    }

    /// How many columns the header recognises.
    #[must_use]
    pub fn recognised(&self) -> usize {
        self.columns.iter().filter(|(_, c)| c.is_some()).count()
    }

    /// Header texts found, for messages.
    #[must_use]
    pub fn found_names(&self) -> String {
        names_of(self.columns.iter().map(|(t, _)| t.as_str()))
    }

    /// The rows of `grid` below the header, in order.
    pub fn rows_below<'g>(&self, grid: &'g Grid) -> impl Iterator<Item = &'g Row> + use<'g, C> {
        let last = self.last_row;
        grid.rows.iter().filter(move |r| r.number > last)
    }
}

/// Finds the header of `grid` among its top [`SEARCH_ROWS`] rows, as `C` chooses it.
#[must_use]
pub fn find<C: Columns>(grid: &Grid) -> Option<Header<C>> {
    let rows = &grid.rows[..grid.rows.len().min(SEARCH_ROWS)];
    let two_level = match C::CHOICE {
        Choice::FirstComplete => {
            return rows.iter().find_map(|row| {
                let header = read_block::<C>(&[row]);
                header.missing_required().is_empty().then_some(header)
            });
        }
        Choice::Fullest { two_level } => two_level,
    };
    let (best, best_matches) = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i, matches_in::<C>(r)))
        .max_by(|(i, a), (j, b)| a.len().cmp(&b.len()).then(j.cmp(i)))?;
    if best_matches.len() < MIN_NAMED {
        return None;
    }
    let mut block = vec![&rows[best]];
    if two_level {
        for neighbour in [Some(best + 1), best.checked_sub(1)].into_iter().flatten() {
            let Some(row) = rows.get(neighbour) else {
                continue;
            };
            if rows[best].number.abs_diff(row.number) != 1 {
                continue;
            }
            let adds = matches_in::<C>(row)
                .iter()
                .any(|(col, c)| !best_matches.iter().any(|(i, d)| i == col || d == c));
            if adds {
                if neighbour < best {
                    block.insert(0, row);
                } else {
                    block.push(row);
                }
                break;
            }
        }
    }
    Some(read_block(&block))
}

/// How much a sheet looks like it holds `C`'s table: the number of distinct scoring columns
/// its most header-like top row names.
#[must_use]
pub fn score<C: Columns>(grid: &Grid) -> usize {
    grid.rows
        .iter()
        .take(SEARCH_ROWS)
        .map(|r| matches_in::<C>(r).len())
        .max()
        .unwrap_or(0)
}

/// Distinct scoring columns a row names, each at its first cell.
fn matches_in<C: Columns>(row: &Row) -> Vec<(usize, C)> {
    let mut seen: Vec<(usize, C)> = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if let Some(c) = C::for_header(&cell.display())
            && c.scores()
            && !seen.iter().any(|(_, d)| *d == c)
        {
            seen.push((i, c));
        }
    }
    seen
}

/// The header that `block` (one row, or two adjacent rows in sheet order) spells.
fn read_block<C: Columns>(block: &[&Row]) -> Header<C> {
    let width = block.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let mut columns: Vec<(String, Option<C>)> = (0..width)
        .map(|col| {
            // The lower row of a two-level header is the specific name; fall back to the upper.
            let texts: Vec<String> = block
                .iter()
                .rev()
                .map(|r| r.cell(col).display())
                .filter(|t| !t.is_empty())
                .collect();
            let column = texts.iter().find_map(|t| C::for_header(t));
            let text = texts
                .iter()
                .find(|t| column.is_some() && C::for_header(t) == column)
                .or(texts.first())
                .cloned()
                .unwrap_or_default();
            (text, column)
        })
        .collect();
    for i in 0..columns.len() {
        if let Some(c) = columns[i].1
            && columns[..i].iter().any(|(_, d)| *d == Some(c))
        {
            columns[i].1 = None;
        }
    }
    Header {
        first_row: block.first().map_or(0, |r| r.number),
        last_row: block.last().map_or(0, |r| r.number),
        columns,
    }
}

/// The non-empty texts of the fullest top row (of equally full ones the first, which is where
/// a header would be), for a message when no header is found.
#[must_use]
pub fn best_guess_names(grid: &Grid) -> String {
    grid.rows
        .iter()
        .take(SEARCH_ROWS)
        .enumerate()
        .max_by_key(|(i, r)| {
            (
                r.cells.iter().filter(|c| !c.is_empty()).count(),
                std::cmp::Reverse(*i),
            )
        })
        .map_or_else(
            || names_of(std::iter::empty::<&str>()),
            |(_, r)| names_of(r.cells.iter().map(Cell::display)),
        )
}

/// Up to twenty names joined for a message, or （无）.
fn names_of<S: AsRef<str>>(names: impl Iterator<Item = S>) -> String {
    let names: Vec<S> = names.filter(|n| !n.as_ref().is_empty()).take(20).collect();
    if names.is_empty() {
        "（无）".to_owned()
    } else {
        names
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<&str>>()
            .join("、")
    }
}

#[cfg(test)]
mod tests;
