//! The level's notice's wording on made-up rows: the level's names, plain reasons, lists that
//! summarise past three, the 复核 section only with results, and the attachment's 合计.

use chrono::NaiveDate;

use super::*;
use crate::model::{RecheckSummary, ReportNumbers};
use crate::rollup::total;

fn row(name: &str, passed: usize, failed: usize, flags: &[&str]) -> RollupRow {
    let numbers = ReportNumbers {
        population: 100,
        sampled: passed + failed,
        drawn: passed + failed,
        passed,
        failed,
        rectifications_overdue: failed,
        ..ReportNumbers::default()
    };
    let missing = flags.iter().any(|f| f.starts_with(MISSING));
    let numbers = if missing {
        ReportNumbers::default()
    } else {
        numbers
    };
    RollupRow {
        reporter: name.to_owned(),
        population: numbers.population,
        sampled: numbers.sampled,
        ratio: numbers.ratio(),
        passed: numbers.passed,
        failed: numbers.failed,
        unfinished: 0,
        pass_rate: numbers.pass_rate(),
        pass_rate_change: (!missing).then_some(1.5),
        on_time_rate: numbers.on_time_rate(),
        verified: flags.is_empty(),
        missing,
        flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        notice_date: None,
        package_id: None,
        numbers,
    }
}

fn text(region: &str) -> RollupNoticeText {
    let day = NaiveDate::from_ymd_opt(2027, 1, 8).unwrap_or_default();
    RollupNoticeText {
        addressees: String::new(),
        contact: String::new(),
        region: region.to_owned(),
        office: "某省人民政府办公厅".to_owned(),
        quarter: Quarter::new(2026, 4).unwrap_or_else(|| unreachable!()),
        deadline: day,
        dated: day,
        exported: day.and_hms_opt(9, 0, 0).unwrap_or_default(),
    }
}

