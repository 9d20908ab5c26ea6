//! pytest's `--durations=N` / `--durations-min=S` section ("slowest N durations"),
//! as `_pytest/runner.py`'s `pytest_terminal_summary` draws it: every report of the
//! run (setup, call and teardown phases, passing setups included) sorted by duration,
//! slowest first, ties in arrival order; the first one under the threshold ends the
//! list with a `(K durations < 0.005s hidden.  Use -vv to show these durations.)` line.

use fastest_core::report::TestReport;

/// What `--durations`/`--durations-min` asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Durations {
    /// `--durations=N`: 0 shows all.
    pub count: i64,
    /// `--durations-min`; unset: 0.005 s, or 0 from `-vv` on.
    pub min: Option<f64>,
}

/// The section: its `=` separator title and the lines below it. `None` when no test
/// reported (pytest prints nothing then).
pub fn section<'a>(
    reports: impl IntoIterator<Item = &'a TestReport>,
    opts: Durations,
    verbosity: i32,
) -> Option<(String, Vec<String>)> {
    let mut list: Vec<&TestReport> = reports.into_iter().collect();
    if list.is_empty() {
        return None;
    }
    let min = opts.min.unwrap_or(if verbosity < 2 { 0.005 } else { 0.0 });
    // A stable sort, as Python's.
    list.sort_by(|a, b| b.duration.total_cmp(&a.duration));
    let title = if opts.count == 0 {
        "slowest durations".to_string()
    } else {
        // `dlist[:N]`, a negative N counting from the end.
        let keep = if opts.count > 0 {
            usize::try_from(opts.count).unwrap_or(usize::MAX)
        } else {
            list.len()
                .saturating_sub(usize::try_from(opts.count.unsigned_abs()).unwrap_or(usize::MAX))
        };
        list.truncate(keep);
        format!("slowest {} durations", opts.count)
    };
    let mut lines = Vec::new();
    for (i, rep) in list.iter().enumerate() {
        if rep.duration < min {
            lines.push(String::new());
            let mut msg = format!("({} durations < {}s hidden.", list.len() - i, py_g(min));
            if opts.min.is_none() {
                msg.push_str("  Use -vv to show these durations.");
            }
            msg.push(')');
            lines.push(msg);
            break;
        }
        lines.push(format!(
            "{:.2}s {:<8} {}",
            rep.duration,
            rep.when.as_str(),
            rep.nodeid
        ));
    }
    Some((title, lines))
}

/// Python's `format(x, "g")`: six significant digits, trailing zeros dropped,
/// scientific notation below 1e-4 or from 1e6.
pub fn py_g(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // The exponent after rounding to six significant digits.
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip(mantissa), exp.abs())
    } else {
        let decimals = usize::try_from(5 - exp).unwrap_or(0);
        strip(&format!("{x:.decimals$}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_python() {
        for (x, s) in [
            (0.005, "0.005"),
            (0.0, "0"),
            (1.0, "1"),
            (0.5, "0.5"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (2.5e10, "2.5e+10"),
            (0.1234567, "0.123457"),
        ] {
            assert_eq!(py_g(x), s, "{x}");
        }
    }
}
