//! Which field each column of a roster holds when the user says so: chosen in the import
//! preview (or `--map 列名=字段` on the command line), remembered for files whose header reads
//! the same, and applied over what the header finder recognised.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::header::{Field, Header};

/// The user's choice per column, by the column's header text as the file writes it: a field,
/// or `None` for 未使用.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap(pub BTreeMap<String, Option<Field>>);

impl ColumnMap {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `self` with `other`'s choices on top.
    #[must_use]
    pub fn merged(mut self, other: &Self) -> Self {
        self.0.extend(other.0.iter().map(|(k, v)| (k.clone(), *v)));
        self
    }

    /// Applies the choices to `header`: a column chosen for a field holds it, and no other
    /// column does; a column chosen 未使用 holds nothing. Choices for columns the header lacks
    /// are passed over.
    pub fn apply(&self, header: &mut Header) {
        for (text, choice) in &self.0 {
            let Some(i) = header
                .columns
                .iter()
                .position(|(t, _)| t.trim() == text.trim())
            else {
                continue;
            };
            if let Some(field) = choice {
                for (_, f) in &mut header.columns {
                    if *f == Some(*field) {
                        *f = None;
                    }
                }
            }
            header.columns[i].1 = *choice;
        }
    }

    /// Reads `列名=字段` as typed after `--map` (字段: a field's name such as 账号标识, or 未使用).
    pub fn parse_arg(&mut self, arg: &str) -> Result<(), String> {
        let (column, field) = arg
            .split_once(['=', '＝'])
            .map(|(c, f)| (c.trim(), f.trim()))
            .filter(|(c, f)| !c.is_empty() && !f.is_empty())
            .ok_or_else(|| {
                format!("--map “{arg}”的写法不对，请写作 列名=字段，例如 --map 账号代码=账号标识。")
            })?;
        let choice = if field == UNUSED {
            None
        } else {
            Some(
                Field::ALL
                    .into_iter()
                    .find(|f| f.label() == field)
                    .or_else(|| super::header::field_for(field))
                    .ok_or_else(|| {
                        format!(
                            "--map “{arg}”中的字段“{field}”无法识别。可以写：{}、{UNUSED}。",
                            Field::ALL.map(Field::label).join("、")
                        )
                    })?,
            )
        };
        self.0.insert(column.to_owned(), choice);
        Ok(())
    }
}

/// What a column read as no field is called (its text is kept with the account as 其他列).
pub const UNUSED: &str = "未使用";

/// The setting under which the choices for files with this header are remembered: the header
/// texts, in order, hashed.
#[must_use]
pub fn setting_key(header: &Header) -> String {
    let mut h = Sha256::new();
    for (text, _) in &header.columns {
        h.update(text.trim().as_bytes());
        h.update([0]);
    }
    format!(
        "roster_columns:{}",
        crate::model::digest::hex(&h.finalize()[..8])
    )
}
