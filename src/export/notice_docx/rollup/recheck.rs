//! 复核情况 in the level's notice: the level's re-check of its reporters' 合格 accounts (the
//! stored 复核 results), as a whole and per reporter; the attachment's accuracy column.

use super::{Kind, RollupFigures, names, percent};

/// Whether any 复核 conclusion was entered (the notice then has a 复核情况 section).
pub(super) fn any_rechecked(f: &RollupFigures<'_>) -> bool {
    f.rechecks.iter().any(|r| r.checked > 0)
}

/// The accuracy of `checked` re-checks of which `overturned` were found 不合格.
pub(super) fn accuracy(checked: usize, overturned: usize) -> Option<f64> {
    (checked > 0).then(|| checked.saturating_sub(overturned) as f64 / checked as f64)
}

/// 复核情况: the level's re-check of the reporters' 合格 accounts as a whole, a paragraph a
/// reporter with accounts overturned (named, with what was found), those upheld together, and
/// whose re-check is not finished. Each reporter's accuracy is in the attachment.
pub(super) fn rechecked(f: &RollupFigures<'_>, out: &mut Vec<(Kind, String)>) {
    let chosen: usize = f.rechecks.iter().map(|r| r.chosen).sum();
    let checked: usize = f.rechecks.iter().map(|r| r.checked).sum();
    let overturned: usize = f.rechecks.iter().map(|r| r.overturned.len()).sum();
    let drawn = if checked < chosen {
        format!("对各地上报为合格的账号，按比例随机抽取{chosen}个进行复核，目前已复核{checked}个，")
    } else {
        format!("对各地上报为合格的账号，按比例随机抽取{chosen}个进行了复核，")
    };
    let found = if overturned == 0 {
        "复核结论与各地上报的结论一致。".to_owned()
    } else {
        format!(
            "其中{overturned}个上报为合格的账号复核为不合格，上报结论准确率{}。",
            percent(accuracy(checked, overturned))
        )
    };
    let s = drawn + &found;
    out.push((Kind::Body, s));
    // Those with accounts overturned one paragraph each; those upheld together.
    for r in f.rechecks.iter().filter(|r| !r.overturned.is_empty()) {
        let found: Vec<String> = r
            .overturned
            .iter()
            .map(|(name, platform, note)| {
                let note = note.trim().trim_end_matches(['。', '；', ';', '.']);
                if note.is_empty() {
                    format!("“{name}”（{platform}）")
                } else {
                    format!("“{name}”（{platform}），{note}")
                }
            })
            .collect();
        out.push((
            Kind::Body,
            format!(
                "{}：复核{}个账号，上报结论准确率{}；上报为合格、复核为不合格的{}个：{}。",
                r.reporter,
                r.checked,
                percent(accuracy(r.checked, r.overturned.len())),
                r.overturned.len(),
                found.join("；")
            ),
        ));
    }
    let upheld: Vec<&str> = f
        .rechecks
        .iter()
        .filter(|r| r.checked > 0 && r.overturned.is_empty())
        .map(|r| r.reporter.as_str())
        .collect();
    if overturned > 0 && !upheld.is_empty() {
        let who = if upheld.len() > 6 {
            format!("其余{}个地区", upheld.len())
        } else {
            names(&upheld)
        };
        out.push((Kind::Body, format!("{who}的复核结论与上报结论一致。")));
    }
    let pending: Vec<&str> = f
        .rechecks
        .iter()
        .filter(|r| r.checked < r.chosen)
        .map(|r| r.reporter.as_str())
        .collect();
    if !pending.is_empty() {
        out.push((
            Kind::Body,
            format!("{}的复核尚未完成，结果另行通报。", names(&pending)),
        ));
    }
}
