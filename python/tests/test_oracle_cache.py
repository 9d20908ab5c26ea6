"""Oracle: pytest's cache (``.pytest_cache``) shared between pytest and fastest.

Each sequence is a list of steps run in order on one copy of
``cache_cases/project/``: first every step with pytest (the oracle side), then, on a
fresh copy at the *same* path, the same steps with fastest where a step says
``"both"`` (pytest runs it on both sides where it says ``"pytest"``: that is how a
sequence proves pytest reads what fastest wrote, and the other way round).
After every step the output (stdout, stderr, exit code) and the files under
``.pytest_cache`` must be identical on both sides. fastest always runs with
``FASTEST_ENGINE=native`` (either engine where pytest's collection in the import
fallback collects the whole session): a run handed to pytest fails the comparison.

Normalised: run times and ``--durations`` times (as in ``test_oracle_run``),
which ``--durations-min`` keeps in a fixed order here (two tests sleep),
stepwise's ``cache from 0:00:01 ago`` and the ``last_cache_date_str`` it stores.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from oracle_harness import _diff, find_pytest, require_fastest, run_process
from test_oracle_run import NATIVE_REFUSAL, _copy_project, _env, normalise_run

pytestmark = pytest.mark.oracle

PROJECT = Path(__file__).resolve().parent / "cache_cases" / "project"

#: A step: ("both", args) runs pytest on the oracle side and fastest on the other;
#: ("pytest", args) runs pytest on both; ("write", path, text) edits both copies.
Step = Tuple[str, ...]

SEQUENCES: Dict[str, List[Step]] = {
    # fastest reads what pytest wrote, and keeps pytest's files up to date.
    "pytest_then_fastest_lf": [
        ("pytest",),
        ("both", "--lf"),
        ("both", "--lf", "-q"),
        ("both", "--lf", "-v"),
    ],
    # pytest reads what fastest wrote.
    "fastest_then_pytest_lf": [
        ("both",),
        ("pytest", "--lf"),
        ("pytest", "--ff", "-q"),
    ],
    # A failure fixed: --lf runs it, it passes and leaves lastfailed; then no failures.
    "lf_fixed": [
        ("both", "-q"),
        ("write", "test_b.py", "def test_b1():\n    pass\n\n\ndef test_b2():\n    pass\n"),
        ("both", "--lf"),
        ("both", "--last-failed", "-k", "test_a"),
        ("both", "--lf", "sub/test_c.py"),
        ("both", "--lf", "test_a.py"),
    ],
    # Files pytest's collection in the import fallback collects (a computed parameter
    # list, an import it guards): under `--lf` they count among the skipped files.
    "lf_uncertain": [
        ("write", "test_u.py", "import pytest\n\nVALUES = [i * 2 for i in range(3)]\n\n\n"
         "@pytest.mark.parametrize('x', VALUES)\ndef test_u(x):\n    pass\n"),
        ("write", "test_v.py", "try:\n    import not_installed_anywhere  # noqa: F401\n"
         "except ImportError:\n    pass\n\n\ndef test_v():\n    assert 0\n"),
        ("both", "-q"),
        ("both", "--lf"),
        ("both", "--ff", "-q"),
        ("both", "--sw", "-q"),
    ],
    # Under `--lf` with a failure in a file discovery proves, pytest skips the other
    # files unimported (an uncertain one's import warning is not shown) and counts
    # those with no test too; what `-k` deselects of the files it skips is no
    # deselection, also when a module fails to import.
    "lf_unimported": [
        ("write", "test_w.py", "import warnings\n\nimport pytest\n\n"
         "warnings.warn('imported test_w', UserWarning)\nVALUES = [i for i in range(2)]\n\n\n"
         "@pytest.mark.parametrize('x', VALUES)\ndef test_w(x):\n    pass\n"),
        ("write", "test_none.py", "import sys\n\nif sys.platform == 'win32':\n"
         "    def test_never():\n        pass\n"),
        ("both", "-q"),
        ("both", "--lf"),
        ("both", "--lf", "-q", "-k", "test_b"),
        ("write", "test_broken.py", "import not_installed_anywhere  # noqa: F401\n"),
        ("both", "-q", "--continue-on-collection-errors"),
        ("both", "--lf", "-k", "test_a"),
        ("both", "--lf", "-q"),
    ],
    # pytest starts skipping files at a module whose own children hold a failure: one
    # in a class (a collector, kept whole) skips nothing, and files before the first
    # module-level failure are collected whole.
    "lf_in_class": [
        ("write", "test_a.py", "class TestK:\n    def test_m(self):\n        assert 0\n\n"
         "    def test_ok(self):\n        pass\n\n\ndef test_a():\n    pass\n"),
        ("write", "test_b.py", "def test_b1():\n    pass\n"),
        ("both", "-q"),
        ("both", "--lf"),
        ("both", "--lf", "-q", "--doctest-modules"),
        ("write", "sub/test_c.py", "def test_c1():\n    pass\n\n\ndef test_c2():\n    assert 0\n"),
        ("both", "-q"),
        ("both", "--lf"),
        ("both", "--lf", "-v"),
    ],
    # A failure only in a class starts no skipping: a file pytest's collection in the
    # import fallback collects (computed parameters) is still collected (jinja2).
    "lf_in_class_uncertain": [
        ("write", "test_a.py", "class TestK:\n    def test_m(self):\n        assert 0\n\n"
         "    def test_ok(self):\n        pass\n"),
        ("write", "test_b.py", "def test_b1():\n    pass\n"),
        ("write", "test_u.py", "import pytest\n\n\ndef values():\n    return [1, 2, 3]\n\n\n"
         "@pytest.mark.parametrize('x', values())\ndef test_u(x):\n    pass\n"),
        ("both", "-q"),
        ("both", "--lf"),
        ("both", "--ff", "-q"),
    ],
    # Under `--doctest-modules` a test module is two file collectors (its Module and its
    # DoctestModule), a module without doctests one: `--lf` counts each it skips.
    "lf_doctest_modules": [
        ("write", "mod_doc.py", "def f():\n    \"\"\"\n    >>> 1 + 1\n    2\n    \"\"\"\n"),
        ("write", "mod_plain.py", "x = 1\n"),
        ("both", "-q", "--doctest-modules"),
        ("both", "--lf", "--doctest-modules"),
        ("both", "--lf", "--doctest-modules", "-q", "sub", "test_a.py"),
    ],
    # A conftest computing what to ignore: pytest's collection in the import fallback
    # collects the whole session; a file named as an argument keeps its passing items
    # under `--lf` (deselected afterwards) there too.
    "lf_whole_session": [
        ("write", "conftest.py", "collect_ignore = [name for name in ('nothing_here.py',)]\n"),
        ("both", "-q"),
        ("both", "--lf", "test_a.py", "test_b.py"),
        ("both", "--lf", "-q", "test_b.py", "sub"),
        ("both", "--lf"),
        # A module skipping itself at import: a file `--lf` skips is not imported.
        ("write", "test_skipmod.py", "import pytest\n\npytest.skip('not here', allow_module_level=True)\n"),
        ("both", "-q", "-rs"),
        ("both", "--lf", "-rs"),
        # What `-k` deselects of the files `--lf` would skip is no deselection.
        ("both", "--lf", "-k", "test_b2 or test_c"),
        ("both", "--lf", "-k", "test_pass or test_c"),
    ],
    "lf_selection": [
        ("both", "--lf"),
        ("both", "--lf", "--lfnf=none"),
        ("both", "-q", "test_b.py"),
        ("both", "--lf", "-k", "c1"),
        ("both", "--lf", "--lfnf", "none", "sub"),
        ("both", "--lf", "--deselect", "test_b.py::test_b2"),
    ],
    "ff": [
        ("both", "-k", "not test_m"),
        ("both", "--ff"),
        ("both", "--failed-first", "-v"),
        ("both", "--ff", "--lf", "-q"),
    ],
    "nf": [
        ("both", "-q"),
        ("write", "sub/test_new.py", "def test_new():\n    pass\n"),
        ("both", "--nf"),
        ("both", "--new-first", "-v"),
        ("pytest", "--nf", "-q"),
    ],
    "stepwise": [
        ("both", "--sw"),
        ("both", "--sw"),
        ("both", "--sw", "-v"),
        ("both", "--sw-skip"),
        ("pytest", "--sw"),
        ("both", "--stepwise"),
        ("both", "--sw-reset", "-q"),
        ("both", "--sw", "-k", "test_b"),
    ],
    "cache_clear": [
        ("both", "-q"),
        ("both", "--cache-clear", "--lf"),
        ("both", "--cache-clear", "-q", "-k", "test_b"),
        ("pytest", "--lf"),
    ],
    "maxfail": [
        ("both", "-x"),
        ("both", "--lf", "--maxfail=2"),
        ("both", "--sw", "--maxfail=1"),
    ],
    # --durations: two tests sleep (0.12 s and 0.06 s); the threshold keeps the rest
    # (whose times depend on the machine) hidden, so the listing is deterministic.
    "durations": [
        ("both", "--durations=2", "--durations-min=0.05"),
        ("both", "--durations=0", "--durations-min=0.05", "-vv"),
        ("both", "--durations=5", "--durations-min=0.05", "--no-summary", "-q"),
        ("both", "--durations=1", "--durations-min=0.05", "--lf"),
        ("both", "--durations=0", "--durations-min=0.05", "--sw", "-k", "not test_b2"),
    ],
    "no_cacheprovider": [
        ("both", "-p", "no:cacheprovider"),
        ("both", "-q"),
        ("both", "-p", "no:stepwise", "-q"),
    ],
}

_AGE = re.compile(r"cache from \d+(?: days?, \d+)?:\d\d:\d\d ago")
_DATE = re.compile(r'("last_cache_date_str": )"[^"]*"')


def _normalise(text: str) -> str:
    return _AGE.sub("cache from <AGE> ago", normalise_run(text))


def _cache_files(root: Path) -> Dict[str, str]:
    cache = root / ".pytest_cache"
    files = {}
    if cache.is_dir():
        for p in sorted(cache.rglob("*")):
            if p.is_file():
                text = p.read_text("utf-8", "surrogateescape")
                files[str(p.relative_to(cache))] = _DATE.sub(r"\1<DATE>", text)
    return files


#: Sequences run a second time with the pytest engine forced (pytest's runtest protocol
#: in fastest's workers; the coordinator's stepwise and maxfail must still stop it).
PYTEST_ENGINE_SEQUENCES = ["stepwise", "maxfail", "pytest_then_fastest_lf"]

#: Sequences whose sessions pytest's collection in the import fallback collects whole:
#: fastest's engines then run what it collected (the native engine alone would refuse
#: the session), still never handing it to pytest.
FALLBACK_SEQUENCES = {"lf_whole_session"}


def _run_sequence(steps: List[Step], root: Path, tool: List[str], pytest_cmd: List[str], tmp: Path,
                  engine: str = "native"):
    """Run ``steps`` on a fresh copy at ``root``; each step's (result, cache files)."""
    _copy_project(PROJECT, root)
    out = []
    for step in steps:
        kind, args = step[0], list(step[1:])
        if kind == "write":
            path, text = args
            (root / path).write_text(text)
            out.append(None)
            continue
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        cmd = pytest_cmd if kind == "pytest" else tool
        extra = {"TMPDIR": str(tmp)}
        if cmd is not pytest_cmd:
            if engine != "any":
                extra["FASTEST_ENGINE"] = engine
            # Either engine, but fastest's own: no handing the session to pytest.
            extra["FASTEST_NO_DELEGATE"] = "1"
        res = run_process([*cmd, *args], root, _env(extra))
        out.append((res, _cache_files(root)))
    return out


