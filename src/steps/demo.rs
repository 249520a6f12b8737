//! A generated roster that looks like a real office's: used by the benchmark, by tests and
//! as the demo data users can try the app with. Deterministic for a given seed.

use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};

use crate::export::ExportError;
use crate::model::{Account, AccountStatus};
use crate::steps::inspect::InspectError;

const CITY: &str = "示例市";
const COUNTIES: &[&str] = &[
    "东城区",
    "西城区",
    "南山区",
    "北湖区",
    "青河县",
    "白云县",
    "金沙县",
    "龙门县",
];
const UNITS: &[&str] = &[
    "教育局",
    "卫生健康局",
    "公安局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "交通运输局",
    "文化广电旅游体育局",
    "应急管理局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "民政局",
    "司法局",
    "财政局",
    "税务局",
    "融媒体中心",
];
const PLATFORMS: &[&str] = &[
    "微信公众号",
    "新浪微博",
    "抖音",
    "今日头条",
    "快手",
    "移动客户端",
    "微信视频号",
];

/// A seed from an account key (FNV-1a), the same on every machine.
fn key_seed(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `SplitMix64`: tiny, fast and the same on every machine.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.next() % items.len() as u64).unwrap_or(0)]
    }
}

/// `n` accounts of the imaginary 示例市, all marked as demo data in their names.
#[must_use]
pub fn accounts(n: usize, seed: u64) -> Vec<Account> {
    let mut rng = Mix(seed);
    let base = NaiveDate::from_ymd_opt(2014, 1, 1).expect("valid constant");
    (0..n)
        .map(|i| {
            let county = rng.pick(COUNTIES);
            let unit = rng.pick(UNITS);
            let platform = rng.pick(PLATFORMS);
            let status = match rng.next() % 20 {
                0 => AccountStatus::Stopped,
                1 => AccountStatus::Deregistered,
                2 => AccountStatus::Changed,
                _ => AccountStatus::Normal,
            };
            let opened =
                base + chrono::Duration::days(i64::try_from(rng.next() % 4000).unwrap_or(0));
            Account {
                platform: platform.to_owned(),
                account_id: if platform == "微信公众号" {
                    format!("gh_{:012x}", rng.next() >> 16)
                } else {
                    format!("{}", 1_000_000_000 + i)
                },
                name: format!("{county}{unit}（示例{i}）"),
                host_unit: format!("{CITY}{county}{unit}"),
                city: CITY.to_owned(),
                county: county.to_owned(),
                opened_on: Some(opened),
                filed_on: Some(opened + chrono::Duration::days(2)),
                status,
                fans: Some(i64::try_from(rng.next() % 500_000).unwrap_or(0)),
                operator: if rng.next().is_multiple_of(3) {
                    "示例文化传媒有限公司".to_owned()
                } else {
                    String::new()
                },
                extra: Vec::new(),
            }
        })
        .collect()
}

/// Writes `accounts` as an office would: a title row, a 填报单位 line, then the header and rows.
/// Ids are written as numbers where they are digits, dates as Excel dates, as real sheets do.
pub fn write_roster_xlsx(accounts: &[Account], path: &Path) -> Result<(), ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("账号名录")?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(0, 0, "示例市政务新媒体账号名录（示例数据）")?;
    sheet.write_string(
        1,
        0,
        "填报单位：示例市人民政府办公室　　填报日期：2026年10月8日",
    )?;
    let headers = [
        "序号",
        "地市",
        "区县",
        "主办单位",
        "账号名称",
        "平台类型",
        "账号ID",
        "开设时间",
        "运营状态",
        "粉丝数",
        "运维单位",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(2, u16::try_from(c).unwrap_or(0), *h)?;
    }
    for (i, a) in accounts.iter().enumerate() {
        let r = 3 + u32::try_from(i).unwrap_or(0);
        sheet.write_number(r, 0, (i + 1) as f64)?;
        sheet.write_string(r, 1, &a.city)?;
        sheet.write_string(r, 2, &a.county)?;
        sheet.write_string(r, 3, &a.host_unit)?;
        sheet.write_string(r, 4, &a.name)?;
        sheet.write_string(r, 5, &a.platform)?;
        match a.account_id.parse::<u64>() {
            Ok(n) => sheet.write_number(r, 6, n as f64)?,
            Err(_) => sheet.write_string(r, 6, &a.account_id)?,
        };
        if let Some(d) = a.opened_on {
            sheet.write_date_with_format(r, 7, d, &date)?;
        }
        sheet.write_string(r, 8, a.status.label())?;
        if let Some(f) = a.fans {
            sheet.write_number(r, 9, f as f64)?;
        }
        if !a.operator.is_empty() {
            sheet.write_string(r, 10, &a.operator)?;
        }
    }
    book.save(path)?;
    Ok(())
}

