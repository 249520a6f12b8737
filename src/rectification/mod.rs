//! 整改: what a host unit must fix, by when, what it answered, and where each problem stands.
//! Pure: no database, no egui. [`feedback`] reads the sheets the units send back;
//! [`follow_up`] says where last quarter's problems stand when the next notice is written.

pub mod feedback;
pub mod follow_up;
pub mod plan;

use chrono::{Datelike, NaiveDate, Weekday};

pub use crate::model::{Rectification, Reply, State};

/// The deadline when the setting is absent: 10 working days, as most notices give.
pub const DEFAULT_DEADLINE_DAYS: u32 = 10;

/// Where a problem stands as the office sees it on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Pending,
    Replied,
    /// Past the deadline with no answer at all: 逾期未反馈.
    Overdue,
    /// Past the deadline, answered but not fixed (正在整改, 无法整改): 反馈未整改.
    NotFixed,
    Closed,
    Rejected,
    /// Found again by the next quarter's 复查: carried into that quarter's problem.
    Carried,
}

impl Status {
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::Replied,
        Self::Overdue,
        Self::NotFixed,
        Self::Closed,
        Self::Rejected,
        Self::Carried,
    ];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "待整改",
            Self::Replied => "已反馈",
            Self::Overdue => "逾期未反馈",
            Self::NotFixed => "反馈未整改",
            Self::Closed => "已复核关闭",
            Self::Rejected => "复核未通过",
            Self::Carried => "复查仍不合格，转入下季度",
        }
    }
}

/// The status of a problem on `today`. Past its deadline, a problem with no answer is 逾期未反馈
/// and one answered but not reported fixed (正在整改, 无法整改) is 反馈未整改 — notices list the
/// two apart; a rejected fix stays 复核未通过 until the unit answers again.
#[must_use]
pub fn status(state: State, reply: Option<Reply>, deadline: NaiveDate, today: NaiveDate) -> Status {
    match state {
        State::Closed => Status::Closed,
        State::Reopened => Status::Rejected,
        State::Open | State::Replied if today > deadline && reply.is_none() => Status::Overdue,
        State::Open | State::Replied if today > deadline && reply != Some(Reply::Done) => {
            Status::NotFixed
        }
        State::Open => Status::Pending,
        State::Replied => Status::Replied,
    }
}

/// [`status`] of a problem that may have been `carried` into a later quarter's problem (found
/// again by its 复查): unless closed, it stands as carried.
#[must_use]
pub fn standing(
    state: State,
    reply: Option<Reply>,
    deadline: NaiveDate,
    carried: bool,
    today: NaiveDate,
) -> Status {
    if carried && state != State::Closed {
        return Status::Carried;
    }
    status(state, reply, deadline, today)
}

impl Rectification {
    /// The status as lists show it: a reply that came back incomplete is named (已反馈，待补充),
    /// so that it does not look like no reply.
    #[must_use]
    pub fn status_text(&self, today: NaiveDate) -> String {
        let status = self.status(today);
        match status {
            _ if self.incomplete.is_empty() => status.label().to_owned(),
            Status::Closed | Status::Carried => status.label().to_owned(),
            Status::Pending => format!("已反馈，待补充：{}", self.incomplete),
            Status::Overdue => format!("已反馈，待补充：{}（已过整改时限）", self.incomplete),
            _ => format!(
                "{}（最近一次反馈待补充：{}）",
                status.label(),
                self.incomplete
            ),
        }
    }

    #[must_use]
    pub fn status(&self, today: NaiveDate) -> Status {
        standing(
            self.state,
            self.reply,
            self.deadline,
            self.carried_to.is_some(),
            today,
        )
    }
}

/// `days` working days after `from` (Saturdays and Sundays skipped; public holidays and their
/// swapped working weekends are not known to spotcheck). Zero days is `from` itself.
#[must_use]
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut day = from;
    let mut left = days;
    while left > 0 {
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

/// What the unit is asked to do about a problem.
#[must_use]
pub fn requirement(veto: bool) -> &'static str {
    if veto {
        "属单项否决问题，请立即整改；确实无力维护的，按程序关停或注销账号。整改完成后在期限内报送整改情况。"
    } else {
        "请对照问题逐项整改，在期限内报送整改情况。"
    }
}

/// The code printed (hidden) on each row of a rectification sheet, to find the problem again
/// when the sheet comes back: ZG-000123.
#[must_use]
pub fn code(id: i64) -> String {
    format!("ZG-{id:06}")
}

/// The problem id in a code written by [`code`].
#[must_use]
pub fn parse_code(text: &str) -> Option<i64> {
    text.trim().strip_prefix("ZG-")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-25 is a Wednesday: 10 working days later is Wednesday 2026-12-09.
        assert_eq!(add_working_days(day(2026, 11, 25), 10), day(2026, 12, 9));
        // From a Friday, one working day is the Monday.
        assert_eq!(add_working_days(day(2026, 11, 27), 1), day(2026, 11, 30));
        // From a Saturday too.
        assert_eq!(add_working_days(day(2026, 11, 28), 1), day(2026, 11, 30));
        assert_eq!(add_working_days(day(2026, 11, 28), 0), day(2026, 11, 28));
    }

    #[test]
    fn status_follows_state_reply_and_deadline() {
        let deadline = day(2026, 12, 9);
        let before = day(2026, 12, 9);
        let after = day(2026, 12, 10);
        assert_eq!(status(State::Open, None, deadline, before), Status::Pending);
        assert_eq!(status(State::Open, None, deadline, after), Status::Overdue);
        let done = Some(Reply::Done);
        assert_eq!(
            status(State::Replied, done, deadline, after),
            Status::Replied
        );
        let doing = Some(Reply::InProgress);
        assert_eq!(
            status(State::Replied, doing, deadline, before),
            Status::Replied
        );
        assert_eq!(
            status(State::Replied, doing, deadline, after),
            Status::NotFixed
        );
        assert_eq!(
            status(State::Replied, Some(Reply::Cannot), deadline, after),
            Status::NotFixed
        );
        assert_eq!(status(State::Closed, None, deadline, after), Status::Closed);
        assert_eq!(
            status(State::Reopened, done, deadline, after),
            Status::Rejected
        );
    }

    #[test]
    fn replies_are_read_as_units_write_them() {
        assert_eq!(Reply::parse("已整改"), Some(Reply::Done));
        assert_eq!(Reply::parse(" 已完成整改，已恢复更新 "), Some(Reply::Done));
        assert_eq!(Reply::parse("正在整改"), Some(Reply::InProgress));
        assert_eq!(Reply::parse("整改中"), Some(Reply::InProgress));
        assert_eq!(Reply::parse("无法整改并说明理由"), Some(Reply::Cannot));
        assert_eq!(
            Reply::parse("无法整改：平台已停止服务"),
            Some(Reply::Cannot)
        );
        assert_eq!(Reply::parse("好的"), None);
        assert_eq!(Reply::parse(""), None);
    }

    #[test]
    fn codes_round_trip() {
        assert_eq!(code(123), "ZG-000123");
        assert_eq!(parse_code(" ZG-000123"), Some(123));
        assert_eq!(parse_code("123"), None);
    }
}
