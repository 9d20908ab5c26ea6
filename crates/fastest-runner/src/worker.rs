//! The worker's side of the protocol, inside the extension module: connect to the
//! coordinator, build the Python engine from the session's settings, and run each item
//! with its successor (pytest's `nextitem`), sending the reports back as they come.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::unix::net::UnixStream;
use std::rc::Rc;

use pyo3::prelude::*;

use crate::protocol::{FromWorker, Interruption, ItemSpec, ToWorker};
use fastest_core::report::WarningReport;

fn io_err(e: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(format!("fastest worker: {e}"))
}

fn send(link: &RefCell<Link>, msg: &FromWorker) -> PyResult<()> {
    let out = &mut link.borrow_mut().out;
    serde_json::to_writer(&mut *out, msg).map_err(io_err)?;
    out.write_all(b"\n").map_err(io_err)?;
    out.flush().map_err(io_err)
}

/// The worker's end of the socket. The loop and the engine's [`Channel`] share it; a
/// borrow lasts one message, never across a call into Python.
struct Link {
    out: BufWriter<UnixStream>,
    inbox: Inbox,
}

impl Link {
    /// One phase's report (already JSON); with capture off, flushed and acknowledged
    /// before the test goes on, so its next output follows the outcome printed for it.
    fn report(&mut self, report: &str) -> PyResult<()> {
        self.out.write_all(b"{\"reports\":[").map_err(io_err)?;
        self.out.write_all(report.as_bytes()).map_err(io_err)?;
        self.out.write_all(b"]}\n").map_err(io_err)?;
        if self.inbox.sync && shows_something(report) {
            self.sync()?;
        }
        Ok(())
    }

    /// Wait until the coordinator has shown everything sent so far.
    fn sync(&mut self) -> PyResult<()> {
        self.out.write_all(b"\"sync\"\n").map_err(io_err)?;
        self.out.flush().map_err(io_err)?;
        self.inbox.wait_for_ack()
    }
}

/// The fields of a report that decide whether the terminal draws anything for it.
#[derive(serde::Deserialize)]
struct Shown {
    when: fastest_core::report::Phase,
    outcome: fastest_core::report::Outcome,
    #[serde(default)]
    status: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    again: bool,
}

/// Whether the terminal may draw something for this report (JSON): all but a passing
/// setup or teardown with pytest's default status, which no `-v` level shows. A report
/// that cannot be read counts as shown (waiting is only slower).
fn shows_something(report: &str) -> bool {
    use fastest_core::report::{Outcome, Phase};
    match serde_json::from_str::<Shown>(report) {
        Ok(r) => {
            r.when == Phase::Call || r.outcome != Outcome::Passed || r.status.is_some() || r.again
        }
        Err(_) => true,
    }
}

/// The file part of a node id (what the terminal's progress line names).
fn file_of(nodeid: &str) -> &str {
    nodeid.split("::").next().unwrap_or(nodeid)
}

/// Given to the engine (`make_engine(setup, channel)`): the pytest engine sends each
/// report from inside pytest's `pytest_runtest_logreport` with it when capture is off,
/// as pytest prints an outcome before the teardown runs.
#[pyclass(unsendable)]
pub struct Channel {
    link: Rc<RefCell<Link>>,
}

#[pymethods]
impl Channel {
    /// Send one phase's report now.
    fn report(&self, report: &str) -> PyResult<()> {
        let mut link = self
            .link
            .try_borrow_mut()
            .map_err(|_| io_err("the channel is busy"))?;
        link.report(report)
    }

    /// Wait until the coordinator has shown everything sent so far (the test writes to
    /// the terminal itself next).
    fn flush(&self) -> PyResult<()> {
        send(&self.link, &FromWorker::Flush)?;
        let mut link = self
            .link
            .try_borrow_mut()
            .map_err(|_| io_err("the channel is busy"))?;
        link.inbox.wait_for_ack()
    }

