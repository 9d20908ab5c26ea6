import sys
import unittest
from unittest import mock


def expand(*values):
    """As parameterized's `expand`: one method per value written into the class body
    as it runs; the decorated name itself becomes None (not a test)."""

    def decorate(f):
        ns = sys._getframe(1).f_locals
        for i, v in enumerate(values):
            ns[f"{f.__name__}_{i}"] = lambda self, v=v: f(self, v)
        return None

    return decorate


class TestExpanded(unittest.TestCase):
    @expand(1, 2)
    def test_value(self, v):
        self.assertGreater(v, 0)

    @mock.patch("os.getcwd", return_value="/x")
    def test_patched(self, getcwd):
        self.assertEqual(getcwd(), "/x")
