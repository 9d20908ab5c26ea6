"""``python -bb -W error::UserWarning -O -X dev -m fastest``: the interpreter's options
reach the processes that run the tests, as they are ``python ... -m pytest``'s own (h2's
tox command runs ``python -bb -m pytest``): natively, with an import fallback, and when
fastest hands the session to pytest. Under ``-O`` pytest warns that asserts outside test
modules do not run; the native engine warns it from the same place."""

import subprocess
import sys
from pathlib import Path

import pytest

from oracle_harness import child_env, normalise, require_fastest

FLAGS = ["-bb", "-W", "error::UserWarning", "-O", "-X", "dev"]

TESTS = '''\
import sys


def test_bytes_compare():
    assert (b"a" == "a") is False


def test_flags():
    print(sys.flags.bytes_warning, sys.flags.optimize, sys.flags.dev_mode, sys.warnoptions)
    assert False, "asserts do not run under -O"


def test_user_warning():
    import warnings

    warnings.warn("an error under -W error::UserWarning")
'''

UNCERTAIN = '''\
import pytest

VALUES = [n for n in range(2)]


@pytest.mark.parametrize("n", VALUES)
def test_computed(n):
    print(n == b"n")
'''


@pytest.mark.parametrize("how", ["native", "fallback", "delegated"])
def test_interpreter_options_reach_the_tests(tmp_path: Path, how: str) -> None:
    require_fastest()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_flags.py").write_text(TESTS)
    args = ["-rA", "-p", "no:cacheprovider"]
    if how == "fallback":
        (tmp_path / "test_uncertain.py").write_text(UNCERTAIN)
    if how == "delegated":
        # Blocking a core plugin: pytest runs the session.
        args += ["-p", "no:doctest"]
    runs = {}
    for tool in ("pytest", "fastest"):
        proc = subprocess.run(
            [sys.executable, *FLAGS, "-m", tool, *args],
            cwd=tmp_path, env=child_env({"NO_COLOR": "1"}),
            capture_output=True, text=True, timeout=300,
        )
        runs[tool] = proc
    expected, actual = runs["pytest"], runs["fastest"]
    assert "2 1 True" in expected.stdout, expected.stdout
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout, actual.stderr)
    assert normalise(actual.stdout) == normalise(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}\n{actual.stderr}"
    )


SIMPLE = '''\
import sys


def test_simple_flags():
    seen = (sys.flags.optimize, sys.flags.dont_write_bytecode)
    if seen != (2, 1):
        raise AssertionError(seen)
'''


def test_flags_without_warning_options_reach_the_tests(tmp_path: Path) -> None:
    """Flags alone (no ``-W``/``-X``/``-b``) are read from ``sys.flags`` without
    importing ``subprocess``: the same options reach the workers."""
    require_fastest()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_simple.py").write_text(SIMPLE)
    runs = {}
    for tool in ("pytest", "fastest"):
        runs[tool] = subprocess.run(
            [sys.executable, "-OO", "-B", "-m", tool, "-rA", "-p", "no:cacheprovider"],
            cwd=tmp_path, env=child_env({"NO_COLOR": "1"}),
            capture_output=True, text=True, timeout=300,
        )
    expected, actual = runs["pytest"], runs["fastest"]
    assert expected.returncode == 0, expected.stdout
    assert actual.returncode == 0, (actual.stdout, actual.stderr)
    assert normalise(actual.stdout) == normalise(expected.stdout)
