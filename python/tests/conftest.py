"""Fixtures and markers for the oracle tests (the machinery is in oracle_harness.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import List

import pytest

# Make `import oracle_harness` work under every --import-mode.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from oracle_harness import Oracle, find_pytest, require_fastest, spec_of  # noqa: E402

# The case projects are test suites of their own (syntax errors, bad
# configs, failing tests, ...): never collect them as part of this suite.
collect_ignore = ["cases", "run_cases", "cache_cases", "plugin_cases"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "oracle: compares fastest --collect-only with pytest --collect-only on a case project",
    )
    config.addinivalue_line(
        "markers",
        "real_projects: compares fastest and pytest on downloaded sdists of real projects "
        "(needs network on the first run; deselect with -m 'not real_projects')",
    )


_selected: List[pytest.Item] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    # Remember what was selected, so the pytest side of every comparison can
    # start ahead of time.
    _selected[:] = session.items


@pytest.fixture(scope="session")
def selected_items() -> List[pytest.Item]:
    return list(_selected)


@pytest.fixture(scope="session")
def oracle(tmp_path_factory: pytest.TempPathFactory, selected_items):
    fastest = require_fastest()
    jobs = int(os.environ.get("FASTEST_ORACLE_JOBS") or 0) or (os.cpu_count() or 2)
    o = Oracle(find_pytest(), fastest, tmp_path_factory.mktemp("oracle"), jobs)
    # Start the pytest side of every selected case comparison now (real
    # projects are scheduled once their sources have been downloaded).
    o.prefetch(
        [
            s
            for s in map(spec_of, selected_items)
            if s is not None and not getattr(s.source, "needs_download", False)
        ]
    )
    yield o
    o.close()


XDIST = "pytest-xdist==3.8.0"
PYTEST = "pytest==9.2.0"


#: The plugins the pytest engine runs (``PYTEST_ENGINE_PLUGINS`` in invocation.rs), as
#: the plugin oracle tests install them.
PLUGINS = (
    "pytest-mock==3.17.0",
    "pytest-asyncio==1.5.0",
    "hypothesis==6.170.15",
    "pytest-timeout==2.4.0",
    "pytest-cov==7.1.0",
)


def _venv_pytest(request: pytest.FixtureRequest, name: str, packages: List[str]) -> List[str]:
    """``pytest`` of a venv (under the cache dir, created once, then reused) with
    ``packages`` installed from the package index, on the interpreter running the tests
    (one venv per Python version: what fastest is compared with runs the same Python)."""
    version = "py%d%d" % sys.version_info[:2]
    root = Path(request.config.rootpath) / ".pytest_cache" / "d" / f"{name}-{version}"
    bindir = root / "bin"
    marker = root / "installed.txt"
    wanted = " ".join(packages)
    if not marker.exists() or marker.read_text() != wanted:
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        proc = subprocess.run(
            [str(bindir / "python"), "-m", "pip", "install", "-q",
             "--disable-pip-version-check", *packages],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"cannot install {wanted}:\n{proc.stdout}")
        marker.write_text(wanted)
    return [str(bindir / "pytest")]


@pytest.fixture(scope="session")
def xdist_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv that has pytest-xdist: the oracle for ``-n``. A venv of its
    own, because an installed plugin changes pytest's header for every other oracle
    comparison."""
    return _venv_pytest(request, "fastest-xdist-venv", [PYTEST, XDIST])


RANDOMLY = "pytest-randomly==5.1.0"

#: The plugins the native engine stands in for (``NATIVE_PLUGINS`` in invocation.rs).
NATIVE_PLUGINS = (
    "pytest-mock==3.17.0",
    "pytest-cov==7.1.0",
    "pytest-timeout==2.4.0",
    "pytest-rerunfailures==16.7",
    # Sets the environment from the ini before conftests load.
    "pytest-env==1.8.5",
    # Plugins fastest does not know that provide only fixtures, options, ini keys and
    # a `pytest_configure` (`fixture_plugins`, `parse::quiet_plugin`).
    "Faker==40.54.0",
    "requests-mock==1.12.1",
    "typeguard==4.6.0",
    # Disabled (no `--codspeed`): its header line, marks and `benchmark` fixture.
    "pytest-codspeed==5.0.3",
    # Its clock travels tick from the first reading: pytest's runner reads the clock.
    "time-machine==3.6.0",
    # Disabled (no `--logfire`, no `logfire` ini, no CI token): its fixtures.
    "logfire-sdk==5.4.0",
    # Its `snapshot` fixture (its module names `_pytest.python` for an annotation).
    "pytest-snapshot==0.9.0",
)


@pytest.fixture(scope="session")
def native_plugins_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with only plugins the native engine serves (pytest-mock's
    fixtures; pytest-cov and pytest-timeout idle) and pytest-xdist."""
    return _venv_pytest(request, "fastest-native-plugins-venv", [PYTEST, XDIST, *NATIVE_PLUGINS])


@pytest.fixture(scope="session")
def randomly_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-randomly (and pytest-xdist): the oracle for the
    order fastest computes and the reseeding its pytest engine leaves to the plugin."""
    return _venv_pytest(request, "fastest-randomly-venv", [PYTEST, XDIST, RANDOMLY])


@pytest.fixture(scope="session")
def plugins_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with the plugins the pytest engine runs (and pytest-xdist):
    the oracle for sessions with plugins installed."""
    return _venv_pytest(request, "fastest-plugins-venv", [PYTEST, XDIST, *PLUGINS])


#: Plugins fastest does not know whose hooks its workers' pytest engine runs as they
#: are (``invocation::worker_plugins``).
WORKER_PLUGINS = (
    "pytest-socket==0.8.1",
    "pytest-icdiff==0.9",
    "pytest-unordered==0.8.0",
    "pytest-check==3.0.3",
    "pytest-httpserver==1.2.0",
    "pytest-responses==0.6.0",
    "pytest-dotenv==0.5.2",
    "pytest-vcr==1.0.2",
    "pyfakefs==6.3.2",
    "requests==2.34.2",
    # Lines in pytest's header (`pytest_report_header`): metadata under `-v`, the base
    # URL when one is set.
    "pytest-metadata==3.1.1",
    "pytest-base-url==2.1.0",
)


@pytest.fixture(scope="session")
def worker_plugins_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with plugins the workers' pytest engine runs as they are
    (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-worker-plugins-venv", [PYTEST, XDIST, *WORKER_PLUGINS])


HYPOTHESIS = "hypothesis==6.170.15"


@pytest.fixture(scope="session")
def hypothesis_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with hypothesis (and pytest-xdist): the oracle for sessions
    the native engine runs with hypothesis's plugin loaded."""
    return _venv_pytest(request, "fastest-hypothesis-venv", [PYTEST, XDIST, HYPOTHESIS])
