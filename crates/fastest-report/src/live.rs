//! The live progress display of a run on a terminal (indicatif): below pytest's output,
//! the unfinished progress line and a status line (tests done of the total, elapsed
//! time, the time left estimated from stored durations, the tests running now).
//!
//! Everything the terminal reporter writes goes through [`LiveWriter`]. Finished lines
//! are printed above the display; the unfinished line (`test_a.py ..F.`) is drawn as
//! the display's first line, so letters still appear as tests finish. When the run
//! ends (or a worker is about to write to the terminal itself) the display is cleared
//! and the unfinished line written in place: from then on the terminal holds exactly
//! the bytes pytest would have left there, and writes pass straight through.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use fastest_core::report::{Event, Phase};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle, TermLike};

use crate::text::{markup, Style};

/// How often the elapsed time and the estimate are redrawn while nothing finishes.
const TICK: Duration = Duration::from_millis(200);
/// At most this many redraws a second: a fast suite reports thousands of tests a second.
const REDRAW_HZ: u8 = 15;

/// What the display needs to know about the run.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// Items that will run.
    pub total: usize,
    /// Worker processes running them at once.
    pub workers: usize,
    pub markup: bool,
    /// Stored duration per node id, from earlier runs (the history).
    pub expected: HashMap<String, f64>,
    /// The duration assumed for an item with none stored (the history's mean); without
    /// it and without stored durations the estimate comes from the rate so far.
    pub mean: Option<f64>,
}

/// A terminal the display draws on: [`TermLike`] plus a way to write text as it is.
pub trait LiveTerm: TermLike {
    /// Write `bytes` unchanged (they may hold newlines and escape sequences).
    fn write_raw(&self, bytes: &[u8]) -> io::Result<()>;
}

/// The process's standard output, written through a handle of its own: the ticker
/// thread draws while the main thread holds Rust's stdout lock for the whole session.
#[derive(Debug)]
pub struct StdoutTerm {
    file: Mutex<std::fs::File>,
    width: u16,
}

impl StdoutTerm {
    /// A second handle on file descriptor 1 (`dup`), `width` columns wide.
    pub fn new(width: usize) -> io::Result<StdoutTerm> {
        #[cfg(unix)]
        let file = {
            use std::os::fd::AsFd;
            std::fs::File::from(io::stdout().as_fd().try_clone_to_owned()?)
        };
        #[cfg(windows)]
        let file = {
            use std::os::windows::io::AsHandle;
            std::fs::File::from(io::stdout().as_handle().try_clone_to_owned()?)
        };
        Ok(StdoutTerm {
            file: Mutex::new(file),
            width: u16::try_from(width).unwrap_or(u16::MAX),
        })
    }

    fn put(&self, s: &str) -> io::Result<()> {
        self.put_bytes(s.as_bytes())
    }

    fn put_bytes(&self, bytes: &[u8]) -> io::Result<()> {
        self.file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_all(bytes)
    }
}

impl TermLike for StdoutTerm {
    fn width(&self) -> u16 {
        self.width
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.put(&format!("\x1b[{n}A"))
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.put(&format!("\x1b[{n}B"))
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.put(&format!("\x1b[{n}C"))
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.put(&format!("\x1b[{n}D"))
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.put(&format!("{s}\n"))
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        self.put(s)
    }
    fn clear_line(&self) -> io::Result<()> {
        self.put("\r\x1b[2K")
    }
    fn flush(&self) -> io::Result<()> {
        self.file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
    }
}

impl LiveTerm for StdoutTerm {
    fn write_raw(&self, bytes: &[u8]) -> io::Result<()> {
        self.put_bytes(bytes)?;
        TermLike::flush(self)
    }
}

/// The time left, shared with the status line's `{left}` key.
#[derive(Debug)]
struct Estimate {
    /// Stored seconds of the items not finished yet (`None`: nothing stored).
    remaining: Option<f64>,
    workers: usize,
    /// When `remaining` last changed: time since then counts as done.
    at: Instant,
}

