"""The discovery cache never answers for a world that changed: a helper module deleted
beside a statically proven test file makes its import fail, as pytest reports it."""

import os
import subprocess
import sys
from pathlib import Path

from test_fallback_cache import _fastest


def _co(root: Path, tool: list) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["COLUMNS"] = "80"
    return subprocess.run([*tool, "--collect-only", "-q"], cwd=root, env=env, capture_output=True, text=True)


def test_deleted_helper_module_is_not_hidden_by_the_cache(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "helpers.py").write_text("VALUE = 1\n")
    (tmp_path / "test_uses_helper.py").write_text("import helpers\n\ndef test_x():\n    assert helpers.VALUE\n")
    first = _co(tmp_path, [_fastest()])
    assert first.returncode == 0, first.stderr
    (tmp_path / "helpers.py").unlink()
    fastest = _co(tmp_path, [_fastest()])
    pytest_run = _co(tmp_path, [str(Path(sys.executable).parent / "pytest"), "-p", "no:cacheprovider"])
    assert pytest_run.returncode == 2
    assert fastest.returncode == pytest_run.returncode, fastest.stdout
    assert "ModuleNotFoundError: No module named 'helpers'" in fastest.stdout
