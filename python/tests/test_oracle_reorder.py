"""pytest's ``reorder_items`` done by discovery: items with parameters of class, module,
package or session scope (fixture ``params``, ``parametrize(scope=...)``, ``indirect``
marks) are proved from the source and ordered as pytest orders them, with no import.

Each seed of ``reorder_gen`` is a project mixing every scope, autouse fixtures, values
of several types that compare equal or not, classes and two packages. The collection
(node ids and their order) and a native run under ``-s -v`` (each parameter's set-ups
and teardowns) are compared with pytest's."""

import subprocess
from pathlib import Path

import pytest

from oracle_harness import child_env, find_pytest, normalise, require_fastest
from reorder_gen import write_project

COLLECT_SEEDS = range(8)
RUN_SEEDS = [0, 3, 11]


def _run(cmd, root: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=root, env=child_env(env), capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("seed", COLLECT_SEEDS)
def test_scoped_parameters_order_items_as_pytest_without_imports(tmp_path: Path, seed: int) -> None:
    write_project(tmp_path, seed)
    args = ["--collect-only", "-q", "-p", "no:cacheprovider"]
    expected = _run([*find_pytest(), *args], tmp_path, {})
    actual = _run([*require_fastest(), *args], tmp_path,
                  {"FASTEST_LOG": "fastest_cli=debug", "NO_COLOR": "1"})
    assert actual.returncode == expected.returncode == 0, (expected.stdout, actual.stderr)
    assert normalise(actual.stdout) == normalise(expected.stdout)
    imported = [line for line in actual.stderr.splitlines() if "collected by import" in line]
    assert imported == []


@pytest.mark.parametrize("seed", RUN_SEEDS)
def test_scoped_parameters_are_set_up_as_under_pytest(tmp_path: Path, seed: int) -> None:
    write_project(tmp_path, seed)
    args = ["-s", "-v", "-p", "no:cacheprovider"]
    expected = _run([*find_pytest(), *args], tmp_path, {})
    # The native engine must serve it (it refuses to hand the session over).
    actual = _run([*require_fastest(), *args], tmp_path, {"FASTEST_ENGINE": "native"})
    assert actual.returncode == expected.returncode == 0, (expected.stdout, actual.stderr)
    assert "setup " in expected.stdout
    assert normalise(actual.stdout) == normalise(expected.stdout)
