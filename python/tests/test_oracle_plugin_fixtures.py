"""Fixtures of installed plugins in discovery's closures. pytest looks a fixture up in
the plugins below every conftest: a plugin's parametrized fixture parametrizes the
tests that reach it (pytest-httpbin's ``httpbin_both``, ``params=["http", "https"]``),
and a plugin's fixture requesting another one that the project overrides with
parameters (``listen`` below) parametrizes them too. fastest listed such tests once,
and the run failed at setup (``request.param`` missing).

A hand-made distribution on ``PYTHONPATH`` (a metadata directory beside its module, as
an installer leaves it) stands in for the plugin: its module gives fixtures only, so
the native engine loads it itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from oracle_harness import find_pytest, normalise, require_fastest, run_in

PLUGIN = '''import pytest


@pytest.fixture(scope="session", params=["http", "https"])
def both(request):
    return request.param


@pytest.fixture
def listen():
    return "127.0.0.1"


@pytest.fixture
def server(listen):
    return f"server@{listen}"
'''


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "fxplug.py").write_text(PLUGIN)
    meta = site / "pytest_fxplug-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: pytest-fxplug\nVersion: 1.0\n")
    (meta / "entry_points.txt").write_text("[pytest11]\nfxplug = fxplug\n")
    (meta / "RECORD").write_text(
        "fxplug.py,,\n" + "".join(f"{meta.name}/{f},,\n" for f in ("METADATA", "entry_points.txt", "RECORD")))
    return site


PROJECTS = {
    # The plugin's parametrized fixture, directly and through a project fixture.
    "plugin_params": {
        "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef scheme(both):\n    return both + '://'\n",
        "test_a.py": (
            "def test_direct(both):\n    assert both in ('http', 'https')\n\n\n"
            "def test_through(scheme):\n    assert scheme.endswith('://')\n\n\n"
            "def test_plain():\n    pass\n"
        ),
    },
    # The project overrides, with parameters, a fixture the plugin's fixture requests.
    "overridden_dependency": {
        "conftest.py": (
            "import pytest\n\n\n@pytest.fixture(params=['a', 'b'])\n"
            "def listen(request):\n    return request.param\n"
        ),
        "test_b.py": (
            "def test_server(server):\n    assert server in ('server@a', 'server@b')\n\n\n"
            "def test_plain():\n    pass\n"
        ),
    },
    # No override: the plugin's own unparametrized chain.
    "plain_dependency": {
        "test_c.py": "def test_server(server):\n    assert server == 'server@127.0.0.1'\n",
    },
}


@pytest.mark.parametrize("case", sorted(PROJECTS))
@pytest.mark.parametrize("args", [["--collect-only", "-q"], ["-rA"], ["-v"]], ids=["co", "rA", "v"])
def test_plugin_fixtures_in_closures(tmp_path: Path, case: str, args: list) -> None:
    fastest = require_fastest()
    site = _site(tmp_path)
    root = tmp_path / "proj"
    root.mkdir()
    for name, text in PROJECTS[case].items():
        (root / name).write_text(text)
    env = {"PYTHONPATH": str(site)}
    argv = ["-p", "no:cacheprovider", *args]
    expected = run_in(find_pytest(), root, argv, env)
    actual = run_in(fastest, root, argv, {**env, "FASTEST_NO_DELEGATE": "1"})
    assert actual.returncode == expected.returncode == 0, (expected.stdout, actual.stdout, actual.stderr)
    def body(out: str) -> str:
        # (The header's interpreter path differs between the two scripts' shebangs.)
        return "\n".join(line for line in normalise(out).splitlines() if not line.startswith("platform "))

    assert body(actual.stdout) == body(expected.stdout)
