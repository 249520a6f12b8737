//! The roster in the database: applying an import (add, update, mark unlisted) and reading it back.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Row, Transaction, params};
use serde::Serialize;

use super::{Store, StoreError};
use crate::model::{Account, AccountStatus};
use crate::roster::ParsedRoster;

/// An account as stored: its row id and whether the latest roster still lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    pub id: i64,
    pub account: Account,
    /// False once an import no longer lists the account (it is kept, never deleted).
    pub listed: bool,
}

/// What an import does, or would do, to the roster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Accounts in the database that this file no longer lists: kept, marked 已移出名录.
    pub unlisted: u32,
}

/// Where an import came from, recorded with it.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    pub file_name: String,
    pub at: NaiveDateTime,
}

/// One entry of an account's history.
#[derive(Debug, Clone)]
pub struct AccountChange {
    pub at: NaiveDateTime,
    pub file_name: String,
    pub kind: ChangeKind,
    /// The account as it was before an update.
    pub before: Option<Account>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Updated,
    Unlisted,
    Relisted,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Updated => "updated",
            Self::Unlisted => "unlisted",
            Self::Relisted => "relisted",
        }
    }

    /// How the history list names it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "首次导入",
            Self::Updated => "信息更新",
            Self::Unlisted => "已移出名录",
            Self::Relisted => "重新列入名录",
        }
    }
}

pub(super) const ACCOUNT_COLUMNS: &str = "id, platform, account_id, name, host_unit, city, county, opened_on, filed_on, status, fans, operator, extra, listed";

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn parse_date(text: Option<String>) -> Result<Option<NaiveDate>, rusqlite::Error> {
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|e| {
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

/// What applying a parsed roster means for each account.
enum Step<'a> {
    Add(&'a Account, u32),
    Update {
        id: i64,
        before: Account,
        after: &'a Account,
        row: u32,
        relisted: bool,
    },
    Unchanged(i64),
}

fn plan<'a>(
    existing: &HashMap<String, StoredAccount>,
    parsed: &'a ParsedRoster,
) -> (Vec<Step<'a>>, Vec<i64>) {
    let mut steps = Vec::with_capacity(parsed.accounts.len());
    let mut seen = std::collections::HashSet::with_capacity(parsed.accounts.len());
    for sourced in &parsed.accounts {
        let key = sourced.account.key();
        match existing.get(&key) {
            None => steps.push(Step::Add(&sourced.account, sourced.row)),
            Some(old) => {
                seen.insert(old.id);
                if old.account == sourced.account && old.listed {
                    steps.push(Step::Unchanged(old.id));
                } else {
                    steps.push(Step::Update {
                        id: old.id,
                        before: old.account.clone(),
                        after: &sourced.account,
                        row: sourced.row,
                        relisted: !old.listed,
                    });
                }
            }
        }
    }
    let mut unlisted: Vec<i64> = existing
        .values()
        .filter(|a| a.listed && !seen.contains(&a.id))
        .map(|a| a.id)
        .collect();
    unlisted.sort_unstable();
    (steps, unlisted)
}

fn count(steps: &[Step<'_>], unlisted: usize) -> ImportCounts {
    let mut c = ImportCounts {
        unlisted: u32::try_from(unlisted).unwrap_or(u32::MAX),
        ..ImportCounts::default()
    };
    for s in steps {
        match s {
            Step::Add(..) => c.added += 1,
            Step::Update { .. } => c.updated += 1,
            Step::Unchanged(_) => c.unchanged += 1,
        }
    }
    c
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

    fn accounts_by_key(&self) -> Result<HashMap<String, StoredAccount>, StoreError> {
        Ok(self
            .accounts()?
            .into_iter()
            .map(|a| (a.account.key(), a))
            .collect())
    }

    /// What importing `parsed` would do, without doing it.
    pub fn preview_import(&self, parsed: &ParsedRoster) -> Result<ImportCounts, StoreError> {
        let existing = self.accounts_by_key()?;
        let (steps, unlisted) = plan(&existing, parsed);
        Ok(count(&steps, unlisted.len()))
    }

    /// Applies `parsed` in one transaction: new accounts added, changed ones updated (their
    /// previous values kept in the history), accounts no longer listed marked, never deleted.
    pub fn import_roster(
        &mut self,
        parsed: &ParsedRoster,
        meta: &ImportMeta,
    ) -> Result<ImportCounts, StoreError> {
        self.auto_backup("导入名录前")
            .map_err(|e| StoreError::Backup(e.to_string()))?;
        let existing = self.accounts_by_key()?;
        let (steps, unlisted) = plan(&existing, parsed);
        let counts = count(&steps, unlisted.len());
        let actor = self.user_name()?;
        let tx = self.conn.transaction()?;
        let problems =
            i64::try_from(parsed.errors.len() + parsed.warnings.len() + parsed.duplicates.len())
                .unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO roster_import (file_name, file_sha256, sheet, imported_at, added, updated, unchanged, unlisted, problems)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                meta.file_name,
                parsed.file_sha256,
                parsed.sheet,
                meta.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                counts.added,
                counts.updated,
                counts.unchanged,
                counts.unlisted,
                problems
            ],
        )?;
        let import = tx.last_insert_rowid();
        write_steps(&tx, import, &steps, &unlisted)?;
        super::log::append(
            &tx,
            meta.at,
            &actor,
            "导入名录",
            &format!(
                "{}（工作表“{}”）：新增 {}，更新 {}，未变 {}，移出名录 {}，问题 {problems} 处",
                meta.file_name,
                parsed.sheet,
                counts.added,
                counts.updated,
                counts.unchanged,
                counts.unlisted
            ),
        )?;
        tx.commit()?;
        Ok(counts)
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
                at: NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M:%S").map_err(conversion)?,
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
pub(super) const INSERT_ACCOUNT: &str =
    "INSERT INTO account (key, platform, account_id, name, host_unit, city, county, opened_on, filed_on, status,
                          fans, operator, extra, listed, first_import, last_import, source_row)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?14, ?15)";

