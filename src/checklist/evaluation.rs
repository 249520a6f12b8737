//! The verdict on one account from its findings, and what still blocks finishing its check.

use super::{Answer, Checklist, Finding, Item, ItemKind, Verdict};

/// How many item labels a message lists before it says 等.
const LISTED: usize = 5;

/// Where the check of one account stands. Every list holds item ids in checklist order and
/// only items that apply to the account's platform.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// `Some(Fail)` as soon as a veto item fails or the score is below the pass mark (both can
    /// only get worse); otherwise `None` while an item is unanswered, then `Some(Pass)`.
    pub verdict: Option<Verdict>,
    /// With a point scheme only: the total minus deductions so far, never below 0.
    pub score: Option<f64>,
    /// Items without an answer.
    pub unanswered: Vec<String>,
    /// Veto items answered 不符合.
    pub vetoes: Vec<String>,
    /// Other items (problems and deductions) answered 不符合.
    pub problems: Vec<String>,
    /// Items answered 不符合 on a finding with a blank note.
    pub missing_notes: Vec<String>,
    /// Items with an update rule answered 符合 with neither a last update date nor a note
    /// saying why there is none (未能查看…).
    pub missing_dates: Vec<String>,
}

/// Evaluates the findings of one account on `platform` (a normalised platform name).
///
/// Findings on items that do not apply to the platform, or that the checklist does not have,
/// are ignored. An item may have several findings: it is answered when it has at least one
/// and all of them are answered, and it fails when any of them is 不符合. A failing
/// [`ItemKind::Deduction`] item deducts `points` per failing finding, at most `cap`.
#[must_use]
pub fn evaluate(checklist: &Checklist, platform: &str, findings: &[Finding]) -> Evaluation {
    let mut eval = Evaluation::default();
    let mut deducted: u32 = 0;
    for item in checklist.applicable(platform) {
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.item == item.id).collect();
        let id = || item.id.clone();
        if mine.is_empty() || mine.iter().any(|f| f.answer.is_none()) {
            eval.unanswered.push(id());
        }
        let failures: Vec<&&Finding> = mine
            .iter()
            .filter(|f| f.answer == Some(Answer::Fail))
            .collect();
        if !failures.is_empty() {
            match item.kind {
                ItemKind::Veto => eval.vetoes.push(id()),
                ItemKind::Problem => eval.problems.push(id()),
                ItemKind::Deduction { points, cap } => {
                    eval.problems.push(id());
                    let count = u32::try_from(failures.len()).unwrap_or(u32::MAX);
                    deducted = deducted.saturating_add(points.saturating_mul(count).min(cap));
                }
            }
            // A failure decided by its rule is described by the rule's fact (「最后更新日期：…」
            // in the 问题描述): it needs no note of its own.
            let undescribed = |f: &&&Finding| {
                f.note.trim().is_empty() && !item.rule.is_some_and(|r| r.has_fact(f))
            };
            if failures.iter().any(undescribed) {
                eval.missing_notes.push(id());
            }
        }
        if let Some(rule) = item.rule {
            let unfounded = |f: &&Finding| {
                f.answer == Some(Answer::Pass) && !rule.has_fact(f) && f.note.trim().is_empty()
            };
            if mine.iter().any(unfounded) {
                eval.missing_dates.push(id());
            }
        }
    }

    let score = checklist
        .scoring
        .map(|s| (s.total.saturating_sub(deducted), s.pass_mark));
    eval.score = score.map(|(score, _)| f64::from(score));
    let below_pass_mark = score.is_some_and(|(score, pass_mark)| score < pass_mark);
    eval.verdict = if !eval.vetoes.is_empty() || below_pass_mark {
        Some(Verdict::Fail)
    } else if eval.unanswered.is_empty() {
        Some(Verdict::Pass)
    } else {
        None
    };
    eval
}

