"""``--junitxml``: fastest's native run writes the JUnit XML file pytest 9.2 writes.

Real pytest (the interpreter's ``pytest``) and fastest run the same project at the same
path, one after the other, with the same arguments; the two files must be equal once the
values that differ between any two runs are normalised: every ``time`` attribute, the
suite's ``timestamp`` (whose form is checked) and object addresses (``0x7f...``) in
failure texts. Everything else — element structure,
attribute sets and order, escaping, texts, messages, counts, the hostname — must be
byte-identical. The terminal output is compared too (it carries junitxml's ``generated
xml file`` line, and the warnings the record fixtures give under xunit2).

Under ``-n 2`` the oracle is pytest-xdist (conftest.py's ``xdist_pytest``); the order in
which parallel results arrive is not fixed, so there the test cases are compared as a
sorted list.

Every fastest run is native (``FASTEST_ENGINE=native``: fastest exits 3 rather than hand
the run to pytest), so a pass here is fastest's own XML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Sequence

import pytest

from oracle_harness import (
    RUN_TIMEOUT,
    child_env,
    fastest_in,
    find_pytest,
    normalise,
    require_fastest,
)

PROJECT: Dict[str, str] = {
    "pytest.ini": "[pytest]\n",
    "tests/__init__.py": "",
    "tests/conftest.py": """
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("setup <boom> & \\"quotes\\"")

        @pytest.fixture
        def bad_teardown():
            yield
            raise ValueError("teardown failed")

        @pytest.fixture(scope="session", autouse=True)
        def suite_info(record_testsuite_property):
            record_testsuite_property("ARCH", "x86 <64>")
            yield
        """,
    "tests/test_outcomes.py": """
        import pytest

        def test_pass():
            pass

        def test_fail():
            assert [1, 2, 3] == [1, 2, 4]

        def test_long_message():
            lines = "\\n".join(f"line {i} " + "x" * 40 for i in range(30))
            raise AssertionError(lines)

        def test_setup_error(broken):
            pass

        def test_teardown_error(bad_teardown):
            pass

        def test_fail_and_teardown_error(bad_teardown):
            assert 0, "call failed"

        def test_missing_fixture(no_such_fixture):
            pass

        def test_skip():
            pytest.skip("not today")

        @pytest.mark.skip(reason="marked skip")
        def test_skip_mark():
            pass

        @pytest.mark.skipif(True, reason="condition")
        def test_skipif():
            pass

        @pytest.mark.xfail(reason="known bug")
        def test_xfail():
            assert 0

        @pytest.mark.xfail
        def test_xfail_no_reason():
            raise KeyError("k")

        def test_xfail_imperative():
            pytest.xfail("imperative <xfail>")

        @pytest.mark.xfail(reason="fixed?")
        def test_xpass():
            pass

        @pytest.mark.xfail(reason="must fail", strict=True)
        def test_xpass_strict():
            pass

        @pytest.mark.xfail(reason="not run", run=False)
        def test_xfail_not_run():
            pass

        @pytest.mark.xfail(raises=TypeError, reason="wrong exception")
        def test_xfail_wrong_raises():
            raise ValueError("v")
        """,
    "tests/test_records.py": """
        import pytest

        @pytest.fixture
        def late_property(record_property):
            yield
            record_property("recorded_in", "teardown")

        def test_properties(record_property, late_property):
            record_property("answer", 42)
            record_property("text", "a<b>&\\"c\\"\\x07")
            record_property("mapping", {"k": [1, 2]})

        def test_attributes(record_xml_attribute):
            record_xml_attribute("owner", "team <a> \\x1b")
            record_xml_attribute("classname", "custom.Class")

        def test_suite_property(record_testsuite_property):
            record_testsuite_property("build", 7)

        def test_properties_then_fail(record_property):
            record_property("before", "failure")
            assert False

        class TestGroup:
            @pytest.mark.parametrize("value", ["a::b", "<&>", "x[1]", "tab\\there", "caf\\u00e9"])
            def test_param(self, value):
                pass

            class TestInner:
                def test_nested(self):
                    pass
        """,
    "tests/test_output.py": """
        import logging
        import sys

        log = logging.getLogger("proj")

        def test_output_pass():
            print("stdout of a pass \\u00e9 \\u2603")
            sys.stderr.write("stderr of a pass\\n")
            log.warning("log of a pass <%s>", "x")

        def test_output_fail():
            print("control chars: \\x00 \\x08 \\x1b[31mred\\x1b[0m \\x7f \\ufffe end")
            sys.stderr.write("err & <stuff>\\n")
            log.error("logged error")
            assert 0

        def test_output_skip():
            print("before skip")
            import pytest
            pytest.skip("skipping after output")
        """,
    # A module skipped at collection: a testcase of its own, `collection skipped`.
    "tests/test_unavailable.py": """
        import pytest

        pytest.importorskip("fastest_no_such_module_xyz")

        def test_never():
            pass
        """,
}

#: Added for the collection-error runs: a module that fails to import.
BROKEN: Dict[str, str] = {
    "tests/test_broken.py": """
        raise RuntimeError("cannot <import> & \\"this\\"")
        """,
}

#: Argument sets, each a native fastest run against pytest's.
RUNS: Dict[str, List[str]] = {
    "default": [],
    "xunit1-prefix": ["-o", "junit_family=xunit1", "--junit-prefix=pre.fix"],
    "legacy": ["-o", "junit_family=legacy"],
    "logging-all-suite-name": ["-o", "junit_logging=all", "-o", "junit_suite_name=my <suite>"],
    "system-out-no-passing": [
        "-o", "junit_logging=system-out", "-o", "junit_log_passing_tests=false",
    ],
    "out-err-call-duration": ["-o", "junit_logging=out-err", "-o", "junit_duration_report=call"],
    "log": ["-o", "junit_logging=log"],
    "system-err": ["-o", "junit_logging=system-err"],
    "quiet": ["-q"],
    # Every duration under the threshold: the section is the same whatever the timings.
    "verbose-durations": ["-v", "--durations=3", "--durations-min=100", "-rA"],
    "selection": ["-k", "output or param", "--junit-xml=reports/sel.xml"],
    "nothing-selected": ["-k", "nothing_matches"],
    "maxfail": ["--maxfail=2", "-o", "junit_family=xunit1"],
    # The terminal has pytest's markup; the file's texts are `str(longrepr)`, plain.
    "color": ["--color=yes", "-rA"],
}

XML = "reports/deep/out.xml"

_TIME = re.compile(r' time="\d+\.\d{3}"')
_TIMESTAMP = re.compile(r' timestamp="([^"]*)"')
_ADDRESS = re.compile(r"0x[0-9a-f]+")
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d$")


def _write(root: Path, extra: Dict[str, str] | None = None) -> None:
    for name, body in {**PROJECT, **(extra or {})}.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(body))


def _run(cmd: Sequence[str], root: Path, args: Sequence[str], cwd: Path | None = None,
         env: Dict[str, str] | None = None):
    # PYTHONHASHSEED: pytest's coloured log levels iterate a set of markup names.
    env = child_env(
        {"NO_COLOR": "1", "FASTEST_ENGINE": "native", "PYTHONHASHSEED": "0", **(env or {})}
    )
    return subprocess.run(
        [*cmd, "-p", "no:cacheprovider", *args],
        cwd=cwd or root, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=RUN_TIMEOUT,
    )


def _xml_path(root: Path, args: Sequence[str]) -> Path:
    given = [a.split("=", 1)[1] for a in args if a.startswith(("--junitxml=", "--junit-xml="))]
    return root / (given[-1] if given else XML)


def _normalised(text: str) -> str:
    """The document with the per-run values replaced (the timestamp's form checked)."""
    stamps = _TIMESTAMP.findall(text)
    assert len(stamps) == 1 and _ISO.match(stamps[0]), stamps
    text = _TIMESTAMP.sub(' timestamp="TS"', _TIME.sub(' time="T"', text))
    return _ADDRESS.sub("0x?", text)


def _both(tmp_path: Path, args: Sequence[str], pytest_cmd: List[str], fastest_cmd: List[str],
          cwd: str = ".", fastest_env: Dict[str, str] | None = None,
          extra: Dict[str, str] | None = None, env: Dict[str, str] | None = None):
    """Run pytest, then fastest, at the same path; the two results and XML texts."""
    root = tmp_path / "proj"
    _write(root, extra)
    xml_args = [] if any(a.startswith("--junit") and "xml" in a for a in args) else [
        f"--junitxml={XML}" if cwd == "." else f"--junitxml=../{XML}"
    ]
    full = [*xml_args, *args]
    path = _xml_path(root, full) if cwd == "." else root / XML
    expected = _run(pytest_cmd, root, full, root / cwd, env)
    assert path.exists(), f"pytest wrote no {path}:\n{expected.stdout}\n{expected.stderr}"
    expected_xml = path.read_text(encoding="utf-8")
    # A fresh copy at the same path: neither tool sees the other's files.
    shutil.rmtree(root)
    _write(root, extra)
    actual = _run(fastest_cmd, root, full, root / cwd, {**(env or {}), **(fastest_env or {})})
    assert "cannot run natively" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode, (actual.stdout, actual.stderr)
    assert path.exists(), f"fastest wrote no {path}:\n{actual.stdout}\n{actual.stderr}"
    return expected, actual, expected_xml, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(RUNS))
