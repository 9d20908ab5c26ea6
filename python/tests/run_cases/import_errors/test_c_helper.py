"""Imports a sibling module that raises while it is imported."""
from broken_helper import VALUE


def test_value():
    assert VALUE == 1
