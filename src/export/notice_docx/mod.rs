//! The 通报 itself as a Word document (.docx, opens in WPS and Word), laid out as a 公文 after
//! GB/T 9704-2012: A4 portrait, 天头 37 mm and 订口 28 mm around a 156 × 225 mm 版心, 22 lines of
//! 28 characters, title in 2号小标宋, body in 3号仿宋, headings in 黑体 and 楷体, page numbers
//! 「— 1 —」 in 4号宋体 on the outer side (`page`). This module is the wording: every figure is
//! the one the xlsx attachments print (without their half-width spaces, [`tight`]); every word is
//! text the supervisor can edit. No hashes, algorithm names or staff names: those stay internal.
//! The level's notice of its reporters' checks (`rollup`) is set on the same page, with its table
//! as a landscape attachment (`table`).

mod page;
mod rollup;
mod table;

use std::fmt::Write as _;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};

use crate::model::time::chinese_day;

use super::notice_words::{chinese_number, overview_line};
use crate::rectification::follow_up::{follow_up, follow_up_lines};
use crate::report::{ProblemGroup, QuarterReport};

pub use rollup::{
    RollupFigures, RollupNoticeText, rollup_attachment, rollup_paragraphs, rollup_title,
    write_rollup_docx,
};
pub use table::AttachmentTable;

/// Writes the notice of `report` as a .docx at `path`.
///
/// # Errors
/// The file cannot be written.
pub fn write_notice_docx(
    report: &QuarterReport,
    text: &NoticeText,
    path: &Path,
) -> Result<(), DocxError> {
    let mut doc = page::portrait(page::document(text.exported));
    // Where the operation log stood, as the xlsx 附表 keeps it: `log verify --against` reads it.
    if let Some(head) = &report.log {
        doc = doc.custom_property(super::LOG_PROPERTY, head.to_text());
    }
    for p in page::text_paragraphs(&notice_paragraphs(report, text)) {
        doc = doc.add_paragraph(p);
    }
    page::save(doc, &text.signed_by(), path)
}

/// What the notice says beyond the quarter's figures.
#[derive(Debug, Clone)]
pub struct NoticeText {
    /// The region from 设置, e.g. 示例市.
    pub region: String,
    /// By when units report their rectification.
    pub deadline: NaiveDate,
    /// The date under the issuing office.
    pub dated: NaiveDate,
    /// When the document is written (local time): its created and modified properties.
    pub exported: NaiveDateTime,
    /// The issuing office of the 落款 (设置's 发文机关); empty: the region's government office.
    pub office: String,
    /// 主送 as set in 设置; empty: by the region's level ([`default_addressees`]).
    pub addressees: String,
    /// 联系人 and phone as set in 设置, printed under 工作要求; empty: no contact line.
    pub contact: String,
}

impl NoticeText {
    /// The office that signs: 发文机关 as set, else the region's government office.
    #[must_use]
    pub fn signed_by(&self) -> String {
        if self.office.trim().is_empty() {
            issuing_office(&self.region)
        } else {
            self.office.trim().to_owned()
        }
    }
}

/// Why the document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error(
        "无法写入 Word 文件 {path}：{detail}。原来的文件（如果有）没有改动；请确认磁盘或 U 盘还有空间、文件没有在 Word 或 WPS 中打开，或换一个位置保存。"
    )]
    Write { path: String, detail: String },
}

/// 「关于示例市2026年第四季度政务新媒体抽查情况的通报」.
#[must_use]
pub fn docx_title(report: &QuarterReport, region: &str) -> String {
    format!(
        "关于{region}{}政务新媒体抽查情况的通报",
        report.quarter.label()
    )
}

/// 12.50%, or 0 when nothing was finished.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0".to_owned()
    } else {
        #[allow(clippy::cast_precision_loss)] // counts of accounts
        let p = part as f64 * 100.0 / whole as f64;
        format!("{p:.2}%")
    }
}

