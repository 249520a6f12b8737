//! Work packages in the database: what a work package carries out (and remembers as the base
//! of later results), opening one on an inspector's laptop, the result package, and merging
//! results on the supervisor's laptop without ever overwriting a finding silently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Transaction, params};

use super::draws::INSERT_DRAW;
use super::inspections::{
    TIME, UPSERT_FINDING, account_name, answer_code, checklist_from, ensure_checklist, evaluation,
    evidence_file, mark_done, read_inspection, time,
};
use super::roster::{INSERT_ACCOUNT, execute_account};
use super::{InspectError, Inspection, InspectionStatus, Store, StoreError, log};
use crate::checklist::Checklist;
use crate::exchange::{
    self, FindingVersion, Manifest, Package, PackageAccount, PackageData, PackageDraw,
    PackageError, PackageEvidence, PackageInspection, PackageKind, draw_uid,
};
use crate::model::Quarter;
use crate::store::{DrawError, DrawRecord, EvidenceKind};

/// Why a package could not be made or taken. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error(transparent)]
    Draw(#[from] DrawError),
    #[error("{quarter}没有分给“{inspector}”的账号。请先在“抽样”页分配检查人员。")]
    NothingAssigned { quarter: String, inspector: String },
    #[error(
        "这个结果包属于{quarter}的另一次抽样（本机的抽样与它不同，或已重新抽样），不能合并。请核对后让检查人员使用最新的工作包。"
    )]
    OtherDraw { quarter: String },
    #[error("本机还没有{quarter}的抽样，无法合并这个结果包。结果包应导入到导出工作包的电脑上。")]
    NoLocalDraw { quarter: String },
    #[error(
        "本机已经有{quarter}的另一次抽样，不能再打开属于其他抽样的工作包。请使用单独的数据库（--db）或与组长核对。"
    )]
    DifferentDrawHere { quarter: String },
    #[error("结果包使用的检查表“{id}”（版本 {version}）本机没有，不能合并。")]
    UnknownChecklist { id: String, version: String },
    #[error("结果包中的账号“{name}”不在本机{quarter}的抽查名单中，不能合并。")]
    UnknownAccount { name: String, quarter: String },
    #[error("这是一个{kind}，{what}。")]
    WrongKind {
        kind: &'static str,
        what: &'static str,
    },
    #[error("本机没有打开过工作包，没有可以导出的检查结果。")]
    NoWork,
    #[error("冲突 {0} 不存在或已处理。")]
    NoConflict(i64),
    #[error("{0}。为安全起见，没有合并。")]
    Backup(String),
    #[error("这个包里的{0}与其内容不符，可能被改动过，已拒绝。请让对方重新导出后再导入。")]
    Altered(String),
    #[error("无法保存证据文件：{source}。请确认数据目录可以写入、磁盘没有满。（{}）", path.display())]
    SaveEvidence {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for ExchangeError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}

/// What opening a work package did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpenReport {
    pub package_id: String,
    pub quarter: String,
    pub inspector: String,
    pub accounts: usize,
    /// The package had been opened here before: nothing changed.
    pub already_opened: bool,
}

/// What merging a result package did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub package_id: String,
    pub inspector: String,
    pub quarter: String,
    /// Findings new here.
    pub added: usize,
    /// Findings changed by the inspector and untouched here since the work package.
    pub updated: usize,
    pub unchanged: usize,
    /// Findings changed on both sides: kept as they are here, waiting for a choice.
    pub conflicts: usize,
    pub evidence_added: usize,
    /// Checks the package finished.
    pub finished: usize,
    /// The package had been merged before: nothing changed.
    pub already_merged: bool,
    /// The copy of the database taken before merging.
    pub backup: Option<PathBuf>,
}

impl MergeReport {
    #[must_use]
    pub fn summary(&self) -> String {
        if self.already_merged {
            return format!("{}的结果包已经合并过，这次没有任何改动。", self.inspector);
        }
        let mut s = format!(
            "已合并{}的结果包：新增 {} 项、更新 {} 项、相同 {} 项检查结果，证据 {} 个，完成检查 {} 个账号",
            self.inspector,
            self.added,
            self.updated,
            self.unchanged,
            self.evidence_added,
            self.finished
        );
        if self.conflicts > 0 {
            s.push_str(&format!(
                "；有 {} 项与本机不一致，已保留本机的内容，请逐项选择",
                self.conflicts
            ));
        }
        s.push('。');
        s
    }
}

/// What happened to a package on this laptop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageEvent {
    WorkSent,
    WorkOpened,
    ResultsSent,
    ResultsMerged,
}

impl PackageEvent {
    const ALL: [Self; 4] = [
        Self::WorkSent,
        Self::WorkOpened,
        Self::ResultsSent,
        Self::ResultsMerged,
    ];

