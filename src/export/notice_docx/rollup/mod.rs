//! The level's notice of its reporters' checks (「关于全市2026年第四季度政务新媒体抽查情况的
//! 通报」), the wording: who reported and who did not, the level's totals (the figures of the
//! roll-up table), which reports verified and why the others did not (in the words a reader
//! outside the software understands), each reporter's standing, the 复核 where there is one, the
//! standard requirements, and the per-reporter table as a landscape attachment. Set on the
//! city notice's page (`page`, `table`).

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};

mod attachment;
mod recheck;

pub use attachment::rollup_attachment;
use recheck::{accuracy, any_rechecked, rechecked};

use super::{DocxError, Kind, page, table, tight};
use crate::export::chinese_number;
use crate::model::time::chinese_day;
use crate::model::{Quarter, RecheckSummary};
use crate::rollup::RollupRow;
use crate::rollup::summary::MISSING;
use crate::rollup::verify::{BELOW_RATE, NOT_REPRODUCIBLE, NUMBERS_DIFFER};

/// What the level's notice says beyond the roll-up's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupNoticeText {
    /// The level's region from 设置, e.g. 示例市 or 某省.
    pub region: String,
    /// The issuing office of the 落款.
    pub office: String,
    /// 主送 as set in 设置; empty: the level's default.
    pub addressees: String,
    /// 联系人 and phone as set in 设置, printed under 工作要求; empty: none.
    pub contact: String,
    pub quarter: Quarter,
    /// By when reporters that did not report, or whose report did not verify, report again.
    pub deadline: NaiveDate,
    /// The date under the issuing office.
    pub dated: NaiveDate,
    /// When the document is written (local time): its created and modified properties.
    pub exported: NaiveDateTime,
}

/// The figures the notice states: the roll-up table's rows and total, the accounts listed by
/// more than one reporter (label, reporters), and each reporter's 复核 (a section of its own once
/// any conclusion is entered).
#[derive(Debug, Clone, Copy)]
pub struct RollupFigures<'a> {
    pub rows: &'a [RollupRow],
    pub total: &'a RollupRow,
    pub duplicates: &'a [(String, Vec<String>)],
    pub rechecks: &'a [RecheckSummary],
}

/// The level as the notice names it, and whom it is sent to: 全市 and 各县（市、区）.
fn level(region: &str) -> (&'static str, &'static str) {
    let r = region.trim();
    if r.ends_with('省') {
        ("全省", "各地级以上市人民政府办公室：")
    } else if r.ends_with("自治区") {
        ("全区", "各设区市人民政府办公室：")
    } else if r.ends_with('市') {
        ("全市", "各县（市、区）人民政府办公室：")
    } else if r.ends_with('州') {
        ("全州", "各县（市）人民政府办公室：")
    } else if r.ends_with('盟') {
        ("全盟", "各旗（县、市）人民政府办公室：")
    } else if r.ends_with('县') {
        ("全县", "各乡镇人民政府：")
    } else if r.ends_with('区') {
        ("全区", "各镇人民政府、街道办事处：")
    } else {
        ("本地区", "各有关单位：")
    }
}

/// 「关于全市2026年第四季度政务新媒体抽查情况的通报」.
#[must_use]
pub fn rollup_title(region: &str, quarter: Quarter) -> String {
    format!(
        "关于{}{}政务新媒体抽查情况的通报",
        level(region).0,
        quarter.label()
    )
}

/// A share as the notice prints it: 93.33%, and 100% in full (as notices write it, and narrow
/// enough for the attachment's columns).
fn percent(share: Option<f64>) -> String {
    match share {
        Some(s) if s >= 0.999_95 => "100%".to_owned(),
        other => crate::rollup::summary::percent(other),
    }
}

/// 「甲市、乙市和丙市」.
fn names(list: &[&str]) -> String {
    match list {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [others @ .., final_one] => format!("{}和{final_one}", others.join("、")),
    }
}

/// A reporter whose every package was refused (none in force).
fn refused_all(row: &RollupRow) -> bool {
    row.missing
        && row
            .flags
            .iter()
            .any(|f| f.starts_with(MISSING) && f != MISSING)
}

