//! `fastest-runner`: runs selected items in worker processes of the user's interpreter.
//!
//! - [`protocol`]: the messages between the coordinator and a worker (JSON lines over a
//!   Unix socket, so nothing a test prints on stdout or stderr can reach them).
//! - [`pool`]: the coordinator's side: starts workers (`python -m fastest._worker`),
//!   feeds them batches, turns their messages into [`fastest_core::report::Event`]s,
//!   and reports a worker that dies as a crashed test before going on with a new one.
//! - `worker` (feature `python`): the worker's side, inside the extension module: reads
//!   batches and drives the Python engine (`python/fastest/_engine.py`) item by item.

pub mod pool;
pub mod protocol;
#[cfg(feature = "python")]
pub mod worker;