impl Evaluation {
    /// Whether the check can be marked finished: every 不符合 described, every veto 不符合
    /// backed by evidence (`evidence_count` gives the screenshots, files and links attached to
    /// an item id), every 符合 on an update rule dated or explained, and every item answered —
    /// except that once a veto item fails, the account is 不合格 and the other items may be
    /// left 未检查 (国办秘函〔2019〕19号: 单项否决).
    pub fn can_finish(
        &self,
        checklist: &Checklist,
        evidence_count: impl Fn(&str) -> usize,
    ) -> Result<(), Unfinished> {
        let unanswered = if self.vetoes.is_empty() {
            labels(checklist, &self.unanswered)
        } else {
            Vec::new()
        };
        let without_evidence: Vec<String> = self
            .vetoes
            .iter()
            .filter(|id| evidence_count(id) == 0)
            .map(|id| label(checklist, id))
            .collect();
        let out = Unfinished {
            unanswered,
            missing_notes: labels(checklist, &self.missing_notes),
            without_evidence,
            missing_dates: labels(checklist, &self.missing_dates),
            missing_facts: {
                let mut facts: Vec<&'static str> = self
                    .missing_dates
                    .iter()
                    .filter_map(|id| checklist.item(id)?.rule.map(super::Rule::fact))
                    .collect();
                facts.dedup();
                facts
            },
        };
        if out.is_empty() { Ok(()) } else { Err(out) }
    }
}

/// Why a check cannot be finished yet. Lists hold item labels such as `V01 严重表述错误`.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("{}", self.message())]
pub struct Unfinished {
    pub unanswered: Vec<String>,
    pub missing_notes: Vec<String>,
    /// Veto items 不符合 with no screenshot, file or link.
    pub without_evidence: Vec<String>,
    /// Update-rule items 符合 with neither what their rule decides on (the last update date,
    /// or the longest gap) nor a reason.
    pub missing_dates: Vec<String>,
    /// What those items lack: 最后更新日期, 最长更新间隔.
    pub missing_facts: Vec<&'static str>,
}

impl Unfinished {
    fn is_empty(&self) -> bool {
        self.unanswered.is_empty()
            && self.missing_notes.is_empty()
            && self.without_evidence.is_empty()
            && self.missing_dates.is_empty()
    }

    /// E.g. 「还有 3 项没有填写：V01 严重表述错误、V02 泄露国家秘密、V03 反动、暴力、色情内容。」
    fn message(&self) -> String {
        let mut parts = Vec::new();
        if !self.unanswered.is_empty() {
            parts.push(format!(
                "还有 {} 项没有填写：{}",
                self.unanswered.len(),
                listing(&self.unanswered)
            ));
        }
        if !self.missing_notes.is_empty() {
            parts.push(format!(
                "有 {} 项判定为不符合但没有填写问题描述：{}",
                self.missing_notes.len(),
                listing(&self.missing_notes)
            ));
        }
        if !self.without_evidence.is_empty() {
            parts.push(format!(
                "否决项 {} 判定为不符合，请附上截图、文件或网址作为证据",
                listing(&self.without_evidence)
            ));
        }
        if !self.missing_dates.is_empty() {
            parts.push(format!(
                "{} 判定为符合，请填写{}，或在说明中写明无法查看的原因",
                listing(&self.missing_dates),
                self.missing_facts.join("或")
            ));
        }
        format!("{}。", parts.join("；"))
    }
}

fn label(checklist: &Checklist, id: &str) -> String {
    checklist
        .item(id)
        .map_or_else(|| id.to_owned(), Item::label)
}

fn labels(checklist: &Checklist, ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| label(checklist, id)).collect()
}