/// What the checks found in a reporter's package, said plainly (duplicates are said apart).
fn plain_reasons(row: &RollupRow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut thin: Vec<String> = Vec::new();
    let push = |out: &mut Vec<String>, s: &str| {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    };
    for flag in &row.flags {
        if flag.starts_with(NOT_REPRODUCIBLE) {
            push(
                &mut out,
                "抽查名单不能按其记录的抽样方法和随机种子重新得出，不能排除人为挑选样本",
            );
        } else if flag.contains(BELOW_RATE) {
            // 分层“甲市一区”抽查比例不足30%（……）
            if let Some(name) = flag.split('“').nth(1).and_then(|s| s.split('”').next()) {
                thin.push(name.to_owned());
            }
        } else if flag.starts_with(NUMBERS_DIFFER) {
            push(
                &mut out,
                "上报的账号总数、抽查数或合格、不合格数与逐个账号的检查结论不一致",
            );
        } else if flag.starts_with("包中的地区名称") {
            push(&mut out, "报送材料中的地区名称与登记的名称不一致");
        } else if flag.starts_with("之后导入的上报包被拒绝") {
            push(&mut out, "此后报送的更新材料未通过电子签名核验");
        } else if flag.starts_with('与') && flag.contains("重复的账号") {
            // Said with the duplicates.
        } else if !flag.starts_with(MISSING) {
            push(&mut out, &tight(flag));
        }
    }
    if !thin.is_empty() {
        let thin: Vec<&str> = thin.iter().map(String::as_str).collect();
        out.push(format!("{}的抽查比例低于30%", names(&thin)));
    }
    out
}

/// 「新浪微博“账号标识”（甲市、乙市）」.
fn duplicate_label(label: &str, who: &[String]) -> String {
    let account = label.split_once(':').map_or_else(
        || format!("“{label}”"),
        |(platform, rest)| format!("{platform}“{rest}”"),
    );
    format!("{account}（{}）", who.join("、"))
}

/// 一、总体情况: who reported, the totals, what verified and what did not, duplicates.
fn overall(f: &RollupFigures<'_>, out: &mut Vec<(Kind, String)>) {
    out.push((Kind::Body, who_reported(f.rows)));
    if f.rows.iter().any(|r| !r.missing) {
        out.push((Kind::Body, totals(f.total)));
    }
    verification(f.rows, out);
    if !f.duplicates.is_empty() {
        let listed: Vec<String> = f
            .duplicates
            .iter()
            .take(5)
            .map(|(label, who)| duplicate_label(label, who))
            .collect();
        out.push((
            Kind::Body,
            format!(
                "另有{}个账号同时列入了两个以上地区的账号名录：{}{}，请有关地区核实账号归属。",
                f.duplicates.len(),
                listed.join("；"),
                if f.duplicates.len() > 5 { "等" } else { "" }
            ),
        ));
    }
}

/// 「本季度应报送抽查情况的4个地区中，已报送3个；丁市未报送。」
fn who_reported(rows: &[RollupRow]) -> String {
    let pick = |keep: fn(&RollupRow) -> bool| -> Vec<&str> {
        rows.iter()
            .filter(|r| keep(r))
            .map(|r| r.reporter.as_str())
            .collect()
    };
    let absent = pick(|r| r.missing && !refused_all(r));
    let refused = pick(refused_all);
    let mut parts = vec![if absent.is_empty() && refused.is_empty() {
        format!("本季度{}个地区均报送了抽查情况", rows.len())
    } else {
        format!(
            "本季度应报送抽查情况的{}个地区中，已报送{}个",
            rows.len(),
            rows.iter().filter(|r| !r.missing).count()
        )
    }];
    if !absent.is_empty() {
        parts.push(format!("{}未报送", names(&absent)));
    }
    if !refused.is_empty() {
        parts.push(format!(
            "{}报送的材料未通过电子签名核验（无法确认来自报送单位或报送后被改动），未予采用",
            names(&refused)
        ));
    }
    format!("{}。", parts.join("；"))
}

/// The level's totals: the roll-up table's 合计 row.
fn totals(t: &RollupRow) -> String {
    let mut parts = vec![format!(
        "已报送的地区共有在运行的政务新媒体账号{}个，抽查{}个，抽查比例{}；完成检查的{}个账号中，合格{}个、不合格{}个，合格率{}。",
        t.population,
        t.sampled,
        percent(t.ratio),
        t.passed + t.failed,
        t.passed,
        t.failed,
        percent(t.pass_rate)
    )];
    if t.unfinished > 0 {
        parts.push(format!(
            "另有{}个账号尚未完成检查，未计入合格率。",
            t.unfinished
        ));
    }
    let n = &t.numbers;
    if n.repeat_failures > 0 {
        parts.push(format!(
            "上季度不合格的账号经复查仍不合格的有{}个。",
            n.repeat_failures
        ));
    }
    if n.rectifications > 0 {
        parts.push(format!(
            "各地共向主办单位下发整改问题{}个，已复核关闭{}个，逾期未反馈{}个",
            n.rectifications, n.rectifications_closed, n.rectifications_overdue
        ));
        // 按期反馈率, where problems were due (the packages made before the field carry none).
        parts.push(match n.on_time_rate() {
            Some(rate) => format!(
                "；已到整改时限或已反馈的{}个问题中，按期反馈{}个，按期反馈率{}。",
                n.rectifications_due,
                n.replied_on_time,
                crate::rollup::summary::percent(Some(rate))
            ),
            None => "。".to_owned(),
        });
    }
    parts.concat()
}

