//! A printed table's columns planned from its content: a column that says nothing (the same
//! in every row, e.g. one 地市 or every check 已完成) is left out, and the page width goes to
//! the columns where it saves the most printed lines, so that 问题描述 gets room while a
//! column of short dates stays narrow.

use super::layout::{text_width, wrapped_lines};

/// When a column may be left out of a printed table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Omit {
    /// Always printed.
    Never,
    /// Left out when every row holds the place the sheet's title names (a city's own 地市).
    /// A column whose rows merely agree stays: a title naming 广东省 does not say which county.
    IfAllTitle,
    /// Left out when every row holds this text (e.g. "" for a column that is always empty).
    IfAll(&'static str),
}

/// The columns of `rows` that print, by their `rules`; `title_place` is the place the sheet's
/// title names.
pub(super) fn kept<const N: usize>(
    rules: &[Omit; N],
    rows: &[[String; N]],
    title_place: &str,
) -> Vec<usize> {
    (0..N)
        .filter(|&c| {
            let mut cells = rows.iter().map(|r| r[c].as_str());
            match rules[c] {
                Omit::Never => true,
                // No rows: nothing to judge by, so the column stays.
                Omit::IfAllTitle => rows.is_empty() || cells.any(|t| t != title_place),
                Omit::IfAll(text) => rows.is_empty() || cells.any(|t| t != text),
            }
        })
        .collect()
}

/// How many printed lines a cell whose lines are `segments` wide takes in a column `width`
/// wide (the rule of [`super::layout::lines_in`]).
fn lines(segments: &[f64], width: f64) -> usize {
    segments
        .iter()
        .map(|s| wrapped_lines(*s, width))
        .sum::<usize>()
        .max(1)
}

/// Column widths (Excel character widths) for a table of `heads` over `rows`, adding up to at
/// most `budget` when the content allows, with as few printed lines as this finds: each column
/// at least wide enough for its header on two lines (or its longest line, up to a quarter of
/// `budget`, where `whole` says so)
/// and at most as wide as its longest line.
/// It starts from the best of the plans where nearly every cell takes at most k lines (k = 1,
/// 2, …), then hands out what is left, a few characters at a time, to the column that saves
/// the most lines per character. When even the narrowest plan is wider than `budget`, the
/// narrowest plan.
pub(super) fn plan_widths(
    heads: &[&str],
    whole: &[bool],
    rows: &[Vec<&str>],
    budget: f64,
) -> Vec<f64> {
    let n = heads.len();
    // The longest lines from every row; the lines saved from at most PLANNED_ROWS of them,
    // evenly spread, which decide as well and keep a large table's plan quick.
    let step = rows.len().div_ceil(PLANNED_ROWS).max(1);
    let cells: Vec<Vec<Vec<f64>>> = rows
        .iter()
        .step_by(step)
        .map(|r| {
            r.iter()
                .map(|t| t.lines().map(text_width).collect())
                .collect()
        })
        .collect();
    let header: Vec<f64> = heads
        .iter()
        .map(|h| (text_width(h) / 2.0).ceil() + 1.0)
        .collect();
    let widest: Vec<f64> = (0..n)
        .map(|c| {
            let longest = rows
                .iter()
                .flat_map(|r| r[c].lines().map(text_width))
                .fold(0.0, f64::max);
            (longest + 1.0).ceil().max(header[c])
        })
        .collect();
    // A whole column is at most a quarter of the page at the start (a long web address as an
    // account id wraps rather than push the table off the page).
    let whole_cap = (budget / 4.0).floor();
    let least: Vec<f64> = (0..n)
        .map(|c| {
            if whole.get(c).copied().unwrap_or(false) {
                widest[c].min(whole_cap.max(header[c]))
            } else {
                header[c]
            }
        })
        .collect();
    if widest.iter().sum::<f64>() <= budget {
        return widest;
    }
    let mut start = least.clone();
    let mut fewest = total_lines(&cells, &start);
    for k in 1..=6 {
        let plan: Vec<f64> = (0..n)
            .map(|c| fit_most(&cells, c, k, least[c], widest[c]))
            .collect();
        if plan.iter().sum::<f64>() <= budget {
            let lines = total_lines(&cells, &plan);
            if lines < fewest {
                (start, fewest) = (plan, lines);
            }
        }
    }
    widen(&cells, start, &widest, budget)
}

