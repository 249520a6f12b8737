//! The roster in the database: writing an import's plan (add, update, mark unlisted), its
//! record and each account's history, and reading them back.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, Tx};
use crate::model::time::{DAY, day_text, parse_time, time_text};
use crate::model::{
    Account, AccountChange, AccountStatus, ChangeKind, ImportCounts, ImportMeta, RosterChange,
    RosterPlan, StoredAccount,
};

pub(super) const ACCOUNT_COLUMNS: &str = "id, platform, account_id, name, host_unit, city, county, opened_on, filed_on, status, fans, operator, extra, listed";

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(day_text)
}

fn parse_date(text: Option<String>) -> Result<Option<NaiveDate>, rusqlite::Error> {
    text.map(|t| {
        NaiveDate::parse_from_str(&t, DAY).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

fn conversion(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

pub(super) fn account_from_row(r: &Row<'_>) -> Result<StoredAccount, rusqlite::Error> {
    let status: String = r.get(9)?;
    let extra: String = r.get(12)?;
    Ok(StoredAccount {
        id: r.get(0)?,
        account: Account {
            platform: r.get(1)?,
            account_id: r.get(2)?,
            name: r.get(3)?,
            host_unit: r.get(4)?,
            city: r.get(5)?,
            county: r.get(6)?,
            opened_on: parse_date(r.get(7)?)?,
            filed_on: parse_date(r.get(8)?)?,
            status: AccountStatus::from_label(&status).unwrap_or(AccountStatus::Normal),
            fans: r.get(10)?,
            operator: r.get(11)?,
            extra: serde_json::from_str(&extra).map_err(conversion)?,
        },
        listed: r.get(13)?,
    })
}

impl Store {
    /// Every account, listed or not, in a stable order (by id, that is first import order).
    pub fn accounts(&self) -> Result<Vec<StoredAccount>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY id"
        ))?;
        let rows = stmt.query_map([], account_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn account_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM account", [], |r| r.get(0))?)
    }

    /// Every account by its key.
    pub fn accounts_by_key(&self) -> Result<HashMap<String, StoredAccount>, StoreError> {
        Ok(self
            .accounts()?
            .into_iter()
            .map(|a| (a.account.key(), a))
            .collect())
    }

    /// The row id of the account with this key, if it is known here.
    pub fn account_id(&self, key: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM account WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// The name users know an account by (for log entries).
    pub fn account_name(&self, account: i64) -> Result<String, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT name FROM account WHERE id = ?1")?
            .query_row([account], |r| r.get(0))?)
    }

    /// The platform an account is on.
    pub fn account_platform(&self, account: i64) -> Result<String, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT platform FROM account WHERE id = ?1")?
            .query_row([account], |r| r.get(0))?)
    }

    /// The history of one account, oldest first.
    pub fn account_history(&self, account: i64) -> Result<Vec<AccountChange>, StoreError> {
        // The first import is read from the account itself (one row per account fewer to write
        // on a large import); every later change has its own row.
        let mut stmt = self.conn.prepare(
            "SELECT i.imported_at, i.file_name, 'added', NULL, 0 FROM account a
             JOIN roster_import i ON i.id = a.first_import WHERE a.id = ?1
             UNION ALL
             SELECT i.imported_at, i.file_name, c.kind, c.before, c.id FROM account_change c
             JOIN roster_import i ON i.id = c.import WHERE c.account = ?1
             ORDER BY 5",
        )?;
        let rows = stmt.query_map([account], |r| {
            let at: String = r.get(0)?;
            let kind: String = r.get(2)?;
            let before: Option<String> = r.get(3)?;
            Ok(AccountChange {
                at: parse_time(&at).ok_or_else(|| {
                    conversion(std::io::Error::other(format!("导入时间“{at}”无法识别")))
                })?,
                file_name: r.get(1)?,
                kind: match kind.as_str() {
                    "added" => ChangeKind::Added,
                    "unlisted" => ChangeKind::Unlisted,
                    "relisted" => ChangeKind::Relisted,
                    _ => ChangeKind::Updated,
                },
                before: before
                    .map(|b| serde_json::from_str(&b))
                    .transpose()
                    .map_err(conversion)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Adds an account, bound by [`execute_account`] with its key first.
const INSERT_ACCOUNT: &str =
    "INSERT INTO account (key, platform, account_id, name, host_unit, city, county, opened_on, filed_on, status,
                          fans, operator, extra, listed, first_import, last_import, source_row)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?14, ?15)";

impl Tx<'_> {
    /// Records an import of `file_name` (sheet `sheet`, content hash `file_sha256`) with what
    /// it did and how many problems its file had; returns the import's id.
    pub fn record_import(
        &self,
        meta: &ImportMeta,
        file_sha256: &str,
        sheet: &str,
        counts: ImportCounts,
        problems: usize,
    ) -> Result<i64, StoreError> {
        self.conn().execute(
            "INSERT INTO roster_import (file_name, file_sha256, sheet, imported_at, added, updated, unchanged, unlisted, problems)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                meta.file_name,
                file_sha256,
                sheet,
                time_text(meta.at),
                counts.added,
                counts.updated,
                counts.unchanged,
                counts.unlisted,
                super::int(problems)
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Writes the plan of import `import`: accounts added and updated (their previous values
    /// kept in the history), unchanged ones touched, unlisted ones marked, none deleted.
    pub fn apply_roster_plan(&self, import: i64, plan: &RosterPlan<'_>) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut insert = conn.prepare(INSERT_ACCOUNT)?;
        let mut update = conn.prepare(
            "UPDATE account SET platform = ?2, account_id = ?3, name = ?4, host_unit = ?5, city = ?6, county = ?7,
                    opened_on = ?8, filed_on = ?9, status = ?10, fans = ?11, operator = ?12, extra = ?13, listed = 1,
                    last_import = ?14, source_row = ?15
             WHERE id = ?1",
        )?;
        let mut touch = conn.prepare("UPDATE account SET last_import = ?2 WHERE id = ?1")?;
        let mut change = conn.prepare(
            "INSERT INTO account_change (account, import, kind, before) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut unlist = conn.prepare("UPDATE account SET listed = 0 WHERE id = ?1")?;
        for step in &plan.changes {
            match step {
                RosterChange::Add(a, row) => {
                    execute_account(&mut insert, &a.key(), a, Some(import), Some(*row))?;
                }
                RosterChange::Update {
                    id,
                    before,
                    after: a,
                    row,
                    relisted,
                } => {
                    execute_account(&mut update, id, a, Some(import), Some(*row))?;
                    let kind = if *relisted && **before == **a {
                        ChangeKind::Relisted
                    } else {
                        ChangeKind::Updated
                    };
                    let before = serde_json::to_string(before)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    change.execute(params![id, import, kind.as_str(), before])?;
                }
                RosterChange::Unchanged(id) => {
                    touch.execute(params![id, import])?;
                }
            }
        }
        for id in &plan.unlisted {
            unlist.execute([id])?;
            change.execute(params![
                id,
                import,
                ChangeKind::Unlisted.as_str(),
                None::<String>
            ])?;
        }
        Ok(())
    }

    /// Adds an account that came in a work package (no import, no sheet row); returns its id.
    pub fn insert_account(&self, a: &Account) -> Result<i64, StoreError> {
        let mut insert = self.conn().prepare_cached(INSERT_ACCOUNT)?;
        execute_account(&mut insert, &a.key(), a, None, None)?;
        Ok(self.conn().last_insert_rowid())
    }
}

/// Runs the insert or the update of an account: both bind `first` (the key or the row id) as ?1,
/// the account's fields as ?2 to ?13, the import as ?14 and the sheet row as ?15.
/// Binds an account's columns to [`INSERT_ACCOUNT`] or the update: `first` is its key or id;
/// `import` and `row` are `None` for an account that came in a work package.
fn execute_account(
    stmt: &mut rusqlite::Statement<'_>,
    first: &dyn rusqlite::ToSql,
    a: &Account,
    import: Option<i64>,
    row: Option<u32>,
) -> rusqlite::Result<usize> {
    stmt.execute(params![
        first,
        a.platform,
        a.account_id,
        a.name,
        a.host_unit,
        a.city,
        a.county,
        date_text(a.opened_on),
        date_text(a.filed_on),
        a.status.label(),
        a.fans,
        a.operator,
        extra_json(a),
        import,
        row
    ])
}

fn extra_json(a: &Account) -> String {
    serde_json::to_string(&a.extra).unwrap_or_else(|_| "[]".to_owned())
}
