"""Installed plugins' modules are rewritten as pytest rewrites them: pytest marks the
top-level modules of every distribution with a ``pytest11`` entry point before it
loads any plugin (``Config._mark_plugins_for_rewrite``), so a package one plugin
imports from another plugin's distribution is rewritten on that first import, with no
``PytestAssertRewriteWarning`` (pytest-httpx imports anyio, whose distribution is a
plugin's too).

Two hand-made distributions on ``PYTHONPATH`` (metadata directories beside their
packages, as an installer leaves them) stand in for such plugins: ``plug-a``'s module
only gives a fixture (a plugin fastest's native engine loads itself), and imports
``plugb``, whose distribution's entry point names another module (``plugb.plugin``).
"""

from __future__ import annotations

import re
from pathlib import Path

from oracle_harness import FINAL_LINE, find_pytest, require_fastest, run_in


def _dist(site: Path, name: str, entry: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    meta = site / f"{name.replace('-', '_')}-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (meta / "entry_points.txt").write_text(f"[pytest11]\n{entry}\n")
    record = [f"{rel},," for rel in files] + [f"{meta.name}/{f},," for f in ("METADATA", "entry_points.txt", "RECORD")]
    (meta / "RECORD").write_text("\n".join(record) + "\n")


def _project(tmp_path: Path) -> tuple[Path, Path]:
    site = tmp_path / "site"
    _dist(site, "plug-a", "pluga = pluga", {
        "pluga/__init__.py": (
            "import pytest\n"
            "import plugb\n\n\n"
            "@pytest.fixture\n"
            "def checked():\n"
            "    return plugb.check\n"
        ),
    })
    _dist(site, "plug-b", "plugb = plugb.plugin", {
        "plugb/__init__.py": (
            "def check(value):\n"
            "    expected = {'n': 1}\n"
            "    assert value == expected\n"
        ),
        "plugb/plugin.py": "",
    })
    root = tmp_path / "proj"
    root.mkdir()
    (root / "test_it.py").write_text(
        "def test_ok(checked):\n"
        "    checked({'n': 1})\n\n\n"
        "def test_explained(checked):\n"
        "    checked({'n': 2})\n"
    )
    return site, root


def test_a_plugin_importing_another_plugins_package_gets_it_rewritten(tmp_path):
    fastest = require_fastest()
    site, root = _project(tmp_path)
    env = {"PYTHONPATH": str(site)}
    args = ["-p", "no:cacheprovider", "-q"]
    expected = run_in(find_pytest(), root, args, env)
    actual = run_in(fastest, root, args, {**env, "FASTEST_NO_DELEGATE": "1"})
    # pytest's rewriting of `plugb` explains the failed assert inside it.
    assert "Differing items" in expected.stdout, expected.stdout
    assert actual.returncode == expected.returncode == 1, (expected.stdout, actual.stdout)
    assert FINAL_LINE.findall(actual.stdout) == FINAL_LINE.findall(expected.stdout)
    def failure(out: str) -> str:
        text = out[out.index("_ test_explained _"):out.index("short test summary")]
        return re.sub(r"0x[0-9a-f]+", "0x?", text)

    assert failure(actual.stdout) == failure(expected.stdout), (expected.stdout, actual.stdout)
    assert "PytestAssertRewriteWarning" not in expected.stderr, expected.stderr
    assert "PytestAssertRewriteWarning" not in actual.stderr, actual.stderr
    assert "pytest runs this session" not in actual.stderr, actual.stderr
