"""What the native engine refuses, and says so: under ``--engine native`` fastest exits 3
with ``fastest: cannot run natively: <why>`` instead of handing the run to pytest."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from oracle_harness import require_fastest

RUN_CASES = Path(__file__).parent / "run_cases"


def _native(root: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = require_fastest()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "FASTEST_ENGINE": "native"})
    return subprocess.run([*cmd, "-p", "no:cacheprovider", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_unittest_subtest_sessions_are_refused(tmp_path: Path) -> None:
    # pytest 9.2 draws SUBFAILED reports the engine does not produce yet.
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "unittest_subtests", root)
    got = _native(root)
    assert got.returncode == 3
    assert got.stderr == "fastest: cannot run natively: test_sub.py uses unittest subTest\n"


def test_unittest_sessions_without_subtest_run_natively(tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "unittest_subtests", root)
    (root / "test_sub.py").write_text(
        "import unittest\n\nclass TestK(unittest.TestCase):\n    def test_a(self):\n        pass\n"
    )
    got = _native(root, "-q")
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[-1].startswith("1 passed in ")
