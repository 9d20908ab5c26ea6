import os
import unittest
import warnings

import pytest

warnings.warn("test_a import", DeprecationWarning)


def test_ok(res):
    print("in test")
    print("logstart saw", os.environ["RUNTEST_LOGSTART"])


@pytest.mark.slow
def test_slow():
    pass


def test_fail(res):
    assert 0


@pytest.mark.flip
def test_flipped():
    assert 0


@pytest.mark.xfail(reason="known")
def test_xf():
    assert 0


def test_sections():
    print("some output")
    assert False


class TestGroup:
    def test_method(self, res):
        assert res == 1


class Case(unittest.TestCase):
    def test_unit(self):
        self.assertEqual(1, 1)
