//! The one vocabulary of platform names, and the spellings rosters use for them.

/// Platform names as spotcheck stores and shows them, in the order lists show them.
pub const PLATFORMS: &[&str] = &[
    "微信公众号",
    "微信视频号",
    "新浪微博",
    "抖音",
    "快手",
    "今日头条",
    "小红书",
    "哔哩哔哩",
    "南方号",
    "移动客户端",
    "小程序",
    "百家号",
    "人民号",
    "澎湃号",
    "企鹅号",
    "网易号",
];

/// The kinds of platform a notice counts by (two levels: 微信 holds 公众号, 视频号 and 小程序),
/// in the order notices list them.
pub const KINDS: &[&str] = &[
    "微信",
    "微博",
    "抖音",
    "快手",
    "今日头条",
    "小红书",
    "哔哩哔哩",
    "百家号",
    "移动客户端",
    "其他",
];

/// The kind (one of [`KINDS`]) of a platform as spotcheck stores it, or as an account is
/// counted (微信公众号（订阅号）, see [`counted_name`]).
#[must_use]
pub fn kind_of(platform: &str) -> &'static str {
    let base = platform.split('（').next().unwrap_or(platform);
    match base {
        "微信公众号" | "微信视频号" | "小程序" => "微信",
        "新浪微博" => "微博",
        "抖音" => "抖音",
        "快手" => "快手",
        "今日头条" => "今日头条",
        "小红书" => "小红书",
        "哔哩哔哩" => "哔哩哔哩",
        "百家号" => "百家号",
        "移动客户端" => "移动客户端",
        _ => "其他",
    }
}

/// The two types of 微信公众号, in the order notices list them.
pub const WECHAT_TYPES: &[&str] = &["订阅号", "服务号"];

/// The header spotcheck records a 微信公众号's type under when the roster gives it in the
/// platform column (微信订阅号) rather than in a column of its own.
pub const WECHAT_TYPE_HEADER: &str = "公众号类型";

/// The type of 微信公众号 (one of [`WECHAT_TYPES`]) a roster spelling names: 订阅号, 微信服务号,
/// 公众号（订阅号）…; `None` for any other text.
#[must_use]
pub fn wechat_type(spelling: &str) -> Option<&'static str> {
    let folded = fold(spelling);
    let rest = ["微信公众号", "微信", "公众号"]
        .iter()
        .find_map(|p| folded.strip_prefix(p))
        .unwrap_or(&folded);
    WECHAT_TYPES.iter().copied().find(|t| rest == *t)
}

/// The name a notice counts a 微信公众号 of a known type under: 微信公众号（订阅号）.
#[must_use]
pub fn counted_name(platform: &str, wechat_type: Option<&str>) -> String {
    match wechat_type {
        Some(t) if platform == "微信公众号" => format!("微信公众号（{t}）"),
        _ => platform.to_owned(),
    }
}

/// Where a counted platform name stands in tables: by platform (as [`PLATFORMS`] orders them),
/// then a 公众号's type (订阅号, 服务号, 未注明类型).
#[must_use]
pub fn table_order(name: &str) -> (usize, usize) {
    let (base, kind) = match name.split_once('（') {
        Some((base, rest)) => (base, rest.trim_end_matches('）')),
        None => (name, ""),
    };
    let platform = PLATFORMS
        .iter()
        .position(|p| *p == base)
        .unwrap_or(usize::MAX);
    let kind = match kind {
        "" => 0,
        k => WECHAT_TYPES
            .iter()
            .position(|t| *t == k)
            .map_or(WECHAT_TYPES.len() + 1, |i| i + 1),
    };
    (platform, kind)
}

/// Spellings seen in rosters, already folded by [`fold`], and the platform they mean.
const SPELLINGS: &[(&str, &str)] = &[
    ("微信", "微信公众号"),
    ("公众号", "微信公众号"),
    ("微信号", "微信公众号"),
    ("微信公众平台", "微信公众号"),
    ("微信服务号", "微信公众号"),
    ("微信订阅号", "微信公众号"),
    ("服务号", "微信公众号"),
    ("订阅号", "微信公众号"),
    ("公众号服务号", "微信公众号"),
    ("公众号订阅号", "微信公众号"),
    ("微信公众号服务号", "微信公众号"),
    ("微信公众号订阅号", "微信公众号"),
    ("wechat", "微信公众号"),
    ("视频号", "微信视频号"),
    ("微博", "新浪微博"),
    ("新浪", "新浪微博"),
    ("weibo", "新浪微博"),
    ("抖音号", "抖音"),
    ("douyin", "抖音"),
    ("快手号", "快手"),
    ("头条", "今日头条"),
    ("头条号", "今日头条"),
    ("b站", "哔哩哔哩"),
    ("bilibili", "哔哩哔哩"),
    ("app", "移动客户端"),
    ("客户端", "移动客户端"),
    ("移动客户端app", "移动客户端"),
    ("移动app", "移动客户端"),
    ("手机app", "移动客户端"),
    ("移动应用", "移动客户端"),
    ("政务app", "移动客户端"),
    ("微信小程序", "小程序"),
    ("支付宝小程序", "小程序"),
    ("百度百家号", "百家号"),
    ("人民日报人民号", "人民号"),
    ("腾讯企鹅号", "企鹅号"),
];

/// Lower-cases ASCII, folds full-width ASCII to half-width and drops spaces and brackets,
/// so that `微信 (公众号)` and `ＡＰＰ` compare like `微信公众号` and `app`.
#[must_use]
pub fn fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            (!(c.is_whitespace()
                || matches!(c, '(' | ')' | '【' | '】' | '“' | '”' | '"' | '《' | '》')))
            .then(|| c.to_ascii_lowercase())
        })
        .collect()
}

/// The platform a roster spelling means, or `None` for one spotcheck does not know.
#[must_use]
pub fn normalize(spelling: &str) -> Option<&'static str> {
    let folded = fold(spelling);
    if let Some(p) = PLATFORMS.iter().find(|p| **p == folded) {
        return Some(p);
    }
    SPELLINGS
        .iter()
        .find(|(s, _)| *s == folded)
        .map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn spellings_fold_to_one_vocabulary() {
        for (s, p) in [
            ("微信", "微信公众号"),
            ("公众号", "微信公众号"),
            (" 微信公众号 ", "微信公众号"),
            ("新浪微博", "新浪微博"),
            ("微博", "新浪微博"),
            ("头条", "今日头条"),
            ("APP", "移动客户端"),
            ("ＡＰＰ", "移动客户端"),
            ("客户端", "移动客户端"),
            ("移动客户端（APP）", "移动客户端"),
            ("抖音", "抖音"),
        ] {
            assert_eq!(normalize(s), Some(p), "{s}");
        }
        assert_eq!(normalize("某某平台"), None);
    }

    #[test]
    fn wechat_types_from_the_spellings_rosters_use() {
        use super::wechat_type;
        for (s, t) in [
            ("订阅号", Some("订阅号")),
            ("微信订阅号", Some("订阅号")),
            ("微信公众号（订阅号）", Some("订阅号")),
            ("公众号(服务号)", Some("服务号")),
            ("服务号", Some("服务号")),
            ("微信公众号", None),
            ("微信", None),
            ("视频号", None),
            ("订阅", None),
        ] {
            assert_eq!(wechat_type(s), t, "{s}");
            if t.is_some() {
                assert_eq!(normalize(s), Some("微信公众号"), "{s}");
            }
        }
    }
}
