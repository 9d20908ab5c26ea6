"""Plugins that act on no test unless switched on, against real pytest (issue 5):
pytest-github-actions-annotate-failures (only inside a GitHub Actions job,
`GITHUB_ACTIONS=true`), pytest-instafail (only with `--instafail`), pytest-split (only
with `--splits`/`--group` or `--store-durations`), pytest-custom-exit-code (only with
its `--suppress-*` options) and the linters' collectors pytest-ruff, pytest-mypy,
pytest-isort and pytest-pylint (only with `--ruff`, `--mypy`, `--isort`, `--pylint`). Installed and
off, they keep fastest's collection and the native engine; switched on, the session is
pytest's (``IDLE_PLUGINS`` and ``idle_plugin_active`` in invocation.rs).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import (
    assert_native_like_pytest,
    clean_plugin_output,
    fastest_in,
    plugin_case_both,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "inert_plugins"
INERT = [
    "pytest-github-actions-annotate-failures==0.4.2",
    "pytest-instafail==0.5.0",
    "pytest-split==0.11.0",
    "pytest-custom-exit-code==0.3.0",
    "pytest-ruff==0.5",
    "ruff==0.17.6",
    "pytest-mypy==1.1.0",
    "mypy==2.4.1",
    "pytest-isort==4.0.0",
    "isort==9.0.2",
    "pytest-pylint==0.21.0",
    "pylint==4.1.4",
]


@pytest.fixture(scope="session")
def inert_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with the plugins (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-inert-plugins-venv", [PYTEST, XDIST, *INERT])


@pytest.mark.parametrize("args", [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-n", "2")])
def test_inert_plugins_keep_the_native_engine(tmp_path, inert_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, inert_pytest, args)
    assert "instafail-0.5.0" in expected.stdout or "-v" not in args
    assert_native_like_pytest(expected, actual, args)


_SWITCHES = {
    "instafail": ["--instafail"],
    "split": ["--splits", "2", "--group", "1"],
    "exit-code": ["--suppress-tests-failed-exit-code"],
    "ruff": ["--ruff"],
    "mypy": ["--mypy"],
    "isort": ["--isort"],
    "pylint": ["--pylint"],
}


@pytest.mark.parametrize("switch", ["github", *_SWITCHES])
def test_a_switched_on_plugin_makes_the_session_pytests(tmp_path, inert_pytest, switch):
    args = ["-p", "no:cacheprovider", "-q"]
    extra = {}
    if switch == "github":
        extra["GITHUB_ACTIONS"] = "true"
    else:
        args.extend(_SWITCHES[switch])
    root = tmp_path / "case"
    shutil.copytree(CASE, root)
    expected = run_in(inert_pytest, root, args, extra)
    shutil.rmtree(root)
    shutil.copytree(CASE, root)
    cmd, env = fastest_in(inert_pytest)
    actual = run_in(cmd, root, args, {**env, **extra})
    assert "pytest runs this session" in actual.stderr, actual.stderr
    # (pytest-isort reads pytest's cache, which `-p no:cacheprovider` leaves out, and
    # pytest-pylint's collector takes `path`, which pytest 9 no longer passes: internal
    # errors, pytest's as fastest's.)
    code = {"exit-code": 0, "isort": 3, "pylint": 3}.get(switch, 1)
    assert actual.returncode == expected.returncode == code
    if switch == "github":
        assert "::error file=test_some.py" in expected.stderr, expected.stderr
        assert "::error file=test_some.py" in actual.stderr, actual.stderr
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)
