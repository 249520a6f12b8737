//! Recognising the header row(s) of a roster: which column holds which field, whatever
//! the office called it and wherever it put it.

use super::grid::{Grid, Row};
use crate::model::platform::fold;

/// A field spotcheck interprets. Columns that match none are kept as extra columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Seq,
    Platform,
    AccountId,
    Name,
    HostUnit,
    City,
    County,
    OpenedOn,
    FiledOn,
    Status,
    Fans,
    Operator,
}

impl Field {
    pub const REQUIRED: [Field; 3] = [Field::HostUnit, Field::Name, Field::Platform];

    /// The usual column name, used in messages.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Field::Seq => "序号",
            Field::Platform => "平台",
            Field::AccountId => "账号标识",
            Field::Name => "账号名称",
            Field::HostUnit => "主办单位",
            Field::City => "地市",
            Field::County => "区县",
            Field::OpenedOn => "开设时间",
            Field::FiledOn => "备案时间",
            Field::Status => "运营状态",
            Field::Fans => "粉丝数",
            Field::Operator => "运维单位",
        }
    }

    /// Header names offices use for this field, folded by [`fold`].
    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Seq => &["序号", "编号", "no", "no."],
            Field::Platform => &[
                "平台",
                "平台类型",
                "账号类型",
                "媒体类型",
                "平台名称",
                "新媒体类型",
                "政务新媒体类型",
                "所属平台",
                "账号平台",
                "类型",
                "类别",
                "渠道",
            ],
            Field::AccountId => &[
                "账号id",
                "账号标识",
                "uid",
                "微信号",
                "网址",
                "链接",
                "id",
                "账号",
                "原始id",
                "账号链接",
                "网址链接",
                "主页链接",
                "访问地址",
                "账号地址",
                "下载地址",
                "账号id/链接",
                "账号标识/链接",
                "账号id或链接",
                "url",
            ],
            Field::Name => &[
                "账号名称",
                "名称",
                "账号名",
                "新媒体名称",
                "政务新媒体名称",
                "公众号名称",
                "应用名称",
                "账号全称",
            ],
            Field::HostUnit => &[
                "主办单位",
                "主办单位名称",
                "单位名称",
                "开办主体",
                "开设单位",
                "开办单位",
                "主体单位",
                "开设主体",
                "主办单位全称",
                "单位",
            ],
            Field::City => &["地市", "市", "所属地市", "地级市", "所属市", "地区", "市别"],
            Field::County => &[
                "区县",
                "所属区县",
                "县市区",
                "县区",
                "区县名称",
                "所属县区",
                "县市、区",
                "县",
            ],
            Field::OpenedOn => &[
                "开设时间",
                "开通时间",
                "开设日期",
                "开通日期",
                "上线时间",
                "创建时间",
                "注册时间",
            ],
            Field::FiledOn => &["备案时间", "备案日期", "报备时间"],
            Field::Status => &["运营状态", "状态", "账号状态", "运行状态", "使用状态"],
            Field::Fans => &[
                "粉丝数",
                "粉丝量",
                "关注数",
                "粉丝数量",
                "订阅数",
                "关注人数",
                "用户数",
                "粉丝",
                "下载量",
            ],
            Field::Operator => &["运维单位", "运营单位", "运维机构", "运维主体"],
        }
    }

    const ALL: [Field; 12] = [
        Field::Seq,
        Field::Platform,
        Field::AccountId,
        Field::Name,
        Field::HostUnit,
        Field::City,
        Field::County,
        Field::OpenedOn,
        Field::FiledOn,
        Field::Status,
        Field::Fans,
        Field::Operator,
    ];
}

/// Which field a header cell names, if any. `县（市、区）` and `粉丝数（万）` are recognised:
/// the text is tried as it is, then without what stands in brackets.
#[must_use]
pub fn field_for(header: &str) -> Option<Field> {
    let folded: String = fold(header)
        .chars()
        .filter(|c| !matches!(c, '*' | '＊' | ':' | '：'))
        .collect();
    let stripped = strip_brackets(header);
    Field::ALL
        .into_iter()
        .find(|f| f.names().contains(&folded.as_str()))
        .or_else(|| {
            Field::ALL
                .into_iter()
                .find(|f| f.names().contains(&stripped.as_str()))
        })
}

fn strip_brackets(text: &str) -> String {
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
    fold(&out)
        .chars()
        .filter(|c| !matches!(c, '*' | '＊' | ':' | '：'))
        .collect()
}

/// The recognised header: where it is and what each column means.
#[derive(Debug, Clone)]
pub struct Header {
    /// First and last sheet row of the header (two-level headers span two rows).
    pub first_row: u32,
    pub last_row: u32,
    /// Per column: its header text (empty for a column with none) and the field it holds.
    pub columns: Vec<(String, Option<Field>)>,
}

