"""pytest-check's soft assertions: failures its `pytest_runtest_makereport` reports."""
import pytest_check as check


def test_soft():
    check.equal(1, 2)
    check.is_true(False)


def test_soft_ok():
    check.equal(1, 1)