    /// Whether the coordinator acknowledges each message (capture off).
    #[getter]
    fn sync(&self) -> bool {
        self.link.try_borrow().is_ok_and(|l| l.inbox.sync)
    }
}

/// Run one item: `Started`, the engine's reports, or `Internal` when the engine itself
/// failed (the coordinator stops the run: a result it cannot vouch for is not sent).
/// The coordinator's messages, with those read ahead while waiting for an `Ack`.
struct Inbox {
    reader: BufReader<UnixStream>,
    ahead: VecDeque<ToWorker>,
    /// Capture is off (the setup's `sync`): the test writes to the terminal itself, so
    /// the worker waits (`Sync`) until the coordinator has drawn what comes before
    /// such writes: the file's name (or `-v`'s test line) for a `Started`, the letter
    /// or word of a report.
    sync: bool,
    /// The terminal names each test as it starts (`-v`): every `Started` waits.
    sync_starts: bool,
    /// The file of the last item started: a `Started` in another file waits.
    last_file: Option<String>,
}

impl Inbox {
    fn read_socket(&mut self) -> PyResult<Option<ToWorker>> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).map_err(io_err)? == 0 {
            return Ok(None);
        }
        serde_json::from_str(line.trim_end())
            .map(Some)
            .map_err(io_err)
    }

    fn next(&mut self) -> PyResult<Option<ToWorker>> {
        match self.ahead.pop_front() {
            Some(m) => Ok(Some(m)),
            None => self.read_socket(),
        }
    }

    /// The next batch (`Some`) or `Done` (`None`; also when the coordinator is gone).
    fn next_work(&mut self) -> PyResult<Option<Vec<ItemSpec>>> {
        loop {
            match self.next()? {
                Some(ToWorker::Run(items)) => return Ok(Some(items)),
                Some(ToWorker::Done) | None => return Ok(None),
                Some(ToWorker::Ack | ToWorker::Setup(_) | ToWorker::Warm(_)) => {}
            }
        }
    }

    /// Read until the coordinator closes the connection (what it still sends is of
    /// no use: the session is over).
    fn wait_closed(&mut self) {
        while let Ok(Some(_)) = self.read_socket() {}
    }

    /// Read until the next `Ack`, keeping what comes before it.
    fn wait_for_ack(&mut self) -> PyResult<()> {
        while let Some(m) = self.read_socket()? {
            match m {
                ToWorker::Ack => return Ok(()),
                other => self.ahead.push_back(other),
            }
        }
        Ok(())
    }
}

/// How an item ended, for the loop.
enum ItemEnd {
    Ran,
    /// `Done` arrived while the item waited for its successor: the session is over.
    SessionDone,
    /// The engine failed (`Internal` was sent): stop.
    Stop,
}