    /// As stored in `package.kind`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WorkSent => "work_sent",
            Self::WorkOpened => "work_opened",
            Self::ResultsSent => "results_sent",
            Self::ResultsMerged => "results_merged",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::WorkSent => "导出工作包",
            Self::WorkOpened => "打开工作包",
            Self::ResultsSent => "导出结果包",
            Self::ResultsMerged => "合并结果包",
        }
    }
}

/// A package made or taken on this laptop.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackageRecord {
    pub id: String,
    pub event: PackageEvent,
    pub quarter: String,
    pub inspector: String,
    pub at: NaiveDateTime,
    pub summary: String,
}

/// A finding two sides disagree on, waiting for the supervisor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    pub id: i64,
    pub quarter: String,
    pub account_name: String,
    pub platform: String,
    pub item: String,
    /// The item as users know it: P01 未备案或备案信息未更新.
    pub item_label: String,
    /// As stored here (`None`: not answered here).
    pub local: Option<FindingVersion>,
    /// As the package has it.
    pub incoming: FindingVersion,
    pub package: String,
    pub created_at: NaiveDateTime,
}

fn version_of(ins: &Inspection, item: &str) -> Option<FindingVersion> {
    ins.finding(item).map(|f| FindingVersion {
        item: f.finding.item.clone(),
        answer: f.finding.answer.map(|a| answer_code(a).to_owned()),
        note: f.finding.note.clone(),
        last_update: f
            .finding
            .last_update
            .map(|d| d.format("%Y-%m-%d").to_string()),
        checked_on: f
            .finding
            .checked_on
            .map(|d| d.format("%Y-%m-%d").to_string()),
        updated_by: f.updated_by.clone(),
        updated_at: f.updated_at,
    })
}

fn package_inspection(ins: &Inspection, key: &str) -> PackageInspection {
    PackageInspection {
        account_key: key.to_owned(),
        checklist_id: ins.checklist_id.clone(),
        checklist_version: ins.checklist_version.clone(),
        done: ins.status == InspectionStatus::Done,
        inspector: ins.inspector.clone(),
        started_at: ins.started_at,
        finished_at: ins.finished_at,
        findings: ins
            .findings
            .iter()
            .filter_map(|f| version_of(ins, &f.finding.item))
            .collect(),
        evidence: ins
            .evidence
            .iter()
            .map(|e| match &e.kind {
                EvidenceKind::File { sha256, file_name } => PackageEvidence {
                    item: e.item.clone(),
                    sha256: Some(sha256.clone()),
                    file_name: Some(file_name.clone()),
                    url: None,
                    added_by: e.added_by.clone(),
                    added_at: e.added_at,
                },
                EvidenceKind::Url(u) => PackageEvidence {
                    item: e.item.clone(),
                    sha256: None,
                    file_name: None,
                    url: Some(u.clone()),
                    added_by: e.added_by.clone(),
                    added_at: e.added_at,
                },
            })
            .collect(),
    }
}

fn package_draw(d: &DrawRecord) -> PackageDraw {
    let i = &d.info;
    PackageDraw {
        quarter: i.quarter.to_string(),
        rate_bp: i.rate.basis_points(),
        strata: i.strata.as_str().to_owned(),
        seed: i.seed.to_string(),
        algorithm: i.algorithm.clone(),
        algorithm_version: i.algorithm_version,
        prefer_not_drawn_in: i.prefer_not_drawn_in,
        population: i.population,
        population_hash: i.population_hash.clone(),
        excluded: i.excluded,
        sampled: i.sampled,
        rechecks: i.rechecks,
        drawn_by: i.drawn_by.clone(),
        drawn_at: i.drawn_at,
    }
}

fn uid_of(d: &PackageDraw) -> String {
    draw_uid(&d.quarter, &d.seed, &d.population_hash, d.drawn_at)
}

/// The evidence files of `inspections` as (sha256, path) pairs.
fn evidence_files(store: &Store, inspections: &[PackageInspection]) -> Vec<(String, PathBuf)> {
    inspections
        .iter()
        .flat_map(|i| &i.evidence)
        .filter_map(|e| {
            let sha = e.sha256.as_ref()?;
            Some((
                sha.clone(),
                store.evidence_path(sha, e.file_name.as_deref().unwrap_or("")),
            ))
        })
        .collect()
}

