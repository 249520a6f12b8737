//! 上季度通报问题整改情况: where last quarter's published problems stand on the day the next
//! notice is dated, and which units did not report. Pure.

use chrono::NaiveDate;

use super::{Rectification, Status};

/// The figures the next quarter's notice opens with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUp {
    /// Problems published last quarter.
    pub problems: usize,
    /// Host units they were sent to.
    pub units: usize,
    /// How many stand at each status, in [`Status::ALL`]'s order (statuses with none left out).
    pub by_status: Vec<(Status, usize)>,
    /// Of the 逾期未反馈 problems, those whose reply came back incomplete (待补充).
    pub overdue_incomplete: usize,
    /// Units with a problem past its deadline and no answer at all, in the list's order (by
    /// unit): 逾期未反馈 ones, and ones found again by the 复查 without having answered.
    pub silent_units: Vec<String>,
}

impl FollowUp {
    /// How many stand at `status`.
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// Where `problems` (those issued for last quarter's draw) stand on `today`.
#[must_use]
pub fn follow_up(problems: &[Rectification], today: NaiveDate) -> FollowUp {
    let mut units: Vec<&str> = Vec::new();
    let mut silent_units: Vec<String> = Vec::new();
    let mut counts = [0usize; Status::ALL.len()];
    let mut overdue_incomplete = 0;
    for p in problems {
        if !units.contains(&p.host_unit.as_str()) {
            units.push(&p.host_unit);
        }
        let status = p.status(today);
        if status == Status::Overdue && !p.incomplete.is_empty() {
            overdue_incomplete += 1;
        }
        if let Some(at) = Status::ALL.iter().position(|s| *s == status) {
            counts[at] += 1;
        }
        // A reply that came back incomplete (待补充) is an answer, if not a complete one.
        let silent = p.incomplete.is_empty()
            && (status == Status::Overdue
                || (status == Status::Carried && p.reply.is_none() && today > p.deadline));
        if silent && !silent_units.contains(&p.host_unit) {
            silent_units.push(p.host_unit.clone());
        }
    }
    FollowUp {
        problems: problems.len(),
        units: units.len(),
        by_status: Status::ALL
            .into_iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .collect(),
        overdue_incomplete,
        silent_units,
    }
}

/// The paragraphs the notice prints of `f`, dated `today`: the figures, then the units that did
/// not report by name.
#[must_use]
pub fn follow_up_lines(f: &FollowUp, quarter: &str, today: &str) -> Vec<String> {
    let words = |s: Status| match s {
        Status::Pending => "尚在整改时限内",
        Status::Replied => "已反馈、待复核",
        Status::Overdue => "逾期未反馈",
        Status::NotFixed => "已反馈但未整改到位",
        Status::Closed => "已整改并复核关闭",
        Status::Rejected => "复核未通过",
        Status::Carried => "本季度复查仍不合格、转入本季度继续整改",
    };
    let parts: Vec<String> = f
        .by_status
        .iter()
        .map(|(s, n)| match s {
            Status::Overdue if f.overdue_incomplete > 0 => format!(
                "{}{n}个（其中{}个的反馈待补充材料）",
                words(*s),
                f.overdue_incomplete
            ),
            _ => format!("{}{n}个", words(*s)),
        })
        .collect();
    let mut lines = vec![format!(
        "{quarter}通报问题{}个，涉及{}个单位。截至{today}，{}。",
        f.problems,
        f.units,
        parts.join("，")
    )];
    if !f.silent_units.is_empty() {
        lines.push(format!(
            "逾期未报送整改情况的单位（{}个）：{}。",
            f.silent_units.len(),
            f.silent_units.join("、")
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Reply, State};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).expect("day")
    }

    fn problem(unit: &str, state: State, reply: Option<Reply>, carried: bool) -> Rectification {
        Rectification {
            id: 1,
            quarter: "2026Q4".parse().expect("quarter"),
            draw: 1,
            account: 1,
            city: String::new(),
            county: String::new(),
            host_unit: unit.to_owned(),
            name: String::new(),
            platform: String::new(),
            account_id: String::new(),
            item: "V04".to_owned(),
            category: String::new(),
            veto: true,
            description: String::new(),
            requirement: String::new(),
            issued_on: day(1, 4),
            deadline: day(1, 18),
            state,
            reply,
            reply_text: String::new(),
            completed_on: None,
            contact: String::new(),
            phone: String::new(),
            replied_at: None,
            review_note: String::new(),
            reviewed_by: String::new(),
            reviewed_at: None,
            carried_to: carried.then_some(9),
            incomplete: String::new(),
            incomplete_at: None,
        }
    }

    #[test]
    fn each_status_is_counted_and_units_that_never_answered_are_named_once() {
        let problems = [
            problem("甲局", State::Closed, Some(Reply::Done), false),
            problem("乙局", State::Open, None, false),
            problem("乙局", State::Open, None, false),
            problem("丙局", State::Replied, Some(Reply::InProgress), false),
            problem("丁局", State::Open, None, true),
            problem("戊局", State::Replied, Some(Reply::Done), true),
        ];
        let f = follow_up(&problems, day(3, 1));
        assert_eq!((f.problems, f.units), (6, 5));
        assert_eq!(f.count(Status::Closed), 1);
        assert_eq!(f.count(Status::Overdue), 2);
        assert_eq!(f.count(Status::NotFixed), 1);
        assert_eq!(f.count(Status::Carried), 2);
        assert_eq!(f.silent_units, ["乙局", "丁局"]);
        let lines = follow_up_lines(&f, "2026年第四季度", "2027年3月1日");
        assert_eq!(
            lines[0],
            "2026年第四季度通报问题6个，涉及5个单位。截至2027年3月1日，逾期未反馈2个，已反馈但未整改到位1个，已整改并复核关闭1个，本季度复查仍不合格、转入本季度继续整改2个。"
        );
        assert_eq!(lines[1], "逾期未报送整改情况的单位（2个）：乙局、丁局。");
    }

    #[test]
    fn a_unit_whose_reply_came_back_incomplete_is_not_named_as_silent() {
        let mut incomplete = problem("乙局", State::Open, None, false);
        incomplete.incomplete = "联系电话".to_owned();
        let f = follow_up(&[incomplete.clone()], day(3, 1));
        assert_eq!(f.count(Status::Overdue), 1);
        assert!(f.silent_units.is_empty(), "{f:?}");
        assert_eq!(
            incomplete.status_text(day(3, 1)),
            "已反馈，待补充：联系电话（已过整改时限）"
        );
        assert_eq!(
            follow_up_lines(&f, "2026年第四季度", "2027年3月1日")[0],
            "2026年第四季度通报问题1个，涉及1个单位。截至2027年3月1日，逾期未反馈1个（其中1个的反馈待补充材料）。"
        );
    }

    #[test]
    fn before_the_deadline_nobody_is_late() {
        let f = follow_up(&[problem("乙局", State::Open, None, false)], day(1, 10));
        assert_eq!(f.by_status, [(Status::Pending, 1)]);
        assert!(f.silent_units.is_empty());
    }
}
