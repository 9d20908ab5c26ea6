"""The pytest engine against real pytest, with real plugins installed (issue 5).

``plugin_cases/plugins`` uses pytest-mock, pytest-asyncio (strict and auto modes),
hypothesis and pytest-timeout (pytest-cov is installed, idle unless ``--cov``), plus a conftest with ``pytest_addoption`` (``--runslow``)
and ``pytest_collection_modifyitems``; the ``plugins_pytest`` venv has those plugins
and pytest-xdist installed. fastest runs with that venv's interpreter, so the same
plugins are the installed ones, and must serve the session itself (the pytest engine
in its workers), not hand it to pytest.

Serial runs must print what pytest prints (object addresses and the run time aside;
fastest's own ``fastest:`` note under ``-v`` is left out). Under ``-n 2`` the oracle is
pytest-xdist: the same outcome per test, the same counts and exit code.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

import pytest

from oracle_harness import (
    clean_plugin_output,
    fastest_in,
    normalise,
    require_fastest,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "plugins"

_OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)", re.M)
_FINAL = re.compile(r"^=* ?(.*?) in \d+\.\d\ds ?=*$", re.M)


def _run(cmd: Sequence[str], root: Path, args: Sequence[str], env: Dict[str, str]):
    return run_in(cmd, root, ["-p", "no:cacheprovider", *args], env)


def _both(tmp_path: Path, plugins_pytest: List[str], args: Sequence[str]):
    """pytest's run, then fastest's on a fresh copy at the same path."""
    require_fastest()
    root = tmp_path / "case"
    shutil.copytree(CASE, root)
    expected = _run(plugins_pytest, root, args, {})
    shutil.rmtree(root)
    shutil.copytree(CASE, root)
    cmd, env = fastest_in(plugins_pytest)
    actual = _run(cmd, root, args, env)
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    assert "cannot run natively" not in actual.stderr, actual.stderr
    return expected, actual


_clean = clean_plugin_output


@pytest.mark.parametrize(
    "args",
    [(), ("-v",), ("-q", "-o", "asyncio_mode=auto"), ("-q", "--runslow", "-rA"), ("-x", "-q")],
    ids=["default", "v", "asyncio-auto", "runslow", "x"],
)
def test_serial_runs_print_what_pytest_prints(tmp_path: Path, plugins_pytest: List[str], args):
    expected, actual = _both(tmp_path, plugins_pytest, args)
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def _outcomes(stdout: str) -> Tuple[Set[Tuple[str, str]], str]:
    final = _FINAL.findall(stdout)
    return set(_OUTCOME.findall(stdout)), final[-1] if final else ""


@pytest.mark.parametrize("args", [("-rA",), ("-rA", "--runslow")], ids=["plain", "runslow"])
def test_distributed_runs_match_pytest_xdist(tmp_path: Path, plugins_pytest: List[str], args):
    expected, actual = _both(tmp_path, plugins_pytest, ("-n", "2", *args))
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert _outcomes(actual.stdout) == _outcomes(expected.stdout), (
        f"\n--- pytest-xdist\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
    # The plugins' header lines come from the workers' pytest, as pytest-xdist's
    # controller prints them.
    assert "asyncio: mode=Mode.STRICT" in actual.stdout


def test_verbose_run_names_the_engine(tmp_path: Path, plugins_pytest: List[str]):
    # pytest-asyncio's module needs the pytest engine; the conftest's session fixture,
    # used by modules either engine would run, keeps the session on that one.
    _, actual = _both(tmp_path, plugins_pytest, ("-v",))
    root = tmp_path / "case"
    assert (
        "fastest: the pytest engine runs the items (test_async.py::test_awaits is not proved "
        f"by discovery; one engine for the session: fixture counter of {root / 'conftest.py'} "
        "is used by modules of both engines)"
    ) in actual.stdout, actual.stdout


def test_coverage_in_the_pytest_engine_matches_pytest_cov(tmp_path: Path, plugins_pytest: List[str]):
    """With ``--cov`` the pytest engine's workers measure (pytest-cov's own plugin in
    them stays off) and fastest prints the combined report as pytest-cov does."""
    expected, actual = _both(tmp_path, plugins_pytest, ("-q", "--cov=.", "test_mock.py"))
    assert "coverage: platform" in expected.stdout, expected.stdout
    assert actual.returncode == expected.returncode
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def test_engine_native_refuses_what_it_cannot_run(tmp_path: Path, plugins_pytest: List[str]):
    # (pytest-asyncio itself no longer blocks: its modules are the pytest engine's.)
    root = tmp_path / "case"
    shutil.copytree(CASE, root)
    cmd, env = fastest_in(plugins_pytest)
    res = _run(cmd, root, ["--engine", "native"], env)
    assert res.returncode == 3
    assert res.stderr.startswith("fastest: cannot run natively: "), res.stderr
    assert res.stdout == ""


@pytest.mark.parametrize("args", [("-q",), ()], ids=["q", "tree"])
def test_collection_is_static_and_pytests(tmp_path: Path, plugins_pytest: List[str], args):
    """hypothesis's decorators keep a test one item of the same name, and the plugins'
    marks (``asyncio``, ``timeout``) are registered: no module needs an import. With a
    header (the tree form), pytest-asyncio's header line is pytest's to print: pytest
    runs that ``--collect-only`` itself."""
    root = tmp_path / "case"
    shutil.copytree(CASE, root)
    # Without the conftest's collection hook, discovery alone answers.
    (root / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(scope='session')\ndef counter():\n"
        "    return {'n': 0}\n"
    )
    expected = _run(plugins_pytest, root, ["--collect-only", *args], {})
    cmd, env = fastest_in(plugins_pytest)
    actual = _run(cmd, root, ["--collect-only", *args], {**env, "FASTEST_LOG": "fastest_cli=debug"})
    assert actual.returncode == expected.returncode == 0
    assert "collected by import" not in actual.stderr, actual.stderr
    delegated = "running pytest itself: pytest-asyncio adds lines to the header"
    assert (delegated in actual.stderr) == ("-q" not in args), actual.stderr
    assert normalise(actual.stdout) == normalise(expected.stdout)


@pytest.mark.parametrize(
    "ini, status",
    [
        ("", 0),  # pytest-asyncio warns on stderr
        ("filterwarnings = error\n", 3),  # the warning is an error: INTERNALERROR
        ("asyncio_default_fixture_loop_scope = forever\n", 4),  # a scope it refuses
        ("asyncio_default_fixture_loop_scope = module\n", 0),  # quiet: static
    ],
    ids=["unset", "unset-error", "bad-scope", "set"],
)
def test_collection_with_pytest_asyncios_configure(tmp_path: Path, plugins_pytest: List[str],
                                                   ini: str, status: int):
    """``--collect-only -q`` prints no header, but pytest-asyncio's ``pytest_configure``
    still runs: what it warns or raises about its loop scope ini keys is pytest's."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n" + ini)
    (tmp_path / "test_a.py").write_text("def test_a():\n    pass\n")
    expected = _run(plugins_pytest, tmp_path, ["--collect-only", "-q"], {})
    cmd, env = fastest_in(plugins_pytest)
    actual = _run(cmd, tmp_path, ["--collect-only", "-q"], {**env, "FASTEST_LOG": "fastest_cli=debug"})
    assert actual.returncode == expected.returncode == status, (expected.stderr, actual.stderr)
    assert normalise(actual.stdout) == normalise(expected.stdout)
    delegated = "running pytest itself: pytest-asyncio's pytest_configure warns or fails"
    assert (delegated in actual.stderr) == ("= module" not in ini), actual.stderr


