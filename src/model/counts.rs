//! The counts a notice prints: how many accounts a region had on a platform when the quarter
//! was drawn, and the tallies of one row of a 总体情况 table; and the names accounts are
//! counted under.

use super::Account;

/// How many accounts in operation a region had on one platform when the quarter was drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationCell {
    pub region: String,
    pub platform: String,
    pub accounts: usize,
}

/// The region an account is counted under: its 区县, or its 地市 where 区县 is blank.
#[must_use]
pub fn region_of(account: &Account) -> String {
    let r = account.region();
    if r.is_empty() {
        "（未填地区）".to_owned()
    } else {
        r.to_owned()
    }
}

/// The platform an account is counted under.
#[must_use]
pub fn platform_of(account: &Account) -> String {
    if account.platform.is_empty() {
        "（未填平台）".to_owned()
    } else {
        account.platform.clone()
    }
}

/// The counts of one row of a 总体情况 table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub name: String,
    /// 账号总数: accounts in operation when the quarter was drawn.
    pub accounts: usize,
    /// 抽查数: accounts in the sample (复查 included).
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
}

impl Tally {
    /// Sampled accounts whose check is not finished.
    #[must_use]
    pub fn unfinished(&self) -> usize {
        self.checked - self.passed - self.failed
    }

    /// 合格率: passed among the finished checks; `None` before any is finished.
    #[must_use]
    pub fn pass_rate(&self) -> Option<f64> {
        let finished = self.passed + self.failed;
        (finished > 0).then(|| self.passed as f64 / finished as f64)
    }
}
