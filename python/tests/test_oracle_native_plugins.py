"""Installed plugins the native engine stands in for, against real pytest (issue 5).

With pytest-mock, pytest-cov, pytest-timeout, pytest-env, pytest-rerunfailures and Faker
installed (and pytest-xdist), fastest keeps the native engine: pytest-mock's fixtures and its wrapped
``assert_called_*`` methods come from the plugin's own module, loaded by the engine;
pytest-cov without ``--cov`` does nothing at run time; pytest-timeout's module is
loaded too, and the engine drives its protocol and call wrappers, which arm its timer
around each test (a limit from the option, the ini, or a ``timeout`` mark); pytest-env's
module sets the worker's environment before any conftest is imported. A test that
needs what only pytest's machinery gives (pytest-cov's ``cov`` fixture) moves its
module to the pytest engine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Sequence

import pytest

from oracle_harness import (
    FINAL_LINE as _FINAL,
    OUTCOME_LINE as _OUTCOME,
    clean_plugin_output as _clean,
    fastest_in,
    fresh_case,
    plugin_case_both,
    require_fastest,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "mocking"
_ENGINE_NOTE = "fastest: the pytest engine runs the items"


def _run(cmd: Sequence[str], root: Path, args: Sequence[str], env):
    return run_in(cmd, root, ["-p", "no:cacheprovider", *args], env)


def _case(tmp_path: Path) -> Path:
    return fresh_case(CASE, tmp_path)


def _both(tmp_path: Path, venv_pytest: List[str], args: Sequence[str], edit=None):
    return plugin_case_both(CASE, tmp_path, venv_pytest, args, edit)


@pytest.mark.parametrize(
    "args",
    [("-v",), ("-q", "-rA"), ("-o", "mock_traceback_monkeypatch=false"), ("--tb=short", "-l"),
     # Blocking a plugin no installed distribution provides changes nothing.
     ("-p", "no:randomly", "-p", "no:sugar")],
    ids=["v", "q", "no-mock-monkeypatch", "tb-short-locals", "blocks-uninstalled"],
)
def test_native_engine_prints_what_pytest_prints(tmp_path, native_plugins_pytest, args):
    expected, actual = _both(tmp_path, native_plugins_pytest, args)
    assert actual.returncode == expected.returncode == 1, (expected.stdout, actual.stdout)
    assert _ENGINE_NOTE not in actual.stdout, actual.stdout
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def test_distributed_run_matches_pytest(tmp_path, native_plugins_pytest):
    # fastest keeps a class's tests in one worker (its scope group), so every outcome
    # is pytest's without workers; pytest-xdist's `--dist load` may split the class
    # whose `class_mocker` patch a later test relies on, depending on its timing.
    # The short summary (`-rA`) names every outcome in both forms.
    expected, _ = _both(tmp_path, native_plugins_pytest, ("-rA",))
    _, actual = _both(tmp_path, native_plugins_pytest, ("-n", "2", "-rA"))
    assert actual.returncode == expected.returncode == 1
    assert set(_OUTCOME.findall(actual.stdout)) == set(_OUTCOME.findall(expected.stdout))
    assert _FINAL.findall(actual.stdout)[-1] == _FINAL.findall(expected.stdout)[-1]
    assert _ENGINE_NOTE not in actual.stdout


def _assert_native_as_pytest(expected, actual) -> None:
    """The native engine ran every item, and fastest printed what pytest printed."""
    assert "fastest: the pytest engine" not in actual.stdout, actual.stdout
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def _cov_fixture(root: Path) -> None:
    (root / "test_cov_fixture.py").write_text("def test_cov(cov):\n    assert cov is None\n")


@pytest.mark.parametrize(
    "edit, why",
    [
        (_cov_fixture, "test_cov_fixture.py::test_cov uses fixture cov"),
        (None, None),
    ],
    ids=["cov-fixture", "neither"],
)
def test_what_only_pytest_serves_moves_its_module_to_the_pytest_engine(
    tmp_path, native_plugins_pytest, edit, why
):
    # The module that needs pytest's machinery runs in the pytest engine, beside the
    # native engine's modules with pytest-mock's fixtures (`fastest._mixed`). (Not under
    # `-n`: pytest-rerunfailures, installed here, needs pytest-xdist's controller then.)
    expected, actual = _both(tmp_path, native_plugins_pytest, ("-v",), edit)
    assert actual.returncode == expected.returncode == 1
    assert set(_OUTCOME.findall(actual.stdout)) == set(_OUTCOME.findall(expected.stdout))
    assert _FINAL.findall(actual.stdout)[-1] == _FINAL.findall(expected.stdout)[-1]
    assert _ENGINE_NOTE not in actual.stdout
    if why is None:
        assert "fastest: the pytest engine runs" not in actual.stdout
    else:
        module = why.split("::")[0]
        assert f"fastest: the pytest engine runs {module} ({why})" in actual.stdout, actual.stdout
        assert "fastest: the native engine runs the other modules" in actual.stdout


@pytest.mark.parametrize(
    "args", [("-v", "--timeout=30"), ("-q", "-o", "timeout=30", "-o", "timeout_func_only=true")],
    ids=["option", "ini"],
)
def test_a_timeout_setting_stays_native(tmp_path, native_plugins_pytest, args):
    # pytest-timeout's module is loaded by the native engine, which arms its timer
    # around each test; its header lines come from its own hook.
    expected, actual = _both(tmp_path, native_plugins_pytest, args)
    assert actual.returncode == expected.returncode == 1
    _assert_native_as_pytest(expected, actual)


def _env_lines(root: Path) -> None:
    # pytest-env's ini lines: plain, composed from another variable, a default kept
    # when set already, an unset; a conftest reading the environment as it is imported
    # and a skipif condition on it.
    (root / "pytest.ini").write_text(
        "[pytest]\nenv =\n    CASE_ENV=plain\n    CASE_COMPOSED={CASE_ENV}-composed\n"
        "    D:CASE_PRESET=from-ini\n    U:CASE_GONE\n"
    )
    (root / "conftest.py").write_text(
        (root / "conftest.py").read_text() + "\nimport os\n\nAT_IMPORT = os.environ.get('CASE_ENV')\n"
    )
    (root / "test_env_lines.py").write_text(
        "import os\n\nimport pytest\n\nimport conftest\n\n\n"
        "def test_set_before_conftests():\n    assert conftest.AT_IMPORT == 'plain'\n\n\n"
        "def test_values():\n    assert os.environ['CASE_COMPOSED'] == 'plain-composed'\n"
        "    assert os.environ['CASE_PRESET'] == 'from-outside'\n"
        "    assert 'CASE_GONE' not in os.environ\n\n\n"
        "@pytest.mark.skipif(\"os.environ['CASE_ENV'] == 'plain'\", reason='set')\n"
        "def test_skipped_by_it():\n    pass\n"
    )


def test_pytest_env_sets_the_environment_natively(tmp_path, native_plugins_pytest, monkeypatch):
    """pytest-env's module is loaded by the native engine, whose worker calls its
    ``pytest_load_initial_conftests`` before importing any conftest."""
    monkeypatch.setenv("CASE_PRESET", "from-outside")
    monkeypatch.setenv("CASE_GONE", "1")
    expected, actual = _both(tmp_path, native_plugins_pytest, ("-rA",), _env_lines)
    assert actual.returncode == expected.returncode == 1
    assert "PASSED test_env_lines.py::test_values" in actual.stdout, actual.stdout
    _assert_native_as_pytest(expected, actual)


def _quiet_plugins(root: Path) -> None:
    # requests-mock's fixture reads its ini key; typeguard is installed and idle (its
    # `pytest_configure` installs no import hook without packages to check).
    (root / "pytest.ini").write_text("[pytest]\nrequests_mock_case_sensitive = true\n")
    (root / "test_requests_mock.py").write_text(
        "import pytest\nimport requests\n\n\n"
        "def test_mocked(requests_mock):\n"
        "    requests_mock.get('http://example.test/Path', text='hi')\n"
        "    assert requests.get('http://example.test/Path').text == 'hi'\n\n\n"
        "def test_case_sensitive(requests_mock):\n"
        "    requests_mock.get('http://example.test/Path', text='hi')\n"
        "    requests.get('http://example.test/path')\n"
    )


def test_quiet_plugins_stay_native(tmp_path, native_plugins_pytest):
    """Plugins fastest does not know whose modules define fixtures, options, ini keys
    and a ``pytest_configure`` (requests-mock, typeguard): the native engine loads them
    and calls both hooks, and their ini keys set in the config file reach them."""
    expected, actual = _both(tmp_path, native_plugins_pytest, ("-rA",), _quiet_plugins)
    assert actual.returncode == expected.returncode == 1
    assert "FAILED test_requests_mock.py::test_case_sensitive" in actual.stdout, actual.stdout
    _assert_native_as_pytest(expected, actual)


def test_collect_only_with_coverage_is_pytests(tmp_path, native_plugins_pytest):
    """pytest-cov measuring (`--cov`) ends a `--collect-only` listing with its coverage
    table: pytest's session renders that listing."""
    require_fastest()
    args = ["--collect-only", "-q", "--cov", "--cov-report=term"]
    root = _case(tmp_path)
    expected = _run(native_plugins_pytest, root, args, {})
    root = _case(tmp_path)
    cmd, env = fastest_in(native_plugins_pytest)
    actual = _run(cmd, root, args, env)
    assert "coverage: platform" in expected.stdout, expected.stdout
    assert actual.returncode == expected.returncode
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def _benchmarks(root: Path) -> None:
    (root / "test_bench.py").write_text(
        "import pytest\n\n\n"
        "def test_fixture(benchmark):\n    assert benchmark(sum, [1, 2, 3]) == 6\n\n\n"
        "@pytest.mark.benchmark\ndef test_marked():\n    pass\n\n\n"
        "def test_fails(benchmark):\n    assert benchmark(lambda: 1) == 2\n\n\n"
        "def test_twice(codspeed_benchmark):\n    codspeed_benchmark(lambda: None)\n"
        "    codspeed_benchmark(lambda: None)\n\n\n"
        "def test_pedantic(benchmark):\n"
        "    assert benchmark.pedantic(max, args=(1, 2), rounds=3) == 2\n"
    )


