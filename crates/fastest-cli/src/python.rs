//! The `fastest._fastest` extension module: the only place the CLI touches pyo3. The
//! console script hands over argv and the interpreter's facts; everything else is Rust.

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::host::Host;

/// Rust's allocations in the extension (Python's objects keep Python's allocator): see
/// the workspace `Cargo.toml` for why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `main(argv, executable, version, platform, sys_path, cwd, builtin_modules) -> exit code`.
#[pyfunction]
#[pyo3(signature = (argv, executable, version, platform, sys_path, cwd, builtin_modules=Vec::new(), prog=None))]
#[allow(clippy::too_many_arguments)]
fn main(
    py: Python<'_>,
    argv: Vec<String>,
    executable: String,
    version: String,
    platform: String,
    sys_path: Vec<String>,
    cwd: String,
    builtin_modules: Vec<String>,
    prog: Option<String>,
) -> i32 {
    if let Some(prog) = prog {
        crate::args::set_prog(prog);
    }
    let host = Host {
        cwd: PathBuf::from(cwd),
        python: Some(PathBuf::from(executable)),
        python_version: version,
        platform,
        implementation: implementation(py),
        sys_path: sys_path.into_iter().map(PathBuf::from).collect(),
        builtin_modules,
        hostname: hostname(py),
        utc_offset: utc_offset(py),
        plugins: std::sync::OnceLock::new(),
        blocked: std::sync::OnceLock::new(),
        fixture_plugins: std::sync::OnceLock::new(),
        worker_plugins: std::sync::OnceLock::new(),
    };
    fastest_core::interpreter::set(interpreter_flags(py));
    // Discovery is pure Rust: let other Python threads run meanwhile.
    py.detach(|| crate::main_with(&argv, &host))
}

/// This interpreter's options as `subprocess` passes them on (`-bb`, `-W...`, `-O`,
/// `-X dev`); none when it cannot tell.
fn interpreter_flags(py: Python<'_>) -> Vec<String> {
    // `subprocess` costs milliseconds to import at every start: only when some option
    // that would be passed on is set.
    let set = py
        .import("sys")
        .and_then(|sys| {
            let flags = sys.getattr("flags")?;
            let mut any = false;
            for name in [
                "optimize",
                "bytes_warning",
                "dont_write_bytecode",
                "debug",
                "dev_mode",
            ] {
                any |= flags.getattr(name)?.is_truthy()?;
            }
            any |= sys.getattr("warnoptions")?.is_truthy()?;
            any |= sys.getattr("_xoptions")?.is_truthy()?;
            Ok::<bool, PyErr>(any)
        })
        .unwrap_or(true);
    if !set {
        return Vec::new();
    }
    if let Some(args) = simple_flags(py) {
        return args;
    }
    py.import("subprocess")
        .and_then(|m| m.call_method0("_args_from_interpreter_flags"))
        .and_then(|a| a.extract::<Vec<String>>())
        .unwrap_or_default()
}

/// What `subprocess._args_from_interpreter_flags` returns when no `-W` or `-X` option
/// (nor `-b`, `-X dev`, which add warning filters) is set: each counted flag repeated,
/// in its order. `None` otherwise (or when a flag cannot be read), for `subprocess` to
/// answer. Spares the import of `subprocess` (3 ms) where `PYTHONDONTWRITEBYTECODE`
/// alone sets a flag.
fn simple_flags(py: Python<'_>) -> Option<Vec<String>> {
    let sys = py.import("sys").ok()?;
    if sys.getattr("warnoptions").ok()?.is_truthy().ok()?
        || sys.getattr("_xoptions").ok()?.is_truthy().ok()?
    {
        return None;
    }
    let flags = sys.getattr("flags").ok()?;
    // Missing on older interpreters (`safe_path` is 3.11's): not set.
    let count = |name: &str| -> Option<usize> {
        match flags.getattr(name) {
            Ok(v) => v.extract::<usize>().ok(),
            Err(_) => Some(0),
        }
    };
    if count("dev_mode")? > 0 {
        return None;
    }
    let mut args = Vec::new();
    for (name, letter) in [
        ("optimize", 'O'),
        ("debug", 'd'),
        ("dont_write_bytecode", 'B'),
        ("no_site", 'S'),
        ("verbose", 'v'),
        ("bytes_warning", 'b'),
        ("quiet", 'q'),
    ] {
        let n = count(name)?;
        if n > 0 {
            args.push(format!("-{}", letter.to_string().repeat(n)));
        }
    }
    if count("isolated")? > 0 {
        args.push("-I".into());
    } else {
        for (name, opt) in [
            ("ignore_environment", "-E"),
            ("no_user_site", "-s"),
            ("safe_path", "-P"),
        ] {
            if count(name)? > 0 {
                args.push(opt.into());
            }
        }
    }
    Some(args)
}