struct State {
    term: Arc<dyn LiveTerm>,
    /// Bytes written since the last flush.
    buffer: Vec<u8>,
    /// The unfinished last line, drawn as the display's first line.
    pending: String,
    /// The display is gone: writes go straight to the terminal.
    detached: bool,
    /// Tests running now, oldest first.
    running: Vec<String>,
    finished: HashSet<String>,
    expected: HashMap<String, f64>,
    mean: Option<f64>,
}

/// The live display of one run. Dropping it clears the display.
pub struct Live {
    bar: ProgressBar,
    state: Arc<Mutex<State>>,
    estimate: Arc<Mutex<Estimate>>,
}

/// The reporter's output while the display is up (see the module docs).
pub struct LiveWriter {
    bar: ProgressBar,
    state: Arc<Mutex<State>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Live {
    /// Start the display on `term`.
    pub fn start(opts: LiveOptions, term: Arc<dyn LiveTerm>) -> Live {
        let remaining = if opts.expected.is_empty() && opts.mean.is_none() {
            None
        } else {
            Some(opts.expected.values().sum::<f64>())
        };
        // Items without a stored duration count the mean.
        let unknown = opts.total.saturating_sub(opts.expected.len());
        let remaining = remaining.map(|r| r + opts.mean.unwrap_or(0.0) * unknown as f64);
        let estimate = Arc::new(Mutex::new(Estimate {
            remaining,
            workers: opts.workers.max(1),
            at: Instant::now(),
        }));
        let target =
            ProgressDrawTarget::term_like_with_hz(Box::new(Shared(Arc::clone(&term))), REDRAW_HZ);
        let bar = ProgressBar::with_draw_target(Some(opts.total as u64), target);
        bar.set_style(status_style(opts.markup, Arc::clone(&estimate)));
        let state = State {
            term,
            buffer: Vec::new(),
            pending: String::new(),
            detached: false,
            running: Vec::new(),
            finished: HashSet::new(),
            expected: opts.expected,
            mean: opts.mean,
        };
        bar.enable_steady_tick(TICK);
        Live {
            bar,
            state: Arc::new(Mutex::new(state)),
            estimate,
        }
    }

    /// The writer the terminal reporter writes to.
    pub fn writer(&self) -> LiveWriter {
        LiveWriter {
            bar: self.bar.clone(),
            state: Arc::clone(&self.state),
        }
    }

    /// Follow the run: tests starting and finishing. The run's end, an interruption
    /// or a worker about to write to the terminal clears the display for good.
    pub fn event(&self, ev: &Event) {
        match ev {
            Event::TestStarted { nodeid } => {
                let mut st = lock(&self.state);
                if !st.running.contains(nodeid) {
                    st.running.push(nodeid.clone());
                }
                let msg = running_line(&st.running);
                drop(st);
                self.bar.set_message(msg);
            }
            Event::Report(r) if r.when == Phase::Teardown && !r.again => self.finished(&r.nodeid),
            Event::Crashed { nodeid, .. } => self.finished(nodeid),
            Event::Finished | Event::Interrupted(_) | Event::WorkerWrites => self.detach(),
            _ => {}
        }
    }

    fn finished(&self, nodeid: &str) {
        let mut st = lock(&self.state);
        if !st.finished.insert(nodeid.to_string()) {
            return;
        }
        st.running.retain(|n| n != nodeid);
        let took = st.expected.get(nodeid).copied().or(st.mean).unwrap_or(0.0);
        let done = st.finished.len() as u64;
        let msg = running_line(&st.running);
        drop(st);
        {
            let mut est = lock(&self.estimate);
            if let Some(r) = est.remaining.as_mut() {
                *r = (*r - took).max(0.0);
            }
            est.at = Instant::now();
        }
        self.bar.set_message(msg);
        self.bar.set_position(done);
    }

    /// Clear the display and write the unfinished line in its place.
    pub fn detach(&self) {
        let mut st = lock(&self.state);
        if st.detached {
            return;
        }
        st.detached = true;
        self.bar.finish_and_clear();
        let mut bytes = std::mem::take(&mut st.pending).into_bytes();
        bytes.append(&mut st.buffer);
        if !bytes.is_empty() {
            let _ = st.term.write_raw(&bytes);
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.detach();
    }
}

impl LiveWriter {
    /// Print the buffered finished lines above the display and redraw the unfinished one.
    fn show(&self) -> io::Result<()> {
        let mut st = lock(&self.state);
        if st.detached {
            let bytes = std::mem::take(&mut st.buffer);
            return st.term.write_raw(&bytes);
        }
        let Some(end) = st.buffer.iter().rposition(|b| *b == b'\n') else {
            let bytes = std::mem::take(&mut st.buffer);
            st.pending.push_str(&String::from_utf8_lossy(&bytes));
            let prefix = pending_prefix(&st.pending);
            drop(st);
            self.bar.set_prefix(prefix);
            return Ok(());
        };
        let rest = st.buffer.split_off(end + 1);
        let lines = std::mem::replace(&mut st.buffer, rest);
        let mut text = std::mem::take(&mut st.pending);
        text.push_str(&String::from_utf8_lossy(&lines));
        st.pending = String::from_utf8_lossy(&std::mem::take(&mut st.buffer)).into_owned();
        let prefix = pending_prefix(&st.pending);
        let term = Arc::clone(&st.term);
        drop(st);
        // The display is cleared while the lines go out and drawn again below them.
        let written = self.bar.suspend(|| {
            text.pop();
            text.split('\n').try_for_each(|l| term.write_line(l))
        });
        self.bar.set_prefix(prefix);
        written
    }
}

impl Write for LiveWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut st = lock(&self.state);
        if st.detached {
            st.term.write_raw(buf)?;
        } else {
            st.buffer.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.show()?;
        let term = Arc::clone(&lock(&self.state).term);
        term.flush()
    }
}

impl Drop for LiveWriter {
    fn drop(&mut self) {
        let _ = self.show();
    }
}

/// The unfinished line as the display's first line (nothing when there is none).
fn pending_prefix(pending: &str) -> String {
    if pending.is_empty() {
        String::new()
    } else {
        format!("{pending}\n")
    }
}

/// `running: a, b` for the status line (the template trims it to the width).
fn running_line(running: &[String]) -> String {
    if running.is_empty() {
        String::new()
    } else {
        format!("running: {}", running.join(", "))
    }
}

/// `1m 05s`, `12s`: how long, to the second.
fn short_duration(secs: f64) -> String {
    let secs = secs.max(0.0).round() as u64;
    match (secs / 3600, secs / 60 % 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s:02}s"),
        (h, m, s) => format!("{h}h {m:02}m {s:02}s"),
    }
}

