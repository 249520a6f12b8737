//! From a [`Grid`] and its [`Header`] to typed accounts, with every problem row reported
//! by its sheet row number. Pure: no files, no database.

use std::collections::HashMap;

use serde::Serialize;

use super::grid::{Cell, Grid};
use super::header::{Field, Header};
use super::is_note_line;
use super::values;
use crate::model::{Account, AccountStatus};

/// A row that could not be taken as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// Sheet row number as Excel shows it.
    pub row: u32,
    /// The column's header text (or the usual field name).
    pub field: String,
    /// The cell's value as read, for the person fixing the sheet.
    pub value: String,
    pub message: String,
}

/// The same account listed again further down the sheet; only the first row is imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub row: u32,
    pub first_row: u32,
    pub name: String,
}

/// One account read from the sheet, with the row it came from.
#[derive(Debug, Clone)]
pub struct SourcedAccount {
    pub row: u32,
    pub account: Account,
}

/// Everything a roster file says, before it touches the database.
#[derive(Debug, Clone, Default)]
pub struct ParsedRoster {
    /// SHA-256 of the file's bytes, recorded with the import.
    pub file_sha256: String,
    pub sheet: String,
    pub header_row: u32,
    pub accounts: Vec<SourcedAccount>,
    /// Rows not imported (a required field missing).
    pub errors: Vec<RowProblem>,
    /// Rows imported with a value left blank or assumed (a date or count that could not be read).
    pub warnings: Vec<RowProblem>,
    pub duplicates: Vec<Duplicate>,
    pub skipped_blank: u32,
    /// 合计, 填表人, 联系电话, 备注… lines below or between the accounts.
    pub skipped_notes: u32,
    /// What the reader assumed about the file as a whole, for the preview to show first
    /// (e.g. which column it took the account ids from).
    pub notices: Vec<String>,
    /// Every column of the header with the field it was read as (`None`: 未使用).
    pub columns: Vec<(String, Option<Field>)>,
    /// Where the user's choice of columns for this header is remembered.
    pub columns_key: String,
    /// The user's choices applied (remembered or given for this import).
    pub mapped: super::ColumnMap,
}

impl ParsedRoster {
    /// Whether anything in the file was not taken exactly as written.
    #[must_use]
    pub fn has_problems(&self) -> bool {
        !(self.errors.is_empty() && self.warnings.is_empty() && self.duplicates.is_empty())
    }

    /// A 开设时间 or 备案时间 after `today`, or before 1990, cannot be what the office means
    /// (a typo, or a year where a date goes): it is left blank with a warning naming its row,
    /// never taken as written.
    pub fn drop_implausible_dates(&mut self, today: chrono::NaiveDate) {
        let earliest =
            chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(chrono::NaiveDate::MIN);
        let header_of = |field: Field| {
            self.columns
                .iter()
                .find(|(_, f)| *f == Some(field))
                .map_or_else(|| field.label().to_owned(), |(h, _)| h.clone())
        };
        let heads = [header_of(Field::OpenedOn), header_of(Field::FiledOn)];
        let mut found = Vec::new();
        for s in &mut self.accounts {
            let a = &mut s.account;
            for (head, date) in heads.iter().zip([&mut a.opened_on, &mut a.filed_on]) {
                let Some(d) = *date else {
                    continue;
                };
                let why = if d > today {
                    format!("晚于今天（{}）", crate::model::time::chinese_day(today))
                } else if d < earliest {
                    "早于 1990 年".to_owned()
                } else {
                    continue;
                };
                found.push(RowProblem {
                    row: s.row,
                    field: head.clone(),
                    value: crate::model::time::day_text(d),
                    message: format!(
                        "{} {why}，不像是{head}，请核对；这一项暂时留空",
                        crate::model::time::chinese_day(d)
                    ),
                });
                *date = None;
            }
        }
        if !found.is_empty() {
            self.warnings.extend(found);
            self.warnings.sort_by_key(|w| w.row);
        }
    }
}