/// The first few labels joined with 、, then 等 when some were left out.
fn listing(labels: &[String]) -> String {
    let shown = labels[..labels.len().min(LISTED)].join("、");
    if labels.len() > LISTED {
        format!("{shown}等")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    /// A 100-point checklist: one veto item and two deduction items.
    const SCORED: &str = r#"{
        "id": "city-100", "version": "1", "title": "某市政务新媒体检查指标",
        "scoring": {"total": 100, "pass_mark": 60},
        "items": [
            {"id": "V01", "area": "安全问题", "title": "严重表述错误", "criterion": "", "kind": "veto"},
            {"id": "D01", "area": "内容建设", "title": "错别字", "criterion": "",
             "kind": {"deduction": {"points": 5, "cap": 15}}},
            {"id": "D02", "area": "互动回应", "title": "回复不及时", "criterion": "",
             "kind": {"deduction": {"points": 30, "cap": 30}}}
        ]
    }"#;

    fn scored() -> Checklist {
        Checklist::from_json(SCORED).expect("valid test checklist")
    }

    fn found(item: &str, answer: Answer) -> Finding {
        Finding {
            item: item.into(),
            answer: Some(answer),
            note: if answer == Answer::Fail {
                "问题描述".into()
            } else {
                String::new()
            },
            ..Finding::default()
        }
    }

    /// A finding for every applicable item of the built-in checklist, all 符合.
    fn all_pass(platform: &str) -> Vec<Finding> {
        Checklist::builtin()
            .applicable(platform)
            .map(|i| Finding {
                last_update: NaiveDate::from_ymd_opt(2026, 3, 1),
                ..found(&i.id, Answer::Pass)
            })
            .collect()
    }

    fn set(findings: &mut [Finding], item: &str, answer: Answer) {
        let f = findings.iter_mut().find(|f| f.item == item).expect("item");
        *f = Finding {
            last_update: f.last_update,
            ..found(item, answer)
        };
    }

    #[test]
    fn a_veto_fails_the_account_and_a_problem_does_not() {
        let c = Checklist::builtin();
        let mut findings = all_pass("微信公众号");
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.verdict, Some(Verdict::Pass));
        assert_eq!(eval.score, None);
        assert!(eval.can_finish(c, |_| 0).is_ok());

        set(&mut findings, "P07", Answer::Fail);
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.verdict, Some(Verdict::Pass));
        assert_eq!(eval.problems, ["P07"]);

        set(&mut findings, "V05", Answer::Fail);
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.verdict, Some(Verdict::Fail));
        assert_eq!(eval.vetoes, ["V05"]);
    }

    #[test]
    fn a_failed_veto_decides_before_everything_is_answered() {
        let c = Checklist::builtin();
        let eval = evaluate(c, "抖音", &[]);
        assert_eq!(eval.verdict, None);
        assert_eq!(eval.unanswered.len(), 17);

        let eval = evaluate(c, "抖音", &[found("V02", Answer::Fail)]);
        assert_eq!(eval.verdict, Some(Verdict::Fail));
        assert_eq!(eval.unanswered.len(), 16);
    }

    #[test]
    fn a_veto_overrides_a_perfect_score() {
        let c = scored();
        let mut findings = vec![
            found("V01", Answer::Pass),
            found("D01", Answer::Pass),
            found("D02", Answer::NotApplicable),
        ];
        let eval = evaluate(&c, "微信公众号", &findings);
        assert_eq!(
            (eval.verdict, eval.score),
            (Some(Verdict::Pass), Some(100.0))
        );

        findings[0] = found("V01", Answer::Fail);
        let eval = evaluate(&c, "微信公众号", &findings);
        assert_eq!(
            (eval.verdict, eval.score),
            (Some(Verdict::Fail), Some(100.0))
        );
    }

    #[test]
    fn deductions_are_capped_per_item() {
        let c = scored();
        let mut findings = vec![found("V01", Answer::Pass), found("D02", Answer::Pass)];
        findings.extend((0..2).map(|_| found("D01", Answer::Fail)));
        assert_eq!(evaluate(&c, "抖音", &findings).score, Some(90.0));

        // Five failing findings at 5 points each would be 25; the item's cap is 15.
        findings.extend((0..3).map(|_| found("D01", Answer::Fail)));
        let eval = evaluate(&c, "抖音", &findings);
        assert_eq!(eval.score, Some(85.0));
        assert_eq!(eval.verdict, Some(Verdict::Pass));
        assert_eq!(eval.problems, ["D01"]);
    }

    #[test]
    fn below_the_pass_mark_fails() {
        let c = scored();
        // 100 − 15 − 30 = 55 < 60, decided even before V01 is answered.
        let mut findings: Vec<Finding> = (0..3).map(|_| found("D01", Answer::Fail)).collect();
        findings.push(found("D02", Answer::Fail));
        let eval = evaluate(&c, "抖音", &findings);
        assert_eq!(eval.score, Some(55.0));
        assert_eq!(eval.unanswered, ["V01"]);
        assert_eq!(eval.verdict, Some(Verdict::Fail));

        // 100 − 10 − 30 = 60 passes exactly.
        findings.remove(0);
        findings.push(found("V01", Answer::Pass));
        let eval = evaluate(&c, "抖音", &findings);
        assert_eq!(
            (eval.verdict, eval.score),
            (Some(Verdict::Pass), Some(60.0))
        );
    }

    #[test]
    fn items_for_other_platforms_are_ignored() {
        let c = Checklist::builtin();
        let mut findings = all_pass("微信公众号");
        findings.push(found("V07", Answer::Fail));
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.verdict, Some(Verdict::Pass));
        assert!(eval.vetoes.is_empty());

        let eval = evaluate(c, "移动客户端", &all_pass("微信公众号"));
        assert_eq!(eval.unanswered, ["V07"]);
        assert_eq!(eval.verdict, None);
    }

    #[test]
    fn can_finish_names_what_is_missing() {
        let c = Checklist::builtin();
        let mut findings = all_pass("微信公众号");
        findings.retain(|f| !["V01", "V02", "V03"].contains(&f.item.as_str()));
        let eval = evaluate(c, "微信公众号", &findings);
        let err = eval.can_finish(c, |_| 0).expect_err("unanswered");
        assert_eq!(
            err.to_string(),
            "还有 3 项没有填写：V01 严重表述错误、V02 泄露国家秘密、V03 反动、暴力、色情内容。"
        );

        set(&mut findings, "P01", Answer::Fail);
        findings
            .iter_mut()
            .find(|f| f.item == "P01")
            .expect("P01")
            .note = " ".into();
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.missing_notes, ["P01"]);
        assert_eq!(
            eval.can_finish(c, |_| 0)
                .expect_err("unfinished")
                .to_string(),
            "还有 3 项没有填写：V01 严重表述错误、V02 泄露国家秘密、V03 反动、暴力、色情内容；\
             有 1 项判定为不符合但没有填写问题描述：P01 未备案或备案信息未更新。"
        );
        // A veto 不符合 without a note (and no date to describe it): the other items may stay
        // open, the note may not.
        set(&mut findings, "V04", Answer::Fail);
        let v04 = findings.iter_mut().find(|f| f.item == "V04").expect("V04");
        v04.note = String::new();
        v04.last_update = None;
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(
            eval.can_finish(c, |_| 1)
                .expect_err("unfinished")
                .to_string(),
            "有 2 项判定为不符合但没有填写问题描述：V04 更新时效、P01 未备案或备案信息未更新。"
        );

        let eval = evaluate(c, "微信公众号", &[]);
        let msg = eval.can_finish(c, |_| 0).expect_err("empty").to_string();
        assert!(
            msg.starts_with("还有 17 项没有填写：V01 严重表述错误、"),
            "{msg}"
        );
        assert!(msg.ends_with("V05 互动功能等。"), "{msg}");
    }

    #[test]
    fn an_unanswered_extra_finding_keeps_the_item_open() {
        let c = Checklist::builtin();
        let mut findings = all_pass("微信公众号");
        findings.push(Finding::new("P06"));
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.unanswered, ["P06"]);
        assert_eq!(eval.verdict, None);
    }

    #[test]
    fn a_veto_failure_finishes_with_items_open_but_only_with_evidence() {
        let c = Checklist::builtin();
        let mut v02 = found("V02", Answer::Fail);
        v02.note = "转载内容泄露内部文件".into();
        let eval = evaluate(c, "抖音", &[v02]);
        assert_eq!(eval.verdict, Some(Verdict::Fail));
        assert_eq!(eval.unanswered.len(), 16, "the rest stay 未检查");
        assert_eq!(
            eval.can_finish(c, |_| 0)
                .expect_err("no evidence")
                .to_string(),
            "否决项 V02 泄露国家秘密 判定为不符合，请附上截图、文件或网址作为证据。"
        );
        assert!(eval.can_finish(c, |id| usize::from(id == "V02")).is_ok());
        // Without a veto failure, every item must be answered.
        let eval = evaluate(c, "抖音", &[found("P07", Answer::Pass)]);
        assert!(eval.can_finish(c, |_| 1).is_err());
    }

    #[test]
    fn an_update_rule_pass_needs_a_date_or_a_reason() {
        let c = Checklist::builtin();
        let mut findings = all_pass("微信公众号");
        let v04 = findings.iter_mut().find(|f| f.item == "V04").expect("V04");
        v04.last_update = None;
        v04.answer = Some(Answer::Pass);
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.missing_dates, ["V04"]);
        assert_eq!(
            eval.can_finish(c, |_| 0).expect_err("no date").to_string(),
            "V04 更新时效 判定为符合，请填写最后更新日期，或在说明中写明无法查看的原因。"
        );
        findings
            .iter_mut()
            .find(|f| f.item == "V04")
            .expect("V04")
            .note = "账号设置了仅展示半年内容，未能查看具体日期，人工翻阅确认近期有更新".into();
        let eval = evaluate(c, "微信公众号", &findings);
        assert!(eval.missing_dates.is_empty());
        assert!(eval.can_finish(c, |_| 0).is_ok());
    }

    #[test]
    fn a_failure_decided_by_its_dates_needs_no_note() {
        let c = Checklist::builtin();
        let mut findings = all_pass("微信公众号");
        let f = findings.iter_mut().find(|f| f.item == "V04").expect("V04");
        f.last_update = Some(chrono::NaiveDate::from_ymd_opt(2026, 2, 1).expect("date"));
        f.checked_on = Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"));
        f.note.clear();
        assert_eq!(crate::checklist::apply_rules(c, f), Some(Answer::Fail));
        let eval = evaluate(c, "微信公众号", &findings);
        assert!(eval.missing_notes.is_empty(), "the date describes it");
        // Answered 不符合 by hand with no date: the problem must be described.
        let f = findings.iter_mut().find(|f| f.item == "V04").expect("V04");
        f.last_update = None;
        let eval = evaluate(c, "微信公众号", &findings);
        assert_eq!(eval.missing_notes, ["V04"]);
    }

    #[test]
    fn a_longest_gap_pass_needs_the_gap_or_a_reason() {
        let mut c = Checklist::builtin().clone();
        let v04 = c.items.iter_mut().find(|i| i.id == "V04").expect("V04");
        v04.rule = Some(crate::checklist::Rule::LongestGap { days: 14 });
        let mut findings = all_pass("微信公众号");
        let f = findings.iter_mut().find(|f| f.item == "V04").expect("V04");
        // A last update date says nothing of the gaps before it.
        f.last_update = Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"));
        f.longest_gap = None;
        f.answer = Some(Answer::Pass);
        let eval = evaluate(&c, "微信公众号", &findings);
        assert_eq!(eval.missing_dates, ["V04"]);
        assert_eq!(
            eval.can_finish(&c, |_| 0).expect_err("no gap").to_string(),
            "V04 更新时效 判定为符合，请填写最长更新间隔，或在说明中写明无法查看的原因。"
        );
        let f = findings.iter_mut().find(|f| f.item == "V04").expect("V04");
        f.longest_gap = Some(14);
        assert_eq!(crate::checklist::apply_rules(&c, f), Some(Answer::Pass));
        f.longest_gap = Some(15);
        assert_eq!(crate::checklist::apply_rules(&c, f), Some(Answer::Fail));
        let eval = evaluate(&c, "微信公众号", &findings);
        assert!(eval.missing_dates.is_empty());
        assert_eq!(eval.verdict, Some(Verdict::Fail));
    }
}
