//! `results`: findings imported in bulk, and a quarter's results listed account by account.

use std::io::Write;
use std::process::ExitCode;

use super::{now, print_json};
use crate::checklist::{Answer, Verdict};
use crate::model::{InspectionStatus, Quarter};
use crate::steps::results_import as results_step;
use crate::store::Store;

/// `results import FILE --quarter Q [--finish]`: every row checked, then all valid rows
/// written at once; with `finish`, then every check that can be finished is.
pub(super) fn results_import(
    store: &mut Store,
    quarter: Quarter,
    file: &std::path::Path,
    finish: bool,
    json: bool,
) -> Result<ExitCode, String> {
    let action = results_step::ImportResults {
        quarter,
        path: file.to_owned(),
    };
    let report = super::perform(store, &action)?;
    if finish && json {
        let finished = finish_report(store, quarter, &[])?;
        print_json(&serde_json::json!({ "import": report, "finish": finished }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        print_json(&report)?;
    } else {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", report.summary());
        for p in &report.errors {
            let _ = writeln!(out, "  第 {} 行 {}：{}", p.row, p.field, p.message);
        }
        for p in &report.warnings {
            let _ = writeln!(out, "  第 {} 行 {}（提醒）：{}", p.row, p.field, p.message);
        }
    }
    if finish {
        return results_finish(store, quarter, &[], false);
    }
    Ok(ExitCode::SUCCESS)
}

/// `results finish [--account 平台:标识]…`: finishes every check that can be, lists the rest.
pub(super) fn results_finish(
    store: &mut Store,
    quarter: Quarter,
    accounts: &[String],
    json: bool,
) -> Result<ExitCode, String> {
    let report = finish_report(store, quarter, accounts)?;
    if json {
        print_json(&report)?;
    } else {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}：{}。", quarter.label(), report.summary());
        for (name, why) in &report.cannot {
            let _ = writeln!(out, "  {name}：{why}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn finish_report(
    store: &mut Store,
    quarter: Quarter,
    accounts: &[String],
) -> Result<crate::steps::inspect::FinishReport, String> {
    let draw = crate::steps::draw::current_draw(store, quarter).map_err(|e| e.to_string())?;
    let only = accounts
        .iter()
        .map(|text| account_in_draw(&draw, text))
        .collect::<Result<Vec<_>, _>>()?;
    crate::steps::inspect::finish_checks(store, &draw, &only, now()).map_err(|e| e.to_string())
}

/// The id of the account `text` (written 平台:账号标识, as the command line takes accounts)
/// in `draw`.
pub(super) fn account_in_draw(draw: &crate::model::DrawRecord, text: &str) -> Result<i64, String> {
    let (platform, id) = text
        .split_once([':', '：'])
        .map(|(p, i)| (p.trim(), i.trim()))
        .ok_or_else(|| {
            format!("账号“{text}”的写法不对，请写作 平台:账号标识，例如 微信公众号:gh_1234。")
        })?;
    drawn_account(draw, platform, id, text)
}

/// The id of the account `platform`:`id` in `draw` (`text` as the user wrote it).
fn drawn_account(
    draw: &crate::model::DrawRecord,
    platform: &str,
    id: &str,
    text: &str,
) -> Result<i64, String> {
    draw.accounts
        .iter()
        .find(|d| d.account.account.platform == platform && d.account.account.account_id == id)
        .map(|d| d.account.id)
        .ok_or_else(|| {
            format!(
                "{}的抽查名单中没有账号“{text}”。",
                draw.info.quarter.label()
            )
        })
}

/// `results --quarter Q`: every account of the quarter's draw in force with its check.
pub(super) fn results_list(
    store: &Store,
    quarter: Quarter,
    json: bool,
) -> Result<ExitCode, String> {
    let (draw, accounts) = results_step::load_results(store, quarter).map_err(|e| e.to_string())?;
    if json {
        print_json(&accounts)?;
        return Ok(ExitCode::SUCCESS);
    }
    let count = |status: InspectionStatus| accounts.iter().filter(|a| a.status == status).count();
    let failed = accounts
        .iter()
        .filter(|a| a.verdict == Some(Verdict::Fail))
        .count();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{}：抽查 {} 个账号；已完成 {} 个（不合格 {failed} 个），进行中 {} 个，未开始 {} 个",
        draw.info.quarter.label(),
        accounts.len(),
        count(InspectionStatus::Done),
        count(InspectionStatus::InProgress),
        count(InspectionStatus::NotStarted),
    );
    let scored = accounts.iter().any(|a| a.score.is_some());
    let _ = writeln!(
        out,
        "序号\t平台\t账号标识\t账号名称\t检查人员\t状态\t结论{}\t复查\t不符合项",
        if scored { "\t得分" } else { "" }
    );
    for (n, a) in accounts.iter().enumerate() {
        let failing: Vec<&str> = a
            .findings
            .iter()
            .filter(|f| f.result == Some(Answer::Fail))
            .map(|f| f.item.as_str())
            .collect();
        let points = match (scored, a.score) {
            (false, _) => String::new(),
            (true, Some(s)) => format!("\t{s}"),
            (true, None) => "\t".to_owned(),
        };
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}{points}\t{}\t{}",
            n + 1,
            a.platform,
            a.account_id,
            a.name,
            a.inspector.as_deref().unwrap_or(""),
            a.status.label(),
            a.verdict.map_or("", Verdict::label),
            if a.recheck { "复查" } else { "" },
            failing.join("、"),
        );
    }
    Ok(ExitCode::SUCCESS)
}