impl Header {
    #[must_use]
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|(_, f)| *f == Some(field))
    }

    #[must_use]
    pub fn missing_required(&self) -> Vec<Field> {
        Field::REQUIRED
            .into_iter()
            .filter(|f| self.column_of(*f).is_none())
            .collect()
    }

    /// Header texts found, for messages.
    #[must_use]
    pub fn found_names(&self) -> String {
        names_of(self.columns.iter().map(|(t, _)| t.as_str()))
    }
}

/// How many rows from the top are searched for the header.
const HEADER_SEARCH_ROWS: usize = 40;

fn matches_in(row: &Row) -> Vec<(usize, Field)> {
    let mut seen = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if let Some(f) = field_for(&cell.display())
            && f != Field::Seq
            && !seen.iter().any(|(_, g)| *g == f)
        {
            seen.push((i, f));
        }
    }
    seen
}

/// How well a sheet looks like a roster: the number of distinct fields its best header row names.
#[must_use]
pub fn score(grid: &Grid) -> usize {
    grid.rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .map(|r| matches_in(r).len())
        .max()
        .unwrap_or(0)
}

/// Finds the header: the row naming the most fields (at least two), extended by the row below
/// or above when that row names further fields in other columns (a two-level header).
#[must_use]
pub fn find(grid: &Grid) -> Option<Header> {
    let rows = &grid.rows[..grid.rows.len().min(HEADER_SEARCH_ROWS)];
    let (best, best_matches) = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i, matches_in(r)))
        .max_by(|(i, a), (j, b)| a.len().cmp(&b.len()).then(j.cmp(i)))?;
    if best_matches.len() < 2 {
        return None;
    }
    let mut block = vec![best];
    for neighbour in [Some(best + 1), best.checked_sub(1)].into_iter().flatten() {
        let Some(row) = rows.get(neighbour) else {
            continue;
        };
        if rows[best].number.abs_diff(row.number) != 1 {
            continue;
        }
        let adds = matches_in(row)
            .iter()
            .any(|(col, f)| !best_matches.iter().any(|(c, g)| c == col || g == f));
        if adds {
            block.push(neighbour);
            break;
        }
    }
    block.sort_unstable();
    let width = block
        .iter()
        .map(|&i| rows[i].cells.len())
        .max()
        .unwrap_or(0);
    let columns = (0..width)
        .map(|col| {
            // The lower row of a two-level header is the specific name; fall back to the upper.
            let texts: Vec<String> = block
                .iter()
                .rev()
                .map(|&i| rows[i].cell(col).display())
                .filter(|t| !t.is_empty())
                .collect();
            let field = texts.iter().find_map(|t| field_for(t));
            let text = texts
                .iter()
                .find(|t| field.is_some() && field_for(t) == field)
                .or(texts.first())
                .cloned()
                .unwrap_or_default();
            (text, field)
        })
        .collect::<Vec<_>>();
    // A field named twice (say 链接 and 微信号) is taken from its first column; the rest stay extra.
    let mut columns = columns;
    for i in 0..columns.len() {
        if let Some(f) = columns[i].1
            && columns[..i].iter().any(|(_, g)| *g == Some(f))
        {
            columns[i].1 = None;
        }
    }
    Some(Header {
        first_row: rows[block[0]].number,
        last_row: rows[*block.last().expect("block is never empty")].number,
        columns,
    })
}

/// The non-empty texts of the most header-like row, for a message when no header is found.
#[must_use]
pub fn best_guess_names(grid: &Grid) -> String {
    grid.rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        // The fullest row; of equally full ones the first, which is where a header would be.
        .max_by_key(|(i, r)| {
            (
                r.cells.iter().filter(|c| !c.is_empty()).count(),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, r)| {
            names_of(
                r.cells
                    .iter()
                    .map(super::grid::Cell::display)
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str),
            )
        })
        .unwrap_or_default()
}

fn names_of<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.filter(|n| !n.is_empty()).take(20).collect();
    if names.is_empty() {
        "（无）".to_owned()
    } else {
        names.join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::{Field, field_for};

    #[test]
    fn header_spellings() {
        for (h, f) in [
            ("主办单位", Field::HostUnit),
            ("主办单位名称", Field::HostUnit),
            ("单位名称", Field::HostUnit),
            ("开办主体", Field::HostUnit),
            ("平台类型", Field::Platform),
            ("媒体类型", Field::Platform),
            ("账号ID", Field::AccountId),
            ("ＵＩＤ", Field::AccountId),
            ("微信号", Field::AccountId),
            ("县（市、区）", Field::County),
            ("所属区县", Field::County),
            ("开通时间", Field::OpenedOn),
            ("粉丝数（万）", Field::Fans),
            ("*账号名称", Field::Name),
            ("运维单位", Field::Operator),
            ("运营状态", Field::Status),
        ] {
            assert_eq!(field_for(h), Some(f), "{h}");
        }
        assert_eq!(field_for("备注"), None);
    }
}
