//! The checklist as its JSON file describes it, and the validation every file goes through.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::ChecklistError;
use crate::model::platform;

/// The checklist spotcheck ships with: the national single-veto items and the other problems
/// notices record.
const BUILTIN_JSON: &str = include_str!("../../assets/checklists/default.json");

/// A checklist: what an inspector answers for each account checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// Stable identifier, e.g. `gov-new-media-veto`, kept with every check.
    pub id: String,
    /// Version of the checklist, e.g. `2019.1`; a string so offices can use their own scheme.
    pub version: String,
    pub title: String,
    /// A local point scheme, when an office adds one. `None` (the national default) means
    /// veto items alone decide the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<PointScheme>,
    /// Items in the order they are shown and exported.
    pub items: Vec<Item>,
}

/// A local point scheme: deductions from `total`; below `pass_mark` the account fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointScheme {
    pub total: u32,
    pub pass_mark: u32,
}

impl Default for PointScheme {
    /// The usual local scheme: 100 points, 60 to pass.
    fn default() -> Self {
        Self {
            total: 100,
            pass_mark: 60,
        }
    }
}

/// One thing the inspector checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Unique within the checklist, e.g. `V01`; findings refer to items by it.
    pub id: String,
    /// The problem area, e.g. 安全问题; notices group problems by it.
    pub area: String,
    pub title: String,
    /// The requirement in one sentence: 符合 means the account meets it.
    pub criterion: String,
    /// The problem as a notice prints it when the item fails (监测时间点前2周内无更新); the
    /// title when blank.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub problem: String,
    /// What the unit is asked to do about it (立即更新；确无力维护的，按程序关停或注销账号);
    /// the general requirement for its kind when blank.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remedy: String,
    pub kind: ItemKind,
    /// Normalised platform names (see [`platform::PLATFORMS`]) the item applies to;
    /// empty means every platform.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    /// How the answer is computed from recorded facts, for items that have such a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
}

/// What a 不符合 answer on an item does to the verdict.
///
/// In JSON: `"veto"`, `"problem"` or `{"deduction": {"points": 2, "cap": 10}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// Single-veto item (单项否决): one failure makes the account 不合格.
    Veto,
    /// Recorded for the notice and the rectification list; does not affect the verdict.
    Problem,
    /// Local point scheme only: each failing finding deducts `points`, at most `cap` per item.
    Deduction { points: u32, cap: u32 },
}

/// A rule that computes an item's answer from facts the inspector records.
///
/// In JSON: `{"update_within": {"days": 14}}` or `{"longest_gap": {"days": 14}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The account must have posted within `days` days before the check date
    /// (监测时间点前2周内无更新); the inspector records the last update; see
    /// [`super::update_rule`].
    UpdateWithin { days: u32 },
    /// No gap between posts in the period checked, up to the check date, may be longer than
    /// `days` days (更新间隔不得超过14天); the inspector records the longest gap; see
    /// [`super::gap_rule`].
    LongestGap { days: u32 },
}

impl Rule {
    /// The rule's threshold in days.
    #[must_use]
    pub fn days(self) -> u32 {
        match self {
            Self::UpdateWithin { days } | Self::LongestGap { days } => days,
        }
    }

    /// The rule as the form states it.
    #[must_use]
    pub fn description(self) -> String {
        match self {
            Self::UpdateWithin { days } => format!("检查日期前 {days} 天内有无更新"),
            Self::LongestGap { days } => {
                format!("检查期间最长更新间隔是否超过 {days} 天")
            }
        }
    }

    /// What the inspector records for the rule to decide.
    #[must_use]
    pub fn fact(self) -> &'static str {
        match self {
            Self::UpdateWithin { .. } => "最后更新日期",
            Self::LongestGap { .. } => "最长更新间隔",
        }
    }

    /// Whether `finding` records the fact the rule decides on.
    #[must_use]
    pub fn has_fact(self, finding: &crate::model::Finding) -> bool {
        match self {
            Self::UpdateWithin { .. } => finding.last_update.is_some(),
            Self::LongestGap { .. } => finding.longest_gap.is_some(),
        }
    }
}

/// Items of one area, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area<'a> {
    pub name: &'a str,
    pub items: Vec<&'a Item>,
}

impl Item {
    /// Whether the item applies to an account on `platform` (a normalised platform name).
    #[must_use]
    pub fn applies(&self, platform: &str) -> bool {
        self.applies_to.is_empty() || self.applies_to.iter().any(|p| p == platform)
    }

    #[must_use]
    pub fn is_veto(&self) -> bool {
        self.kind == ItemKind::Veto
    }

    /// The problem as a notice and a rectification sheet name it: [`Item::problem`], else the
    /// title.
    #[must_use]
    pub fn problem_text(&self) -> &str {
        if self.problem.trim().is_empty() {
            &self.title
        } else {
            &self.problem
        }
    }

