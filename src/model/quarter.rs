//! A calendar quarter, the unit of the spot-check cycle: `2026Q4` in files and commands,
//! 2026年第四季度 on screen and paper.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    /// 1 to 4.
    number: u8,
}

/// Why a quarter could not be read. The message is what users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("季度“{0}”的写法不正确，应写成年份加季度，例如 2026Q4（2026年第四季度）。")]
pub struct QuarterError(pub String);

impl Quarter {
    /// `None` unless `number` is 1 to 4 and the year is plausible (2000 to 2999).
    #[must_use]
    pub fn new(year: i32, number: u8) -> Option<Self> {
        ((2000..3000).contains(&year) && (1..=4).contains(&number)).then_some(Self { year, number })
    }

    /// The quarter that `day` falls in.
    #[must_use]
    pub fn containing(day: NaiveDate) -> Self {
        let number = u8::try_from(day.month0() / 3 + 1).unwrap_or(1);
        Self {
            year: day.year(),
            number,
        }
    }

    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    #[must_use]
    pub fn number(self) -> u8 {
        self.number
    }

    #[must_use]
    pub fn previous(self) -> Self {
        if self.number == 1 {
            Self {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Self {
                year: self.year,
                number: self.number - 1,
            }
        }
    }

    #[must_use]
    pub fn next(self) -> Self {
        if self.number == 4 {
            Self {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Self {
                year: self.year,
                number: self.number + 1,
            }
        }
    }

    /// 2026年第四季度
    #[must_use]
    pub fn label(self) -> String {
        let n = ["一", "二", "三", "四"][usize::from(self.number - 1)];
        format!("{}年第{n}季度", self.year)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.number)
    }
}

impl FromStr for Quarter {
    type Err = QuarterError;

    /// Reads `2026Q4`, `2026q4`, `2026-Q4` and `2026年第四季度` (or `2026年第4季度`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || QuarterError(text.trim().to_owned());
        let t = text.trim();
        let (year, rest) = if let Some(i) = t.find(['Q', 'q']) {
            (t[..i].trim_end_matches(['-', ' ']), &t[i + 1..])
        } else if let Some((y, r)) = t.split_once('年') {
            let r = r.strip_prefix('第').unwrap_or(r);
            (y, r.strip_suffix("季度").ok_or_else(err)?)
        } else {
            return Err(err());
        };
        let year: i32 = year.parse().map_err(|_| err())?;
        let number = match rest.trim() {
            "1" | "一" => 1,
            "2" | "二" => 2,
            "3" | "三" => 3,
            "4" | "四" => 4,
            _ => return Err(err()),
        };
        Self::new(year, number).ok_or_else(err)
    }
}

impl serde::Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_quarters() {
        let q: Quarter = "2026Q4".parse().expect("valid");
        assert_eq!(q.to_string(), "2026Q4");
        assert_eq!(q.label(), "2026年第四季度");
        assert_eq!("2026q1".parse::<Quarter>().expect("valid").number(), 1);
        assert_eq!("2026-Q2".parse::<Quarter>().expect("valid").number(), 2);
        assert_eq!(
            "2026年第三季度".parse::<Quarter>().expect("valid").number(),
            3
        );
        assert_eq!(
            "2026年第4季度".parse::<Quarter>().expect("valid").number(),
            4
        );
        for bad in [
            "",
            "2026",
            "2026Q5",
            "2026Q0",
            "Q4",
            "26Q4",
            "二〇二六Q4",
            "2026Q4x",
        ] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
        assert_eq!(q.next().to_string(), "2027Q1");
        assert_eq!(q.next().previous(), q);
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        assert_eq!(Quarter::containing(day), q);
    }
}
