//! The worker's side of the screens: the views each screen reads (a quarter's draw, its
//! checks, its problems, the 协作 view), the roster preview it holds until the user confirms,
//! and the events that follow a change to one check.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Event, ExchangeView, Job, RectificationView};
use crate::model::{DrawRecord, DrawWork, Inspection, Quarter};
use crate::steps::action::{Action, Ctx};
use crate::steps::admin;
use crate::steps::inspect::{ChangeCheck, Check, CheckChange};
use crate::steps::roster_import::{self, CommitRoster, PreviewRoster};
use crate::store::settings;

use super::{Reporter, Worker, now};

impl Worker {
    /// Reads a roster and keeps the preview until the user confirms or cancels it. A file
    /// whose required columns were not recognised still gets a preview: it offers to choose
    /// them.
    pub(super) fn preview_import(&mut self, action: PreviewRoster) {
        self.preview = None;
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let mut reporter = Reporter::new(&self.outbox, &*self.notify, PreviewRoster::JOB);
        let mut progress = |share: Option<f32>, text: &str| reporter.throttled(share, text);
        let mut cx = Ctx {
            store,
            at: now(),
            fresh: 0,
            progress: &mut progress,
            cancel: &self.cancel,
        };
        match action.run(&mut cx) {
            Ok(preview) => {
                let report = Box::new(preview.report(false));
                self.preview = Some(preview);
                self.emit(Event::ImportPreviewed {
                    report,
                    file: action.path,
                });
            }
            Err(e) => {
                // Required columns not recognised: the preview offers to choose them.
                let missing = match &e {
                    roster_import::ImportError::Roster(r) => {
                        roster_import::ImportReport::missing_columns(r)
                    }
                    _ => None,
                };
                match missing {
                    Some(report) => self.emit(Event::ImportPreviewed {
                        report: Box::new(report),
                        file: action.path,
                    }),
                    None => self.fail(PreviewRoster::JOB, action.failure(&e)),
                }
            }
        }
    }

    pub(super) fn commit_import(&mut self, allow_shrink: bool) {
        let Some(mut preview) = self.preview.take() else {
            self.fail(
                CommitRoster::JOB,
                "没有待导入的名录，请重新选择文件。".to_owned(),
            );
            return;
        };
        preview.allow_shrink = allow_shrink;
        self.perform(&CommitRoster { preview }, |w, report| {
            w.emit(Event::ImportCommitted(Box::new(report.clone())));
            w.load_roster();
        });
    }

    pub(super) fn save_problem_list(&self, path: PathBuf) {
        let Some(preview) = &self.preview else { return };
        match crate::export::write_problem_list(&preview.report(false), &path) {
            Ok(()) => self.emit(Event::ProblemListSaved(path)),
            Err(e) => self.fail(Job::SaveProblems, format!("{e}（{}）", path.display())),
        }
    }

    /// Writes a generated 示例 roster beside the database and previews its import.
    pub(super) fn preview_demo(&mut self) {
        let path = self
            .db
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .join("示例名录（虚构数据）.xlsx");
        let accounts = crate::steps::demo::accounts(600, 2026);
        match crate::steps::demo::write_roster_xlsx(&accounts, &path) {
            Ok(()) => self.preview_import(PreviewRoster {
                path,
                sheet: None,
                map: crate::roster::ColumnMap::default(),
            }),
            Err(e) => self.fail(Job::ReadRoster, format!("{e}（{}）", path.display())),
        }
    }

