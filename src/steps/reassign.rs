//! 改派: accounts of the quarter's sample moved to another inspector, before the work package
//! that would carry them is sent (after it, two people could check one account); each move
//! logged.

use chrono::NaiveDateTime;

use super::draw::{DrawError, current_draw, refuse_on_inspector_laptop};
use crate::model::Quarter;
use crate::store::{Store, StoreError};

/// Why accounts could not be moved; nothing was.
#[derive(Debug, thiserror::Error)]
pub enum ReassignError {
    #[error("请只填写一名检查人员的姓名。")]
    OneInspector,
    #[error("{quarter}的抽查名单中没有这个账号（编号 {account}）。", quarter = .quarter.label())]
    NotSampled { quarter: Quarter, account: i64 },
    #[error(
        "已经给{inspector}导出了{quarter}的工作包，“{name}”在包里：包发出后不能再改派，以免两人重复检查。如{inspector}无法检查，可以在本机直接完成这个账号的检查。",
        quarter = .quarter.label()
    )]
    PackageSent {
        quarter: Quarter,
        inspector: String,
        name: String,
    },
    #[error(transparent)]
    Draw(#[from] DrawError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One account moved: its name and platform, from whom (empty: nobody), to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub name: String,
    pub platform: String,
    pub from: String,
    pub to: String,
}

/// What 改派 did: the accounts moved, and whether `to` already has a work package (which does
/// not carry them: a new one must be sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassigned {
    pub moved: Vec<Moved>,
    pub send_again: bool,
}

impl Reassigned {
    /// What the user is told besides the moves: that `to` needs a new work package.
    #[must_use]
    pub fn send_again_note(&self) -> Option<String> {
        let to = &self.moved.first()?.to;
        self.send_again.then(|| {
            format!("已经给{to}导出过工作包，请再给{to}导出一次：改派来的账号只在新的工作包里。")
        })
    }
}

/// Gives `accounts` of the quarter's sample to `to`, in one transaction; those already
/// theirs (or named twice) are left as they are. Refused as a whole when one of them is in a
/// work package already sent to its inspector.
pub fn reassign(
    store: &mut Store,
    quarter: Quarter,
    accounts: &[i64],
    to: &str,
    at: NaiveDateTime,
) -> Result<Reassigned, ReassignError> {
    let names = crate::assignment::parse_inspectors(to).map_err(DrawError::from)?;
    let [to] = names.as_slice() else {
        return Err(ReassignError::OneInspector);
    };
    refuse_on_inspector_laptop(store)?;
    let draw = current_draw(store, quarter)?;
    let mut moved = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for &account in accounts.iter().filter(|a| seen.insert(**a)) {
        let d = draw
            .accounts
            .iter()
            .find(|d| d.account.id == account)
            .ok_or(ReassignError::NotSampled { quarter, account })?;
        let from = d.inspector.clone().unwrap_or_default();
        if from == *to {
            continue;
        }
        let a = &d.account.account;
        if !from.is_empty() && store.work_sent_to(draw.info.id, &from)? {
            return Err(ReassignError::PackageSent {
                quarter,
                inspector: from,
                name: a.name.clone(),
            });
        }
        moved.push((
            account,
            Moved {
                name: a.name.clone(),
                platform: a.platform.clone(),
                from,
                to: to.clone(),
            },
        ));
    }
    let send_again = !moved.is_empty() && store.work_sent_to(draw.info.id, to)?;
    let actor = super::actor(store)?;
    store.transaction(|tx| {
        for (account, m) in &moved {
            tx.set_inspector(draw.info.id, *account, &m.to)?;
            let from = if m.from.is_empty() {
                "未分配"
            } else {
                &m.from
            };
            tx.append_log(
                at,
                &actor,
                "改派检查人员",
                &format!(
                    "{}：{}（{}）由 {from} 改为 {}",
                    quarter.label(),
                    m.name,
                    m.platform,
                    m.to
                ),
            )?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(Reassigned {
        moved: moved.into_iter().map(|(_, m)| m).collect(),
        send_again,
    })
}

/// 改派: the accounts chosen, to another inspector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassign {
    pub quarter: Quarter,
    pub accounts: Vec<i64>,
    pub to: String,
}

impl super::action::Action for Reassign {
    type Done = Reassigned;
    type Error = ReassignError;
    const JOB: super::action::Job = super::action::Job::Assign;

    fn run(&self, cx: &mut super::action::Ctx<'_>) -> Result<Self::Done, ReassignError> {
        reassign(cx.store, self.quarter, &self.accounts, &self.to, cx.at)
    }

    fn report(&self, done: &Self::Done) -> Option<String> {
        let moved = match done.moved.as_slice() {
            [] => format!("所选账号本来就由{}检查，没有改动。", self.to),
            [one] => format!("已把“{}”（{}）改派给{}。", one.name, one.platform, one.to),
            many => format!("已把 {} 个账号改派给{}。", many.len(), self.to),
        };
        Some(match done.send_again_note() {
            Some(note) => format!("{moved}{note}"),
            None => moved,
        })
    }
}