/// The paragraphs of the notice, in order (tests read them back from the file).
#[must_use]
#[allow(clippy::too_many_lines)] // one document, top to bottom
pub fn notice_paragraphs(report: &QuarterReport, text: &NoticeText) -> Vec<(Kind, String)> {
    let region = if text.region.trim().is_empty() {
        "本地区"
    } else {
        text.region.trim()
    };
    let mut out = vec![(Kind::Title, page::title_lines(&docx_title(report, region)))];
    out.push((Kind::Plain, String::new()));
    out.push((
        Kind::Addressee,
        addressee_line(&text.addressees, default_addressees(region)),
    ));
    let period = report.check_period.map_or_else(
        || report.quarter.label(),
        |(first, last)| {
            if first == last {
                chinese_day(first)
            } else {
                format!("{}至{}", chinese_day(first), chinese_day(last))
            }
        },
    );
    out.push((
        Kind::Body,
        format!(
            "根据《国务院办公厅关于推进政务新媒体健康有序发展的意见》（国办发〔2018〕123号）、《广东省人民政府办公厅关于推进政务新媒体健康有序发展的实施意见》（粤办函〔2019〕90号）和《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）要求，{period}，对{region}政务新媒体开展了{}抽查。现将有关情况通报如下：",
            report.quarter.label()
        ),
    ));

    let mut section = 0;
    let mut heading = |title: &str| {
        section += 1;
        (
            Kind::Heading,
            format!("{}、{title}", chinese_number(section)),
        )
    };
    if !report.previous_problems.is_empty() {
        out.push(heading("上季度通报问题整改情况"));
        let f = follow_up(&report.previous_problems, text.dated);
        for line in follow_up_lines(
            &f,
            &report.quarter.previous().label(),
            &chinese_day(text.dated),
        ) {
            out.push((Kind::Body, line));
        }
    }
    out.push(heading("总体情况"));
    out.push((Kind::Body, overview_line(report)));
    // With 复查 among them, a platform's accounts were checked, not all sampled.
    let checked = if report.total.rechecked > 0 {
        "检查"
    } else {
        "抽查"
    };
    let platforms: Vec<String> = report
        .by_platform
        .iter()
        .flat_map(|g| &g.rows)
        .filter(|t| t.passed + t.failed > 0)
        .map(|t| {
            format!(
                "{}{checked} {} 个、合格率 {}",
                t.name,
                t.checked,
                percent(t.passed, t.passed + t.failed)
            )
        })
        .collect();
    if !platforms.is_empty() {
        out.push((Kind::Body, format!("分平台看，{}。", platforms.join("，"))));
    }
    if let Some(line) = below_rate_sentence(report) {
        out.push((Kind::Body, line));
    }
    if let Some(line) = failing_regions_sentence(report) {
        out.push((Kind::Body, line));
    }
    out.push((Kind::Body, recheck_sentence(report)));

    out.push(heading("存在的主要问题"));
    let failed = report.groups(true);
    let repeats = report.repeat_failures();
    let total: usize = failed.iter().map(|g| g.problems.len()).sum();
    if failed.is_empty() {
        out.push((
            Kind::Body,
            "本季度抽查的账号未发现单项否决问题，均为合格。".to_owned(),
        ));
    }
    for (n, g) in merged(&failed).iter().enumerate() {
        out.push((
            Kind::Subheading(format!("（{}）{}。", chinese_number(n + 1), g.category)),
            format!(
                "共 {} 个，占问题总数的 {}{}：{}。",
                g.problems.len(),
                percent(g.problems.len(), total),
                if g.veto {
                    "，属单项否决情形"
                } else {
                    ""
                },
                accounts(g, &repeats)
            ),
        ));
    }
    let other = report.groups(false);
    if !other.is_empty() {
        let kinds: Vec<String> = merged(&other)
            .iter()
            .map(|g| format!("{}（{} 个）", g.category, g.problems.len()))
            .collect();
        out.push((
            Kind::Body,
            format!(
                "此外，部分合格账号存在{}等问题，详见附件2。",
                kinds.join("、")
            ),
        ));
    }

    out.push(heading("工作要求"));
    out.push((
        Kind::Body,
        format!(
            "请存在问题账号的单位对照附件逐项整改，于{}前将整改情况（填写附件3，注明完成时间、联系人和联系电话，加盖单位公章）报送{region}政务公开工作主管部门。确无力维护的账号，按程序关停或注销。",
            chinese_day(text.deadline)
        ),
    ));
    let silent = report.previous_problems.iter().any(|p| {
        p.reply.is_none() && text.dated > p.deadline && p.state != crate::model::State::Closed
    });
    if silent {
        out.push((
            Kind::Body,
            "上季度逾期未报送整改情况的单位，请一并报送上季度问题的整改情况，并说明逾期原因。"
                .to_owned(),
        ));
    }
    out.push((
        Kind::Body,
        "各单位要落实主体责任，严格内容发布审核，及时更新信息、回应关切。对逾期未反馈或整改不到位的账号，将在下季度抽查中复查并再次通报。".to_owned(),
    ));
    if let Some(line) = contact_line(&text.contact) {
        out.push((Kind::Body, line));
    }
    out.push((Kind::Plain, String::new()));
    // Named as each attachment is headed.
    let [first, second, third] =
        crate::export::notice_words::attachment_titles(report.quarter, region);
    out.push((Kind::Attachment, format!("附件：1．{first}")));
    out.push((Kind::AttachmentMore, format!("2．{second}")));
    out.push((Kind::AttachmentMore, format!("3．{third}")));
    signed(out, text.signed_by(), text.dated)
}

