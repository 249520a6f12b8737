//! 复查 joined to 整改: when an account's check is finished, last quarter's open problems of
//! that account are settled by it — an item now 符合 is closed as 复查合格 (on the check's
//! 检查日期, by whom, which check); one 不符合 again stays open (a reply of 已整改 becomes 复核未通过),
//! and the new problem says for how many quarters running it has been found
//! ([`consecutive_quarters`]).

use chrono::NaiveDateTime;

use crate::model::{Answer, Inspection, Quarter, Rectification, Reply, State};
use crate::rectification::code;
use crate::store::{Store, StoreError, Tx};

/// Settles last quarter's open problems of the account checked in `ins`: one whose item the
/// check found 符合 is closed as 复查合格, dated by the check's own 检查日期; one the unit said
/// it had fixed (已整改) but that the check found 不符合 again becomes 复核未通过 — the reply
/// does not stand against the recheck. Returns how many were closed. Logged one by one.
pub fn settle_rechecks(
    tx: &Tx<'_>,
    ins: &Inspection,
    actor: &str,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    let quarter = tx.draw_quarter(ins.draw)?;
    let mut closed = 0;
    for (id, item) in tx.open_problems_in(ins.account, quarter.previous())? {
        let Some(finding) = ins
            .findings
            .iter()
            .map(|f| &f.finding)
            .find(|f| f.item == item)
        else {
            continue;
        };
        let day = finding.checked_on.unwrap_or(at.date());
        match finding.answer {
            Some(Answer::Pass) => {
                let note = format!(
                    "复查合格：{}检查，{}，检查人员 {}",
                    quarter.label(),
                    crate::model::time::day_text(day),
                    ins.inspector
                );
                tx.record_review(id, State::Closed, &note, actor, at)?;
                tx.append_log(
                    at,
                    actor,
                    "复查合格关闭整改问题",
                    &format!("{}：{note}", code(id)),
                )?;
                closed += 1;
            }
            Some(Answer::Fail) => {
                let replied_fixed = tx
                    .rectification(id)?
                    .is_some_and(|r| r.state == State::Replied && r.reply == Some(Reply::Done));
                if replied_fixed {
                    let note = format!(
                        "复查未通过：单位反馈已整改，{}复查（{}，检查人员 {}）仍不符合",
                        quarter.label(),
                        crate::model::time::day_text(day),
                        ins.inspector
                    );
                    tx.record_review(id, State::Reopened, &note, actor, at)?;
                    tx.append_log(
                        at,
                        actor,
                        "复查否定整改反馈",
                        &format!("{}：{note}", code(id)),
                    )?;
                }
            }
            _ => {}
        }
    }
    Ok(closed)
}

/// For how many quarters running, up to and including `quarter`, a problem of `item` has been
/// found on `account` (1 when only now).
pub fn consecutive_quarters(
    tx: &Store,
    account: i64,
    item: &str,
    quarter: Quarter,
) -> Result<usize, StoreError> {
    let found = tx.problem_quarters(account, item)?;
    let mut n = 1;
    let mut q = quarter.previous();
    while found.contains(&q) {
        n += 1;
        q = q.previous();
    }
    Ok(n)
}

/// The problems issued for `account`, newest first, each with for how many quarters running
/// (up to its own) its item had been found: what the account's detail shows.
pub fn account_problems(
    store: &Store,
    account: i64,
) -> Result<Vec<(Rectification, usize)>, StoreError> {
    let mut out = Vec::new();
    for r in store.account_rectifications(account)?.into_iter().rev() {
        let n = consecutive_quarters(store, account, &r.item, r.quarter)?;
        out.push((r, n));
    }
    Ok(out)
}
