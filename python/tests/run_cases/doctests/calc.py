"""Doctests with failures of every kind.

>>> 1 + 1
2
"""
import pytest


def add(a, b):
    """Add two numbers.

    >>> add(1, 2)
    3
    >>> add(2, 2)
    5
    >>> add(3, 3)
    7
    """
    return a + b


def boom():
    """Raise.

    >>> boom()
    42
    """
    raise ValueError("bad value")


def listing():
    """Output compared with the ini's flags.

    >>> list(range(20))
    [0, 1, 2, ..., 19]
    >>> print("a    b\\n  c")
    a b c
    """


def exception_detail():
    """
    >>> raise KeyError("exact")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    KeyError: 'other'
    >>> raise ValueError("shown")
    Traceback (most recent call last):
    ValueError: hidden
    """


def pytest_flags():
    """
    >>> b'bytes'  # doctest: +ALLOW_BYTES
    'bytes'
    >>> u'text'  # doctest: +ALLOW_UNICODE
    'text'
    >>> 3.14159  # doctest: +NUMBER
    3.14
    >>> 2.71828  # doctest: +NUMBER
    2.7
    """


def skipped_all():
    """
    >>> 1  # doctest: +SKIP
    2
    >>> broken(  # doctest: +SKIP
    """


def skipped_some():
    """
    >>> 1  # doctest: +SKIP
    2
    >>> 1 + 2
    3
    """


def skip_inside():
    """
    >>> import pytest
    >>> pytest.skip("not today")
    >>> 1
    2
    """


def namespace():
    """
    >>> answer
    42
    >>> greeting.upper()
    'HELLO'
    >>> getfixture("thing")
    'THING'
    >>> getfixture("noisy_module")
    'noisy'
    """


def prints():
    """
    >>> print("shown")
    shown
    >>> print("expected")
    unexpected
    """


def nothing_here():
    """No examples: no item."""


class Holder:
    """
    >>> Holder.value
    1
    """

    value = 1

    def method(self):
        """
        >>> Holder().method()
        'm'
        """
        return "m"
