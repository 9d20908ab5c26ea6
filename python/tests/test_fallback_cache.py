"""The import fallback's cache: a warm run whose uncertain files and everything they
imported are unchanged answers without starting pytest; any change re-runs it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HIT = "import fallback answered from the cache"


def _fastest() -> str:
    env = os.environ.get("FASTEST_BIN")
    if env:
        return env
    exe = Path(sys.executable).parent / "fastest"
    return str(exe) if exe.exists() else (shutil.which("fastest") or "fastest")


def _run(root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["FASTEST_LOG"] = "fastest_cli=debug"
    return subprocess.run(
        [_fastest(), "--collect-only", "-q"], cwd=root, env=env, capture_output=True, text=True
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "helpers.py").write_text("CASES = [1, 2, 3]\n")
    # A value computed at import time: only an import can tell the ids.
    (tmp_path / "test_dyn.py").write_text(
        "import pytest\nfrom helpers import CASES\n\n"
        "@pytest.mark.parametrize('n', [c * 2 for c in CASES])\ndef test_n(n):\n    pass\n"
    )
    (tmp_path / "test_static.py").write_text("def test_plain():\n    pass\n")
    return tmp_path


def test_unchanged_files_are_answered_from_the_cache(project: Path) -> None:
    first = _run(project)
    assert first.returncode == 0, first.stderr
    assert "test_dyn.py::test_n[2]" in first.stdout
    assert HIT not in first.stderr
    second = _run(project)
    # Identical but for the duration on the last line.
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]
    assert HIT in second.stderr


def test_a_changed_import_invalidates_the_cache(project: Path) -> None:
    assert _run(project).returncode == 0
    (project / "helpers.py").write_text("CASES = [5]\n")
    # Make sure the mtime moves even on coarse filesystems.
    os.utime(project / "helpers.py", ns=(0, 10**18))
    third = _run(project)
    assert HIT not in third.stderr
    assert "test_dyn.py::test_n[10]" in third.stdout
    assert "test_dyn.py::test_n[2]" not in third.stdout


def test_a_new_conftest_invalidates_the_cache(project: Path) -> None:
    assert _run(project).returncode == 0
    (project / "conftest.py").write_text("import pytest\n\n@pytest.fixture\ndef extra():\n    return 1\n")
    fourth = _run(project)
    assert HIT not in fourth.stderr
