//! The coordinator's side of the workers: start them, hand them the session's scope
//! groups, and turn what comes back into [`Event`]s.
//!
//! Each worker slot is a thread driving one worker process; idle workers pull the next
//! group from a shared crossbeam channel (the scheduler filled it longest first), and
//! every event goes to the calling thread over another channel, so the reporter lives on
//! one thread and sees each worker's events in that worker's order.
//!
//! A worker is `python -c <bootstrap>` of the user's interpreter, started in the
//! invocation directory with the user's environment; its stdin, stdout and stderr are the
//! coordinator's (so `-s` output reaches the terminal as under pytest), and the protocol
//! runs over a Unix socket in a private temporary directory. The bootstrap removes the
//! `-c` entry (the current directory) from `sys.path` before anything is imported: a
//! `pytest` console script does not have it either.
//!
//! A worker that dies mid-item (a segfault, `os._exit`, the OOM killer) is reported as a
//! crash of the item it was running; a new worker goes on with the items after it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use fastest_core::report::{Event, Outcome, Phase, TestReport};

use crate::protocol::{FromWorker, ItemSpec, ToWorker};

/// Errors that end a run (not test failures: those are events).
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("cannot start a worker ({python}): {source}")]
    Spawn {
        python: String,
        source: std::io::Error,
    },
    #[error("worker protocol: {0}")]
    Io(#[from] std::io::Error),
    #[error("the worker exited before it connected ({0})")]
    NoConnection(String),
    #[error("the worker could not run the session: {0}")]
    Internal(String),
}

/// How to start a worker.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub python: PathBuf,
    pub cwd: PathBuf,
}

const BOOTSTRAP: &str = "import sys; del sys.path[0]; from fastest._worker import main; main()";

/// How a run is spread over workers.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// At most this many workers (at least one); no more start than there are groups.
    pub workers: usize,
    /// Several workers were asked for (`-n N`): workers get pytest-xdist's environment
    /// (`PYTEST_XDIST_WORKER=gwN`, ...) and reports name their worker.
    pub distributed: bool,
    /// pytest-xdist's `testrun_uid`, shared by the run's workers.
    pub testrun_uid: String,
}

/// What the caller wants after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Hand out no more groups (`-x`/`--maxfail` reached): workers finish what they
    /// hold and stop.
    StopDispatch,
}

/// What worker threads tell the coordinator's thread.
enum Msg {
    /// An event; with a sender when the worker thread waits until it has been handled
    /// (`sync`: with capture off the progress text must be out before the test prints).
    Event(Event, Option<crossbeam_channel::Sender<()>>),
    Done(Result<(), RunnerError>),
}

