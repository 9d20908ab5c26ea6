//! Layout tests for [`determine_setup`] and [`Config`]'s accessors. Every expected value
//! was produced by running pytest 9.2.0 on the same layout (`pytest --co` header lines
//! `rootdir:`/`configfile:`, its stderr, and `config.getini(...)`), with `<T>` standing for
//! the temporary directory.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::*;

/// A temporary directory tree.
struct Layout {
    _dir: TempDir,
    root: PathBuf,
}

impl Layout {
    fn new(files: &[(&str, &str)]) -> Layout {
        Layout::with_bytes(
            &files
                .iter()
                .map(|(p, c)| (*p, c.as_bytes()))
                .collect::<Vec<_>>(),
        )
    }

    fn with_bytes(files: &[(&str, &[u8])]) -> Layout {
        let dir = tempfile::tempdir().unwrap();
        // pytest sees the resolved cwd, so compare against the resolved root.
        let root = dir.path().canonicalize().unwrap();
        for (rel, content) in files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, content).unwrap();
        }
        Layout { _dir: dir, root }
    }

    fn req(&self, cwd: &str, args: &[&str]) -> ConfigRequest {
        ConfigRequest {
            invocation_dir: if cwd == "." {
                self.root.clone()
            } else {
                self.root.join(cwd)
            },
            args: args.iter().map(|s| s.to_string()).collect(),
            ..ConfigRequest::default()
        }
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Replace `<T>` with the root in an expected message.
    fn t(&self, s: &str) -> String {
        s.replace("<T>", &self.root.to_string_lossy())
    }
}

fn setup(req: &ConfigRequest) -> Config {
    match determine_setup(req) {
        Ok(c) => c,
        Err(e) => panic!("determine_setup failed: {e}"),
    }
}

fn err(req: &ConfigRequest) -> ConfigError {
    match determine_setup(req) {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e,
    }
}

fn shown(c: &Config) -> Option<String> {
    c.display_inifile()
}

#[test]
fn nearest_config_with_pytest_section_wins() {
    let l = Layout::new(&[
        ("a/pytest.ini", ""),
        ("a/b/tox.ini", "[pytest]\n"),
        ("a/b/c/test_x.py", ""),
    ]);
    let c = setup(&l.req("a/b/c", &[]));
    assert_eq!(c.rootdir, l.p("a/b"));
    assert_eq!(c.inipath, Some(l.p("a/b/tox.ini")));
    assert_eq!(shown(&c).as_deref(), Some("tox.ini"));
    // Node-id suffixes are stripped from args.
    let c = setup(&l.req("a", &["b/c/test_x.py::test_foo[1]"]));
    assert_eq!(c.rootdir, l.p("a/b"));
}

#[test]
fn tox_ini_without_section_is_skipped() {
    let l = Layout::new(&[
        ("a/pytest.ini", ""),
        ("a/b/tox.ini", "[tox]\n"),
        ("a/b/c/test_x.py", ""),
    ]);
    let c = setup(&l.req("a/b/c", &[]));
    assert_eq!(c.rootdir, l.p("a"));
    assert_eq!(shown(&c).as_deref(), Some("pytest.ini"));
}

#[test]
fn configs_below_the_common_ancestor_are_found_from_each_arg() {
    let l = Layout::new(&[
        ("p/q/test_1.py", ""),
        ("p/r/test_2.py", ""),
        ("p/r/setup.cfg", "[tool:pytest]\n"),
    ]);
    let c = setup(&l.req("p", &["q", "r"]));
    assert_eq!(c.rootdir, l.p("p/r"));
    assert_eq!(shown(&c).as_deref(), Some("setup.cfg"));

    let l = Layout::new(&[
        ("a/pytest.ini", ""),
        ("b/pytest.ini", ""),
        ("a/test_a.py", ""),
        ("b/test_b.py", ""),
    ]);
    let c = setup(&l.req(".", &["a", "b"]));
    assert_eq!(c.rootdir, l.p("a"));
    assert_eq!(shown(&c).as_deref(), Some("pytest.ini"));
}

