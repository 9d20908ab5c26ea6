"""Oracle on real projects: the sdists of a few small, popular PyPI projects,
collected the way their own configuration says (no extra arguments).

The sdists are fetched once with ``pip download --no-deps --no-binary :all:``
into ``$FASTEST_ORACLE_CACHE`` (default: this suite's pytest cache,
``.pytest_cache/d/fastest-oracle-sdists``) and extracted into the session's
temp dir.  Their test-time dependencies are pinned in
``python/requirements-test.txt``; the projects were picked because their
suites need nothing but pytest (no pytest plugins, which would change the
``plugins:`` header line and the output of every other oracle test).

Each comparison also asserts that pytest itself collected the project
cleanly (exit code 0), so a broken environment is reported as such rather
than as a fastest bug.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from oracle_harness import make_specs, selected_specs

pytestmark = [pytest.mark.oracle, pytest.mark.real_projects]


class Sdist:
    """A pinned sdist; callable, returning its extracted root once fetched."""

    needs_download = True

    def __init__(self, requirement: str, runs: List, *, imports_installed: Optional[str] = None):
        self.requirement = requirement
        self.name = requirement.replace("==", "-")
        self.runs = runs
        # The distribution whose installed copy the tests import (src layouts):
        # its version must equal the sdist's, see requirements-test.txt.
        self.imports_installed = imports_installed
        self.path: Optional[Path] = None

    def __call__(self) -> Path:
        if self.path is None:
            raise RuntimeError(f"{self.requirement} has not been downloaded")
        return self.path


#: project -> argument sets (run from the sdist's root).  ``[]`` means "as the
#: project's own config dictates" (testpaths, or the whole rootdir).
PROJECTS: Dict[str, Sdist] = {
    # setup.cfg [tool:pytest]; one test module at the root next to six.py.
    "six": Sdist("six==1.17.0", [[], ["-k", "moves and not urllib"]]),
    # bare pyproject.toml (configfile without a pytest table); tests/ is a
    # package of unittest.TestCase classes (their load_tests hooks are
    # ignored by pytest); the library's own docstrings under --doctest-modules.
    "more-itertools": Sdist("more-itertools==10.8.0", [[], ["--doctest-modules", "more_itertools"]]),
    # bare pyproject.toml; ~6,300 tests from a generated unittest module.
    "idna": Sdist("idna==3.13", [[]]),
    # tox.ini [pytest] with testpaths, addopts and filterwarnings; src layout,
    # so the tests import the installed pluggy.
    "pluggy": Sdist("pluggy==1.7.0", [[]], imports_installed="pluggy"),
    # pyproject.toml [tool.pytest] with an ini_options sub-table; src layout.
    "iniconfig": Sdist("iniconfig==2.3.1", [[]], imports_installed="iniconfig"),
}


def _all_params() -> list:
    params = []
    for key, sdist in PROJECTS.items():
        params += make_specs(sdist.name, sdist, sdist.runs)
    return params


def _cache_dir(config: pytest.Config) -> Path:
    env = os.environ.get("FASTEST_ORACLE_CACHE")
    if env:
        d = Path(env)
    elif getattr(config, "cache", None) is not None:
        d = config.cache.mkdir("fastest-oracle-sdists")
    else:  # -p no:cacheprovider
        d = Path(config.rootpath) / ".pytest_cache" / "d" / "fastest-oracle-sdists"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _archive_in(d: Path) -> Optional[Path]:
    found = sorted(p for p in d.iterdir() if p.name.endswith((".tar.gz", ".zip")))
    return found[0] if found else None


def _download(sdist: Sdist, cache: Path) -> Path:
    d = cache / sdist.name
    d.mkdir(exist_ok=True)
    archive = _archive_in(d)
    if archive is not None:
        return archive
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
        "--disable-pip-version-check", "--dest", str(d), sdist.requirement,
    ]  # fmt: skip
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    archive = _archive_in(d)
    if proc.returncode != 0 or archive is None:
        raise RuntimeError(f"could not download {sdist.requirement}:\n$ {' '.join(cmd)}\n{proc.stdout}")
    return archive


def _extract(archive: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            if hasattr(tarfile, "data_filter"):
                tf.extractall(dest, filter="data")
            else:  # Python < 3.11.4 / 3.10.12 / 3.9.17
                tf.extractall(dest)
    (root,) = [p for p in dest.iterdir() if p.is_dir()]
    return root


def _check_installed(sdist: Sdist) -> Optional[str]:
    if not sdist.imports_installed:
        return None
    from importlib import metadata

    want = sdist.requirement.split("==")[1]
    try:
        have = metadata.version(sdist.imports_installed)
    except metadata.PackageNotFoundError:
        have = None
    if have != want:
        return (
            f"{sdist.name}'s tests import the installed {sdist.imports_installed} "
            f"(found {have}, need {want}): pip install -r python/requirements-test.txt"
        )
    return None


_lock = threading.Lock()


@pytest.fixture(scope="session")
def real_projects(oracle, request, tmp_path_factory, selected_items):
    """Download and extract every selected project once, then start their
    pytest runs on the oracle's pool."""
    wanted = {id(s.source) for s in selected_specs(selected_items, lambda s: isinstance(s.source, Sdist))}
    cache = _cache_dir(request.config)
    base = tmp_path_factory.mktemp("sdists")
    problems = {}
    with _lock:
        for sdist in PROJECTS.values():
            if id(sdist) not in wanted or sdist.path is not None:
                continue
            problem = _check_installed(sdist)
            if problem:
                problems[sdist.name] = problem
                continue
            try:
                sdist.path = _extract(_download(sdist, cache), base / sdist.name)
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                problems[sdist.name] = str(e)
    oracle.prefetch(
        selected_specs(selected_items, lambda s: isinstance(s.source, Sdist) and s.source.path is not None)
    )
    return problems


@pytest.mark.parametrize("spec", _all_params())
def test_real_project_collect_only_matches_pytest(spec, oracle, real_projects):
    problem = real_projects.get(spec.name)
    if problem:
        # An environment problem (offline, requirements not installed): fatal
        # on CI, a skip on a developer machine.
        if os.environ.get("CI"):
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    expected = oracle.expected(spec)
    if expected.returncode != 0:
        pytest.fail(
            f"pytest itself did not collect {spec.name} cleanly (exit {expected.returncode}); "
            "is python/requirements-test.txt installed?\n"
            f"$ cd {expected.cwd} && {' '.join(expected.cmd)}\n{expected.stdout[-3000:]}\n{expected.stderr}",
            pytrace=False,
        )
    oracle.check(spec, expected)
