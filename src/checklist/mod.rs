//! The checklist: what an inspector answers for each checked account, and the verdict.
//!
//! Owns the checklist file format and its validation, the built-in default checklist
//! (national single-veto items plus the other problems notices record), findings and
//! answers, the update rule, and the evaluation of one account's findings into a verdict.
//! Pure: no I/O beyond parsing a string, no egui, no database.

mod definition;
mod error;
mod evaluation;
mod finding;

pub use crate::model::{Answer, Finding, Verdict};
pub use definition::{Area, Checklist, Item, ItemKind, PointScheme, Rule};
pub use error::ChecklistError;
pub use evaluation::{Evaluation, Unfinished, evaluate};
pub use finding::{apply_rules, gap_rule, update_rule};