@pytest.mark.parametrize(
    "name,engine",
    [(n, "any" if n in FALLBACK_SEQUENCES else "native") for n in sorted(SEQUENCES)]
    + [(n, "pytest") for n in PYTEST_ENGINE_SEQUENCES],
)
def test_cache_sequence_matches_pytest(name: str, engine: str, tmp_path: Path) -> None:
    fastest = require_fastest()
    pytest_cmd = find_pytest()
    steps = SEQUENCES[name]
    root = tmp_path / "cache"
    expected = _run_sequence(steps, root, pytest_cmd, pytest_cmd, tmp_path / "tmp")
    actual = _run_sequence(steps, root, fastest, pytest_cmd, tmp_path / "tmp", engine)
    problems = []
    for i, (step, exp, act) in enumerate(zip(steps, expected, actual)):
        if exp is None or act is None:
            continue
        (e, e_files), (a, a_files) = exp, act
        where = f"step {i} {step[0]} {shlex.join(step[1:]) or '(no args)'}"
        refusal = [ln for ln in a.stderr.splitlines() if ln.startswith(NATIVE_REFUSAL)]
        if refusal:
            problems.append(f"{where}: the native engine refused: {refusal[0]}\n")
        if e.returncode != a.returncode:
            problems.append(f"{where}: exit code pytest {e.returncode}, fastest {a.returncode}\n")
        for stream in ("stdout", "stderr"):
            ex, ac = _normalise(getattr(e, stream)), _normalise(getattr(a, stream))
            if ex != ac:
                problems.append(f"{where}:\n" + _diff(stream, ex, ac))
        if e_files != a_files:
            for key in sorted(set(e_files) | set(a_files)):
                if e_files.get(key) != a_files.get(key):
                    problems.append(
                        f"{where}:\n"
                        + _diff(f".pytest_cache/{key}", e_files.get(key, "<missing>"), a_files.get(key, "<missing>"))
                    )
        if problems:
            break
    if problems:
        pytest.fail(f"sequence {name!r} in {root}\n" + "\n".join(problems), pytrace=False)
