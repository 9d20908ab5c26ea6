"""A module whose marks reach its doctests.

>>> 1
1
"""
import pytest

pytestmark = pytest.mark.skip(reason="module skipped")


def f():
    """
    >>> f()
    'f'
    """
    return "f"