/// How many rows of a table the lines saved are counted over.
const PLANNED_ROWS: usize = 2_000;

/// The printed lines of a table: each row as many as its tallest cell.
fn total_lines(cells: &[Vec<Vec<f64>>], widths: &[f64]) -> usize {
    cells
        .iter()
        .map(|r| {
            r.iter()
                .zip(widths)
                .map(|(cell, w)| lines(cell, *w))
                .max()
                .unwrap_or(1)
        })
        .sum()
}

/// The narrowest whole width, between `least` and `widest`, at which 19 in 20 cells of column
/// `c` take at most `k` lines.
fn fit_most(cells: &[Vec<Vec<f64>>], c: usize, k: usize, least: f64, widest: f64) -> f64 {
    let enough = |w: f64| {
        let fitting = cells.iter().filter(|r| lines(&r[c], w) <= k).count();
        fitting * 20 >= cells.len() * 19
    };
    let (mut lo, mut hi) = (least, widest);
    if enough(lo) {
        return lo;
    }
    while hi - lo > 1.0 {
        let mid = f64::midpoint(lo, hi).floor();
        if enough(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Hands out the budget left over `widths`, a few characters at a time, to the column that
/// saves the most printed lines per character (rows first, then cells), until nothing is left
/// or nothing saves a line.
fn widen(cells: &[Vec<Vec<f64>>], mut widths: Vec<f64>, widest: &[f64], budget: f64) -> Vec<f64> {
    loop {
        let spare = budget - widths.iter().sum::<f64>();
        if spare < 1.0 {
            return widths;
        }
        // Each row's tallest and second-tallest cell: what a row costs without column c.
        let per_row: Vec<(usize, usize, usize)> = cells
            .iter()
            .map(|r| {
                let (mut top, mut at, mut second) = (0, 0, 0);
                for (c, cell) in r.iter().enumerate() {
                    let l = lines(cell, widths[c]);
                    if l > top {
                        (second, top, at) = (top, l, c);
                    } else if l > second {
                        second = l;
                    }
                }
                (top, at, second)
            })
            .collect();
        let mut best: Option<(f64, usize, f64)> = None;
        for c in 0..widths.len() {
            for step in [1.0_f64, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0] {
                let step = step.min(spare).min(widest[c] - widths[c]);
                if step < 1.0 {
                    continue;
                }
                // Lines saved in rows, and (far less weighty) in cells that wrap below the
                // tallest of their row, which read better whole.
                let (mut rows_saved, mut cells_saved) = (0, 0);
                for (r, &(top, at, second)) in cells.iter().zip(&per_row) {
                    let (now, wider) = (lines(&r[c], widths[c]), lines(&r[c], widths[c] + step));
                    let others = if at == c { second } else { top };
                    rows_saved += top - others.max(wider);
                    cells_saved += now - wider;
                }
                #[allow(clippy::cast_precision_loss)] // lines of a table: far below 2^52
                let gain = (rows_saved as f64 * 1000.0 + cells_saved as f64) / step;
                if gain > 0.0 && best.is_none_or(|(g, _, _)| gain > g) {
                    best = Some((gain, c, step));
                }
            }
        }
        let Some((_, c, step)) = best else {
            return widths;
        };
        widths[c] += step;
    }
}

#[cfg(test)]
mod tests {
    use super::{Omit, kept, lines, plan_widths};
    use crate::export::layout::text_width;

    #[test]
    fn columns_that_say_nothing_are_left_out() {
        let table = [
            [
                "韶关市".to_owned(),
                "已完成".to_owned(),
                String::new(),
                "甲".to_owned(),
            ],
            [
                "韶关市".to_owned(),
                "已完成".to_owned(),
                String::new(),
                "甲".to_owned(),
            ],
        ];
        let rules = [
            Omit::IfAllTitle,
            Omit::IfAll("已完成"),
            Omit::IfAll(""),
            Omit::Never,
        ];
        assert_eq!(kept(&rules, &table, "韶关市"), [3]);
        assert_eq!(
            kept(&rules, &table, "广东省"),
            [0, 3],
            "a province's title does not say which city"
        );
        let mut mixed = table.clone();
        mixed[1][0] = "清远市".to_owned();
        mixed[1][1] = "进行中".to_owned();
        mixed[1][2] = "2026-11-30".to_owned();
        assert_eq!(kept(&rules, &mixed, "韶关市"), [0, 1, 2, 3]);
        let none: [[String; 4]; 0] = [];
        assert_eq!(
            kept(&rules, &none, "韶关市"),
            [0, 1, 2, 3],
            "nothing to judge by"
        );
    }

    #[test]
    fn a_table_that_fits_gets_its_natural_widths() {
        let w = plan_widths(
            &["序号", "平台"],
            &[false; 2],
            &[vec!["1", "微信公众号"]],
            100.0,
        );
        assert!(
            (w[1] - (text_width("微信公众号") + 1.0).ceil()).abs() < 1e-9,
            "{w:?}"
        );
        assert!(w.iter().sum::<f64>() <= 100.0);
    }

    #[test]
    fn the_width_goes_where_it_saves_lines() {
        // One long description per row, short names: the description gets the room, and
        // every column keeps its header readable on two lines at most.
        let long =
            "该账号于2026年10月最后一次更新，监测时间点前两周内没有发布任何信息，且留言未回复";
        let table: Vec<Vec<&str>> = (0..20)
            .map(|_| vec!["示例市财政局", "财政局发布", long, ""])
            .collect();
        let heads = ["主办单位", "账号名称", "问题描述", "最后更新日期"];
        let w = plan_widths(&heads, &[false; 4], &table, 100.0);
        assert!(w.iter().sum::<f64>() <= 100.0, "{w:?}");
        assert!(w[2] > w[0] && w[2] > w[3], "{w:?}");
        for (h, width) in heads.iter().zip(&w) {
            assert!(lines(&[text_width(h)], *width) <= 2, "{h} in {width}");
        }
        // The short cells are on one line.
        assert_eq!(lines(&[text_width("示例市财政局")], w[0]), 1, "{w:?}");
        assert_eq!(lines(&[text_width("财政局发布")], w[1]), 1, "{w:?}");
    }

    #[test]
    fn planning_a_large_table_is_quick() {
        let table: Vec<Vec<&str>> = (0..5_000)
            .map(|i| {
                vec![
                    "示例市某某县文化广电旅游体育局",
                    if i % 2 == 0 {
                        "某某县文化广电旅游体育局"
                    } else {
                        "某某发布"
                    },
                    "微信公众号",
                    "gh_c34e2cdb0a0d",
                    if i % 7 == 0 {
                        "更新时效、未备案或备案信息未更新"
                    } else {
                        ""
                    },
                ]
            })
            .collect();
        let start = std::time::Instant::now();
        let heads = ["主办单位", "账号名称", "平台", "账号标识", "发现的问题"];
        let whole = [false, false, true, true, false];
        let w = plan_widths(&heads, &whole, &table, 90.0);
        // Ids and platforms are never broken.
        assert!(w[3] >= text_width("gh_c34e2cdb0a0d") + 1.0, "{w:?}");
        assert!(w.iter().sum::<f64>() <= 90.0);
        // A bound, not a benchmark: far below what a hang would take.
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }

    #[test]
    fn a_long_web_address_as_id_wraps_rather_than_widen_the_page() {
        let url = "https://www.douyin.com/user/MS4wLjABAAAAx0y1ZzvN7QvK4p3s9fQ2kq8R1m5o6t7u8v9w0x";
        let table: Vec<Vec<&str>> = (0..20)
            .map(|_| {
                vec![
                    "某某县文化广电旅游体育局",
                    "某某发布",
                    "抖音",
                    url,
                    "未备案",
                ]
            })
            .collect();
        let heads = ["主办单位", "账号名称", "平台", "账号标识", "发现的问题"];
        let whole = [false, false, true, true, false];
        let w = plan_widths(&heads, &whole, &table, 90.0);
        assert!(w.iter().sum::<f64>() <= 90.0, "{w:?}");
        // The platform is still never broken.
        assert!(w[2] >= text_width("抖音") + 1.0, "{w:?}");
    }
}