    /// How messages name the item: id and title, e.g. `V01 严重表述错误`.
    #[must_use]
    pub fn label(&self) -> String {
        format!("{} {}", self.id, self.title)
    }
}

impl Checklist {
    /// The built-in default checklist, parsed on first use.
    #[must_use]
    pub fn builtin() -> &'static Self {
        static BUILTIN: LazyLock<Checklist> = LazyLock::new(|| {
            Checklist::from_json(BUILTIN_JSON).expect("the built-in checklist is valid")
        });
        &BUILTIN
    }

    /// Parses and validates a checklist file. Platform names in `applies_to` may be any
    /// spelling [`platform::normalize`] knows; they are stored normalised.
    pub fn from_json(json: &str) -> Result<Self, ChecklistError> {
        // Notepad saves UTF-8 with a byte-order mark.
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let mut checklist: Self = serde_json::from_str(json)?;
        checklist.validate()?;
        Ok(checklist)
    }

    /// The item with this id.
    #[must_use]
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    /// Items that apply to an account on `platform`, in file order.
    pub fn applicable<'a>(&'a self, platform: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |item| item.applies(platform))
    }

    /// Items grouped by area; areas in the order they first appear, items in file order.
    #[must_use]
    pub fn areas(&self) -> Vec<Area<'_>> {
        let mut areas: Vec<Area<'_>> = Vec::new();
        for item in &self.items {
            match areas.iter_mut().find(|a| a.name == item.area) {
                Some(area) => area.items.push(item),
                None => areas.push(Area {
                    name: &item.area,
                    items: vec![item],
                }),
            }
        }
        areas
    }

    /// Checks everything serde cannot, and normalises platform names.
    fn validate(&mut self) -> Result<(), ChecklistError> {
        for (value, field) in [
            (&self.id, "编号（id）"),
            (&self.version, "版本（version）"),
            (&self.title, "标题（title）"),
        ] {
            if value.trim().is_empty() {
                return Err(ChecklistError::EmptyField { field });
            }
        }
        if let Some(PointScheme { total, pass_mark }) = self.scoring
            && (total == 0 || pass_mark > total)
        {
            return Err(ChecklistError::BadScoring { total, pass_mark });
        }
        if self.items.is_empty() {
            return Err(ChecklistError::NoItems);
        }
        let mut seen = HashSet::new();
        for (index, item) in self.items.iter_mut().enumerate() {
            // `V01 ` is V01; `v01` and `V01` are one item, so two of them are refused.
            item.id = item.id.trim().to_owned();
            if item.id.is_empty() {
                return Err(ChecklistError::MissingItemId {
                    position: index + 1,
                });
            }
            if !seen.insert(item.id.to_uppercase()) {
                return Err(ChecklistError::DuplicateItem {
                    id: item.id.clone(),
                });
            }
            validate_item(item, self.scoring.is_some())?;
        }
        Ok(())
    }
}

/// The days an update rule may give: a rule beyond a year could never fail an account.
pub const RULE_DAYS: std::ops::RangeInclusive<u32> = 1..=366;

