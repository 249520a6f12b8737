//! Turning one cell into one typed value: dates in every form offices type them, follower
//! counts like `1.2万`, ids that Excel stored as numbers, status words.
//!
//! Each function returns `Err(message)` with a Chinese explanation when the value cannot be
//! understood; the caller decides whether that rejects the row or only warns.

use chrono::{Datelike, Duration, NaiveDate};

use super::grid::{Cell, clean_text, format_number};
use crate::model::AccountStatus;

/// A date from an Excel date, an Excel serial number, `20190305`, or text such as
/// `2019年3月5日`, `2019.3.5`, `2019/03/05`, `2019-3-5` (a time after it is ignored).
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => number_date(*n).map(Some),
        Cell::Text(t) => {
            let t = clean_text(t);
            if t.is_empty() || matches!(t, "-" | "—" | "/" | "无") {
                return Ok(None);
            }
            text_date(t).map(Some)
        }
    }
}

fn number_date(n: f64) -> Result<NaiveDate, String> {
    if n.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(&n) {
        return text_date(&format_number(n));
    }
    // A bare year is a year, never a day number: 2019 as a serial would be 1905-07-11.
    if n.fract() == 0.0 && (1990.0..=2100.0).contains(&n) {
        return Err(format!(
            "“{}”只有年份，缺少月日，请写成 {}-03-05 这样的完整日期",
            format_number(n),
            format_number(n)
        ));
    }
    // Excel serial day numbers (1900 date system); 1 = 1900-01-01, and Excel's phantom
    // 1900-02-29 (serial 60) means serials from 61 on count from 1899-12-30. Only days
    // from 1990 to 2100 are dates an office means (1120 would be 1903-01-24).
    if (1.0..2_958_466.0).contains(&n) {
        #[expect(clippy::cast_possible_truncation, reason = "range checked above")]
        let days = n.floor() as i64;
        let base = NaiveDate::from_ymd_opt(1899, 12, if days >= 61 { 30 } else { 31 })
            .expect("valid constant");
        let day = base + Duration::days(days);
        if (1990..=2100).contains(&day.year()) {
            return Ok(day);
        }
    }
    Err(format!("“{}”不是日期", format_number(n)))
}

fn text_date(text: &str) -> Result<NaiveDate, String> {
    let bad = || format!("“{text}”不是可识别的日期，请写成 2019-03-05 或 2019年3月5日");
    // Drop a time of day: "2019-03-05 10:20:00", "2019/3/5 10:20".
    let date_part = text.split([' ', 'T', '\u{3000}']).next().unwrap_or(text);
    let digits_only = date_part.chars().all(|c| c.is_ascii_digit());
    if digits_only && date_part.len() == 8 {
        let y = date_part[..4].parse().map_err(|_| bad())?;
        let m = date_part[4..6].parse().map_err(|_| bad())?;
        let d = date_part[6..].parse().map_err(|_| bad())?;
        return checked(y, m, d).ok_or_else(bad);
    }
    if digits_only && (4..=5).contains(&date_part.len()) {
        // A serial number that arrived as text (csv saved from Excel).
        return number_date(date_part.parse::<f64>().map_err(|_| bad())?);
    }
    let parts: Vec<&str> = date_part
        .split(['年', '月', '日', '.', '/', '-', '．', '／', '－'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [y, m, d] => {
            let (y, m, d) = (
                y.parse().map_err(|_| bad())?,
                m.parse().map_err(|_| bad())?,
                d.parse().map_err(|_| bad())?,
            );
            checked(y, m, d).ok_or_else(bad)
        }
        [_, _] => Err(format!("“{text}”只有年月，缺少日")),
        _ => Err(bad()),
    }
}

fn checked(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).filter(|date| (1990..=2100).contains(&date.year()))
}

/// A follower count from `12345`, `12,345`, `1.2万`, `3亿`; blank or `-` is unknown.
/// `per_ten_thousand` is set when the header says the column is in 万 (粉丝数（万）).
pub fn fans(cell: &Cell, per_ten_thousand: bool) -> Result<Option<i64>, String> {
    let scale = if per_ten_thousand { 10_000.0 } else { 1.0 };
    let n = match cell {
        Cell::Empty => return Ok(None),
        Cell::Date(d) => return Err(format!("“{d}”是日期，不是粉丝数")),
        Cell::Number(n) => *n * scale,
        Cell::Text(raw) => {
            let t: String = clean_text(raw)
                .chars()
                .filter(|c| !matches!(c, ',' | '，' | ' ' | '人' | '+'))
                .collect();
            if t.is_empty() || matches!(t.as_str(), "-" | "—" | "/" | "无" | "未知" | "暂无")
            {
                return Ok(None);
            }
            let (body, factor) =
                if let Some(b) = t.strip_suffix('万').or_else(|| t.strip_suffix(['w', 'W'])) {
                    (b, 10_000.0)
                } else if let Some(b) = t.strip_suffix('亿') {
                    (b, 100_000_000.0)
                } else {
                    (t.as_str(), scale)
                };
            body.parse::<f64>()
                .map_err(|_| format!("“{}”不是粉丝数，请写成 12345 或 1.2万", clean_text(raw)))?
                * factor
        }
    };
    if !(0.0..1e13).contains(&n) {
        return Err(format!("粉丝数“{}”超出合理范围", format_number(n)));
    }
    #[expect(clippy::cast_possible_truncation, reason = "range checked above")]
    Ok(Some(n.round() as i64))
}

