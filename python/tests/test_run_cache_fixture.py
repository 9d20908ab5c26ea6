"""The ``cache`` fixture under a native run. The run oracle blocks the cacheprovider
(``-p no:cacheprovider``, where pytest has no ``cache`` fixture), so this compares
fastest and pytest with the plugin on: same output, and the same values in
``.pytest_cache`` afterwards.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from oracle_harness import find_fastest, find_pytest

PROJECT = {
    "pytest.ini": "[pytest]\n",
    "test_cache.py": """
        def test_set(cache):
            cache.set("fastest/answer", {"value": 42})
            assert cache.get("fastest/answer", None) == {"value": 42}

        def test_default(cache):
            assert cache.get("fastest/missing", "dflt") == "dflt"

        def test_mkdir(cache):
            d = cache.mkdir("fastest_dir")
            assert d.is_dir() and d.name == "fastest_dir"

        def test_fails(cache):
            assert cache.get("fastest/answer", None) == {"value": 0}
    """,
}


def _run(cmd: list[str], root: Path, native: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    if native:
        env["FASTEST_ENGINE"] = "native"
    return subprocess.run([*cmd, "-q"], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def _project(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name, text in PROJECT.items():
        (root / name).write_text(textwrap.dedent(text))
    return root


def test_cache_fixture_matches_pytest(tmp_path: Path) -> None:
    fastest, pytest_cmd = find_fastest(), find_pytest()
    if fastest is None or pytest_cmd is None:
        pytest.skip("no fastest binary (set FASTEST_BIN) or no pytest")
    expected = _run(pytest_cmd, _project(tmp_path / "p"), native=False)
    answer = tmp_path / "p" / ".pytest_cache" / "v" / "fastest" / "answer"
    expected_value = json.loads(answer.read_text())
    got = _run(fastest, _project(tmp_path / "p"), native=True)
    times = re.compile(r"in \d+\.\d+s")
    assert got.returncode == expected.returncode, got.stderr
    assert times.sub("", got.stdout) == times.sub("", expected.stdout)
    assert got.stderr == expected.stderr
    assert json.loads(answer.read_text()) == expected_value == {"value": 42}
    assert (tmp_path / "p" / ".pytest_cache" / "d" / "fastest_dir").is_dir()