/// The status line: `[12/400] 3s elapsed, about 20s left  running: ...`.
fn status_style(markup_on: bool, estimate: Arc<Mutex<Estimate>>) -> ProgressStyle {
    let head = markup(markup_on, "[{pos}/{len}]", &[Style::Cyan, Style::Bold]);
    let template = format!("{{prefix}}{head} {{elapsed_short}} elapsed{{left}}  {{wide_msg}}");
    let style =
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar());
    style
        .with_key(
            "elapsed_short",
            |state: &ProgressState, w: &mut dyn fmt::Write| {
                let _ = w.write_str(&short_duration(state.elapsed().as_secs_f64()));
            },
        )
        .with_key(
            "left",
            move |state: &ProgressState, w: &mut dyn fmt::Write| {
                let est = lock(&estimate);
                let left = match est.remaining {
                    // Stored durations over the workers, less the time since the last
                    // test finished.
                    Some(r) => Some(r / est.workers as f64 - est.at.elapsed().as_secs_f64()),
                    // The rate so far (nothing to go by before the first test finishes).
                    None if state.pos() > 0 => Some(state.eta().as_secs_f64()),
                    None => None,
                };
                if let Some(left) = left.filter(|l| *l >= 0.5) {
                    let _ = write!(w, ", about {} left", short_duration(left));
                }
            },
        )
}

/// indicatif owns its target; the display shares the terminal with [`LiveWriter`].
#[derive(Debug)]
struct Shared(Arc<dyn LiveTerm>);

