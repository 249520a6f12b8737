//! How a sample was drawn, in the words printed above the 抽查名单 and in the notice.

use std::fmt::Write as _;

use crate::model::DrawRecord;

/// The lines that say how the sample was drawn, printed above the list (and in the notice).
#[must_use]
pub fn method_lines(draw: &DrawRecord) -> Vec<String> {
    let i = &draw.info;
    let mut lines = vec![
        format!(
            "抽样方法：{}随机抽样。每层抽取“抽查比例 × 该层账号数”（有小数时进一位）个账号；层内账号按账号标识排序后，用随机种子生成的顺序抽取。相同名录、相同设置和相同种子，在任何电脑上都抽出相同的名单。",
            i.strata.label()
        ),
        format!(
            "抽查比例：{}　　随机种子：{}　　总体：在运行账号 {} 个（另有已关停、已注销账号 {} 个不参与抽样）　　抽取：{} 个{}",
            i.rate,
            i.seed,
            i.population,
            i.excluded,
            i.sampled,
            recheck_note(draw)
        ),
        format!(
            "总体指纹（全部在运行账号标识的 SHA-256）：{}",
            i.population_hash
        ),
        format!(
            "算法：{} 第 {} 版　　抽取人：{}　　抽取时间：{}{}",
            i.algorithm,
            i.algorithm_version,
            i.drawn_by,
            crate::model::time::chinese_minute(i.drawn_at),
            if i.prefer_not_drawn_in > 0 {
                format!(
                    "　　优先抽取近 {} 个季度未抽到的账号",
                    i.prefer_not_drawn_in
                )
            } else {
                String::new()
            }
        ),
    ];
    if let Some(reason) = &i.reason {
        lines.push(format!("重新抽样理由：{reason}"));
    }
    lines
}
/// The lines of [`method_lines`] a published notice prints: how the sample was drawn and its
/// figures. The population's fingerprint, the algorithm, who drew and why it was redrawn stay
/// in the internal 抽查名单.
#[must_use]
pub fn published_method_lines(draw: &DrawRecord) -> Vec<String> {
    method_lines(draw).into_iter().take(2).collect()
}

/// What the method line says of 复查: last quarter's failures drawn again at random are among
/// the accounts drawn; the others are checked on top of them.
fn recheck_note(draw: &DrawRecord) -> String {
    let among = draw
        .accounts
        .iter()
        .filter(|d| d.drawn && d.recheck)
        .count();
    let extra = draw
        .accounts
        .iter()
        .filter(|d| !d.drawn && d.recheck)
        .count();
    let mut note = String::new();
    if among > 0 {
        let _ = write!(note, "（其中 {among} 个是上季度不合格账号，同时作为复查）");
    }
    if extra > 0 {
        let _ = write!(note, "，另复查上季度不合格账号 {extra} 个");
    }
    note
}