    pub(super) fn load_history(&self, account: i64) {
        let Some(store) = &self.store else { return };
        let read = store.account_history(account).and_then(|changes| {
            let problems = crate::steps::rectification::recheck::account_problems(store, account)?;
            Ok((changes, problems))
        });
        match read {
            Ok((changes, problems)) => self.emit(Event::HistoryLoaded {
                account,
                changes,
                problems,
            }),
            Err(e) => self.fail(Job::History, e.to_string()),
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

    /// The draw just made is the one in force: shown without reading it again.
    pub(super) fn draw_made(&self, draw: &DrawRecord) {
        let Some(store) = &self.store else { return };
        match store.draw_history(draw.info.quarter) {
            Ok(history) => self.emit(Event::DrawLoaded {
                quarter: draw.info.quarter,
                draw: Some(Arc::new(draw.clone())),
                history,
                work: DrawWork::default(),
            }),
            Err(e) => self.fail(Job::Draw, e.to_string()),
        }
    }

    pub(super) fn load_inspections(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<_, crate::store::StoreError> {
            let draw = store.current_draw(quarter)?;
            let states = match &draw {
                Some(d) => store.inspection_states(d.info.id)?,
                None => HashMap::new(),
            };
            let me = store.setting(settings::USER_NAME)?.unwrap_or_default();
            Ok((draw, states, me, store.active_checklist()?))
        })();
        match loaded {
            Ok((draw, states, me, checklist)) => self.emit(Event::InspectionsLoaded {
                quarter,
                draw: draw.map(Arc::new),
                states,
                me,
                checklist: Arc::new(checklist),
            }),
            Err(e) => self.fail(Job::Inspect, e.to_string()),
        }
    }

    /// Runs one change of a check; answers with the check as stored now (`seq`: the
    /// `SaveFinding` it answers).
    pub(super) fn change_check(
        &mut self,
        draw: i64,
        account: i64,
        change: ChangeCheck,
        seq: Option<u64>,
    ) {
        let check = Check { draw, account };
        let action = CheckChange { check, change };
        self.perform(&action, |w, inspection| {
            w.inspection_updated(check, Some(inspection.clone()), seq);
        });
    }

    /// Sends one check as stored now (`None`: not started), with the checklist it uses.
    pub(super) fn inspection_updated(
        &self,
        check: Check,
        inspection: Option<Inspection>,
        seq: Option<u64>,
    ) {
        let Some(store) = &self.store else { return };
        let checklist = match &inspection {
            Some(i) => {
                crate::steps::inspect::checklist_of(store, &i.checklist_id, &i.checklist_version)
            }
            None => store.active_checklist().map_err(Into::into),
        };
        match checklist {
            Ok(checklist) => self.emit(Event::InspectionUpdated {
                draw: check.draw,
                account: check.account,
                inspection: inspection.map(Box::new),
                checklist: Arc::new(checklist),
                seq,
            }),
            Err(e) => self.fail(Job::Inspect, e.to_string()),
        }
    }

    pub(super) fn load_rectifications(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<RectificationView, crate::store::StoreError> {
            // Read again after every review: the draw's id and a count, not the whole report.
            let draw = store
                .draw_history(quarter)?
                .into_iter()
                .find(|d| d.superseded_at.is_none());
            let (total, rows) = match &draw {
                Some(d) => (Some(store.draw_tally(d.id)?), {
                    let mut rows = store.rectifications(d.id)?;
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
                region: admin::region_name(store)?,
                deadline_days: admin::deadline_days(store)?,
            })
        })();
        match loaded {
            Ok(view) => self.emit(Event::RectificationsLoaded(Box::new(view))),
            Err(e) => self.fail(Job::Rectify, e.to_string()),
        }
    }

    pub(super) fn progress(&self, job: Job, text: &str) {
        self.emit(Event::Progress {
            job,
            fraction: None,
            text: text.to_owned(),
        });
    }

    pub(super) fn load_overview(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let today = now().date();
        let loaded = match store.current_draw_info(quarter) {
            Ok(None) => Ok(None),
            Ok(Some(_)) => crate::steps::overview::load_overview(store, quarter, today)
                .map(|o| Some(Box::new(o)))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match loaded {
            Ok(overview) => self.emit(Event::OverviewLoaded(quarter, overview)),
            Err(message) => self.fail(Job::Overview, message),
        }
    }

    pub(super) fn load_exchange(&self, quarter: Quarter) {
        let Some(store) = &self.store else { return };
        let loaded = (|| -> Result<ExchangeView, crate::store::StoreError> {
            let draw = store.current_draw(quarter)?;
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
            let history = store.package_history()?;
            Ok(ExchangeView {
                quarter,
                drawn: draw.is_some(),
                inspectors,
                unassigned,
                conflicts: crate::steps::exchange::conflicts(store)?,
                has_work: history
                    .iter()
                    .any(|h| h.event == crate::model::PackageEvent::WorkOpened),
                history,
            })
        })();
        match loaded {
            Ok(view) => self.emit(Event::ExchangeLoaded(Box::new(view))),
            Err(e) => self.fail(Job::Exchange, e.to_string()),
        }
    }
}
