//! The roll-up in the database (a 汇总 workspace): registered reporters, imported 上报包 and the
//! accounts each accepted package lists.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, Tx};
use crate::model::time::{parse_time, time_text};
use crate::model::{ReportNumbers, ReportStatus, ReportedAccount, Reporter, StoredReport};

fn time(s: &str) -> NaiveDateTime {
    parse_time(s).unwrap_or_default()
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("汇总记录中的{what}无法读取"))
}

fn reporter_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Reporter> {
    Ok(Reporter {
        name: r.get(0)?,
        public_key: r.get(1)?,
        fingerprint: r.get(2)?,
        expected: r.get(3)?,
        registered_at: time(&r.get::<_, String>(4)?),
        registered_by: r.get(5)?,
    })
}

const REPORTER_COLUMNS: &str =
    "name, public_key, fingerprint, expected, registered_at, registered_by";
const REPORT_COLUMNS: &str = "id, package_id, reporter, quarter, fingerprint, created_at, file_name, imported_at, imported_by, status, verified, reasons, numbers";

type RawReport = (StoredReport, String, String, String);

fn report_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawReport> {
    Ok((
        StoredReport {
            id: r.get(0)?,
            package_id: r.get(1)?,
            reporter: r.get(2)?,
            quarter: r.get(3)?,
            fingerprint: r.get(4)?,
            created_at: time(&r.get::<_, String>(5)?),
            file_name: r.get(6)?,
            imported_at: time(&r.get::<_, String>(7)?),
            imported_by: r.get(8)?,
            status: ReportStatus::Refused,
            verified: r.get(10)?,
            reasons: Vec::new(),
            numbers: ReportNumbers::default(),
        },
        r.get(9)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

fn typed((mut report, status, reasons, numbers): RawReport) -> Result<StoredReport, StoreError> {
    report.status = ReportStatus::parse(&status).ok_or_else(|| corrupt("上报包状态"))?;
    report.reasons = serde_json::from_str(&reasons).map_err(|_| corrupt("原因"))?;
    report.numbers = serde_json::from_str(&numbers).map_err(|_| corrupt("上报数字"))?;
    Ok(report)
}

/// A package to record: what it is, what became of it and what it states.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub package_id: &'a str,
    pub reporter: &'a str,
    pub quarter: &'a str,
    pub fingerprint: &'a str,
    pub created_at: NaiveDateTime,
    pub file_name: &'a str,
    pub imported_at: NaiveDateTime,
    pub imported_by: &'a str,
    pub status: ReportStatus,
    pub verified: bool,
    pub reasons: &'a [String],
    pub numbers: &'a ReportNumbers,
}

impl Tx<'_> {
    /// Registers a reporter, or replaces its key and expectation (a new key is registered
    /// deliberately, never by a package).
    pub fn upsert_reporter(&self, r: &Reporter) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO rollup_reporter (name, public_key, fingerprint, expected, registered_at, registered_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(name) DO UPDATE SET public_key = excluded.public_key,
                 fingerprint = excluded.fingerprint, expected = excluded.expected,
                 registered_at = excluded.registered_at, registered_by = excluded.registered_by",
            params![
                r.name,
                r.public_key,
                r.fingerprint,
                r.expected,
                time_text(r.registered_at),
                r.registered_by
            ],
        )?;
        Ok(())
    }

    /// Records an imported package; returns its row id.
    pub fn insert_report(&self, r: &NewReport<'_>) -> Result<i64, StoreError> {
        let reasons =
            serde_json::to_string(r.reasons).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let numbers =
            serde_json::to_string(r.numbers).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn().execute(
            "INSERT INTO rollup_package (package_id, reporter, quarter, fingerprint, created_at, file_name,
                 imported_at, imported_by, status, verified, reasons, numbers)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                r.package_id,
                r.reporter,
                r.quarter,
                r.fingerprint,
                time_text(r.created_at),
                r.file_name,
                time_text(r.imported_at),
                r.imported_by,
                r.status.as_str(),
                r.verified,
                reasons,
                numbers
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Changes what became of a package (an accepted one replaced by a newer one).
    pub fn set_report_status(&self, id: i64, status: ReportStatus) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE rollup_package SET status = ?2 WHERE id = ?1",
            params![id, status.as_str()],
        )?;
        Ok(())
    }

    /// The accounts an accepted package lists.
    pub fn insert_reported_accounts(
        &self,
        package: i64,
        accounts: &[ReportedAccount],
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO rollup_account (package, key, stratum, sampled, platform, account_id, name, host_unit, passed, problems)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for a in accounts {
            stmt.execute(params![
                package,
                a.key,
                a.stratum,
                a.sampled,
                a.platform,
                a.account_id,
                a.name,
                a.host_unit,
                a.passed,
                a.problems
            ])?;
        }
        Ok(())
    }
}

impl Store {
    /// Every registered reporter, by name.
    pub fn reporters(&self) -> Result<Vec<Reporter>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {REPORTER_COLUMNS} FROM rollup_reporter ORDER BY name"
        ))?;
        let rows = stmt.query_map([], reporter_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The packages imported for `quarter` (every quarter when `None`), oldest import first.
    pub fn reports(&self, quarter: Option<&str>) -> Result<Vec<StoredReport>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {REPORT_COLUMNS} FROM rollup_package WHERE ?1 IS NULL OR quarter = ?1 ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([quarter], report_from)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(typed).collect()
    }

    /// A package imported before, by its own id and what became of it.
    pub fn report_by_package_id(&self, id: &str) -> Result<Option<StoredReport>, StoreError> {
        let raw = self
            .conn
            .query_row(
                &format!(
                    "SELECT {REPORT_COLUMNS} FROM rollup_package WHERE package_id = ?1 ORDER BY id DESC LIMIT 1"
                ),
                [id],
                report_from,
            )
            .optional()?;
        raw.map(typed).transpose()
    }

    /// The accounts of accepted package `package`, in key order.
    pub fn reported_accounts(&self, package: i64) -> Result<Vec<ReportedAccount>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT key, stratum, sampled, platform, account_id, name, host_unit, passed, problems
             FROM rollup_account WHERE package = ?1 ORDER BY key",
        )?;
        let rows = stmt.query_map([package], |r| {
            Ok(ReportedAccount {
                key: r.get(0)?,
                stratum: r.get(1)?,
                sampled: r.get(2)?,
                platform: r.get(3)?,
                account_id: r.get(4)?,
                name: r.get(5)?,
                host_unit: r.get(6)?,
                passed: r.get(7)?,
                problems: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Accounts listed by the accepted packages of `quarter` of more than one reporter: (key,
    /// the reporters listing it, by name).
    pub fn duplicate_reported_accounts(
        &self,
        quarter: &str,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT a.key, group_concat(DISTINCT p.reporter) FROM rollup_account a
             JOIN rollup_package p ON p.id = a.package
             WHERE p.quarter = ?1 AND p.status = 'accepted'
             GROUP BY a.key HAVING count(DISTINCT p.reporter) > 1 ORDER BY a.key",
        )?;
        let rows = stmt.query_map([quarter], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, reporters) = row?;
            let mut names: Vec<String> = reporters.split(',').map(str::to_owned).collect();
            names.sort();
            out.push((key, names));
        }
        Ok(out)
    }
}
