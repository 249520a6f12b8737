//! `settings`: who uses this copy, the region, the deadline, and how the notice is sent and
//! signed (发文机关, 主送, 联系人).

use std::process::ExitCode;

use clap::Args;

use super::process::perform;
use crate::steps::admin;
use crate::store::{Store, settings};

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// 本机使用人姓名（记录在检查结果、抽样和操作日志中）
    #[arg(long)]
    pub user_name: Option<String>,
    /// 地区名称（用于抽查名单、通报和整改表的标题）
    #[arg(long)]
    pub region: Option<String>,
    /// 整改时限（工作日，1 到 90）
    #[arg(long, value_name = "N")]
    pub deadline_days: Option<u32>,
    /// 发文机关（通报、汇总通报和上报包的落款；不填时为“地区名称＋人民政府办公室”）
    #[arg(long)]
    pub office: Option<String>,
    /// 通报的主送单位（不填时按地区级别，如市级为“各县（市、区）人民政府办公室，市直各有关单位”；写空字符串恢复默认）
    #[arg(long, value_name = "主送")]
    pub addressees: Option<String>,
    /// 通报工作要求后的联系人及电话，如“张三，020-12345678”（写空字符串则不印）
    #[arg(long, value_name = "联系人及电话")]
    pub contact: Option<String>,
}

pub(super) fn run(
    open: &dyn Fn() -> Result<Store, String>,
    read: &dyn Fn() -> Result<Store, String>,
    args: &SettingsArgs,
) -> Result<ExitCode, String> {
    let SettingsArgs {
        user_name,
        region,
        deadline_days,
        office,
        addressees,
        contact,
    } = args;
    let changes = user_name.is_some()
        || region.is_some()
        || deadline_days.is_some()
        || office.is_some()
        || addressees.is_some()
        || contact.is_some();
    let mut store = if changes { open()? } else { read()? };
    let days = deadline_days.map(|d| d.to_string());
    for (key, value) in [
        (settings::USER_NAME, user_name.as_deref()),
        (settings::REGION_NAME, region.as_deref()),
        (settings::RECTIFICATION_DAYS, days.as_deref()),
        (
            crate::steps::report_package::ISSUING_OFFICE,
            office.as_deref(),
        ),
        (settings::NOTICE_ADDRESSEES, addressees.as_deref()),
        (settings::NOTICE_CONTACT, contact.as_deref()),
    ] {
        if let Some(v) = value {
            perform(
                &mut store,
                &admin::SaveSetting {
                    key,
                    value: v.to_owned(),
                },
            )?;
        }
    }
    let region_name = crate::steps::admin::region_name(&store).map_err(|e| e.to_string())?;
    let set = |key: &str| -> Result<String, String> {
        Ok(store
            .setting(key)
            .map_err(|e| e.to_string())?
            .unwrap_or_default())
    };
    let addressees = match set(settings::NOTICE_ADDRESSEES)? {
        a if a.trim().is_empty() => format!(
            "{}（按地区级别）",
            crate::export::default_addressees(&region_name).trim_end_matches('：')
        ),
        a => a,
    };
    let contact = match set(settings::NOTICE_CONTACT)? {
        c if c.trim().is_empty() => "（未填写，通报中不印联系人）".to_owned(),
        c => c,
    };
    println!(
        "本机使用人：{}\n地区名称：{}\n整改时限：{} 个工作日\n发文机关：{}\n主送：{addressees}\n联系人及电话：{contact}",
        store
            .setting(settings::USER_NAME)
            .map_err(|e| e.to_string())?
            .unwrap_or_else(|| "（未填写）".to_owned()),
        region_name,
        crate::steps::admin::deadline_days(&store).map_err(|e| e.to_string())?,
        crate::steps::rollup_notice::level_office(&store).map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}
