"""pytester loaded by ``-p pytester`` (no conftest names it)."""

import pytest


@pytest.mark.pytester_example_path("x")
def test_inline(pytester):
    pytester.makepyfile("def test_a(): pass\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_fails(testdir):
    # One differing outcome: the assertion's diff lists differing keys in set order.
    testdir.makepyfile("def test_a(): pass\n")
    testdir.runpytest().assert_outcomes(passed=2)


def test_method(pytester):
    # `--runpytest` chooses how `runpytest` runs pytest (in process by default).
    print("runpytest:", pytester._method)
