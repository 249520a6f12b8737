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

/// The region an account is counted under: [`Account::region`], named where it is blank.
#[must_use]
pub fn region_of(account: &Account) -> String {
    region_counted(&account.city, &account.county)
}

/// [`region_of`] an account in `city` and `county`.
#[must_use]
pub fn region_counted(city: &str, county: &str) -> String {
    let r = super::account::region_name(city, county);
    if r.is_empty() {
        "（未填地区）".to_owned()
    } else {
        r
    }
}

/// The platform an account is counted under: a 微信公众号 of a known type as
/// 微信公众号（订阅号） or 微信公众号（服务号）.
#[must_use]
pub fn platform_of(account: &Account) -> String {
    platform_counted(&account.platform, &account.extra)
}

/// [`platform_of`] an account on `platform` with the roster's other columns `extra`.
#[must_use]
pub fn platform_counted(platform: &str, extra: &[(String, String)]) -> String {
    if platform.is_empty() {
        "（未填平台）".to_owned()
    } else {
        super::platform::counted_name(platform, super::account::wechat_type_in(platform, extra))
    }
}

/// The counts of one row of a 总体情况 table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The row's name as tables print it (东城区, 示例市（市直）).
    pub name: String,
    /// The region or platform as the draw counted it (示例市东城区), the same from one quarter
    /// to the next whatever the table calls it; empty for totals.
    pub key: String,
    /// 账号总数: accounts in operation when the quarter was drawn.
    pub accounts: usize,
    /// 抽查数: accounts in the sample (复查 included).
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
    /// Of `checked`, the accounts checked only as 复查 (last quarter's failures the random draw
    /// did not pick): counted in 抽查数 and the results, never in 抽查比例.
    pub rechecked: usize,
}

impl Tally {
    /// Sampled accounts whose check is not finished.
    #[must_use]
    pub fn unfinished(&self) -> usize {
        self.checked - self.passed - self.failed
    }

    /// Adds `other`'s counts to this row's (its name and key stay).
    pub fn add(&mut self, other: &Tally) {
        self.accounts += other.accounts;
        self.checked += other.checked;
        self.passed += other.passed;
        self.failed += other.failed;
        self.rechecked += other.rechecked;
    }

    /// The accounts the random draw picked (复查-only accounts left out).
    #[must_use]
    pub fn drawn(&self) -> usize {
        self.checked - self.rechecked
    }

    /// 抽查比例: the accounts the random draw picked among those in operation (复查 is not
    /// sampling); `None` for a row with no account in operation.
    #[must_use]
    pub fn draw_ratio(&self) -> Option<f64> {
        (self.accounts > 0).then(|| self.drawn() as f64 / self.accounts as f64)
    }

    /// 合格率: passed among the finished checks; `None` before any is finished.
    #[must_use]
    pub fn pass_rate(&self) -> Option<f64> {
        let finished = self.passed + self.failed;
        (finished > 0).then(|| self.passed as f64 / finished as f64)
    }
}

/// Rows of a 总体情况 table under one heading: the 区县 of a 地市, or the platforms of one kind
/// (微信: 公众号, 视频号, 小程序).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TallyGroup {
    /// The 地市 or the kind of platform; empty for rows that belong to no group.
    pub name: String,
    pub rows: Vec<Tally>,
}

impl TallyGroup {
    /// The group's 小计 row.
    #[must_use]
    pub fn subtotal(&self) -> Tally {
        let mut t = Tally {
            name: format!("{}小计", self.name),
            ..Tally::default()
        };
        for r in &self.rows {
            t.add(r);
        }
        t
    }

    /// Whether the table prints a 小计 row for it: a named group of more than one row, in a
    /// table of more than one group (else the 小计 repeats a row or the 合计).
    #[must_use]
    pub fn has_subtotal(&self, groups: usize) -> bool {
        !self.name.is_empty() && self.rows.len() > 1 && groups > 1
    }
}

/// Region rows grouped by 地市 (`cities_of` names the 地市 of a region's accounts): 地市 in
/// pinyin order, in each the city's own accounts first as 某某市（市直）, then its 区县 in pinyin
/// order, named without the 地市 the group already names. Regions whose 地市 is not known come
/// last, each on its own; so does a 区县 name that accounts of several 地市 share (only in draws
/// made before regions were named by 地市 and 区县 together, which counted them together), named
/// with them.
#[must_use]
pub fn group_regions(rows: Vec<Tally>, cities_of: impl Fn(&str) -> Vec<String>) -> Vec<TallyGroup> {
    use super::collate::pinyin_key;
    let mut groups: Vec<TallyGroup> = Vec::new();
    let mut loose: Vec<TallyGroup> = Vec::new();
    for mut row in rows {
        let cities: Vec<String> = cities_of(&row.name)
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect();
        if cities.len() > 1 {
            row.name = format!("{}（{}，合并统计）", row.name, cities.join("、"));
        }
        match (cities.len() == 1).then(|| cities[0].clone()) {
            Some(city) => {
                if row.name == city {
                    row.name = format!("{city}（市直）");
                } else if row.name.starts_with(city.as_str()) {
                    // The county's own name: the city's prefix taken off in place.
                    row.name.replace_range(..city.len(), "");
                }
                match groups.iter_mut().find(|g| g.name == city) {
                    Some(g) => g.rows.push(row),
                    None => groups.push(TallyGroup {
                        name: city,
                        rows: vec![row],
                    }),
                }
            }
            None => loose.push(TallyGroup {
                name: String::new(),
                rows: vec![row],
            }),
        }
    }
    groups.sort_by_cached_key(|g| pinyin_key(&g.name));
    for g in &mut groups {
        let own = format!("{}（市直）", g.name);
        g.rows
            .sort_by_cached_key(|r| (r.name != own, pinyin_key(&r.name)));
    }
    loose.sort_by_cached_key(|g| pinyin_key(&g.rows[0].name));
    groups.extend(loose);
    groups
}

/// Platform rows grouped by kind (see [`super::platform::kind_of`]), kinds and platforms in
/// their usual order; where some 公众号 are counted by type (订阅号, 服务号), those of no
/// stated type are named 微信公众号（未注明类型）.
#[must_use]
pub fn group_platforms(rows: Vec<Tally>) -> Vec<TallyGroup> {
    use super::platform::{KINDS, kind_of, table_order};
    let mut groups: Vec<TallyGroup> = KINDS
        .iter()
        .map(|k| TallyGroup {
            name: (*k).to_owned(),
            rows: Vec::new(),
        })
        .collect();
    for row in rows {
        let kind = kind_of(&row.name);
        if let Some(g) = groups.iter_mut().find(|g| g.name == kind) {
            g.rows.push(row);
        }
    }
    for g in &mut groups {
        if g.rows.iter().any(|r| r.name.starts_with("微信公众号（")) {
            for r in &mut g.rows {
                if r.name == "微信公众号" {
                    "微信公众号（未注明类型）".clone_into(&mut r.name);
                }
            }
        }
        g.rows.sort_by_key(|r| table_order(&r.name));
    }
    groups.retain(|g| !g.rows.is_empty());
    groups
}
