"""pytest's pytester plugin, named by the initial conftest's ``pytest_plugins``: its
fixtures, options at their defaults, marker and assertion rewriting under fastest."""

import pytest


def test_inline_run(pytester):
    pytester.makepyfile("def test_a(): pass\ndef test_b(): assert 0\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)


def test_outcomes_differ(pytester):
    # pytester's assertions are rewritten: the failure shows the differing outcomes.
    pytester.makepyfile("def test_a(): pass\n")
    pytester.runpytest().assert_outcomes(passed=2)


def test_testdir(testdir):
    testdir.makepyfile("def test_a(): pass\n")
    testdir.runpytest().assert_outcomes(passed=1)


def test_lines(pytester):
    pytester.makepyfile("def test_a(): print('hi')\n")
    result = pytester.runpytest("-s")
    result.stdout.fnmatch_lines(["*hi*", "*1 passed*"])


def test_options(pytestconfig):
    assert pytestconfig.getoption("--runpytest") == "inprocess"
    assert pytestconfig.getoption("lsof") is False
    assert pytestconfig.getini("pytester_example_dir") == ""


def test_subprocess_run(pytester):
    pytester.makepyfile("def test_a(): pass\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


@pytest.mark.pytester_example_path("x")
def test_marked():
    pass


def test_linecomp(linecomp, LineMatcher):
    linecomp.stringio.write("a\nb\n")
    linecomp.assert_contains_lines(["a", "b"])
    LineMatcher(["x"]).fnmatch_lines(["x"])