impl Store {
    /// Writes the work package of `inspector` for `quarter`'s draw to `path`, and remembers
    /// the findings it carries as the base its results will be compared with.
    pub fn export_work_package(
        &mut self,
        quarter: Quarter,
        inspector: &str,
        path: &Path,
        at: NaiveDateTime,
    ) -> Result<Manifest, ExchangeError> {
        self.refuse_on_inspector_laptop()?;
        let draw = self
            .current_draw(quarter)?
            .ok_or(DrawError::NoDraw(quarter))?;
        let mine: Vec<_> = draw
            .accounts
            .iter()
            .filter(|d| d.inspector.as_deref() == Some(inspector))
            .collect();
        if mine.is_empty() {
            return Err(ExchangeError::NothingAssigned {
                quarter: quarter.label(),
                inspector: inspector.to_owned(),
            });
        }
        let checklist = self.active_checklist()?;
        let mut inspections = Vec::new();
        let mut bases = Vec::new();
        for d in &mine {
            if let Some(ins) = self.inspection(draw.info.id, d.account.id)? {
                for f in &ins.findings {
                    bases.push((d.account.id, f.finding.clone()));
                }
                inspections.push(package_inspection(&ins, &d.account.account.key()));
            }
        }
        let data = PackageData {
            draw: package_draw(&draw),
            checklist: Some(
                serde_json::to_value(&checklist).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ),
            accounts: mine
                .iter()
                .map(|d| PackageAccount {
                    account: d.account.account.clone(),
                    stratum: d.stratum.clone(),
                    drawn: d.drawn,
                    recheck: d.recheck,
                })
                .collect(),
            inspections,
        };
        let actor = self.user_name()?;
        let id = exchange::new_package_id(&[&actor, inspector, &quarter.to_string()]);
        let manifest = Manifest {
            format: String::new(),
            format_version: 0,
            kind: PackageKind::Work,
            package_id: id.clone(),
            created_at: at,
            created_by: actor.clone(),
            quarter: quarter.to_string(),
            draw_uid: uid_of(&data.draw),
            inspector: inspector.to_owned(),
            checklist_id: checklist.id.clone(),
            checklist_version: checklist.version.clone(),
            based_on: Vec::new(),
            data_sha256: String::new(),
            evidence: Vec::new(),
        };
        let files = evidence_files(self, &data.inspections);
        let tx = self.conn.transaction()?;
        let summary = format!("{} 个账号", mine.len());
        tx.execute(
            "INSERT INTO package (id, kind, draw, inspector, at, summary) VALUES (?1, 'work_sent', ?2, ?3, ?4, ?5)",
            params![id, draw.info.id, inspector, at.format(TIME).to_string(), summary],
        )?;
        {
            let mut base = tx.prepare(
                "INSERT INTO package_base (package, account, item, answer, note, last_update, checked_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (account, f) in &bases {
                base.execute(params![
                    id,
                    account,
                    f.item,
                    f.answer.map(answer_code),
                    f.note,
                    f.last_update.map(|d| d.format("%Y-%m-%d").to_string()),
                    f.checked_on.map(|d| d.format("%Y-%m-%d").to_string()),
                ])?;
            }
        }
        log::append(
            &tx,
            at,
            &actor,
            "导出工作包",
            &format!("{inspector}，{}：{summary}", quarter.label()),
        )?;
        // The file is written before the commit: if it cannot be, nothing is remembered.
        let manifest = exchange::write_package(path, manifest, &data, &files)?;
        tx.commit()?;
        Ok(manifest)
    }

