"""Tests and doctests in one module.

>>> double(4)
8
"""


def setup_module(module):
    print("setup_module ran")


def double(x):
    """
    >>> double(2)
    4
    """
    return 2 * x


def test_double():
    assert double(3) == 6


def test_double_wrong(noisy_module):
    assert double(3) == 7
