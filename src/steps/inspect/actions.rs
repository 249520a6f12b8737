//! The 检查 actions as both front ends run them: a change to one check (an answer, evidence,
//! finishing or reopening it) and installing a checklist.

use std::path::PathBuf;

use super::{
    InspectError, add_evidence, finish_inspection, install_checklist_file, installed_message,
    pass_the_rest, remove_evidence, reopen_inspection, save_finding,
};
use crate::checklist::{Checklist, Finding};
use crate::model::{Inspection, NewEvidence};
use crate::steps::action::{Action, Ctx, Job};

/// The check of one sampled account, as its actions name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub draw: i64,
    pub account: i64,
}

/// A change to one check (an answer, evidence, finishing or reopening it). Each answers with
/// the check as stored now.
#[derive(Debug, Clone)]
pub enum ChangeCheck {
    /// Saves one finding at once.
    Save(Finding),
    AddEvidence {
        item: String,
        evidence: NewEvidence,
    },
    RemoveEvidence(i64),
    Finish,
    Reopen,
    /// 其余项全部符合.
    PassRest,
}

/// One [`ChangeCheck`] on one check.
#[derive(Debug, Clone)]
pub struct CheckChange {
    pub check: Check,
    pub change: ChangeCheck,
}

impl Action for CheckChange {
    type Done = Inspection;
    type Error = InspectError;
    const JOB: Job = Job::Inspect;

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Inspection, InspectError> {
        let Check { draw, account } = self.check;
        let (store, at) = (&mut *cx.store, cx.at);
        match &self.change {
            ChangeCheck::Save(finding) => save_finding(store, draw, account, finding, at),
            ChangeCheck::AddEvidence { item, evidence } => {
                add_evidence(store, draw, account, item, evidence.clone(), at)
            }
            ChangeCheck::RemoveEvidence(id) => remove_evidence(store, draw, account, *id, at),
            ChangeCheck::Finish => finish_inspection(store, draw, account, at),
            ChangeCheck::Reopen => reopen_inspection(store, draw, account, at),
            ChangeCheck::PassRest => pass_the_rest(store, draw, account, at),
        }
    }

    fn report(&self, _: &Inspection) -> Option<String> {
        match self.change {
            ChangeCheck::Finish => Some("已完成这个账号的检查。".to_owned()),
            ChangeCheck::Reopen => {
                Some("检查已重新打开，可以修改；改完后请再点“完成”。".to_owned())
            }
            ChangeCheck::PassRest => Some("其余检查项已全部设为符合。".to_owned()),
            _ => None,
        }
    }
}

/// 更换检查表: a checklist file becomes the one new checks use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallChecklist {
    pub path: PathBuf,
}

impl Action for InstallChecklist {
    type Done = Checklist;
    type Error = InspectError;
    const JOB: Job = Job::Inspect;

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Checklist, InspectError> {
        install_checklist_file(cx.store, &self.path, cx.at)
    }

    fn report(&self, checklist: &Checklist) -> Option<String> {
        Some(installed_message(checklist))
    }
}
