//! What a front end needs to run one user action, declared once beside the action.
//!
//! An action is a struct holding the user's request (the quarter, the file chosen…). It says
//! which [`Job`] it belongs to, what the status bar shows while it runs, whether it can be
//! cancelled, which folder its files end up in, and the Chinese sentence that reports it. The
//! window's worker and the command line only route a request to its action and show what it
//! says (`worker::Worker::perform`, `cli::perform`): neither writes a sentence of its own.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDateTime;

use crate::store::Store;

/// Which kind of work a command is: a progress report, a success or a failure belongs to the
/// job it names, so the status bar knows which running job it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Open,
    Roster,
    ReadRoster,
    WriteRoster,
    SaveProblems,
    History,
    Draw,
    Assign,
    SaveSampleList,
    Inspect,
    Evidence,
    Settings,
    Export,
    Rectify,
    Exchange,
    Backup,
    Overview,
}

/// What an action is given while it runs: the store, the time, fresh randomness (for seeds
/// and package ids), a progress sink and the cancel flag.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub at: NaiveDateTime,
    pub fresh: u64,
    pub progress: &'a mut dyn FnMut(Option<f32>, &str),
    pub cancel: &'a AtomicBool,
}

impl Ctx<'_> {
    /// Reports progress: `share` of the work (0 to 1) if known, and what is being done.
    pub fn report(&mut self, share: Option<f32>, text: &str) {
        (self.progress)(share, text);
    }
}

/// One user action, as both front ends run it.
pub trait Action {
    /// What it gives back when it succeeds (shown by the window, printed by the CLI).
    type Done;
    /// Why it failed; its message is what users read.
    type Error: std::fmt::Display;
    /// The job it belongs to.
    const JOB: Job;
    /// The status bar text from the moment it is asked for (`None`: it is instant).
    const RUNNING: Option<&'static str> = None;
    /// Whether the user can stop it while it runs (it then fails and changes nothing).
    const CANCELLABLE: bool = false;
    /// Whether a failure leaves the database as it was (an action that writes in one
    /// transaction): the failure message then says so.
    const UNCHANGED_ON_FAILURE: bool = false;
    /// Whether it changes the database or its log (every export is logged): a database
    /// opened read-only refuses it before it runs.
    const WRITES: bool = true;

    /// The folder the files it writes end up in, for 打开所在文件夹.
    fn output_folder(&self) -> Option<PathBuf> {
        None
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Self::Done, Self::Error>;

    /// The sentence that reports a success (`None`: the result speaks for itself, as a
    /// preview does).
    fn report(&self, done: &Self::Done) -> Option<String>;

    /// The sentence that reports a failure.
    fn failure(&self, error: &Self::Error) -> String {
        let message = error.to_string();
        if Self::UNCHANGED_ON_FAILURE {
            unchanged(&message)
        } else {
            message
        }
    }
}

/// What a front end needs to know of an action before running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInfo {
    pub job: Job,
    pub running: Option<&'static str>,
    pub cancellable: bool,
    pub output_folder: Option<PathBuf>,
    pub writes: bool,
}

impl ActionInfo {
    #[must_use]
    pub fn of<A: Action>(action: &A) -> Self {
        Self {
            job: A::JOB,
            running: A::RUNNING,
            cancellable: A::CANCELLABLE,
            output_folder: action.output_folder(),
            writes: A::WRITES,
        }
    }

    /// What `A` declares of itself, before there is an instance of it to ask for its files.
    #[must_use]
    pub fn of_type<A: Action>() -> Self {
        Self {
            job: A::JOB,
            running: A::RUNNING,
            cancellable: A::CANCELLABLE,
            output_folder: None,
            writes: A::WRITES,
        }
    }

    /// A command that only reads (a view): instant, not cancellable, writes nothing.
    #[must_use]
    pub fn plain(job: Job) -> Self {
        Self {
            job,
            running: None,
            cancellable: false,
            output_folder: None,
            writes: false,
        }
    }
}

/// `message`, then that the database was not changed: one sentence, one full stop.
#[must_use]
pub fn unchanged(message: &str) -> String {
    let message = message.trim_end_matches(['。', '.']);
    if message.ends_with("数据库没有改动") || message.ends_with("数据库没有任何改动")
    {
        format!("{message}。")
    } else {
        format!("{message}。数据库没有改动。")
    }
}

/// The folder holding `path`, for an action that writes that one file.
#[must_use]
pub fn folder_of(path: &std::path::Path) -> Option<PathBuf> {
    path.parent().map(std::path::Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_says_it_once() {
        assert_eq!(unchanged("文件损坏。"), "文件损坏。数据库没有改动。");
        assert_eq!(unchanged("文件损坏"), "文件损坏。数据库没有改动。");
        assert_eq!(
            unchanged("已取消，数据库没有改动。"),
            "已取消，数据库没有改动。"
        );
    }
}