#[test]
fn missing_args_are_ignored() {
    let l = Layout::new(&[("p/q/test_1.py", "")]);
    let c = setup(&l.req("p", &["q/test_1.py", "nonexist"]));
    assert_eq!(c.rootdir, l.p("p"));
    assert_eq!(c.inipath, None);
    assert_eq!(shown(&c), None);
}

#[test]
fn setup_py_marks_the_rootdir() {
    let l = Layout::new(&[("s/setup.py", ""), ("s/t/test_a.py", "")]);
    let c = setup(&l.req("s/t", &[]));
    assert_eq!(c.rootdir, l.p("s"));
    assert_eq!(c.inipath, None);
}

#[test]
fn plain_pyproject_is_the_fallback_configfile() {
    let l = Layout::new(&[
        ("v/pyproject.toml", "[project]\n"),
        ("v/w/tox.ini", "[tox]\n"),
    ]);
    let c = setup(&l.req("v/w", &[]));
    assert_eq!(c.rootdir, l.p("v"));
    assert_eq!(shown(&c).as_deref(), Some("pyproject.toml"));
    assert_eq!(c.keys().count(), 0);

    // An empty `[tool.pytest]` is not pytest config, but the fallback beats setup.py.
    let l = Layout::new(&[
        ("u/pyproject.toml", "[tool.pytest]\n"),
        ("u/setup.py", ""),
        ("u/sub/x", ""),
    ]);
    let c = setup(&l.req("u/sub", &[]));
    assert_eq!(c.rootdir, l.p("u"));
    assert_eq!(shown(&c).as_deref(), Some("pyproject.toml"));

    // ... but not a real config file further up.
    let l = Layout::new(&[("a/pytest.ini", ""), ("a/b/pyproject.toml", "[project]\n")]);
    let c = setup(&l.req("a/b", &[]));
    assert_eq!(c.rootdir, l.p("a"));
    assert_eq!(shown(&c).as_deref(), Some("pytest.ini"));
}

#[test]
fn config_file_option() {
    let l = Layout::new(&[("x/y/test_a.py", ""), ("z/my.ini", "[pytest]\n")]);
    let mut req = l.req("x", &[]);
    req.inifile = Some(PathBuf::from("../z/my.ini"));
    let c = setup(&req);
    assert_eq!(c.rootdir, l.p("z"));
    assert_eq!(c.inipath, Some(l.p("z/my.ini")));
    assert_eq!(shown(&c).as_deref(), Some("my.ini"));

    req.rootdir = Some("y".to_string());
    let c = setup(&req);
    assert_eq!(c.rootdir, l.p("x/y"));
    assert_eq!(shown(&c).as_deref(), Some("../../z/my.ini"));
}

#[test]
fn config_file_that_is_not_a_regular_file() {
    let l = Layout::new(&[("x/y/test_a.py", "")]);
    let mut req = l.req("x", &[]);
    req.inifile = Some(PathBuf::from("/dev/null"));
    let c = setup(&req);
    assert_eq!(c.rootdir, l.p("x"));
    assert_eq!(c.inipath, Some(PathBuf::from("/dev/null")));
    let depth = l
        .p("x")
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .count();
    assert_eq!(shown(&c), Some(format!("{}dev/null", "../".repeat(depth))));
}

#[test]
fn config_file_option_with_odd_files() {
    // A `.cfg` without `[tool:pytest]` is still the configfile, just empty.
    let l = Layout::new(&[("x/setup.cfg", "[metadata]\n"), ("x/y/test_a.py", "")]);
    let mut req = l.req("x/y", &[]);
    req.inifile = Some(PathBuf::from("../setup.cfg"));
    let c = setup(&req);
    assert_eq!(c.rootdir, l.p("x"));
    assert_eq!(shown(&c).as_deref(), Some("setup.cfg"));

    // So is a pyproject.toml without pytest tables.
    let l = Layout::new(&[("m/sub/pyproject.toml", "[project]\n"), ("m/t/x", "")]);
    let mut req = l.req("m/t", &[]);
    req.inifile = Some(PathBuf::from("../sub/pyproject.toml"));
    let c = setup(&req);
    assert_eq!(c.rootdir, l.p("m/sub"));
    assert_eq!(shown(&c).as_deref(), Some("pyproject.toml"));

    // Any other TOML name reads `[tool.pytest.ini_options]` too.
    let l = Layout::new(&[("m/c.toml", "[tool.pytest.ini_options]\naddopts = '-ra'\n")]);
    let mut req = l.req("m", &[]);
    req.inifile = Some(PathBuf::from("c.toml"));
    let c = setup(&req);
    assert_eq!(c.addopts(), ["-ra"]);
    assert_eq!(shown(&c).as_deref(), Some("c.toml"));
}

