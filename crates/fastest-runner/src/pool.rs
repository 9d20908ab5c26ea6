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
//! runs over a Unix socket in a private temporary directory. The bootstrap replaces the
//! `-c` entry (the current directory) at the head of `sys.path` before anything is
//! imported with what the coordinator had there (`FASTEST_PATH0`: the console script's
//! directory, as for the `pytest` script; the current directory under `python -m
//! fastest`, as under `python -m pytest`), or drops it.
//!
//! A worker that dies mid-item (a segfault, `os._exit`, the OOM killer) is reported as a
//! crash of the item it was running; a new worker goes on with the items after it.
//!
//! Workers may be started ahead of the pool ([`Prestarted`]), while the coordinator
//! still waits for pytest's collection of files only an import can describe: their
//! interpreter starts and imports the engine meanwhile, so that cost overlaps the
//! collection instead of following it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fastest_core::report::{Event, Interruption, Outcome, Phase, TestReport};

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
    /// The worker died before its first test (importing a test module ended the
    /// process: `os._exit`, a segfault).
    #[error("the worker exited before its first test ({})", describe(*.0))]
    Died(ExitStatus),
}

/// How to start a worker.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub python: PathBuf,
    pub cwd: PathBuf,
    /// Modules the worker imports while it waits for the session's setup (an argument,
    /// comma-separated): what the setup will need anyway.
    pub preload: Vec<String>,
}

/// The worker's `-c` program. What the coordinator tells it comes as arguments (the
/// socket's path, the modules to preload, the session's id, and under `-n` pytest-xdist's
/// worker variables), not through the environment: a process started with changed
/// variables gets them all in sorted order, and `os.environ` in the tests is the
/// user's, in the user's order, as under pytest (xdist's variables and the session id
/// are added at the end, `FASTEST_PATH0` removed). Under `-n` they come as in a
/// pytest-xdist worker, which inherits them from its controller: `PYTEST_VERSION`, then
/// `LINES` and `COLUMNS` (pytest's capture imports `readline`, whose start-up exports
/// the size of the terminal on stdin, from the environment or 80x24 without one, to
/// the processes started after), then xdist's own. A Ctrl-C before the worker's loop
/// runs (while it imports) ends it quietly: it holds nothing to tear down.
const BOOTSTRAP: &str = "import os, sys
p = os.environ.pop('FASTEST_PATH0', None)
if not getattr(sys.flags, 'safe_path', False):
    if p:
        sys.path[0] = p
    else:
        del sys.path[0]
sock, preload, session, executable, *xdist = sys.argv[1:]
del sys.argv[1:]
if not xdist:
    # The coordinator's sys.executable, as it was given (started by this absolute
    # path, the interpreter normalises it: `./venv/bin/python` would lose its `./`).
    # A pytest-xdist worker's is the normalised one.
    sys.executable = executable
else:
    try:
        from _pytest._version import version
    except Exception:
        pass
    else:
        os.environ['PYTEST_VERSION'] = version
    try:
        import readline
    except ImportError:
        pass
    else:
        def size(got, k):
            if got > 0:
                return got
            try:
                return int(os.environ.get(k, ''))
            except ValueError:
                return 0
        try:
            cols, lines = os.get_terminal_size(0)
        except OSError:
            cols = lines = 0
        lines, cols = size(lines, 'LINES'), size(cols, 'COLUMNS')
        os.environ['LINES'] = str(lines if lines > 0 else 24)
        os.environ['COLUMNS'] = str(cols if cols > 1 else 80)
    worker, count, uid = xdist
    os.environ['PYTEST_XDIST_TESTRUNUID'] = uid
    os.environ['PYTEST_XDIST_WORKER'] = worker
    os.environ['PYTEST_XDIST_WORKER_COUNT'] = count
os.environ['FASTEST_SESSION'] = session
try:
    from fastest._worker import main
    main(sock, preload)
except KeyboardInterrupt:
    raise SystemExit(130)";

/// Where the worker's socket directory goes: the temp dir (Python's choice:
/// `fastest_core::temp`), unless its path is too long
/// for a Unix socket address (`sun_path` holds 108 bytes on Linux, 104 on macOS), then
/// `/tmp`.
fn socket_base() -> PathBuf {
    let tmp = fastest_core::temp::temp_root().to_path_buf();
    // The socket's path adds `/fastest-XXXXXX/worker.sock` (27 bytes).
    if tmp.as_os_str().len() + 27 < 100 {
        tmp
    } else {
        PathBuf::from("/tmp")
    }
}

/// The process of one worker, started with its socket's listener bound.
struct Pending {
    child: Child,
    listener: UnixListener,
    /// The connection, when it was accepted ahead of the pool ([`Prestarted::warm`]).
    stream: Option<UnixStream>,
    /// The private directory of the socket (removed when dropped).
    dir: tempfile::TempDir,
}

