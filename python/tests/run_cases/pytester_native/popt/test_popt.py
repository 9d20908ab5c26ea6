"""pytester loaded by ``-p pytester`` (no conftest names it)."""

import pytest


@pytest.mark.pytester_example_path("x")
def test_inline(pytester):
    pytester.makepyfile("def test_a(): pass\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_fails(testdir):
    testdir.makepyfile("def test_a(): assert 0\n")
    testdir.runpytest().assert_outcomes(passed=1)
