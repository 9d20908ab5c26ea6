"""Functions a class splits in two runs, in a module collected by import (a name it
imports from elsewhere): pytest-randomly's order of the module is made once."""

from unittest import SkipTest  # noqa: F401


def test_a1():
    pass


def test_a2():
    pass


class TestMiddle:
    def test_m(self):
        pass


def test_b1():
    pass


def test_b2():
    pass


def test_b3():
    pass
