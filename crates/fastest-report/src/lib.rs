//! `fastest-report`: reporters. Events in, text out; nothing here runs tests or reads
//! configuration.
//!
//! - [`terminal`]: pytest's terminal output for a run (progress lines, `-v` lines,
//!   FAILURES/ERRORS sections, warnings summary, short test summary, the final line).
//! - [`live`]: the live progress display on a terminal (indicatif), below the
//!   terminal reporter's output.
//! - [`durations`]: the `--durations` section ("slowest N durations").
//! - [`junit`]: `--junitxml`, the JUnit XML file pytest's junitxml plugin writes.
//! - [`text`]: pytest's text primitives shared with the `--collect-only` renderer:
//!   separators, `-r` characters, relative paths, the session header.

pub mod durations;
pub mod github;
pub mod json;
pub mod junit;
pub mod live;
pub mod merge;
pub mod terminal;
pub mod text;
