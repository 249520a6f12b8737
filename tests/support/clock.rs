//! The tests' one clock. The core never reads the time: each step takes it as an argument, and
//! tests pass instants written as they read, `at("2026-11-25 10:05")`, so that a test says
//! when each thing happens. `now()` is the fixed instant for tests where the time does not
//! matter.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// The instant tests use when the moment does not matter.
pub const NOW: &str = "2026-12-02 09:30";

/// `text` as a moment: `2026-11-25 10:05` (or with seconds, `2026-11-25 10:05:30`).
///
/// # Panics
/// When `text` is not such a moment: a test's literal is wrong.
#[must_use]
pub fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .unwrap_or_else(|e| panic!("“{text}” is not a moment like 2026-11-25 10:05 ({e})"))
}

/// `text` as a day: `2026-11-25`.
///
/// # Panics
/// When `text` is not such a day.
#[must_use]
pub fn on(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("“{text}” is not a day like 2026-11-25 ({e})"))
}

/// `n` minutes, to step through a loop: `at("2026-11-25 10:00") + minutes(n)`.
#[must_use]
pub fn minutes(n: usize) -> TimeDelta {
    TimeDelta::minutes(i64::try_from(n).expect("a test's count of minutes"))
}

/// `n` days, to step through a loop: `at("2026-11-10 10:00") + days(n)`.
#[must_use]
pub fn days(n: usize) -> TimeDelta {
    TimeDelta::days(i64::try_from(n).expect("a test's count of days"))
}

/// The fixed instant [`NOW`].
#[must_use]
pub fn now() -> NaiveDateTime {
    at(NOW)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_minutes_and_seconds() {
        assert_eq!(
            super::at("2026-11-25 10:05").to_string(),
            "2026-11-25 10:05:00"
        );
        assert_eq!(
            super::at("2026-11-25 10:05:30").to_string(),
            "2026-11-25 10:05:30"
        );
        assert_eq!(super::on("2026-11-25").to_string(), "2026-11-25");
    }
}