/// Which reports verified (named, or counted when many) and, one paragraph each, which did not
/// and why.
fn verification(rows: &[RollupRow], out: &mut Vec<(Kind, String)>) {
    let reported: Vec<&RollupRow> = rows.iter().filter(|r| !r.missing).collect();
    let verified: Vec<&str> = reported
        .iter()
        .filter(|r| r.verified)
        .map(|r| r.reporter.as_str())
        .collect();
    let what = "抽查名单可按其记录的抽样方法和随机种子重新得出，各分层抽查比例均不低于30%，上报数字与逐个账号的检查结论一致";
    if !verified.is_empty() {
        let who = if verified.len() == reported.len() && reported.len() > 1 {
            "已报送地区的抽查情况均".to_owned()
        } else if verified.len() > 6 {
            // The others are named right after; these are in the attachment.
            format!(
                "已报送的{}个地区中，{}个地区报送的抽查情况",
                reported.len(),
                verified.len()
            )
        } else {
            format!("{}报送的抽查情况", names(&verified))
        };
        out.push((Kind::Body, format!("经核验，{who}符合要求：{what}。")));
    }
    for r in reported.iter().filter(|r| !r.verified) {
        let reasons = plain_reasons(r);
        let s = if reasons.is_empty() {
            format!("{}报送的抽查情况核验未通过。", r.reporter)
        } else {
            format!(
                "{}报送的抽查情况核验未通过：{}。",
                r.reporter,
                reasons.join("；")
            )
        };
        out.push((Kind::Body, s));
    }
}