def test_xml_matches_pytest(tmp_path: Path, name: str):
    fastest = require_fastest()
    expected, actual, expected_xml, actual_xml = _both(tmp_path, RUNS[name], find_pytest(), fastest)
    assert _normalised(actual_xml) == _normalised(expected_xml)
    assert _ADDRESS.sub("0x?", normalise(actual.stdout)) == _ADDRESS.sub(
        "0x?", normalise(expected.stdout)
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--continue-on-collection-errors", "-o", "junit_family=xunit1"],
        ["--continue-on-collection-errors", "--color=yes"],
    ],
    ids=["interrupted", "continued", "continued-color"],
)
def test_collection_errors_match_pytest(tmp_path: Path, args: List[str]):
    """A module failing at collection: `collection failure` testcases, and either no
    test run (pytest's interrupted session) or the run going on."""
    fastest = require_fastest()
    expected, actual, expected_xml, actual_xml = _both(
        tmp_path, args, find_pytest(), fastest, extra=BROKEN
    )
    assert "collection failure" in expected_xml
    assert _normalised(actual_xml) == _normalised(expected_xml)
    assert _ADDRESS.sub("0x?", normalise(actual.stdout)) == _ADDRESS.sub(
        "0x?", normalise(expected.stdout)
    )


def test_coloured_environment_matches_pytest(tmp_path: Path):
    """``PY_COLORS=1`` colours every writer pytest makes, the one behind
    ``str(longrepr)`` too: the file's failure texts carry the escape codes (and the
    highlighted source) as pytest's do."""
    fastest = require_fastest()
    expected, actual, expected_xml, actual_xml = _both(
        tmp_path, ["-rA"], find_pytest(), fastest, env={"PY_COLORS": "1"}
    )
    assert "#x1B[" in expected_xml or "\x1b[" in expected_xml
    assert _normalised(actual_xml) == _normalised(expected_xml)
    assert _ADDRESS.sub("0x?", normalise(actual.stdout)) == _ADDRESS.sub(
        "0x?", normalise(expected.stdout)
    )