/// Checks one item whose id is known to be present and unique.
fn validate_item(item: &mut Item, scored: bool) -> Result<(), ChecklistError> {
    let id = || item.id.clone();
    for (value, field) in [(&item.title, "标题（title）"), (&item.area, "类别（area）")] {
        if value.trim().is_empty() {
            return Err(ChecklistError::EmptyItemField { item: id(), field });
        }
    }
    if let ItemKind::Deduction { points, cap } = item.kind {
        if !scored {
            return Err(ChecklistError::DeductionWithoutScoring { item: id() });
        }
        if points == 0 || cap < points {
            return Err(ChecklistError::BadDeduction {
                item: id(),
                points,
                cap,
            });
        }
    }
    if let Some(rule) = item.rule
        && !RULE_DAYS.contains(&rule.days())
    {
        return Err(ChecklistError::BadRule {
            item: id(),
            days: rule.days(),
        });
    }
    let mut normalised = Vec::with_capacity(item.applies_to.len());
    for name in &item.applies_to {
        match platform::normalize(name) {
            Some(p) => normalised.push(p.to_owned()),
            None => {
                return Err(ChecklistError::UnknownPlatform {
                    item: id(),
                    platform: name.clone(),
                });
            }
        }
    }
    item.applies_to = normalised;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid checklist with `items` spliced in.
    fn with_items(items: &str) -> String {
        format!(r#"{{"id": "t", "version": "1", "title": "测试", "items": [{items}]}}"#)
    }

    fn item(id: &str, kind: &str) -> String {
        format!(
            r#"{{"id": "{id}", "area": "安全问题", "title": "标题", "criterion": "", "kind": {kind}}}"#
        )
    }

    #[test]
    fn builtin_has_the_national_veto_items() {
        let c = Checklist::builtin();
        assert_eq!(c.id, "gov-new-media-veto");
        assert_eq!(c.version, "2019.2");
        // Each item says what a notice prints and what the unit must do; remedies differ.
        for item in &c.items {
            assert!(
                !item.problem.is_empty() && !item.remedy.is_empty(),
                "{}",
                item.id
            );
        }
        let remedy = |id: &str| c.item(id).map(|i| i.remedy.clone()).unwrap_or_default();
        assert_ne!(remedy("V01"), remedy("V04"));
        assert_eq!(
            c.item("V04").map(Item::problem_text),
            Some("监测时间点前2周内无更新")
        );
        assert_eq!(c.title, "政务新媒体检查指标（单项否决）");
        assert_eq!(c.scoring, None);
        let vetoes: Vec<&str> = c
            .items
            .iter()
            .filter(|i| i.is_veto())
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(vetoes, ["V01", "V02", "V03", "V04", "V05", "V06", "V07"]);
        assert!(c.items.iter().all(|i| !i.criterion.is_empty()));
        assert!(
            c.items
                .iter()
                .filter(|i| i.id.starts_with('P'))
                .all(|i| i.kind == ItemKind::Problem)
        );
        assert_eq!(c.items.len(), 18);

        let v04 = c.item("V04").expect("V04");
        assert_eq!(v04.rule, Some(Rule::UpdateWithin { days: 14 }));
        assert_eq!(c.items.iter().filter(|i| i.rule.is_some()).count(), 1);

        let v07 = c.item("V07").expect("V07");
        assert_eq!(v07.applies_to, ["移动客户端"]);
        assert!(v07.applies("移动客户端"));
        assert!(!v07.applies("微信公众号"));
        assert_eq!(c.applicable("微信公众号").count(), 17);
        assert_eq!(c.applicable("移动客户端").count(), 18);
    }

    #[test]
    fn areas_keep_file_order() {
        let c = Checklist::builtin();
        let areas = c.areas();
        assert_eq!(areas[0].name, "安全问题");
        let ids: Vec<&str> = areas[0].items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["V01", "V02", "V03", "P08"]);
        assert_eq!(
            areas.iter().map(|a| a.items.len()).sum::<usize>(),
            c.items.len()
        );
    }

    #[test]
    fn serialising_round_trips() {
        let c = Checklist::builtin();
        let json = serde_json::to_string_pretty(c).expect("serialise");
        assert_eq!(&Checklist::from_json(&json).expect("parse"), c);
    }

    #[test]
    fn platform_spellings_are_normalised() {
        let json = with_items(&item("A", r#""veto", "applies_to": ["APP", "微博"]"#));
        let c = Checklist::from_json(&json).expect("valid");
        assert_eq!(c.items[0].applies_to, ["移动客户端", "新浪微博"]);

        let err = Checklist::from_json(&with_items(&item(
            "A",
            r#""veto", "applies_to": ["某某平台"]"#,
        )))
        .expect_err("unknown platform");
        assert!(
            matches!(err, ChecklistError::UnknownPlatform { ref platform, .. } if platform == "某某平台")
        );
        assert!(err.to_string().contains("移动客户端"), "{err}");
    }

    #[test]
    fn rejects_duplicate_ids() {
        let json = with_items(&[item("V01", r#""veto""#), item("V01", r#""problem""#)].join(","));
        let err = Checklist::from_json(&json).expect_err("duplicate");
        assert_eq!(err, ChecklistError::DuplicateItem { id: "V01".into() });
        assert_eq!(
            err.to_string(),
            "检查项编号“V01”出现了不止一次，每个检查项的编号必须唯一。"
        );
    }

    /// Ids as a hand-edited file spells them: spaces around are dropped, and two ids that
    /// differ only in case are one item written twice.
    #[test]
    fn ids_are_trimmed_and_compared_without_case() {
        let c = Checklist::from_json(&with_items(&item(" V01 ", r#""veto""#))).expect("valid");
        assert_eq!(c.items[0].id, "V01");
        for (a, b) in [("V01", "v01"), ("V01", "V01 ")] {
            let json = with_items(&[item(a, r#""veto""#), item(b, r#""problem""#)].join(","));
            assert!(
                matches!(
                    Checklist::from_json(&json),
                    Err(ChecklistError::DuplicateItem { .. })
                ),
                "{a:?} and {b:?}"
            );
        }
    }

    /// Notepad's UTF-8 starts with a byte-order mark.
    #[test]
    fn a_byte_order_mark_is_read_past() {
        let json = format!("\u{feff}{}", with_items(&item("V01", r#""veto""#)));
        assert!(Checklist::from_json(&json).is_ok());
    }

    /// A rule of more than a year could never fail an account (4294967295 days was accepted).
    #[test]
    fn update_rules_are_between_one_day_and_a_year() {
        let rule = |days: u64| {
            Checklist::from_json(&with_items(&item(
                "V04",
                &format!(r#""veto", "rule": {{"update_within": {{"days": {days}}}}}"#),
            )))
        };
        assert!(rule(1).is_ok());
        assert!(rule(366).is_ok());
        for days in [0, 367, 4_294_967_295] {
            let err = rule(days).expect_err("out of range");
            assert!(
                err.to_string().contains("应在 1 到 366 天之间"),
                "{days}: {err}"
            );
        }
    }

    #[test]
    fn rejects_deductions_without_scoring_or_with_bad_numbers() {
        let json = with_items(&item("D1", r#"{"deduction": {"points": 2, "cap": 10}}"#));
        let err = Checklist::from_json(&json).expect_err("no scoring");
        assert_eq!(
            err,
            ChecklistError::DeductionWithoutScoring { item: "D1".into() }
        );
        assert!(err.to_string().starts_with("检查项 D1 是扣分项"), "{err}");

        let scored = |kind: &str| {
            with_items(&item("D1", kind)).replace(
                r#""items""#,
                r#""scoring": {"total": 100, "pass_mark": 60}, "items""#,
            )
        };
        assert!(
            Checklist::from_json(&scored(r#"{"deduction": {"points": 2, "cap": 10}}"#)).is_ok()
        );
        for kind in [
            r#"{"deduction": {"points": 0, "cap": 10}}"#,
            r#"{"deduction": {"points": 5, "cap": 2}}"#,
        ] {
            assert!(matches!(
                Checklist::from_json(&scored(kind)),
                Err(ChecklistError::BadDeduction { .. })
            ));
        }
    }

    #[test]
    fn rejects_bad_scoring_and_rules() {
        let json = with_items(&item("A", r#""veto""#)).replace(
            r#""items""#,
            r#""scoring": {"total": 100, "pass_mark": 120}, "items""#,
        );
        assert_eq!(
            Checklist::from_json(&json),
            Err(ChecklistError::BadScoring {
                total: 100,
                pass_mark: 120
            })
        );
        let json = with_items(&item(
            "A",
            r#""veto", "rule": {"update_within": {"days": 0}}"#,
        ));
        assert_eq!(
            Checklist::from_json(&json),
            Err(ChecklistError::BadRule {
                item: "A".into(),
                days: 0
            })
        );
    }

    #[test]
    fn rejects_empty_checklists_and_fields() {
        assert_eq!(
            Checklist::from_json(&with_items("")),
            Err(ChecklistError::NoItems)
        );
        assert_eq!(
            Checklist::from_json(&with_items(""))
                .expect_err("empty")
                .to_string(),
            "检查表中没有任何检查项，至少需要一项。"
        );
        let json = with_items("").replace(r#""title": "测试""#, r#""title": "  ""#);
        assert_eq!(
            Checklist::from_json(&json)
                .expect_err("no title")
                .to_string(),
            "检查表的标题（title）不能为空。"
        );
        let json = with_items(&item("A", r#""veto""#).replace("安全问题", ""));
        assert_eq!(
            Checklist::from_json(&json)
                .expect_err("no area")
                .to_string(),
            "检查项 A 的类别（area）不能为空。"
        );
        let json = with_items(&[item("A", r#""veto""#), item("", r#""veto""#)].join(","));
        assert_eq!(
            Checklist::from_json(&json),
            Err(ChecklistError::MissingItemId { position: 2 })
        );
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let json =
            "{\n  \"id\": \"t\",\n  \"version\": \"1\",\n  \"title\": \"测试\"\n  \"items\": []\n}";
        let err = Checklist::from_json(json).expect_err("missing comma");
        assert_eq!(
            err.to_string(),
            "检查表文件第 5 行第 3 列格式不正确：缺少逗号或右花括号“}”。"
        );

        let json = with_items(&item("A", r#""vetoo""#));
        let msg = Checklist::from_json(&json)
            .expect_err("bad kind")
            .to_string();
        assert!(msg.starts_with("检查表文件第 1 行第 "), "{msg}");
        assert!(
            msg.contains("无法识别的取值“vetoo”，可用的有：veto、problem、deduction"),
            "{msg}"
        );

        let msg = Checklist::from_json(r#"{"id": "t", "version": "1", "title": "测试"}"#)
            .expect_err("no items")
            .to_string();
        assert!(msg.contains("缺少必填字段“items”"), "{msg}");

        let msg = Checklist::from_json(r#"{"id": "t", "#)
            .expect_err("eof")
            .to_string();
        assert!(msg.contains("文件提前结束"), "{msg}");
    }
}
