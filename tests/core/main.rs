//! Every integration test that needs no window, in one test binary (one link of the app
//! instead of one per file): the store, the roster import, sampling and draws, inspections,
//! follow-up, packages, results, admin, the command line, the crash test and the layer rules.
//! Each module is one former `tests/*.rs` file; helpers they share live in `tests/support/`.

// Tests read as scripts: a failed unwrap is a failed test, and a scenario is told in one function.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

#[path = "../support/mod.rs"]
mod support;

mod admin;
mod bulk_evidence;
mod cli;
mod crash;
mod csv_damage;
mod draw_verify;
mod draws;
mod followup;
mod full_disk;
mod inspections;
mod layers;
mod memory;
mod migrations;
mod notice_docx;
mod overview;
mod overview_lean;
mod packages;
mod reassign;
mod regressions;
mod restore;
mod results;
mod rollup;
mod rollup_docx;
mod rollup_recheck;
mod roster_damage;
mod roster_import;
mod sampling;
mod store;
mod xls;
mod xlsx_reader;