fn body(rows: &[RollupRow], rechecks: &[RecheckSummary], region: &str) -> String {
    let t = total(rows);
    let f = RollupFigures {
        rows,
        total: &t,
        duplicates: &[],
        rechecks,
    };
    rollup_paragraphs(&f, &text(region))
        .into_iter()
        .map(|(kind, line)| match kind {
            Kind::Subheading(h) => format!("{h}{line}"),
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_level_is_named_from_the_region() {
    let q = Quarter::new(2026, 4).unwrap_or_else(|| unreachable!());
    assert_eq!(
        rollup_title("广东省", q),
        "关于全省2026年第四季度政务新媒体抽查情况的通报"
    );
    assert_eq!(level("广西壮族自治区").0, "全区");
    assert_eq!(level("示例市").1, "各县（市、区）人民政府办公室：");
    assert_eq!(level("某县").0, "全县");
    assert_eq!(level("某地").0, "本地区");
}

#[test]
fn reasons_are_said_plainly_and_lists_past_three_summarised() {
    let rows = vec![
        row("甲市", 9, 1, &[]),
        row(
            "乙市",
            8,
            2,
            &[
                "抽样无法复现：第 1 层不同。上报的样本不是按记录的随机种子抽出的，可能是人为挑选的样本",
                "分层“乙市一区”抽查比例不足30%（10 个账号抽查 2 个，应至少 3 个）",
                "分层“乙市二区”抽查比例不足30%（10 个账号抽查 2 个，应至少 3 个）",
            ],
        ),
        row("丙市", 7, 3, &["未上报"]),
        row("丁市", 7, 3, &["未上报（上报包均被拒绝）", "签名无效：……"]),
        row("戊市", 6, 4, &[]),
        row("己市", 5, 5, &[]),
    ];
    let s = body(&rows, &[], "某省");
    assert!(
        s.contains("已报送4个；丙市未报送；丁市报送的材料未通过电子签名核验"),
        "{s}"
    );
    assert!(
        s.contains("乙市报送的抽查情况核验未通过：抽查名单不能按其记录的抽样方法和随机种子重新得出，不能排除人为挑选样本；乙市一区和乙市二区的抽查比例低于30%。"),
        "{s}"
    );
    assert!(!s.contains("种子 "), "no internal wording: {s}");
    // Four reporters overdue: the count and the three with most.
    assert!(
        s.contains("存在逾期未反馈问题的有4个地区，较多的是己市（5个）、戊市（4个）、乙市（2个）"),
        "{s}"
    );
    assert!(
        s.contains("请未报送的丙市，报送材料未予采用的丁市，以及核验未通过的乙市"),
        "{s}"
    );
    assert!(!s.contains("复核情况"), "{s}");
    assert!(s.contains("三、工作要求"), "{s}");
}

/// 按期反馈率 in the totals' sentence, where problems were due; none due, no rate.
#[test]
fn the_on_time_reply_rate_is_said_where_problems_were_due() {
    let mut rows = vec![row("甲市", 9, 1, &[]), row("乙市", 8, 2, &[])];
    for (r, (due, on_time)) in rows.iter_mut().zip([(5, 4), (3, 2)]) {
        r.numbers.rectifications = 6;
        r.numbers.rectifications_due = due;
        r.numbers.replied_on_time = on_time;
    }
    let s = body(&rows, &[], "某省");
    assert!(
        s.contains("已到整改时限或已反馈的8个问题中，按期反馈6个，按期反馈率75.00%。"),
        "{s}"
    );
    for r in &mut rows {
        r.numbers.rectifications_due = 0;
        r.numbers.replied_on_time = 0;
    }
    let s = body(&rows, &[], "某省");
    assert!(!s.contains("按期反馈率"), "{s}");
    assert!(s.contains("逾期未反馈3个。"), "{s}");
}

#[test]
fn rechecks_make_their_own_section_and_the_attachment_sums() {
    let rows = vec![row("甲市", 9, 1, &[]), row("乙市", 0, 0, &["未上报"])];
    let rechecks = [
        RecheckSummary {
            reporter: "甲市".to_owned(),
            chosen: 4,
            checked: 4,
            overturned: vec![(
                "某某发布".to_owned(),
                "抖音".to_owned(),
                "首页栏目空白。".to_owned(),
            )],
            accuracy: Some(0.75),
        },
        RecheckSummary {
            reporter: "乙市".to_owned(),
            chosen: 2,
            checked: 0,
            overturned: Vec::new(),
            accuracy: None,
        },
    ];
    let s = body(&rows, &rechecks, "示例市");
    assert!(s.contains("三、复核情况"), "{s}");
    assert!(
        s.contains("按比例随机抽取6个进行复核，目前已复核4个，其中1个上报为合格的账号复核为不合格，上报结论准确率75.00%。"),
        "{s}"
    );
    assert!(
        s.contains("甲市：复核4个账号，上报结论准确率75.00%；上报为合格、复核为不合格的1个：“某某发布”（抖音），首页栏目空白。"),
        "{s}"
    );
    assert!(s.contains("乙市的复核尚未完成"), "{s}");
    assert!(
        s.contains("如实开展检查。复核发现部分上报为合格的账号实际存在问题，甲市要逐一核实"),
        "{s}"
    );
    assert!(s.contains("四、工作要求"), "{s}");
    let t = total(&rows);
    let f = RollupFigures {
        rows: &rows,
        total: &t,
        duplicates: &[],
        rechecks: &rechecks,
    };
    let a = rollup_attachment(&f, &text("示例市"));
    let sum = a.total.unwrap_or_default();
    assert_eq!(&sum[1..4], ["合计", "100", "10"]);
    assert_eq!(
        a.rows[1][2], "—",
        "no figures for a reporter that did not report"
    );
    assert_eq!(a.rows[1].last().map(String::as_str), Some("未报送"));
    assert_eq!(a.rows[0][a.rows[0].len() - 2], "75.00%", "复核准确率");
    assert_eq!(sum[sum.len() - 2], "75.00%");
    assert_eq!(a.columns.len(), a.rows[0].len());
}

#[test]
fn the_addressees_and_the_contact_set_in_settings_are_printed() {
    let rows = vec![row("甲市", 9, 1, &[])];
    let t = total(&rows);
    let f = RollupFigures {
        rows: &rows,
        total: &t,
        duplicates: &[],
        rechecks: &[],
    };
    let mut set = text("某省");
    set.addressees = "各地级以上市政务服务数据管理局".to_owned();
    set.contact = "李四，020-1234567".to_owned();
    let lines: Vec<String> = rollup_paragraphs(&f, &set)
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    assert!(
        lines.contains(&"各地级以上市政务服务数据管理局：".to_owned()),
        "{lines:#?}"
    );
    let contact = lines
        .iter()
        .position(|l| l == "联系人：李四，020-1234567。")
        .expect("the contact line");
    let attachment = lines
        .iter()
        .position(|l| l.starts_with("附件："))
        .expect("附件");
    assert!(contact < attachment);
    // Not set: the level's own.
    let lines: Vec<String> = rollup_paragraphs(&f, &text("某省"))
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    assert!(lines.contains(&"各地级以上市人民政府办公室：".to_owned()));
    assert!(!lines.iter().any(|l| l.starts_with("联系人")));
}