@pytest.mark.parametrize("args", [("-rA", "--strict-markers"), ("-v",)], ids=["rA", "v"])
def test_disabled_codspeed_stays_native(tmp_path, native_plugins_pytest, args):
    """pytest-codspeed without ``--codspeed``: its header line, marks and fixtures (which
    call the function once) from its own module, loaded by the native engine."""
    expected, actual = _both(tmp_path, native_plugins_pytest, args, _benchmarks)
    assert actual.returncode == expected.returncode == 1
    assert "codspeed: 5.0.3 (disabled" in expected.stdout, expected.stdout
    assert "FAILED test_bench.py::test_twice" in expected.stdout.replace(" - ", " ")
    _assert_native_as_pytest(expected, actual)


def test_enabled_codspeed_is_pytests_session(tmp_path, native_plugins_pytest):
    """With ``--codspeed`` the plugin measures and reports: pytest's session."""
    _, refused = _both(tmp_path, native_plugins_pytest, ("-q", "--codspeed"), _benchmarks)
    assert refused.returncode == 3
    assert "pytest would run this session" in refused.stderr, refused.stderr


def _logfire_tests(root: Path) -> None:
    (root / "test_traced.py").write_text(
        "import logfire\n\n\n"
        "def test_captured(capfire):\n"
        "    logfire.info('hello {name}', name='world')\n"
        "    spans = capfire.exporter.exported_spans_as_dict()\n"
        "    assert [s['name'] for s in spans] == ['hello {name}']\n\n\n"
        "def test_instance(logfire_pytest):\n"
        "    assert logfire_pytest is not None\n\n\n"
        "def test_fails(capfire):\n"
        "    assert capfire.exporter.exported_spans_as_dict() == [1]\n"
    )


