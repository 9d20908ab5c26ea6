//! Lists the files of a corpus that discovery's syntax check calls possibly rejected
//! by CPython (3.11 rules): `cargo run --release -p fastest-core --example
//! syntax_corpus -- LIST` where LIST holds one path per line (say every `.py` under a
//! few venvs' site-packages). Files CPython compiles that show up here are false alarms:
//! each sends a test module to the import fallback (session 36 found a dozen kinds).
#![allow(clippy::print_stdout, clippy::unwrap_used)]
use fastest_core::discovery::parse::parse_outline_for;
use fastest_core::discovery::syntax::PyVersion;
fn main() {
    let list = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    for path in list.lines() {
        let Ok(src) = std::fs::read(path) else {
            continue;
        };
        if std::str::from_utf8(&src).is_err() {
            continue;
        }
        let o = parse_outline_for(&src, false, PyVersion(3, 11));
        if let Some(h) = &o.import_hazard {
            if h.starts_with("CPython may reject") || h == "syntax error" {
                println!("{path}\t{h}");
            }
        }
    }
}