/// Run the front item of `queue` (removing it). Its successor is the next queued item;
/// when there is none the worker asks the coordinator before the teardown.
fn run_item(
    engine: &Bound<'_, PyAny>,
    link: &RefCell<Link>,
    queue: &mut VecDeque<ItemSpec>,
) -> PyResult<ItemEnd> {
    let py = engine.py();
    let Some(item) = queue.pop_front() else {
        return Ok(ItemEnd::Ran);
    };
    // One write per item: the previous item's reports (left in the buffer) go with this
    // `Started`, which must reach the coordinator now (`--timeout` deadlines, the live
    // display, and which test a crashed worker was running start from it).
    send(link, &FromWorker::Started(item.nodeid.clone()))?;
    {
        let mut link = link.borrow_mut();
        let inbox = &mut link.inbox;
        if inbox.sync {
            let file = file_of(&item.nodeid);
            let moved = inbox.last_file.as_deref() != Some(file);
            if moved {
                inbox.last_file = Some(file.to_string());
            }
            if moved || inbox.sync_starts {
                link.sync()?;
            }
        }
    }
    let spec = serde_json::to_string(&item).map_err(io_err)?;
    let known = !queue.is_empty();
    let next = queue
        .front()
        .map(serde_json::to_string)
        .transpose()
        .map_err(io_err)?;
    let phases = match engine.call_method1("phases_json", (spec, next, known)) {
        Ok(g) => g,
        Err(e) => return failed(engine, link, &e),
    };
    let mut end = ItemEnd::Ran;
    let mut reply: Option<String> = None;
    loop {
        let yielded = match phases.call_method1("send", (reply.take(),)) {
            Ok(v) => v,
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyStopIteration>(py) => break,
            Err(e) => return failed(engine, link, &e),
        };
        if yielded.is_none() {
            // The teardown needs the successor.
            send(link, &FromWorker::Next)?;
            let work = link.borrow_mut().inbox.next_work()?;
            match work {
                Some(items) => {
                    queue.extend(items);
                    reply = queue
                        .front()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(io_err)?;
                }
                None => end = ItemEnd::SessionDone,
            }
            continue;
        }
        let report = match yielded.extract::<String>() {
            Ok(r) => r,
            Err(e) => return internal(py, link, &e),
        };
        // Without capture the coordinator must print each outcome before the test's
        // next output; otherwise one write per phase batch is enough.
        link.borrow_mut().report(&report)?;
    }
    // Not flushed here: the next `Started`, `Next` or `Finished` carries the reports,
    // and every wait for the coordinator flushes first.
    Ok(end)
}

/// An exception out of the engine: a `KeyboardInterrupt` or `pytest.exit` ends the
/// session as pytest ends it (the engine tears down and describes it: `Interrupted`);
/// anything else is the engine's failure (`Internal`).
fn failed(engine: &Bound<'_, PyAny>, link: &RefCell<Link>, e: &PyErr) -> PyResult<ItemEnd> {
    let py = engine.py();
    match engine
        .call_method1("interruption", (e.value(py),))
        .and_then(|v| v.extract::<Option<String>>())
    {
        Ok(Some(json)) => {
            let info = serde_json::from_str(&json).map_err(io_err)?;
            send(link, &FromWorker::Interrupted(info))?;
            Ok(ItemEnd::Stop)
        }
        Ok(None) => internal(py, link, e),
        Err(_) if !e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => {
            internal(py, link, e)
        }
        // A second interrupt while describing the first: report the first plainly.
        Err(_) => {
            send(link, &FromWorker::Interrupted(Interruption::ctrl_c()))?;
            Ok(ItemEnd::Stop)
        }
    }
}

/// End the session: `Finished`, or `Interrupted` when a Ctrl-C arrived in between.
fn finish(engine: &Bound<'_, PyAny>, link: &RefCell<Link>) -> PyResult<()> {
    // Warnings no report took (the imports of a session whose tests were all
    // deselected): the summary lists them all the same.
    let unreported = engine
        .call_method0("unreported_warnings")
        .and_then(|w| w.extract::<String>());
    match unreported {
        Ok(json) => {
            let warnings: Vec<WarningReport> = serde_json::from_str(&json).map_err(io_err)?;
            if !warnings.is_empty() {
                send(link, &FromWorker::Warnings(warnings))?;
            }
        }
        Err(e) => return failed(engine, link, &e).map(|_| ()),
    }
    match engine.call_method0("finish") {
        Ok(ended) => {
            // The text of what the session's end raised (the native engine's
            // `pytest_unconfigure` stand-in), or `None`.
            if let Ok(text) = ended.extract::<String>() {
                send(link, &FromWorker::SessionEndError(text))?;
            }
            // (An engine without the method, or its failure, adds nothing.)
            let summary = engine
                .call_method0("terminal_summary")
                .and_then(|t| t.extract::<Option<String>>());
            if let Ok(Some(text)) = summary {
                send(link, &FromWorker::PluginSummary(text))?;
            }
            finished(engine.py(), link)
        }
        Err(e) => failed(engine, link, &e).map(|_| ()),
    }
}