@pytest.mark.parametrize("args", [("-rA",), ("-v", "-o", "logfire=false")], ids=["rA", "ini-off"])
def test_disabled_logfire_stays_native(tmp_path, native_plugins_pytest, args):
    """logfire's pytest plugin while it is disabled: its fixtures (`capfire`,
    `logfire_pytest`) from its own modules, loaded by the native engine."""
    expected, actual = _both(tmp_path, native_plugins_pytest, args, _logfire_tests)
    assert actual.returncode == expected.returncode == 1
    assert re.search(r"(PASSED test_traced.py::test_captured|test_traced.py::test_captured PASSED)",
                     expected.stdout), expected.stdout
    _assert_native_as_pytest(expected, actual)


@pytest.mark.parametrize("args", [("-q", "--logfire"), ("-q", "-o", "logfire=true")], ids=["option", "ini"])
def test_enabled_logfire_is_pytests_session(tmp_path, native_plugins_pytest, args):
    """Tracing the tests is the plugin's hooks' work: pytest's session."""
    _, refused = _both(tmp_path, native_plugins_pytest, args, _logfire_tests)
    assert refused.returncode == 3
    assert "pytest would run this session" in refused.stderr, refused.stderr


CLOCK_TRAVEL = '''\
import time
from unittest import TestCase

import pytest
import time_machine


@pytest.fixture
def travelled():
    with time_machine.travel(95.0):
        yield


def test_fixture(travelled):
    # The first reading after the travel starts gives 95.0 exactly; it ticks from then.
    time.sleep(0.001)
    assert time.time() > 95.0


def test_plugin_fixture_moved_in_the_test(time_machine):
    # Moved during the call: the test's own reading is the first (pytest fails it too).
    time_machine.move_to(50.0)
    time.sleep(0.001)
    assert time.time() > 50.0


@pytest.mark.time_machine(0.0, tick=False)
def test_marked():
    # The plugin's collection hook gives a marked test its fixture, which travels.
    assert time.time() == 0.0


@time_machine.travel(95.0)
class TestTravelled(TestCase):
    def test_decorated_class(self):
        time.sleep(0.001)
        assert time.time() > 95.0
'''