fn write_steps(
    tx: &Transaction<'_>,
    import: i64,
    steps: &[Step<'_>],
    unlisted: &[i64],
) -> Result<(), StoreError> {
    let mut insert = tx.prepare(INSERT_ACCOUNT)?;
    let mut update = tx.prepare(
        "UPDATE account SET platform = ?2, account_id = ?3, name = ?4, host_unit = ?5, city = ?6, county = ?7,
                opened_on = ?8, filed_on = ?9, status = ?10, fans = ?11, operator = ?12, extra = ?13, listed = 1,
                last_import = ?14, source_row = ?15
         WHERE id = ?1",
    )?;
    let mut touch = tx.prepare("UPDATE account SET last_import = ?2 WHERE id = ?1")?;
    let mut change = tx.prepare(
        "INSERT INTO account_change (account, import, kind, before) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut unlist = tx.prepare("UPDATE account SET listed = 0 WHERE id = ?1")?;
    for step in steps {
        match step {
            Step::Add(a, row) => {
                execute_account(&mut insert, &a.key(), a, Some(import), Some(*row))?;
            }
            Step::Update {
                id,
                before,
                after: a,
                row,
                relisted,
            } => {
                execute_account(&mut update, id, a, Some(import), Some(*row))?;
                let kind = if *relisted && before == *a {
                    ChangeKind::Relisted
                } else {
                    ChangeKind::Updated
                };
                let before = serde_json::to_string(before)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                change.execute(params![id, import, kind.as_str(), before])?;
            }
            Step::Unchanged(id) => {
                touch.execute(params![id, import])?;
            }
        }
    }
    for id in unlisted {
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

/// Runs the insert or the update of an account: both bind `first` (the key or the row id) as ?1,
/// the account's fields as ?2 to ?13, the import as ?14 and the sheet row as ?15.
/// Binds an account's columns to [`INSERT_ACCOUNT`] or the update: `first` is its key or id;
/// `import` and `row` are `None` for an account that came in a work package.
pub(super) fn execute_account(
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
