//! `fastest-core`: everything fastest knows about a test suite without running Python.
//!
//! ## Overview
//! - [`config`]: rootdir and configfile discovery and ini values, exactly as pytest 9.2 does it.
//! - [`glob`]: pytest's `fnmatch_ex` glob semantics (`python_files`, `norecursedirs`, ...).
//! - [`discovery`]: the parallel walk, memory-mapped reads, tree-sitter parsing and the
//!   parametrize ID rules that turn files into [`item::Item`]s; files whose items the source
//!   cannot prove are marked uncertain for the import-based fallback.
//! - [`select`]: `-k` / `-m` expressions and node-id selection.
//! - [`item`]: the item model shared by discovery, the runner and the reporters.
//! - [`report`]: the run's events (test reports, warnings) that reporters consume.
//! - [`history`]: per-test durations and outcomes kept between runs.
//! - [`schedule`]: scope groups and their longest-first order.
//! - [`cache`]: pytest's cache directory (`.pytest_cache`): lastfailed, nodeids, stepwise.
//! - [`temp`]: where fastest's own temporary files go (Python's `tempfile.gettempdir()` rule).
//!
//! This crate does no Python: anything that needs an interpreter lives in `fastest-runner`
//! or the CLI.

pub mod cache;
pub mod config;
pub mod discovery;
pub mod glob;
pub mod history;
pub mod interpreter;
pub mod item;
pub mod report;
pub mod schedule;
pub mod select;
pub mod temp;
