//! The 协作 actions as both front ends run them: exporting a work or result package, taking
//! one in (a work package is opened, a result package merged), settling a conflict.

use std::path::PathBuf;

use super::{
    ExchangeError, MergeReport, OpenReport, export_results_package, export_work_package,
    merge_results_package, open_work_package, resolve_conflict,
};
use crate::exchange::{Manifest, PackageKind, read_package};
use crate::model::Quarter;
use crate::steps::action::{Action, Ctx, Job, folder_of};

/// 导出工作包: one inspector's share of the quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportWorkPackage {
    pub quarter: Quarter,
    pub inspector: String,
    pub path: PathBuf,
}

impl Action for ExportWorkPackage {
    type Done = Manifest;
    type Error = ExchangeError;
    const JOB: Job = Job::Exchange;
    const RUNNING: Option<&'static str> = Some("正在导出工作包…");

    fn output_folder(&self) -> Option<PathBuf> {
        folder_of(&self.path)
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Manifest, ExchangeError> {
        export_work_package(
            cx.store,
            self.quarter,
            &self.inspector,
            &self.path,
            cx.at,
            cx.fresh,
        )
    }

    fn report(&self, _: &Manifest) -> Option<String> {
        Some(format!(
            "{}的工作包已保存：{}",
            self.inspector,
            self.path.display()
        ))
    }
}

/// 导出结果包: this laptop's checks, to send back to the supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportResultsPackage {
    pub path: PathBuf,
}

impl Action for ExportResultsPackage {
    type Done = Manifest;
    type Error = ExchangeError;
    const JOB: Job = Job::Exchange;
    const RUNNING: Option<&'static str> = Some("正在导出结果包…");

    fn output_folder(&self) -> Option<PathBuf> {
        folder_of(&self.path)
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Manifest, ExchangeError> {
        export_results_package(cx.store, &self.path, cx.at, cx.fresh)
    }

    fn report(&self, _: &Manifest) -> Option<String> {
        Some(format!(
            "结果包已保存：{}。请把它交给组长合并。",
            self.path.display()
        ))
    }
}

/// What taking a package in did, by its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Opened(OpenReport),
    Merged(MergeReport),
}

impl Imported {
    /// Merge conflicts waiting for a choice.
    #[must_use]
    pub fn conflicts(&self) -> usize {
        match self {
            Self::Opened(_) => 0,
            Self::Merged(m) => m.conflicts,
        }
    }
}

/// 导入包: a work package is opened, a result package merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPackage {
    pub path: PathBuf,
}

impl Action for ImportPackage {
    type Done = Imported;
    type Error = ExchangeError;
    const JOB: Job = Job::Exchange;
    const RUNNING: Option<&'static str> = Some("正在检查并读取包…");
    const UNCHANGED_ON_FAILURE: bool = true;

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Imported, ExchangeError> {
        let package = read_package(&self.path)?;
        Ok(match package.manifest.kind {
            PackageKind::Work => Imported::Opened(open_work_package(cx.store, &package, cx.at)?),
            PackageKind::Results => {
                Imported::Merged(merge_results_package(cx.store, &package, cx.at)?)
            }
        })
    }

    fn report(&self, done: &Imported) -> Option<String> {
        Some(match done {
            Imported::Opened(r) if r.already_opened => {
                "这个工作包已经打开过，没有任何改动。".to_owned()
            }
            Imported::Opened(r) => format!(
                "已打开{}的工作包：{}，{} 个账号。请到“检查”页开始检查。",
                r.inspector, r.quarter, r.accounts
            ),
            Imported::Merged(r) => r.summary(),
        })
    }
}

/// 保留本机 / 采用结果包: settles one merge conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveConflict {
    pub id: i64,
    pub take_incoming: bool,
}

impl Action for ResolveConflict {
    type Done = ();
    type Error = ExchangeError;
    const JOB: Job = Job::Exchange;

    fn run(&self, cx: &mut Ctx<'_>) -> Result<(), ExchangeError> {
        resolve_conflict(cx.store, self.id, self.take_incoming, cx.at)
    }

    fn report(&self, (): &()) -> Option<String> {
        Some(
            if self.take_incoming {
                "已采用结果包的内容。"
            } else {
                "已保留本机的内容。"
            }
            .to_owned(),
        )
    }
}