/// The account id as the user typed it. A number Excel stored comes back as its digits.
/// Text that Excel already turned into scientific notation (`1.23E+09`) has lost digits:
/// that is reported so the office can fix the source sheet.
pub fn account_id(cell: &Cell) -> Result<String, String> {
    match cell {
        Cell::Empty => Ok(String::new()),
        Cell::Number(n) => Ok(format_number(*n)),
        Cell::Date(d) => Ok(crate::model::time::day_text(*d)),
        Cell::Text(t) => {
            let half = half_width(clean_text(t));
            let t = half.as_str();
            if looks_scientific(t) {
                return Err(format!(
                    "账号标识“{t}”是科学计数法，原来的数字已经丢失；请在原表中把这一列设为“文本”格式，重新填写后再导出"
                ));
            }
            // "3805829634.0" from a csv written by a script: the digits are intact.
            if let Some(int) = t
                .strip_suffix(".0")
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Ok(int.to_owned());
            }
            Ok(t.to_owned())
        }
    }
}

/// `text` with full-width letters, digits and signs (１２３４, ｇｈ＿ａｂｃ, typed with a Chinese
/// input method) as their ASCII forms: an id typed either way is one id.
#[must_use]
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Whether `text` holds any full-width letter, digit or sign that [`half_width`] changes.
#[must_use]
pub fn has_full_width(text: &str) -> bool {
    text.chars().any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c))
}

fn looks_scientific(t: &str) -> bool {
    let Some((mantissa, exp)) = t.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.trim_start_matches('+');
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.contains('.')
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// The lifecycle status; blank means 正常 (rosters usually list only live accounts).
pub fn status(cell: &Cell) -> Result<AccountStatus, String> {
    let text = cell.display();
    let folded = crate::model::platform::fold(&text);
    Ok(match folded.as_str() {
        "" | "正常" | "正常运营" | "正常运行" | "正常运维" | "运营" | "运营中" | "运行"
        | "运行中" | "在用" | "使用中" | "开通" | "已开通" | "启用" | "正常更新" | "新开设"
        | "开设" | "新开通" => AccountStatus::Normal,
        "变更" | "已变更" | "变更中" => AccountStatus::Changed,
        "关停" | "已关停" | "停更" | "停止更新" | "暂停" | "暂停更新" | "停用" | "已停用"
        | "关停中" => AccountStatus::Stopped,
        "注销" | "已注销" | "删除" | "已删除" | "关闭" | "已关闭" | "注销中" => {
            AccountStatus::Deregistered
        }
        _ => {
            return Err(format!(
                "无法识别运营状态“{text}”，已按“正常”导入；可用的写法：正常、变更、已关停、已注销"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_every_office_form() {
        for text in [
            "2019年3月5日",
            "2019.3.5",
            "2019/03/05",
            "2019-3-5",
            "20190305",
            "2019-03-05 00:00:00",
            "43529",
        ] {
            assert_eq!(date(&Cell::Text(text.into())), Ok(d(2019, 3, 5)), "{text}");
        }
        assert_eq!(date(&Cell::Number(43529.0)), Ok(d(2019, 3, 5)));
        assert_eq!(date(&Cell::Number(20_190_305.0)), Ok(d(2019, 3, 5)));
        assert_eq!(date(&Cell::Text(" ".into())), Ok(None));
        assert!(date(&Cell::Text("2019年3月".into())).is_err());
        assert!(date(&Cell::Text("2019-13-45".into())).is_err());
        assert!(date(&Cell::Text("明年".into())).is_err());
    }

    /// A bare year or a small number is refused, never read as a day number (2019 would be
    /// 1905-07-11, 1120 would be 1903-01-24).
    #[test]
    fn a_bare_year_or_a_small_number_is_no_date() {
        for cell in [
            Cell::Number(2019.0),
            Cell::Text("2019".into()),
            Cell::Number(1120.0),
            Cell::Text("1120".into()),
            Cell::Number(3.0),
        ] {
            assert!(date(&cell).is_err(), "{cell:?}");
        }
        let message = date(&Cell::Text("2019".into())).expect_err("refused");
        assert!(message.contains("只有年份"), "{message}");
    }

    #[test]
    fn follower_counts() {
        assert_eq!(fans(&Cell::Text("12,345".into()), false), Ok(Some(12345)));
        assert_eq!(fans(&Cell::Text("1.2万".into()), false), Ok(Some(12000)));
        assert_eq!(fans(&Cell::Number(12345.0), false), Ok(Some(12345)));
        assert_eq!(fans(&Cell::Number(1.5), true), Ok(Some(15000)));
        assert_eq!(fans(&Cell::Empty, false), Ok(None));
        assert!(fans(&Cell::Text("很多".into()), false).is_err());
    }

    #[test]
    fn ids_keep_their_digits() {
        assert_eq!(
            account_id(&Cell::Number(3_805_829_634.0)).as_deref(),
            Ok("3805829634")
        );
        assert_eq!(
            account_id(&Cell::Text("3805829634.0".into())).as_deref(),
            Ok("3805829634")
        );
        assert_eq!(
            account_id(&Cell::Text(" gh_abc123\u{3000}".into())).as_deref(),
            Ok("gh_abc123")
        );
        assert!(account_id(&Cell::Text("3.81E+09".into())).is_err());
    }

    #[test]
    fn statuses() {
        assert_eq!(status(&Cell::Empty), Ok(AccountStatus::Normal));
        assert_eq!(
            status(&Cell::Text("停更".into())),
            Ok(AccountStatus::Stopped)
        );
        assert_eq!(
            status(&Cell::Text("已注销".into())),
            Ok(AccountStatus::Deregistered)
        );
        assert!(status(&Cell::Text("不知道".into())).is_err());
    }
}