/// A notice's `text` with its 落款 (two blank lines, the issuing office, the date), every line
/// [`tight`].
fn signed(mut text: Vec<(Kind, String)>, office: String, dated: NaiveDate) -> Vec<(Kind, String)> {
    text.push((Kind::Plain, String::new()));
    text.push((Kind::Plain, String::new()));
    text.push((Kind::Signature, office));
    text.push((Kind::Signature, chinese_day(dated)));
    text.into_iter()
        .map(|(kind, line)| {
            let kind = match kind {
                Kind::Subheading(heading) => Kind::Subheading(tight(&heading)),
                k => k,
            };
            (kind, tight(&line))
        })
        .collect()
}

/// 主送 as set in 设置 (one line, ending in a full-width colon), else `default`.
pub(super) fn addressee_line(set: &str, default: &str) -> String {
    match one_line(set).as_str() {
        "" => default.to_owned(),
        set => format!("{}：", set.trim_end_matches([':', '：'])),
    }
}

/// A setting pasted with line breaks, as one line: the breaks and spaces around Chinese text
/// dropped, one space kept between Latin words or numbers.
fn one_line(text: &str) -> String {
    let mut out = String::new();
    for piece in text.split_whitespace() {
        let joins_wide =
            out.chars().next_back().is_some_and(wide) || piece.chars().next().is_some_and(wide);
        if !out.is_empty() && !joins_wide {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

/// The contact line under 工作要求, from 设置 (e.g. 张三，020-12345678): 联系人：张三，
/// 020-12345678。 `None` when none is set.
pub(super) fn contact_line(contact: &str) -> Option<String> {
    let contact = one_line(contact);
    let contact = contact.trim().trim_end_matches(['。', '.']);
    if contact.is_empty() {
        return None;
    }
    let body = contact
        .strip_prefix("联系人")
        .map_or(contact, |rest| rest.trim_start_matches([':', '：']));
    Some(format!("联系人：{body}。"))
}

/// 主送 by the region's level: the governments of the level below and the departments of
/// this one (a 县级市 or a 直辖市's district sets its own in 设置).
#[must_use]
pub fn default_addressees(region: &str) -> &'static str {
    let r = region.trim();
    if r.ends_with('省') {
        "各地级以上市人民政府，省直各有关单位："
    } else if r.ends_with("自治区") {
        "各设区市人民政府，自治区直各有关单位："
    } else if r.ends_with('市') {
        "各县（市、区）人民政府办公室，市直各有关单位："
    } else if r.ends_with('州') {
        "各县（市）人民政府办公室，州直各有关单位："
    } else if r.ends_with('盟') {
        "各旗（县、市）人民政府办公室，盟直各有关单位："
    } else if r.ends_with('县') {
        "各乡镇人民政府，县直各有关单位："
    } else if r.ends_with('区') {
        "各镇人民政府、街道办事处，区直各有关单位："
    } else {
        "各有关单位："
    }
}

/// The issuing office of the 落款, e.g. 示例市人民政府办公室 (a province's or autonomous
/// region's: 办公厅).
#[must_use]
pub fn issuing_office(region: &str) -> String {
    let region = if region.trim().is_empty() {
        "本地区"
    } else {
        region.trim()
    };
    if region.ends_with('省') || region.ends_with("自治区") {
        format!("{region}人民政府办公厅")
    } else {
        format!("{region}人民政府办公室")
    }
}

/// A character set in full width: CJK ideographs and punctuation, full-width forms.
fn wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// A half-width letter, digit or percent sign (「12.50%」 ends in one).
fn narrow(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '%'
}

/// `line` without the half-width spaces between Chinese and a number or Latin letter (「其中合格
/// 132 个」 → 「其中合格132个」): the xlsx wording keeps them, a justified 公文 line would stretch
/// them to a character's width.
#[must_use]
pub fn tight(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() {
            let (before, after) = (chars[i - 1], chars[i + 1]);
            if (wide(before) && narrow(after)) || (narrow(before) && wide(after)) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Runs of one problem type joined (the report lists a type once per checklist position).
fn merged<'a>(groups: &[ProblemGroup<'a>]) -> Vec<ProblemGroup<'a>> {
    let mut out: Vec<ProblemGroup<'a>> = Vec::new();
    for g in groups {
        match out
            .iter_mut()
            .find(|o| o.category == g.category && o.veto == g.veto)
        {
            Some(o) => o.problems.extend(g.problems.iter().copied()),
            None => out.push(g.clone()),
        }
    }
    out
}

/// 「示例市东城区民政局“东城区民政局（示例1）”（抖音）」, each once, joined.
fn accounts(g: &ProblemGroup<'_>, repeats: &std::collections::HashMap<i64, usize>) -> String {
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<&crate::report::Problem> = g
        .problems
        .iter()
        .copied()
        .filter(|p| seen.insert(p.account))
        .collect();
    let named = |p: &&crate::report::Problem| {
        let repeat = repeats
            .get(&p.account)
            .map(|n| format!("，连续{n}个季度不合格"))
            .unwrap_or_default();
        format!("{}“{}”（{}{repeat}）", p.host_unit, p.name, p.platform)
    };
    if distinct.len() <= NAMED_AT_MOST {
        return distinct.iter().map(named).collect::<Vec<_>>().join("；");
    }
    // Too many to name in the body: where they are, the accounts failing again by name (the
    // worst cases), and the list in 附件2.
    // Counted by 地市 and 区县 together (two cities' 城区 are two places), named by the 区县
    // alone when every account is in one 地市; ties in the order the accounts are listed.
    let one_city = distinct
        .iter()
        .all(|p| p.city.trim() == distinct[0].city.trim());
    let mut regions: Vec<(String, usize)> = Vec::new();
    for p in &distinct {
        let region = problem_region(p, one_city);
        match regions.iter_mut().find(|(r, _)| *r == region) {
            Some((_, n)) => *n += 1,
            None => regions.push((region, 1)),
        }
    }
    regions.sort_by_key(|r| std::cmp::Reverse(r.1));
    let mut text = String::new();
    if distinct.len() != g.problems.len() {
        // 「共 N 个」 counts problems; say how many accounts they are before placing them.
        let _ = write!(text, "涉及{}个账号，", distinct.len());
    }
    let _ = write!(
        text,
        "分布在{}",
        regions
            .iter()
            .map(|(r, n)| format!("{r}{n}个"))
            .collect::<Vec<_>>()
            .join("、")
    );
    let again: Vec<&&crate::report::Problem> = distinct
        .iter()
        .filter(|p| repeats.contains_key(&p.account))
        .collect();
    if !again.is_empty() {
        let more = if again.len() > AGAIN_NAMED_AT_MOST {
            format!("等{}个", again.len())
        } else {
            String::new()
        };
        let _ = write!(
            text,
            "；其中连续多个季度不合格的有{}{more}",
            again
                .iter()
                .take(AGAIN_NAMED_AT_MOST)
                .map(|p| named(p))
                .collect::<Vec<_>>()
                .join("；")
        );
    }
    text.push_str("，名单详见附件2");
    text
}

/// How many accounts of one problem type the body of a notice names; past it, it says where
/// they are and leaves the list to 附件2, so that a large quarter's notice stays a few pages.
const NAMED_AT_MOST: usize = 10;

/// How many of those failing again the body names where it does not name them all.
const AGAIN_NAMED_AT_MOST: usize = 5;

/// The region a problem's account is counted under in the body: its 区县 (after its 地市
/// unless `one_city`), or its 地市's own (某某市（市直）).
fn problem_region(p: &crate::report::Problem, one_city: bool) -> String {
    match (p.county.trim(), p.city.trim()) {
        ("", "") => "其他".to_owned(),
        ("", city) => format!("{city}（市直）"),
        (county, _) if one_city => county.to_owned(),
        (county, city) => crate::model::region_name(city, county),
    }
}

/// Why a platform's 抽查比例 is below the quarter's rate, where one is: the draw took the rate
/// of each stratum, and platforms cut across strata. `None` when none is below, or the draw
/// was stratified by platform (each platform then had the rate).
fn below_rate_sentence(report: &QuarterReport) -> Option<String> {
    let rate = report.draw.rate;
    let below: Vec<String> = report
        .by_platform
        .iter()
        .flat_map(|g| &g.rows)
        .filter_map(|t| {
            let ratio = t.draw_ratio()?;
            (ratio + 1e-9 < rate.fraction())
                .then(|| format!("{}（{}）", t.name, percent(t.drawn(), t.accounts)))
        })
        .collect();
    let how = match report.draw.strata {
        crate::model::Strata::Platform => return None,
        crate::model::Strata::None => format!("本季度在全部账号中随机抽取 {rate}"),
        s => format!("本季度{}随机抽样，每层抽取不少于 {rate} 的账号", s.label()),
    };
    if below.is_empty() {
        return None;
    }
    Some(format!(
        "{how}，总体抽查比例达到要求；平台不是分层依据，{}的抽查比例低于 {rate}。",
        below.join("、")
    ))
}

/// The regions with notably many 不合格 accounts: at least two, and more than the mean of the
/// regions sampled; where none stands out, where the failures are.
fn failing_regions_sentence(report: &QuarterReport) -> Option<String> {
    let regions: Vec<&crate::model::Tally> = report
        .by_region
        .iter()
        .flat_map(|g| &g.rows)
        .filter(|t| t.checked > 0)
        .collect();
    let mut failing: Vec<&crate::model::Tally> =
        regions.iter().copied().filter(|t| t.failed > 0).collect();
    if failing.is_empty() {
        return None;
    }
    failing.sort_by_key(|t| std::cmp::Reverse(t.failed));
    let total: usize = regions.iter().map(|t| t.failed).sum();
    #[allow(clippy::cast_precision_loss)] // counts of accounts
    let mean = total as f64 / regions.len() as f64;
    #[allow(clippy::cast_precision_loss)]
    let standing_out: Vec<String> = failing
        .iter()
        .filter(|t| t.failed >= 2 && t.failed as f64 > mean)
        .take(5)
        .map(|t| format!("{}（{} 个）", t.name, t.failed))
        .collect();
    if !standing_out.is_empty() {
        return Some(format!(
            "分地区看，不合格账号较多的是{}。",
            standing_out.join("、")
        ));
    }
    let named: Vec<String> = failing
        .iter()
        .take(5)
        .map(|t| format!("{}（{} 个）", t.name, t.failed))
        .collect();
    let more = if failing.len() > named.len() {
        format!("等 {} 个地区", failing.len())
    } else {
        String::new()
    };
    Some(format!(
        "分地区看，不合格账号分布在{}{more}，没有明显集中的地区。",
        named.join("、")
    ))
}

/// Last quarter's failures, re-checked: how many passed, how many still fail.
fn recheck_sentence(report: &QuarterReport) -> String {
    let r = &report.rechecks;
    if r.is_empty() {
        return "上季度没有需要复查的不合格账号。".to_owned();
    }
    let passed = r
        .iter()
        .filter(|c| c.verdict == Some(crate::checklist::Verdict::Pass))
        .count();
    let failed = r
        .iter()
        .filter(|c| c.verdict == Some(crate::checklist::Verdict::Fail))
        .count();
    let open = r.len() - passed - failed;
    let mut s = format!(
        "对上季度 {} 个不合格账号进行了复查，其中 {passed} 个已整改合格，{failed} 个仍不合格",
        r.len()
    );
    if open > 0 {
        s.push('，');
        s.push_str(&open.to_string());
        s.push_str(" 个尚未完成复查");
    }
    s.push('。');
    s
}

/// What a paragraph of the notice is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Title,
    Addressee,
    Heading,
    /// A 楷体 heading at the start of a body paragraph.
    Subheading(String),
    Body,
    Attachment,
    AttachmentMore,
    Signature,
    Plain,
}