#[test]
fn rootdir_option() {
    let l = Layout::new(&[("x/y/test_a.py", "")]);
    let mut req = l.req("x", &[]);
    req.rootdir = Some("$FASTEST_T/y".to_string());
    let root_x = l.p("x").to_string_lossy().into_owned();
    let c = determine_setup_with_env(&req, |n| (n == "FASTEST_T").then(|| root_x.clone())).unwrap();
    assert_eq!(c.rootdir, l.p("x/y"));
    assert_eq!(c.inipath, None);

    // With --rootdir, setup.py is not looked for, and `..` is collapsed.
    let l = Layout::new(&[("x/y/test_a.py", ""), ("x/setup.py", "")]);
    let mut req = l.req("x/y", &[]);
    req.rootdir = Some("..".to_string());
    let c = setup(&req);
    assert_eq!(c.rootdir, l.p("x"));
}

#[test]
fn rootdir_falls_back_to_common_ancestor_with_cwd() {
    let l = Layout::new(&[("t/c1/x", ""), ("t/c2/test_a.py", "")]);
    let c = setup(&l.req("t/c1", &["../c2"]));
    assert_eq!(c.rootdir, l.p("t"));
    assert_eq!(c.inipath, None);
}

#[test]
fn file_arg_with_its_own_config() {
    let l = Layout::new(&[("sub/pytest.ini", ""), ("sub/test_a.py", "")]);
    let c = setup(&l.req(".", &["sub/test_a.py"]));
    assert_eq!(c.rootdir, l.p("sub"));
    assert_eq!(shown(&c).as_deref(), Some("pytest.ini"));
}

#[test]
fn ignored_lower_priority_files_are_reported() {
    let l = Layout::new(&[
        ("ig/pytest.ini", "[pytest]\n"),
        ("ig/pyproject.toml", "[tool.pytest.ini_options]\n"),
        ("ig/tox.ini", "[pytest]\n"),
        ("ig/setup.cfg", "[tool:pytest]\n"),
    ]);
    let c = setup(&l.req("ig", &[]));
    assert_eq!(
        shown(&c).as_deref(),
        Some("pytest.ini (WARNING: ignoring pytest config in pyproject.toml, tox.ini, setup.cfg!)")
    );
    assert_eq!(
        c.ignored_config_files(),
        ["pyproject.toml", "tox.ini", "setup.cfg"]
    );

    let l = Layout::new(&[
        ("d/pytest.ini", ""),
        ("d/pytest.toml", ""),
        ("d/.pytest.ini", "[pytest]\n"),
    ]);
    let c = setup(&l.req("d", &[]));
    assert_eq!(
        shown(&c).as_deref(),
        Some("pytest.toml (WARNING: ignoring pytest config in pytest.ini, .pytest.ini!)")
    );
}

#[test]
fn dot_pytest_toml() {
    let l = Layout::new(&[
        ("d/.pytest.toml", "[pytest]\naddopts = ['-ra']\n"),
        ("d/tox.ini", "[tox]\n"),
    ]);
    let c = setup(&l.req("d", &[]));
    assert_eq!(c.rootdir, l.p("d"));
    assert_eq!(shown(&c).as_deref(), Some(".pytest.toml"));
    assert_eq!(c.addopts(), ["-ra"]);
}

#[test]
fn native_toml_with_empty_ini_options_is_allowed() {
    let l = Layout::new(&[(
        "m/pyproject.toml",
        "[tool.pytest]\nx = 1\n[tool.pytest.ini_options]\n",
    )]);
    let c = setup(&l.req("m", &[]));
    assert_eq!(shown(&c).as_deref(), Some("pyproject.toml"));
    assert_eq!(c.keys().collect::<Vec<_>>(), ["x"]);
}

