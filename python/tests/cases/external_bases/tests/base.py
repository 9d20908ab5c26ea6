"""Helpers the test modules take classes from (not a test module itself)."""
import unittest


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
