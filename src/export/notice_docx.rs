//! The 通报 itself as a Word document (.docx, opens in WPS and Word), laid out as a 公文 after
//! GB/T 9704-2012: A4 portrait, 天头 37 mm and 订口 28 mm around a 156 × 225 mm 版心, 22 lines of
//! 28 characters, title in 2号小标宋, body in 3号仿宋, headings in 黑体 and 楷体, page numbers
//! 「— 1 —」 in 4号宋体. Every figure is the one the xlsx attachments print; every word is text
//! the supervisor can edit. No hashes, algorithm names or staff names: those stay internal.

use std::path::Path;

use chrono::NaiveDate;

use crate::model::time::chinese_day;
use docx_rs::{
    AlignmentType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph, Run,
    RunFonts, SpecialIndentType,
};

use super::notice::{chinese_number, overview_line};
use crate::report::{ProblemGroup, QuarterReport};

/// What the notice says beyond the quarter's figures.
#[derive(Debug, Clone)]
pub struct NoticeText {
    /// The region from 设置, e.g. 示例市.
    pub region: String,
    /// By when units report their rectification.
    pub deadline: NaiveDate,
    /// The date under the issuing office.
    pub dated: NaiveDate,
}

/// Why the document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error(
        "无法写入 Word 文件 {path}：{detail}。请确认文件没有在 Word 或 WPS 中打开，并且目标文件夹可以写入。"
    )]
    Write { path: String, detail: String },
}

/// Fonts of a 公文 (GB/T 9704-2012). Where one is not installed, Word and WPS print with their
/// substitute (宋体 for 小标宋); the text stays the same.
const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体";
const PAGE_NUMBER_FONT: &str = "宋体";

/// Sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt.
const SIZE_2: usize = 44;
const SIZE_3: usize = 32;
const SIZE_4: usize = 28;

/// A4 and the margins of GB/T 9704, in twentieths of a point (1 mm ≈ 56.69).
const A4: (u32, u32) = (11_906, 16_838);
const MARGIN_TOP: i32 = 2_098; // 37 mm
const MARGIN_BOTTOM: i32 = 1_984; // 35 mm
const MARGIN_LEFT: i32 = 1_587; // 28 mm
const MARGIN_RIGHT: i32 = 1_474; // 26 mm
/// 22 lines in the 225 mm 版心: 28.95 pt a line.
const LINE: i32 = 579;
/// Paragraphs begin two characters (of 16 pt) in.
const FIRST_LINE: SpecialIndentType = SpecialIndentType::FirstLine(640);

fn fonts(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii(name).hi_ansi(name)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn exact_lines() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE)
}

/// A body paragraph: 仿宋 三号, first line indented two characters.
fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, BODY_FONT, SIZE_3))
        .line_spacing(exact_lines())
        .indent(None, Some(FIRST_LINE), None, None)
        .align(AlignmentType::Both)
}

/// A paragraph that begins with a heading in `font` and goes on in the body font.
fn headed(heading: &str, font: &str, rest: &str) -> Paragraph {
    let p = Paragraph::new()
        .add_run(run(heading, font, SIZE_3))
        .line_spacing(exact_lines())
        .indent(None, Some(FIRST_LINE), None, None)
        .align(AlignmentType::Both);
    if rest.is_empty() {
        p.keep_next(true)
    } else {
        p.add_run(run(rest, BODY_FONT, SIZE_3))
    }
}

