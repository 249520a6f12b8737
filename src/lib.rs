//! spotcheck: quarterly spot-checks of government new-media accounts.
//!
//! The library is the whole product but its window: roster import, the draw, the checklist,
//! exports and the database. `ui` (behind the `gui` feature) and `cli` are thin front ends.

pub mod assignment;
pub mod checklist;
pub mod cli;
pub mod demo;
pub mod exchange;
pub mod export;
pub mod followup;
pub mod import;
pub mod model;
pub mod rectification;
pub mod report;
pub mod results;
pub mod roster;
pub mod sampling;
pub mod seed;
pub mod sheet;
pub mod store;
#[cfg(feature = "gui")]
pub mod ui;
pub mod worker;
