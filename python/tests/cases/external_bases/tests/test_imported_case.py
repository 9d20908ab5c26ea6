"""An imported TestCase subclass with no tests of its own: pytest finds nothing in it."""
from base import BaseCase  # noqa: F401


def test_plain():
    assert True