/// A worker's environment beyond the user's: pytest-xdist's for slot `id` of a
/// distributed run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placement {
    id: usize,
    /// `(PYTEST_XDIST_WORKER_COUNT, PYTEST_XDIST_TESTRUNUID)` when distributed.
    xdist: Option<(usize, String)>,
}

/// Start a worker: its socket directory and listener first, then the process.
fn start_worker(cmd: &WorkerCommand, place: &Placement) -> Result<Pending, RunnerError> {
    let dir = tempfile::Builder::new()
        .prefix("fastest-")
        .tempdir_in(socket_base())?;
    let sock = dir.path().join("worker.sock");
    let listener = UnixListener::bind(&sock)?;
    // No `Command::env`: a changed environment reaches the child in sorted order.
    let mut command = Command::new(&cmd.python);
    command
        .args(fastest_core::interpreter::flags())
        .arg("-c")
        .arg(BOOTSTRAP)
        .arg(&sock)
        .arg(cmd.preload.join(","))
        .arg(fastest_core::report::session_id())
        .arg(&cmd.python)
        .current_dir(&cmd.cwd);
    if let Some((count, uid)) = &place.xdist {
        command
            .arg(format!("gw{}", place.id))
            .arg(count.to_string())
            .arg(uid);
    }
    let child = command.spawn().map_err(|source| RunnerError::Spawn {
        python: cmd.python.display().to_string(),
        source,
    })?;
    Ok(Pending {
        child,
        listener,
        stream: None,
        dir,
    })
}

/// Workers started before [`run_pool`] (see the module docs). The pool's first worker
/// in each slot is taken from here when it was started for the same command and
/// options; whatever the pool does not take is killed when this is dropped.
pub struct Prestarted {
    cmd: WorkerCommand,
    testrun_uid: String,
    distributed: bool,
    workers: usize,
    pending: Mutex<Vec<Option<Pending>>>,
}

impl Prestarted {
    /// Start `count` workers (slots `0..count`) for a pool of `workers` workers,
    /// `distributed` as [`PoolOptions::distributed`], with pytest-xdist's
    /// `testrun_uid` (the pool's options must carry the same).
    pub fn start(
        cmd: &WorkerCommand,
        workers: usize,
        distributed: bool,
        testrun_uid: &str,
        count: usize,
    ) -> Self {
        let pre = Prestarted {
            cmd: cmd.clone(),
            testrun_uid: testrun_uid.to_string(),
            distributed,
            workers,
            pending: Mutex::new(Vec::new()),
        };
        pre.extend(count);
        pre
    }

    /// Start more of the pool's workers, up to `count` (slots started already stay).
    pub fn extend(&self, count: usize) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for id in pending.len()..count.min(self.workers.max(1)) {
            let place = Placement {
                id,
                xdist: self
                    .distributed
                    .then(|| (self.workers, self.testrun_uid.clone())),
            };
            // A worker that cannot start now is started (and its error reported) by
            // the pool.
            pending.push(
                start_worker(&self.cmd, &place)
                    .map_err(|e| tracing::debug!("no worker started ahead: {e}"))
                    .ok(),
            );
        }
    }

    /// Give the started workers test modules to rewrite while the coordinator waits for
    /// something else (pytest's collection of the files discovery could not read): each
    /// worker connects and gets [`ToWorker::Warm`] with its share of `files` and
    /// `settings`. The message is not sent once `still_waiting` is false (the wait was
    /// short: the rewrites are left to the imports). The connections are kept for the
    /// pool. Returns how many workers got their share.
    pub fn warm(
        &self,
        files: &[PathBuf],
        settings: &serde_json::Map<String, serde_json::Value>,
        still_waiting: &AtomicBool,
    ) -> usize {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let live = pending.iter().filter(|p| p.is_some()).count();
        let mut warmed = 0;
        if live == 0 || files.is_empty() {
            return warmed;
        }
        for (k, p) in pending.iter_mut().flatten().enumerate() {
            let stream = match &p.stream {
                Some(s) => s,
                None => match accept(&p.listener, &mut p.child) {
                    // Its failure is the pool's to report when it takes the worker.
                    Err(_) => continue,
                    Ok(s) => p.stream.insert(s),
                },
            };
            if !still_waiting.load(Ordering::Relaxed) {
                return warmed;
            }
            let share: Vec<&PathBuf> = files.iter().skip(k).step_by(live).collect();
            let mut spec = settings.clone();
            spec.insert("files".into(), serde_json::json!(share));
            let msg = ToWorker::Warm(serde_json::Value::Object(spec));
            let mut w = std::io::BufWriter::new(stream);
            let sent = serde_json::to_writer(&mut w, &msg)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
                .and_then(|()| w.flush());
            // (Not logged here: the coordinator's thread waiting for this one may hold
            // stderr.)
            if sent.is_ok() {
                warmed += 1;
            }
        }
        warmed
    }

    /// pytest-xdist's `testrun_uid` the workers were started with.
    pub fn testrun_uid(&self) -> &str {
        &self.testrun_uid
    }

    /// Slot `id`'s worker, when it was started for this command and these options.
    fn take(&self, cmd: &WorkerCommand, opts: &PoolOptions, id: usize) -> Option<Pending> {
        if self.cmd.python != cmd.python
            || self.cmd.cwd != cmd.cwd
            || self.distributed != opts.distributed
            || (opts.distributed
                && (self.workers != opts.workers || self.testrun_uid != opts.testrun_uid))
        {
            return None;
        }
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.get_mut(id).and_then(Option::take)
    }
}