impl TermLike for Shared {
    fn width(&self) -> u16 {
        self.0.width()
    }
    fn height(&self) -> u16 {
        self.0.height()
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use fastest_core::report::{Outcome, TestReport};
    use indicatif::InMemoryTerm;

    /// A screen in memory; a newline is a terminal's CR LF.
    impl LiveTerm for InMemoryTerm {
        fn write_raw(&self, bytes: &[u8]) -> io::Result<()> {
            let text = String::from_utf8_lossy(bytes).replace('\n', "\r\n");
            self.write_str(&text)
        }
    }

    fn live(total: usize, expected: &[(&str, f64)]) -> (Live, InMemoryTerm) {
        let term = InMemoryTerm::new(20, 60);
        let opts = LiveOptions {
            total,
            workers: 1,
            markup: false,
            expected: expected.iter().map(|(n, d)| (n.to_string(), *d)).collect(),
            mean: None,
        };
        let live = Live::start(opts, Arc::new(term.clone()));
        (live, term)
    }

    fn teardown(nodeid: &str) -> Event {
        Event::Report(Box::new(TestReport::new(
            nodeid,
            Phase::Teardown,
            Outcome::Passed,
            ("t.py".into(), None, nodeid.into()),
        )))
    }

    fn started(nodeid: &str) -> Event {
        Event::TestStarted {
            nodeid: nodeid.into(),
        }
    }

    #[test]
    fn finished_lines_go_above_the_status_and_the_unfinished_one_is_drawn_in_it() {
        let (live, term) = live(3, &[]);
        let mut w = live.writer();
        live.event(&started("t.py::a"));
        write!(w, "\nt.py .").unwrap();
        w.flush().unwrap();
        live.event(&teardown("t.py::a"));
        live.event(&started("t.py::b"));
        live.bar.tick();
        let screen = term.contents();
        let lines: Vec<&str> = screen.lines().collect();
        assert_eq!(lines[0], "");
        assert_eq!(lines[1], "t.py .");
        assert!(lines[2].starts_with("[1/3] 0s elapsed"), "{screen}");
        assert!(lines[2].ends_with("running: t.py::b"), "{screen}");
        write!(w, ".  [ 66%]\nu.py ").unwrap();
        w.flush().unwrap();
        let screen = term.contents();
        let lines: Vec<&str> = screen.lines().collect();
        assert_eq!(lines[1], "t.py ..  [ 66%]");
        assert_eq!(lines[2], "u.py");
        assert!(lines[3].starts_with('['), "{screen}");
    }

    #[test]
    fn the_end_of_the_run_leaves_exactly_what_was_written() {
        let (live, term) = live(2, &[]);
        let mut w = live.writer();
        for (i, id) in ["t.py::a", "t.py::b"].iter().enumerate() {
            live.event(&started(id));
            write!(w, "{}", if i == 0 { "\nt.py ." } else { "." }).unwrap();
            w.flush().unwrap();
            live.event(&teardown(id));
        }
        live.event(&Event::Finished);
        // After the display is gone the writes pass straight through.
        write!(w, " [100%]\n== 2 passed ==\n").unwrap();
        w.flush().unwrap();
        drop(live);
        assert_eq!(term.contents(), "\nt.py .. [100%]\n== 2 passed ==");
    }

    #[test]
    fn a_worker_writing_to_the_terminal_clears_the_display_first() {
        let (live, term) = live(2, &[]);
        let mut w = live.writer();
        live.event(&started("t.py::a"));
        write!(w, "\nt.py ").unwrap();
        w.flush().unwrap();
        live.event(&Event::WorkerWrites);
        // What the worker writes itself, then the reporter again.
        term.write_str("hello\r\n").unwrap();
        write!(w, ".").unwrap();
        w.flush().unwrap();
        assert_eq!(term.contents(), "\nt.py hello\n.");
    }

    #[test]
    fn the_time_left_comes_from_stored_durations() {
        let (live, term) = live(2, &[("t.py::a", 30.0), ("t.py::b", 90.0)]);
        live.event(&started("t.py::a"));
        live.bar.tick();
        assert!(
            term.contents().contains("about 2m 00s left"),
            "{}",
            term.contents()
        );
        live.event(&teardown("t.py::a"));
        live.bar.tick();
        assert!(
            term.contents().contains("about 1m 30s left"),
            "{}",
            term.contents()
        );
    }

    #[test]
    fn durations_read_short() {
        assert_eq!(short_duration(0.2), "0s");
        assert_eq!(short_duration(59.6), "1m 00s");
        assert_eq!(short_duration(3725.0), "1h 02m 05s");
    }
}