/// Run `groups` on up to `opts.workers` workers. Each group runs whole, in order, in
/// one worker; idle workers pull the next group in the order given. `on_event` sees
/// every event on the calling thread, ending with [`Event::Finished`].
pub fn run_pool(
    cmd: &WorkerCommand,
    setup: &serde_json::Value,
    groups: Vec<Vec<ItemSpec>>,
    opts: &PoolOptions,
    on_event: &mut dyn FnMut(Event) -> Flow,
) -> Result<(), RunnerError> {
    // No more workers start than there are groups to run.
    let workers = opts.workers.max(1).min(groups.len());
    let (group_tx, group_rx) = crossbeam_channel::unbounded();
    for g in groups {
        let _ = group_tx.send(g);
    }
    drop(group_tx);
    let stop = AtomicBool::new(false);
    let (msg_tx, msg_rx) = crossbeam_channel::unbounded();
    let mut first_error = None;
    std::thread::scope(|scope| {
        for id in 0..workers {
            let driver = Driver {
                id,
                cmd,
                setup,
                opts,
                queue: group_rx.clone(),
                out: msg_tx.clone(),
                stop: &stop,
            };
            scope.spawn(move || {
                let result = driver.drive();
                let _ = driver.out.send(Msg::Done(result));
            });
        }
        drop(msg_tx);
        for msg in msg_rx {
            match msg {
                Msg::Event(ev, handled) => {
                    if on_event(ev) == Flow::StopDispatch {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if let Some(h) = handled {
                        let _ = h.send(());
                    }
                }
                Msg::Done(Err(e)) => {
                    stop.store(true, Ordering::Relaxed);
                    first_error.get_or_insert(e);
                }
                Msg::Done(Ok(())) => {}
            }
        }
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    on_event(Event::Finished);
    Ok(())
}

/// One worker slot: starts a worker process, feeds it groups, and starts a replacement
/// when it dies under a test.
struct Driver<'a> {
    id: usize,
    cmd: &'a WorkerCommand,
    setup: &'a serde_json::Value,
    opts: &'a PoolOptions,
    queue: crossbeam_channel::Receiver<Vec<ItemSpec>>,
    out: crossbeam_channel::Sender<Msg>,
    stop: &'a AtomicBool,
}

enum WorkerEnd {
    Finished,
    /// The worker died while running the first item it held.
    Crashed,
}

impl Driver<'_> {
    fn emit(&self, ev: Event) {
        let _ = self.out.send(Msg::Event(ev, None));
    }

    /// Emit and wait until the coordinator's thread has handled the event.
    fn emit_handled(&self, ev: Event) {
        let (tx, rx) = crossbeam_channel::bounded(1);
        if self.out.send(Msg::Event(ev, Some(tx))).is_ok() {
            let _ = rx.recv();
        }
    }

    /// The next group, unless dispatch has stopped or the queue is empty.
    fn next_group(&self) -> Option<Vec<ItemSpec>> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        self.queue.try_recv().ok()
    }

    fn drive(&self) -> Result<(), RunnerError> {
        // Items sent to the current worker and not yet over (teardown reported).
        let mut held: VecDeque<ItemSpec> = VecDeque::new();
        loop {
            if held.is_empty() {
                match self.next_group() {
                    Some(g) => held.extend(g),
                    // No work left: no worker starts (or restarts) for nothing.
                    None => return Ok(()),
                }
            }
            match self.session(&mut held)? {
                WorkerEnd::Finished => return Ok(()),
                WorkerEnd::Crashed => {}
            }
        }
    }

    fn spawn(&self, sock: &std::path::Path) -> Result<Child, RunnerError> {
        let mut command = Command::new(&self.cmd.python);
        command
            .arg("-c")
            .arg(BOOTSTRAP)
            .env("FASTEST_WORKER_SOCKET", sock)
            .current_dir(&self.cmd.cwd);
        if self.opts.distributed {
            command
                .env("PYTEST_XDIST_WORKER", format!("gw{}", self.id))
                .env("PYTEST_XDIST_WORKER_COUNT", self.opts.workers.to_string())
                .env("PYTEST_XDIST_TESTRUNUID", &self.opts.testrun_uid);
        }
        command.spawn().map_err(|source| RunnerError::Spawn {
            python: self.cmd.python.display().to_string(),
            source,
        })
    }

    /// One worker process: run `held` and whatever else it pulls until it finishes or
    /// dies. On a crash the crashed item is reported and removed from `held`.
    fn session(&self, held: &mut VecDeque<ItemSpec>) -> Result<WorkerEnd, RunnerError> {
        let dir = tempfile::Builder::new().prefix("fastest-").tempdir()?;
        let sock = dir.path().join("worker.sock");
        let listener = UnixListener::bind(&sock)?;
        let mut child = self.spawn(&sock)?;
        let stream = accept(&listener, &mut child)?;
        let writer_stream = stream.try_clone()?;
        let sync = self.setup.get("sync").and_then(serde_json::Value::as_bool) == Some(true);
        let (tx, rx) = crossbeam_channel::unbounded::<ToWorker>();
        // Writing on its own thread: a large batch must not block while the worker waits
        // for its reports to be read.
        let writer = std::thread::spawn(move || -> std::io::Result<()> {
            let mut w = std::io::BufWriter::new(writer_stream);
            for m in rx {
                serde_json::to_writer(&mut w, &m)?;
                w.write_all(b"\n")?;
                w.flush()?;
            }
            Ok(())
        });
        let _ = tx.send(ToWorker::Setup(self.setup.clone()));
        let _ = tx.send(ToWorker::Run(held.iter().cloned().collect()));
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        let mut running = false;
        let end = loop {
            line.clear();
            let n = reader.read_line(&mut line)?;
            if n == 0 {
                break None;
            }
            let msg: FromWorker = serde_json::from_str(line.trim_end())
                .map_err(|e| RunnerError::Internal(format!("bad message from worker: {e}")))?;
            match msg {
                FromWorker::Started(nodeid) => {
                    running = true;
                    if sync {
                        self.emit_handled(Event::TestStarted { nodeid });
                        let _ = tx.send(ToWorker::Ack);
                    } else {
                        self.emit(Event::TestStarted { nodeid });
                    }
                }
                FromWorker::Reports(reports) => {
                    for mut r in reports {
                        // An item is over with its teardown report.
                        if r.when == Phase::Teardown {
                            running = false;
                            if held.front().is_some_and(|h| h.nodeid == r.nodeid) {
                                held.pop_front();
                            }
                        }
                        if self.opts.distributed {
                            r.worker = Some(format!("gw{}", self.id));
                        }
                        if sync {
                            self.emit_handled(Event::Report(Box::new(r)));
                        } else {
                            self.emit(Event::Report(Box::new(r)));
                        }
                    }
                    if sync {
                        let _ = tx.send(ToWorker::Ack);
                    }
                }
                FromWorker::Next => self.feed(&tx, held),
                FromWorker::Internal(text) => {
                    drop(tx);
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(RunnerError::Internal(text));
                }
                FromWorker::Finished => break Some(WorkerEnd::Finished),
            }
        };
        // A worker that crashed no longer reads: the writer sees a broken pipe; either way
        // it has nothing left to say.
        drop(tx);
        let _ = writer.join();
        let status = child.wait()?;
        if let Some(done) = end {
            return Ok(done);
        }
        let reason = describe(status);
        match held.pop_front().filter(|_| running) {
            Some(item) => {
                self.emit(Event::Crashed {
                    nodeid: item.nodeid.clone(),
                    reason: reason.clone(),
                });
                let mut rep = crash_report(&item, &reason);
                if self.opts.distributed {
                    rep.worker = Some(format!("gw{}", self.id));
                }
                self.emit(Event::Report(Box::new(rep)));
                Ok(WorkerEnd::Crashed)
            }
            None => Err(RunnerError::Internal(format!(
                "the worker exited between tests ({reason})"
            ))),
        }
    }

    /// The worker needs the successor of the last item it holds (pytest's `nextitem`):
    /// hand it the next group, or `Done`.
    fn feed(&self, tx: &crossbeam_channel::Sender<ToWorker>, held: &mut VecDeque<ItemSpec>) {
        match self.next_group() {
            Some(g) => {
                held.extend(g.iter().cloned());
                let _ = tx.send(ToWorker::Run(g));
            }
            None => {
                let _ = tx.send(ToWorker::Done);
            }
        }
    }
}