#[test]
fn a_bad_file_above_the_config_is_never_read() {
    let l = Layout::new(&[("m/tox.ini", "x\n"), ("m/n/pytest.ini", "")]);
    let c = setup(&l.req("m/n", &[]));
    assert_eq!(c.rootdir, l.p("m/n"));
}

/// (layout, cwd, args/-c/--rootdir/-o, expected message, exit code)
#[test]
fn errors_match_pytest() {
    type Case<'a> = (
        &'a [(&'a str, &'a str)],
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a [&'a str],
        &'a str,
        i32,
    );
    let cases: &[Case<'_>] = &[
        (
            &[("x/foo.txt", "x")], "x", Some("foo.txt"), None, &[],
            "Config file '<T>/x/foo.txt' has an unsupported format. Supported extensions are: .cfg, .ini, .toml.", 4,
        ),
        (
            &[("x/z/a", "")], "x", Some("z"), None, &[],
            "Config file '<T>/x/z' is a directory. Check your '-c/--config-file' option.", 4,
        ),
        (
            &[("x/a", "")], "x", Some("nothere.ini"), None, &[],
            "Config file '<T>/x/nothere.ini' not found. Check your '-c/--config-file' option.", 4,
        ),
        (
            &[("x/a", "")], "x", None, None, &["foo"],
            "-o/--override-ini expects option=value style (got: 'foo').", 4,
        ),
        (
            &[("x/a", "")], "x", None, Some("nonexist"), &[],
            "Directory '<T>/x/nonexist' not found. Check your '--rootdir' option.", 4,
        ),
        (
            &[("m/pyproject.toml", "[tool.pytest]\nx = 1\n[tool.pytest.ini_options]\ny = 2\n")], "m", None, None, &[],
            "<T>/m/pyproject.toml: Cannot use both [tool.pytest] (native TOML types) and [tool.pytest.ini_options] (string-based INI format) simultaneously. Please use [tool.pytest] with native TOML types (recommended) or [tool.pytest.ini_options] for backwards compatibility.", 4,
        ),
        (
            &[("m/pytest.toml", "addopts = ['-v']\nminversion = '1'\n[other]\n")], "m", None, None, &[],
            "<T>/m/pytest.toml: pytest configuration must be under a [pytest] table (found top-level options: addopts, minversion)", 4,
        ),
        (
            &[("m/pyproject.toml", "[tool.pytest\n")], "m", None, None, &[],
            "<T>/m/pyproject.toml: Expected ']' at the end of a table declaration (at line 1, column 13)", 4,
        ),
        (
            &[("m/pytest.ini", "[pytest]\nfoo\n")], "m", None, None, &[],
            "<T>/m/pytest.ini:2: unexpected line: 'foo'", 4,
        ),
        (
            &[("m/setup.cfg", "[pytest]\naddopts=-v\n")], "m", None, None, &[],
            "[pytest] section in setup.cfg files is no longer supported, change to [tool:pytest] instead.", 1,
        ),
        (
            // Lower-priority files next to the winner are parsed too.
            &[("m/pytest.ini", "[pytest]\n"), ("m/tox.ini", "[tox\n")], "m", None, None, &[],
            "<T>/m/tox.ini:1: unexpected value continuation", 4,
        ),
        (
            &[("m/c.toml", "[pytest]\na = 1\n[tool.pytest]\nb = 2\n")], "m", Some("c.toml"), None, &[],
            "<T>/m/c.toml: Cannot use both [pytest] and [tool.pytest]/[tool.pytest.ini_options] in the same file. Please use [pytest], which is what pytest's own configuration files use; the [tool.pytest] tables are meant for pyproject.toml.", 4,
        ),
        (
            &[("m/pyproject.toml", "[tool]\npytest = 1\n")], "m", None, None, &[],
            "'int' object has no attribute 'items'", 1,
        ),
        (
            &[("m/pytest.toml", "pytest = 1\n")], "m", None, None, &[],
            "'int' object has no attribute 'items'", 1,
        ),
        (
            &[("m/pyproject.toml", "tool = 1\n")], "m", None, None, &[],
            "'int' object has no attribute 'get'", 1,
        ),
        (
            &[("m/pyproject.toml", "[tool.pytest]\nini_options = []\n")], "m", None, None, &[],
            "'list' object has no attribute 'items'", 1,
        ),
        (
            &[("m/pyproject.toml", "[tool.pytest]\naddopts = '-v'\n")], "m", None, None, &[],
            "<T>/m/pyproject.toml: config option 'addopts' expects a list for type 'args', got str: '-v'", 4,
        ),
        (
            &[("m/pytest.ini", "[pytest]\naddopts = -k 'foo\n")], "m", None, None, &[],
            "No closing quotation", 4,
        ),
    ];
    for (files, cwd, inifile, rootdir, overrides, expected, code) in cases {
        let l = Layout::new(files);
        let mut req = l.req(cwd, &[]);
        req.inifile = inifile.map(PathBuf::from);
        req.rootdir = rootdir.map(str::to_string);
        req.overrides = overrides.iter().map(|s| s.to_string()).collect();
        let e = err(&req);
        assert_eq!(e.to_string(), l.t(expected), "{files:?}");
        assert_eq!(e.exit_code(), *code, "{files:?}");
    }
}

