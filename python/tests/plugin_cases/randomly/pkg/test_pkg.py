"""A package module: imported as ``pkg.test_pkg``, which the order depends on."""
import random

import pytest


def test_draw():
    print("draw", random.random())


def test_second():
    pass


class TestOuter:
    def test_x(self):
        pass

    def test_y(self):
        # Reseeded before each test: the same value for the same seed and node id.
        assert random.random() < 0.95

    class TestInner:
        def test_z(self):
            pass

    def test_w(self):
        pass


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_param(n):
    # Fails or passes by the seed: the outcome must be pytest's.
    assert random.randrange(10) != n


def helper():
    """
    >>> 1 + 1
    2
    """