/// `sys.implementation.name`: which `platform.python_implementation()` branches of a
/// module run.
fn implementation(py: Python<'_>) -> String {
    py.import("sys")
        .and_then(|sys| sys.getattr("implementation"))
        .and_then(|i| i.getattr("name"))
        .and_then(|n| n.extract::<String>())
        .unwrap_or_default()
}

/// `platform.node()` (`os.uname().nodename`; "" where there is none).
fn hostname(py: Python<'_>) -> String {
    py.import("os")
        .and_then(|os| os.call_method0("uname"))
        .and_then(|u| u.getattr("nodename"))
        .and_then(|n| n.extract::<String>())
        .unwrap_or_default()
}

/// The local time's offset from UTC in seconds now (`time.localtime().tm_gmtoff`, what
/// `datetime.astimezone()` uses).
fn utc_offset(py: Python<'_>) -> i64 {
    py.import("time")
        .and_then(|t| t.call_method0("localtime"))
        .and_then(|l| l.getattr("tm_gmtoff"))
        .and_then(|o| o.extract::<i64>())
        .unwrap_or(0)
}

/// `exit_now(code)`: end the process the way C's `exit` does (C-level exit handlers,
/// stdio buffers flushed) without finalizing the interpreter. A worker that has sent
/// its last message calls it once its own `atexit` functions have run: tearing down
/// the modules and objects of a long session took longer than many of its tests.
#[pyfunction]
fn exit_now(py: Python<'_>, code: i32) {
    py.detach(|| std::process::exit(code))
}

/// `module.function(argument)` in this interpreter, for a JSON string in and out (the
/// coordinator's calls into Python: pytest-cov's combined report).
pub(crate) fn call_json(module: &str, function: &str, argument: &str) -> Result<String, String> {
    Python::attach(|py| {
        py.import(module)
            .and_then(|m| m.getattr(function))
            .and_then(|f| f.call1((argument,)))
            .and_then(|r| r.extract::<String>())
            .map_err(|e| {
                let tb = e
                    .traceback(py)
                    .and_then(|t| t.format().ok())
                    .unwrap_or_default();
                format!("{tb}{e}")
            })
    })
}

/// mimalloc's `mi_option_purge_delay` (its option enum in the vendored v3 `mimalloc.h`,
/// where `mi_option_use_numa_nodes`, which `libmimalloc-sys` names, follows it as 16).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
/// `mi_option_allow_thp` in the same enum.
const MI_OPTION_ALLOW_THP: std::ffi::c_int = 43;

extern "C" {
    /// Exported by the mimalloc that `libmimalloc-sys` compiles in (the `extended`
    /// feature's declaration, without its extra dependency).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Memory freed by the allocator goes back to the system at once: by default mimalloc
/// keeps freed pages for some milliseconds, longer than a warm collection lasts, so the
/// process's peak RSS counts what discovery freed along the way too (143 MB instead of
/// 85 MB for a 10,000-file tree, against DESIGN.md's 100 MB), for about 5% more time.
///
/// And no transparent huge pages: mimalloc asks for them on its arena (`madvise`), so
/// the first touch of each 2 MiB zeroes all of it, which a run of well under a second
/// never fills: 16% of a cold collection's CPU was the kernel clearing pages, and a
/// warm one's peak RSS fell from 54 to 43 MB without them.
fn tune_allocator() {
    // SAFETY: `mi_option_set` only stores an option value (an atomic in mimalloc's
    // option table); options 15 and 43 are `mi_option_purge_delay` and
    // `mi_option_allow_thp` in the compiled-in version. Set before the first Rust
    // allocation of the module, so before mimalloc reserves its arena.
    #[allow(unsafe_code)]
    unsafe {
        mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        mi_option_set(MI_OPTION_ALLOW_THP, 0);
    }
}

#[pymodule]
fn _fastest(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tune_allocator();
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(exit_now, m)?)?;
    m.add_function(wrap_pyfunction!(fastest_runner::worker::worker_main, m)?)?;
    Ok(())
}