def test_relative_path_from_a_subdirectory(tmp_path: Path):
    """A relative path is the invocation directory's; missing directories are made."""
    fastest = require_fastest()
    expected, actual, expected_xml, actual_xml = _both(
        tmp_path, ["-o", "junit_family=xunit1"], find_pytest(), fastest, cwd="tests"
    )
    assert _normalised(actual_xml) == _normalised(expected_xml)
    assert _ADDRESS.sub("0x?", normalise(actual.stdout)) == _ADDRESS.sub(
        "0x?", normalise(expected.stdout)
    )
    assert f"generated xml file: {tmp_path / 'proj' / XML}" in actual.stdout


def _sorted_cases(text: str) -> ET.Element:
    """The document with its test cases in a fixed order (parallel arrival order is not)."""
    root = ET.fromstring(_normalised(text).split("?>", 1)[1])
    suite = root[0]
    cases = [c for c in suite if c.tag == "testcase"]
    for c in cases:
        suite.remove(c)
    cases.sort(key=lambda c: ET.tostring(c, encoding="unicode"))
    suite.extend(cases)
    return root


@pytest.mark.parametrize("args", [[], ["-o", "junit_family=xunit1", "-o", "junit_logging=all"]],
                         ids=["default", "xunit1-all"])
def test_parallel_xml_matches_pytest_xdist(tmp_path: Path, xdist_pytest: List[str], args):
    require_fastest()
    # fastest in the pytest-xdist venv: the same plugins installed (a missing fixture's
    # error lists xdist's fixtures).
    fastest, env = fastest_in(xdist_pytest)
    expected, actual, expected_xml, actual_xml = _both(
        tmp_path, ["-n", "2", *args], xdist_pytest, fastest, fastest_env=env
    )
    e, a = _sorted_cases(expected_xml), _sorted_cases(actual_xml)
    assert ET.tostring(a, encoding="unicode") == ET.tostring(e, encoding="unicode")
    line = f"generated xml file: {tmp_path / 'proj' / XML}"
    assert line in expected.stdout and line in actual.stdout


def test_pytest_engine_xml_matches_pytest(tmp_path: Path):
    # The pytest engine's workers record into the coordinator's file too; pytest's
    # junitxml plugin in them ends without a `LogXML` of its own to unregister.
    fastest = require_fastest()
    _, _, expected_xml, actual_xml = _both(
        tmp_path, [], find_pytest(), fastest,
        fastest_env={"FASTEST_ENGINE": "pytest", "FASTEST_NO_DELEGATE": "1"},
    )
    assert _normalised(actual_xml) == _normalised(expected_xml)