/// Say `Finished`, then wait until the coordinator has written the session's end and
/// closes the connection: what the process does on its way out (an `atexit` function
/// that prints) follows the summary, as in pytest's one process. The interpreter's
/// lock is released meanwhile (`py.detach`): a thread a test started may still run.
fn finished(py: Python<'_>, link: &RefCell<Link>) -> PyResult<()> {
    send(link, &FromWorker::Finished)?;
    let mut link = link.borrow_mut();
    let inbox: &mut Inbox = &mut link.inbox;
    py.detach(|| inbox.wait_closed());
    Ok(())
}

/// Tell the coordinator the engine failed (it stops the run).
fn internal(py: Python<'_>, link: &RefCell<Link>, e: &PyErr) -> PyResult<ItemEnd> {
    let text = format_exception(py, e);
    send(link, &FromWorker::Internal(text))?;
    Ok(ItemEnd::Stop)
}

fn format_exception(py: Python<'_>, e: &PyErr) -> String {
    let tb = py
        .import("traceback")
        .and_then(|m| m.call_method1("format_exception", (e.value(py),)))
        .and_then(|lines| lines.extract::<Vec<String>>());
    match tb {
        Ok(lines) => lines.concat(),
        Err(_) => e.to_string(),
    }
}

/// The lowest descriptor the worker's socket ends on: tests write to and close low
/// descriptors they assume free or theirs (argcomplete's completer writes its answer
/// to fd 8 and closes it), which in pytest's one process would only hit pytest's own
/// files; the socket must not be among them.
const HIGH_FD: i32 = 200;

/// `stream` on a descriptor from [`HIGH_FD`] up (close-on-exec), or as it is where the
/// process may not open that many.
fn high_fd(stream: UnixStream) -> UnixStream {
    match rustix::io::fcntl_dupfd_cloexec(&stream, HIGH_FD) {
        Ok(fd) => UnixStream::from(fd),
        Err(_) => stream,
    }
}