def test_a_travelling_clock_ticks_from_the_phase_end_as_under_pytest(tmp_path, native_plugins_pytest):
    """time-machine's ``travel`` (ticking) returns its destination at the first reading
    of the clock after it starts, and moves on from there: pytest's runner reads
    ``time.time()`` as each phase starts and ends, so the test's own first reading, after
    a fixture or ``setUpClass`` started the travel, has moved on. A test marked
    ``time_machine`` gets the plugin's fixture from its collection hook (the module
    naming the plugin is collected by import, that item runs in the pytest engine)."""
    def edit(root: Path) -> None:
        (root / "test_clock.py").write_text(CLOCK_TRAVEL)

    expected, actual = _both(tmp_path, native_plugins_pytest, ("-rA", "test_clock.py"), edit)
    assert expected.returncode == actual.returncode == 1, actual.stdout
    assert "1 failed, 3 passed" in expected.stdout, expected.stdout
    _assert_native_as_pytest(expected, actual)


@pytest.mark.parametrize("args", [("-rA",), ("-q", "--snapshot-update")], ids=["compare", "update"])
def test_snapshot_files_as_under_pytest(tmp_path, native_plugins_pytest, args):
    """pytest-snapshot (a quiet plugin whose module imports ``_pytest.python`` for an
    annotation): its files compared, or written with ``--snapshot-update`` (which fails
    the tests whose file it changed, at teardown)."""
    expected, actual = _both(tmp_path, native_plugins_pytest, (*args, "test_snapshots.py"))
    assert expected.returncode == actual.returncode == 1, actual.stdout
    _assert_native_as_pytest(expected, actual)


@pytest.mark.parametrize(
    "required, rc",
    [("pytest-cov>=4.0.0 pytest-timeout~=2.4", 0),
     ("pytest-cov[toml]>=4,<8 pytest-timeout!=1.0", 0),
     ("pytest-cov>=4.0.0 pytest-timeout<2", 4),
     ("pytest-cov==7.* pytest-mock>99", 4)],
    ids=["met", "extras", "too-new", "too-old"],
)
def test_required_plugins_with_versions_are_checked_here(tmp_path, native_plugins_pytest,
                                                         required, rc):
    """`required_plugins` entries with version specifiers (pycountry's
    `pytest-cov>=4.0.0`) are checked against the installed versions as pytest's
    `packaging` checks them: a session that meets them stays fastest's, one that does
    not ends with pytest's usage error (both handed the session to pytest before)."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text(f"[pytest]\nrequired_plugins = {required}\n")
    (root / "test_a.py").write_text("def test_a():\n    pass\n")
    fastest, env = fastest_in(native_plugins_pytest)
    expected = _run(native_plugins_pytest, root, ["-q"], {})
    actual = _run(fastest, root, ["-q"], env)
    assert actual.returncode == expected.returncode == rc, (expected.stderr, actual.stderr)
    assert "running pytest itself" not in actual.stderr, actual.stderr
    assert _clean(actual.stdout) == _clean(expected.stdout), (expected.stdout, actual.stdout)
    assert actual.stderr.splitlines()[-1:] == expected.stderr.splitlines()[-1:], (
        expected.stderr, actual.stderr)