impl Drop for Prestarted {
    fn drop(&mut self) {
        let pending = self.pending.get_mut().unwrap_or_else(|e| e.into_inner());
        for p in pending.iter_mut().filter_map(Option::take) {
            let mut child = p.child;
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

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
    /// pytest-xdist's `--max-worker-restart`: after this many crashed workers no new
    /// one starts and nothing more is dispatched (`None`: no limit).
    pub max_restarts: Option<usize>,
    /// How many times Ctrl-C reached the coordinator (the caller counts SIGINTs): the
    /// first stops dispatch and interrupts the workers' tests, the second kills them.
    pub interrupts: Option<Arc<AtomicUsize>>,
}

/// How long the workers may take to notice a Ctrl-C of the terminal (which reaches the
/// whole process group) before the coordinator passes it on itself (a `kill -INT` of
/// the coordinator alone).
const FORWARD_GRACE: Duration = Duration::from_millis(250);

/// How often the coordinator looks at Ctrl-C and the running tests' deadlines.
const TICK: Duration = Duration::from_millis(20);

/// What the coordinator knows about each worker slot's process, for signals.
#[derive(Default)]
struct Slot {
    /// The live worker's pid (cleared before it is reaped, so never a reused pid).
    pid: Option<u32>,
    /// It reported an interruption and is tearing down: no more SIGINTs for it.
    interrupted: bool,
    /// It has started a test: it may hold fixtures to tear down (a worker still
    /// starting up is killed instead of interrupted).
    busy: bool,
    /// The running test's deadline (`--timeout`, the `timeout` mark) and its limit.
    deadline: Option<(Instant, f64)>,
    /// The coordinator killed the worker at its test's deadline (the limit).
    timed_out: Option<f64>,
}

/// The state worker threads share with the coordinator's thread.
struct Shared {
    /// Hand out no more groups.
    stop: AtomicBool,
    /// The session was interrupted: a dying worker is not a crash, nothing restarts.
    interrupted: AtomicBool,
    /// The coordinator gave up on the session (`Flow::Abort`): everything is killed and
    /// nothing more is reported.
    aborted: AtomicBool,
    slots: Mutex<Vec<Slot>>,
    /// Workers that finished, not yet let go (`PoolEnd::lingering`).
    lingering: Mutex<Vec<Lingering>>,
    /// Workers that died under a test so far.
    crashes: AtomicUsize,
    /// Why the pool stopped restarting workers (pytest-xdist's words).
    restart_limit: Mutex<Option<String>>,
}

impl Shared {
    fn with_slot<T>(&self, id: usize, f: impl FnOnce(&mut Slot) -> T) -> T {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut slots[id])
    }

    /// Send `sig` to every live worker (SIGINT skips those already interrupted).
    fn signal_all(&self, sig: nix::sys::signal::Signal) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        for slot in slots.iter() {
            if let Some(pid) = slot.pid {
                match sig {
                    nix::sys::signal::Signal::SIGINT if slot.interrupted => {}
                    nix::sys::signal::Signal::SIGINT if !slot.busy => {
                        signal(pid, nix::sys::signal::Signal::SIGKILL);
                    }
                    _ => signal(pid, sig),
                }
            }
        }
    }

    /// Kill workers whose running test is past its deadline.
    fn enforce_deadlines(&self, now: Instant) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        for slot in slots.iter_mut() {
            if let (Some(pid), Some((deadline, limit))) = (slot.pid, slot.deadline) {
                if now >= deadline && slot.timed_out.is_none() {
                    slot.timed_out = Some(limit);
                    signal(pid, nix::sys::signal::Signal::SIGKILL);
                }
            }
        }
    }
}

fn signal(pid: u32, sig: nix::sys::signal::Signal) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig);
    }
}

/// What the caller wants after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Hand out no more groups (`-x`/`--maxfail` reached): workers finish what they
    /// hold and stop.
    StopDispatch,
    /// Stop the session now, reporting nothing more: every worker is killed and the
    /// pool's remaining events are not delivered (the caller starts over).
    Abort,
}

/// What worker threads tell the coordinator's thread.
enum Msg {
    /// An event; with a sender when the worker thread waits until it has been handled
    /// (`sync`: with capture off the progress text must be out before the test prints).
    Event(Event, Option<crossbeam_channel::Sender<()>>),
    Done(Result<(), RunnerError>),
    /// Answered once every message before it has been handled (`FromWorker::Sync`).
    Barrier(crossbeam_channel::Sender<()>),
}

