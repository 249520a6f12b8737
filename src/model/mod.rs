//! Plain types shared by every layer: accounts, their status, platforms.
//!
//! Nothing here does I/O or knows about egui or `SQLite`.

mod account;
pub mod platform;
mod quarter;

pub use account::{Account, AccountStatus, account_key};
pub use quarter::{Quarter, QuarterError};