# --------------------------------------------------------------------------
# pytest-asyncio in its strict mode: the modules that say `asyncio` run in the pytest
# engine, the others natively with the plugin's module loaded (its header line and
# the deprecation warning its `pytest_configure` gives, once).
# --------------------------------------------------------------------------

ASYNCIO_CASE = Path(__file__).resolve().parent / "plugin_cases" / "asyncio_modules"


def _asyncio_both(tmp_path: Path, plugins_pytest: List[str], args: Sequence[str]):
    require_fastest()
    root, tmp = tmp_path / "case", tmp_path / "tmp"

    def fresh() -> Dict[str, str]:
        # An empty TMPDIR each: both runs' temporary directories are `pytest-0`.
        for d in (root, tmp):
            if d.exists():
                shutil.rmtree(d)
        shutil.copytree(ASYNCIO_CASE, root)
        tmp.mkdir()
        return {"TMPDIR": str(tmp)}

    expected = _run(plugins_pytest, root, args, fresh())
    cmd, env = fastest_in(plugins_pytest)
    actual = _run(cmd, root, args, {**env, **fresh(), "FASTEST_NO_DELEGATE": "1"})
    return root, expected, actual


_NOTE = re.compile(r"^fastest: .*\n", re.M)
_LOG = re.compile(r"^.*\bINFO\b.*\n", re.M)


