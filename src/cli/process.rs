//! How a command runs as a process: the database's lock taken (or waited for), a user action
//! performed at this moment, as the window's worker performs it, and output to a closed pipe
//! ending the command quietly.

use std::sync::atomic::AtomicBool;

use super::now;
use crate::seed::fresh_seed;
use crate::steps::action::{Action, Ctx};
use crate::store::Store;

/// Runs a user action as the window's worker runs it: at this moment, with fresh randomness,
/// no progress shown; a failure in the action's own words.
pub(super) fn perform<A: Action>(store: &mut Store, action: &A) -> Result<A::Done, String> {
    try_perform(store, action).map_err(|e| action.failure(&e))
}

/// As [`perform`], giving the error itself, for a command that adds its own advice (a flag to
/// confirm with).
pub(super) fn try_perform<A: Action>(store: &mut Store, action: &A) -> Result<A::Done, A::Error> {
    let cancel = AtomicBool::new(false);
    let mut cx = Ctx {
        store,
        at: now(),
        fresh: fresh_seed(),
        progress: &mut |_, _| {},
        cancel: &cancel,
    };
    action.run(&mut cx)
}

/// Output to a pipe whose reader has gone (`spotcheck roster --json | head`) ends the command
/// quietly, as command-line tools end (exit code 141, the shell's code for a closed pipe),
/// instead of a panic with a backtrace. Any other failure to print still panics loudly: output
/// that could not be written where it was sent is never lost in silence.
pub(super) fn end_quietly_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if text.starts_with("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

/// Takes the database's lock for this command, waiting for it up to `wait` seconds.
pub(super) fn lock_database(
    db: &std::path::Path,
    wait: Option<u64>,
) -> Result<crate::store::DbLock, String> {
    let until = wait.map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
    let words: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .take(2)
        .collect();
    let program = format!("命令行的“{}”", words.join(" "));
    let mut told = false;
    loop {
        match crate::store::lock(db, &program, now()) {
            Ok(lock) => return Ok(lock),
            Err(e @ crate::store::LockError::Held { .. })
                if until.is_some_and(|u| std::time::Instant::now() >= u) =>
            {
                return Err(format!(
                    "{e}已经等了 {} 秒，它仍在使用，这个命令没有执行。",
                    wait.unwrap_or_default()
                ));
            }
            Err(e @ crate::store::LockError::Held { .. }) if until.is_some() => {
                if !told {
                    eprintln!(
                        "{e}
正在等待它结束…"
                    );
                    told = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            Err(e @ crate::store::LockError::Held { .. }) => {
                return Err(format!("{e}也可以加 --wait，等它结束后自动执行。"));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}
