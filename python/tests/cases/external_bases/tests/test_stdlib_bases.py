import enum
from abc import ABC
from collections import OrderedDict
from typing import NamedTuple

import pytest


class Color(enum.Enum):
    RED = 1


class Shape(ABC):
    sides = 0


class Registry(OrderedDict):
    pass


class Point(NamedTuple):
    """Fields in order: none without a default after one with a default."""

    x: int
    y: int = 0
    label = "point"

    def norm(self):
        return abs(self.x) + abs(self.y)


@pytest.mark.parametrize("n", [1, 2])
def test_enum(n):
    assert Color.RED.value == 1
    assert Shape.sides == 0
    assert Registry(a=n)["a"] == n
    assert Point(n).norm() == n
