import unittest

from mylib import parse


class ParserTests(unittest.TestCase):
    def test_single(self):
        self.assertEqual(parse("a"), ["a"])

    def test_empty(self):
        self.assertEqual(parse(""), [])

    def setUp(self):
        self.x = 1


class EdgeCaseTests:
    """Matches python_classes '*Tests' (a glob)."""

    def test_trailing_comma(self):
        assert parse("a,") == ["a"]
