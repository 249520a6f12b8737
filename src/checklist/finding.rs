//! What the inspector records per item, and the rules that compute answers from it.

use chrono::NaiveDate;

use super::{Checklist, Rule};
use crate::model::{Answer, Finding};

/// The update rule of the national indicators: an account fails when there is no update
/// within the period before the check (监测时间点前2周内无更新, i.e. `days` = 14).
///
/// 符合 when `last_update` is at most `days` days before `checked_on`: with 14 days, a
/// last update exactly 14 days before passes and 15 days before fails. A last update on or
/// after the check date passes.
#[must_use]
pub fn update_rule(last_update: NaiveDate, checked_on: NaiveDate, days: u32) -> Answer {
    if checked_on.signed_duration_since(last_update).num_days() <= i64::from(days) {
        Answer::Pass
    } else {
        Answer::Fail
    }
}

/// The longest-gap rule some offices use (更新间隔不得超过14天): 符合 when the longest run of
/// days without a post in the period, up to the check date, is at most `days`.
#[must_use]
pub fn gap_rule(longest_gap: u32, days: u32) -> Answer {
    if longest_gap <= days {
        Answer::Pass
    } else {
        Answer::Fail
    }
}

/// Sets the finding's answer from its item's rule when the rule can decide: the item has a
/// [`Rule`] and the finding records what it needs (both dates for [`Rule::UpdateWithin`], the
/// longest gap for [`Rule::LongestGap`]); this replaces any earlier answer. Returns the
/// answer set, or `None` when the finding was left alone.
pub fn apply_rules(checklist: &Checklist, finding: &mut Finding) -> Option<Answer> {
    let answer = match checklist.item(&finding.item)?.rule? {
        Rule::UpdateWithin { days } => update_rule(finding.last_update?, finding.checked_on?, days),
        Rule::LongestGap { days } => gap_rule(finding.longest_gap?, days),
    };
    finding.answer = Some(answer);
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn two_week_rule_at_its_boundary() {
        let checked = date(2026, 3, 20);
        assert_eq!(update_rule(date(2026, 3, 7), checked, 14), Answer::Pass);
        assert_eq!(update_rule(date(2026, 3, 6), checked, 14), Answer::Pass);
        assert_eq!(update_rule(date(2026, 3, 5), checked, 14), Answer::Fail);
        assert_eq!(update_rule(checked, checked, 14), Answer::Pass);
        assert_eq!(update_rule(date(2026, 3, 21), checked, 14), Answer::Pass);
        // Across a month and a year end.
        assert_eq!(
            update_rule(date(2025, 12, 18), date(2026, 1, 1), 14),
            Answer::Pass
        );
        assert_eq!(
            update_rule(date(2025, 12, 17), date(2026, 1, 1), 14),
            Answer::Fail
        );
    }

    #[test]
    fn longest_gap_rule_at_its_boundary() {
        assert_eq!(gap_rule(13, 14), Answer::Pass);
        assert_eq!(gap_rule(14, 14), Answer::Pass);
        assert_eq!(gap_rule(15, 14), Answer::Fail);
        assert_eq!(gap_rule(0, 7), Answer::Pass);
    }

    #[test]
    fn apply_rules_needs_both_dates_and_a_rule() {
        let checklist = Checklist::builtin();
        let mut finding = Finding::new("V04");
        finding.checked_on = Some(date(2026, 3, 20));
        assert_eq!(apply_rules(checklist, &mut finding), None);
        assert_eq!(finding.answer, None);

        finding.last_update = Some(date(2026, 3, 1));
        assert_eq!(apply_rules(checklist, &mut finding), Some(Answer::Fail));
        assert_eq!(finding.answer, Some(Answer::Fail));
        finding.last_update = Some(date(2026, 3, 10));
        apply_rules(checklist, &mut finding);
        assert_eq!(finding.answer, Some(Answer::Pass));

        let mut other = Finding {
            answer: Some(Answer::Fail),
            ..finding.clone()
        };
        other.item = "V01".into();
        assert_eq!(apply_rules(checklist, &mut other), None);
        assert_eq!(other.answer, Some(Answer::Fail));
    }

    #[test]
    fn answer_labels_and_storage_names() {
        for answer in Answer::ALL {
            assert_eq!(Answer::from_label(answer.label()), Some(answer));
        }
        assert_eq!(Answer::from_label(" 不符合\u{3000}"), Some(Answer::Fail));
        assert_eq!(Answer::from_label("合格"), None);
        assert_eq!(Answer::from_label("否"), None);
        assert_eq!(Answer::from_label(""), None);
        let json = serde_json::to_string(&Answer::ALL).expect("serialise");
        assert_eq!(json, r#"["pass","fail","na"]"#);
        let back: Vec<Answer> = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, Answer::ALL);
    }
}