    /// Opens a work package on an inspector's laptop: the draw, the accounts, the checklist
    /// and the work so far, in one transaction. Opening it again changes nothing; a later
    /// package of the same draw adds its accounts.
    pub fn open_work_package(
        &mut self,
        package: &Package,
        at: NaiveDateTime,
    ) -> Result<OpenReport, ExchangeError> {
        let m = &package.manifest;
        let data = &package.data;
        if m.kind != PackageKind::Work {
            return Err(ExchangeError::WrongKind {
                kind: m.kind.label(),
                what: "应在组长的电脑上导入合并",
            });
        }
        let quarter: Quarter = m
            .quarter
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("工作包中的季度“{}”无法识别", m.quarter)))?;
        let report = |already| OpenReport {
            package_id: m.package_id.clone(),
            quarter: quarter.label(),
            inspector: m.inspector.clone(),
            accounts: data.accounts.len(),
            already_opened: already,
        };
        if self.package_known(&m.package_id)? {
            return Ok(report(true));
        }
        if uid_of(&data.draw) != m.draw_uid {
            return Err(ExchangeError::Altered("抽样标识".to_owned()));
        }
        let checklist: Checklist = data
            .checklist
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| StoreError::Corrupt("工作包中缺少检查表".to_owned()))?;
        let existing = self.current_draw(quarter)?;
        let evidence_dir = self.evidence_dir();
        let tx = self.conn.transaction()?;
        let draw = match existing {
            Some(d) if uid_of(&package_draw(&d)) == m.draw_uid => d.info.id,
            Some(_) => {
                return Err(ExchangeError::DifferentDrawHere {
                    quarter: quarter.label(),
                });
            }
            None => {
                let d = &data.draw;
                tx.execute(
                    INSERT_DRAW,
                    params![
                        d.quarter,
                        d.rate_bp,
                        d.strata,
                        d.seed,
                        d.algorithm,
                        d.algorithm_version,
                        d.prefer_not_drawn_in,
                        d.population as i64,
                        d.population_hash,
                        d.excluded as i64,
                        d.sampled as i64,
                        d.rechecks as i64,
                        d.drawn_by,
                        d.drawn_at.format(TIME).to_string(),
                        None::<String>,
                    ],
                )?;
                tx.last_insert_rowid()
            }
        };
        ensure_checklist(&tx, &checklist, at)?;
        tx.execute(
            "INSERT INTO setting(key, value) VALUES ('active_checklist', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [format!("{}\t{}", checklist.id, checklist.version)],
        )?;
        tx.execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            params![super::settings::USER_NAME, m.inspector],
        )?;
        let mut ids: HashMap<String, i64> = HashMap::new();
        {
            let mut find = tx.prepare("SELECT id FROM account WHERE key = ?1")?;
            let mut insert = tx.prepare(INSERT_ACCOUNT)?;
            let mut position: i64 = tx.query_row(
                "SELECT COUNT(*) FROM draw_account WHERE draw = ?1",
                [draw],
                |r| r.get(0),
            )?;
            let mut drawn = tx.prepare(
                "INSERT OR IGNORE INTO draw_account (draw, account, position, stratum, drawn, recheck, inspector,
                    counted_region, counted_platform)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for pa in &data.accounts {
                let a = &pa.account;
                let key = a.key();
                let id =
                    if let Some(id) = find.query_row([&key], |r| r.get::<_, i64>(0)).optional()? {
                        id
                    } else {
                        execute_account(&mut insert, &key, a, None, None)?;
                        tx.last_insert_rowid()
                    };
                if drawn.execute(params![
                    draw,
                    id,
                    position,
                    pa.stratum,
                    pa.drawn,
                    pa.recheck,
                    m.inspector,
                    crate::report::region_of(a),
                    crate::report::platform_of(a),
                ])? > 0
                {
                    position += 1;
                }
                ids.insert(key, id);
            }
        }
        merge_in(
            &tx,
            evidence_dir,
            draw,
            &quarter,
            package,
            &ids,
            &HashMap::new(),
            &mut MergeReport::default(),
            at,
        )?;
        tx.execute(
            "INSERT INTO package (id, kind, draw, inspector, at, summary) VALUES (?1, 'work_opened', ?2, ?3, ?4, ?5)",
            params![
                m.package_id,
                draw,
                m.inspector,
                at.format(TIME).to_string(),
                format!("{} 个账号（组长 {}）", data.accounts.len(), m.created_by)
            ],
        )?;
        log::append(
            &tx,
            at,
            &m.inspector,
            "打开工作包",
            &format!(
                "{}：{} 个账号（组长 {}）",
                quarter.label(),
                data.accounts.len(),
                m.created_by
            ),
        )?;
        tx.commit()?;
        Ok(report(false))
    }

    fn package_known(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM package WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Writes the inspector's results (every check of the draw the last work package opened
    /// here belongs to) to `path`.
    pub fn export_results_package(
        &mut self,
        path: &Path,
        at: NaiveDateTime,
    ) -> Result<Manifest, ExchangeError> {
        let opened: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT draw, inspector FROM package WHERE kind = 'work_opened' ORDER BY at DESC, rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((draw_id, inspector)) = opened else {
            return Err(ExchangeError::NoWork);
        };
        let based_on: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT id FROM package WHERE kind = 'work_opened' AND draw = ?1 ORDER BY at",
            )?;
            stmt.query_map([draw_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let draw = self.draw_record(draw_id)?;
        let mut inspections = Vec::new();
        for d in &draw.accounts {
            if let Some(ins) = self.inspection(draw_id, d.account.id)? {
                inspections.push(package_inspection(&ins, &d.account.account.key()));
            }
        }
        let checklist = self.active_checklist()?;
        let data = PackageData {
            draw: package_draw(&draw),
            checklist: None,
            accounts: Vec::new(),
            inspections,
        };
        let actor = self.user_name()?;
        let quarter = draw.info.quarter;
        let id = exchange::new_package_id(&[&actor, &quarter.to_string(), "results"]);
        let manifest = Manifest {
            format: String::new(),
            format_version: 0,
            kind: PackageKind::Results,
            package_id: id.clone(),
            created_at: at,
            created_by: actor.clone(),
            quarter: quarter.to_string(),
            draw_uid: uid_of(&data.draw),
            inspector: inspector.clone(),
            checklist_id: checklist.id.clone(),
            checklist_version: checklist.version.clone(),
            based_on,
            data_sha256: String::new(),
            evidence: Vec::new(),
        };
        let files = evidence_files(self, &data.inspections);
        let manifest = exchange::write_package(path, manifest, &data, &files)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO package (id, kind, draw, inspector, at, summary) VALUES (?1, 'results_sent', ?2, ?3, ?4, ?5)",
            params![
                id,
                draw_id,
                inspector,
                at.format(TIME).to_string(),
                format!("{} 个账号的检查", data.inspections.len())
            ],
        )?;
        log::append(
            &tx,
            at,
            &actor,
            "导出结果包",
            &format!(
                "{}：{} 个账号的检查",
                quarter.label(),
                data.inspections.len()
            ),
        )?;
        tx.commit()?;
        Ok(manifest)
    }

    /// Merges an inspector's result package, in one transaction. Findings new here are added;
    /// findings the inspector changed and nobody changed here since the work package are
    /// updated; findings changed on both sides are kept as they are here and recorded as
    /// conflicts for the supervisor to choose. The same package twice changes nothing.
    pub fn merge_results_package(
        &mut self,
        package: &Package,
        at: NaiveDateTime,
    ) -> Result<MergeReport, ExchangeError> {
        let m = &package.manifest;
        if m.kind != PackageKind::Results {
            return Err(ExchangeError::WrongKind {
                kind: m.kind.label(),
                what: "应在检查人员的电脑上打开",
            });
        }
        let quarter: Quarter = m
            .quarter
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("结果包中的季度“{}”无法识别", m.quarter)))?;
        let mut report = MergeReport {
            package_id: m.package_id.clone(),
            inspector: m.inspector.clone(),
            quarter: quarter.label(),
            ..MergeReport::default()
        };
        if uid_of(&package.data.draw) != m.draw_uid {
            return Err(ExchangeError::Altered("抽样标识".to_owned()));
        }
        let Some(draw) = self.current_draw(quarter)? else {
            return Err(ExchangeError::NoLocalDraw {
                quarter: quarter.label(),
            });
        };
        if uid_of(&package_draw(&draw)) != m.draw_uid {
            return Err(ExchangeError::OtherDraw {
                quarter: quarter.label(),
            });
        }
        if self.package_known(&m.package_id)? {
            report.already_merged = true;
            return Ok(report);
        }
        // Every checklist the package uses must be known here (the built-in one counts, even
        // before any check stored it).
        let mut checklists: Vec<Checklist> = Vec::new();
        for i in &package.data.inspections {
            if checklists
                .iter()
                .any(|c| c.id == i.checklist_id && c.version == i.checklist_version)
            {
                continue;
            }
            match self.checklist(&i.checklist_id, &i.checklist_version) {
                Ok(c) => checklists.push(c),
                Err(_) => {
                    return Err(ExchangeError::UnknownChecklist {
                        id: i.checklist_id.clone(),
                        version: i.checklist_version.clone(),
                    });
                }
            }
        }
        let ids: HashMap<String, i64> = draw
            .accounts
            .iter()
            .map(|d| (d.account.account.key(), d.account.id))
            .collect();
        let bases = self.bases(&m.based_on)?;
        let actor = self.user_name()?;
        let backup = self
            .auto_backup("合并前")
            .map_err(|e| ExchangeError::Backup(e.to_string()))?;
        report.backup = backup.map(|b| b.path);
        let evidence_dir = self.evidence_dir();
        let tx = self.conn.transaction()?;
        for c in &checklists {
            ensure_checklist(&tx, c, at)?;
        }
        merge_in(
            &tx,
            evidence_dir,
            draw.info.id,
            &quarter,
            package,
            &ids,
            &bases,
            &mut report,
            at,
        )?;
        // What was merged is the base the next result package of the same work is compared
        // with: a later package must not undo the supervisor's review of these findings.
        {
            let mut advance = tx.prepare(
                "INSERT INTO package_base (package, account, item, answer, note, last_update, checked_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(package, account, item) DO UPDATE SET answer = excluded.answer,
                    note = excluded.note, last_update = excluded.last_update, checked_on = excluded.checked_on",
            )?;
            for work in &m.based_on {
                let known: bool = tx
                    .query_row("SELECT 1 FROM package WHERE id = ?1", [work], |_| Ok(()))
                    .optional()?
                    .is_some();
                if !known {
                    continue;
                }
                for pi in &package.data.inspections {
                    let Some(&account) = ids.get(&pi.account_key) else {
                        continue;
                    };
                    for f in &pi.findings {
                        advance.execute(params![
                            work,
                            account,
                            f.item,
                            f.answer,
                            f.note,
                            f.last_update,
                            f.checked_on
                        ])?;
                    }
                }
            }
        }
        tx.execute(
            "INSERT INTO package (id, kind, draw, inspector, at, summary) VALUES (?1, 'results_merged', ?2, ?3, ?4, ?5)",
            params![
                m.package_id,
                draw.info.id,
                m.inspector,
                at.format(TIME).to_string(),
                report.summary()
            ],
        )?;
        log::append(&tx, at, &actor, "合并结果包", &report.summary())?;
        tx.commit()?;
        Ok(report)
    }

    /// The findings the work packages `ids` carried: (account, item) → base. Of several
    /// packages, the latest.
    fn bases(&self, ids: &[String]) -> Result<HashMap<(i64, String), FindingVersion>, StoreError> {
        let mut out = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT b.account, b.item, b.answer, b.note, b.last_update, b.checked_on, p.at
             FROM package_base b JOIN package p ON p.id = b.package WHERE b.package = ?1",
        )?;
        for id in ids {
            let rows = stmt.query_map([id], |r| {
                let at: String = r.get(6)?;
                Ok((
                    (r.get::<_, i64>(0)?, r.get::<_, String>(1)?),
                    FindingVersion {
                        item: r.get(1)?,
                        answer: r.get(2)?,
                        note: r.get(3)?,
                        last_update: r.get(4)?,
                        checked_on: r.get(5)?,
                        updated_by: String::new(),
                        updated_at: time(&at),
                    },
                ))
            })?;
            for row in rows {
                let (key, v) = row?;
                out.insert(key, v);
            }
        }
        Ok(out)
    }

    /// Every package made or taken here, newest first.
    pub fn package_history(&self) -> Result<Vec<PackageRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.kind, d.quarter, p.inspector, p.at, p.summary
             FROM package p JOIN draw d ON d.id = p.draw ORDER BY p.at DESC, p.rowid DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let kind: String = r.get(1)?;
            let quarter: String = r.get(2)?;
            let at: String = r.get(4)?;
            Ok(PackageRecord {
                id: r.get(0)?,
                event: PackageEvent::ALL
                    .into_iter()
                    .find(|e| e.as_str() == kind)
                    .unwrap_or(PackageEvent::ResultsMerged),
                quarter: quarter.parse::<Quarter>().map_or(quarter, Quarter::label),
                inspector: r.get(3)?,
                at: time(&at),
                summary: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Conflicts waiting for a choice, oldest first.
    pub fn conflicts(&self) -> Result<Vec<Conflict>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, d.quarter, a.name, a.platform, c.item, c.local, c.incoming, c.package, c.created_at
             FROM merge_conflict c JOIN account a ON a.id = c.account JOIN draw d ON d.id = c.draw
             WHERE c.resolution IS NULL ORDER BY c.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let local: Option<String> = r.get(5)?;
            let incoming: String = r.get(6)?;
            let quarter: String = r.get(1)?;
            let at: String = r.get(8)?;
            Ok((
                r.get(0)?,
                quarter,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                local,
                incoming,
                r.get(7)?,
                at,
            ))
        })?;
        let checklist = self.active_checklist().ok();
        let mut out = Vec::new();
        for row in rows {
            let (id, quarter, name, platform, item, local, incoming, package, at): (
                i64,
                String,
                String,
                String,
                String,
                Option<String>,
                String,
                String,
                String,
            ) = row?;
            let parse = |t: &str| {
                serde_json::from_str::<FindingVersion>(t)
                    .map_err(|e| StoreError::Corrupt(format!("冲突记录无法读取：{e}")))
            };
            out.push(Conflict {
                id,
                quarter: quarter.parse::<Quarter>().map_or(quarter, Quarter::label),
                account_name: name,
                platform,
                item_label: checklist
                    .as_ref()
                    .and_then(|c| c.item(&item))
                    .map_or_else(|| item.clone(), crate::checklist::Item::label),
                item,
                local: local.as_deref().map(parse).transpose()?,
                incoming: parse(&incoming)?,
                package,
                created_at: time(&at),
            });
        }
        Ok(out)
    }

    /// The supervisor's choice on a conflict: keep the finding as it is here, or take the
    /// package's (which then replaces it, verdict recomputed).
    pub fn resolve_conflict(
        &mut self,
        id: i64,
        take_incoming: bool,
        at: NaiveDateTime,
    ) -> Result<(), ExchangeError> {
        let actor = self.user_name()?;
        let row: Option<(i64, i64, String, String)> = self
            .conn
            .query_row(
                "SELECT draw, account, item, incoming FROM merge_conflict WHERE id = ?1 AND resolution IS NULL",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((draw, account, item, incoming)) = row else {
            return Err(ExchangeError::NoConflict(id));
        };
        let incoming: FindingVersion = serde_json::from_str(&incoming)
            .map_err(|e| StoreError::Corrupt(format!("冲突记录无法读取：{e}")))?;
        let tx = self.conn.transaction()?;
        if take_incoming {
            write_version(&tx, draw, account, &incoming)?;
            rescore_in(&tx, draw, account)?;
        }
        tx.execute(
            "UPDATE merge_conflict SET resolution = ?2, resolved_by = ?3, resolved_at = ?4 WHERE id = ?1",
            params![
                id,
                if take_incoming { "incoming" } else { "local" },
                actor,
                at.format(TIME).to_string()
            ],
        )?;
        // Other pending conflicts on the same finding are settled by the same choice.
        tx.execute(
            "UPDATE merge_conflict SET resolution = 'local', resolved_by = ?4, resolved_at = ?5
             WHERE draw = ?1 AND account = ?2 AND item = ?3 AND resolution IS NULL",
            params![draw, account, item, actor, at.format(TIME).to_string()],
        )?;
        // The last choice on a check the inspector had finished finishes it here too.
        let pending: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM merge_conflict WHERE draw = ?1 AND account = ?2 AND resolution IS NULL)",
            params![draw, account],
            |r| r.get(0),
        )?;
        let finished: Option<String> = tx.query_row(
            "SELECT MAX(package_finished_at) FROM merge_conflict WHERE draw = ?1 AND account = ?2",
            params![draw, account],
            |r| r.get(0),
        )?;
        if let (false, Some(when)) = (pending, finished) {
            finish_if_complete(&tx, draw, account, time(&when))?;
        }
        let name = account_name(&tx, account)?;
        log::append(
            &tx,
            at,
            &actor,
            "处理合并冲突",
            &format!(
                "{name} {item}：{}",
                if take_incoming {
                    "采用结果包的内容"
                } else {
                    "保留本机的内容"
                }
            ),
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Writes `v` as the stored finding (its author and time kept).
fn write_version(
    tx: &Transaction<'_>,
    draw: i64,
    account: i64,
    v: &FindingVersion,
) -> Result<(), rusqlite::Error> {
    let inspection: i64 = tx.query_row(
        "SELECT id FROM inspection WHERE draw = ?1 AND account = ?2",
        params![draw, account],
        |r| r.get(0),
    )?;
    tx.execute(
        UPSERT_FINDING,
        params![
            inspection,
            v.item,
            v.answer,
            v.note,
            v.last_update,
            v.checked_on,
            v.updated_by,
            v.updated_at.format(TIME).to_string()
        ],
    )?;
    Ok(())
}

/// Recomputes the verdict of a check after findings changed.
fn rescore_in(tx: &Transaction<'_>, draw: i64, account: i64) -> Result<(), InspectError> {
    let Some(ins) = read_inspection(tx, draw, account)? else {
        return Ok(());
    };
    let checklist = checklist_from(tx, &ins.checklist_id, &ins.checklist_version)?;
    Store::rescore(tx, &ins, &checklist)
}

/// Applies a package's checks to `draw` inside `tx`, counting into `report`. `ids` maps
/// account keys to ids here; `bases` holds what the work packages carried. Every account is
/// checked first; evidence files written before a failure are removed again.
#[allow(clippy::too_many_arguments)]
fn merge_in(
    tx: &Transaction<'_>,
    evidence_dir: PathBuf,
    draw: i64,
    quarter: &Quarter,
    package: &Package,
    ids: &HashMap<String, i64>,
    bases: &HashMap<(i64, String), FindingVersion>,
    report: &mut MergeReport,
    at: NaiveDateTime,
) -> Result<(), ExchangeError> {
    if let Some(pi) = package
        .data
        .inspections
        .iter()
        .find(|pi| !ids.contains_key(&pi.account_key))
    {
        let name = package
            .data
            .accounts
            .iter()
            .find(|a| a.account.key() == pi.account_key)
            .map_or_else(|| pi.account_key.clone(), |a| a.account.name.clone());
        return Err(ExchangeError::UnknownAccount {
            name,
            quarter: quarter.label(),
        });
    }
    let mut created = Vec::new();
    let result = merge_checks(
        tx,
        &evidence_dir,
        draw,
        package,
        ids,
        bases,
        report,
        at,
        &mut created,
    );
    if result.is_err() {
        for file in created {
            let _ = std::fs::remove_file(file);
        }
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn merge_checks(
    tx: &Transaction<'_>,
    evidence_dir: &Path,
    draw: i64,
    package: &Package,
    ids: &HashMap<String, i64>,
    bases: &HashMap<(i64, String), FindingVersion>,
    report: &mut MergeReport,
    at: NaiveDateTime,
    created: &mut Vec<PathBuf>,
) -> Result<(), ExchangeError> {
    let m = &package.manifest;
    let files: HashMap<&str, &[u8]> = package
        .evidence
        .iter()
        .map(|(sha, bytes)| (sha.as_str(), bytes.as_slice()))
        .collect();
    for pi in &package.data.inspections {
        let Some(&account) = ids.get(&pi.account_key) else {
            continue;
        };
        let local = read_inspection(tx, draw, account)?;
        if local.is_none() {
            tx.execute(
                "INSERT INTO inspection (draw, account, checklist_id, checklist_version, status, inspector, started_at)
                 VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?6)",
                params![
                    draw,
                    account,
                    pi.checklist_id,
                    pi.checklist_version,
                    pi.inspector,
                    pi.started_at.format(TIME).to_string()
                ],
            )?;
        }
        let mut changed = false;
        let mut conflicted = false;
        for incoming in &pi.findings {
            let here = local.as_ref().and_then(|l| version_of(l, &incoming.item));
            let base = bases.get(&(account, incoming.item.clone()));
            let same = |a: Option<&FindingVersion>, b: Option<&FindingVersion>| match (a, b) {
                (Some(a), Some(b)) => a.same_content(b),
                (None, None) => true,
                _ => false,
            };
            if same(here.as_ref(), Some(incoming)) {
                report.unchanged += 1;
            } else if same(here.as_ref(), base) {
                // Untouched here since the work package: the inspector's change stands.
                write_version(tx, draw, account, incoming)?;
                changed = true;
                if here.is_none() {
                    report.added += 1;
                } else {
                    report.updated += 1;
                }
            } else if base.is_some_and(|b| b.same_content(incoming)) {
                // The inspector did not touch it; the change made here stands.
                report.unchanged += 1;
            } else {
                let json = |v: &FindingVersion| {
                    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
                };
                let local_json = here.as_ref().map(json).transpose()?;
                let inserted = tx.execute(
                    "INSERT OR IGNORE INTO merge_conflict (draw, account, item, package, local, incoming, created_at,
                        package_finished_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        draw,
                        account,
                        incoming.item,
                        m.package_id,
                        local_json,
                        json(incoming)?,
                        at.format(TIME).to_string(),
                        pi.done.then(|| {
                            pi.finished_at
                                .unwrap_or(pi.started_at)
                                .format(TIME)
                                .to_string()
                        })
                    ],
                )?;
                report.conflicts += inserted;
                conflicted = true;
            }
        }
        for e in &pi.evidence {
            let inspection: i64 = tx.query_row(
                "SELECT id FROM inspection WHERE draw = ?1 AND account = ?2",
                params![draw, account],
                |r| r.get(0),
            )?;
            let exists: bool = tx
                .query_row(
                    "SELECT 1 FROM evidence WHERE inspection = ?1 AND item = ?2
                     AND ((?3 IS NOT NULL AND sha256 = ?3) OR (?3 IS NULL AND url = ?4))",
                    params![inspection, e.item, e.sha256, e.url],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if exists {
                continue;
            }
            if let Some(sha) = &e.sha256 {
                let name = e.file_name.as_deref().unwrap_or("");
                let Some(bytes) = files.get(sha.as_str()) else {
                    return Err(ExchangeError::Altered(format!("证据文件 {sha}")));
                };
                let target = evidence_file(evidence_dir, sha, name);
                if !target.exists() {
                    store_file(&target, bytes).map_err(|source| ExchangeError::SaveEvidence {
                        path: target.clone(),
                        source,
                    })?;
                    created.push(target);
                }
            }
            tx.execute(
                "INSERT INTO evidence (inspection, item, sha256, file_name, url, added_by, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    inspection,
                    e.item,
                    e.sha256,
                    e.file_name,
                    e.url,
                    e.added_by,
                    e.added_at.format(TIME).to_string()
                ],
            )?;
            report.evidence_added += 1;
        }
        if changed {
            rescore_in(tx, draw, account)?;
        }
        if pi.done && !conflicted {
            let finished = pi.finished_at.unwrap_or(pi.started_at);
            if finish_if_complete(tx, draw, account, finished)? {
                report.finished += 1;
            }
        }
    }
    Ok(())
}

/// Marks a check finished (at `when`) if it is not yet and every item is answered as the
/// checklist requires. Returns whether it did.
fn finish_if_complete(
    tx: &Transaction<'_>,
    draw: i64,
    account: i64,
    when: NaiveDateTime,
) -> Result<bool, ExchangeError> {
    let Some(ins) = read_inspection(tx, draw, account)? else {
        return Ok(false);
    };
    if ins.status == InspectionStatus::Done {
        return Ok(false);
    }
    let checklist = checklist_from(tx, &ins.checklist_id, &ins.checklist_version)?;
    let eval = evaluation(tx, &ins, &checklist)?;
    if eval.can_finish(&checklist).is_err() {
        return Ok(false);
    }
    mark_done(tx, ins.id, when, &eval)?;
    Ok(true)
}

/// Writes an evidence file under a temporary name, syncs and renames it.
fn store_file(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = target.with_extension("partial");
    let mut f = std::fs::File::create(&partial)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&partial, target)
}
