"""The ``fastest`` console script: hand argv and the interpreter's facts to the Rust core."""

import os
import signal
import sys


#: Read by the processes fastest starts (`pool.rs`'s bootstrap, `_collect.py`,
#: `invocation::python_as_pytest`).
PATH0_ENV = "FASTEST_PATH0"


def _ctrl_c_seen(signum, frame) -> None:
    """Ctrl-C is the Rust core's to handle (it stops the run and prints the summary);
    Python's default handler would only raise KeyboardInterrupt once the core returned."""


def _has_pytest() -> bool:
    """Whether this interpreter can import pytest, whose own machinery fastest's
    workers run tests with (the finders' lookup only: importing pytest here would cost
    the coordinator a tenth of a second)."""
    return any(
        getattr(finder, "find_spec", None) is not None and finder.find_spec("pytest", None) is not None
        for finder in sys.meta_path
    )


def main() -> int:
    from fastest._fastest import main as _main

    if not _has_pytest():
        sys.stderr.write(
            f"ERROR: pytest is not installed for {sys.executable}: fastest runs tests with "
            "pytest's own machinery in this interpreter.\n"
            "Install it (pip install pytest) in the same environment as fastest.\n"
        )
        return 4
    try:
        signal.signal(signal.SIGINT, _ctrl_c_seen)
    except ValueError:
        # Not the main thread (fastest called from a program's thread): leave it be.
        pass
    # What pytest started the same way would have first on `sys.path`: the console
    # script's directory (`fastest`, like `pytest`), or the current directory
    # (`python -m fastest`, like `python -m pytest`). Workers, the import fallback and a
    # pytest fastest hands the session to put it there too.
    if sys.path and sys.path[0] and not getattr(sys.flags, "safe_path", False):
        os.environ[PATH0_ENV] = sys.path[0]
    version = "%d.%d.%d" % sys.version_info[:3]
    # `coverage run -m fastest`: the workers measure too (`fastest._cov`).
    outer = None
    if "coverage" in sys.modules:
        from fastest import _cov

        outer = _cov.outer_settings()
        if outer is not None:
            import json

            os.environ[_cov.OUTER_ENV] = json.dumps(outer[1])
    # pytest's `_get_prog_name`: usage errors name `python -m pytest` when started so.
    prog = "python -m pytest" if os.path.basename(sys.argv[0]) == "__main__.py" else "pytest"
    code = _main(
        sys.argv[1:],
        sys.executable,
        version,
        sys.platform,
        [p for p in sys.path if p],
        os.getcwd(),
        sorted(sys.builtin_module_names),
        prog,
    )
    if outer is not None:
        _cov.merge_outer(*outer)
    return code


if __name__ == "__main__":
    sys.exit(main())
