//! The words a notice's workbook and its document share: the title, the file name, section
//! numbers and the sentence of its figures.

use std::fmt::Write as _;

use crate::model::Quarter;
use crate::report::QuarterReport;

/// The title of the notice's 附件1 (its workbook's first sheet):
/// 示例市2026年第四季度政务新媒体抽查情况统计表.
#[must_use]
pub fn notice_title(report: &QuarterReport, region: &str) -> String {
    attachment_titles(report.quarter, region)[0].clone()
}

/// The titles of a notice's three attachments, as its 附件说明 names them and as each is
/// headed: the 统计表 (附件1), the 问题账号名单 (附件2) and the 整改表 (附件3).
#[must_use]
pub fn attachment_titles(quarter: Quarter, region: &str) -> [String; 3] {
    let q = quarter.label();
    [
        format!("{region}{q}政务新媒体抽查情况统计表"),
        format!("{region}{q}政务新媒体问题账号名单"),
        format!("{region}{q}政务新媒体检查问题整改表"),
    ]
}

/// The file name offered when saving: 2026年第四季度政务新媒体抽查情况通报.xlsx
#[must_use]
pub fn notice_file_name(quarter: Quarter) -> String {
    format!("{}政务新媒体抽查情况通报.xlsx", quarter.label())
}

/// 一, 二, … 九十九: how notices number their sections.
#[must_use]
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n % 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

pub(super) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_owned()
    } else {
        format!("{:.2}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The sentence of 总体情况 that states the quarter's figures.
#[must_use]
pub fn overview_line(report: &QuarterReport) -> String {
    let t = &report.total;
    // 抽查比例 counts the random draw only: 复查 is not sampling.
    let checked = if t.rechecked > 0 {
        format!(
            "随机抽查 {} 个（占 {}），另复查上季度不合格账号 {} 个，共检查 {} 个",
            t.drawn(),
            percent(t.drawn(), t.accounts),
            t.rechecked,
            t.checked
        )
    } else {
        format!(
            "抽查 {} 个（占 {}）",
            t.checked,
            percent(t.checked, t.accounts)
        )
    };
    let mut line = format!(
        "本季度在运行政务新媒体账号 {} 个，{checked}，其中合格 {} 个、不合格 {} 个，合格率 {}。",
        t.accounts,
        t.passed,
        t.failed,
        percent(t.passed, t.passed + t.failed),
    );
    let change = report.earlier_rates.sentence(t.pass_rate());
    if !change.is_empty() {
        line = format!("{}，{change}。", line.trim_end_matches('。'));
    }
    if t.unfinished() > 0 {
        let _ = write!(
            line,
            "尚有 {} 个账号未完成检查，以上合格数、不合格数和合格率只计已完成的检查，不是本季度的最终结果。",
            t.unfinished()
        );
    }
    line
}
