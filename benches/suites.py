"""The generated test suites benches/run.py measures (written fresh into a work dir).

* `generate_suite` — the plain suite: 20 tests per file (plain functions with a conftest
  fixture, a class, parametrize, a parametrized conftest fixture), 50 files per package.
* `generate_skewed` — issue 4's scheduling proof: `files` modules, one of which holds
  `slow_tests` tests that each sleep `slow_sleep` seconds; every other module holds
  `fast_tests` tests that sleep `fast_sleep` seconds. The fast modules are not free on
  purpose: their total is about the slow module's, so total / workers is close to the
  longest group and a scheduler that starts the slow module last pays for it.
* `generate_fixtures` — a suite heavy on fixtures: session, module and class scopes,
  yield fixtures with teardown checks, a parametrized fixture (crossed with
  parametrize), autouse fixtures at every level, overriding fixtures, and a conftest
  hierarchy three levels deep (rootdir, tests/, tests/<package>/). Two patterns are
  left out on purpose because discovery cannot prove them yet and hands the whole
  module to the pytest engine, which would turn this into a pytest-engine benchmark: a
  module-scoped *parametrized* fixture (pytest reorders items around its params) and
  an overriding fixture that requests the fixture it overrides. The bench records
  which engine ran, so a suite that stops being native shows in the report.
"""

from __future__ import annotations

from pathlib import Path


def generate_suite(root: Path, n_tests: int) -> None:
    """A realistic generated suite: 20 tests per file, 50 files per package."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow tests\n")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "conftest.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\ndef base():\n    return 1\n\n"
        "@pytest.fixture(params=[1, 2])\ndef pair(request):\n    return request.param\n"
    )
    per_file = 20
    n_files = max(1, n_tests // per_file)
    for i in range(n_files):
        pkg = root / "tests" / f"pkg_{i // 50:03d}"
        if not pkg.exists():
            pkg.mkdir()
            (pkg / "__init__.py").write_text("")
        lines = ["import pytest", "", f"CONST_{i} = [1, 2, 3]", ""]
        # 8 plain functions
        for j in range(8):
            lines += [f"def test_plain_{j}(base):", f"    assert base + {j} > 0", ""]
        # a class with 4 methods
        lines += [f"class TestGroup{i}:"]
        for j in range(4):
            lines += [f"    def test_m{j}(self):", "        assert True", ""]
        # parametrize: 3 + 3 items, fixture params: 2 items
        lines += [
            f"@pytest.mark.parametrize('x', CONST_{i})",
            "def test_param(x):",
            "    assert x",
            "",
            "@pytest.mark.parametrize('a,b', [(1, 'one'), (2, 'two'), (3, 'three')])",
            "@pytest.mark.slow",
            "def test_pairs(a, b):",
            "    assert a and b",
            "",
            "def test_fixture_param(pair):",
            "    assert pair",
            "",
        ]
        (pkg / f"test_mod_{i:05d}.py").write_text("\n".join(lines))


def generate_skewed(
    root: Path,
    files: int = 20,
    slow_tests: int = 5,
    slow_sleep: float = 0.4,
    fast_tests: int = 10,
    fast_sleep: float = 0.01,
) -> None:
    """`files` modules in tests/; `test_slow.py` sorts last, so a scheduler that hands out
    modules in collection order (or by test count: it has the fewest tests) starts it
    last."""
    tests = root / "tests"
    tests.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    for i in range(files - 1):
        body = ["import time", ""]
        for j in range(fast_tests):
            body += [f"def test_fast_{j}():", f"    time.sleep({fast_sleep!r})", ""]
        (tests / f"test_fast_{i:02d}.py").write_text("\n".join(body))
    body = ["import time", ""]
    for j in range(slow_tests):
        body += [f"def test_slow_{j}():", f"    time.sleep({slow_sleep!r})", ""]
    (tests / "test_slow.py").write_text("\n".join(body))


_ROOT_CONFTEST = """\
import pytest

# Session scope: set up once per process (once per worker under -n), torn down at exit.
_SESSIONS = []


@pytest.fixture(scope="session")
def db():
    _SESSIONS.append("db")
    state = {"rows": [], "open": True}
    yield state
    state["open"] = False


@pytest.fixture(scope="session", autouse=True)
def session_guard():
    yield
    assert _SESSIONS.count("db") <= 1, "the session fixture was set up twice"


@pytest.fixture
def config_value():
    return "root"


@pytest.fixture(params=["json", "yaml"])
def fmt(request):
    return request.param
"""

_TESTS_CONFTEST = """\
import pytest


# Overrides the rootdir's fixture.
@pytest.fixture
def config_value():
    return "root/tests"


@pytest.fixture(scope="module")
def conn(db, request):
    opened = {"module": request.module.__name__, "closed": False}
    db["rows"].append(opened["module"])
    yield opened
    opened["closed"] = True


@pytest.fixture(autouse=True)
def per_test_counter(request):
    request.node.used = getattr(request.node, "used", 0) + 1
    yield
    assert request.node.used == 1
"""

_PKG_CONFTEST = """\
import pytest


@pytest.fixture
def config_value():
    return "root/tests/{pkg}"


@pytest.fixture(scope="class")
def resource(conn):
    res = {{"conn": conn, "uses": 0}}
    yield res
    assert not conn["closed"], "class fixture outlived its module fixture"


@pytest.fixture(autouse=True)
def isolated(monkeypatch):
    monkeypatch.setenv("FASTEST_BENCH_PKG", "{pkg}")
"""

_TEST_MODULE = """\
import os

import pytest


@pytest.fixture
def local(conn, fmt):
    yield (conn["module"], fmt)


@pytest.fixture(scope="module", autouse=True)
def module_setup(conn):
    assert not conn["closed"]


def test_config(config_value):
    assert config_value == "root/tests/{pkg}"


def test_env():
    assert os.environ["FASTEST_BENCH_PKG"] == "{pkg}"


def test_db(db, conn):
    assert db["open"] and conn["module"] in db["rows"]


def test_local(local):
    assert local[0] == __name__ and local[1] in ("json", "yaml")


@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n, fmt):
    assert n > 0 and fmt in ("json", "yaml")


@pytest.mark.parametrize("fmt", ["toml"], indirect=False)
def test_direct_overrides_fixture(fmt):
    assert fmt == "toml"


# pytest-xdist's load scheduling may split a class between workers, so no test may rely
# on a sibling having used the class fixture first: each checks the count stays in range.
class TestResource:
    def test_first(self, resource):
        resource["uses"] += 1
        assert 1 <= resource["uses"] <= 2

    def test_second(self, resource):
        resource["uses"] += 1
        assert 1 <= resource["uses"] <= 2

    def test_request(self, request, resource):
        assert request.cls is TestResource and request.scope == "function"
"""


def generate_fixtures(root: Path, packages: int = 4, files_per_package: int = 10) -> None:
    """`packages` packages under tests/, each with its own conftest and
    `files_per_package` modules of 15 items (9 functions and methods, two of them
    parametrized by a fixture and one of those also by parametrize)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "conftest.py").write_text(_ROOT_CONFTEST)
    tests = root / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "__init__.py").write_text("")
    (tests / "conftest.py").write_text(_TESTS_CONFTEST)
    for p in range(packages):
        pkg = f"pkg_{p:02d}"
        d = tests / pkg
        d.mkdir(exist_ok=True)
        (d / "__init__.py").write_text("")
        (d / "conftest.py").write_text(_PKG_CONFTEST.format(pkg=pkg))
        for f in range(files_per_package):
            (d / f"test_fix_{f:03d}.py").write_text(_TEST_MODULE.format(pkg=pkg))