/// The failed report of a test whose worker died under it (pytest itself would have
/// died; this is pytest-xdist's wording).
fn crash_report(item: &ItemSpec, reason: &str) -> TestReport {
    let text = format!("worker crashed while running '{}': {reason}", item.nodeid);
    let mut domain: Vec<&str> = item
        .chain
        .iter()
        .filter(|c| c.0 == "Class")
        .map(|c| c.2.as_str())
        .collect();
    domain.push(&item.name);
    let file = item.nodeid.split("::").next().unwrap_or(&item.nodeid);
    TestReport {
        nodeid: item.nodeid.clone(),
        when: Phase::Call,
        outcome: Outcome::Failed,
        longrepr: Some(format!("{text}\n")),
        crash: Some(text),
        skip: None,
        wasxfail: None,
        duration: 0.0,
        location: (file.to_string(), None, domain.join(".")),
        sections: Vec::new(),
        fold_no_line: false,
        warnings: Vec::new(),
        worker: None,
        user_properties: Vec::new(),
        xml_attributes: Vec::new(),
        testsuite_properties: Vec::new(),
    }
}

/// Wait for the worker to connect, noticing if it dies first.
fn accept(listener: &UnixListener, child: &mut Child) -> Result<UnixStream, RunnerError> {
    listener.set_nonblocking(true)?;
    let start = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Some(status) = child.try_wait()? {
                    return Err(RunnerError::NoConnection(describe(status)));
                }
                // Start-up is an interpreter launch (tens of milliseconds): poll finely
                // at first, then back off.
                let pause = if start.elapsed() < Duration::from_millis(200) {
                    Duration::from_micros(500)
                } else {
                    Duration::from_millis(5)
                };
                std::thread::sleep(pause);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// "signal 11 (SIGSEGV)" or "exit code 3".
pub fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        let name = match sig {
            1 => "SIGHUP",
            2 => "SIGINT",
            6 => "SIGABRT",
            7 => "SIGBUS",
            8 => "SIGFPE",
            9 => "SIGKILL",
            11 => "SIGSEGV",
            13 => "SIGPIPE",
            15 => "SIGTERM",
            _ => "",
        };
        if name.is_empty() {
            format!("signal {sig}")
        } else {
            format!("signal {sig} ({name})")
        }
    } else {
        format!("exit code {}", status.code().unwrap_or(-1))
    }
}
