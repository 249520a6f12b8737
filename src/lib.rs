//! spotcheck: quarterly spot-checks of government new-media accounts.
//!
//! The library is the whole product but its window. Its layers, each importing only those
//! below it (`tests/core/layers.rs` keeps it so):
//! - front ends: `ui` (behind the `gui` feature), `worker` (the window's database thread) and
//!   `cli`: they parse input, call the user's steps or send commands, and show results;
//! - `steps`: one module per user step (roster import, draw, inspection, exchange, follow-up,
//!   admin), the use cases both front ends call;
//! - the pure core (`roster`, `results`, `sampling`, `assignment`, `checklist`, `report`,
//!   `rectification`, `exchange`, `export`) and `store` (SQL only);
//! - `model`: the plain records every layer shares.

pub mod assignment;
pub mod checklist;
pub mod cli;
pub mod exchange;
pub mod export;
pub mod model;
pub mod overview;
pub mod rectification;
pub mod report;
pub mod results;
pub mod rollup;
pub mod roster;
pub mod sampling;
pub mod seed;
pub mod sheet;
pub mod steps;
pub mod store;
#[cfg(feature = "gui")]
pub mod ui;
pub mod worker;
