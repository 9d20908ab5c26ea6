"""Tests built at import from an ABC's cache (zope.interface's `collections.abc`
checks): pytest's start-up leaves `list` in `Sequence`'s cache before any test module
is imported, and the worker that runs them must too."""
import abc
import collections.abc
import unittest


def _cached(cls):
    return sorted(c.__name__ for c in (r() for r in abc._get_dump(cls)[1]) if c is not None)


class TestSequenceCache(unittest.TestCase):
    pass


for _name in _cached(collections.abc.Sequence):
    setattr(TestSequenceCache, "test_" + _name, lambda self: None)


def test_something_cached():
    assert _cached(collections.abc.Sequence)