#[test]
fn stderr_text_is_what_pytest_prints() {
    let l = Layout::new(&[("m/pytest.ini", "[pytest]\nfoo\n")]);
    let e = err(&l.req("m", &[]));
    assert_eq!(
        e.stderr_text(),
        l.t("ERROR: <T>/m/pytest.ini:2: unexpected line: 'foo'\n\n")
    );

    let l = Layout::new(&[("m/setup.cfg", "[pytest]\n")]);
    let e = err(&l.req("m", &[]));
    assert_eq!(
        e.stderr_text(),
        "Failed: [pytest] section in setup.cfg files is no longer supported, change to [tool:pytest] instead.\n"
    );

    let l = Layout::with_bytes(&[("m/pytest.ini", b"[pytest]\n\xff\n")]);
    let e = err(&l.req("m", &[]));
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.stderr_text(),
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 9: invalid start byte\n"
    );
}

#[test]
fn overrides_fix_a_bad_addopts() {
    let l = Layout::new(&[("m/pyproject.toml", "[tool.pytest]\naddopts = '-v'\n")]);
    let mut req = l.req("m", &[]);
    req.overrides = vec!["addopts=-q".to_string()];
    let c = setup(&req);
    assert_eq!(c.addopts(), ["-q"]);
}

/// `config.getini(...)` values from pytest 9.2 for an ini file.
#[test]
fn ini_values() {
    let l = Layout::new(&[(
        "pytest.ini",
        "[pytest]\naddopts = -ra\n  -q  # c\nmarkers =\n    slow: slow tests\n\n    fast\npython_files = check_*.py  'a b.py'\nxfail_strict = yes\nconsider_namespace_packages = 0\npythonpath = src ../lib . ./x//y/\n",
    )]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(c.addopts(), ["-ra", "-q", "#", "c"]);
    assert_eq!(c.markers(), ["slow: slow tests", "fast"]);
    assert_eq!(c.python_files(), ["check_*.py", "a b.py"]);
    assert_eq!(c.get_bool("strict_xfail").unwrap(), Some(true));
    assert_eq!(c.get_bool("xfail_strict").unwrap(), Some(true));
    assert_eq!(
        c.get_bool("consider_namespace_packages").unwrap(),
        Some(false)
    );
    assert_eq!(c.testpaths(), Vec::<String>::new());
    assert_eq!(c.get_str("minversion"), None);
    assert_eq!(
        c.get_paths("pythonpath").unwrap(),
        // As pathlib joins them: no `.` components, `..` kept.
        [l.p("src"), l.p("../lib"), l.p(""), l.p("x/y")]
    );
    let shown: Vec<String> = c
        .get_paths("pythonpath")
        .unwrap()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let root = l.p("").display().to_string();
    let root = root.trim_end_matches('/');
    assert_eq!(
        shown,
        [
            format!("{root}/src"),
            format!("{root}/../lib"),
            root.to_string(),
            format!("{root}/x/y")
        ]
    );
    assert_eq!(c.python_classes(), ["Test"]);
    assert_eq!(c.python_functions(), ["test"]);
    assert_eq!(
        c.norecursedirs(),
        [
            "*.egg",
            ".*",
            "_darcs",
            "build",
            "CVS",
            "dist",
            "node_modules",
            "venv",
            "{arch}"
        ]
    );
    assert!(c.validate().is_ok());
    assert!(!c.is_native_toml("addopts"));
}

#[test]
fn overrides_win_over_file_values() {
    let l = Layout::new(&[(
        "pytest.ini",
        "[pytest]\nxfail_strict = true\npython_files = a.py\n",
    )]);
    let mut req = l.req(".", &[]);
    req.overrides = ["strict_xfail=off", "python_files=b.py c.py", "markers=m1"]
        .map(String::from)
        .to_vec();
    let c = setup(&req);
    assert_eq!(c.get_bool("strict_xfail").unwrap(), Some(false));
    assert_eq!(c.python_files(), ["b.py", "c.py"]);
    assert_eq!(c.markers(), ["m1"]);

    // The canonical name beats its alias, but an override beats both.
    let l = Layout::new(&[("pytest.ini", "[pytest]\nstrict_xfail = true\n")]);
    let mut req = l.req(".", &[]);
    req.overrides = vec!["xfail_strict=false".to_string()];
    assert_eq!(setup(&req).get_bool("strict_xfail").unwrap(), Some(false));

    // Later overrides of the same name win; `apply_overrides` adds more (from addopts).
    let mut req = l.req(".", &[]);
    req.overrides = vec!["markers=a".to_string(), "markers=b".to_string()];
    let mut c = setup(&req);
    assert_eq!(c.markers(), ["b"]);
    c.apply_overrides(&["markers=c\n d".to_string()]).unwrap();
    assert_eq!(c.markers(), ["c", "d"]);
    assert_eq!(
        c.apply_overrides(&["nope".to_string()])
            .unwrap_err()
            .to_string(),
        "-o/--override-ini expects option=value style (got: 'nope')."
    );
}

#[test]
fn ini_options_table_values() {
    let l = Layout::new(&[(
        "pyproject.toml",
        "[tool.pytest.ini_options]\naddopts = ['-ra', '-q']\nmarkers = 'a\\n b'\nxfail_strict = true\nminversion = 9.0\ntestpaths = 'tests  other'\n",
    )]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(c.addopts(), ["-ra", "-q"]);
    assert_eq!(c.markers(), ["a\\n b"]);
    assert_eq!(c.get_bool("strict_xfail").unwrap(), Some(true));
    assert_eq!(c.get_str("minversion").as_deref(), Some("9.0"));
    assert_eq!(c.testpaths(), ["tests", "other"]);
    assert!(c.validate().is_ok());
}

#[test]
fn native_toml_values() {
    let l = Layout::new(&[(
        "pyproject.toml",
        "[tool.pytest]\naddopts = ['-ra']\nmarkers = ['a: x', 'b']\nxfail_strict = true\ntestpaths = ['tests', 'other']\nminversion = '9.0'\npythonpath = ['src']\n",
    )]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(c.addopts(), ["-ra"]);
    assert_eq!(c.markers(), ["a: x", "b"]);
    assert_eq!(c.get_bool("strict_xfail").unwrap(), Some(true));
    assert_eq!(c.testpaths(), ["tests", "other"]);
    assert_eq!(c.get_str("minversion").as_deref(), Some("9.0"));
    assert_eq!(
        c.try_get_paths("pythonpath").unwrap().unwrap(),
        [l.p("src")]
    );
    assert!(c.is_native_toml("markers"));
    assert!(c.validate().is_ok());

    // `-o` values are ini strings even when the file is native TOML.
    let l = Layout::new(&[(
        "pyproject.toml",
        "[tool.pytest]\nmarkers = ['a']\nxfail_strict = true\n",
    )]);
    let mut req = l.req(".", &[]);
    req.overrides = vec!["markers=x\n y".to_string(), "xfail_strict=0".to_string()];
    let c = setup(&req);
    assert_eq!(c.markers(), ["x", "y"]);
    assert_eq!(c.get_bool("strict_xfail").unwrap(), Some(false));
}

/// pytest 9.2 errors (exit 4) for native-TOML values of the wrong type, in the order
/// pytest reads the options at startup.
#[test]
fn native_toml_type_errors() {
    let l = Layout::new(&[(
        "pyproject.toml",
        "[tool.pytest]\nminversion = 1\npython_files = 't'\npythonpath = '.'\nfilterwarnings = 'e'\nrequired_plugins = 'x'\ntestpaths = '.'\nmarkers = 'm'\npython_classes = 'c'\nxfail_strict = 'true'\n",
    )]);
    let mut c = setup(&l.req(".", &[]));
    let expected = [
        ("minversion", "<T>/pyproject.toml: config option 'minversion' expects a string, got int: 1"),
        ("python_files", "<T>/pyproject.toml: config option 'python_files' expects a list for type 'args', got str: 't'"),
        ("pythonpath", "<T>/pyproject.toml: config option 'pythonpath' expects a list for type 'paths', got str: '.'"),
        ("filterwarnings", "<T>/pyproject.toml: config option 'filterwarnings' expects a list for type 'linelist', got str: 'e'"),
        ("required_plugins", "<T>/pyproject.toml: config option 'required_plugins' expects a list for type 'args', got str: 'x'"),
        ("testpaths", "<T>/pyproject.toml: config option 'testpaths' expects a list for type 'args', got str: '.'"),
        ("markers", "<T>/pyproject.toml: config option 'markers' expects a list for type 'linelist', got str: 'm'"),
    ];
    for (name, msg) in expected {
        let e = c.validate().unwrap_err();
        assert_eq!(e.to_string(), l.t(msg));
        assert_eq!(e.exit_code(), 4);
        // Fix this one with an override and look at the next.
        c.apply_overrides(&[format!("{name}=")]).unwrap();
    }
    assert!(c.validate().is_ok());
    assert_eq!(
        c.try_get_args("python_classes").unwrap_err().to_string(),
        l.t("<T>/pyproject.toml: config option 'python_classes' expects a list for type 'args', got str: 'c'")
    );
    // The lenient accessor still gives something usable.
    assert_eq!(c.python_classes(), ["c"]);
    assert_eq!(
        c.get_bool("strict_xfail").unwrap_err().to_string(),
        l.t("<T>/pyproject.toml: config option 'strict_xfail' expects a bool, got str: 'true'")
    );

    let l = Layout::new(&[(
        "pyproject.toml",
        "[tool.pytest]\npython_files = ['test_*.py', 1]\n",
    )]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        l.t("<T>/pyproject.toml: config option 'python_files' expects a list of strings, but item at index 1 is int: 1")
    );
}

#[test]
fn ini_bool_errors() {
    let l = Layout::new(&[("pytest.ini", "[pytest]\nxfail_strict = maybe\n")]);
    let c = setup(&l.req(".", &[]));
    let e = c.get_bool("strict_xfail").unwrap_err();
    assert_eq!(e.to_string(), "invalid truth value 'maybe'");
    assert_eq!(e.exit_code(), 4);
}

#[test]
fn setup_cfg_and_tox_ini_sections() {
    let l = Layout::new(&[(
        "setup.cfg",
        "[metadata]\nname = x\n[tool:pytest]\npython_functions = check_ *_spec\n",
    )]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(c.python_functions(), ["check_", "*_spec"]);
    assert_eq!(shown(&c).as_deref(), Some("setup.cfg"));

    let l = Layout::new(&[("tox.ini", "[tox]\n[pytest]\nnorecursedirs = .git build\n")]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(c.norecursedirs(), [".git", "build"]);
}

#[test]
fn paths_without_configfile_are_relative_to_invocation_dir() {
    let l = Layout::new(&[("a/x", "")]);
    let mut req = l.req("a", &[]);
    req.overrides = vec!["pythonpath=src".to_string()];
    let c = setup(&req);
    assert_eq!(c.inipath, None);
    assert_eq!(c.get_paths("pythonpath").unwrap(), [l.p("a/src")]);
    assert_eq!(c.invocation_dir(), Path::new(&l.p("a")));
}

/// pytest 9.2 with `minversion = 8.0`, `not_a_real_option` and `another_typo` set:
/// `Unknown config option` for the two (sorted), `-o minversion=99` refused at start-up.
#[test]
fn startup_checks_and_unknown_keys() {
    let l = Layout::new(&[(
        "pytest.ini",
        "[pytest]\nminversion = 8.0\nnot_a_real_option = 1\nanother_typo = yes\nxfail_strict = 1\n",
    )]);
    let installed = [("pytest-xdist".to_string(), "3.8.0".to_string())];
    let pytest = PytestInstall {
        version: Some("9.2.0"),
        plugins: &installed,
    };
    let mut c = setup(&l.req(".", &[]));
    assert_eq!(c.validate_startup(pytest), Ok(Startup::Ok));
    assert_eq!(c.unknown_keys(&[]), ["another_typo", "not_a_real_option"]);
    assert!(c.invalid_keys().is_empty());
    assert!(!c.strict_config().unwrap());

    c.apply_overrides(&["minversion=99".into()]).unwrap();
    let e = c.validate_startup(pytest).unwrap_err();
    assert_eq!(
        e.stderr_text(),
        l.t("ERROR: <T>/pytest.ini: 'minversion' requires pytest-99, actual pytest-9.2.0'\n\n")
    );
    c.apply_overrides(&["minversion=not a version".into()])
        .unwrap();
    assert!(matches!(
        c.validate_startup(pytest),
        Ok(Startup::Undecided(_))
    ));

    c.apply_overrides(&["minversion=".into(), "strict=true".into()])
        .unwrap();
    assert!(c.strict_config().unwrap());
    assert!(c.strict_markers().unwrap());
    c.apply_overrides(&["required_plugins=pytest-xdist zzz-plugin>=1 aaa".into()])
        .unwrap();
    assert_eq!(
        c.validate_startup(pytest).unwrap_err().to_string(),
        "Missing required plugins: aaa, zzz-plugin>=1"
    );
    // Version specifiers are checked as packaging checks them (pre-releases allowed).
    for (req, met) in [
        ("pytest-xdist>=3", true),
        ("pytest-xdist>=3.8,<4", true),
        ("pytest-xdist[psutil]~=3.1", true),
        ("pytest-xdist (==3.8.*)", true),
        ("pytest-xdist<3.8", false),
        ("pytest-xdist!=3.8.0", false),
        ("pytest-xdist>3.8.0", false),
    ] {
        c.apply_overrides(&[format!("required_plugins={req:?}")])
            .unwrap();
        let got = c.validate_startup(pytest);
        if met {
            assert_eq!(got, Ok(Startup::Ok), "{req}");
        } else {
            assert_eq!(
                got.unwrap_err().to_string(),
                format!("Missing required plugins: {req}")
            );
        }
    }
    // What this reading does not follow is pytest's to decide.
    for req in [
        "pytest-xdist>=>3",
        "pytest-xdist>=3;python_version<'3'",
        "pytest-xdist @ https://example.invalid/x.whl",
    ] {
        c.apply_overrides(&[format!("required_plugins={req:?}")])
            .unwrap();
        assert!(
            matches!(c.validate_startup(pytest), Ok(Startup::Undecided(_))),
            "{req}"
        );
    }
}

#[test]
fn values_pytest_rejects_when_read() {
    let l = Layout::new(&[(
        "pytest.toml",
        "[pytest]\npython_functions = \"check_\"\nconsole_output_style = \"fancy\"\n\
         verbosity_test_cases = \"auto\"\nlog_level = 10\n",
    )]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(
        c.invalid_keys(),
        ["python_functions", "console_output_style"]
    );
    assert!(c.unknown_keys(&[]).is_empty());
    // A blocked plugin's options are unknown.
    let l = Layout::new(&[("pytest.ini", "[pytest]\ncache_dir = x\n")]);
    let c = setup(&l.req(".", &[]));
    assert_eq!(
        c.unknown_keys(&["cacheprovider".to_string()]),
        ["cache_dir"]
    );
    assert_eq!(c.cache_dir(), (l.p("x"), true));
}