fn blank() -> Paragraph {
    Paragraph::new()
        .add_run(run("", BODY_FONT, SIZE_3))
        .line_spacing(exact_lines())
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
    let mut out = vec![(Kind::Title, docx_title(report, region))];
    out.push((Kind::Plain, String::new()));
    let addressees = if region.ends_with('市') {
        "各县（市、区）人民政府办公室，市直各有关单位："
    } else {
        "各乡镇人民政府、街道办事处，县（区）直各有关单位："
    };
    out.push((Kind::Addressee, addressees.to_owned()));
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

    out.push((Kind::Heading, "一、总体情况".to_owned()));
    out.push((Kind::Body, overview_line(report)));
    let platforms: Vec<String> = report
        .by_platform
        .iter()
        .flat_map(|g| &g.rows)
        .filter(|t| t.passed + t.failed > 0)
        .map(|t| {
            format!(
                "{}抽查 {} 个、合格率 {}",
                t.name,
                t.checked,
                percent(t.passed, t.passed + t.failed)
            )
        })
        .collect();
    if !platforms.is_empty() {
        out.push((Kind::Body, format!("分平台看，{}。", platforms.join("，"))));
    }
    let mut failing: Vec<&crate::model::Tally> = report
        .by_region
        .iter()
        .flat_map(|g| &g.rows)
        .filter(|t| t.failed > 0)
        .collect();
    failing.sort_by_key(|t| std::cmp::Reverse(t.failed));
    if !failing.is_empty() {
        let named: Vec<String> = failing
            .iter()
            .take(5)
            .map(|t| format!("{}（{} 个）", t.name, t.failed))
            .collect();
        out.push((
            Kind::Body,
            format!("分地区看，不合格账号较多的是{}。", named.join("、")),
        ));
    }
    out.push((Kind::Body, recheck_sentence(report)));

    out.push((Kind::Heading, "二、存在的主要问题".to_owned()));
    let failed = report.groups(true);
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
                accounts(g)
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

    out.push((Kind::Heading, "三、工作要求".to_owned()));
    out.push((
        Kind::Body,
        format!(
            "请存在问题账号的单位对照附件逐项整改，于{}前将整改情况（填写附件3，注明完成时间、联系人和联系电话，加盖单位公章）报送{region}政务公开工作主管部门。确无力维护的账号，按程序关停或注销。",
            chinese_day(text.deadline)
        ),
    ));
    out.push((
        Kind::Body,
        "各单位要落实主体责任，严格内容发布审核，及时更新信息、回应关切。对逾期未反馈或整改不到位的账号，将在下季度抽查中复查并再次通报。".to_owned(),
    ));
    out.push((Kind::Plain, String::new()));
    out.push((
        Kind::Attachment,
        format!(
            "附件：1．{}政务新媒体抽查情况统计表",
            report.quarter.label()
        ),
    ));
    out.push((Kind::AttachmentMore, "2．问题账号名单".to_owned()));
    out.push((Kind::AttachmentMore, "3．整改情况反馈表".to_owned()));
    out.push((Kind::Plain, String::new()));
    out.push((Kind::Plain, String::new()));
    out.push((Kind::Signature, format!("{region}人民政府办公室")));
    out.push((Kind::Signature, chinese_day(text.dated)));
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
fn accounts(g: &ProblemGroup<'_>) -> String {
    let mut seen = std::collections::HashSet::new();
    g.problems
        .iter()
        .filter(|p| seen.insert(p.account))
        .map(|p| format!("{}“{}”（{}）", p.host_unit, p.name, p.platform))
        .collect::<Vec<_>>()
        .join("；")
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

/// Writes the notice of `report` as a .docx at `path`.
///
/// # Errors
/// The file cannot be written.
pub fn write_notice_docx(
    report: &QuarterReport,
    text: &NoticeText,
    path: &Path,
) -> Result<(), DocxError> {
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(992),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(SIZE_3)
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(run("— ", PAGE_NUMBER_FONT, SIZE_4))
                    .add_page_num(PageNum::new())
                    .size(SIZE_4)
                    .add_run(run(" —", PAGE_NUMBER_FONT, SIZE_4)),
            ),
        );
    for (kind, line) in notice_paragraphs(report, text) {
        let p = match kind {
            Kind::Title => Paragraph::new()
                .add_run(run(&line, TITLE_FONT, SIZE_2))
                .align(AlignmentType::Center)
                .line_spacing(
                    LineSpacing::new()
                        .line_rule(LineSpacingType::Exact)
                        .line(700),
                ),
            Kind::Addressee => Paragraph::new()
                .add_run(run(&line, BODY_FONT, SIZE_3))
                .line_spacing(exact_lines()),
            Kind::Heading => headed(&line, HEADING_FONT, ""),
            Kind::Subheading(heading) => headed(&heading, SUBHEADING_FONT, &line),
            Kind::Body | Kind::Attachment => body(&line),
            // Aligned under the first attachment's name (附件： is three characters).
            Kind::AttachmentMore => Paragraph::new()
                .add_run(run(&line, BODY_FONT, SIZE_3))
                .line_spacing(exact_lines())
                .indent(Some(1_600), None, None, None),
            Kind::Signature => Paragraph::new()
                .add_run(run(&line, BODY_FONT, SIZE_3))
                .align(AlignmentType::Right)
                .line_spacing(exact_lines())
                .indent(None, None, Some(1_280), None),
            Kind::Plain => blank(),
        };
        doc = doc.add_paragraph(p);
    }
    let fail = |detail: String| DocxError::Write {
        path: path.display().to_string(),
        detail,
    };
    let mut packed = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut packed)
        .map_err(|e| fail(e.to_string()))?;
    let bytes = with_font_fallbacks(&packed.into_inner()).map_err(|e| fail(e.to_string()))?;
    let tmp = path.with_extension("docx.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| fail(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e.to_string())
    })
}

/// The fonts of the document with the standard fallback each names (`w:altName`), so that a
/// machine without 方正小标宋简体 or 仿宋 prints with 宋体 or `仿宋_GB2312` instead of a stranger
/// default. docx-rs writes a fixed font table; this one replaces it.
const FONT_TABLE: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="script"/><w:pitch w:val="default"/></w:font>"#,
    r#"<w:font w:name="仿宋"><w:altName w:val="仿宋_GB2312"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="楷体"><w:altName w:val="楷体_GB2312"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>"#,
    r#"<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>"#,
    r#"</w:fonts>"#,
);

/// `docx` (a packed document) with [`FONT_TABLE`] in place of its font table.
fn with_font_fallbacks(docx: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(docx))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..input.len() {
        let mut entry = input.by_index(i)?;
        let name = entry.name()?.to_string();
        if entry.is_dir() {
            out.add_directory(name.as_str(), options)?;
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        out.start_file(name.as_str(), options)?;
        if name == "word/fontTable.xml" {
            out.write_all(FONT_TABLE.as_bytes())?;
        } else {
            out.write_all(&bytes)?;
        }
    }
    Ok(out.finish()?.into_inner())
}
