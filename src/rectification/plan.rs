//! Issuing a quarter's problems, decided purely: which problems are sent for the first time,
//! which were sent before (refreshed while the unit has not answered), and which were sent
//! but whose finding no longer fails (withdrawn while unanswered).

use std::collections::HashMap;

use crate::report::Problem;

/// A problem sent before: its id, and whether it is still unanswered (not replied, not
/// reviewed), so that what it says may still change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub id: i64,
    pub untouched: bool,
}

/// What issuing does with one problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'p> {
    /// Sent for the first time, with a new deadline.
    Issue(&'p Problem),
    /// Sent before and unanswered: what it says is rewritten; its deadline stays.
    Refresh(i64, &'p Problem),
    /// Sent before and answered or reviewed: left as it is.
    Keep(i64),
    /// Sent before, unanswered, and its finding no longer fails: taken back.
    Withdraw(i64),
}

/// What issuing a quarter's problems did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct IssueCounts {
    /// Problems sent for the first time, with a new deadline.
    pub added: usize,
    /// Problems already sent: kept with their deadline and any answer.
    pub kept: usize,
    /// Problems sent earlier, never answered, whose finding no longer fails: withdrawn.
    pub withdrawn: usize,
    /// Earlier quarters' problems found again, carried into the new ones.
    pub carried: usize,
}

/// The steps of issuing `problems` of `draw` (problems of other draws are ignored) when
/// `sent` holds the problems of `draw` sent before, keyed by (account, item). Withdrawals
/// come last, in id order.
#[must_use]
pub fn plan<'p, S: std::hash::BuildHasher>(
    draw: i64,
    problems: &'p [Problem],
    sent: &HashMap<(i64, String), Sent, S>,
) -> Vec<Step<'p>> {
    let mut steps = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in problems.iter().filter(|p| p.draw == draw) {
        match sent.get(&(p.account, p.item.clone())) {
            Some(s) => {
                seen.insert(s.id);
                steps.push(if s.untouched {
                    Step::Refresh(s.id, p)
                } else {
                    Step::Keep(s.id)
                });
            }
            None => steps.push(Step::Issue(p)),
        }
    }
    let mut withdrawn: Vec<i64> = sent
        .values()
        .filter(|s| s.untouched && !seen.contains(&s.id))
        .map(|s| s.id)
        .collect();
    withdrawn.sort_unstable();
    steps.extend(withdrawn.into_iter().map(Step::Withdraw));
    steps
}

/// The counts of `steps`, as the log and the summary say them.
#[must_use]
pub fn counts(steps: &[Step<'_>]) -> IssueCounts {
    let mut c = IssueCounts::default();
    for s in steps {
        match s {
            Step::Issue(_) => c.added += 1,
            Step::Refresh(..) | Step::Keep(_) => c.kept += 1,
            Step::Withdraw(_) => c.withdrawn += 1,
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(draw: i64, account: i64, item: &str) -> Problem {
        Problem {
            draw,
            account,
            city: String::new(),
            county: String::new(),
            host_unit: "示例单位".to_owned(),
            name: format!("账号{account}"),
            platform: "微信".to_owned(),
            account_id: format!("id{account}"),
            item: item.to_owned(),
            category: "更新时效".to_owned(),
            remedy: String::new(),
            veto: true,
            note: String::new(),
            last_update: None,
            longest_gap: None,
            links: Vec::new(),
            screenshots: 0,
            account_failed: true,
        }
    }

    #[test]
    fn every_case() {
        let problems = vec![
            problem(1, 10, "V04"), // new
            problem(1, 11, "V04"), // sent, unanswered
            problem(1, 12, "V04"), // sent, answered
            problem(2, 13, "V04"), // another draw's
        ];
        let sent: HashMap<(i64, String), Sent> = [
            (
                (11, "V04".to_owned()),
                Sent {
                    id: 101,
                    untouched: true,
                },
            ),
            (
                (12, "V04".to_owned()),
                Sent {
                    id: 102,
                    untouched: false,
                },
            ),
            (
                (14, "V01".to_owned()),
                Sent {
                    id: 104,
                    untouched: true,
                },
            ), // fixed, unanswered
            (
                (15, "V01".to_owned()),
                Sent {
                    id: 105,
                    untouched: false,
                },
            ), // fixed, answered
            (
                (16, "V01".to_owned()),
                Sent {
                    id: 103,
                    untouched: true,
                },
            ), // fixed, unanswered
        ]
        .into_iter()
        .collect();
        let steps = plan(1, &problems, &sent);
        assert_eq!(
            steps,
            vec![
                Step::Issue(&problems[0]),
                Step::Refresh(101, &problems[1]),
                Step::Keep(102),
                Step::Withdraw(103),
                Step::Withdraw(104),
            ]
        );
        assert_eq!(
            counts(&steps),
            IssueCounts {
                added: 1,
                kept: 2,
                withdrawn: 2,
                carried: 0,
            }
        );
    }

    #[test]
    fn nothing_sent_before_issues_everything() {
        let problems = vec![problem(1, 10, "V04"), problem(1, 10, "P01")];
        let steps = plan(1, &problems, &HashMap::new());
        assert_eq!(
            steps,
            vec![Step::Issue(&problems[0]), Step::Issue(&problems[1])]
        );
    }
}
