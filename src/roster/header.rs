//! The roster's column table: the fields spotcheck reads from a roster, the names offices
//! give them, and which are required. Finding the header row(s) with it is the shared
//! [`crate::sheet::header`] finder's work; what the values mean is [`super::parse`]'s.

use crate::sheet::grid::Grid;
use crate::sheet::header::{self, Choice, Columns};

pub use crate::sheet::header::best_guess_names;

/// A field spotcheck interprets. Columns that match none are kept as extra columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Field {
    Seq,
    Platform,
    AccountId,
    Name,
    HostUnit,
    City,
    County,
    OpenedOn,
    FiledOn,
    Status,
    Fans,
    Operator,
}

impl Field {
    pub const REQUIRED: [Field; 3] = [Field::HostUnit, Field::Name, Field::Platform];
    /// Every field, in the order the column-mapping list offers them.
    pub const ALL: [Field; 12] = [
        Field::HostUnit,
        Field::Name,
        Field::Platform,
        Field::AccountId,
        Field::City,
        Field::County,
        Field::OpenedOn,
        Field::FiledOn,
        Field::Status,
        Field::Fans,
        Field::Operator,
        Field::Seq,
    ];

    /// The usual column name, used in messages.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Field::Seq => "序号",
            Field::Platform => "平台",
            Field::AccountId => "账号标识",
            Field::Name => "账号名称",
            Field::HostUnit => "主办单位",
            Field::City => "地市",
            Field::County => "区县",
            Field::OpenedOn => "开设时间",
            Field::FiledOn => "备案时间",
            Field::Status => "运营状态",
            Field::Fans => "粉丝数",
            Field::Operator => "运维单位",
        }
    }
}

/// Header names offices use for each field, folded by [`header::clean`]; tried in this order.
const NAMES: &[(Field, &[&str])] = &[
    (Field::Seq, &["序号", "编号", "no", "no."]),
    (
        Field::Platform,
        &[
            "平台",
            "平台类型",
            "账号类型",
            "媒体类型",
            "平台名称",
            "新媒体类型",
            "政务新媒体类型",
            "所属平台",
            "账号平台",
            "类型",
            "类别",
            "渠道",
            "平台名",
            "发布平台",
            "账号所在平台",
        ],
    ),
    (
        Field::AccountId,
        &[
            "账号id",
            "账号标识",
            "uid",
            "微信号",
            "网址",
            "链接",
            "id",
            "账号",
            "原始id",
            "账号链接",
            "网址链接",
            "主页链接",
            "访问地址",
            "账号地址",
            "下载地址",
            "账号id/链接",
            "账号标识/链接",
            "账号id或链接",
            "url",
            "id号",
            "账号id号",
            "账号号码",
            "链接地址",
            "主页地址",
            "账号网址",
            "网址链接地址",
            "账号uid",
            "用户id",
            "唯一标识",
            "抖音号",
            "快手号",
            "头条号",
            "微博id",
            "公众号id",
            "微信公众号id",
            "原始id号",
        ],
    ),
    (
        Field::Name,
        &[
            "账号名称",
            "名称",
            "账号名",
            "新媒体名称",
            "政务新媒体名称",
            "公众号名称",
            "应用名称",
            "账号全称",
            "新媒体账号名称",
            "政务新媒体账号名称",
            "账号昵称",
            "昵称",
            "公众号名",
            "app名称",
            "客户端名称",
        ],
    ),
    (
        Field::HostUnit,
        &[
            "主办单位",
            "主办单位名称",
            "单位名称",
            "开办主体",
            "开设单位",
            "开办单位",
            "主体单位",
            "开设主体",
            "主办单位全称",
            "单位",
            "开办单位名称",
            "开设单位名称",
            "账号主体",
            "主体名称",
            "责任单位",
        ],
    ),
    (
        Field::City,
        &["地市", "市", "所属地市", "地级市", "所属市", "地区", "市别"],
    ),
    (
        Field::County,
        &[
            "区县",
            "所属区县",
            "县市区",
            "县区",
            "区县名称",
            "所属县区",
            "县市、区",
            "县",
        ],
    ),
    (
        Field::OpenedOn,
        &[
            "开设时间",
            "开通时间",
            "开设日期",
            "开通日期",
            "上线时间",
            "创建时间",
            "注册时间",
        ],
    ),
    (Field::FiledOn, &["备案时间", "备案日期", "报备时间"]),
    (
        Field::Status,
        &["运营状态", "状态", "账号状态", "运行状态", "使用状态"],
    ),
    (
        Field::Fans,
        &[
            "粉丝数",
            "粉丝量",
            "关注数",
            "粉丝数量",
            "订阅数",
            "关注人数",
            "用户数",
            "粉丝",
            "下载量",
        ],
    ),
    (
        Field::Operator,
        &[
            "运维单位",
            "运营单位",
            "运维机构",
            "运维主体",
            "运维单位名称",
            "运营单位名称",
        ],
    ),
];

