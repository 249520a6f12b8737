//! spotcheck: quarterly spot-checks of government new-media accounts.
//!
//! The library is the whole product but its window: roster import, the draw, the checklist,
//! exports and the database. `ui` (behind the `gui` feature) and `cli` are thin front ends.

pub mod model;
pub mod roster;
pub mod store;
pub mod import;
pub mod export;
pub mod cli;
#[cfg(feature = "gui")]
pub mod ui;
pub mod worker;
