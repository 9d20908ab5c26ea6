//! The worker's side of the protocol, inside the extension module: connect to the
//! coordinator, build the Python engine from the session's settings, and run each item
//! with its successor (pytest's `nextitem`), sending the reports back as they come.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::unix::net::UnixStream;

use pyo3::prelude::*;

use crate::protocol::{FromWorker, ItemSpec, ToWorker};

fn io_err(e: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(format!("fastest worker: {e}"))
}

fn send(out: &mut BufWriter<UnixStream>, msg: &FromWorker) -> PyResult<()> {
    serde_json::to_writer(&mut *out, msg).map_err(io_err)?;
    out.write_all(b"\n").map_err(io_err)?;
    out.flush().map_err(io_err)
}

/// Run one item: `Started`, the engine's reports, or `Internal` when the engine itself
/// failed (the coordinator stops the run: a result it cannot vouch for is not sent).
/// The coordinator's messages, with those read ahead while waiting for an `Ack`.
struct Inbox {
    reader: BufReader<UnixStream>,
    ahead: VecDeque<ToWorker>,
    /// The setup asked for an `Ack` after each `Started`.
    sync: bool,
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

    fn wait_ack(&mut self) -> PyResult<()> {
        if !self.sync {
            return Ok(());
        }
        while let Some(m) = self.read_socket()? {
            match m {
                ToWorker::Ack => return Ok(()),
                other => self.ahead.push_back(other),
            }
        }
        Ok(())
    }
}

fn run_item(
    engine: &Bound<'_, PyAny>,
    out: &mut BufWriter<UnixStream>,
    inbox: &mut Inbox,
    item: &ItemSpec,
    next: Option<&ItemSpec>,
) -> PyResult<bool> {
    send(out, &FromWorker::Started(item.nodeid.clone()))?;
    inbox.wait_ack()?;
    let spec = serde_json::to_string(item).map_err(io_err)?;
    let next = next
        .map(serde_json::to_string)
        .transpose()
        .map_err(io_err)?;
    let phases = match engine
        .call_method1("phases_json", (spec, next))
        .and_then(|g| g.try_iter())
    {
        Ok(it) => it,
        Err(e) => return internal(engine.py(), out, &e),
    };
    for phase in phases {
        let report = match phase.and_then(|r| r.extract::<String>()) {
            Ok(r) => r,
            Err(e) => return internal(engine.py(), out, &e),
        };
        out.write_all(b"{\"reports\":[").map_err(io_err)?;
        out.write_all(report.as_bytes()).map_err(io_err)?;
        out.write_all(b"]}\n").map_err(io_err)?;
        // With capture off the coordinator must print each outcome before the test's
        // next output; otherwise one write per item is enough.
        if inbox.sync {
            out.flush().map_err(io_err)?;
            inbox.wait_ack()?;
        }
    }
    out.flush().map_err(io_err)?;
    Ok(true)
}

/// Tell the coordinator the engine failed (it stops the run).
fn internal(py: Python<'_>, out: &mut BufWriter<UnixStream>, e: &PyErr) -> PyResult<bool> {
    let text = format_exception(py, e);
    send(out, &FromWorker::Internal(text))?;
    Ok(false)
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

/// `worker_main(make_engine)`: the worker's loop. `make_engine(setup_json)` returns the
/// engine (`fastest._engine.Engine.from_json`).
#[pyfunction]
pub fn worker_main(make_engine: &Bound<'_, PyAny>) -> PyResult<()> {
    let path = std::env::var_os("FASTEST_WORKER_SOCKET")
        .ok_or_else(|| io_err("FASTEST_WORKER_SOCKET is not set"))?;
    let stream = UnixStream::connect(path).map_err(io_err)?;
    let mut inbox = Inbox {
        reader: BufReader::new(stream.try_clone().map_err(io_err)?),
        ahead: VecDeque::new(),
        sync: false,
    };
    let mut out = BufWriter::new(stream);
    let mut engine: Option<Bound<'_, PyAny>> = None;
    let mut pending: Option<ItemSpec> = None;
    loop {
        let Some(msg) = inbox.next()? else {
            // The coordinator went away (Ctrl-C, a crash): nothing left to report to.
            return Ok(());
        };
        match msg {
            ToWorker::Setup(setup) => {
                inbox.sync = setup.get("sync").and_then(serde_json::Value::as_bool) == Some(true);
                let e = make_engine.call1((setup.to_string(),));
                match e {
                    Ok(e) => engine = Some(e),
                    Err(err) => {
                        let text = format_exception(make_engine.py(), &err);
                        return send(&mut out, &FromWorker::Internal(text));
                    }
                }
            }
            ToWorker::Run(items) => {
                let Some(engine) = engine.as_ref() else {
                    return Err(io_err("items before setup"));
                };
                for item in items {
                    if let Some(prev) = pending.take() {
                        if !run_item(engine, &mut out, &mut inbox, &prev, Some(&item))? {
                            return Ok(());
                        }
                        // `-x`/`--maxfail` reached: the engine tore everything down.
                        if engine.getattr("shouldfail")?.is_truthy()? {
                            engine.call_method0("finish")?;
                            return send(&mut out, &FromWorker::Finished);
                        }
                    }
                    pending = Some(item);
                }
            }
            ToWorker::Done => {
                if let Some(engine) = engine.as_ref() {
                    if let Some(prev) = pending.take() {
                        if !run_item(engine, &mut out, &mut inbox, &prev, None)? {
                            return Ok(());
                        }
                    }
                    engine.call_method0("finish")?;
                }
                return send(&mut out, &FromWorker::Finished);
            }
            // An `Ack` for a test that is over (never sent out of turn).
            ToWorker::Ack => {}
        }
    }
}
