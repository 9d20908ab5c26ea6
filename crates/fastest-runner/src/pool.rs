//! The coordinator's side of the workers: start one, hand it the session's items, and
//! turn what comes back into [`Event`]s.
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

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
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

/// Run `items` in order in one worker at a time, calling `on_event` for each event.
pub fn run_serial(
    cmd: &WorkerCommand,
    setup: &serde_json::Value,
    items: &[ItemSpec],
    on_event: &mut dyn FnMut(Event),
) -> Result<(), RunnerError> {
    let mut rest = items;
    while !rest.is_empty() {
        match run_worker(cmd, setup, rest, on_event)? {
            WorkerEnd::Finished => break,
            WorkerEnd::Crashed { index } => rest = &rest[index + 1..],
        }
    }
    on_event(Event::Finished);
    Ok(())
}

enum WorkerEnd {
    Finished,
    /// The worker died while running `items[index]`.
    Crashed {
        index: usize,
    },
}

fn run_worker(
    cmd: &WorkerCommand,
    setup: &serde_json::Value,
    items: &[ItemSpec],
    on_event: &mut dyn FnMut(Event),
) -> Result<WorkerEnd, RunnerError> {
    let dir = tempfile::Builder::new().prefix("fastest-").tempdir()?;
    let sock = dir.path().join("worker.sock");
    let listener = UnixListener::bind(&sock)?;
    let mut child = Command::new(&cmd.python)
        .arg("-c")
        .arg(BOOTSTRAP)
        .env("FASTEST_WORKER_SOCKET", &sock)
        .current_dir(&cmd.cwd)
        .spawn()
        .map_err(|source| RunnerError::Spawn {
            python: cmd.python.display().to_string(),
            source,
        })?;
    let stream = accept(&listener, &mut child)?;
    let writer_stream = stream.try_clone()?;
    let sync = setup.get("sync").and_then(serde_json::Value::as_bool) == Some(true);
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
    let _ = tx.send(ToWorker::Setup(setup.clone()));
    let _ = tx.send(ToWorker::Run(items.to_vec()));
    let _ = tx.send(ToWorker::Done);
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut running: Option<usize> = None;
    let mut next_index = 0usize;
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
                running = Some(next_index);
                next_index += 1;
                on_event(Event::TestStarted { nodeid });
                if sync {
                    let _ = tx.send(ToWorker::Ack);
                }
            }
            FromWorker::Reports(reports) => {
                for r in reports {
                    // An item is over with its teardown report.
                    if r.when == fastest_core::report::Phase::Teardown {
                        running = None;
                    }
                    on_event(Event::Report(Box::new(r)));
                }
                if sync {
                    let _ = tx.send(ToWorker::Ack);
                }
            }
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
    match end {
        Some(done) => Ok(done),
        None => {
            let reason = describe(status);
            match running {
                Some(index) => {
                    on_event(Event::Crashed {
                        nodeid: items[index].nodeid.clone(),
                        reason: reason.clone(),
                    });
                    on_event(Event::Report(Box::new(crash_report(
                        &items[index],
                        &reason,
                    ))));
                    Ok(WorkerEnd::Crashed { index })
                }
                None => Err(RunnerError::Internal(format!(
                    "the worker exited between tests ({reason})"
                ))),
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
