//! The worker's jobs for the user's steps: roster import, draw, inspection, results,
//! follow-up and exchange, each calling its use case and sending what happened.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Event, ExchangeView, Job, RectificationView};
use crate::model::{DrawRequest, DrawWork, Inspection, Quarter};
use crate::steps::followup::{self, SheetTarget};
use crate::steps::roster_import;
use crate::store::{Store, settings};

use super::{Reporter, Worker, now};

impl Worker {
    pub(super) fn preview_import(
        &mut self,
        path: PathBuf,
        sheet: Option<&str>,
        map: &crate::roster::ColumnMap,
    ) {
        self.preview = None;
        let Some(store) = &self.store else { return };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, Job::ReadRoster);
        let mut progress = |p: crate::roster::ReadProgress| {
            if reporter.due() {
                reporter.send(p.fraction, &format!("正在读取第 {} 行…", p.rows));
            }
        };
        match roster_import::preview_mapped(store, &path, sheet, map, &mut progress, &self.cancel) {
            Ok(preview) => {
                let report = Box::new(preview.report(false));
                self.preview = Some(preview);
                self.emit(Event::ImportPreviewed { report, file: path });
            }
            Err(roster_import::ImportError::Roster(e)) => {
                // Required columns not recognised: the preview offers to choose them.
                match roster_import::ImportReport::missing_columns(&e) {
                    Some(report) => self.emit(Event::ImportPreviewed {
                        report: Box::new(report),
                        file: path,
                    }),
                    None => self.fail(Job::ReadRoster, e.to_string()),
                }
            }
            Err(e) => self.fail(Job::ReadRoster, e.to_string()),
        }
    }

    pub(super) fn commit_import(&mut self, allow_shrink: bool) {
        let Some(mut preview) = self.preview.take() else {
            self.fail(
                Job::WriteRoster,
                "没有待导入的名录，请重新选择文件。".to_owned(),
            );
            return;
        };
        self.emit(Event::Progress {
            job: Job::WriteRoster,
            fraction: None,
            text: "正在写入数据库…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        preview.allow_shrink = allow_shrink;
        match roster_import::commit(store, &preview, now()) {
            Ok(report) => {
                self.emit(Event::ImportCommitted(Box::new(report)));
                self.load_roster();
            }
            Err(e) => self.fail(Job::WriteRoster, format!("{e}。数据库没有任何改动。")),
        }
    }

    pub(super) fn load_draw(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = store.current_draw(quarter).and_then(|d| {
            let work = match &d {
                Some(d) => store.draw_work(d.info.id)?,
                None => DrawWork::default(),
            };
            Ok((d, store.draw_history(quarter)?, work))
        });
        match loaded {
            Ok((draw, history, work)) => self.emit(Event::DrawLoaded {
                quarter,
                draw: draw.map(Arc::new),
                history,
                work,
            }),
            Err(e) => self.fail(Job::Draw, e.to_string()),
        }
    }

    pub(super) fn make_draw(&mut self, request: &DrawRequest) {
        self.emit(Event::Progress {
            job: Job::Draw,
            fraction: None,
            text: "正在抽样…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        let made = crate::steps::draw::make_draw(store, request, now())
            .and_then(|draw| Ok((store.draw_history(request.quarter)?, draw)));
        match made {
            Ok((history, draw)) => {
                let i = &draw.info;
                let message = format!(
                    "{}已抽取 {} 个账号（在运行账号 {} 个，比例 {}，随机种子 {}）。",
                    i.quarter.label(),
                    i.sampled,
                    i.population,
                    i.rate,
                    i.seed
                );
                // The draw just made is the one in force: no need to read it again.
                self.emit(Event::DrawLoaded {
                    quarter: request.quarter,
                    draw: Some(Arc::new(draw)),
                    history,
                    work: DrawWork::default(),
                });
                self.emit(Event::Done {
                    job: Job::Draw,
                    message,
                });
            }
            Err(e) => self.fail(Job::Draw, format!("{e}")),
        }
    }

    pub(super) fn assign(&mut self, quarter: Quarter, inspectors: &[String], keep_county: bool) {
        let Some(store) = &mut self.store else { return };
        match crate::steps::draw::assign(store, quarter, inspectors, keep_county, now()) {
            Ok(loads) => {
                let message = format!(
                    "已分配：{}。",
                    loads
                        .iter()
                        .map(|(n, c)| format!("{n} {c} 个"))
                        .collect::<Vec<_>>()
                        .join("，")
                );
                self.load_draw(quarter);
                self.emit(Event::Done {
                    job: Job::Assign,
                    message,
                });
            }
            Err(e) => self.fail(Job::Assign, e.to_string()),
        }
    }

    pub(super) fn save_sample_list(&mut self, quarter: Quarter, path: PathBuf) {
        self.emit(Event::Progress {
            job: Job::SaveSampleList,
            fraction: None,
            text: "正在导出抽查名单…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        let result = (|| -> Result<(), String> {
            let draw = store
                .current_draw(quarter)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| crate::steps::draw::DrawError::NoDraw(quarter).to_string())?;
            followup::export_sample_list(store, &draw, &path, now()).map_err(|e| e.to_string())
        })();
        match result {
            Ok(()) => self.emit(Event::Done {
                job: Job::SaveSampleList,
                message: format!("抽查名单已保存：{}", path.display()),
            }),
            Err(message) => self.fail(Job::SaveSampleList, message),
        }
    }

    pub(super) fn load_inspections(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<_, String> {
            let draw = store.current_draw(quarter).map_err(|e| e.to_string())?;
            let states = match &draw {
                Some(d) => store
                    .inspection_states(d.info.id)
                    .map_err(|e| e.to_string())?,
                None => HashMap::new(),
            };
            let me = store
                .setting(settings::USER_NAME)
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            let checklist = store.active_checklist().map_err(|e| e.to_string())?;
            Ok((draw, states, me, checklist))
        })();
        match loaded {
            Ok((draw, states, me, checklist)) => self.emit(Event::InspectionsLoaded {
                quarter,
                draw: draw.map(Arc::new),
                states,
                me,
                checklist: Arc::new(checklist),
            }),
            Err(e) => self.fail(Job::Inspect, e),
        }
    }

    /// Runs one change (or read) of a check and answers with the check as stored now.
    /// Returns whether it succeeded.
    pub(super) fn inspection_step(
        &mut self,
        draw: i64,
        account: i64,
        seq: Option<u64>,
        job: Job,
        step: impl FnOnce(
            &mut Store,
            chrono::NaiveDateTime,
        ) -> Result<Option<Inspection>, crate::steps::inspect::InspectError>,
    ) -> bool {
        let Some(store) = &mut self.store else {
            return false;
        };
        let result = step(store, now()).and_then(|inspection| {
            let checklist = match &inspection {
                Some(i) => crate::steps::inspect::checklist_of(
                    store,
                    &i.checklist_id,
                    &i.checklist_version,
                )?,
                None => store.active_checklist()?,
            };
            Ok((inspection, checklist))
        });
        match result {
            Ok((inspection, checklist)) => {
                self.emit(Event::InspectionUpdated {
                    draw,
                    account,
                    inspection: inspection.map(Box::new),
                    checklist: Arc::new(checklist),
                    seq,
                });
                true
            }
            Err(e) => {
                self.fail(job, e.to_string());
                false
            }
        }
    }

    pub(super) fn import_results(&mut self, path: &std::path::Path, quarter: Quarter) {
        self.emit(Event::Progress {
            job: Job::Inspect,
            fraction: None,
            text: "正在导入检查结果…".to_owned(),
        });
        let Some(store) = &mut self.store else { return };
        let now = now();
        let result = crate::steps::results_import::preview_import(store, quarter, path, now.date())
            .and_then(|validated| {
                crate::steps::results_import::commit_import(store, &validated, now)
            });
        match result {
            Ok(report) => {
                self.emit(Event::ResultsImported(Box::new(report)));
                self.load_inspections(quarter);
            }
            Err(e) => self.fail(Job::Inspect, format!("{e}。数据库没有任何改动。")),
        }
    }

    pub(super) fn load_rectifications(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<RectificationView, String> {
            let text = |e: &dyn std::fmt::Display| e.to_string();
            // Read again after every review: the draw's id and a count, not the whole report.
            let draw = store
                .draw_history(quarter)
                .map_err(|e| text(&e))?
                .into_iter()
                .find(|d| d.superseded_at.is_none());
            let (total, rows) = match &draw {
                Some(d) => (Some(store.draw_tally(d.id).map_err(|e| text(&e))?), {
                    let mut rows = store.rectifications(d.id).map_err(|e| text(&e))?;
                    crate::model::in_unit_order(&mut rows);
                    rows
                }),
                None => (None, Vec::new()),
            };
            Ok(RectificationView {
                quarter,
                drawn: draw.is_some(),
                total,
                rows,
                region: followup::region_name(store).map_err(|e| text(&e))?,
                deadline_days: followup::deadline_days(store).map_err(|e| text(&e))?,
            })
        })();
        match loaded {
            Ok(view) => self.emit(Event::RectificationsLoaded(Box::new(view))),
            Err(message) => self.fail(Job::Rectify, message),
        }
    }

    pub(super) fn export_notice(&mut self, quarter: Quarter, path: &std::path::Path) {
        let Some(store) = &mut self.store else { return };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, Job::Export);
        let mut progress = |share: f32, what: &str| reporter.throttled(Some(share), what);
        match followup::export_notice_reporting(store, quarter, path, now(), &mut progress) {
            Ok(report) => self.emit(Event::Done {
                job: Job::Export,
                message: format!(
                    "通报已保存：{}。{}",
                    path.display(),
                    crate::export::overview_line(&report)
                ),
            }),
            Err(e) => self.fail(Job::Export, e.to_string()),
        }
    }

    pub(super) fn export_rectification(&mut self, quarter: Quarter, target: &SheetTarget) {
        let Some(store) = &mut self.store else { return };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, Job::Export);
        let result = followup::export_rectification_reporting(
            store,
            quarter,
            target,
            now(),
            &mut |share, what| reporter.throttled(Some(share), what),
        );
        match result {
            Ok(issued) => {
                self.load_rectifications(quarter);
                self.emit(Event::Done {
                    job: Job::Export,
                    message: format!("{}保存位置：{}", issued.summary(), target.path().display()),
                });
            }
            Err(e) => self.fail(Job::Export, format!("{e}。数据库没有任何改动。")),
        }
    }

    pub(super) fn import_feedback(&mut self, paths: &[PathBuf], quarter: Quarter) {
        let total = paths.len().max(1);
        let Some(store) = &mut self.store else { return };
        let reporter = Reporter::new(&self.outbox, &*self.notify, Job::Rectify);
        let mut progress = |n: usize| {
            reporter.send(
                Some(n as f32 / total as f32),
                &format!("正在读取第 {} 个文件（共 {total} 个）…", n + 1),
            );
        };
        let result = followup::import_feedback(store, paths, now(), &mut progress);
        match result {
            Ok(report) => {
                self.emit(Event::FeedbackImported(Box::new(report)));
                self.load_rectifications(quarter);
            }
            Err(e) => self.fail(Job::Rectify, format!("{e}。数据库没有任何改动。")),
        }
    }

    pub(super) fn progress(&self, job: Job, text: &str) {
        self.emit(Event::Progress {
            job,
            fraction: None,
            text: text.to_owned(),
        });
    }

    pub(super) fn exchange_done(
        &mut self,
        quarter: Quarter,
        result: Result<String, crate::steps::exchange::ExchangeError>,
    ) {
        match result {
            Ok(message) => {
                self.load_exchange(quarter);
                self.emit(Event::Done {
                    job: Job::Exchange,
                    message,
                });
            }
            Err(e) => self.fail(Job::Exchange, e.to_string()),
        }
    }

    pub(super) fn load_exchange(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<ExchangeView, String> {
            let draw = store.current_draw(quarter).map_err(|e| e.to_string())?;
            let mut inspectors: Vec<(String, usize)> = Vec::new();
            let mut unassigned = 0;
            for d in draw.iter().flat_map(|d| &d.accounts) {
                match &d.inspector {
                    Some(name) => match inspectors.iter_mut().find(|(n, _)| n == name) {
                        Some((_, count)) => *count += 1,
                        None => inspectors.push((name.clone(), 1)),
                    },
                    None => unassigned += 1,
                }
            }
            let history = store.package_history().map_err(|e| e.to_string())?;
            Ok(ExchangeView {
                quarter,
                drawn: draw.is_some(),
                inspectors,
                unassigned,
                conflicts: crate::steps::exchange::conflicts(&store).map_err(|e| e.to_string())?,
                has_work: history
                    .iter()
                    .any(|h| h.event == crate::model::PackageEvent::WorkOpened),
                history,
            })
        })();
        match loaded {
            Ok(view) => self.emit(Event::ExchangeLoaded(Box::new(view))),
            Err(message) => self.fail(Job::Exchange, message),
        }
    }

    pub(super) fn import_package(&mut self, path: &std::path::Path, quarter: Quarter) {
        self.progress(Job::Exchange, "正在检查并读取包…");
        let package = match crate::exchange::read_package(path) {
            Ok(p) => p,
            Err(e) => return self.fail(Job::Exchange, e.to_string()),
        };
        let Some(store) = &mut self.store else { return };
        let result = match package.manifest.kind {
            crate::exchange::PackageKind::Work => {
                crate::steps::exchange::open_work_package(store, &package, now()).map(|r| {
                    let message = if r.already_opened {
                        "这个工作包已经打开过，没有任何改动。".to_owned()
                    } else {
                        format!(
                            "已打开{}的工作包：{}，{} 个账号。请到“检查”页开始检查。",
                            r.inspector, r.quarter, r.accounts
                        )
                    };
                    (message, 0)
                })
            }
            crate::exchange::PackageKind::Results => {
                crate::steps::exchange::merge_results_package(store, &package, now())
                    .map(|r| (r.summary(), r.conflicts))
            }
        };
        match result {
            Ok((message, conflicts)) => {
                self.emit(Event::PackageImported { message, conflicts });
                self.load_exchange(quarter);
                self.load_roster();
            }
            Err(e) => self.fail(Job::Exchange, format!("{e}。数据库没有任何改动。")),
        }
    }
}