/// Reads the accounts below `header`.
#[must_use]
#[allow(clippy::too_many_lines)] // one pass over the rows, one column after another
pub fn parse(grid: Grid, header: &Header) -> ParsedRoster {
    let col = |f| header.column_of(f);
    let label = |f: Field| header.label(f);
    let (unit_header, name_header) = (label(Field::HostUnit), label(Field::Name));
    let fans_in_wan = col(Field::Fans).is_some_and(|c| header.columns[c].0.contains('万'));
    let extra_cols: Vec<usize> = header
        .columns
        .iter()
        .enumerate()
        .filter(|(_, (text, field))| field.is_none() && !text.is_empty())
        .map(|(i, _)| i)
        .collect();

    let mut out = ParsedRoster {
        sheet: grid.sheet.clone(),
        header_row: header.last_row,
        ..ParsedRoster::default()
    };
    if header.column_of(Field::AccountId).is_none() {
        out.notices.push(
            "表头中没有“账号标识”（账号ID、微信号、链接等）列：账号按平台、账号名称和主办单位区分，同一单位在同一平台的同名账号无法分开。"
                .to_owned(),
        );
    }
    // The row each key was first seen on, and the account's place in `out.accounts`. Both
    // sized for every row at once: growing them by doubling held two copies at the peak.
    let mut first_row_of: HashMap<String, (u32, usize)> = HashMap::with_capacity(grid.rows.len());
    out.accounts.reserve(grid.rows.len());
    let mut expected_row = header.last_row + 1;
    let mut pending_blank = 0u32;
    // Ids typed with full-width characters: (row, as written, as read).
    let mut full_width: Vec<(u32, String, String)> = Vec::new();

    // Rows are taken from the grid one by one, so that the accounts replace it in memory.
    let last = header.last_row;
    for row in grid.rows.into_iter().filter(|r| r.number > last) {
        let row = &row;
        // Rows missing from the grid are blank rows between accounts.
        pending_blank += row.number.saturating_sub(expected_row);
        expected_row = row.number + 1;
        if row.is_blank() {
            pending_blank += 1;
            continue;
        }
        out.skipped_blank += pending_blank;
        pending_blank = 0;

        // Excel holds at most 32,767 characters in a cell: a longer text would make every
        // later export fail, so it is cut here and the row says so.
        let cut;
        let row = if row.cells.iter().any(too_long) {
            let mut copy = row.clone();
            for (c, cell) in copy.cells.iter_mut().enumerate() {
                if let Cell::Text(t) = cell
                    && t.chars().count() > EXCEL_CELL_CHARS
                {
                    let chars = t.chars().count();
                    *t = t.chars().take(EXCEL_CELL_CHARS).collect();
                    out.warnings.push(RowProblem {
                        row: row.number,
                        field: header.columns.get(c).map(|h| h.0.clone()).unwrap_or_default(),
                        value: t.chars().take(20).collect::<String>() + "…",
                        message: format!(
                            "内容有 {chars} 字，超过 Excel 单元格的上限 {EXCEL_CELL_CHARS} 字，已截断为前 {EXCEL_CELL_CHARS} 字"
                        ),
                    });
                }
            }
            cut = copy;
            &cut
        } else {
            row
        };

        let text = |f| col(f).map(|c| row.cell(c).display()).unwrap_or_default();
        let (host_unit, name, platform_raw) = (
            text(Field::HostUnit),
            text(Field::Name),
            text(Field::Platform),
        );

        // A note line lacks an account's fields, or (merged across the table) repeats one text in all of them.
        let repeated = host_unit == name && name == platform_raw;
        if is_note_line(row)
            && (host_unit.is_empty() || name.is_empty() || platform_raw.is_empty() || repeated)
        {
            out.skipped_notes += 1;
            continue;
        }
        // A header repeated on a later page of a printed sheet.
        if host_unit == unit_header && name == name_header {
            out.skipped_notes += 1;
            continue;
        }

        // A formula that failed (#N/A, #REF!) in a column read: the row is not taken, rather
        // than imported with that value blank (an id lost would make a new account).
        if let Some((c, value)) = row
            .cells
            .iter()
            .enumerate()
            .find_map(|(c, cell)| match cell {
                Cell::Text(t)
                    if crate::sheet::is_excel_error(t)
                        && header.columns.get(c).is_some_and(|(_, f)| f.is_some()) =>
                {
                    Some((c, t.trim().to_owned()))
                }
                _ => None,
            })
        {
            let message = if value == crate::sheet::UNCALCULATED {
                "是公式，但文件里没有它的计算结果（文件由程序生成，没有在 Excel 或 WPS 中打开保存过），这一行没有导入；请用 Excel 或 WPS 打开这个文件、保存后再导入".to_owned()
            } else {
                format!(
                    "是 Excel 的错误值 {value}（公式出错，或引用的单元格已删除），这一行没有导入；请在 Excel 中改正后再导入"
                )
            };
            out.errors.push(RowProblem {
                row: row.number,
                field: header.columns[c].0.clone(),
                value: value.clone(),
                message,
            });
            continue;
        }
        let mut missing = false;
        for (field, value) in [
            (Field::HostUnit, &host_unit),
            (Field::Name, &name),
            (Field::Platform, &platform_raw),
        ] {
            if value.is_empty() {
                missing = true;
                out.errors.push(RowProblem {
                    row: row.number,
                    field: label(field),
                    value: String::new(),
                    message: format!("缺少{}，这一行没有导入", field.label()),
                });
            }
        }
        if missing {
            continue;
        }

        let mut warn = |field: Field, value: String, message: String| {
            out.warnings.push(RowProblem {
                row: row.number,
                field: label(field),
                value,
                message,
            });
        };
        let cell = |f| col(f).map_or(&Cell::Empty, |c| row.cell(c));

        let platform = crate::model::platform::normalize(&platform_raw)
            .map_or(platform_raw.clone(), str::to_owned);
        // 微信订阅号 in the platform column: a 公众号 whose type the notice counts by.
        let wechat_type = crate::model::platform::wechat_type(&platform_raw);
        let account_id = values::account_id(cell(Field::AccountId)).unwrap_or_else(|m| {
            warn(Field::AccountId, text(Field::AccountId), m);
            String::new()
        });
        if values::has_full_width(&text(Field::AccountId)) {
            full_width.push((row.number, text(Field::AccountId), account_id.clone()));
        }
        let mut date = |f: Field| {
            values::date(cell(f)).unwrap_or_else(|m| {
                warn(f, text(f), format!("{m}；这一项暂时留空"));
                None
            })
        };
        let opened_on = date(Field::OpenedOn);
        let filed_on = date(Field::FiledOn);
        let fans = values::fans(cell(Field::Fans), fans_in_wan).unwrap_or_else(|m| {
            warn(
                Field::Fans,
                text(Field::Fans),
                format!("{m}；这一项暂时留空"),
            );
            None
        });
        let status = values::status(cell(Field::Status)).unwrap_or_else(|m| {
            warn(Field::Status, text(Field::Status), m);
            AccountStatus::Normal
        });
        let mut account = Account {
            platform,
            account_id,
            name,
            host_unit,
            city: text(Field::City),
            county: text(Field::County),
            opened_on,
            filed_on,
            status,
            fans,
            operator: text(Field::Operator),
            extra: extra_cols
                .iter()
                .map(|&c| (header.columns[c].0.clone(), row.cell(c).display()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        };
        if let Some(t) = wechat_type
            && account.wechat_type().is_none()
        {
            account.extra.push((
                crate::model::platform::WECHAT_TYPE_HEADER.to_owned(),
                t.to_owned(),
            ));
        }
        match first_row_of.entry(account.key()) {
            // The same account again (the same id, or without ids the same row): imported
            // once.
            std::collections::hash_map::Entry::Occupied(first)
                if !account.account_id.is_empty()
                    || out.accounts[first.get().1].account == account =>
            {
                out.duplicates.push(Duplicate {
                    row: row.number,
                    first_row: first.get().0,
                    name: account.name.clone(),
                });
            }
            // No id, same platform, name and unit, different content: two accounts the file
            // does not tell apart.
            std::collections::hash_map::Entry::Occupied(first) => {
                out.errors.push(RowProblem {
                    row: row.number,
                    field: label(Field::Name),
                    value: account.name.clone(),
                    message: format!(
                        "与第 {} 行的平台、账号名称和主办单位相同，但其他内容不同：可能是同一单位在同一平台的两个账号（一个单位同一平台多个账号），也可能填错了。请填写账号标识后重新导入；这一行没有导入",
                        first.get().0
                    ),
                });
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((row.number, out.accounts.len()));
                out.accounts.push(SourcedAccount {
                    row: row.number,
                    account,
                });
            }
        }
    }
    if let Some((row, written, read)) = full_width.first() {
        out.notices.push(format!(
            "有 {} 个账号标识含全角字母、数字或符号，已按半角读取（如第 {row} 行“{written}”读作“{read}”），与用半角填写的是同一个账号。",
            full_width.len()
        ));
    }
    out
}

/// The most characters an Excel cell holds.
pub const EXCEL_CELL_CHARS: usize = 32_767;

fn too_long(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(t) if t.len() > EXCEL_CELL_CHARS && t.chars().count() > EXCEL_CELL_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_after_today_or_before_1990_are_left_blank_with_a_warning() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        let account = |row, opened, filed| SourcedAccount {
            row,
            account: Account {
                platform: "微信公众号".to_owned(),
                account_id: format!("gh_{row}"),
                name: format!("账号{row}"),
                host_unit: "示例市甲局".to_owned(),
                city: String::new(),
                county: String::new(),
                opened_on: opened,
                filed_on: filed,
                status: AccountStatus::Normal,
                fans: None,
                operator: String::new(),
                extra: Vec::new(),
            },
        };
        let mut parsed = ParsedRoster {
            accounts: vec![
                account(2, day(2019, 3, 5), day(2026, 12, 7)),
                account(3, day(1985, 5, 5), day(2026, 12, 8)),
            ],
            columns: vec![("开通日期".to_owned(), Some(Field::OpenedOn))],
            ..ParsedRoster::default()
        };
        parsed.drop_implausible_dates(day(2026, 12, 7).expect("today"));
        let kept: Vec<_> = parsed
            .accounts
            .iter()
            .map(|s| (s.account.opened_on, s.account.filed_on))
            .collect();
        assert_eq!(
            kept,
            [(day(2019, 3, 5), day(2026, 12, 7)), (None, None)],
            "today itself is plausible"
        );
        let warned: Vec<(u32, &str)> = parsed
            .warnings
            .iter()
            .map(|w| (w.row, w.field.as_str()))
            .collect();
        assert_eq!(warned, [(3, "开通日期"), (3, "备案时间")]);
        assert!(parsed.warnings[0].message.contains("早于 1990 年"));
        assert!(parsed.warnings[1].message.contains("晚于今天"));
    }
}
