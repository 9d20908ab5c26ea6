"""Helpers the test modules take classes from (not a test module itself)."""
import unittest

import pytest


class Helper:
    greeting = "hello"

    def make(self):
        return self.greeting


class BaseCase(unittest.TestCase):
    def setUp(self):
        self.ready = True


class WithInit:
    def __init__(self):
        self.value = 1


class WithTests:
    def test_inherited(self):
        assert True


class Registering:
    """Gives each subclass a test of its own when the subclass is made."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.test_registered = lambda self: None


class WithParams:
    """Tests with marks and parameters, read whole from this module's source."""

    pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

    @pytest.mark.parametrize("n", [1, 2])
    def test_param(self, n):
        assert n

    @pytest.mark.skip(reason="inherited skip")
    def test_skipped(self):
        raise AssertionError


class ChainBase(WithTests):
    def test_chain(self):
        assert True


class CaseWithTests(unittest.TestCase):
    def test_case_inherited(self):
        self.assertTrue(True)
