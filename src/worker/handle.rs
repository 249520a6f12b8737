//! The front end's side of the worker: starting its thread, sending commands, receiving
//! events; a panic while handling a command becomes a Chinese error event, a thread that
//! died is reported once. And the throttled progress reporter the jobs use.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use super::Worker;
use super::{Command, Event, Job};

/// What the user is told when the worker panicked (a bug) while doing a job. A transaction
/// open at the time was dropped while unwinding, which rolls it back.
fn internal_error(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("未知错误");
    format!("内部错误：{text}，数据库没有改动。请把这条消息告诉技术人员。")
}

/// The front end's side of the worker.
pub struct WorkerHandle {
    commands: Sender<Command>,
    events: Receiver<Event>,
    cancel: Arc<AtomicBool>,
    /// Whether `poll` has reported that the worker thread is gone.
    stopped: std::cell::Cell<bool>,
}

impl WorkerHandle {
    /// Starts the worker on its own thread; it opens the database at `db` first.
    ///
    /// A panic while handling a command is a bug, not the end of the window: it is caught,
    /// reported as `Failed` for the command's job, and the worker goes on with the next
    /// command. The default panic hook still prints it.
    pub fn spawn(db: PathBuf, notify: Box<dyn Fn() + Send>) -> std::io::Result<Self> {
        use std::panic::{AssertUnwindSafe, catch_unwind};
        let (commands, inbox) = channel::<Command>();
        let (outbox, events) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        std::thread::Builder::new()
            .name("spotcheck-db".to_owned())
            .spawn(move || {
                let mut worker = Worker {
                    db: db.clone(),
                    lock: None,
                    store: None,
                    preview: None,
                    outbox,
                    notify,
                    cancel: flag,
                };
                if let Err(panic) = catch_unwind(AssertUnwindSafe(|| worker.open(&db))) {
                    worker.fail(Job::Open, internal_error(&*panic));
                }
                for command in inbox {
                    let job = command.job();
                    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| worker.handle(command))) {
                        worker.fail(job, internal_error(&*panic));
                    }
                }
            })?;
        Ok(Self {
            commands,
            events,
            cancel,
            stopped: std::cell::Cell::new(false),
        })
    }

    /// A handle whose worker is already gone, as if its thread had died (for tests of the
    /// window).
    #[doc(hidden)]
    #[must_use]
    pub fn already_stopped() -> Self {
        let (commands, _) = channel();
        let (_, events) = channel();
        Self {
            commands,
            events,
            cancel: Arc::default(),
            stopped: std::cell::Cell::new(false),
        }
    }

    pub fn send(&self, command: Command) {
        // A new command starts with a fresh cancel flag. It is cleared here, by the sender, not
        // when the worker picks the command up: a cancel given right after sending must count.
        self.cancel.store(false, Ordering::Relaxed);
        // Fails only if the worker thread is gone; `poll` then reports `Stopped`.
        let _ = self.commands.send(command);
    }

    /// Events ready now, without waiting. Once the worker thread is gone and its last events
    /// are read, yields `Event::Stopped` (once).
    pub fn poll(&self) -> impl Iterator<Item = Event> + '_ {
        std::iter::from_fn(move || match self.events.try_recv() {
            Ok(event) => Some(event),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                (!self.stopped.replace(true)).then_some(Event::Stopped)
            }
        })
    }

    /// Waits for the next event (for tests).
    #[must_use]
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Asks the running job to stop; it answers with `Failed` and changes nothing.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Sends a long job's progress to the window, at most every 100 ms when throttled.
pub(super) struct Reporter<'a> {
    outbox: &'a Sender<Event>,
    notify: &'a (dyn Fn() + Send),
    job: Job,
    last: Option<Instant>,
}

impl<'a> Reporter<'a> {
    pub(super) fn new(outbox: &'a Sender<Event>, notify: &'a (dyn Fn() + Send), job: Job) -> Self {
        Self {
            outbox,
            notify,
            job,
            last: None,
        }
    }

    /// Whether 100 ms have passed since the last report (and it is time for another).
    pub(super) fn due(&mut self) -> bool {
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return false;
        }
        self.last = Some(Instant::now());
        true
    }

    pub(super) fn send(&self, fraction: Option<f32>, text: &str) {
        let _ = self.outbox.send(Event::Progress {
            job: self.job,
            fraction,
            text: text.to_owned(),
        });
        (self.notify)();
    }

    pub(super) fn throttled(&mut self, fraction: Option<f32>, text: &str) {
        if self.due() {
            self.send(fraction, text);
        }
    }
}
