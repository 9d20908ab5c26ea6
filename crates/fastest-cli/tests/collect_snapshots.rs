//! Snapshot tests of what `fastest --collect-only` prints, on the demo suite and on small
//! projects written to a temporary directory. Durations and temporary paths are
//! normalised; everything else is compared byte for byte. The oracle tests in
//! python/tests compare the same outputs against real pytest.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use fastest_cli::app;
use fastest_cli::host::Host;

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let host = Host::from_env(dir.to_path_buf());
    let argv: Vec<String> = args.iter().map(|s| (*s).to_string()).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = app::run(&argv, &host, &mut out, &mut err);
    let norm = |b: Vec<u8>| {
        let s = String::from_utf8(b).unwrap();
        let s = s.replace(&dir.display().to_string(), "<ROOT>");
        regex_lite_durations(&s)
    };
    (code, norm(out), norm(err))
}

/// Replace `in 0.01s` style durations with `in <T>`.
fn regex_lite_durations(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(" in ") {
        out.push_str(&rest[..i + 4]);
        let tail = &rest[i + 4..];
        let num_len = tail
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .count();
        if num_len > 0 && tail[num_len..].starts_with('s') {
            out.push_str("<T>s");
            rest = &tail[num_len + 1..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn demo_project() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test_project")
        .canonicalize()
        .unwrap()
}

#[test]
fn demo_suite_quiet() {
    let (code, out, err) = run_in(
        &demo_project(),
        &["--collect-only", "-q", "--no-fastest-cache"],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn demo_suite_counts() {
    let (code, out, _) = run_in(
        &demo_project(),
        &["--collect-only", "-qq", "--no-fastest-cache"],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn demo_suite_keyword_selection() {
    let (code, out, _) = run_in(
        &demo_project(),
        &["--co", "-q", "--no-fastest-cache", "-k", "cart and not Big"],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn tree_form_with_packages_classes_and_params() {
    let tmp = tempfile::tempdir().unwrap();
    // A fixed directory name: the tree prints the rootdir's basename.
    let root = tmp.path().canonicalize().unwrap().join("proj");
    write(
        &root,
        &[
            ("pytest.ini", "[pytest]\n"),
            ("tests/__init__.py", ""),
            (
                "tests/test_a.py",
                "import pytest\n\nclass TestK:\n    def test_m(self): pass\n    class TestInner:\n        def test_n(self): pass\n\n@pytest.mark.parametrize('x', [1, 'a b', None, 2.5, [1]])\ndef test_p(x): pass\n",
            ),
            (
                "tests/test_u.py",
                "import unittest\n\nclass MyTC(unittest.TestCase):\n    def test_z(self): pass\n    def test_a(self): pass\n",
            ),
        ],
    );
    let (code, out, err) = run_in(&root, &["--collect-only", "--no-fastest-cache"]);
    assert_eq!(code, 0, "{err}");
    // The platform line depends on the machine.
    let out: String = out
        .lines()
        .filter(|l| !l.starts_with("platform "))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!(out);
}

#[test]
fn nothing_collected_exits_5() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    write(
        &root,
        &[("pytest.ini", "[pytest]\n"), ("test_none.py", "x = 1\n")],
    );
    let (code, out, _) = run_in(&root, &["--collect-only", "-q", "--no-fastest-cache"]);
    assert_eq!(code, 5);
    insta::assert_snapshot!(out);
}

#[test]
fn missing_path_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    write(&root, &[("pytest.ini", "[pytest]\n")]);
    let (code, out, err) = run_in(&root, &["--collect-only", "-q", "nope.py"]);
    assert_eq!(code, 4);
    insta::assert_snapshot!(format!("--- stdout\n{out}--- stderr\n{err}"));
}

#[test]
fn bad_keyword_expression_is_a_usage_error() {
    let (code, _, err) = run_in(
        &demo_project(),
        &[
            "--collect-only",
            "-q",
            "--no-fastest-cache",
            "-k",
            "a and (",
        ],
    );
    assert_eq!(code, 4);
    insta::assert_snapshot!(err);
}

#[test]
fn warm_cache_gives_the_same_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    write(
        &root,
        &[
            ("pytest.ini", "[pytest]\n"),
            (
                "test_c.py",
                "import pytest\n\n@pytest.mark.parametrize('v', [1, 2])\ndef test_c(v): pass\n",
            ),
        ],
    );
    let cold = run_in(&root, &["--collect-only", "-q"]);
    assert!(root.join(".fastest_cache").is_dir());
    let warm = run_in(&root, &["--collect-only", "-q"]);
    assert_eq!(cold, warm);
    // A corrupt cache is reported and rebuilt, never trusted (its leading format number
    // is one no fastest wrote yet: an older one is rebuilt quietly).
    std::fs::write(root.join(".fastest_cache/discovery-v2.bin"), b"\x7fgarbage").unwrap();
    let (code, out, err) = run_in(&root, &["--collect-only", "-q"]);
    assert_eq!(code, 0);
    assert_eq!(out, cold.1);
    assert!(err.contains("is corrupt"), "{err}");
}
