import datetime
import enum
import functools
import math
import pathlib
import re
from collections import namedtuple
from decimal import Decimal
from fractions import Fraction

import pytest
from constants import SHARED

VALUES = [1, 2, 3]
PAIRS = [("a", 1), ("b", 2)]
NAME = "x"
IDS = ["first", "second"]


class Color(enum.Enum):
    RED = 1
    GREEN = "green"


class Flag(enum.IntFlag):
    READ = 1
    WRITE = 2


class Widget:
    pass


def factory():
    pass


Point = namedtuple("Point", "x y")


@pytest.mark.parametrize("v", VALUES)
def test_module_constant(v):
    pass


@pytest.mark.parametrize("k,v", PAIRS)
def test_module_constant_pairs(k, v):
    pass


@pytest.mark.parametrize(NAME, [1])
def test_constant_argname(x):
    pass


@pytest.mark.parametrize("v", [1, 2], ids=IDS)
def test_constant_ids(v):
    pass


@pytest.mark.parametrize("v", SHARED)
def test_imported_constant(v):
    pass


@pytest.mark.parametrize("v", [Widget, factory, len, math.sqrt, int, Color, functools.partial(factory)])
def test_named_objects(v):
    pass


@pytest.mark.parametrize("v", [Color.RED, Color.GREEN, Flag.READ, Flag.READ | Flag.WRITE])
def test_enums(v):
    pass


@pytest.mark.parametrize("v", [re.compile("a+b"), re.compile(r"\d+", re.I), re.compile(b"bytes")])
def test_regex(v):
    pass


@pytest.mark.parametrize(
    "v",
    [
        Widget(),
        datetime.date(2024, 1, 2),
        Decimal("1.5"),
        Fraction(1, 3),
        pathlib.PurePosixPath("a/b"),
        Point(1, 2),
        object(),
        type(None),
        float("nan"),
        math.pi,
        -math.inf,
        True + 1,
    ],
)
def test_other_objects(v):
    pass


@pytest.mark.parametrize("v", [x * 2 for x in range(3)])
def test_comprehension(v):
    pass


@pytest.mark.parametrize("v", sorted(["b", "a"]))
def test_call(v):
    pass


class TestClassConstants:
    CASES = ["c1", "c2"]

    @pytest.mark.parametrize("v", CASES)
    def test_class_constant(self, v):
        pass

    @pytest.mark.parametrize("v", VALUES[:2])
    def test_subscript(self, v):
        pass


def idfn(value):
    if value == 2:
        return None
    return f"id_{value}"


@pytest.mark.parametrize("v", [1, 2, 3], ids=idfn)
def test_ids_callable(v):
    pass


@pytest.mark.parametrize("v", [1, 2], ids=str)
def test_ids_builtin_callable(v):
    pass


@pytest.mark.parametrize("v", [Widget(), Widget()], ids=lambda w: type(w).__name__)
def test_ids_lambda(v):
    pass