/// A scope group: items that run whole, in order, in one worker, and their expected
/// cost (seconds, from history) for the assignment.
#[derive(Debug, Clone)]
pub struct Group {
    pub items: Vec<ItemSpec>,
    pub cost: f64,
}

/// Each worker slot's groups still to run, in collection order (see
/// `fastest_core::schedule::lpt_assign`), each with its place in that order.
struct Queues {
    per_worker: Mutex<Vec<VecDeque<(usize, Group)>>>,
    /// The place of the last group each slot took (`None`: none yet).
    last: Mutex<Vec<Option<usize>>>,
}

impl Queues {
    fn new(per_worker: Vec<VecDeque<(usize, Group)>>) -> Self {
        let n = per_worker.len();
        Queues {
            per_worker: Mutex::new(per_worker),
            last: Mutex::new(vec![None; n]),
        }
    }

    /// The slot's next group; with none left, a group of the slot with the most
    /// expected work left: its first group after the one this slot ran last, so each
    /// worker's run stays a subsequence of pytest's order (as under pytest-xdist: a
    /// module that changes global state never runs before an earlier one in the same
    /// process); when that slot has none after it, its first group.
    fn next(&self, id: usize) -> Option<Vec<ItemSpec>> {
        let mut queues = self.per_worker.lock().unwrap_or_else(|e| e.into_inner());
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (at, group) = match queues.get_mut(id).and_then(VecDeque::pop_front) {
            Some(entry) => entry,
            None => {
                let left =
                    |q: &VecDeque<(usize, Group)>| q.iter().map(|(_, g)| g.cost).sum::<f64>();
                let busiest = (0..queues.len())
                    .filter(|&w| !queues[w].is_empty())
                    .max_by(|&a, &b| left(&queues[a]).total_cmp(&left(&queues[b])))?;
                let after = last.get(id).copied().flatten();
                let pick = queues[busiest]
                    .iter()
                    .position(|(at, _)| after.is_none_or(|l| *at > l))
                    .unwrap_or(0);
                queues[busiest].remove(pick)?
            }
        };
        if let Some(slot) = last.get_mut(id) {
            *slot = Some(at);
        }
        Some(group.items)
    }
}

