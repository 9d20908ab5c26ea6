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
