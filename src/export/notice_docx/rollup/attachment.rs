//! The level's notice's attachment: a row per reporter (in operation, sampled, ratio, 合格 and
//! 不合格, 合格率 and its change, 整改 issued, closed and overdue, the 复核 accuracy once there is
//! one, and whether its report verified) and the level's 合计, on a landscape page.

use super::{RollupFigures, RollupNoticeText, accuracy, any_rechecked, percent, refused_all};
use crate::export::notice_docx::table::AttachmentTable;
use crate::rollup::RollupRow;

/// The 核验情况 of a reporter in the attachment's table (the reasons are in the text).
fn verification_cell(row: &RollupRow) -> &'static str {
    if refused_all(row) {
        "未采用"
    } else if row.missing {
        "未报送"
    } else if row.verified {
        "通过"
    } else {
        "未通过"
    }
}

/// The attachment: a row per reporter and the 合计, with notes on what the columns mean.
#[must_use]
pub fn rollup_attachment(f: &RollupFigures<'_>, text: &RollupNoticeText) -> AttachmentTable {
    let unfinished = f.rows.iter().any(|r| r.unfinished > 0);
    // Widths in millimetres for 五号 with 0.5 mm cell margins: 「99.99%」 and six digits on a
    // line (even in a wider fallback font), heads in lines of three or four characters; all
    // fifteen columns fit the 225 mm 版心 (fewer are spread over it).
    let mut columns: Vec<(&str, u32)> = vec![
        ("序号", 9),
        ("地区", 16),
        ("在运行\n账号数", 16),
        ("抽查数", 14),
        ("抽查比例", 17),
        ("合格数", 14),
        ("不合格数", 17),
    ];
    if unfinished {
        columns.push(("未完成\n检查数", 13));
    }
    columns.extend([
        ("合格率", 17),
        ("较上季度\n增减\n百分点", 17),
        ("下发整改\n问题数", 17),
        ("已复核\n关闭数", 13),
        ("逾期未\n反馈数", 13),
    ]);
    let rechecked = any_rechecked(f);
    if rechecked {
        columns.push(("复核\n准确率", 17));
    }
    columns.push(("核验\n情况", 13));
    // 准确率 of a reporter's re-check, and of the level's (the 合计).
    let recheck = |reporter: Option<&str>| -> String {
        let (checked, overturned) = f
            .rechecks
            .iter()
            .filter(|r| reporter.is_none_or(|name| r.reporter == name))
            .fold((0, 0), |(c, o), r| (c + r.checked, o + r.overturned.len()));
        accuracy(checked, overturned).map_or_else(|| "—".to_owned(), |a| percent(Some(a)))
    };
    // A reporter without a package shows 「—」 where its figures would be; the 合计 its sums.
    let cells = |r: &RollupRow, n: String, dash: bool| -> Vec<String> {
        let count = |n: usize| {
            if dash {
                "—".to_owned()
            } else {
                n.to_string()
            }
        };
        let share = |s: Option<f64>| {
            if dash { "—".to_owned() } else { percent(s) }
        };
        let mut v = vec![
            n,
            r.reporter.clone(),
            count(r.population),
            count(r.sampled),
            share(r.ratio),
            count(r.passed),
            count(r.failed),
        ];
        if unfinished {
            v.push(count(r.unfinished));
        }
        v.extend([
            share(r.pass_rate),
            r.pass_rate_change
                .map_or_else(|| "—".to_owned(), |c| format!("{c:+.2}")),
            count(r.numbers.rectifications),
            count(r.numbers.rectifications_closed),
            count(r.numbers.rectifications_overdue),
        ]);
        v
    };
    let rows = f
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = cells(r, (i + 1).to_string(), r.missing);
            if rechecked {
                v.push(recheck(Some(&r.reporter)));
            }
            v.push(verification_cell(r).to_owned());
            v
        })
        .collect();
    let mut total = cells(f.total, String::new(), false);
    "合计".clone_into(&mut total[1]);
    if rechecked {
        total.push(recheck(None));
    }
    total.push(String::new());
    AttachmentTable {
        label: "附件".to_owned(),
        title: format!("{}各地政务新媒体抽查情况汇总表", text.quarter.label()),
        columns: columns
            .into_iter()
            .map(|(h, w)| (h.to_owned(), w))
            .collect(),
        rows,
        total: Some(total),
        notes: vec![
            "注：1．抽查比例为抽查数占在运行账号数的比例；合格率按已完成检查的账号计算；较上季度增减为合格率比上季度提高（+）或下降（-）的百分点。".to_owned(),
            "2．核验情况为“通过”的，其抽查名单可按记录的抽样方法和随机种子重新得出，各分层抽查比例均不低于30%，上报数字与逐个账号的检查结论一致；“未通过”的原因见正文，“未采用”指报送的材料未通过电子签名核验。“—”表示未报送或没有相应数据。".to_owned(),
        ],
    }
}