/// Run `groups` (in collection order) on up to `opts.workers` workers. Each group runs
/// whole, in order, in one worker: the groups are assigned longest first to the least
/// loaded worker, each worker runs its own in collection order, and an idle worker takes
/// over a group of the busiest (`Queues::next`). `on_event` sees every event on the calling
/// thread, ending with [`Event::Finished`].
pub fn run_pool(
    cmd: &WorkerCommand,
    setup: &serde_json::Value,
    groups: Vec<Group>,
    opts: &PoolOptions,
    prestarted: Option<&Prestarted>,
    on_event: &mut dyn FnMut(Event) -> Flow,
) -> Result<PoolEnd, RunnerError> {
    // No more workers start than there are groups to run.
    let workers = opts.workers.max(1).min(groups.len());
    let costs: Vec<f64> = groups.iter().map(|g| g.cost).collect();
    let assignment = fastest_core::schedule::lpt_assign(&costs, workers);
    let mut slots: Vec<Option<Group>> = groups.into_iter().map(Some).collect();
    let queues = Queues::new(
        assignment
            .iter()
            .map(|bin| {
                bin.iter()
                    .filter_map(|&g| slots[g].take().map(|group| (g, group)))
                    .collect()
            })
            .collect(),
    );
    let shared = Shared {
        stop: AtomicBool::new(false),
        interrupted: AtomicBool::new(false),
        aborted: AtomicBool::new(false),
        slots: Mutex::new((0..workers).map(|_| Slot::default()).collect()),
        lingering: Mutex::new(Vec::new()),
        crashes: AtomicUsize::new(0),
        restart_limit: Mutex::new(None),
    };
    let (msg_tx, msg_rx) = crossbeam_channel::unbounded();
    let mut first_error = None;
    let mut interrupt_reported = false;
    std::thread::scope(|scope| {
        for id in 0..workers {
            let driver = Driver {
                id,
                cmd,
                setup,
                opts,
                prestarted,
                queues: &queues,
                out: msg_tx.clone(),
                shared: &shared,
            };
            scope.spawn(move || {
                let result = driver.drive();
                let _ = driver.out.send(Msg::Done(result));
            });
        }
        drop(msg_tx);
        let mut seen_interrupts = 0;
        let mut forward_at: Option<Instant> = None;
        loop {
            let msg = match msg_rx.recv_timeout(TICK) {
                Ok(m) => Some(m),
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            };
            let now = Instant::now();
            let presses = opts
                .interrupts
                .as_ref()
                .map_or(0, |c| c.load(Ordering::Relaxed));
            if presses > seen_interrupts {
                if seen_interrupts == 0 {
                    shared.stop.store(true, Ordering::Relaxed);
                    shared.interrupted.store(true, Ordering::Relaxed);
                    forward_at = Some(now + FORWARD_GRACE);
                }
                if presses >= 2 {
                    // A second Ctrl-C: whatever still runs is killed.
                    shared.signal_all(nix::sys::signal::Signal::SIGKILL);
                }
                seen_interrupts = presses;
            }
            if forward_at.is_some_and(|t| now >= t) {
                forward_at = None;
                shared.signal_all(nix::sys::signal::Signal::SIGINT);
            }
            shared.enforce_deadlines(now);
            match msg {
                Some(Msg::Event(ev, handled)) => {
                    let mut show = !shared.aborted.load(Ordering::Relaxed);
                    if let Event::Interrupted(_) = &ev {
                        // A test raised KeyboardInterrupt (or called `pytest.exit`): the
                        // whole session stops, in the other workers too. The first
                        // interruption is the one the summary shows.
                        let first = !shared.interrupted.swap(true, Ordering::Relaxed);
                        shared.stop.store(true, Ordering::Relaxed);
                        if first {
                            shared.signal_all(nix::sys::signal::Signal::SIGINT);
                        }
                        show = !interrupt_reported;
                        interrupt_reported = true;
                    }
                    match if show { on_event(ev) } else { Flow::Continue } {
                        Flow::Continue => {}
                        Flow::StopDispatch => shared.stop.store(true, Ordering::Relaxed),
                        Flow::Abort => {
                            shared.aborted.store(true, Ordering::Relaxed);
                            shared.stop.store(true, Ordering::Relaxed);
                            shared.signal_all(nix::sys::signal::Signal::SIGKILL);
                        }
                    }
                    if let Some(h) = handled {
                        let _ = h.send(());
                    }
                }
                Some(Msg::Done(Err(e))) => {
                    shared.stop.store(true, Ordering::Relaxed);
                    first_error.get_or_insert(e);
                }
                Some(Msg::Barrier(done)) => {
                    let _ = done.send(());
                }
                Some(Msg::Done(Ok(()))) | None => {}
            }
        }
    });
    if shared.aborted.load(Ordering::Relaxed) {
        return Ok(PoolEnd::default());
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if shared.interrupted.load(Ordering::Relaxed) && !interrupt_reported {
        on_event(Event::Interrupted(Interruption::ctrl_c()));
    }
    on_event(Event::Finished);
    Ok(PoolEnd {
        restart_limit: shared
            .restart_limit
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
        lingering: shared
            .lingering
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
    })
}

/// How the pool ended, beyond its events.
#[derive(Debug, Default)]
pub struct PoolEnd {
    /// `--max-worker-restart` was exceeded: pytest-xdist's summary line for it.
    pub restart_limit: Option<String>,
    /// The workers that finished, waiting to exit until this is dropped (the caller
    /// drops it once the session's output is written).
    pub lingering: Vec<Lingering>,
}

/// A worker that said `Finished` and waits for its connection to close before it exits:
/// what its process does on the way out (`atexit` functions that print) comes after the
/// session's summary, as in pytest's one process. Dropping it closes the connection and
/// waits for the process.
#[derive(Debug)]
pub struct Lingering {
    child: Child,
    stream: Option<BufReader<UnixStream>>,
}

impl Drop for Lingering {
    fn drop(&mut self) {
        drop(self.stream.take());
        let _ = self.child.wait();
    }
}

/// One worker slot: starts a worker process, feeds it groups, and starts a replacement
/// when it dies under a test.
struct Driver<'a> {
    id: usize,
    cmd: &'a WorkerCommand,
    setup: &'a serde_json::Value,
    opts: &'a PoolOptions,
    prestarted: Option<&'a Prestarted>,
    queues: &'a Queues,
    out: crossbeam_channel::Sender<Msg>,
    shared: &'a Shared,
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

    /// After a crash: whether a replacement may start (`--max-worker-restart`), with
    /// pytest-xdist's lines for either answer.
    fn may_restart(&self) -> bool {
        let crashes = self.shared.crashes.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("gw{}", self.id);
        match self.opts.max_restarts {
            Some(max) if crashes > max => {
                let msg = if max == 0 {
                    format!("worker {id} crashed and worker restarting disabled")
                } else {
                    format!("maximum crashed workers reached: {max}")
                };
                self.shared.stop.store(true, Ordering::Relaxed);
                if self.opts.distributed {
                    self.emit(Event::Note(format!("\n{msg}")));
                }
                let mut limit = self
                    .shared
                    .restart_limit
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                // pytest-xdist keeps the last one.
                *limit = Some(msg);
                false
            }
            _ => {
                if self.opts.distributed && !self.interrupted() {
                    self.emit(Event::Note(format!("\nreplacing crashed worker {id}")));
                }
                true
            }
        }
    }

    /// Interrupted or aborted: what a dying worker does is not news.
    fn interrupted(&self) -> bool {
        self.shared.interrupted.load(Ordering::Relaxed)
            || self.shared.aborted.load(Ordering::Relaxed)
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
        if self.shared.stop.load(Ordering::Relaxed) {
            return None;
        }
        self.queues.next(self.id)
    }

    fn drive(&self) -> Result<(), RunnerError> {
        // Items sent to the current worker and not yet over (teardown reported).
        let mut held: VecDeque<ItemSpec> = VecDeque::new();
        let mut replacement = false;
        loop {
            if held.is_empty() {
                match self.next_group() {
                    // (An empty group starts a worker that only imports the session's
                    // modules, as pytest's collection does when nothing is selected.)
                    Some(g) => held.extend(g),
                    // No work left: no worker starts (or restarts) for nothing.
                    None => return Ok(()),
                }
            }
            match self.session(&mut held, replacement) {
                Ok(WorkerEnd::Finished) => return Ok(()),
                Ok(WorkerEnd::Crashed) => {
                    if !self.may_restart() {
                        return Ok(());
                    }
                    replacement = true;
                }
                // Whatever an interrupted worker did on its way out is not news.
                Err(_) if self.interrupted() => return Ok(()),
                Err(e) => return Err(e),
            }
            if self.interrupted() {
                return Ok(());
            }
        }
    }

    /// This slot's worker: the one started ahead for it, else a new one.
    fn spawn(&self) -> Result<Pending, RunnerError> {
        if let Some(p) = self
            .prestarted
            .and_then(|p| p.take(self.cmd, self.opts, self.id))
        {
            return Ok(p);
        }
        let place = Placement {
            id: self.id,
            xdist: self
                .opts
                .distributed
                .then(|| (self.opts.workers, self.opts.testrun_uid.clone())),
        };
        start_worker(self.cmd, &place)
    }

    /// One worker process: run `held` and whatever else it pulls until it finishes or
    /// dies. On a crash the crashed item is reported and removed from `held`.
    /// A `replacement` worker (after a crash) is told so in its setup: what its start
    /// warns (a plugin's configure-time warning) the first worker has shown.
    fn session(
        &self,
        held: &mut VecDeque<ItemSpec>,
        replacement: bool,
    ) -> Result<WorkerEnd, RunnerError> {
        let Pending {
            mut child,
            listener,
            stream: accepted,
            dir: _dir,
        } = self.spawn()?;
        self.shared.with_slot(self.id, |slot| {
            *slot = Slot {
                pid: Some(child.id()),
                ..Slot::default()
            }
        });
        if self.shared.aborted.load(Ordering::Relaxed) {
            // Started as the session was given up: killed before it runs anything.
            let _ = child.kill();
            let _ = self.reap(&mut child);
            return Ok(WorkerEnd::Finished);
        }
        let stream = match accepted.map_or_else(|| accept(&listener, &mut child), Ok) {
            Ok(s) => s,
            Err(e) => {
                let _ = self.reap(&mut child);
                return Err(e);
            }
        };
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
        let mut setup = self.setup.clone();
        if replacement {
            if let Some(map) = setup.as_object_mut() {
                map.insert("replacement".into(), serde_json::Value::Bool(true));
            }
        }
        let _ = tx.send(ToWorker::Setup(setup));
        let _ = tx.send(ToWorker::Run(held.iter().cloned().collect()));
        if held.is_empty() {
            // Nothing to run here: a worker that only imports (every group is empty
            // then, one for each worker to start; taking another's would leave that
            // worker unstarted).
            let _ = tx.send(ToWorker::Done);
        }
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        let mut running = false;
        // Whether the worker got as far as its first test (or said its imports were done).
        let mut began = false;
        let end = loop {
            line.clear();
            let n = match reader.read_line(&mut line) {
                Ok(n) => n,
                // A worker that died with messages of ours unread resets the connection
                // instead of closing it: the same end of its stream.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => 0,
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                break None;
            }
            let msg: FromWorker = serde_json::from_str(line.trim_end())
                .map_err(|e| RunnerError::Internal(format!("bad message from worker: {e}")))?;
            match msg {
                FromWorker::Started(nodeid) => {
                    running = true;
                    began = true;
                    let limit = held
                        .iter()
                        .find(|h| h.nodeid == nodeid)
                        .and_then(|h| h.timeout)
                        .filter(|t| *t > 0.0);
                    self.shared.with_slot(self.id, |slot| {
                        slot.busy = true;
                        slot.deadline =
                            limit.map(|t| (Instant::now() + Duration::from_secs_f64(t), t));
                    });
                    self.emit(Event::TestStarted { nodeid });
                }
                FromWorker::Reports(reports) => {
                    for mut r in reports {
                        // An item is over with its teardown report (not an attempt's
                        // that pytest-rerunfailures runs again).
                        if r.when == Phase::Teardown && !r.again {
                            running = false;
                            self.shared.with_slot(self.id, |slot| slot.deadline = None);
                            if held.front().is_some_and(|h| h.nodeid == r.nodeid) {
                                held.pop_front();
                            }
                        }
                        if self.opts.distributed {
                            r.worker = Some(format!("gw{}", self.id));
                        }
                        // pytest-rerunfailures logs a start for each attempt.
                        let again =
                            (r.when == Phase::Teardown && r.again).then(|| r.nodeid.clone());
                        self.emit(Event::Report(Box::new(r)));
                        if let Some(nodeid) = again {
                            self.emit(Event::TestStarted { nodeid });
                        }
                    }
                }
                FromWorker::Sync => {
                    // Everything before it is on the terminal once the barrier is through.
                    let (done, wait) = crossbeam_channel::bounded(1);
                    if self.out.send(Msg::Barrier(done)).is_ok() {
                        let _ = wait.recv();
                    }
                    let _ = tx.send(ToWorker::Ack);
                }
                FromWorker::Next => self.feed(&tx, held),
                FromWorker::Flush => {
                    let (done, wait) = crossbeam_channel::bounded(1);
                    // Answered once every event before it has been handled.
                    if self
                        .out
                        .send(Msg::Event(Event::WorkerWrites, Some(done)))
                        .is_ok()
                    {
                        let _ = wait.recv();
                    }
                    let _ = tx.send(ToWorker::Ack);
                }
                FromWorker::Header(lines) => {
                    // Without capture the worker's next writes (what importing the test
                    // modules prints) must follow what this one makes the terminal show.
                    if sync {
                        self.emit_handled(Event::Header(lines));
                        let _ = tx.send(ToWorker::Ack);
                    } else {
                        self.emit(Event::Header(lines));
                    }
                }
                FromWorker::Imported { failed, wait } => {
                    began = true;
                    if wait {
                        self.emit_handled(Event::Imported(failed));
                        // Stopped instead (`Flow::Abort`): the worker is being killed.
                        if !self.shared.aborted.load(Ordering::Relaxed) {
                            let _ = tx.send(ToWorker::Ack);
                        }
                    } else {
                        self.emit(Event::Imported(failed));
                    }
                }
                FromWorker::Warnings(warnings) => self.emit(Event::Warnings(warnings)),
                FromWorker::SessionEndError(text) => self.emit(Event::SessionEndError(text)),
                FromWorker::PluginSummary(text) => self.emit(Event::PluginSummary(text)),
                FromWorker::Internal(text) => {
                    drop(tx);
                    let _ = child.kill();
                    let _ = self.reap(&mut child);
                    return Err(RunnerError::Internal(text));
                }
                FromWorker::Interrupted(info) => {
                    self.shared.with_slot(self.id, |slot| {
                        slot.interrupted = true;
                        slot.deadline = None;
                    });
                    self.emit(Event::Interrupted(info));
                    break Some(WorkerEnd::Finished);
                }
                FromWorker::Finished => {
                    drop(tx);
                    let _ = writer.join();
                    // It exits once the connection closes (`Lingering`).
                    self.forget_pid();
                    let mut lingering = self
                        .shared
                        .lingering
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    lingering.push(Lingering {
                        child,
                        stream: Some(reader),
                    });
                    return Ok(WorkerEnd::Finished);
                }
            }
        };
        // A worker that crashed no longer reads: the writer sees a broken pipe; either way
        // it has nothing left to say.
        drop(tx);
        let _ = writer.join();
        // The worker may wait for the connection to close before it exits.
        drop(reader);
        let timed_out = self.shared.with_slot(self.id, |slot| slot.timed_out);
        let status = self.reap(&mut child)?;
        if let Some(done) = end {
            return Ok(done);
        }
        if self.interrupted() && timed_out.is_none() {
            // Killed on the way out of an interrupted session: not a crash.
            return Ok(WorkerEnd::Finished);
        }
        let (reason, text) = match timed_out {
            Some(limit) => {
                let reason = format!("Timeout (>{}s)", py_float(limit));
                let text = format!("Failed: {reason} from fastest (the worker was killed)");
                (reason, text)
            }
            None => {
                let reason = describe(status);
                let text = match held.front() {
                    // pytest-xdist's report (`handle_crashitem`) under `-n`.
                    Some(item) if self.opts.distributed => format!(
                        "worker 'gw{}' crashed while running '{}'",
                        self.id, item.nodeid
                    ),
                    Some(item) => {
                        format!("worker crashed while running '{}': {reason}", item.nodeid)
                    }
                    None => String::new(),
                };
                (reason, text)
            }
        };
        match held.pop_front().filter(|_| running) {
            Some(item) => {
                if self.opts.distributed {
                    // execnet's words for a worker that went away without saying goodbye.
                    self.emit(Event::NodeDown(format!(
                        "[gw{}] node down: Not properly terminated",
                        self.id
                    )));
                }
                self.emit(Event::Crashed {
                    nodeid: item.nodeid.clone(),
                    reason: reason.clone(),
                });
                let mut rep =
                    crash_report(&item, &text, self.opts.distributed && timed_out.is_none());
                if self.opts.distributed {
                    rep.worker = Some(format!("gw{}", self.id));
                }
                self.emit(Event::Report(Box::new(rep)));
                Ok(WorkerEnd::Crashed)
            }
            // Before its first test: while it imported the session's test modules, where
            // pytest's own process would have died the same way.
            None if !began => Err(RunnerError::Died(status)),
            None => Err(RunnerError::Internal(format!(
                "the worker exited between tests ({reason})"
            ))),
        }
    }

    /// Forget the worker's pid (so no signal can reach a reused one), then wait for it.
    fn reap(&self, child: &mut Child) -> std::io::Result<ExitStatus> {
        self.forget_pid();
        child.wait()
    }

    /// The slot no longer signals or times out its worker.
    fn forget_pid(&self) {
        self.shared.with_slot(self.id, |slot| {
            slot.pid = None;
            slot.deadline = None;
        });
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
/// died). `as_xdist`: located at its file, as pytest-xdist reports a crashed item.
fn crash_report(item: &ItemSpec, text: &str, as_xdist: bool) -> TestReport {
    let mut domain: Vec<&str> = item
        .chain
        .iter()
        .filter(|c| c.0 == "Class")
        .map(|c| c.2.as_str())
        .collect();
    domain.push(&item.name);
    let file = item.nodeid.split("::").next().unwrap_or(&item.nodeid);
    let domain = if as_xdist {
        file.to_string()
    } else {
        domain.join(".")
    };
    TestReport {
        longrepr: Some(format!("{text}\n")),
        crash: Some(text.to_string()),
        ..TestReport::new(
            &item.nodeid,
            Phase::Call,
            Outcome::Failed,
            (file.to_string(), None, domain),
        )
    }
}

/// A float as Python's `repr` writes it (`1.0`, `0.25`).
fn py_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{v:.1}")
    } else {
        format!("{v}")
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

/// End this process as a worker's ended (what a caller sees of pytest's own process
/// ending the same way): killed by the worker's signal, else the worker's exit code to
/// exit with (`None` when it had neither).
pub fn end_like(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        if let Ok(signal) = nix::sys::signal::Signal::try_from(sig) {
            // Its default action ends the process (a handler of the interpreter's,
            // faulthandler's say, runs first and ends it the same way).
            let _ = nix::sys::signal::raise(signal);
        }
        // Handled, blocked or unknown: a shell's code for it.
        return Some(128 + sig);
    }
    status.code()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(nodeid: &str, cost: f64) -> Group {
        let spec: ItemSpec = serde_json::from_value(serde_json::json!({
            "nodeid": nodeid, "name": nodeid, "function": nodeid, "path": "/p/x.py",
            "chain": [], "callspec": [],
        }))
        .expect("spec");
        Group {
            items: vec![spec],
            cost,
        }
    }

    fn take(q: &Queues, id: usize) -> Option<String> {
        q.next(id).map(|items| items[0].nodeid.clone())
    }

    #[test]
    fn an_idle_worker_takes_over_groups_in_collection_order() {
        // Worker 0 has the slow group 0, worker 1 the rest: worker 0 then takes worker
        // 1's groups after its own, never one before a group it ran.
        let q = Queues::new(vec![
            VecDeque::from([(0, group("g0", 5.0))]),
            (1..6).map(|i| (i, group(&format!("g{i}"), 1.0))).collect(),
        ]);
        assert_eq!(take(&q, 0).as_deref(), Some("g0"));
        assert_eq!(take(&q, 1).as_deref(), Some("g1"));
        assert_eq!(take(&q, 0).as_deref(), Some("g2"));
        assert_eq!(take(&q, 0).as_deref(), Some("g3"));
        assert_eq!(take(&q, 1).as_deref(), Some("g4"));
        assert_eq!(take(&q, 0).as_deref(), Some("g5"));
        assert_eq!(take(&q, 1), None);
    }

    #[test]
    fn with_nothing_later_left_an_idle_worker_starts_from_the_first() {
        let q = Queues::new(vec![
            VecDeque::from([(4, group("g4", 1.0))]),
            (0..4).map(|i| (i, group(&format!("g{i}"), 1.0))).collect(),
        ]);
        assert_eq!(take(&q, 0).as_deref(), Some("g4"));
        assert_eq!(take(&q, 1).as_deref(), Some("g0"));
        assert_eq!(take(&q, 0).as_deref(), Some("g1"));
        assert_eq!(take(&q, 0).as_deref(), Some("g2"));
        assert_eq!(take(&q, 1).as_deref(), Some("g3"));
    }
}
