use crate::model::platform::PLATFORMS;

/// Why a checklist file was rejected.
///
/// Messages are the Chinese sentences users see: what is wrong and where, by item id or,
/// for a file that is not valid JSON, by line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    #[error("检查表文件第 {line} 行第 {column} 列格式不正确：{detail}。")]
    Syntax {
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("检查表的{field}不能为空。")]
    EmptyField { field: &'static str },
    #[error(
        "计分方式设置不正确（总分 {total} 分，合格线 {pass_mark} 分）：总分必须大于 0，合格线不能高于总分。"
    )]
    BadScoring { total: u32, pass_mark: u32 },
    #[error("检查表中没有任何检查项，至少需要一项。")]
    NoItems,
    #[error("第 {position} 个检查项没有编号（id）。")]
    MissingItemId { position: usize },
    #[error("检查项编号“{id}”出现了不止一次，每个检查项的编号必须唯一。")]
    DuplicateItem { id: String },
    #[error("检查项 {item} 的{field}不能为空。")]
    EmptyItemField { item: String, field: &'static str },
    #[error(
        "检查项 {item} 是扣分项，但检查表没有设置计分方式（scoring）。请添加计分方式，或把它改为否决项或问题项。"
    )]
    DeductionWithoutScoring { item: String },
    #[error(
        "检查项 {item} 的扣分设置不正确（每处扣 {points} 分，单项最多扣 {cap} 分）：每处扣分必须大于 0，且不能超过单项最多扣分。"
    )]
    BadDeduction { item: String, points: u32, cap: u32 },
    #[error("检查项 {item} 的更新时限是 {days} 天，应在 1 到 366 天之间。")]
    BadRule { item: String, days: u32 },
    #[error("检查项 {item} 的适用平台“{platform}”无法识别。可用的平台有：{}。", PLATFORMS.join("、"))]
    UnknownPlatform { item: String, platform: String },
}

impl From<serde_json::Error> for ChecklistError {
    fn from(err: serde_json::Error) -> Self {
        Self::Syntax {
            line: err.line(),
            column: err.column(),
            detail: describe(&err),
        }
    }
}

/// The `serde_json` message in Chinese where it is one of the common ones; otherwise as it is,
/// without the position that [`ChecklistError::Syntax`] already gives.
fn describe(err: &serde_json::Error) -> String {
    if err.is_eof() {
        return "文件提前结束，可能缺少右括号或引号".to_owned();
    }
    let full = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    let msg = full.strip_suffix(&position).unwrap_or(&full);

    let fixed = match msg {
        "trailing comma" => Some("多了一个逗号"),
        "expected `,` or `}`" => Some("缺少逗号或右花括号“}”"),
        "expected `,` or `]`" => Some("缺少逗号或右方括号“]”"),
        "expected `:`" => Some("缺少冒号"),
        "expected value" => Some("这里应当是一个值"),
        "key must be a string" => Some("字段名必须用英文双引号括起来"),
        "trailing characters" => Some("JSON 内容结束后还有多余的字符"),
        _ => None,
    };
    if let Some(text) = fixed {
        return text.to_owned();
    }

    // Messages that name a field or value in backticks, e.g. "missing field `id`".
    let named = |prefix: &str| {
        msg.strip_prefix(prefix)
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name)
    };
    // The list after "expected one of", e.g. "`veto`, `problem`", as "veto、problem".
    let expected = msg
        .split_once(", expected ")
        .map(|(_, list)| {
            let list = list.trim_start_matches("one of ").replace('`', "");
            format!("，可用的有：{}", list.replace(", ", "、"))
        })
        .unwrap_or_default();
    if let Some(name) = named("missing field `") {
        format!("缺少必填字段“{name}”")
    } else if let Some(name) = named("unknown field `") {
        format!("无法识别的字段“{name}”{expected}")
    } else if let Some(name) = named("unknown variant `") {
        format!("无法识别的取值“{name}”{expected}")
    } else if let Some(name) = named("duplicate field `") {
        format!("字段“{name}”重复出现")
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        format!("取值的类型不正确（{msg}）")
    } else {
        msg.to_owned()
    }
}
