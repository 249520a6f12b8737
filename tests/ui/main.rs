//! The window's tests (`egui_kittest`, in `common` the harness around the real app) and the
//! database worker it drives, in one test binary. Each module is one former `tests/*.rs` file;
//! helpers shared with the core tests live in `tests/support/`.

// Tests read as scripts: a failed unwrap is a failed test, and a scenario is told in one function.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

#[path = "../support/mod.rs"]
mod support;

mod common;

mod ui_admin;
mod ui_check_edits;
mod ui_exchange;
mod ui_inspect;
mod ui_layout;
mod ui_overview;
mod ui_rectify;
mod ui_rollup;
mod ui_roster;
mod ui_sample;
mod ui_worker;
mod worker;