/// 「甲市（3个）、乙市（1个）」, or past three 「5个地区，{what}的是甲市（3个）、乙市（2个）、
/// 丙市（2个）」: the reporters in `list` by `key`, largest first.
fn most<T: Copy>(
    mut list: Vec<T>,
    key: impl Fn(&T) -> f64,
    shown: impl Fn(T) -> String,
    what: &str,
) -> String {
    list.sort_by(|a, b| {
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let n = list.len();
    let named: Vec<String> = list.into_iter().take(3).map(shown).collect();
    if n > 3 {
        format!("{n}个地区，{what}的是{}", named.join("、"))
    } else {
        named.join("、")
    }
}

/// 「甲市（100.00%）」.
fn with_share(r: &RollupRow, share: Option<f64>) -> String {
    format!("{}（{}）", r.reporter, percent(share))
}

/// 二、各地抽查情况: ratios, pass rates and their change, overdue 整改, unfinished checks.
fn by_reporter(f: &RollupFigures<'_>, out: &mut Vec<(Kind, String)>) {
    let reported: Vec<&RollupRow> = f.rows.iter().filter(|r| !r.missing).collect();
    if reported.is_empty() {
        out.push((Kind::Body, "本季度没有地区报送抽查情况。".to_owned()));
        return;
    }
    out.push((Kind::Body, rates(&reported)));
    out.push((Kind::Body, follow_up(&reported)));
}

/// Ratios (those under 30% named), pass rates high to low, and their change on last quarter.
fn rates(reported: &[&RollupRow]) -> String {
    let low: Vec<String> = reported
        .iter()
        .filter(|r| r.ratio.is_some_and(|x| x < 0.3))
        .map(|r| with_share(r, r.ratio))
        .collect();
    let ratios: Vec<f64> = reported.iter().filter_map(|r| r.ratio).collect();
    let (min, max) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    let mut parts = vec![if !low.is_empty() || ratios.is_empty() {
        format!("从抽查比例看，{}的抽查比例低于30%。", low.join("、"))
    } else if ratios.len() > 1 && (max - min).abs() > f64::EPSILON {
        format!(
            "从抽查比例看，各地均不低于30%，在{}至{}之间。",
            percent(Some(min)),
            percent(Some(max))
        )
    } else {
        format!("从抽查比例看，各地均不低于30%（{}）。", percent(Some(max)))
    }];
    let mut rated: Vec<&RollupRow> = reported
        .iter()
        .copied()
        .filter(|r| r.pass_rate.is_some())
        .collect();
    rated.sort_by(|a, b| {
        b.pass_rate
            .partial_cmp(&a.pass_rate)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let shown = |list: &[&RollupRow]| -> String {
        list.iter()
            .map(|r| with_share(r, r.pass_rate))
            .collect::<Vec<_>>()
            .join("、")
    };
    if rated.len() > 6 {
        parts.push(format!(
            "从合格率看，较高的是{}，较低的是{}。",
            shown(&rated[..3]),
            shown(&rated[rated.len() - 3..])
        ));
    } else if rated.len() > 1 {
        parts.push(format!("从合格率看，由高到低依次为{}。", shown(&rated)));
    } else if let Some(r) = rated.first() {
        parts.push(format!(
            "{}的合格率为{}。",
            r.reporter,
            percent(r.pass_rate)
        ));
    }
    let change = |up: bool| -> Vec<(&str, f64)> {
        reported
            .iter()
            .filter_map(|r| {
                let c = r.pass_rate_change?;
                ((up && c >= 0.005) || (!up && c <= -0.005)).then_some((r.reporter.as_str(), c))
            })
            .collect()
    };
    let points = |(name, c): (&str, f64)| format!("{name}（{:.2}个百分点）", c.abs());
    let mut changes = Vec::new();
    for (up, word) in [(true, "提高"), (false, "下降")] {
        let list = change(up);
        if !list.is_empty() {
            changes.push(format!(
                "{word}的有{}",
                most(list, |(_, c)| c.abs(), points, &format!("{word}较多"))
            ));
        }
    }
    if !changes.is_empty() {
        parts.push(format!("与上季度相比，合格率{}。", changes.join("；")));
    }
    parts.concat()
}

/// Overdue 整改, 复查 failing again, unfinished checks (the most named), and the attachment.
fn follow_up(reported: &[&RollupRow]) -> String {
    let counted = |n: fn(&RollupRow) -> usize| -> Vec<(&str, usize)> {
        reported
            .iter()
            .filter(|r| n(r) > 0)
            .map(|r| (r.reporter.as_str(), n(r)))
            .collect()
    };
    let each = |(name, n): (&str, usize)| format!("{name}（{n}个）");
    let by_count = |(_, n): &(&str, usize)| *n as f64;
    let mut parts = Vec::new();
    for (n, said) in [
        (
            counted(|r| r.numbers.rectifications_overdue),
            "整改方面，存在逾期未反馈问题的有",
        ),
        (
            counted(|r| r.numbers.repeat_failures),
            "上季度不合格的账号本季度复查仍不合格的有",
        ),
        (counted(|r| r.unfinished), "尚有抽查账号未完成检查的有"),
    ] {
        if !n.is_empty() {
            parts.push(format!("{said}{}。", most(n, by_count, each, "较多")));
        }
    }
    parts.push("各地抽查情况详见附件。".to_owned());
    parts.concat()
}

/// 工作要求, each a 楷体 heading with its text.
fn requirements(f: &RollupFigures<'_>, text: &RollupNoticeText, out: &mut Vec<(Kind, String)>) {
    let mut items: Vec<(&str, String)> = vec![
        (
            "抓好问题整改。",
            "各地要对照本季度抽查发现的问题，督促主办单位逐项整改到位；对逾期未反馈、整改不到位的账号，要跟踪督办，并在下季度抽查中复查。".to_owned(),
        ),
        (
            "严格落实抽查要求。",
            "各地要严格落实每季度抽查本地区政务新媒体比例不低于30%的要求，按分层随机抽取，每个分层的抽查比例均不低于30%，如实记录检查结论，按时报送抽查情况。".to_owned(),
        ),
    ];
    let overturned: Vec<&str> = f
        .rechecks
        .iter()
        .filter(|r| !r.overturned.is_empty())
        .map(|r| r.reporter.as_str())
        .collect();
    if !overturned.is_empty() {
        items.push((
            "如实开展检查。",
            format!(
                "复核发现部分上报为合格的账号实际存在问题，{}要逐一核实，督促主办单位整改，并查找检查把关不严的原因。",
                names(&overturned)
            ),
        ));
    }
    let pick = |keep: fn(&RollupRow) -> bool| -> Vec<&str> {
        f.rows
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.reporter.as_str())
            .collect()
    };
    // Each group's names joined by 、, the groups by ， and 以及 (a 和 inside and between
    // groups would blur who is in which).
    let groups: Vec<String> = [
        ("未报送的", pick(|r| r.missing && !refused_all(r))),
        ("报送材料未予采用的", pick(refused_all)),
        ("核验未通过的", pick(|r| !r.missing && !r.verified)),
    ]
    .into_iter()
    .filter(|(_, list)| !list.is_empty())
    .map(|(what, list)| format!("{what}{}", list.join("、")))
    .collect();
    if !groups.is_empty() {
        let who = match groups.as_slice() {
            [rest @ .., last] if !rest.is_empty() => format!("{}，以及{last}", rest.join("，")),
            _ => groups.join(""),
        };
        items.push((
            "及时补报材料。",
            format!(
                "请{who}查明原因，于{}前补报或重新报送本季度抽查情况，并书面说明有关情况。",
                chinese_day(text.deadline)
            ),
        ));
    }
    if !f.duplicates.is_empty() {
        items.push((
            "核清账号底数。",
            "对同时列入两个以上地区名录的账号，有关地区要核实账号的开设主体，更新本地区政务新媒体名录，避免重复统计或漏查。".to_owned(),
        ));
    }
    items.push((
        "加强日常管理。",
        "各地要落实“谁开设、谁主办”的要求，严格内容发布审核，及时更新信息、回应关切；对无力维护的账号，按程序关停或注销。".to_owned(),
    ));
    for (n, (heading, body)) in items.into_iter().enumerate() {
        out.push((
            Kind::Subheading(format!("（{}）{heading}", chinese_number(n + 1))),
            body,
        ));
    }
}

/// The paragraphs of the level's notice, in order (tests read them back from the file).
#[must_use]
pub fn rollup_paragraphs(f: &RollupFigures<'_>, text: &RollupNoticeText) -> Vec<(Kind, String)> {
    let addressees = super::addressee_line(&text.addressees, level(&text.region).1);
    let quarter = text.quarter.label();
    let mut out = vec![
        (
            Kind::Title,
            page::title_lines(&rollup_title(&text.region, text.quarter)),
        ),
        (Kind::Plain, String::new()),
        (Kind::Addressee, addressees),
        (
            Kind::Body,
            format!(
                "根据《国务院办公厅关于推进政务新媒体健康有序发展的意见》（国办发〔2018〕123号）和《广东省人民政府办公厅关于推进政务新媒体健康有序发展的实施意见》（粤办函〔2019〕90号）关于每季度抽查本地区政务新媒体比例不低于30%的要求，各地对{quarter}本地区政务新媒体开展了抽查，并报送了抽查情况。经对各地报送的抽查情况逐一核验，现将有关情况通报如下："
            ),
        ),
    ];
    let mut section = 0;
    let mut heading = |out: &mut Vec<(Kind, String)>, name: &str| {
        section += 1;
        out.push((
            Kind::Heading,
            format!("{}、{name}", chinese_number(section)),
        ));
    };
    heading(&mut out, "总体情况");
    overall(f, &mut out);
    heading(&mut out, "各地抽查情况");
    by_reporter(f, &mut out);
    if any_rechecked(f) {
        heading(&mut out, "复核情况");
        rechecked(f, &mut out);
    }
    heading(&mut out, "工作要求");
    requirements(f, text, &mut out);
    if let Some(line) = super::contact_line(&text.contact) {
        out.push((Kind::Body, line));
    }
    out.push((Kind::Plain, String::new()));
    out.push((
        Kind::Attachment,
        format!("附件：{quarter}各地政务新媒体抽查情况汇总表"),
    ));
    super::signed(out, text.office.clone(), text.dated)
}

/// Writes the level's notice with its attachment as a .docx at `path`.
///
/// # Errors
/// The file cannot be written.
pub fn write_rollup_docx(
    f: &RollupFigures<'_>,
    text: &RollupNoticeText,
    path: &Path,
) -> Result<(), DocxError> {
    let mut doc = table::landscape(page::document(text.exported));
    let mut paragraphs = page::text_paragraphs(&rollup_paragraphs(f, text));
    // The text's portrait section ends at the 成文日期 (no empty paragraph to spill a page).
    if let Some(last) = paragraphs.pop() {
        paragraphs.push(last.section_property(page::portrait_section()));
    }
    for p in paragraphs {
        doc = doc.add_paragraph(p);
    }
    let doc = table::add_attachment(doc, &rollup_attachment(f, text), true);
    page::save(doc, &text.office, path)
}

#[cfg(test)]
mod tests;
