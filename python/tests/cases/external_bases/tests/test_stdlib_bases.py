import enum
from abc import ABC
from collections import OrderedDict

import pytest


class Color(enum.Enum):
    RED = 1


class Shape(ABC):
    sides = 0


class Registry(OrderedDict):
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_enum(n):
    assert Color.RED.value == 1
    assert Shape.sides == 0
    assert Registry(a=n)["a"] == n