/// Answers and finishes every check of `draw` as a plausible quarter turns out, to try the
/// notice and rectification with (and for tests and benchmarks): about 1 account in 6 has
/// not posted for 40 days (更新时效, a veto: 不合格), 1 in 4 has a 备案 problem, 1 in 9 a dead
/// link (chosen by the account's key, so the same on every laptop); all else passes. Findings go in one transaction, then each check is finished.
/// Returns how many checks were finished.
/// Tests and benchmarks call this directly; users reach it only through
/// [`fill_demo_checks`], which refuses real accounts.
pub fn complete_checks(
    store: &mut crate::store::Store,
    draw: &crate::model::DrawRecord,
    at: chrono::NaiveDateTime,
) -> Result<usize, DemoError> {
    use crate::checklist::{Answer, Finding};
    let checklist = store.active_checklist().map_err(InspectError::from)?;
    let today = at.date();
    let mut rows = Vec::new();
    let mut stale_accounts = Vec::new();
    for d in &draw.accounts {
        // The pattern follows the account, not its place in the list: every laptop fills in
        // the same answers for the same account.
        let n = usize::try_from(Mix(key_seed(&d.account.account.key())).next() % 36).unwrap_or(0);
        let platform = &d.account.account.platform;
        for item in checklist.items.iter().filter(|i| i.applies(platform)) {
            let mut f = Finding {
                item: item.id.clone(),
                answer: Some(Answer::Pass),
                ..Finding::default()
            };
            match item.id.as_str() {
                "V04" => {
                    let stale = n % 6 == 5;
                    f.answer = None; // the 2-week rule decides
                    f.checked_on = Some(today);
                    f.last_update =
                        Some(today - chrono::Duration::days(if stale { 40 } else { 3 }));
                    if stale {
                        "超过两周未更新（示例）".clone_into(&mut f.note);
                        stale_accounts.push(d.account.id);
                    }
                }
                "P01" if n % 4 == 3 => {
                    f.answer = Some(Answer::Fail);
                    "备案信息中的运维单位未更新（示例）".clone_into(&mut f.note);
                }
                "P09" if n % 9 == 8 => {
                    f.answer = Some(Answer::Fail);
                    "菜单“办事服务”链接无法打开（示例）".clone_into(&mut f.note);
                }
                _ => {}
            }
            rows.push((d.account.id, f));
        }
    }
    super::inspect::save_findings_bulk(store, draw.info.id, &rows, at)?;
    let actor = super::actor(store).map_err(InspectError::from)?;
    // Evidence and finishing in one transaction (a large demo quarter is thousands of checks).
    store.transaction(|tx| {
        // A veto 不符合 is finished only with evidence: the page that shows the last update.
        for account in stale_accounts {
            let ins = tx
                .inspection_id(draw.info.id, account)?
                .ok_or(InspectError::NotSampled)?;
            let link = format!("https://www.example.gov.cn/shili/{account}/zuixin");
            tx.insert_evidence(
                ins,
                "V04",
                &crate::model::EvidenceKind::Url(link.clone()),
                &actor,
                at,
            )?;
            // Logged as `inspect::add_evidence` logs it.
            let name = tx.account_name(account)?;
            tx.append_log(at, &actor, "添加证据", &format!("{name} V04：链接 {link}"))?;
        }
        let mut checklists = super::inspect::Checklists::default();
        for d in &draw.accounts {
            super::inspect::finish_in(tx, &mut checklists, draw.info.id, d.account.id, at, &actor)?;
        }
        Ok::<_, InspectError>(())
    })?;
    Ok(draw.accounts.len())
}

/// [`complete_checks`] for a user trying the notice and the rectification with 示例 data:
/// a draw with any account that is not a generated 示例 one is refused, so that no real check
/// is ever filled in automatically.
pub fn fill_demo_checks(
    store: &mut crate::store::Store,
    draw: &crate::model::DrawRecord,
    at: chrono::NaiveDateTime,
) -> Result<usize, DemoError> {
    if let Some(real) = draw
        .accounts
        .iter()
        .find(|d| !d.account.account.name.contains("示例"))
    {
        return Err(DemoError::RealAccount(real.account.account.name.clone()));
    }
    complete_checks(store, draw, at)
}

/// Why checks were not filled in automatically.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("抽查名单中有非示例账号（如“{0}”），为防止误填真实检查结果，已拒绝自动填写。")]
    RealAccount(String),
    #[error(transparent)]
    Inspect(#[from] InspectError),
}