def test_asyncio_modules_beside_native_ones_under_error_filters(
    tmp_path: Path, plugins_pytest: List[str]
):
    # The pytest engine starts at its first module, after the native engine imported
    # pytest-asyncio's package: pytest's "already imported" warning at its start is no
    # error there (blinker's `filterwarnings = error`; found by the survey).
    args = ("-v", "-o", "filterwarnings=error", "-o", "asyncio_default_fixture_loop_scope=function")
    root, expected, actual = _asyncio_both(tmp_path, plugins_pytest, args)
    assert actual.returncode == expected.returncode == 1, actual.stdout + actual.stderr
    assert "fastest: the native engine runs the other modules" in actual.stdout
    assert _clean(_NOTE.sub("", actual.stdout)) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


@pytest.mark.parametrize(
    "args, pytest_modules",
    [
        (("-v",), ["policy/test_policy.py", "test_b_async.py"]),
        (("-rA",), None),
        # No module that says `asyncio`: the native engine runs the whole session.
        (("-v", "test_a_sync.py", "test_c_sync.py"), []),
        # Auto mode: every module that says `async` (an unmarked coroutine test too).
        (("-v", "-o", "asyncio_mode=auto"),
         ["policy/test_policy.py", "test_a_sync.py", "test_b_async.py"]),
        # Auto mode marks coroutine tests while pytest collects: `-m` needs its collection.
        (("-q", "-o", "asyncio_mode=auto", "-m", "asyncio"), None),
    ],
    ids=["v", "rA", "unused", "auto-v", "auto-m"],
)
def test_asyncio_modules_alone_run_in_the_pytest_engine(
    tmp_path: Path, plugins_pytest: List[str], args, pytest_modules
):
    root, expected, actual = _asyncio_both(tmp_path, plugins_pytest, args)
    assert actual.returncode == expected.returncode == 1, actual.stderr
    notes = [line for line in actual.stdout.splitlines() if line.startswith("fastest: ")]
    if "-v" in args:
        assert notes == [
            *(
                f"fastest: the pytest engine runs {m} (installed pytest plugin pytest-asyncio "
                f"({root / (m if '/' not in m else m.split('/')[0] + '/conftest.py')} names it))"
                for m in pytest_modules
            ),
            *(["fastest: the native engine runs the other modules"] if pytest_modules else []),
        ], actual.stdout
    assert _clean(_NOTE.sub("", actual.stdout)) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
    # pytest-asyncio's `pytest_configure` warns once, on stderr, as under pytest.
    assert "PytestDeprecationWarning" in expected.stderr
    assert _LOG.sub("", actual.stderr) == expected.stderr