/// `worker_main(make_engine, socket)`: the worker's loop, on the coordinator's socket.
/// `make_engine(setup_json, channel)` returns the engine (`fastest._worker.make_engine`).
#[pyfunction]
pub fn worker_main(make_engine: &Bound<'_, PyAny>, socket: std::path::PathBuf) -> PyResult<()> {
    let stream = high_fd(UnixStream::connect(socket).map_err(io_err)?);
    let inbox = Inbox {
        reader: BufReader::new(high_fd(stream.try_clone().map_err(io_err)?)),
        ahead: VecDeque::new(),
        sync: false,
        sync_starts: false,
        last_file: None,
    };
    let link = Rc::new(RefCell::new(Link {
        out: BufWriter::new(stream),
        inbox,
    }));
    let link_ref: &RefCell<Link> = &link;
    let mut engine: Option<Bound<'_, PyAny>> = None;
    let mut queue: VecDeque<ItemSpec> = VecDeque::new();
    loop {
        link_ref.borrow_mut().out.flush().map_err(io_err)?;
        let msg = link_ref.borrow_mut().inbox.next()?;
        let Some(msg) = msg else {
            // The coordinator went away (Ctrl-C, a crash): nothing left to report to.
            return Ok(());
        };
        match msg {
            ToWorker::Setup(setup) => {
                let flag =
                    |key: &str| setup.get(key).and_then(serde_json::Value::as_bool) == Some(true);
                {
                    let inbox = &mut link_ref.borrow_mut().inbox;
                    inbox.sync = flag("sync");
                    inbox.sync_starts = flag("sync_starts");
                }
                let channel = Channel { link: link.clone() };
                let e = make_engine.call1((setup.to_string(), channel));
                match e {
                    Ok(e) => {
                        // The pytest engine's header lines (the native engine has none).
                        if let Ok(h) = e.getattr("header_json") {
                            if let Ok(json) = h.extract::<String>() {
                                let lines = serde_json::from_str(&json).map_err(io_err)?;
                                send(link_ref, &FromWorker::Header(lines))?;
                                let sync = link_ref.borrow().inbox.sync;
                                if sync {
                                    link_ref.borrow_mut().inbox.wait_for_ack()?;
                                }
                            }
                        }
                        // The session's test modules, imported as pytest's collection
                        // imports them; the coordinator may wait for them to be done
                        // (`Imported`, naming the modules that failed) before its
                        // collected line, and may stop the session there.
                        let failed = match e
                            .call_method0("preimport")
                            .and_then(|f| f.extract::<Vec<String>>())
                        {
                            Ok(failed) => failed,
                            Err(err) => {
                                let text = format_exception(make_engine.py(), &err);
                                return send(link_ref, &FromWorker::Internal(text));
                            }
                        };
                        if flag("imports_event") {
                            let sync = link_ref.borrow().inbox.sync;
                            let wait = sync || (flag("check_imports") && !failed.is_empty());
                            send(link_ref, &FromWorker::Imported { failed, wait })?;
                            if wait {
                                link_ref.borrow_mut().inbox.wait_for_ack()?;
                            }
                        }
                        engine = Some(e);
                    }
                    Err(err) => {
                        let text = format_exception(make_engine.py(), &err);
                        return send(link_ref, &FromWorker::Internal(text));
                    }
                }
            }
            ToWorker::Run(items) => {
                let Some(engine) = engine.as_ref() else {
                    return Err(io_err("items before setup"));
                };
                queue.extend(items);
                while !queue.is_empty() {
                    match run_item(engine, link_ref, &mut queue)? {
                        ItemEnd::Ran => {}
                        ItemEnd::Stop => return Ok(()),
                        ItemEnd::SessionDone => return finish(engine, link_ref),
                    }
                    // `-x`/`--maxfail` reached: the engine tore everything down.
                    if engine.getattr("shouldfail")?.is_truthy()? {
                        return finish(engine, link_ref);
                    }
                }
            }
            ToWorker::Done => {
                return match engine.as_ref() {
                    Some(engine) => finish(engine, link_ref),
                    None => finished(make_engine.py(), link_ref),
                };
            }
            // An `Ack` for a test that is over (never sent out of turn).
            ToWorker::Ack => {}
            ToWorker::Warm(spec) => {
                // Only saves the imports work: whatever fails here, they do again and
                // report as pytest would.
                let py = make_engine.py();
                let _ = py
                    .import("fastest._pyc")
                    .and_then(|m| m.call_method1("warm", (spec.to_string(),)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(when: &str, outcome: &str, extra: &str) -> String {
        format!(
            r#"{{"nodeid":"t.py::a","when":"{when}","outcome":"{outcome}","duration":0.0,"location":["t.py",0,"a"]{extra}}}"#
        )
    }

    #[test]
    fn only_a_quiet_passing_setup_or_teardown_needs_no_sync() {
        assert!(!shows_something(&report("setup", "passed", "")));
        assert!(!shows_something(&report("teardown", "passed", "")));
        assert!(shows_something(&report("call", "passed", "")));
        assert!(shows_something(&report("setup", "skipped", "")));
        assert!(shows_something(&report("teardown", "failed", "")));
        // A plugin's own status (a subtest's), or an attempt pytest-rerunfailures
        // runs again (its `Started` is drawn next).
        let status = r#","status":{"category":"subpass","letter":",","word":"SUBPASS"}"#;
        assert!(shows_something(&report("setup", "passed", status)));
        assert!(shows_something(&report(
            "teardown",
            "passed",
            r#","again":true"#
        )));
        // Unreadable: waiting is only slower.
        assert!(shows_something("{"));
    }

    #[test]
    fn a_node_ids_file_is_its_first_part() {
        assert_eq!(file_of("tests/t.py::C::test[a::b]"), "tests/t.py");
        assert_eq!(file_of("tests/t.py"), "tests/t.py");
    }
}
