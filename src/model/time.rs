//! The one text form of dates and times that the database, packages, logs and screens share:
//! `2026-12-02` for a day and `2026-12-02 09:30:00` for a moment (local time, no zone: the
//! offices of one region share one).

use chrono::{NaiveDate, NaiveDateTime};

/// `2026-12-02 09:30:00`
pub const TIME: &str = "%Y-%m-%d %H:%M:%S";
/// `2026-12-02`
pub const DAY: &str = "%Y-%m-%d";
/// `2026-12-02 09:30`: how screens show a moment.
pub const MINUTE: &str = "%Y-%m-%d %H:%M";

#[must_use]
pub fn time_text(t: NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    // Not through chrono's formatter, which parses `TIME` again on every call: bulk results
    // write a moment per finding (measured in `cargo bench --bench results_import`).
    if (0..=9999).contains(&t.year()) {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    } else {
        t.format(TIME).to_string()
    }
}

#[must_use]
pub fn day_text(d: NaiveDate) -> String {
    use chrono::Datelike;
    // Not through chrono's formatter, which parses `DAY` again on every call (a large import
    // writes two dates per account); it still writes the years outside 0000–9999.
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.format(DAY).to_string()
    }
}

/// `2026-12-02 09:30`: how screens and messages show a moment.
#[must_use]
pub fn minute_text(t: NaiveDateTime) -> String {
    t.format(MINUTE).to_string()
}

/// `09:30`: the time of a message on the status bar.
#[must_use]
pub fn clock_text(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

/// `20261202-093000`: a moment in a file or folder name (sorts as it reads).
#[must_use]
pub fn stamp_text(t: NaiveDateTime) -> String {
    t.format("%Y%m%d-%H%M%S").to_string()
}

/// `20261202`: a day in a file name.
#[must_use]
pub fn compact_day(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// `2026年12月2日`: a day as the 通报 writes it.
#[must_use]
pub fn chinese_day(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// `2026年11月3日至2026年12月2日` (`2026年12月2日` for one day): a span of days as notices
/// write it.
#[must_use]
pub fn day_span(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        chinese_day(first)
    } else {
        format!("{}至{}", chinese_day(first), chinese_day(last))
    }
}

/// `2026年12月2日 09:30`: the moment of a draw in the method note.
#[must_use]
pub fn chinese_minute(t: NaiveDateTime) -> String {
    t.format("%Y年%-m月%-d日 %H:%M").to_string()
}

/// A moment written by [`time_text`].
#[must_use]
pub fn parse_time(text: &str) -> Option<NaiveDateTime> {
    // The form `time_text` writes, read directly (chrono parses its format string on every
    // call); anything else as chrono reads it.
    let b = text.as_bytes();
    if b.len() == 19 && b[10] == b' ' && b[13] == b':' && b[16] == b':' {
        let day = parse_day(&text[..10])?;
        let hms = [&b[11..13], &b[14..16], &b[17..19]].map(two_digits);
        // A leap second (:60) as chrono reads it.
        if let [Some(h), Some(m), Some(s @ 0..=59)] = hms {
            return day.and_hms_opt(h, m, s);
        }
    }
    NaiveDateTime::parse_from_str(text, TIME).ok()
}

/// A day written by [`day_text`].
#[must_use]
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit) {
        let year = b[..4]
            .iter()
            .fold(0i32, |y, d| y * 10 + i32::from(d - b'0'));
        if let (Some(m), Some(d)) = (two_digits(&b[5..7]), two_digits(&b[8..10])) {
            return NaiveDate::from_ymd_opt(year, m, d);
        }
    }
    NaiveDate::parse_from_str(text, DAY).ok()
}

/// Two ASCII digits as a number.
fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [t, u] if t.is_ascii_digit() && u.is_ascii_digit() => {
            Some(u32::from(t - b'0') * 10 + u32::from(u - b'0'))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct readers and writers agree with chrono's on every form, odd ones included.
    #[test]
    fn the_fast_paths_read_and_write_as_chrono_does() {
        for text in [
            "2026-12-02",
            "2026-02-29",
            "2024-02-29",
            "0000-01-01",
            "9999-12-31",
            "2026-13-01",
            "2026-00-10",
            "2026-1-02",
            "2026-01-2x",
            "２０２６-01-02",
            "+2026-01-02",
            "",
        ] {
            assert_eq!(
                parse_day(text),
                NaiveDate::parse_from_str(text, DAY).ok(),
                "{text}"
            );
        }
        for text in [
            "2026-12-02 09:30:05",
            "2026-12-02 24:00:00",
            "2026-12-02 23:59:60",
            "2026-12-02 9:30:05",
            "2026-12-02T09:30:05",
            "2026-12-02 09:30",
            "2026-02-30 09:30:05",
        ] {
            assert_eq!(
                parse_time(text),
                NaiveDateTime::parse_from_str(text, TIME).ok(),
                "{text}"
            );
        }
        for (y, m, d) in [
            (2026, 12, 2),
            (1, 1, 1),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 1, 1),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).expect("a day");
            let t = day.and_hms_opt(7, 5, 9).expect("a time");
            assert_eq!(time_text(t), t.format(TIME).to_string());
            assert_eq!(day_text(day), day.format(DAY).to_string());
        }
    }

    #[test]
    fn round_trips() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        let t = d.and_hms_opt(9, 30, 5).expect("time");
        assert_eq!(time_text(t), "2026-12-02 09:30:05");
        assert_eq!(parse_time(&time_text(t)), Some(t));
        assert_eq!(parse_day(&day_text(d)), Some(d));
        assert_eq!(parse_day("2026-13-01"), None);
        for (y, m, day) in [
            (1, 1, 1),
            (999, 3, 5),
            (9999, 12, 31),
            (-5, 1, 1),
            (10_000, 1, 1),
        ] {
            let d = NaiveDate::from_ymd_opt(y, m, day).expect("date");
            assert_eq!(day_text(d), d.format(DAY).to_string());
        }
    }
}
