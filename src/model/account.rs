use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where an account stands in its lifecycle, as the roster says.
///
/// Only accounts in operation (`Normal`, `Changed`) belong to the population of a draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum AccountStatus {
    Normal,
    Changed,
    Stopped,
    Deregistered,
}

impl AccountStatus {
    pub const ALL: [Self; 4] = [
        Self::Normal,
        Self::Changed,
        Self::Stopped,
        Self::Deregistered,
    ];

    /// The word users see and the roster uses.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Normal => "正常",
            Self::Changed => "变更",
            Self::Stopped => "已关停",
            Self::Deregistered => "已注销",
        }
    }

    #[must_use]
    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.label() == label)
    }

    /// Whether the account is in operation and so can be drawn for inspection.
    #[must_use]
    pub fn in_operation(self) -> bool {
        matches!(self, Self::Normal | Self::Changed)
    }
}

/// One government new-media account as the roster describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Normalised platform name, e.g. 微信公众号 (see [`crate::model::platform`]).
    pub platform: String,
    /// 账号标识: `WeChat` id, UID, URL… exactly as the user typed it; may be blank.
    pub account_id: String,
    pub name: String,
    pub host_unit: String,
    pub city: String,
    pub county: String,
    pub opened_on: Option<NaiveDate>,
    pub filed_on: Option<NaiveDate>,
    pub status: AccountStatus,
    pub fans: Option<i64>,
    pub operator: String,
    /// Columns the roster had that spotcheck does not interpret: (header, value), in sheet order.
    pub extra: Vec<(String, String)>,
}

impl Account {
    /// A 微信公众号's type (订阅号 or 服务号) where the roster gives it: in a column whose header
    /// names a 类型 (公众号类型, 账号类型…), including the one the import records when the
    /// platform column said 微信订阅号. `None` for other platforms.
    #[must_use]
    pub fn wechat_type(&self) -> Option<&'static str> {
        wechat_type_in(&self.platform, &self.extra)
    }

    /// The identity of the account across imports; see [`account_key`].
    #[must_use]
    pub fn key(&self) -> String {
        account_key(
            &self.platform,
            &self.account_id,
            &self.name,
            &self.host_unit,
        )
    }

    /// The region the account is drawn, counted and listed under: 地市 and 区县 together
    /// (广州市越秀区), so that two 地市's 区县 of one name stay apart; the 地市 alone for its own
    /// accounts (区县 blank); the 区县 alone where the 地市 is blank or already part of it.
    /// Blank when both are.
    #[must_use]
    pub fn region(&self) -> String {
        region_name(&self.city, &self.county)
    }
}

/// The region of an account in `city` and `county` (see [`Account::region`]).
#[must_use]
pub fn region_name(city: &str, county: &str) -> String {
    let (city, county) = (city.trim(), county.trim());
    if county.is_empty() {
        city.to_owned()
    } else if city.is_empty() || county.starts_with(city) {
        county.to_owned()
    } else {
        format!("{city}{county}")
    }
}

/// [`Account::wechat_type`] of an account on `platform` with the roster's other columns `extra`.
#[must_use]
pub fn wechat_type_in(platform: &str, extra: &[(String, String)]) -> Option<&'static str> {
    if platform != "微信公众号" {
        return None;
    }
    extra
        .iter()
        .filter(|(header, _)| header.contains("类型") || header.contains("类别"))
        .find_map(|(_, value)| super::platform::wechat_type(value))
}

/// 平台 + 账号标识; where the id is blank, 平台 + 账号名称 + 主办单位.
///
/// Ids are compared without regard to ASCII case (微信号 and URLs are case-insensitive in practice).
#[must_use]
pub fn account_key(platform: &str, account_id: &str, name: &str, host_unit: &str) -> String {
    // Pushed piece by piece, not through `format!`: a 100,000-row import computes it several
    // times per account.
    let mut key = String::with_capacity(platform.len() + name.len() + host_unit.len() + 8);
    key.push_str(platform);
    key.push('\u{1f}');
    if account_id.is_empty() {
        key.push_str(name);
        key.push('\u{1f}');
        key.push_str(host_unit);
    } else {
        key.push_str("id\u{1f}");
        let id_at = key.len();
        key.push_str(account_id);
        key[id_at..].make_ascii_lowercase();
    }
    key
}

#[cfg(test)]
mod tests {
    use super::account_key;

    #[test]
    fn keys_by_id_ignore_ascii_case_and_by_name_keep_everything() {
        assert_eq!(
            account_key("微信公众号", "GH_Edu001", "示例教育", "教育局"),
            "微信公众号\u{1f}id\u{1f}gh_edu001"
        );
        assert_eq!(
            account_key("抖音", "", "Ab发布", "某局"),
            "抖音\u{1f}Ab发布\u{1f}某局"
        );
    }
}