impl Columns for Field {
    const NAMES: &'static [(Self, &'static [&'static str])] = NAMES;
    const REQUIRED: &'static [Self] = &Field::REQUIRED;
    const CHOICE: Choice = Choice::Fullest { two_level: true };

    fn label(self) -> &'static str {
        Field::label(self)
    }

    /// 序号 is in every table an office fills in: it does not make a row look like a roster.
    fn scores(self) -> bool {
        self != Field::Seq
    }
}

/// The recognised roster header: where it is and which field each column holds.
pub type Header = crate::sheet::Header<Field>;

/// Which field a header cell names, if any. `县（市、区）` and `粉丝数（万）` are recognised:
/// the text is tried as it is, then without what stands in brackets.
#[must_use]
pub fn field_for(header: &str) -> Option<Field> {
    Field::for_header(header)
}

/// How well a sheet looks like a roster: the number of distinct fields its best header row names.
#[must_use]
pub fn score(grid: &Grid) -> usize {
    header::score::<Field>(grid)
}

/// Finds the header: the row naming the most fields (at least two), extended by the row below
/// or above when that row names further fields in other columns (a two-level header).
#[must_use]
pub fn find(grid: &Grid) -> Option<Header> {
    header::find(grid)
}

#[cfg(test)]
mod tests {
    use super::{Field, field_for};

    #[test]
    fn header_spellings() {
        for (h, f) in [
            // As offices write them: joined names, notes in brackets, marks, prefixes.
            ("账号/链接", Field::AccountId),
            ("账号ID/链接", Field::AccountId),
            ("网址或ID", Field::AccountId),
            ("微信号（原始ID）", Field::AccountId),
            ("账号ID（必填）", Field::AccountId),
            ("链接地址", Field::AccountId),
            ("主页地址", Field::AccountId),
            ("抖音号", Field::AccountId),
            ("ID号", Field::AccountId),
            ("平台（渠道）", Field::Platform),
            ("所在平台", Field::Platform),
            ("所属平台", Field::Platform),
            ("*平台类型", Field::Platform),
            ("平台名", Field::Platform),
            ("单位名称（盖章）", Field::HostUnit),
            ("主办单位（全称）", Field::HostUnit),
            ("所属单位", Field::HostUnit),
            ("开办单位名称", Field::HostUnit),
            ("账号主体", Field::HostUnit),
            ("账号名称（全称）", Field::Name),
            ("新媒体账号名称", Field::Name),
            ("账号昵称", Field::Name),
            ("账号名称（必填）", Field::Name),
            ("所在区县", Field::County),
            ("所在地市", Field::City),
            ("开设时间（年月日）", Field::OpenedOn),
            ("备案日期", Field::FiledOn),
            ("账号状态（正常/关停）", Field::Status),
            ("粉丝量（万）", Field::Fans),
            ("运维单位名称", Field::Operator),
            ("主办单位", Field::HostUnit),
            ("主办单位名称", Field::HostUnit),
            ("单位名称", Field::HostUnit),
            ("开办主体", Field::HostUnit),
            ("平台类型", Field::Platform),
            ("媒体类型", Field::Platform),
            ("账号ID", Field::AccountId),
            ("ＵＩＤ", Field::AccountId),
            ("微信号", Field::AccountId),
            ("县（市、区）", Field::County),
            ("所属区县", Field::County),
            ("开通时间", Field::OpenedOn),
            ("粉丝数（万）", Field::Fans),
            ("*账号名称", Field::Name),
            ("运维单位", Field::Operator),
            ("运营状态", Field::Status),
        ] {
            assert_eq!(field_for(h), Some(f), "{h}");
        }
        assert_eq!(field_for("备注"), None);
    }
}
