//! What `sample --show` and `roster` print: the draw and the accounts, as text or as the
//! `--json` records scripts rely on (field names stable: add, never rename).

use std::io::Write;

use serde::Serialize;

use super::print_json;
use crate::model::{DrawRecord, Quarter, StoredAccount};
use crate::sampling::{Rate, StratumCount};

/// `roster --json`: one object per account (stable field names).
#[derive(Serialize)]
pub(super) struct AccountJson<'a> {
    platform: &'a str,
    account_id: &'a str,
    name: &'a str,
    host_unit: &'a str,
    city: &'a str,
    county: &'a str,
    opened_on: Option<String>,
    filed_on: Option<String>,
    status: &'static str,
    fans: Option<i64>,
    operator: &'a str,
    listed: bool,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl<'a> From<&'a StoredAccount> for AccountJson<'a> {
    fn from(s: &'a StoredAccount) -> Self {
        let a = &s.account;
        let date = |d: Option<chrono::NaiveDate>| d.map(crate::model::time::day_text);
        Self {
            platform: &a.platform,
            account_id: &a.account_id,
            name: &a.name,
            host_unit: &a.host_unit,
            city: &a.city,
            county: &a.county,
            opened_on: date(a.opened_on),
            filed_on: date(a.filed_on),
            status: a.status.label(),
            fans: a.fans,
            operator: &a.operator,
            listed: s.listed,
            extra: a
                .extra
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        }
    }
}

/// `sample --verify --json`: the draw re-derived (field names shared with `sample --json`
/// where they mean the same).
#[derive(Serialize)]
struct VerifyJson<'a> {
    draw_id: i64,
    quarter: String,
    seed: u64,
    by: &'static str,
    algorithm: &'a str,
    algorithm_version: u32,
    population: usize,
    population_hash: &'a str,
    sampled: usize,
    /// Whether the re-derived draw is the recorded one.
    consistent: bool,
    /// Strata checked (when consistent).
    strata_checked: Option<usize>,
    /// The first difference, or why it cannot be re-derived, as a stable word.
    difference: Option<&'static str>,
    message: String,
}

/// `sample --verify`: re-derives the quarter's draw in force; exits 0 when it matches the
/// record, 1 with the first difference (or when it cannot be re-derived).
pub(super) fn verify_draw(
    store: &crate::store::Store,
    quarter: Quarter,
    json: bool,
) -> Result<std::process::ExitCode, String> {
    let check = crate::steps::draw::verify_draw(store, quarter).map_err(|e| e.to_string())?;
    let i = &check.info;
    let message = match &check.outcome {
        Ok(v) => v.summary(),
        Err(e) => format!("{}抽样复核未通过：{e}", i.quarter.label()),
    };
    if json {
        print_json(&VerifyJson {
            draw_id: i.id,
            quarter: i.quarter.to_string(),
            seed: i.seed,
            by: i.strata.as_str(),
            algorithm: &i.algorithm,
            algorithm_version: i.algorithm_version,
            population: i.population,
            population_hash: &i.population_hash,
            sampled: i.sampled,
            consistent: check.outcome.is_ok(),
            strata_checked: check.outcome.as_ref().ok().map(|v| v.strata),
            difference: check
                .outcome
                .as_ref()
                .err()
                .map(crate::steps::draw::NotVerified::kind),
            message: message.clone(),
        })?;
    }
    if check.outcome.is_ok() {
        if !json {
            println!("{message}");
        }
        Ok(std::process::ExitCode::SUCCESS)
    } else {
        eprintln!("错误：{message}");
        Ok(std::process::ExitCode::FAILURE)
    }
}

/// `sample --json`: the draw, how it was made, and its accounts (stable field names).
#[derive(Serialize)]
pub(super) struct DrawJson<'a> {
    draw_id: i64,
    quarter: String,
    seed: u64,
    rate: Rate,
    by: &'static str,
    algorithm: &'a str,
    algorithm_version: u32,
    prefer_not_drawn_in: u32,
    population: usize,
    population_hash: &'a str,
    excluded: usize,
    sampled: usize,
    rechecks: usize,
    drawn_by: &'a str,
    drawn_at: String,
    reason: Option<&'a str>,
    strata: &'a [StratumCount],
    accounts: Vec<DrawnJson<'a>>,
}

#[derive(Serialize)]
struct DrawnJson<'a> {
    platform: &'a str,
    account_id: &'a str,
    name: &'a str,
    host_unit: &'a str,
    city: &'a str,
    county: &'a str,
    stratum: &'a str,
    drawn: bool,
    recheck: bool,
    inspector: Option<&'a str>,
}

impl<'a> From<&'a DrawRecord> for DrawJson<'a> {
    fn from(d: &'a DrawRecord) -> Self {
        let i = &d.info;
        Self {
            draw_id: i.id,
            quarter: i.quarter.to_string(),
            seed: i.seed,
            rate: i.rate,
            by: i.strata.as_str(),
            algorithm: &i.algorithm,
            algorithm_version: i.algorithm_version,
            prefer_not_drawn_in: i.prefer_not_drawn_in,
            population: i.population,
            population_hash: &i.population_hash,
            excluded: i.excluded,
            sampled: i.sampled,
            rechecks: i.rechecks,
            drawn_by: &i.drawn_by,
            drawn_at: crate::model::time::time_text(i.drawn_at),
            reason: i.reason.as_deref(),
            strata: &d.strata,
            accounts: d
                .accounts
                .iter()
                .map(|x| {
                    let a = &x.account.account;
                    DrawnJson {
                        platform: &a.platform,
                        account_id: &a.account_id,
                        name: &a.name,
                        host_unit: &a.host_unit,
                        city: &a.city,
                        county: &a.county,
                        stratum: &x.stratum,
                        drawn: x.drawn,
                        recheck: x.recheck,
                        inspector: x.inspector.as_deref(),
                    }
                })
                .collect(),
        }
    }
}
pub(super) fn print_draw(draw: &DrawRecord, json: bool) -> Result<(), String> {
    if json {
        return print_json(&DrawJson::from(draw));
    }
    let i = &draw.info;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{}：在运行账号 {} 个，抽取 {} 个（{}，比例 {}，随机种子 {}）",
        i.quarter.label(),
        i.population,
        i.sampled,
        i.strata.label(),
        i.rate,
        i.seed
    );
    for s in &draw.strata {
        let _ = writeln!(
            out,
            "  {}：{} 个中抽取 {} 个",
            s.key, s.population, s.sampled
        );
    }
    let _ = writeln!(
        out,
        "序号\t分层\t平台\t账号标识\t账号名称\t主办单位\t检查人员"
    );
    for (n, d) in draw.accounts.iter().enumerate() {
        let a = &d.account.account;
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            n + 1,
            d.stratum,
            a.platform,
            a.account_id,
            a.name,
            a.host_unit,
            d.inspector.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

/// `roster`: every account, as JSON or as tab-separated text.
pub(super) fn print_roster(
    store: &crate::store::Store,
    json: bool,
) -> Result<std::process::ExitCode, String> {
    use std::io::Write;
    let accounts = store.accounts().map_err(|e| e.to_string())?;
    if json {
        super::print_json(&accounts.iter().map(AccountJson::from).collect::<Vec<_>>())?;
    } else {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "平台\t账号标识\t账号名称\t主办单位\t地市\t区县\t状态\t名录"
        );
        for a in &accounts {
            let x = &a.account;
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                x.platform,
                x.account_id,
                x.name,
                x.host_unit,
                x.city,
                x.county,
                x.status.label(),
                if a.listed { "在列" } else { "已移出" }
            );
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
