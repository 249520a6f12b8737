//! Splitting a sample between inspectors: balanced by count, optionally keeping each 区县 with
//! one inspector. Pure and deterministic: the same sample and names give the same split.

use std::collections::BTreeMap;

/// Why a split was refused. Messages are what users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    #[error("请至少填写一名检查人员。")]
    NoInspectors,
    #[error("检查人员“{0}”重复填写了。")]
    Duplicate(String),
}

/// Reads names separated by commas (, ，、) or spaces; blanks dropped, duplicates refused.
pub fn parse_inspectors(text: &str) -> Result<Vec<String>, AssignError> {
    let mut names: Vec<String> = Vec::new();
    for name in text
        .split([',', '，', '、', ';', '；', ' ', '\u{3000}', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        if names.iter().any(|n| n == name) {
            return Err(AssignError::Duplicate(name.to_owned()));
        }
        names.push(name.to_owned());
    }
    if names.is_empty() {
        return Err(AssignError::NoInspectors);
    }
    Ok(names)
}

/// One sampled account as the split sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignable<'a> {
    /// The account key: the tie-break that makes the split deterministic.
    pub key: &'a str,
    /// The account's region (地市 and 区县): kept together when asked, and the order of the split.
    pub region: &'a str,
}

/// For each item, the index of its inspector in `inspectors` (of which there are `count` ≥ 1).
///
/// Without `keep_region`, items sorted by (region, key) are cut into `count` consecutive runs
/// whose sizes differ by at most one, so each inspector gets neighbouring regions. With
/// `keep_region`, whole regions go, largest first, to whoever has the fewest so far (ties to
/// the earlier name): as balanced as whole regions allow.
#[must_use]
pub fn split(items: &[Assignable<'_>], count: usize, keep_region: bool) -> Vec<usize> {
    let count = count.max(1);
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| (items[a].region, items[a].key).cmp(&(items[b].region, items[b].key)));
    let mut result = vec![0; items.len()];
    if keep_region {
        let mut regions: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in &order {
            regions.entry(items[i].region).or_default().push(i);
        }
        let mut groups: Vec<(&str, Vec<usize>)> = regions.into_iter().collect();
        // Largest first; the BTreeMap order (by name) breaks ties.
        groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
        let mut load = vec![0usize; count];
        for (_, members) in groups {
            let (who, _) = load
                .iter()
                .enumerate()
                .min_by_key(|&(i, &l)| (l, i))
                .unwrap_or((0, &0));
            load[who] += members.len();
            for m in members {
                result[m] = who;
            }
        }
    } else {
        let (base, extra) = (items.len() / count, items.len() % count);
        let mut position = 0;
        for who in 0..count {
            let size = base + usize::from(who < extra);
            for &i in &order[position..position + size] {
                result[i] = who;
            }
            position += size;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(regions: &[(&'static str, usize)]) -> Vec<Assignable<'static>> {
        let mut out = Vec::new();
        for &(region, n) in regions {
            for i in 0..n {
                out.push(Assignable {
                    key: Box::leak(format!("{region}{i:03}").into_boxed_str()),
                    region,
                });
            }
        }
        out
    }

    fn loads(result: &[usize], count: usize) -> Vec<usize> {
        let mut l = vec![0; count];
        for &r in result {
            l[r] += 1;
        }
        l
    }

    #[test]
    fn balanced_by_count() {
        let items = items(&[("甲区", 7), ("乙区", 5), ("丙县", 2)]);
        let result = split(&items, 3, false);
        let l = loads(&result, 3);
        assert_eq!(l.iter().sum::<usize>(), 14);
        assert!(
            l.iter().max().expect("loads") - l.iter().min().expect("loads") <= 1,
            "{l:?}"
        );
    }

    #[test]
    fn keeps_regions_together() {
        let items = items(&[("甲区", 7), ("乙区", 5), ("丙县", 2), ("丁县", 4)]);
        let result = split(&items, 2, true);
        for region in ["甲区", "乙区", "丙县", "丁县"] {
            let owners: std::collections::HashSet<_> = items
                .iter()
                .zip(&result)
                .filter(|(i, _)| i.region == region)
                .map(|(_, &w)| w)
                .collect();
            assert_eq!(owners.len(), 1, "{region}");
        }
        assert_eq!(loads(&result, 2), vec![9, 9]);
    }

    #[test]
    fn names_are_read_and_checked() {
        assert_eq!(
            parse_inspectors("张三,李四，王五、 赵六")
                .expect("four names")
                .len(),
            4
        );
        assert_eq!(parse_inspectors(" ,， "), Err(AssignError::NoInspectors));
        assert_eq!(
            parse_inspectors("张三,张三"),
            Err(AssignError::Duplicate("张三".into()))
        );
    }
}
