"""Shared machinery for the oracle tests (imported by conftest.py and the
test modules): run real pytest and fastest on the same project and compare
what a user sees (stdout, stderr, exit code).

The oracle is the ``pytest`` console script of the interpreter running this
suite.  fastest is located as ``$FASTEST_BIN`` (shell-split, so
``FASTEST_BIN="python -m fastest"`` works), else the ``fastest`` script next to
``sys.executable``, else ``fastest`` on ``$PATH``.  Without it the oracle tests
are skipped (and fail when ``$CI`` is set, so CI cannot pass vacuously).

Each comparison copies the project into its own directory under the pytest
temp dir, runs pytest there, wipes and re-copies it (so neither tool sees the
other's caches), then runs fastest at the *same* path, so absolute paths in
the output (``rootdir: ...``, tracebacks, warnings) agree.  The pytest runs are
started ahead of time on a thread pool (``$FASTEST_ORACLE_JOBS`` threads,
default: CPU count; ``1`` runs everything inline) because pytest dominates the
suite's run time.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import sysconfig
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import pytest

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"

#: ``--collect-only`` output forms compared for every argument set.
FORMS: Dict[str, Tuple[str, ...]] = {
    "q": ("--collect-only", "-q"),
    "qq": ("--collect-only", "-qq"),
    "tree": ("--collect-only",),
}

#: Seconds a single pytest/fastest invocation may take.
RUN_TIMEOUT = float(os.environ.get("FASTEST_ORACLE_TIMEOUT", "300"))

# Environment variables that would make the child runs depend on the outer
# environment rather than on the case (the outer pytest sets some of them).
_SCRUB_PREFIXES = ("PYTEST_",)
_SCRUB_NAMES = {
    "PY_COLORS",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "CI",
    "BUILD_NUMBER",
    "PYTHONSTARTUP",
    # fastest prints GitHub annotations under it (pytest does not); and the report
    # variable must never reach a child from an outer run.
    "GITHUB_ACTIONS",
    "GITHUB_WORKSPACE",
    "FASTEST_JSON_REPORT",
}


# --------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------


@dataclass
class Run:
    """One argument set: extra argv (after the form's options), extra env
    vars, and the working directory relative to the project root."""

    args: Tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str = "."

    def describe(self) -> str:
        parts = []
        if self.env:
            parts.append(" ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items()))
        parts.append(" ".join(shlex.quote(a) for a in self.args) or "(no args)")
        if self.cwd != ".":
            parts.append(f"[cwd={self.cwd}]")
        return " ".join(parts)


def as_run(x) -> Run:
    if isinstance(x, Run):
        return x
    return Run(args=tuple(x))


@dataclass
class Spec:
    """What one oracle test compares: a project, an argument set, a form."""

    test_id: str
    name: str  # directory name of the copy (the project's own name)
    source: Callable[[], Path]  # resolved lazily (real projects are downloaded)
    run: Run
    form: str
    setup: Optional[Callable[[Path], None]] = None  # runtime-only files (symlinks, chmod)

    def __repr__(self) -> str:  # shows up in tracebacks
        return f"Spec({self.test_id})"


@dataclass
class Result:
    cmd: List[str]
    cwd: Path
    returncode: int
    stdout: str
    stderr: str


# --------------------------------------------------------------------------
# Locating the executables
# --------------------------------------------------------------------------


def _scripts_dirs() -> List[Path]:
    dirs = [Path(sys.executable).parent]
    scripts = sysconfig.get_path("scripts")
    if scripts and Path(scripts) not in dirs:
        dirs.append(Path(scripts))
    return dirs


def find_pytest() -> List[str]:
    for d in _scripts_dirs():
        found = shutil.which("pytest", path=str(d))
        if found:
            return [found]
    raise RuntimeError(
        f"no pytest console script next to {sys.executable}; install pytest into this environment"
    )


def find_fastest() -> Optional[List[str]]:
    env = os.environ.get("FASTEST_BIN")
    if env:
        return shlex.split(env)
    for d in _scripts_dirs():
        found = shutil.which("fastest", path=str(d))
        if found:
            return [found]
    found = shutil.which("fastest")
    return [found] if found else None


def require_fastest() -> List[str]:
    """The fastest command; a test without one fails under CI and is skipped elsewhere."""
    cmd = find_fastest()
    if cmd is None:
        msg = (
            "fastest executable not found: set FASTEST_BIN or install fastest "
            f"next to {sys.executable}"
        )
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return cmd


#: fastest as its console script would start it (the interpreter's directory first on
#: ``sys.path``, not the current one), for a venv that has no ``fastest`` script: what
#: the ``pytest`` script it is compared with has.
_AS_SCRIPT = (
    "import os, runpy, sys\n"
    "sys.path[0] = os.path.dirname(os.path.abspath(sys.executable))\n"
    "runpy.run_module('fastest', run_name='__main__', alter_sys=True)\n"
)


def fastest_in(venv_pytest: Sequence[str]) -> Tuple[List[str], Dict[str, str]]:
    """fastest run by the interpreter of another venv (``venv_pytest``: its ``pytest``
    script), so that venv's plugins are the installed ones, started as a console script
    is (``sys.path`` starts as the ``pytest`` script's does); and the environment that
    lets it import this fastest."""
    import fastest

    python = str(Path(venv_pytest[0]).with_name("python"))
    return [python, "-c", _AS_SCRIPT], {"PYTHONPATH": str(Path(fastest.__file__).parent.parent)}


# --------------------------------------------------------------------------
# Plugin venv comparisons (test_oracle_plugins/_randomly/_native_plugins)
# --------------------------------------------------------------------------

#: A test's outcome line under ``-v``, with pytest-xdist's ``[gwN] [ NN%]`` prefix.
OUTCOME_LINE = re.compile(
    r"^(?:\[gw\d\] \[...%\] )?(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)", re.M
)
#: The final line's counts.
#: (A session over a minute long, on a busy machine, adds `(h:mm:ss)` to the time.)
FINAL_LINE = re.compile(r"^=* ?(.*?) in \d+\.\d\ds(?: \(\d+:\d\d:\d\d\))? ?=*$", re.M)
#: What differs between two runs of the same objects: addresses and mock ids.
_OBJECT_ID = re.compile(r"0x[0-9a-f]+|(?<=id=')\d+")


def run_in(cmd: Sequence[str], root: Path, args: Sequence[str], env: Mapping[str, str]):
    """``cmd args`` in ``root`` without colour, fastest logging its decisions."""
    e = child_env({"NO_COLOR": "1", "FASTEST_LOG": "info", **env})
    return subprocess.run(
        [*cmd, *args], cwd=root, env=e, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=RUN_TIMEOUT,
    )


def fresh_case(case: Path, tmp_path: Path) -> Path:
    """A fresh copy of ``case`` at ``tmp_path/case`` (the same path for both tools)."""
    root = tmp_path / "case"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(case, root)
    return root


def plugin_case_both(case: Path, tmp_path: Path, venv_pytest: Sequence[str],
                     args: Sequence[str], edit=None, fastest_env=None):
    """pytest of ``venv_pytest``, then fastest with that venv's interpreter (never
    handing the session to pytest; ``fastest_env`` added to its environment), each on a
    fresh copy of ``case`` at the same path (``edit`` changes each copy first), without
    the cache plugin."""
    require_fastest()
    runs = []
    for cmd, env in ((list(venv_pytest), {}), fastest_in(venv_pytest)):
        root = fresh_case(case, tmp_path)
        if edit:
            edit(root)
        extra = {**env, "FASTEST_NO_DELEGATE": "1", **(fastest_env or {})} if env else {}
        runs.append(run_in(cmd, root, ["-p", "no:cacheprovider", *args], extra))
    return runs[0], runs[1]


_SUMMARY_OUTCOME = re.compile(r"^(?:PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) \S+", re.M)


def assert_session_kept_like_pytest(expected, actual, args: Sequence[str]) -> None:
    """fastest's run (``actual``) stayed fastest's (not handed to pytest; either engine
    ran its items) and matches pytest's (``expected``): the same exit code, and the same
    output (under ``-n``, where which worker ran what differs, the final counts and the
    short summary's outcomes)."""
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    assert "running pytest itself" not in actual.stderr, actual.stderr
    if "-n" in args:
        assert FINAL_LINE.findall(actual.stdout) == FINAL_LINE.findall(expected.stdout)
        assert sorted(_SUMMARY_OUTCOME.findall(actual.stdout)) == sorted(
            _SUMMARY_OUTCOME.findall(expected.stdout)
        )
        return
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def assert_native_like_pytest(expected, actual, args: Sequence[str]) -> None:
    """fastest's run (``actual``) kept its own collection and the native engine (not
    handed to pytest, no pytest engine) and matches pytest's (``expected``): the same
    exit code, and the same output (only the final counts under ``-n``, where which
    worker ran what differs)."""
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    assert "running pytest itself" not in actual.stderr, actual.stderr
    assert "fastest: the pytest engine runs the items" not in actual.stdout, actual.stdout
    if "-n" in args:
        assert FINAL_LINE.findall(actual.stdout) == FINAL_LINE.findall(expected.stdout)
        return
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def clean_plugin_output(stdout: str) -> str:
    """``normalise``d output without fastest's own ``fastest:`` notes and with object
    ids masked."""
    lines = [l for l in stdout.splitlines(keepends=True) if not l.startswith("fastest: ")]
    return _OBJECT_ID.sub("0x?", normalise("".join(lines)))


# --------------------------------------------------------------------------
# Running and comparing
# --------------------------------------------------------------------------

#: pytest's markup (`--color=yes`): SGR escape codes around the final line's parts.
_ANSI = r"(?:\x1b\[[0-9;]*m)*"
_DURATION = re.compile(
    rf" in \d+\.\d\ds(?: \(\d+:\d\d:\d\d\))?(?={_ANSI}(?: =+)?{_ANSI}$)", re.M
)
_SEP_LINE = re.compile(
    rf"^({_ANSI})(=+) (.* in \d+\.\d\ds(?: \(\d+:\d\d:\d\d\))?{_ANSI}) (=+)({_ANSI})$", re.M
)


def strip_ansi(text: str) -> str:
    return re.sub(_ANSI, "", text)


def pytest_sep(title: str, width: int) -> str:
    """``TerminalWriter.sep("=", title, fullwidth=width)`` (POSIX)."""
    n = max((width - len(title) - 2) // 2, 1)
    line = f"{'=' * n} {title} {'=' * n}"
    return line + "=" if len(line) + 1 <= width else line


# `-v` headers end with `-- sys.executable`: the console scripts' interpreter paths
# differ in spelling (`bin/python` vs `bin/python3`) depending on what installed them.
_EXECUTABLE = re.compile(r"^(platform .*) -- \S+$", re.M)


def normalise(text: str, width: int = 80) -> str:
    """Replace the run time in the final summary line and the interpreter's path on the
    ``-v`` platform line; nothing else.

    The ``=`` fill around the tree form's summary depends on the length of
    the duration text (``in 9.99s`` vs ``in 10.02s``), so a summary line whose
    fill is exactly what pytest computes for its own text at this terminal
    width is reduced to ``= <text> =``; a line with any other fill is left
    alone and shows up in the diff.
    """

    def canonical_sep(m: "re.Match[str]") -> str:
        # With markup the fill is what pytest computes for the title without its
        # escape codes.
        if strip_ansi(m.group(0)) == pytest_sep(strip_ansi(m.group(3)), width):
            return f"{m.group(1)}= {m.group(3)} ={m.group(5)}"
        return m.group(0)

    text = _EXECUTABLE.sub(r"\1 -- <PYTHON>", text)
    text = _DELEGATION_NOTE.sub("", text)
    return _DURATION.sub(" in <DURATION>", _SEP_LINE.sub(canonical_sep, text))


#: fastest's note on stderr under ``-v`` when it hands the session to pytest.
_DELEGATION_NOTE = re.compile(r"^fastest: pytest runs this session: .*\n", re.M)


def child_env(extra: Mapping[str, str]) -> Dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_SCRUB_PREFIXES) and k not in _SCRUB_NAMES
    }
    env["COLUMNS"] = "80"
    env.update(extra)
    return env


def _make_writable(path: Path) -> None:
    """Undo runtime chmods so the tree can be deleted."""
    if not path.exists():
        return
    for root, dirs, _files in os.walk(path, followlinks=False):
        for d in dirs:
            p = os.path.join(root, d)
            if not os.path.islink(p):
                try:
                    os.chmod(p, stat.S_IRWXU)
                except OSError:
                    pass
    # os.walk cannot enter an unreadable directory before its mode is fixed:
    # a second pass picks up whatever the first one unlocked.
    for root, dirs, _files in os.walk(path, followlinks=False):
        for d in dirs:
            p = os.path.join(root, d)
            if not os.path.islink(p):
                try:
                    os.chmod(p, stat.S_IRWXU)
                except OSError:
                    pass


def materialise(spec: Spec, workdir: Path) -> Path:
    """(Re)create a pristine copy of the project at ``workdir``."""
    if workdir.exists() or workdir.is_symlink():
        _make_writable(workdir)
        shutil.rmtree(workdir)
    workdir.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(spec.source(), workdir, symlinks=True)
    if spec.setup is not None:
        spec.setup(workdir)
    return workdir


def run_tool(cmd: Sequence[str], spec: Spec, root: Path) -> Result:
    full = [*cmd, *FORMS[spec.form], *spec.run.args]
    cwd = (root / spec.run.cwd).resolve() if spec.run.cwd != "." else root
    return run_process(full, cwd, child_env(spec.run.env))


def run_process(full: List[str], cwd: Path, env: Dict[str, str]) -> Result:
    """Run a command with no stdin, capturing both streams; a hang is a result too."""
    try:
        proc = subprocess.run(
            full,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "surrogateescape")
        err = (e.stderr or b"").decode("utf-8", "surrogateescape")
        return Result(full, cwd, -999, out, err + f"\n<<timed out after {RUN_TIMEOUT}s>>")
    return Result(
        full,
        cwd,
        proc.returncode,
        proc.stdout.decode("utf-8", "surrogateescape"),
        proc.stderr.decode("utf-8", "surrogateescape"),
    )


def _diff(name: str, expected: str, actual: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"pytest {name}",
        tofile=f"fastest {name}",
        n=3,
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def compare(spec: Spec, expected: Result, actual: Result) -> None:
    problems = []
    if expected.returncode != actual.returncode:
        problems.append(
            f"exit code: pytest {expected.returncode}, fastest {actual.returncode}\n"
        )
    width = int(child_env(spec.run.env)["COLUMNS"])
    for stream in ("stdout", "stderr"):
        e = normalise(getattr(expected, stream), width)
        a = normalise(getattr(actual, stream), width)
        if e != a:
            problems.append(_diff(stream, e, a))
    if problems:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in spec.run.env.items())
        header = (
            f"fastest differs from pytest for {spec.test_id}\n"
            f"  args:      {spec.run.describe()}\n"
            f"  reproduce: cd {shlex.quote(str(actual.cwd))} && {env + ' ' if env else ''}"
            f"{shlex.join(actual.cmd)}\n"
            f"  oracle:    {shlex.join(expected.cmd)}\n"
        )
        pytest.fail(header + "\n" + "\n".join(problems), pytrace=False)


class PrefetchingOracle:
    """pytest's runs, started ahead of time on a thread pool (pytest is the slow side)
    and picked up when the comparison needs them. Subclasses say how pytest runs a spec
    (`_run_pytest`); specs need a unique `test_id`."""

    def __init__(self, pytest_cmd: List[str], fastest_cmd: List[str], base: Path, jobs: int):
        self.pytest_cmd = pytest_cmd
        self.fastest_cmd = fastest_cmd
        self.base = base
        self.pool = ThreadPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self._futures: Dict[str, Future] = {}
        self._lock = threading.Lock()

    def _run_pytest(self, spec) -> Result:
        raise NotImplementedError

    def prefetch(self, specs: Sequence) -> None:
        if self.pool is None:
            return
        with self._lock:
            for spec in specs:
                if spec.test_id not in self._futures:
                    self._futures[spec.test_id] = self.pool.submit(self._run_pytest, spec)

    def expected(self, spec) -> Result:
        with self._lock:
            fut = self._futures.pop(spec.test_id, None)
        # A run that has not started yet is cheaper to do here than to wait for.
        if fut is not None and not fut.cancel():
            return fut.result()
        return self._run_pytest(spec)


class Oracle(PrefetchingOracle):
    """Runs pytest (ahead of time, on a pool) and fastest, and compares them."""

    def workdir(self, spec: Spec) -> Path:
        slug = re.sub(r"[^A-Za-z0-9_.-]", "_", spec.test_id)
        return self.base / slug / spec.name

    def _run_pytest(self, spec: Spec) -> Result:
        root = materialise(spec, self.workdir(spec))
        return run_tool(self.pytest_cmd, spec, root)


    def check(self, spec: Spec, expected: Optional[Result] = None) -> None:
        """Run fastest on a fresh copy and compare it with pytest's result."""
        if expected is None:
            expected = self.expected(spec)
        root = materialise(spec, self.workdir(spec))
        actual = run_tool(self.fastest_cmd, spec, root)
        try:
            compare(spec, expected, actual)
        finally:
            _make_writable(root)  # leave a deletable tree behind

    def close(self) -> None:
        if self.pool is not None:
            for fut in self._futures.values():
                fut.cancel()
            self.pool.shutdown(wait=True)


def spec_of(item: pytest.Item) -> Optional[Spec]:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    spec = callspec.params.get("spec")
    return spec if isinstance(spec, Spec) else None


def selected_specs(items: Sequence[pytest.Item], predicate: Callable[[Spec], bool]) -> List[Spec]:
    """The specs of the selected oracle items that satisfy ``predicate``."""
    return [s for s in map(spec_of, items) if s is not None and predicate(s)]


def make_specs(
    name: str,
    source: Callable[[], Path],
    runs: Sequence,
    forms: Sequence[str] = tuple(FORMS),
    setup: Optional[Callable[[Path], None]] = None,
    marks: Sequence = (),
) -> list:
    """pytest.param objects for each argument set x form of one project."""
    params = []
    for i, r in enumerate(runs):
        run = as_run(r)
        for form in forms:
            test_id = f"{name}-argset{i}-{form}"
            spec = Spec(test_id, name, source, run, form, setup)
            params.append(pytest.param(spec, id=test_id, marks=list(marks)))
    return params
