import enum
from typing import NamedTuple

import pytest


class Color(enum.Enum):
    RED = 1


class Point(NamedTuple):
    x: int
    y: int


@pytest.mark.parametrize("n", [1, 2])
def test_enum(n):
    assert Color.RED.value == 1
    assert Point(n, n).x == n
